//! The binary as a user runs it: commands, exit codes and error messages.

mod support {
    pub mod cli;
}

use predicates::prelude::*;
use std::path::Path;
use support::cli::orgaudit;

/// Piped, the table is not wrapped, unless `COLUMNS` gives a width.
#[test]
fn table_wraps_to_columns_off_a_terminal() {
    let widest = |out: &[u8]| {
        String::from_utf8_lossy(out)
            .lines()
            .filter(|l| l.starts_with(['│', '┌', '╞', '├', '└']))
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
    };
    let plain = orgaudit()
        .args(["eval", "fixtures/demo-org.json"])
        .output()
        .unwrap();
    assert!(widest(&plain.stdout) > 100, "the demo's table is wide");
    let wrapped = orgaudit()
        .env("COLUMNS", "100")
        .args(["eval", "fixtures/demo-org.json"])
        .output()
        .unwrap();
    assert_eq!(wrapped.status.code(), Some(1));
    assert!(
        widest(&wrapped.stdout) <= 100,
        "{}",
        String::from_utf8_lossy(&wrapped.stdout)
    );
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const GOOD_RULE: &str = r#"id: my-alias-rule
title: The account has an alias
severity: low
scope: account
service: iam
condition: size(account.iam.aliases) > 0
message: No alias.
rationale: Friendly sign-in URL.
remediation: aws iam list-account-aliases
sources: [sapro]
"#;

#[test]
fn demo_eval_reports_failures_with_exit_1() {
    orgaudit()
        .args(["eval", "fixtures/demo-org.json", "--format", "json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "\"rule_id\": \"root-mfa-enabled\"",
        ));
}

#[test]
fn fail_on_critical_and_allow_incomplete_set_the_exit_code() {
    // The demo has critical failures: still 1.
    orgaudit()
        .args([
            "eval",
            "fixtures/demo-org.json",
            "--fail-on",
            "critical",
            "-f",
            "json",
        ])
        .assert()
        .code(1);
    // A clean org with no failures: 0.
    orgaudit()
        .args(["eval", "fixtures/rules/base.json", "-f", "json"])
        .assert()
        .code(0);
}

#[test]
fn errors_without_failures_exit_3_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let mut snap: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("fixtures/rules/base.json").unwrap())
            .unwrap();
    snap["accounts"][1]["iam"]["summary"] = serde_json::json!({"status": "error", "error": {"operation": "iam:GetAccountSummary", "code": "AccessDenied", "message": "denied"}});
    let p = write(dir.path(), "s.json", &snap.to_string());
    orgaudit()
        .args(["eval", p.to_str().unwrap(), "-f", "json"])
        .assert()
        .code(3);
    orgaudit()
        .args([
            "eval",
            p.to_str().unwrap(),
            "-f",
            "json",
            "--allow-incomplete",
        ])
        .assert()
        .code(0);
}

/// Snapshot files `eval` refuses (exit 2), each with what it says.
#[test]
fn bad_snapshot_files_are_refused_with_the_reason() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "bad.json",
            "{\"schema_version\": \"1.0\",\n  \"accounts\": [}\n",
            &["bad.json:2:"],
        ),
        (
            "v9.json",
            r#"{"schema_version": "9.0", "accounts": []}"#,
            &["schema version 9.0 is not supported"],
        ),
        (
            "findings.json",
            r#"{"format": "orgaudit-findings/1", "findings": []}"#,
            &["not an orgaudit snapshot"],
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut wrong = Vec::new();
    for (name, text, needles) in cases {
        let p = write(dir.path(), name, text);
        let out = orgaudit()
            .args(["eval", p.to_str().unwrap()])
            .output()
            .unwrap();
        check(&mut wrong, name, &out, 2, needles);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// Records in `wrong` how `out` differs from the exit code and the stderr
/// fragments expected of case `name`.
fn check(
    wrong: &mut Vec<String>,
    name: &str,
    out: &std::process::Output,
    code: i32,
    needles: &[&str],
) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let missing: Vec<&&str> = needles.iter().filter(|n| !stderr.contains(**n)).collect();
    if out.status.code() != Some(code) || !missing.is_empty() {
        wrong.push(format!(
            "{name}: expected exit {code} and {missing:?} in stderr, got exit {:?}:\n{stderr}",
            out.status.code()
        ));
    }
}

fn eval_with_rule(rule: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "r.yaml", rule);
    orgaudit()
        .args([
            "eval",
            "fixtures/demo-org.json",
            "--rules",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap()
}

#[test]
fn user_rule_is_added_and_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "r.yaml", GOOD_RULE);
    orgaudit()
        .args([
            "eval",
            "fixtures/demo-org.json",
            "-f",
            "json",
            "--rules",
            dir.path().to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"rule_id\": \"my-alias-rule\""));
}

#[test]
fn duplicate_rule_ids_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", GOOD_RULE);
    write(dir.path(), "b.yaml", GOOD_RULE);
    orgaudit()
        .args([
            "eval",
            "fixtures/demo-org.json",
            "--rules",
            dir.path().to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "duplicate rule id `my-alias-rule`",
        ));
}

/// A user rule file: the built-in rule `GOOD_RULE` with one change, and the
/// exit code and stderr fragments `eval` gives for it. Load errors name the
/// file, line and column; a rule that loads is evaluated (exit 1 on the demo).
#[test]
fn user_rule_files_are_checked_with_positions() {
    let condition = "condition: size(account.iam.aliases) > 0";
    let shadow = GOOD_RULE.replace("id: my-alias-rule", "id: root-mfa-enabled");
    let cases: Vec<(&str, String, i32, &[&str])> = vec![
        (
            "YAML syntax error",
            "id: x\ntitle: [unclosed\n".to_string(),
            2,
            &["r.yaml:2:"],
        ),
        (
            "unknown field",
            GOOD_RULE.replace("severity: low", "severity: low\nseverity_level: 3"),
            2,
            &["r.yaml:4:", "severity_level"],
        ),
        (
            "CEL syntax error",
            GOOD_RULE.replace(condition, "condition: size(account.iam.aliases) > > 0"),
            2,
            &["r.yaml:6:", "CEL syntax error"],
        ),
        (
            "field typo",
            GOOD_RULE.replace("account.iam.aliases", "account.iam.alias"),
            2,
            &[
                "rule `my-alias-rule`",
                "`account.iam.alias` does not exist",
                "r.yaml:6:28",
            ],
        ),
        (
            "typo in a multi-line condition",
            GOOD_RULE.replace(
                condition,
                "condition: |\n  size(account.iam.aliases) > 0\n  && account.iam.summary.users_count > 0",
            ),
            2,
            &["r.yaml:8:25", "users_count"],
        ),
        // `!has(section)` would be true for a section that could not be read:
        // a load error, so that missing data never passes.
        (
            "negated has() of a section",
            GOOD_RULE.replace(condition, "condition: \"!has(account.iam.password_policy)\""),
            2,
            &[
                "r.yaml:6:",
                "!has(account.iam.password_policy)",
                "missing data would pass",
            ],
        ),
        // `has()` of a field inside a section is fine (reading through an
        // unavailable section is ERROR).
        (
            "negated has() of a field",
            GOOD_RULE.replace(condition, "condition: \"!has(account.iam.summary.users)\""),
            1,
            &[],
        ),
        (
            "unknown variable",
            GOOD_RULE.replace("size(account.iam.aliases)", "size(acount.iam.aliases)"),
            2,
            &["unknown variable `acount`"],
        ),
        (
            "shadowing a built-in rule",
            shadow.clone(),
            2,
            &["overrides_builtin: true"],
        ),
        (
            "overriding a built-in rule",
            format!("{shadow}overrides_builtin: true\n"),
            1,
            &[],
        ),
    ];
    let mut wrong = Vec::new();
    for (name, rule, code, needles) in &cases {
        check(&mut wrong, name, &eval_with_rule(rule), *code, needles);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// Config files with a mistake: exit 2, naming the position and the mistake.
#[test]
fn config_file_errors_name_the_position() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "c.yaml",
            "params:\n  min_password_length: 16\nwaiver: []\n",
            &["c.yaml:3:", "waiver"],
        ),
        (
            "c2.yaml",
            "params:\n  min_pasword_length: 16\n",
            &["c2.yaml:2:", "unknown parameter `min_pasword_length`"],
        ),
        (
            "c3.yaml",
            "params:\n  min_password_length: sixteen\n",
            &["expects an integer, got a string"],
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut wrong = Vec::new();
    for (name, text, needles) in cases {
        let c = write(dir.path(), name, text);
        let out = orgaudit()
            .args([
                "eval",
                "fixtures/demo-org.json",
                "--config",
                c.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        check(&mut wrong, name, &out, 2, needles);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn config_params_change_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let c = write(
        dir.path(),
        "c.yaml",
        "params:\n  min_password_length: 8\n  password_reuse: 0\n",
    );
    let out = orgaudit()
        .args([
            "eval",
            "fixtures/demo-org.json",
            "-f",
            "json",
            "--config",
            c.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let web = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "password-policy-strong" && f["account_name"] == "acme-prod-web")
        .unwrap();
    assert_eq!(web["status"], "FAIL", "symbols are still required");
    assert!(!web["message"].as_str().unwrap().contains("minimum length"));
}

#[test]
fn unwritable_output_is_exit_2_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing-dir").join("out.json");
    orgaudit()
        .args([
            "eval",
            "fixtures/demo-org.json",
            "-f",
            "json",
            "-o",
            target.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot write"));
    assert!(!target.exists());
}

#[test]
fn a_failed_run_does_not_touch_an_existing_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = write(dir.path(), "out.json", "previous");
    let bad = write(dir.path(), "bad.json", "not json");
    orgaudit()
        .args(["eval", bad.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .assert()
        .code(2);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 2, "no temporary file left behind");
}

#[test]
fn output_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("f.json");
    orgaudit()
        .args([
            "eval",
            "fixtures/demo-org.json",
            "-f",
            "json",
            "-o",
            out.to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    assert_eq!(v["format"], "orgaudit-findings/1");
}

#[test]
fn rules_list_and_show() {
    orgaudit()
        .args(["rules", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("root-mfa-enabled"));
    orgaudit()
        .args(["rules", "show", "password-policy-strong"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("min_password_length")
                .and(predicate::str::contains("### How to fix")),
        );
    orgaudit()
        .args(["rules", "show", "no-such-rule"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rule with id `no-such-rule`"));
}

#[test]
fn version_flag() {
    orgaudit()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn on_unavailable_fail_turns_an_unreachable_account_into_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "r.yaml",
        &GOOD_RULE
            .replace("id: my-alias-rule", "id: my-reachable")
            .replace(
                "condition: size(account.iam.aliases) > 0",
                "condition: account.access.method != ''\non_unavailable: fail",
            ),
    );
    let out = orgaudit()
        .args([
            "eval",
            "fixtures/demo-org.json",
            "-f",
            "json",
            "--rules",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let statuses: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "my-reachable")
        .map(|f| {
            (
                f["account_name"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        statuses.contains(&("acme-legacy".into(), "FAIL".into())),
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|(_, s)| s == "PASS").count(),
        6,
        "{statuses:?}"
    );
}

#[test]
fn an_unreachable_account_never_passes_anything() {
    // acme-legacy's role could not be assumed: its lists of users, trails or
    // Config regions are empty because nothing was read, not because it is clean.
    let out = orgaudit()
        .args(["eval", "fixtures/demo-org.json", "-f", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let legacy: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["account_name"] == "acme-legacy")
        .collect();
    assert!(legacy.len() > 10);
    for f in legacy {
        let status = f["status"].as_str().unwrap();
        match f["rule_id"].as_str().unwrap() {
            "org-access-role-assumable" => assert_eq!(status, "FAIL"),
            _ => assert!(matches!(status, "ERROR" | "MANUAL"), "{f:#}"),
        }
    }
}

#[test]
fn a_closed_account_is_listed_without_findings() {
    let dir = tempfile::tempdir().unwrap();
    let mut snap: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("fixtures/demo-org.json").unwrap()).unwrap();
    for a in snap["accounts"].as_array_mut().unwrap() {
        if a["name"] == "acme-legacy" {
            a["status"] = "SUSPENDED".into();
        }
    }
    let p = write(dir.path(), "s.json", &snap.to_string());
    let out = orgaudit()
        .args(["eval", p.to_str().unwrap(), "-f", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["name"] == "acme-legacy"));
    assert!(!report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["account_name"] == "acme-legacy"));
}
