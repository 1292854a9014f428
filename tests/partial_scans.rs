//! Partial scans (`--accounts`, `--ou`, `--shard`) whose snapshot lacks the
//! management account: organization rules judge the whole organization
//! from the account list Organizations gives, members' organization trails
//! are judged from the management account's trails read at organization
//! level, and what only the management account can tell is reported as not
//! evaluated, never a false FAIL or ERROR, never silently absent. A clean
//! shard exits 0.

mod support {
    pub mod cli;
    pub mod snapshots;
}

use serde_json::{json, Value};

/// base.json as the shard that holds only its member account.
fn shard() -> Value {
    let mut d = support::snapshots::read("fixtures/rules/base.json");
    support::snapshots::list_accounts(&mut d);
    d["management_trails"] = d["accounts"][0]["cloudtrail"].clone();
    let member = d["accounts"][1].clone();
    d["accounts"] = json!([member]);
    d
}

fn eval(snapshot: &Value) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("shard.json");
    std::fs::write(&input, snapshot.to_string()).unwrap();
    let out = dir.path().join("findings.json");
    let status = support::cli::orgaudit()
        .args(["eval", input.to_str().unwrap(), "-f", "json", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let code = status.status.code().unwrap();
    let report = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    (code, report)
}

fn statuses(report: &Value, rule: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| f["status"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_clean_shard_without_the_management_account_exits_0() {
    let (code, report) = eval(&shard());
    assert_eq!(code, 0, "{report:#}");
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("not evaluated"), "{warnings}");
    for rule in [
        "organization-trail",
        "break-glass-admin-present",
        "budget-exists",
    ] {
        assert!(warnings.contains(rule), "{rule} not reported: {warnings}");
        assert!(statuses(&report, rule).is_empty(), "{rule}");
    }
    // Judged from the organization-wide facts the scan always reads.
    assert_eq!(statuses(&report, "organization-all-features"), ["PASS"]);
    assert_eq!(statuses(&report, "identity-center-enabled"), ["PASS"]);
    // The member's organization trail, judged from the management account's
    // trails read at organization level.
    assert_eq!(
        statuses(&report, "cloudtrail-multi-region-logging"),
        ["PASS"]
    );
    assert_eq!(statuses(&report, "org-access-role-assumable"), ["PASS"]);
}

#[test]
fn organization_rules_see_accounts_outside_the_shard() {
    let mut s = shard();
    // The shard's member is in Development; the production account is in
    // another shard.
    s["accounts"][0]["ou_path"] = "Root/Workloads/Development".into();
    s["accounts"][0]["parent_id"] = "ou-wkl0-dev00001".into();
    let mut other = s["organization"]["data"]["accounts"][1].clone();
    other["id"] = "333333333333".into();
    other["name"] = "prod-elsewhere".into();
    other["email"] = s["organization"]["data"]["accounts"][1]["email"].clone();
    s["organization"]["data"]["accounts"][1]["ou_path"] = "Root/Workloads/Development".into();
    s["organization"]["data"]["accounts"]
        .as_array_mut()
        .unwrap()
        .push(other);
    let (_, report) = eval(&s);
    assert_eq!(statuses(&report, "organization-production-ou"), ["PASS"]);
    // The e-mail shared with an account of another shard is found.
    assert!(statuses(&report, "account-email-convention").contains(&"FAIL".to_string()));
}

#[test]
fn the_management_trails_unread_make_the_member_trail_unknown_not_pass() {
    let mut s = shard();
    s["management_trails"] = json!({"status": "error", "error": {"operation": "cloudtrail:DescribeTrails", "code": "AccessDenied", "message": "denied"}});
    let (code, report) = eval(&s);
    assert_eq!(
        statuses(&report, "cloudtrail-multi-region-logging"),
        ["ERROR"]
    );
    assert_eq!(code, 3);
}

/// A closed account has no findings, and every report says it is closed
/// (not merely absent, not "reachable").
#[test]
fn a_closed_account_is_listed_as_closed_in_every_format() {
    let mut d: Value =
        serde_json::from_str(&std::fs::read_to_string("fixtures/rules/base.json").unwrap())
            .unwrap();
    d["accounts"][1]["status"] = "SUSPENDED".into();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("s.json");
    std::fs::write(&input, d.to_string()).unwrap();
    for (format, needle) in [
        ("table", "closed (SUSPENDED): not audited"),
        ("markdown", "closed (SUSPENDED): not audited"),
        ("html", "closed (SUSPENDED): not audited"),
        ("json", "\"status\": \"SUSPENDED\""),
    ] {
        let out = support::cli::orgaudit()
            .env("COLUMNS", "400")
            .args(["eval", input.to_str().unwrap(), "-f", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(needle), "{format}: {text}");
    }
    let (_, report) = eval(&d);
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["account_id"] != "222222222222" || f["rule_id"] == "account-email-convention"));
}
