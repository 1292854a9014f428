//! Waivers from the config file, through the binary: status WAIVED with its
//! reason, the gate, expired and unused waivers, and bad entries (exit 2 with
//! the position). "Today" is pinned with `ORGAUDIT_TODAY`.

mod support {
    pub mod cli;
}

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const DEMO: &str = "fixtures/demo-org.json";

fn orgaudit(today: &str) -> Command {
    let mut c = support::cli::orgaudit();
    c.env("ORGAUDIT_TODAY", today);
    c
}

fn config(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("orgaudit.yaml");
    std::fs::write(&p, text).unwrap();
    p
}

fn eval_json(today: &str, cfg: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let out = orgaudit(today)
        .args([
            "eval",
            DEMO,
            "-f",
            "json",
            "--config",
            cfg.to_str().unwrap(),
        ])
        .args(extra)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The demo's failing findings of the five waived rules, and all its
/// failing and erroring findings (the catalogue grows: nothing hard-coded).
fn demo_counts() -> (u64, u64, u64) {
    let out = orgaudit("2030-01-01")
        .args(["eval", DEMO, "-f", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let waived_rules = [
        "iam-user-console-mfa",
        "password-policy-strong",
        "alternate-contact-security",
        "root-no-access-keys",
        "root-mfa-enabled",
    ];
    let covered = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "FAIL" && waived_rules.contains(&f["rule_id"].as_str().unwrap()))
        .count() as u64;
    let s = &report["summary"]["by_status"];
    (
        covered,
        s["FAIL"].as_u64().unwrap(),
        s["ERROR"].as_u64().unwrap(),
    )
}

/// Every FAIL finding of the demo organization for five rules, waived by rule
/// and scope.
const WAIVE_ALL_FAILURES: &str = r#"
waivers:
  - rule: iam-user-console-mfa
    resource: "arn:aws:iam::*:user/*"
    reason: Console users are being migrated to Identity Center (SEC-101)
    expires: 2030-06-30
  - rule: password-policy-strong
    accounts: ["333333333333", "555555555555"]
    reason: No IAM console users after SEC-101
    expires: 2030-06-30
  - rule: alternate-contact-security
    ou: Root/Workloads
    reason: Security contact set org-wide via delegated admin (SEC-102)
    expires: 2030-06-30
  - rule: root-no-access-keys
    ou: ou-wkl0-prd00001
    reason: Legacy key, deleted in CHG-7
    expires: 2030-06-30
  - rule: root-mfa-enabled
    accounts: ["555555555555"]
    reason: Sandbox, closing in Q3
    expires: 2030-06-30
"#;

#[test]
fn waived_findings_do_not_fail_the_gate_and_carry_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), WAIVE_ALL_FAILURES);
    let (covered, failing, errors) = demo_counts();
    assert!(covered >= 8, "the demo fails these rules");
    // The waived critical findings no longer fail the gate; the ERROR
    // findings of the demo are never waived: exit 3 remains.
    let (code, json, stderr) = eval_json("2030-06-30", &cfg, &["--fail-on", "critical"]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(json["summary"]["by_status"]["FAIL"], failing - covered);
    assert_eq!(json["summary"]["by_status"]["WAIVED"], covered);
    assert_eq!(json["summary"]["by_status"]["ERROR"], errors);
    assert_eq!(json["summary"]["failing_by_severity"]["critical"], 0);
    assert_eq!(json["warnings"], serde_json::json!([]));
    let waived = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "root-mfa-enabled" && f["status"] == "WAIVED")
        .unwrap();
    assert_eq!(
        waived["waiver"],
        serde_json::json!({"reason": "Sandbox, closing in Q3", "expires": "2030-06-30"})
    );
    let (code, _, _) = eval_json(
        "2030-06-30",
        &cfg,
        &["--allow-incomplete", "--fail-on", "critical"],
    );
    assert_eq!(code, 0);
}

#[test]
fn waived_shows_with_reason_in_every_text_format() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), WAIVE_ALL_FAILURES);
    for (format, needle) in [
        ("markdown", "Sandbox, closing in Q3"),
        ("junit", "Waived until 2030-06-30: Sandbox, closing in Q3"),
        ("sarif", "Sandbox, closing in Q3"),
        ("html", "Sandbox, closing in Q3"),
    ] {
        orgaudit("2030-01-01")
            .args([
                "eval",
                DEMO,
                "-f",
                format,
                "--fail-on",
                "critical",
                "--config",
            ])
            .arg(&cfg)
            .assert()
            .code(3)
            .stdout(predicate::str::contains(needle));
    }
    let (covered, _, _) = demo_counts();
    orgaudit("2030-01-01")
        .args(["eval", DEMO, "--config"])
        .arg(&cfg)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!("{covered} waived")));
}

#[test]
fn expired_waiver_stops_applying_and_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), WAIVE_ALL_FAILURES);
    let (_, failing, _) = demo_counts();
    let (code, json, stderr) = eval_json("2030-07-01", &cfg, &[]);
    assert_eq!(code, 1);
    assert_eq!(json["summary"]["by_status"]["WAIVED"], 0);
    assert_eq!(json["summary"]["by_status"]["FAIL"], failing);
    assert_eq!(json["warnings"].as_array().unwrap().len(), 5);
    assert!(
        stderr.contains("warning: waiver for `root-mfa-enabled` at ")
            && stderr.contains("orgaudit.yaml:19:5 expired on 2030-06-30"),
        "{stderr}"
    );
}

#[test]
fn unused_waiver_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        "waivers:\n  - rule: root-mfa-enabled\n    accounts: ['222222222222']\n    reason: r\n    expires: 2030-01-01\n  - rule: root-mfa-enabled\n    ou: ou-unknown0000\n    reason: r\n    expires: 2030-01-01\n",
    );
    let (code, json, stderr) = eval_json("2029-12-31", &cfg, &[]);
    assert_eq!(code, 1);
    assert_eq!(json["summary"]["by_status"]["WAIVED"], 0);
    assert!(
        stderr.contains("orgaudit.yaml:2:5 matched no failing finding"),
        "{stderr}"
    );
    assert!(
        stderr.contains("OU id `ou-unknown0000` is not in the snapshot"),
        "{stderr}"
    );
    assert_eq!(json["warnings"].as_array().unwrap().len(), 2);
}

#[test]
fn bad_waivers_are_load_errors_with_position() {
    let cases = [
        (
            "waivers:\n  - rule: root-mfa-enabled\n    expires: 2030-01-01\n",
            "orgaudit.yaml:2:5: waiver for `root-mfa-enabled` has no `reason`",
        ),
        (
            "waivers:\n  - rule: root-mfa-enabled\n    reason: r\n",
            "orgaudit.yaml:2:5: waiver for `root-mfa-enabled` has no `expires` date",
        ),
        (
            "waivers:\n  - rule: root-mfa-enabled\n    reason: r\n    expires: 2030-02-30\n",
            "orgaudit.yaml:4:14: `expires`: `2030-02-30` is not a valid date",
        ),
        (
            "waivers:\n  - rule: root-mfa-enabled\n    reason: r\n    expires: next month\n",
            "orgaudit.yaml:4:14: `expires`: `next month` is not a date in the form YYYY-MM-DD",
        ),
        (
            "waivers:\n  - rule: root-mfa-enbled\n    reason: r\n    expires: 2030-01-01\n",
            "orgaudit.yaml:2:11: waiver for unknown rule `root-mfa-enbled`",
        ),
        (
            "waivers:\n  - rule: root-mfa-enabled\n    resource: 'arn:aws:iam::*:user/[ci'\n    reason: r\n    expires: 2030-01-01\n",
            "orgaudit.yaml:3:15: invalid resource glob",
        ),
        (
            "waivers:\n  - rule: root-mfa-enabled\n    accounts: [12345]\n    reason: r\n    expires: 2030-01-01\n",
            "is not an AWS account id",
        ),
        (
            "waivers:\n  - rule: root-mfa-enabled\n    account: ['111111111111']\n    reason: r\n    expires: 2030-01-01\n",
            "orgaudit.yaml:3:",
        ),
    ];
    for (text, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let cfg = config(dir.path(), text);
        let out_file = dir.path().join("report.json");
        orgaudit("2029-01-01")
            .args(["eval", DEMO, "-f", "json", "-o"])
            .arg(&out_file)
            .arg("--config")
            .arg(&cfg)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(expected));
        assert!(!out_file.exists(), "no report on a config error");
    }
}

#[test]
fn a_bad_orgaudit_today_is_a_usage_error() {
    orgaudit("tomorrow")
        .args(["eval", DEMO])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("ORGAUDIT_TODAY"));
}
