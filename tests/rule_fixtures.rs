//! Every rule against its fixtures: `fixtures/rules/<rule-id>.yaml` holds the
//! cases (merge patches over `fixtures/rules/base.json`, optional `params`
//! as a config file sets them) with the statuses expected; the findings are also checked by insta snapshots.
//!
//! One test per rule (`cargo test --test rule_fixtures -- root-mfa-enabled`),
//! so that one rule's failure does not hide another's: the harness is
//! libtest-mimic, since the list of rules is known only at run time.

use std::collections::BTreeMap;
use std::path::Path;

use libtest_mimic::{Arguments, Failed, Trial};
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

fn base() -> Value {
    serde_json::from_str(&std::fs::read_to_string("fixtures/rules/base.json").unwrap()).unwrap()
}

/// Runs one rule's fixture file; returns the findings per case and every
/// case whose findings differ from its `expect`.
fn run_fixture(rules: &RuleSet, id: &str) -> (BTreeMap<String, Vec<Finding>>, Vec<String>) {
    let path = format!("fixtures/rules/{id}.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let file: FixtureFile = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let rule = rules
        .get(id)
        .unwrap_or_else(|| panic!("{path}: no rule `{id}`"));
    let mut out = BTreeMap::new();
    let mut mismatches = Vec::new();
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
            mismatches.push(format!(
                "{path}: case `{name}`: expected {:?}, got {statuses:?}: {:#?}",
                case.expect,
                findings.iter().map(|f| &f.message).collect::<Vec<_>>()
            ));
        }
        out.insert(name, findings);
    }
    (out, mismatches)
}

/// One rule against its fixture file: every case as expected, the statuses
/// the rule must be able to give all given, and the findings as recorded.
fn check_rule(id: &str) -> Result<(), Failed> {
    let rules = RuleSet::builtin().map_err(|e| e.to_string())?;
    let rule = rules.get(id).ok_or_else(|| format!("no rule `{id}`"))?;
    let (cases, mismatches) = run_fixture(&rules, id);
    if !mismatches.is_empty() {
        return Err(mismatches.join("\n\n").into());
    }
    let seen: Vec<Status> = cases.values().flatten().map(|f| f.status).collect();
    let needed: &[Status] = if rule.info.manual {
        &[Status::Manual]
    } else {
        &[Status::Pass, Status::Fail, Status::Error]
    };
    for s in needed {
        if !seen.contains(s) {
            return Err(format!("rule `{id}`: no fixture case gives {s}").into());
        }
    }
    insta::with_settings!({snapshot_suffix => id.to_string(), prepend_module_to_snapshot => false}, {
        insta::assert_yaml_snapshot!("rule", cases);
    });
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args = Arguments::from_args();
    let rules = RuleSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    let mut trials = Vec::new();
    let mut missing = Vec::new();
    for rule in &rules.rules {
        let id = rule.info.id.clone();
        if !Path::new(&format!("fixtures/rules/{id}.yaml")).exists() {
            missing.push(id);
            continue;
        }
        trials.push(Trial::test(id.clone(), move || check_rule(&id)));
    }
    trials.push(Trial::test("every_rule_has_a_fixture_file", move || {
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("rules without fixtures in fixtures/rules/: {missing:?}").into())
        }
    }));
    libtest_mimic::run(&args, trials).exit_code()
}
