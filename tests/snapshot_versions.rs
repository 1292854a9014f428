//! Saved snapshots keep working: a snapshot of an older minor schema version
//! loads, and the rules that need facts it lacks are ERROR naming the
//! version that collects them, never PASS. The demo snapshot as shipped with
//! schema 1.0 is the witness.

use orgaudit::findings::Status;
use orgaudit::rules::{engine, RuleSet};
use orgaudit::snapshot::Snapshot;

fn evaluate(path: &str) -> orgaudit::findings::Report {
    let snapshot = Snapshot::load(std::path::Path::new(path)).unwrap_or_else(|e| panic!("{e}"));
    let rules = RuleSet::builtin().unwrap();
    engine::evaluate(&rules, &snapshot, &Default::default())
}

#[test]
fn the_demo_snapshot_of_schema_1_0_still_loads() {
    let report = evaluate("fixtures/compat/demo-org-1.0.json");
    assert!(!report.findings.is_empty());
    // The administrator rules need policy documents (schema 1.1): ERROR,
    // naming the version, never PASS.
    for id in [
        "admin-users-no-access-keys",
        "admins-at-least-two",
        "break-glass-admin-present",
        // and so do the SCP rules (policies) and the log archive rule (the
        // management account's buckets)
        "scp-guardrail-every-ou",
        "scp-deny-leave-organization",
        "log-archive-separate-account",
    ] {
        let of_rule: Vec<_> = report.findings.iter().filter(|f| f.rule_id == id).collect();
        assert!(!of_rule.is_empty(), "{id}");
        for f in of_rule {
            assert_eq!(f.status, Status::Error, "{id}: {}", f.message);
            assert!(f.message.contains("orgaudit >= 0.2"), "{id}: {}", f.message);
        }
    }
    // So does the delivery channel status the recorder rule reads.
    let recorder: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule_id == "config-recorder-enabled")
        .collect();
    assert!(recorder.iter().all(|f| f.status != Status::Pass));
    // Rules whose facts 1.0 had are judged as before.
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule_id == "root-no-access-keys" && f.status == Status::Pass));
}

#[test]
fn the_shipped_demo_is_current_and_judged_without_errors_from_missing_facts() {
    let report = evaluate("fixtures/demo-org.json");
    for f in &report.findings {
        assert!(
            !f.message.contains("orgaudit >= 0.2"),
            "{} {}: {}",
            f.rule_id,
            f.account_id,
            f.message
        );
    }
}

/// The sections of schema 1.2, each read by its rules.
const SINCE_1_2: &[(&str, &str)] = &[
    ("s3_public_access_block", "s3-account-public-access-blocked"),
    ("protections", "guardduty-enabled"),
    ("protections", "securityhub-enabled"),
];

#[test]
fn a_snapshot_of_schema_1_1_still_loads_and_the_rules_of_1_2_say_so() {
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("fixtures/demo-org.json").unwrap()).unwrap();
    json["schema_version"] = "1.1".into();
    json.as_object_mut().unwrap().remove("security_services");
    for account in json["accounts"].as_array_mut().unwrap() {
        for (section, _) in SINCE_1_2 {
            account.as_object_mut().unwrap().remove(*section);
        }
    }
    let snapshot =
        Snapshot::from_json(&json.to_string(), "old.json").unwrap_or_else(|e| panic!("{e}"));
    let rules = RuleSet::builtin().unwrap();
    let report = engine::evaluate(&rules, &snapshot, &Default::default());
    for (_, id) in SINCE_1_2 {
        let of_rule: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule_id == *id)
            .collect();
        assert!(!of_rule.is_empty(), "{id}");
        for f in of_rule {
            assert_eq!(f.status, Status::Error, "{id}: {}", f.message);
            assert!(
                f.message.contains("snapshot schema 1.2") || f.message.contains("not reached"),
                "{id}: {}",
                f.message
            );
        }
    }
    for id in [
        "guardduty-delegated-admin",
        "securityhub-delegated-admin",
        "access-analyzer-organization",
    ] {
        let f = report.findings.iter().find(|f| f.rule_id == id).unwrap();
        assert_eq!(f.status, Status::Error, "{id}: {}", f.message);
        assert!(
            f.message.contains("snapshot schema 1.2"),
            "{id}: {}",
            f.message
        );
    }
    // Rules whose facts 1.1 had are judged as before.
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule_id == "scp-enabled" && f.status != Status::Error));
}

#[test]
fn a_snapshot_of_schema_1_2_still_loads_and_the_rule_of_1_3_says_so() {
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("fixtures/demo-org.json").unwrap()).unwrap();
    json["schema_version"] = "1.2".into();
    for account in json["accounts"].as_array_mut().unwrap() {
        for region in account["protections"].as_array_mut().unwrap() {
            region
                .as_object_mut()
                .unwrap()
                .remove("ebs_encryption_by_default");
        }
    }
    let snapshot =
        Snapshot::from_json(&json.to_string(), "old.json").unwrap_or_else(|e| panic!("{e}"));
    let rules = RuleSet::builtin().unwrap();
    let report = engine::evaluate(&rules, &snapshot, &Default::default());
    let of_rule: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule_id == "ebs-default-encryption")
        .collect();
    assert!(!of_rule.is_empty());
    for f in of_rule {
        assert_eq!(f.status, Status::Error, "{}", f.message);
        assert!(
            f.message.contains("snapshot schema 1.3") || f.message.contains("not reached"),
            "{}",
            f.message
        );
    }
    // The regional facts of 1.2 are judged as before.
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule_id == "securityhub-enabled" && f.status != Status::Error));
}

#[test]
fn a_newer_minor_version_is_refused() {
    let text = std::fs::read_to_string("fixtures/demo-org.json")
        .unwrap()
        .replacen(
            "\"schema_version\": \"1.3\"",
            "\"schema_version\": \"1.9\"",
            1,
        );
    let err = Snapshot::from_json(&text, "new.json")
        .unwrap_err()
        .to_string();
    assert!(err.contains("schema version 1.9 is not supported"), "{err}");
}

#[test]
fn unknown_fields_are_errors_with_their_position() {
    let text = std::fs::read_to_string("fixtures/demo-org.json")
        .unwrap()
        .replacen(
            "\"is_management\": true",
            "\"is_management\": true, \"is_mangement\": false",
            1,
        );
    let err = Snapshot::from_json(&text, "typo.json")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `is_mangement`"), "{err}");
    assert!(err.starts_with("typo.json:"), "{err}");
}

#[test]
fn an_unknown_account_status_is_an_error() {
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("fixtures/demo-org.json").unwrap()).unwrap();
    json["accounts"][1]["status"] = "active".into();
    let text = json.to_string();
    let err = Snapshot::from_json(&text, "s.json")
        .unwrap_err()
        .to_string();
    assert!(err.contains("status `active`"), "{err}");
}

#[test]
fn collected_at_must_carry_an_offset() {
    let text = std::fs::read_to_string("fixtures/demo-org.json")
        .unwrap()
        .replacen(
            "\"collected_at\": \"2026-11-20T09:00:00Z\"",
            "\"collected_at\": \"2026-11-20 09:00\"",
            1,
        );
    let err = Snapshot::from_json(&text, "s.json")
        .unwrap_err()
        .to_string();
    assert!(err.contains("collected_at"), "{err}");
}

#[test]
fn a_schema_version_that_is_not_a_string_is_named() {
    let err = Snapshot::from_json(r#"{"schema_version": 1}"#, "s.json")
        .unwrap_err()
        .to_string();
    assert!(err.contains("must be a string"), "{err}");
    assert!(!err.contains("missing"), "{err}");
}
