//! AWS Security Finding Format (ASFF), for `aws securityhub
//! batch-import-findings` (orgaudit never calls it: it stays read-only).
//!
//! The output is JSON Lines: each line is one `BatchImportFindings` request,
//! `{"Findings": [...]}`, with at most [`BATCH_MAX`] findings (the API's
//! limit), all of one account and one region, because a custom integration
//! imports a finding only from the account it is about, into the region of
//! its `ProductArn`. Feed each line to `--cli-input-json` (docs/ci.md).
//!
//! Each finding (one per orgaudit finding, PASS included, so that a fixed
//! control resolves its earlier FAILED finding):
//!
//! | ASFF | from |
//! |---|---|
//! | `Id` | `orgaudit/<account>/<rule>/<fingerprint>`: the identity of SARIF's fingerprint and of `diff` (rule, account, resource, region); stable across scans |
//! | `ProductArn` | `arn:<partition>:securityhub:<region>:<account>:product/<account>/default` (the custom-integration product of the account) |
//! | `GeneratorId` | the rule id |
//! | `AwsAccountId`, `AwsAccountName` | the account |
//! | `Region` | the finding's region; for global and account-level findings the first region of the scan |
//! | `Types` | `Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark` for CIS-mapped rules, else `Software and Configuration Checks/AWS Security Best Practices` |
//! | `CreatedAt`, `UpdatedAt` | when the snapshot was taken |
//! | `Severity.Label` | `CRITICAL`, `HIGH`, `MEDIUM`, `LOW`; `INFORMATIONAL` for info rules and for every PASS (as Security Hub's own controls do) |
//! | `Title`, `Description` | the rule's title; the message (cut to the API's 256 and 1,024 characters) |
//! | `Remediation.Recommendation.Text` | the rule's remediation (cut to 512 characters) |
//! | `Compliance.Status` | PASS → `PASSED`, FAIL and WAIVED → `FAILED`, ERROR → `WARNING` (the check could not run: its facts were missing or denied), MANUAL → `NOT_AVAILABLE` (no API answers it) |
//! | `Compliance.RelatedRequirements` | `CIS AWS Foundations Benchmark v3.0.0/<number>` per CIS mapping |
//! | `Resources` | one, typed: `AwsAccount` (`AWS::::Account:<id>`) for account-level findings, else from the ARN (`AwsIamUser`, `AwsIamRole`, `AwsCloudTrailTrail`, `AwsS3Bucket`…, `Other` when ASFF has no type) |
//! | `ProductFields` | `orgaudit/Status` (the orgaudit status), and for WAIVED `orgaudit/WaiverReason` and `orgaudit/WaiverExpires` |
//!
//! A waived finding stays `FAILED` with its waiver in `ProductFields`:
//! `Workflow.Status` cannot be changed by a later import, so suppressing it
//! there would outlive the waiver. Strings are JSON-escaped as in every
//! JSON document orgaudit writes; a finding is a few kilobytes, far below
//! the API's 240 KB.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{RenderError, RenderOptions, Renderer};
use crate::findings::{Finding, Report, RuleInfo, Severity, Status};

/// The most findings one `BatchImportFindings` call takes.
pub const BATCH_MAX: usize = 100;
/// The ASFF schema version written.
pub const SCHEMA_VERSION: &str = "2018-10-08";
/// The `Types` entry of CIS-mapped rules.
pub const TYPE_CIS: &str =
    "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark";
/// The `Types` entry of the other rules.
pub const TYPE_BEST_PRACTICES: &str = "Software and Configuration Checks/AWS Security Best Practices";
/// The prefix of `Compliance.RelatedRequirements`.
pub const CIS_REQUIREMENT: &str = "CIS AWS Foundations Benchmark v3.0.0";

const TITLE_MAX: usize = 256;
const DESCRIPTION_MAX: usize = 1024;
const REMEDIATION_MAX: usize = 512;
const FIELD_MAX: usize = 2048;

/// The ASFF renderer.
pub struct Asff;

impl Renderer for Asff {
    fn write(
        &self,
        report: &Report,
        _: &RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> Result<(), RenderError> {
        let ctx = Context::new(report)?;
        // Findings by (account, region), in report order within each.
        let mut groups: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
        for f in &report.findings {
            groups
                .entry((f.account_id.as_str(), ctx.region_of(f)))
                .or_default()
                .push(f);
        }
        for chunk in groups.values().flat_map(|v| v.chunks(BATCH_MAX)) {
            let findings: Vec<AsffFinding> = chunk.iter().map(|f| ctx.finding(f)).collect();
            super::json::write_line(out, &Batch { findings })?;
        }
        Ok(())
    }
}

/// What every finding of the report shares.
struct Context<'a> {
    rules: BTreeMap<&'a str, &'a RuleInfo>,
    partition: &'static str,
    home_region: &'a str,
    time: String,
}

impl<'a> Context<'a> {
    fn new(report: &'a Report) -> Result<Context<'a>, RenderError> {
        Ok(Context {
            rules: report.rules.iter().map(|r| (r.id.as_str(), r)).collect(),
            partition: known_partition(&super::partition(report)),
            home_region: report
                .source
                .regions
                .first()
                .map(String::as_str)
                .unwrap_or("us-east-1"),
            time: timestamp(&report.source.collected_at)?,
        })
    }

    fn region_of<'f>(&self, f: &'f Finding) -> &'f str
    where
        'a: 'f,
    {
        f.region.as_deref().unwrap_or(self.home_region)
    }

    fn finding<'f>(&'f self, f: &'f Finding) -> AsffFinding<'f> {
        let rule = self.rules.get(f.rule_id.as_str()).copied();
        let region = self.region_of(f);
        let account = f.account_id.as_str();
        let cis: &[String] = rule.map(|r| r.mappings.numbers(crate::findings::LEGACY_CIS_FRAMEWORK)).unwrap_or(&[]);
        let mut fields = BTreeMap::new();
        fields.insert("orgaudit/Status", f.status.as_str().to_string());
        if let Some(w) = &f.waiver {
            fields.insert("orgaudit/WaiverReason", cut(&w.reason, FIELD_MAX));
            fields.insert("orgaudit/WaiverExpires", cut(&w.expires, FIELD_MAX));
        }
        let remediation = rule
            .map(|r| r.remediation.trim())
            .filter(|t| t.contains(|c: char| !c.is_whitespace()))
            .map(|t| Remediation {
                recommendation: Recommendation {
                    text: cut(t, REMEDIATION_MAX),
                },
            });
        let label = severity_label(f);
        AsffFinding {
            schema_version: SCHEMA_VERSION,
            id: f.key().id(),
            product_arn: format!(
                "arn:{}:securityhub:{region}:{account}:product/{account}/default",
                self.partition
            ),
            product_name: "orgaudit",
            company_name: "orgaudit",
            region,
            generator_id: &f.rule_id,
            aws_account_id: account,
            aws_account_name: non_blank(&f.account_name).map(|n| cut(n, 50)),
            types: vec![if cis.is_empty() {
                TYPE_BEST_PRACTICES
            } else {
                TYPE_CIS
            }],
            created_at: &self.time,
            updated_at: &self.time,
            severity: SeverityField {
                label,
                original: f.severity.as_str(),
            },
            title: cut_or(&f.title, TITLE_MAX, &f.rule_id),
            description: cut_or(&description(f), DESCRIPTION_MAX, f.status.as_str()),
            remediation,
            product_fields: fields,
            resources: vec![self.resource(f, region)],
            compliance: Compliance {
                status: compliance_status(f.status),
                related_requirements: cis
                    .iter()
                    .take(32)
                    .map(|c| cut(&format!("{CIS_REQUIREMENT}/{c}"), 128))
                    .collect(),
            },
            record_state: "ACTIVE",
        }
    }

    fn resource(&self, f: &Finding, region: &str) -> Resource {
        match &f.resource_arn {
            Some(arn) => Resource {
                kind: resource_type(arn),
                id: cut(arn, 512),
                partition: known_partition(arn.split(':').nth(1).unwrap_or("")),
                region: region.to_string(),
            },
            None => Resource {
                kind: "AwsAccount",
                id: format!("AWS::::Account:{}", f.account_id),
                partition: self.partition,
                region: region.to_string(),
            },
        }
    }
}

fn description(f: &Finding) -> String {
    let mut d = match f.status {
        Status::Error => super::could_not_evaluate(f),
        Status::Manual => format!("Manual check: {}", f.message),
        _ => f.message.clone(),
    };
    if let Some(w) = &f.waiver {
        d.push_str(&format!(" (waived until {}: {})", w.expires, w.reason));
    }
    d
}

/// ASFF `Severity.Label` of a finding.
fn severity_label(f: &Finding) -> &'static str {
    if f.status == Status::Pass {
        return "INFORMATIONAL";
    }
    match f.severity {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFORMATIONAL",
    }
}

/// ASFF `Compliance.Status` of a status (see the module documentation).
pub fn compliance_status(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASSED",
        Status::Fail | Status::Waived => "FAILED",
        Status::Error => "WARNING",
        Status::Manual => "NOT_AVAILABLE",
    }
}

/// The ASFF resource type of an ARN; `Other` when ASFF has none.
pub fn resource_type(arn: &str) -> &'static str {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" {
        return "Other";
    }
    let kind = parts[5].split(['/', ':']).next().unwrap_or("");
    match (parts[2], kind) {
        ("iam", "user") => "AwsIamUser",
        ("iam", "role") => "AwsIamRole",
        ("iam", "group") => "AwsIamGroup",
        ("iam", "policy") => "AwsIamPolicy",
        ("iam", "root") => "AwsAccount",
        ("cloudtrail", "trail") => "AwsCloudTrailTrail",
        ("s3", _) if !parts[5].contains('/') => "AwsS3Bucket",
        ("kms", "key") => "AwsKmsKey",
        ("guardduty", "detector") => "AwsGuardDutyDetector",
        ("securityhub", "hub") => "AwsSecurityHubHub",
        ("sns", _) => "AwsSnsTopic",
        _ => "Other",
    }
}

/// A partition ASFF accepts (`aws`, `aws-cn`, `aws-us-gov`); `aws` for
/// anything else (an ARN in a snapshot is data, not trusted).
pub fn known_partition(p: &str) -> &'static str {
    match p {
        "aws-cn" => "aws-cn",
        "aws-us-gov" => "aws-us-gov",
        _ => "aws",
    }
}

/// `collected_at` as ASFF writes times (`2026-11-20T09:00:00.000Z`).
pub(crate) fn timestamp(collected_at: &str) -> Result<String, RenderError> {
    chrono::DateTime::parse_from_rfc3339(collected_at)
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string()
        })
        .map_err(|_| {
            RenderError::Invalid(format!(
                "the report's collected_at `{}` is not an RFC 3339 time",
                crate::sanitize::one_line(collected_at)
            ))
        })
}

fn non_blank(s: &str) -> Option<&str> {
    s.contains(|c: char| !c.is_whitespace()).then_some(s)
}

/// At most `max` characters of `s`; a cut value ends with `…`.
pub(crate) fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some(_) => {
            let end = s.char_indices().nth(max - 1).map_or(s.len(), |(i, _)| i);
            format!("{}…", &s[..end])
        }
    }
}

/// [`cut`], or `fallback` when `s` is blank (ASFF refuses blank strings).
fn cut_or(s: &str, max: usize, fallback: &str) -> String {
    match non_blank(s) {
        Some(s) => cut(s, max),
        None => cut(fallback, max),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Batch<'a> {
    findings: Vec<AsffFinding<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AsffFinding<'a> {
    schema_version: &'static str,
    id: String,
    product_arn: String,
    product_name: &'static str,
    company_name: &'static str,
    region: &'a str,
    generator_id: &'a str,
    aws_account_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    aws_account_name: Option<String>,
    types: Vec<&'static str>,
    created_at: &'a str,
    updated_at: &'a str,
    severity: SeverityField,
    title: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    remediation: Option<Remediation>,
    product_fields: BTreeMap<&'static str, String>,
    resources: Vec<Resource>,
    compliance: Compliance,
    record_state: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SeverityField {
    label: &'static str,
    original: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Remediation {
    recommendation: Recommendation,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Recommendation {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Resource {
    #[serde(rename = "Type")]
    kind: &'static str,
    id: String,
    partition: &'static str,
    region: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Compliance {
    status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_requirements: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_types() {
        assert_eq!(resource_type("arn:aws:iam::111122223333:user/ops/alice"), "AwsIamUser");
        assert_eq!(
            resource_type("arn:aws:cloudtrail:us-east-1:111122223333:trail/org"),
            "AwsCloudTrailTrail"
        );
        assert_eq!(resource_type("arn:aws:s3:::logs"), "AwsS3Bucket");
        assert_eq!(resource_type("arn:aws:budgets::111122223333:budget/x"), "Other");
        assert_eq!(resource_type("not an arn"), "Other");
    }

    #[test]
    fn cuts_at_characters() {
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abcd", 3), "ab…");
        assert_eq!(cut("ééééé", 4).chars().count(), 4);
    }

    #[test]
    fn timestamps_are_utc_with_milliseconds() {
        assert_eq!(
            timestamp("2026-11-20T10:00:00+01:00").unwrap(),
            "2026-11-20T09:00:00.000Z"
        );
        assert!(timestamp("yesterday").is_err());
    }
}
