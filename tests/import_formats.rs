//! The formats other systems import — ASFF (Security Hub), OCSF and CSV —
//! checked by those systems' own definitions: every ASFF batch is validated
//! as a `BatchImportFindings` request by botocore's parameter validation
//! against the Security Hub service model, every OCSF event by the
//! `py-ocsf-models` Compliance Finding model (unknown fields refused), and
//! the CSV by Python's `csv` module. Both Python packages live in the test
//! venv that `scripts/moto-server.sh install` makes (botocore comes with
//! moto); a missing venv is installed, and a failed install fails the test.

mod support {
    pub mod cli;
}

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};

use assert_cmd::Command;
use orgaudit::findings::{
    AccountRef, Finding, Mappings, Report, ReportSource, RuleInfo, Scope, Severity, Status,
    Summary, ToolInfo, REPORT_FORMAT,
};
use orgaudit::report::{render, Format, RenderOptions};

const DEMO: &str = "fixtures/demo-org.json";

fn orgaudit() -> Command {
    let mut c = support::cli::orgaudit();
    c.env("ORGAUDIT_TODAY", "2027-01-01");
    c
}

/// The test venv's Python, installed when missing.
fn python() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let venv = std::env::var_os("ORGAUDIT_MOTO_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".venv-moto"));
    let python = venv.join("bin/python");
    let ready = |p: &Path| {
        p.exists()
            && Process::new(p)
                .args(["-c", "import botocore, py_ocsf_models"])
                .status()
                .is_ok_and(|s| s.success())
    };
    if !ready(&python) {
        let status = Process::new("bash")
            .arg(root.join("scripts/moto-server.sh"))
            .arg("install")
            .status()
            .expect("run scripts/moto-server.sh install");
        assert!(status.success(), "scripts/moto-server.sh install failed");
    }
    assert!(
        ready(&python),
        "{} cannot import botocore and py_ocsf_models",
        python.display()
    );
    python
}

/// Runs `script` (a file in tests/validate/) on `input`; returns its stdout,
/// failing the test with its stderr when it fails.
fn validate(script: &str, input: &[u8]) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut child = Process::new(python())
        .arg(root.join("tests/validate").join(script))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{script} refused the output:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn eval(snapshot: &str, format: &str) -> Vec<u8> {
    let out = orgaudit()
        .args(["eval", snapshot, "-f", format])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn demo_findings() -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_slice(&eval(DEMO, "json")).unwrap();
    report["findings"].as_array().unwrap().clone()
}

fn lines(bytes: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn asff_batches_of_the_demo_are_valid_batch_import_findings_requests() {
    let out = eval(DEMO, "asff");
    let summary: serde_json::Value =
        serde_json::from_str(&validate("asff_batches.py", &out)).unwrap();
    let findings = demo_findings();
    assert_eq!(
        summary["findings"],
        findings.len(),
        "one ASFF finding per finding"
    );

    let batches = lines(&out);
    let all: Vec<&serde_json::Value> = batches
        .iter()
        .flat_map(|b| b["Findings"].as_array().unwrap())
        .collect();
    // The mapping of statuses, the identity shared with SARIF, the CIS
    // requirements and typed resources.
    let by_status = |status: &str| {
        all.iter()
            .filter(|f| f["ProductFields"]["orgaudit/Status"] == status)
            .map(|f| f["Compliance"]["Status"].as_str().unwrap())
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(by_status("PASS"), ["PASSED"].into());
    assert_eq!(by_status("FAIL"), ["FAILED"].into());
    assert_eq!(by_status("ERROR"), ["WARNING"].into());
    assert_eq!(by_status("MANUAL"), ["NOT_AVAILABLE"].into());
    let root_mfa = all
        .iter()
        .find(|f| f["GeneratorId"] == "root-mfa-enabled" && f["AwsAccountId"] == "111111111111")
        .unwrap();
    assert_eq!(
        root_mfa["Compliance"]["RelatedRequirements"],
        serde_json::json!(["CIS AWS Foundations Benchmark v3.0.0/1.5"])
    );
    assert_eq!(root_mfa["Resources"][0]["Type"], "AwsAccount");
    assert_eq!(
        root_mfa["Resources"][0]["Id"],
        "AWS::::Account:111111111111"
    );
    assert!(root_mfa["Types"][0]
        .as_str()
        .unwrap()
        .starts_with("Software and Configuration Checks/"));
    assert!(all
        .iter()
        .any(|f| f["Resources"][0]["Type"] == "AwsIamUser"));
    assert!(all
        .iter()
        .any(|f| f["Resources"][0]["Type"] == "AwsCloudTrailTrail"));

    // The same identity as the SARIF fingerprint.
    let sarif: serde_json::Value = serde_json::from_slice(&eval(DEMO, "sarif")).unwrap();
    for r in sarif["runs"][0]["results"].as_array().unwrap() {
        let fp = r["partialFingerprints"]["orgauditFinding/v1"]
            .as_str()
            .unwrap();
        assert!(
            all.iter().any(|f| f["Id"].as_str().unwrap().ends_with(fp)),
            "no ASFF Id carries the SARIF fingerprint {fp}"
        );
    }
    // Stable: a second run writes the same bytes.
    assert_eq!(eval(DEMO, "asff"), out);
}

/// A report with `n` findings of one account (for the batch limit).
fn big_report(n: usize) -> Report {
    let rule = RuleInfo {
        id: "iam-user-console-mfa".into(),
        title: "IAM users with a console password have MFA".into(),
        severity: Severity::High,
        scope: Scope::Account,
        service: "iam".into(),
        manual: false,
        passes_when: None,
        rationale: "r".into(),
        remediation: "x".repeat(5000),
        sources: vec![],
        mappings: Mappings {
            frameworks: [("cis-3.0".to_string(), vec!["1.10".to_string()])]
                .into_iter()
                .collect(),
            ..Mappings::default()
        },
    };
    let findings: Vec<Finding> = (0..n)
        .map(|i| Finding {
            rule_id: rule.id.clone(),
            title: rule.title.clone(),
            severity: rule.severity,
            status: if i % 2 == 0 {
                Status::Fail
            } else {
                Status::Pass
            },
            account_id: "123456789012".into(),
            account_name: "a".repeat(300),
            region: None,
            resource_arn: Some(format!("arn:aws:iam::123456789012:user/u{i}")),
            message: "m".repeat(100_000),
            waiver: None,
            unevaluated: None,
        })
        .collect();
    Report {
        format: REPORT_FORMAT.into(),
        tool: ToolInfo::current(),
        source: ReportSource {
            collected_at: "2026-11-20T09:00:00Z".into(),
            regions: vec!["eu-west-1".into()],
            ..ReportSource::default()
        },
        accounts: vec![AccountRef {
            id: "123456789012".into(),
            name: "a".into(),
            ou_path: "Root".into(),
            is_management: true,
            unreachable: None,
            status: None,
        }],
        rules: vec![rule],
        summary: Summary::of(&findings),
        findings,
        frameworks: vec![],
        warnings: vec![],
    }
}

#[test]
fn asff_splits_batches_at_100_and_cuts_long_values_to_the_api_limits() {
    let text = render(&big_report(250), Format::Asff, &RenderOptions::plain()).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&validate("asff_batches.py", text.as_bytes())).unwrap();
    assert_eq!(summary["findings"], 250);
    assert_eq!(summary["batches"], 3);
    let first = &lines(text.as_bytes())[0]["Findings"][0];
    assert_eq!(first["Region"], "eu-west-1");
    assert_eq!(
        first["ProductArn"],
        "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default"
    );
    assert_eq!(first["Description"].as_str().unwrap().chars().count(), 1024);
    assert!(first["Description"].as_str().unwrap().ends_with('…'));
}

#[test]
fn ocsf_events_of_the_demo_are_valid_compliance_findings() {
    let out = eval(DEMO, "ocsf");
    let summary: serde_json::Value =
        serde_json::from_str(&validate("ocsf_events.py", &out)).unwrap();
    let findings = demo_findings();
    assert_eq!(summary["events"], findings.len());
    let events = lines(&out);
    for (e, f) in events.iter().zip(&findings) {
        assert_eq!(e["class_uid"], 2003);
        assert_eq!(e["status_code"], f["status"]);
        assert_eq!(e["cloud"]["account"]["uid"], f["account_id"]);
        let expected = match f["status"].as_str().unwrap() {
            "PASS" => 1,
            "ERROR" => 2,
            "FAIL" | "WAIVED" => 3,
            _ => 99,
        };
        assert_eq!(e["compliance"]["status_id"], expected, "{e}");
        assert!(e["finding_info"]["uid"]
            .as_str()
            .unwrap()
            .starts_with("orgaudit/"));
        assert_eq!(e["metadata"]["product"]["name"], "orgaudit");
    }
    let root_mfa = events
        .iter()
        .find(|e| e["metadata"]["event_code"] == "root-mfa-enabled")
        .unwrap();
    assert_eq!(
        root_mfa["compliance"]["requirements"],
        serde_json::json!(["1.5"])
    );
    // The same ids as ASFF.
    let asff_ids: std::collections::BTreeSet<String> = lines(&eval(DEMO, "asff"))
        .iter()
        .flat_map(|b| b["Findings"].as_array().unwrap().clone())
        .map(|f| f["Id"].as_str().unwrap().to_string())
        .collect();
    let ocsf_ids: std::collections::BTreeSet<String> = events
        .iter()
        .map(|e| e["finding_info"]["uid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(asff_ids, ocsf_ids);
}

#[test]
fn csv_has_the_documented_header_and_one_row_per_finding() {
    let out = eval(DEMO, "csv");
    let parsed: serde_json::Value = serde_json::from_str(&validate("csv_rows.py", &out)).unwrap();
    assert_eq!(
        parsed["header"],
        serde_json::json!(orgaudit::report::csv::HEADER)
    );
    let findings = demo_findings();
    let rows = parsed["rows"].as_array().unwrap();
    assert_eq!(rows.len(), findings.len());
    for (row, f) in rows.iter().zip(&findings) {
        assert_eq!(row["rule_id"], f["rule_id"]);
        assert_eq!(row["status"], f["status"]);
        assert_eq!(row["account_id"], f["account_id"]);
    }
    assert!(
        String::from_utf8(out).unwrap().contains("\r\n"),
        "RFC 4180 line ends"
    );
}
