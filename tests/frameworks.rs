//! Compliance frameworks end to end: `--framework` limits a run to one
//! framework's rules, and every report carries the per-framework summary
//! judged from the findings (FAILED over NOT_EVALUATED over WAIVED over
//! PASSED over MANUAL).

mod support {
    pub mod cli;
}

use orgaudit::findings::{RequirementStatus, Status};

fn eval_json(extra: &[&str]) -> serde_json::Value {
    let out = support::cli::orgaudit()
        .args(["eval", "fixtures/demo-org.json", "-f", "json"])
        .args(extra)
        .env("ORGAUDIT_TODAY", "2025-01-20")
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0..=3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn framework_flag_limits_the_run_and_the_summary() {
    let all = eval_json(&[]);
    let ids: Vec<&str> = all["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["cis-3.0", "cis-5.0"]);

    let v5 = eval_json(&["--framework", "cis-5.0"]);
    let frameworks = v5["frameworks"].as_array().unwrap();
    assert_eq!(frameworks.len(), 1);
    let fw = &frameworks[0];
    assert_eq!(fw["version"], "5.0.0");
    assert_eq!(fw["requirements_total"], 63);
    // Only rules mapped to CIS v5.0.0 ran.
    for r in v5["rules"].as_array().unwrap() {
        assert!(
            r["mappings"]["frameworks"]["cis-5.0"].is_array(),
            "{} is not mapped to cis-5.0",
            r["id"]
        );
    }
    for f in v5["findings"].as_array().unwrap() {
        assert_ne!(f["rule_id"], "budget-exists");
    }
    // The counts add up, and each verdict follows from the findings.
    let reqs = fw["requirements"].as_array().unwrap();
    assert_eq!(
        fw["requirements_covered"].as_u64().unwrap() as usize,
        reqs.len()
    );
    let count = |s: &str| reqs.iter().filter(|r| r["status"] == s).count() as u64;
    assert_eq!(fw["passed"], count("PASSED"));
    assert_eq!(fw["failed"], count("FAILED"));
    assert_eq!(fw["not_evaluated"], count("NOT_EVALUATED"));
    assert_eq!(fw["manual"], count("MANUAL"));
    let findings = v5["findings"].as_array().unwrap();
    for r in reqs {
        let statuses: Vec<&str> = findings
            .iter()
            .filter(|f| {
                r["rules"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|id| *id == f["rule_id"])
            })
            .map(|f| f["status"].as_str().unwrap())
            .collect();
        let expected = if statuses.contains(&"FAIL") {
            "FAILED"
        } else if statuses.contains(&"ERROR") || statuses.is_empty() {
            "NOT_EVALUATED"
        } else if statuses.contains(&"WAIVED") {
            "WAIVED"
        } else if statuses.contains(&"PASS") {
            "PASSED"
        } else {
            "MANUAL"
        };
        assert_eq!(r["status"], expected, "{}: {statuses:?}", r["id"]);
    }
    let root = reqs.iter().find(|r| r["id"] == "1.3").unwrap();
    assert_eq!(root["rules"], serde_json::json!(["root-no-access-keys"]));
}

#[test]
fn every_format_shows_the_framework_summary() {
    for (format, needle) in [
        ("table", "CIS AWS Foundations Benchmark v5.0.0: "),
        ("markdown", "## Compliance frameworks"),
        ("html", "<h2>Compliance frameworks</h2>"),
        ("junit", "name=\"framework.cis-5.0\""),
        ("sarif", "\"frameworks\""),
        ("json", "\"frameworks\""),
    ] {
        let out = support::cli::orgaudit()
            .args(["eval", "fixtures/demo-org.json", "-f", format])
            .args(["--framework", "cis-5.0"])
            .env("ORGAUDIT_TODAY", "2025-01-20")
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(needle), "{format}: no `{needle}`");
        assert!(!text.contains("v3.0.0:"), "{format}: other framework shown");
    }
}

#[test]
fn waivers_recount_the_framework_summary() {
    use orgaudit::findings::{Finding, Severity};
    let rules = orgaudit::rules::RuleSet::builtin().unwrap().infos();
    let finding = |rule: &str, status: Status| Finding {
        rule_id: rule.into(),
        title: String::new(),
        severity: Severity::High,
        status,
        account_id: "111111111111".into(),
        account_name: "a".into(),
        region: None,
        resource_arn: None,
        message: String::new(),
        waiver: None,
        unevaluated: None,
    };
    let findings = vec![
        finding("root-no-access-keys", Status::Waived),
        finding("root-mfa-enabled", Status::Pass),
        finding("root-hardware-mfa", Status::Error),
        finding("password-policy-strong", Status::Fail),
        finding("alternate-contact-billing", Status::Pass),
        finding("alternate-contact-operations", Status::Fail),
    ];
    let s = orgaudit::compliance::summarize(&rules, &findings, Some(&["cis-5.0".to_string()]));
    let fw = &s[0];
    let status = |id: &str| {
        fw.requirements
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("{id}"))
            .status
    };
    assert_eq!(status("1.3"), RequirementStatus::Waived);
    assert_eq!(status("1.4"), RequirementStatus::Passed);
    assert_eq!(status("1.5"), RequirementStatus::NotEvaluated);
    assert_eq!(status("1.7"), RequirementStatus::Failed);
    assert_eq!(status("1.8"), RequirementStatus::Failed);
    // Two rules on 1.1: one failing fails the requirement.
    assert_eq!(status("1.1"), RequirementStatus::Failed);
    // Rules without findings: not evaluated (never passed).
    assert_eq!(status("3.1"), RequirementStatus::NotEvaluated);
    assert_eq!(fw.passed, 1);
    assert_eq!(fw.waived, 1);
    let automated = fw.passed + fw.failed + fw.waived + fw.not_evaluated;
    assert_eq!(
        fw.pass_rate,
        Some((1.0 / automated as f64 * 1000.0).round() / 1000.0)
    );
}
