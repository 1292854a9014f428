//! `orgaudit diff`: two findings documents or two snapshots; new, fixed and
//! still-failing findings; exit 1 on new failures; bad inputs exit 2 without
//! writing the output file.

mod support {
    pub mod cli;
}

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn orgaudit() -> Command {
    let mut c = support::cli::orgaudit();
    c.env("ORGAUDIT_TODAY", "2030-01-01");
    c
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The demo snapshot, and a month later: acme-prod-web lost root MFA (a new
/// critical failure), acme-dev-sandbox got a strong password policy (fixed).
fn snapshots(dir: &Path) -> (PathBuf, PathBuf) {
    let text = std::fs::read_to_string("fixtures/demo-org.json").unwrap();
    let mut snap: serde_json::Value = serde_json::from_str(&text).unwrap();
    let accounts = snap["accounts"].as_array_mut().unwrap();
    let policy = accounts[0]["iam"]["password_policy"].clone();
    for a in accounts.iter_mut() {
        if a["id"] == "333333333333" {
            a["iam"]["summary"]["data"]["account_mfa_enabled"] = 0.into();
        }
        if a["id"] == "555555555555" {
            a["iam"]["password_policy"] = policy.clone();
        }
    }
    snap["collected_at"] = "2026-11-21T09:00:00Z".into();
    (
        PathBuf::from("fixtures/demo-org.json"),
        write(dir, "new-snapshot.json", &snap.to_string()),
    )
}

fn findings(dir: &Path, snapshot: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
    orgaudit()
        .args(["eval", s(snapshot), "-f", "json", "-o", s(&out)])
        .assert()
        .code(predicate::in_iter([1, 3]));
    out
}

fn diff_json(old: &Path, new: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = orgaudit()
        .args(["diff", s(old), s(new), "-f", "json"])
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, json)
}

/// How many findings of the demo fail (the catalogue grows; the tests don't
/// hard-code it).
fn demo_failing() -> u64 {
    let out = orgaudit()
        .args(["eval", "fixtures/demo-org.json", "-f", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["summary"]["by_status"]["FAIL"].as_u64().unwrap()
}

fn check_regression(d: &serde_json::Value) {
    assert_eq!(d["format"], "orgaudit-diff/1");
    assert_eq!(d["summary"]["new"], 1, "{d:#}");
    assert_eq!(d["summary"]["fixed"], 1);
    assert_eq!(d["summary"]["still_failing"], demo_failing() - 1);
    assert_eq!(d["summary"]["unverified"], 0);
    let new = &d["new_failures"][0];
    assert_eq!(new["rule_id"], "root-mfa-enabled");
    assert_eq!(new["account_id"], "333333333333");
    assert_eq!(new["old_status"], "PASS");
    assert_eq!(new["new_status"], "FAIL");
    let fixed = &d["fixed"][0];
    assert_eq!(fixed["rule_id"], "password-policy-strong");
    assert_eq!(fixed["account_id"], "555555555555");
}

#[test]
fn findings_documents_new_failure_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let (old_snap, new_snap) = snapshots(dir.path());
    let old = findings(dir.path(), &old_snap, "old.json");
    let new = findings(dir.path(), &new_snap, "new.json");
    let (code, d) = diff_json(&old, &new, &[]);
    assert_eq!(code, 1);
    check_regression(&d);
    assert_eq!(d["new"]["collected_at"], "2026-11-21T09:00:00Z");
    // Only a new *critical* failure: --fail-on critical still fails, and the
    // reverse direction (the new failure disappears) has no new failure.
    let (code, _) = diff_json(&old, &new, &["--fail-on", "critical"]);
    assert_eq!(code, 1);
    let (code, back) = diff_json(&new, &old, &[]);
    assert_eq!(code, 1, "the sandbox password policy fails again");
    assert_eq!(back["fixed"][0]["rule_id"], "root-mfa-enabled");
    let (code, _) = diff_json(&new, &old, &["--fail-on", "high"]);
    assert_eq!(code, 0, "a new medium failure is below --fail-on high");
}

#[test]
fn snapshots_are_evaluated_and_compared() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = snapshots(dir.path());
    let (code, d) = diff_json(&old, &new, &[]);
    assert_eq!(code, 1);
    check_regression(&d);
}

#[test]
fn snapshots_diff_applies_waivers() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = snapshots(dir.path());
    let cfg = write(
        dir.path(),
        "c.yaml",
        "waivers:\n  - rule: root-mfa-enabled\n    accounts: ['333333333333']\n    reason: MFA device being replaced (INC-9)\n    expires: 2030-01-31\n",
    );
    let (code, d) = diff_json(&old, &new, &["--config", s(&cfg)]);
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["summary"]["new"], 0);
}

#[test]
fn same_audit_twice_has_no_new_failures() {
    orgaudit()
        .args(["diff", "fixtures/demo-org.json", "fixtures/demo-org.json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(format!(
            "Still failing ({})",
            demo_failing()
        )))
        .stdout(predicate::str::contains(format!(
            "0 new, 0 fixed, {} still failing, 0 unverified",
            demo_failing()
        )));
}

#[test]
fn markdown_and_table_show_the_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = snapshots(dir.path());
    orgaudit()
        .args(["diff", s(&old), s(&new), "-f", "markdown"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("## New failures (1)"))
        .stdout(predicate::str::contains("`root-mfa-enabled`"))
        .stdout(predicate::str::contains("## Fixed (1)"));
    let out = dir.path().join("diff.txt");
    orgaudit()
        .args(["diff", s(&old), s(&new), "-o", s(&out)])
        .assert()
        .code(1)
        .stdout("");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("New failures (1):"), "{text}");
    let summary = format!("1 new, 1 fixed, {} still failing", demo_failing() - 1);
    assert!(text.contains(&summary), "{text}");
}

#[test]
fn bad_inputs_exit_2_without_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let (old_snap, _) = snapshots(dir.path());
    let findings_file = findings(dir.path(), &old_snap, "f.json");
    let random = write(dir.path(), "random.json", r#"{"hello": [1, 2, 3]}"#);
    let broken = write(
        dir.path(),
        "broken.json",
        "{\n  \"format\": \"orgaudit-findings/1\",\n",
    );
    let future = write(
        dir.path(),
        "future.json",
        r#"{"format": "orgaudit-findings/7"}"#,
    );
    let bad_severity = {
        let text = std::fs::read_to_string(&findings_file).unwrap();
        let text = text.replacen("\"severity\": \"critical\"", "\"severity\": \"severe\"", 1);
        write(dir.path(), "bad-severity.json", &text)
    };
    let cases: Vec<(&Path, &Path, &str)> = vec![
        (
            &findings_file,
            &old_snap,
            "(a findings document) with fixtures/demo-org.json (a snapshot): give two findings documents or two snapshots",
        ),
        (&random, &findings_file, "random.json: neither an orgaudit findings document"),
        (&findings_file, &broken, "broken.json:3:"),
        (&findings_file, &future, "findings format `orgaudit-findings/7` is not supported"),
        (&findings_file, &bad_severity, "unknown variant `severe`"),
    ];
    for (old, new, expected) in cases {
        let out = dir.path().join("diff.md");
        orgaudit()
            .args(["diff", s(old), s(new), "-f", "markdown", "-o", s(&out)])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(expected));
        assert!(!out.exists(), "no output file for {expected}");
    }
    // The bad-severity error points at the line.
    orgaudit()
        .args(["diff", s(&findings_file), s(&bad_severity)])
        .assert()
        .code(2)
        .stderr(
            predicate::str::is_match(
                r"bad-severity\.json:\d+:\d+: not a valid orgaudit findings document",
            )
            .unwrap(),
        );
    // Formats that make no sense for a diff and unknown severities are usage errors.
    orgaudit()
        .args(["diff", s(&findings_file), s(&findings_file), "-f", "sarif"])
        .assert()
        .code(2);
    orgaudit()
        .args([
            "diff",
            s(&findings_file),
            s(&findings_file),
            "--fail-on",
            "severe",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown severity `severe`"));
}
