//! Every rule against its fixtures: `fixtures/rules/<rule-id>.yaml` holds the
//! cases (merge patches over `fixtures/rules/base.json`, optional `params`
//! as a config file sets them) with the statuses expected; the findings are also checked by insta snapshots.

use std::collections::BTreeMap;
use std::path::Path;

use orgaudit::findings::{Finding, Scope, Status};
use orgaudit::rules::{engine, RuleSet};
use orgaudit::snapshot::Snapshot;
use serde_json::Value;

fn merge_patch(target: &mut Value, patch: &Value) {
    if let Value::Object(p) = patch {
        if !target.is_object() {
            *target = Value::Object(Default::default());
        }
        let t = target.as_object_mut().unwrap();
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    } else {
        *target = patch.clone();
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureFile {
    cases: BTreeMap<String, Case>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    #[serde(default)]
    org: Option<Value>,
    #[serde(default)]
    mgmt: Option<Value>,
    #[serde(default)]
    account: Option<Value>,
    /// Parameter values, as a user's config file would set them.
    #[serde(default)]
    params: BTreeMap<String, Value>,
    /// `mgmt` or `account`: whose findings `expect` describes.
    #[serde(default)]
    target: Option<String>,
    expect: Vec<Status>,
}

/// Every case whose findings differ from its `expect`, reported together.
static MISMATCHES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn base() -> Value {
    serde_json::from_str(&std::fs::read_to_string("fixtures/rules/base.json").unwrap()).unwrap()
}

/// Runs one rule's fixture file; returns the findings per case.
fn run_fixture(rules: &RuleSet, id: &str) -> BTreeMap<String, Vec<Finding>> {
    let path = format!("fixtures/rules/{id}.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let file: FixtureFile = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let rule = rules
        .get(id)
        .unwrap_or_else(|| panic!("{path}: no rule `{id}`"));
    let mut out = BTreeMap::new();
    for (name, case) in file.cases {
        let mut snap = base();
        if let Some(p) = &case.org {
            merge_patch(&mut snap, p);
        }
        if let Some(p) = &case.mgmt {
            merge_patch(&mut snap["accounts"][0], p);
        }
        if let Some(p) = &case.account {
            merge_patch(&mut snap["accounts"][1], p);
        }
        let snapshot = Snapshot::from_json(&snap.to_string(), &format!("{path} case {name}"))
            .unwrap_or_else(|e| panic!("{e}"));
        for param in case.params.keys() {
            assert!(
                rule.params.contains_key(param),
                "{path}: case `{name}`: rule `{id}` has no param `{param}`"
            );
        }
        let report = engine::evaluate(rules, &snapshot, &case.params);
        let target_default = match rule.info.scope {
            Scope::Account => "account",
            Scope::Mgmt | Scope::Org => "mgmt",
        };
        let target = case.target.as_deref().unwrap_or(target_default);
        let target_id = if target == "mgmt" {
            &snapshot.accounts[0].id
        } else {
            &snapshot.accounts[1].id
        };
        let findings: Vec<Finding> = report
            .findings
            .into_iter()
            .filter(|f| f.rule_id == id && &f.account_id == target_id)
            .collect();
        let statuses: Vec<Status> = findings.iter().map(|f| f.status).collect();
        if statuses != case.expect {
            MISMATCHES.lock().unwrap().push(format!(
                "{path}: case `{name}`: expected {:?}, got {statuses:?}: {:#?}",
                case.expect,
                findings.iter().map(|f| &f.message).collect::<Vec<_>>()
            ));
        }
        out.insert(name, findings);
    }
    out
}

#[test]
fn every_rule_passes_fails_and_errors_on_its_fixtures() {
    let rules = RuleSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    let mut missing = Vec::new();
    for rule in &rules.rules {
        let id = &rule.info.id;
        if !Path::new(&format!("fixtures/rules/{id}.yaml")).exists() {
            missing.push(id.clone());
            continue;
        }
        let cases = run_fixture(&rules, id);
        let seen: Vec<Status> = cases.values().flatten().map(|f| f.status).collect();
        let needed: &[Status] = if rule.info.manual {
            &[Status::Manual]
        } else {
            &[Status::Pass, Status::Fail, Status::Error]
        };
        for s in needed {
            assert!(seen.contains(s), "rule `{id}`: no fixture case gives {s}");
        }
        if !MISMATCHES.lock().unwrap().is_empty() {
            continue;
        }
        insta::with_settings!({snapshot_suffix => id.clone(), prepend_module_to_snapshot => false}, {
            insta::assert_yaml_snapshot!("rule", cases);
        });
    }
    let mismatches = MISMATCHES.lock().unwrap();
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
    assert!(
        missing.is_empty(),
        "rules without fixtures in fixtures/rules/: {missing:?}"
    );
}
