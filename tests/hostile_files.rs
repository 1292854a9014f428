//! Hostile rule and config files, hostile text in snapshots, and work that
//! must stay bounded, through the binary: what a careless operator or an
//! attacker who controls a snapshot, a rules directory or a file name can
//! make orgaudit do. Each case is one test.

mod support {
    pub mod cli;
}

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;

const DEMO: &str = "fixtures/demo-org.json";

fn orgaudit() -> Command {
    let mut c = support::cli::orgaudit();
    c.env("ORGAUDIT_TODAY", "2027-01-01");
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

// ---- nothing hostile reaches a terminal ----------------------------------

/// stderr of a run with hostile text must show it escaped, never raw.
fn assert_stderr_sanitized(out: &std::process::Output, expect: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(hostile_chars(&out.stderr), Vec::<char>::new(), "{stderr}");
    assert!(stderr.contains(expect), "{stderr}");
}

#[test]
fn rule_file_errors_show_escape_sequences_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let text = rule("x").replace("id: x", "id: \"Bad\\e]0;pwned\\a\\e[2J\\u009b\\u202e\"");
    write(dir.path(), "r.yaml", &text);
    let out = orgaudit()
        .args(["eval", DEMO, "--rules", s(dir.path())])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_sanitized(&out, "Bad\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{9b}\\u{202e}");
}

#[test]
fn a_rule_file_name_with_escape_sequences_is_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "\x1b]0;pwned\x07\u{202e}.yaml",
        "id: [unclosed\n",
    );
    let out = orgaudit()
        .args(["eval", DEMO, "--rules", s(dir.path())])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_sanitized(&out, "\\u{1b}]0;pwned\\u{7}\\u{202e}.yaml:1:");
}

#[test]
fn command_line_errors_show_the_argument_escaped() {
    let out = orgaudit()
        .args(["eval", DEMO, "--format", "\x1b[2J\u{9b}31m"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // clap strips the ANSI sequence itself; the C1 CSI is ours to escape.
    assert_stderr_sanitized(&out, "\\u{9b}31m");
}

#[test]
fn warnings_show_escape_sequences_escaped() {
    let dir = tempfile::tempdir().unwrap();
    // A waiver that matches nothing is a warning naming its file.
    let cfg = write(
        dir.path(),
        "\x1b[2Jc.yaml",
        "waivers:\n  - rule: root-mfa-enabled\n    accounts: ['999999999999']\n    reason: r\n    expires: 2030-01-01\n",
    );
    let out = orgaudit()
        .args(["eval", DEMO, "--config", s(&cfg)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_stderr_sanitized(&out, "warning: waiver for `root-mfa-enabled` at ");
    assert!(String::from_utf8_lossy(&out.stderr).contains("\\u{1b}[2Jc.yaml:2:5"));
}

#[test]
fn rules_list_and_show_show_escape_sequences_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let text = rule("hostile-title").replace(
        "title: The account has an alias",
        "title: \"Alias\\e]8;;http://evil\\e\\\\ \\u202egnp.exe\\u2028x\"",
    );
    write(dir.path(), "r.yaml", &text);
    for args in [
        vec!["rules", "list", "--rules", s(dir.path())],
        vec!["rules", "show", "hostile-title", "--rules", s(dir.path())],
    ] {
        let out = orgaudit().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(hostile_chars(&out.stdout), Vec::<char>::new(), "{stdout}");
        assert!(
            stdout.contains("Alias\\u{1b}]8;;http://evil\\u{1b}\\ \\u{202e}gnp.exe\\u{2028}x"),
            "{args:?}: {stdout}"
        );
    }
}

// ---- nothing hostile reaches a parser raw --------------------------------

/// An account name with a C1 CSI, a right-to-left override, a zero-width
/// space and a line separator (JSON escapes in the snapshot file).
const HOSTILE_NAME_JSON: &str =
    r#""name": "acme-prod-web\u009b31m\u202egnp.exe\u200b\u2028\ufeff""#;
const HOSTILE_NAME: &str = "acme-prod-web\u{9b}31m\u{202e}gnp.exe\u{200b}\u{2028}\u{feff}";

fn hostile_snapshot(dir: &Path) -> PathBuf {
    demo_with(
        dir,
        &[
            (r#""name": "acme-prod-web""#, HOSTILE_NAME_JSON),
            (
                "arn:aws:iam::333333333333:user/deploy-bot",
                "arn:aws:iam::333333333333:user/../../../../etc/passwd?x#y%z",
            ),
        ],
    )
}

fn eval_format(snapshot: &Path, format: &str) -> std::process::Output {
    orgaudit()
        .args(["eval", s(snapshot), "-f", format])
        .output()
        .unwrap()
}

#[test]
fn json_escapes_c1_bidi_and_invisible_characters_without_losing_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = eval_format(&hostile_snapshot(dir.path()), "json");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(hostile_chars(&out.stdout), Vec::<char>::new());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(r"acme-prod-web\u009b31m\u202egnp.exe\u200b\u2028\ufeff"));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&HOSTILE_NAME), "{names:?}");
}

#[test]
fn sarif_escapes_hostile_characters_and_uris_stay_inside() {
    let dir = tempfile::tempdir().unwrap();
    let out = eval_format(&hostile_snapshot(dir.path()), "sarif");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(hostile_chars(&out.stdout), Vec::<char>::new());
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    for uri in &uris {
        assert!(!uri.contains(".."), "{uri}");
        assert!(!uri.contains(['?', '#', ' ']), "{uri}");
    }
    assert!(
        uris.contains(
            &"aws/333333333333/iam/user/_%2E%2E/_%2E%2E/_%2E%2E/_%2E%2E/etc/passwd%3Fx%23y%25z"
        ),
        "{uris:?}"
    );
}

#[test]
fn junit_carries_no_c1_bidi_or_invisible_characters() {
    let dir = tempfile::tempdir().unwrap();
    let out = eval_format(&hostile_snapshot(dir.path()), "junit");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(hostile_chars(&out.stdout), Vec::<char>::new());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("acme-prod-web31m\\u{202e}gnp.exe\\u{200b}\\u{2028}\\u{feff}"),
        "{text}"
    );
}

// ---- rules directories ----------------------------------------------------

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

fn eval_rules_dir(dir: &Path) -> std::process::Output {
    orgaudit()
        .args(["eval", DEMO, "-f", "json", "--rules", s(dir)])
        .output()
        .unwrap()
}

#[test]
fn rules_in_subdirectories_are_read() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "iam/alias.yaml", &rule("sub-alias"));
    write(dir.path(), "a/b/c/deep.yml", &rule("deep-alias"));
    // A hidden directory (a checkout's CI workflows) is not rules.
    write(dir.path(), ".github/workflows/ci.yml", "on: push\n");
    let out = eval_rules_dir(dir.path());
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids = rule_ids(&out.stdout);
    assert!(ids.contains(&"sub-alias".to_string()), "{ids:?}");
    assert!(ids.contains(&"deep-alias".to_string()), "{ids:?}");
}

#[test]
fn upper_case_yaml_extensions_are_read() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "LOUD.YAML", &rule("loud-alias"));
    write(dir.path(), "Mixed.Yml", &rule("mixed-alias"));
    let out = eval_rules_dir(dir.path());
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids = rule_ids(&out.stdout);
    assert!(ids.contains(&"loud-alias".to_string()), "{ids:?}");
    assert!(ids.contains(&"mixed-alias".to_string()), "{ids:?}");
}

#[test]
fn a_fifo_in_the_rules_directory_is_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let started = Instant::now();
    let out = orgaudit()
        .args(["eval", DEMO, "--rules", s(dir.path())])
        .timeout(Duration::from_secs(10))
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10), "it hung");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("pipe.yaml") && stderr.contains("not a regular file"),
        "{stderr}"
    );
}

#[test]
fn a_symlink_out_of_the_rules_directory_is_refused_and_not_quoted() {
    let outside = tempfile::tempdir().unwrap();
    let secret = write(
        outside.path(),
        "shadow",
        "root:$6$s3cr3tHash:19000:0:99999:7:::\n",
    );
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(&secret, dir.path().join("evil.yaml")).unwrap();
    let out = orgaudit()
        .args(["eval", DEMO, "--rules", s(dir.path())])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("evil.yaml"), "{stderr}");
    assert!(stderr.contains("outside the rules directory"), "{stderr}");
    assert!(!stderr.contains("s3cr3t"), "{stderr}");
}

#[test]
fn a_yaml_file_that_is_not_a_rule_is_never_quoted() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "credentials.yaml",
        "aws_secret_access_key: wJalrXUtnFEMI/K7MDENG\n",
    );
    let out = orgaudit()
        .args(["eval", DEMO, "--rules", s(dir.path())])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("credentials.yaml"), "{stderr}");
    assert!(stderr.contains("not a rule file"), "{stderr}");
    assert!(!stderr.contains("wJalr"), "{stderr}");
}

#[test]
fn a_user_rule_replacing_a_builtin_is_a_warning_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{}overrides_builtin: true\n", rule("root-mfa-enabled"));
    write(dir.path(), "mine.yaml", &text);
    let expected = "user rule `root-mfa-enabled`";
    for format in ["table", "json", "sarif", "junit", "markdown", "html"] {
        let out = orgaudit()
            .args(["eval", DEMO, "-f", format, "--rules", s(dir.path())])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{format}: {stderr}");
        if format != "table" {
            let stdout = String::from_utf8_lossy(&out.stdout);
            // Markdown and HTML escape the backticks: the plain part.
            assert!(
                stdout.contains("replaces the built-in rule of the same id"),
                "{format}: {stdout}"
            );
        }
    }
    let out = orgaudit()
        .args(["rules", "list", "--rules", s(dir.path())])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains(expected));
}

// ---- bounded work -----------------------------------------------------------

#[test]
fn a_table_cell_of_one_megabyte_is_cut_and_rendered_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let huge = format!(r#""name": "acme-prod-web{}""#, "x".repeat(1_000_000));
    let snapshot = demo_with(dir.path(), &[(r#""name": "acme-prod-web""#, &huge)]);
    let started = Instant::now();
    let out = orgaudit()
        .env("COLUMNS", "120")
        .args(["eval", s(&snapshot)])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1));
    assert!(took < Duration::from_secs(20), "took {took:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // 1,000,013 characters, 1,024 shown (the note may be wrapped).
    assert!(stdout.contains("… (998989"), "{stdout}");
    assert!(stdout.len() < 1_000_000, "{} bytes", stdout.len());
}

#[test]
fn a_runaway_condition_is_error_for_its_rule_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    // 100^4 = 10^8 iterations, past the budget of one evaluation.
    let list = format!(
        "[{}]",
        (0..100)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let condition = format!("{list}.all(a, {list}.all(b, {list}.all(c, {list}.all(d, d >= 0))))");
    let text = rule("runaway-loop")
        .replace("scope: account", "scope: org")
        .replace("size(account.iam.aliases) > 0", &format!("\"{condition}\""));
    write(dir.path(), "runaway.yaml", &text);
    let started = Instant::now();
    let out = eval_rules_dir(dir.path());
    let took = started.elapsed();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(took < Duration::from_secs(30), "took {took:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let runaway: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["rule_id"] == "runaway-loop")
        .collect();
    assert_eq!(runaway.len(), 1);
    assert_eq!(runaway[0]["status"], "ERROR");
    assert!(
        runaway[0]["message"]
            .as_str()
            .unwrap()
            .contains("ran past its budget"),
        "{}",
        runaway[0]["message"]
    );
    assert!(findings.iter().any(|f| f["rule_id"] == "root-mfa-enabled"));
}

/// Runs a Python (standard library only) `program` on `input`, returning
/// its stdout; fails the test when it fails.
fn python_stdlib(program: &str, input: &[u8]) -> String {
    use std::io::Write as _;
    let mut child = std::process::Command::new("python3")
        .args(["-c", program])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The hostile snapshot, one account named like a spreadsheet formula.
fn hostile_formula_snapshot(dir: &Path) -> PathBuf {
    let p = hostile_snapshot(dir);
    let text = std::fs::read_to_string(&p).unwrap().replace(
        r#""name": "acme-prod-data""#,
        r#""name": "=HYPERLINK(\"http://x\",\"y\")""#,
    );
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn every_format_of_a_hostile_snapshot_parses_back_with_its_own_grammar() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = hostile_formula_snapshot(dir.path());
    let json: serde_json::Value =
        serde_json::from_slice(&eval_format(&snapshot, "json").stdout).unwrap();
    let findings = json["findings"].as_array().unwrap().len();
    // Every format there is: a new one gets the hostile-character check at
    // once, and its grammar's parser below.
    for format in orgaudit::report::Format::ALL.map(|f| f.as_str()) {
        let out = eval_format(&snapshot, format);
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert_eq!(hostile_chars(&out.stdout), Vec::<char>::new(), "{format}");
        let text = String::from_utf8(out.stdout).expect("UTF-8");
        match format {
            "json" | "sarif" => {
                serde_json::from_str::<serde_json::Value>(&text).expect(format);
            }
            "asff" | "ocsf" => {
                // JSON Lines: every line one document, nothing split a line.
                let docs: Vec<serde_json::Value> = text
                    .lines()
                    .map(|l| serde_json::from_str(l).expect(format))
                    .collect();
                let n: usize = if format == "asff" {
                    docs.iter()
                        .map(|d| d["Findings"].as_array().unwrap().len())
                        .sum()
                } else {
                    docs.len()
                };
                assert_eq!(n, findings, "{format}");
                assert!(
                    text.contains(r"acme-prod-web\u009b31m\u202egnp.exe"),
                    "{format}"
                );
            }
            "grouped" => {
                // Shown escaped, on the account's own line.
                assert!(
                    text.lines().any(|l| l.starts_with(
                        r"acme-prod-web\u{9b}31m\u{202e}gnp.exe\u{200b}\u{2028}\u{feff} ("
                    )),
                    "{text}"
                );
            }
            "junit" => {
                quick_junit::Report::deserialize_from_str(&text).expect("JUnit XML");
            }
            "csv" => {
                let rows = python_stdlib(
                    "import csv,io,json,sys\n\
                     rows=list(csv.reader(io.StringIO(sys.stdin.read(),newline=''),strict=True))\n\
                     print(json.dumps(rows))",
                    text.as_bytes(),
                );
                let rows: Vec<Vec<String>> = serde_json::from_str(&rows).unwrap();
                assert_eq!(rows.len(), findings + 1);
                let names: Vec<&str> = rows.iter().map(|r| r[6].as_str()).collect();
                assert!(
                    names.contains(&"'=HYPERLINK(\"http://x\",\"y\")"),
                    "{names:?}"
                );
                assert!(
                    names.contains(
                        &"acme-prod-web\\u{9b}31m\\u{202e}gnp.exe\\u{200b}\\u{2028}\\u{feff}"
                    ),
                    "{names:?}"
                );
                for row in &rows {
                    assert_eq!(row.len(), rows[0].len());
                    for cell in row {
                        assert!(
                            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                            "{cell}"
                        );
                    }
                }
            }
            "html" => {
                // Python's HTML tokenizer sees no element orgaudit did not write.
                let tags = python_stdlib(
                    "import sys,html.parser\n\
                     class P(html.parser.HTMLParser):\n  \
                       tags=set()\n  \
                       def handle_starttag(self,t,a): self.tags.add(t)\n\
                     p=P(); p.feed(sys.stdin.read()); p.close(); print(' '.join(sorted(p.tags)))",
                    text.as_bytes(),
                );
                assert!(!tags.split_whitespace().any(|t| t == "script"), "{tags}");
            }
            _ => {}
        }
    }
}
