//! Region names: a name orgaudit does not know is an error, never a region
//! silently audited as empty.

/// Regions of the `aws`, `aws-cn` and `aws-us-gov` partitions.
pub const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// Checks `--regions`: not empty, every name known; returns them sorted and
/// deduplicated.
pub fn validate(regions: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = regions.iter().map(|r| r.trim().to_string()).collect();
    out.retain(|r| !r.is_empty());
    if out.is_empty() {
        return Err("no region given: pass at least one region name".to_string());
    }
    for r in &out {
        if !KNOWN_REGIONS.contains(&r.as_str()) {
            return Err(format!(
                "unknown region `{r}` (known regions: {})",
                KNOWN_REGIONS.join(", ")
            ));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The region that serves a partition's global services (IAM, Organizations,
/// Account, Budgets, Cost Explorer).
pub fn global_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-northwest-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => "us-east-1",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_empty_regions_are_errors() {
        assert!(validate(&["us-east-7".into()])
            .unwrap_err()
            .contains("us-east-7"));
        assert!(validate(&[]).is_err());
        assert!(validate(&[" ".into()]).is_err());
        assert_eq!(
            validate(&["us-west-2".into(), "eu-west-1".into(), "us-west-2".into()]).unwrap(),
            vec!["eu-west-1", "us-west-2"]
        );
    }
}
