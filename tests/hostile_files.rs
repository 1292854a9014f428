//! Hostile rule and config files, hostile text in snapshots, and work that
//! must stay bounded, through the binary: what a careless operator or an
//! attacker who controls a snapshot, a rules directory or a file name can
//! make orgaudit do. Each case is one test.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;

const DEMO: &str = "fixtures/demo-org.json";

fn orgaudit() -> Command {
    let mut c = Command::cargo_bin("orgaudit").unwrap();
    c.env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .env("ORGAUDIT_TODAY", "2027-01-01")
        .timeout(Duration::from_secs(60));
    c
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A user rule; `{id}` is replaced.
const RULE: &str = r#"id: {id}
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

fn rule(id: &str) -> String {
    RULE.replace("{id}", id)
}

/// The demo snapshot with `replacements` applied to its text, written in `dir`.
fn demo_with(dir: &Path, replacements: &[(&str, &str)]) -> PathBuf {
    let mut text = std::fs::read_to_string(DEMO).unwrap();
    for (from, to) in replacements {
        assert!(text.contains(from), "the demo has {from}");
        text = text.replace(from, to);
    }
    write(dir, "snapshot.json", &text)
}

/// The ids of the rules in a JSON report.
fn rule_ids(stdout: &[u8]) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_slice(stdout).unwrap();
    report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// Whether `bytes` hold one of the characters that must never reach a
/// terminal or a viewer raw: ESC, C1 controls, bidi controls, zero-width
/// characters, line and paragraph separators.
fn hostile_chars(bytes: &[u8]) -> Vec<char> {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|&c| {
            c == '\x1b'
                || c == '\x07'
                || ('\u{80}'..='\u{9f}').contains(&c)
                || matches!(c, '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
        })
        .collect()
}

// ---- waivers: an empty scope is an error, not "everywhere" ---------------

fn waiver_config(dir: &Path, scope_line: &str) -> PathBuf {
    write(
        dir,
        "orgaudit.yaml",
        &format!(
            "waivers:\n  - rule: root-mfa-enabled\n    {scope_line}\n    reason: accepted\n    expires: 2030-01-01\n"
        ),
    )
}

fn assert_empty_scope_refused(scope_line: &str, key: &str, column: usize) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = waiver_config(dir.path(), scope_line);
    orgaudit()
        .args(["eval", DEMO, "--config", s(&cfg)])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains(format!("orgaudit.yaml:3:{column}:"))
                .and(predicate::str::contains(format!("`{key}` is empty"))),
        );
}

#[test]
fn waiver_with_empty_accounts_list_is_a_config_error() {
    assert_empty_scope_refused("accounts: []", "accounts", 15);
}

#[test]
fn waiver_with_empty_regions_list_is_a_config_error() {
    assert_empty_scope_refused("regions: []", "regions", 14);
}

#[test]
fn waiver_with_null_ou_is_a_config_error() {
    assert_empty_scope_refused("ou: ~", "ou", 9);
}

#[test]
fn waiver_with_empty_resource_is_a_config_error() {
    assert_empty_scope_refused("resource: \"\"", "resource", 15);
}
