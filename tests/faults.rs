//! Fault injection: scans of a seeded organization in moto through the
//! fault-injecting proxy (`support/proxy.rs`), each compared with what the
//! same moto answers without faults. Every test asserts findings: faults may
//! slow a scan or make it report ERROR where a call really failed, never lose
//! an account, hang, or turn into a PASS.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use orgaudit::collect::{self, NoProgress, ScanOptions};
use orgaudit::findings::{Finding, Status};
use orgaudit::rules::{engine, RuleSet};
use orgaudit::snapshot::Snapshot;
use serde_json::Value;
use support::moto::Moto;
use support::proxy::{Fault, Proxy, Rule};
use support::rules::reads;
use support::seed;

use support::cli::MGMT_KEY;

fn options(endpoint: String, max_attempts: u32, timeout: Duration) -> ScanOptions {
    ScanOptions {
        regions: Some(vec!["us-east-1".into(), "eu-west-1".into()]),
        endpoint_url: Some(endpoint),
        max_attempts,
        initial_backoff: Duration::from_millis(5),
        credential_report_poll: Duration::from_millis(10),
        timeout,
        ..ScanOptions::default()
    }
}

/// A scan of `endpoint` (moto, or the proxy in front of it); `what` names
/// the scan if it fails.
async fn scan(endpoint: String, max_attempts: u32, timeout: Duration, what: &str) -> Snapshot {
    collect::scan(&options(endpoint, max_attempts, timeout), &NoProgress)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn proxy(moto: &Moto, seed: u64, rules: Vec<Rule>) -> Proxy {
    Proxy::start(moto.port, seed, &[(MGMT_KEY, seed::MGMT)], rules)
}

fn evaluate(snapshot: &Snapshot) -> Vec<Finding> {
    let rules = RuleSet::builtin().expect("builtin rules");
    engine::evaluate(&rules, snapshot, &Default::default()).findings
}

/// A finding without its message: what a rule concluded, where.
fn key(f: &Finding) -> (String, String, Option<String>, Option<String>, Status) {
    (
        f.rule_id.clone(),
        f.account_id.clone(),
        f.region.clone(),
        f.resource_arn.clone(),
        f.status,
    )
}

/// Every section of a snapshot (`{"status": …}` objects) by JSON path: its
/// status, and for errors the operation (not the code: an operation moto does
/// not implement fails with the code of its last attempt, which may be an
/// injected one).
fn sections(snapshot: &Snapshot) -> BTreeMap<String, String> {
    fn walk(v: &Value, path: String, out: &mut BTreeMap<String, String>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(status)) = map.get("status") {
                    if map.contains_key("data")
                        || map.contains_key("error")
                        || map.contains_key("reason")
                    {
                        let mut s = status.clone();
                        if let Some(e) = map.get("error") {
                            s = format!("{s} {}", e["operation"]);
                        }
                        out.insert(path.clone(), s);
                    }
                }
                for (k, v) in map {
                    walk(v, format!("{path}.{k}"), out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, format!("{path}[{i}]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    walk(
        &serde_json::to_value(snapshot).unwrap(),
        String::new(),
        &mut out,
    );
    out
}

fn account_json(snapshot: &Snapshot) -> Value {
    let mut v = serde_json::to_value(&snapshot.accounts).unwrap();
    // moto stamps these with the time of the call.
    scrub(&mut v, &["generated_time", "latest_delivery_time"]);
    error_operations(&mut v);
    v
}

/// Errors by operation only (see [`sections`]).
fn error_operations(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(e) = map.get_mut("error") {
                *e = e["operation"].clone();
            }
            map.values_mut().for_each(error_operations);
        }
        Value::Array(items) => items.iter_mut().for_each(error_operations),
        _ => {}
    }
}

/// A snapshot part as JSON, errors by operation only.
fn json<T: serde::Serialize>(part: &T) -> Value {
    let mut v = serde_json::to_value(part).unwrap();
    error_operations(&mut v);
    v
}

/// The JSON paths where `a` and `b` differ, with both values.
fn differences(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let null = Value::Null;
                let (va, vb) = (x.get(k).unwrap_or(&null), y.get(k).unwrap_or(&null));
                differences(va, vb, &format!("{path}.{k}"), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                differences(va, vb, &format!("{path}[{i}]"), out);
            }
        }
        _ if a != b => out.push(format!("{path}: {a} != {b}")),
        _ => {}
    }
}

fn assert_same(what: &str, a: &Value, b: &Value) {
    let mut out = Vec::new();
    differences(a, b, "", &mut out);
    assert!(out.is_empty(), "{what} differ:\n{}", out.join("\n"));
}

fn scrub(v: &mut Value, keys: &[&str]) {
    match v {
        Value::Object(map) => {
            for k in keys {
                map.remove(*k);
            }
            for v in map.values_mut() {
                scrub(v, keys);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| scrub(v, keys)),
        _ => {}
    }
}

/// 30 % of all calls throttled and 5 % answered 5xx: the scan completes, and
/// its facts and evaluated findings are exactly the clean scan's. (This test
/// is why the scanner uses the SDK's standard retry mode: adaptive mode's
/// process-wide rate limiter made the same scan take ~200 s instead of ~30 s.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_and_server_errors_change_nothing() {
    throttled_scan_equals_clean_scan(0).await;
}

/// The same on a 20-account organization (the scenario's 6 and 14 bulk
/// members, 19 active).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow (40-70 s in a debug build, mostly seeding): cargo test --test faults -- --ignored"]
async fn throttling_and_server_errors_change_nothing_in_20_accounts() {
    throttled_scan_equals_clean_scan(14).await;
}

async fn throttled_scan_equals_clean_scan(bulk: usize) {
    seed::use_test_environment();
    let Some(moto) = Moto::start() else { return };
    let org = seed::scenario(&moto.endpoint()).await;
    if bulk > 0 {
        seed::bulk_members(&moto.endpoint(), &org.root_id, bulk).await;
    }

    let started = Instant::now();
    let clean = scan(moto.endpoint(), 2, Duration::from_secs(20), "clean scan").await;
    let clean_time = started.elapsed();
    assert_eq!(clean.accounts.len(), 6 + bulk);

    let proxy = proxy(
        &moto,
        7,
        vec![
            // Certain: the first three role assumptions fail with 500. The
            // rest is drawn from a hash that includes moto's random account
            // ids, so how many of the 5 % fire varies from run to run.
            Rule::new(Fault::ServerError(500))
                .on("sts:AssumeRole")
                .times(3),
            Rule::new(Fault::Throttle).probability(0.30),
            Rule::new(Fault::ServerError(503)).probability(0.05),
        ],
    );
    let started = Instant::now();
    let faulty = scan(
        proxy.endpoint(),
        10,
        Duration::from_secs(20),
        "scan through throttling and 5xx",
    )
    .await;
    let faulty_time = started.elapsed();
    let stats = proxy.stats();
    eprintln!(
        "{} accounts: clean {clean_time:?}, faulty {faulty_time:?}: {} requests, {:?} injected",
        clean.accounts.len(),
        stats.total_requests(),
        stats.injected
    );
    // About 30 % and 5 % of the requests (retries included).
    let total = stats.total_requests() as f64;
    let throttled = stats.injected("throttle") as f64;
    let failed = stats.injected("5xx") as f64;
    assert!(
        throttled >= 50.0 && (0.2..0.4).contains(&(throttled / total)),
        "{stats:?}"
    );
    assert!(failed >= 3.0, "{stats:?}");
    // Every active account was reached through the proxy.
    let active = clean
        .accounts
        .iter()
        .filter(|a| a.status == "ACTIVE")
        .count();
    assert_eq!(proxy.known_accounts().len(), active, "{stats:?}");

    assert_same_scan(&faulty, &clean);
}

/// Two scans of the same moto agree: the same accounts, section statuses,
/// facts and findings (every rule's conclusion, and every message of the
/// evaluated ones: ERROR messages carry the last attempt's error).
fn assert_same_scan(faulty: &Snapshot, clean: &Snapshot) {
    assert_eq!(faulty.accounts.len(), clean.accounts.len());
    assert_eq!(sections(faulty), sections(clean));
    assert_same("accounts", &account_json(faulty), &account_json(clean));
    assert_same(
        "organization",
        &json(&faulty.organization),
        &json(&clean.organization),
    );
    assert_same(
        "identity center",
        &json(&faulty.identity_center),
        &json(&clean.identity_center),
    );

    let (clean_f, faulty_f) = (evaluate(clean), evaluate(faulty));
    assert!(clean_f.iter().any(|f| f.status == Status::Fail));
    assert!(clean_f.iter().any(|f| f.status == Status::Pass));
    let keys = |fs: &[Finding]| fs.iter().map(key).collect::<Vec<_>>();
    assert_eq!(keys(&faulty_f), keys(&clean_f));
    for (a, b) in faulty_f.iter().zip(&clean_f) {
        if a.status != Status::Error {
            assert_eq!(a.message, b.message, "{}", a.rule_id);
        }
    }
}

/// Every CloudTrail call of one member account denied: its `cloudtrail`
/// section is an AccessDenied error, exactly the rules that read CloudTrail
/// are ERROR in that account, and every other finding is the clean scan's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_denied_on_one_service_in_one_account() {
    seed::use_test_environment();
    let Some(moto) = Moto::start() else { return };
    let org = seed::scenario(&moto.endpoint()).await;
    let victim = org.prod.id.clone();
    let clean = scan(moto.endpoint(), 2, Duration::from_secs(20), "clean scan").await;
    let proxy = proxy(
        &moto,
        1,
        vec![Rule::new(Fault::AccessDenied)
            .on("cloudtrail:*")
            .in_account(&victim)],
    );
    let denied = scan(proxy.endpoint(), 2, Duration::from_secs(20), "scan").await;
    assert!(proxy.stats().injected("access_denied") >= 1);

    let account = denied.accounts.iter().find(|a| a.id == victim).unwrap();
    match &account.cloudtrail {
        orgaudit::snapshot::Section::Error { error } => {
            assert!(error.operation.starts_with("cloudtrail:"), "{error:?}");
            assert!(error.code.starts_with("AccessDenied"), "{error:?}");
        }
        other => panic!("cloudtrail of the denied account: {other:?}"),
    }

    let rules = RuleSet::builtin().unwrap();
    let cloudtrail_rules: Vec<&str> = rules
        .rules
        .iter()
        .filter(|r| reads(r, "cloudtrail"))
        .map(|r| r.info.id.as_str())
        .collect();
    assert!(!cloudtrail_rules.is_empty());
    let (clean_f, denied_f) = (evaluate(&clean), evaluate(&denied));
    assert_eq!(clean_f.len(), denied_f.len());
    let mut now_error = 0;
    for (d, c) in denied_f.iter().zip(&clean_f) {
        assert_eq!(
            (&d.rule_id, &d.account_id, &d.region, &d.resource_arn),
            (&c.rule_id, &c.account_id, &c.region, &c.resource_arn)
        );
        if d.account_id == victim && cloudtrail_rules.contains(&d.rule_id.as_str()) {
            if d.rule_id == "cloudtrail-multi-region-logging" && d.status != Status::Error {
                // The management account's organization trail covers the
                // member whatever its own trails are: the denied section did
                // not decide this one. Never a PASS the clean scan lacks.
                assert_eq!((d.status, c.status), (Status::Pass, Status::Pass), "{d:?}");
                continue;
            }
            assert_eq!(d.status, Status::Error, "{d:?}");
            assert!(d.message.contains("AccessDenied"), "{d:?}");
            if c.status != Status::Error {
                now_error += 1;
            }
        } else {
            assert_eq!(d.status, c.status, "{d:?} vs {c:?}");
            if d.status != Status::Error {
                assert_eq!(d.message, c.message);
            }
        }
    }
    assert!(
        now_error >= 1,
        "some CloudTrail rule was evaluated in the clean scan"
    );
}

/// One answer that never ends, in one account, well into the scan: the body
/// cap stops that call alone. Its section is an error naming the call and the
/// cap, the rule that reads it is ERROR saying so, and the rest of the scan
/// (the same account's other sections, the other accounts) is intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_answer_to_one_call_is_an_error_of_that_call() {
    seed::use_test_environment();
    let Some(moto) = Moto::start() else { return };
    let org = seed::scenario(&moto.endpoint()).await;
    let victim = org.prod.id.clone();
    let proxy = proxy(
        &moto,
        1,
        vec![Rule::new(Fault::EndlessBody)
            .on("iam:GetAccountPasswordPolicy")
            .in_account(&victim)],
    );
    let snapshot = scan(proxy.endpoint(), 1, Duration::from_secs(60), "scan").await;
    assert!(proxy.stats().injected("endless_body") >= 1);

    let account = snapshot.accounts.iter().find(|a| a.id == victim).unwrap();
    match &account.iam.password_policy {
        orgaudit::snapshot::Section::Error { error } => {
            assert_eq!(error.operation, "iam:GetAccountPasswordPolicy", "{error:?}");
            // The cap, not the 60 s timeout, ended the call.
            assert_eq!(error.code, "ResponseTooLarge", "{error:?}");
            assert!(error.message.contains("larger than 64 MiB"), "{error:?}");
        }
        other => panic!("password policy of the victim: {other:?}"),
    }
    assert!(
        matches!(account.iam.summary, orgaudit::snapshot::Section::Ok { .. }),
        "the account's other IAM calls were answered"
    );
    for other in snapshot.accounts.iter().filter(|a| a.id != victim) {
        assert!(
            !matches!(
                other.iam.password_policy,
                orgaudit::snapshot::Section::Error { .. }
            ),
            "{}",
            other.id
        );
    }
    let findings = evaluate(&snapshot);
    let judged: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule_id == "password-policy-strong" && f.account_id == victim)
        .collect();
    assert!(!judged.is_empty());
    for f in judged {
        assert_eq!(f.status, Status::Error, "{f:?}");
        assert!(f.message.contains("iam:GetAccountPasswordPolicy"), "{f:?}");
        assert!(f.message.contains("ResponseTooLarge"), "{f:?}");
    }
}

/// One operation never answered: the per-attempt timeout bounds the scan,
/// the affected sections are Timeout errors (never ok), the rest is intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_responses_are_bounded_by_the_timeout() {
    seed::use_test_environment();
    let Some(moto) = Moto::start() else { return };
    let org = seed::scenario(&moto.endpoint()).await;
    let proxy = proxy(
        &moto,
        1,
        vec![Rule::new(Fault::Stall).on("account:GetAlternateContact")],
    );
    let started = Instant::now();
    let snapshot = scan(proxy.endpoint(), 2, Duration::from_secs(2), "scan").await;
    let took = started.elapsed();
    eprintln!("stalled scan took {took:?}");
    // 2 attempts × 2 s per call; generous for a loaded machine, far below a hang.
    assert!(took < Duration::from_secs(40), "{took:?}");
    assert!(proxy.stats().injected("stall") >= 1);

    let mut reached = 0;
    for account in &snapshot.accounts {
        if !account.access.is_ok() {
            continue;
        }
        reached += 1;
        match &account.alternate_contacts {
            orgaudit::snapshot::Section::Error { error } => {
                assert_eq!(error.operation, "account:GetAlternateContact");
                assert_eq!(error.code, "Timeout", "{error:?}");
            }
            other => panic!("alternate contacts of {}: {other:?}", account.id),
        }
        assert!(account.iam.users.is_ok() && account.cloudtrail.is_ok());
    }
    assert_eq!(reached, 5, "the management account and 4 active members");
    let findings = evaluate(&snapshot);
    for f in findings
        .iter()
        .filter(|f| f.rule_id.starts_with("alternate-contact-"))
    {
        if f.account_id != org.closed_id {
            assert_eq!(f.status, Status::Error, "{f:?}");
        }
    }
    assert!(findings.iter().any(|f| f.status == Status::Pass));
}

/// The `orgaudit` binary, with the test environment's management
/// credentials, against `endpoint`.
fn orgaudit(endpoint: &str) -> assert_cmd::Command {
    let mut c = support::cli::orgaudit_against(endpoint);
    c.args(["scan", "--regions", "us-east-1,eu-west-1", "--no-progress"])
        .args(["--max-attempts", "2", "--retry-backoff-ms", "10"]);
    c
}

/// The audit role of one member cannot be assumed (`sts:AssumeRole` denied
/// for that account): the account is still reported, with every automated
/// rule ERROR except `org-access-role-assumable`, which FAILs; every other
/// account and every organization-level finding is the clean scan's. The
/// exit code follows the README's precedence: 1 while failures remain (the
/// FAIL of the unreachable account is one of them), 3 when the only
/// failures are below `--fail-on` and the rest could not be evaluated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_whose_role_cannot_be_assumed_is_reported() {
    seed::use_test_environment();
    let Some(moto) = Moto::start() else { return };
    let org = seed::scenario(&moto.endpoint()).await;
    let victim = org.prod.id.clone();
    let clean = scan(moto.endpoint(), 2, Duration::from_secs(20), "clean scan").await;
    let proxy = proxy(
        &moto,
        1,
        vec![Rule::new(Fault::AccessDenied)
            .on("sts:AssumeRole")
            .in_account(&victim)],
    );
    let denied = scan(proxy.endpoint(), 2, Duration::from_secs(20), "scan").await;
    assert!(proxy.stats().injected("access_denied") >= 1);

    // The account is in the snapshot, its access an AssumeRole error and
    // every fact section not collected because of it.
    assert_eq!(denied.accounts.len(), clean.accounts.len());
    let account = denied.accounts.iter().find(|a| a.id == victim).unwrap();
    match &account.access {
        orgaudit::snapshot::Section::Error { error } => {
            assert_eq!(error.operation, "sts:AssumeRole", "{error:?}");
            assert!(error.code.starts_with("AccessDenied"), "{error:?}");
        }
        other => panic!("access of the unassumable account: {other:?}"),
    }
    let victim_sections: BTreeMap<String, String> = sections(&denied)
        .into_iter()
        .filter(|(path, _)| path.starts_with(&format!(".accounts[{}]", index(&denied, &victim))))
        .collect();
    assert!(victim_sections.len() > 10, "{victim_sections:?}");
    for (path, status) in &victim_sections {
        if !path.ends_with(".access") {
            assert_eq!(status, "not_collected", "{path}");
        }
    }
    // Every other account: the clean scan's facts.
    let others = |s: &Snapshot| {
        let mut v = account_json(s);
        v.as_array_mut()
            .unwrap()
            .retain(|a| a["id"].as_str() != Some(victim.as_str()));
        v
    };
    assert_same("other accounts", &others(&denied), &others(&clean));

    // Findings: the unreachable account's are ERROR (manual checklist items
    // aside) except the reachability rule, which FAILs; all others equal.
    let (clean_f, denied_f) = (evaluate(&clean), evaluate(&denied));
    let mine = |fs: &[Finding]| -> Vec<Finding> {
        fs.iter()
            .filter(|f| f.account_id == victim)
            .cloned()
            .collect()
    };
    let victim_f = mine(&denied_f);
    assert!(victim_f.len() >= 15, "{victim_f:?}");
    let mut errors = 0;
    for f in &victim_f {
        match (f.rule_id.as_str(), f.status) {
            ("org-access-role-assumable", status) => {
                assert_eq!(status, Status::Fail, "{f:?}");
                assert!(f.message.contains("could not be reached"), "{f:?}");
            }
            (_, Status::Manual) => {}
            (_, status) => {
                assert_eq!(status, Status::Error, "{f:?}");
                errors += 1;
            }
        }
    }
    assert!(errors >= 15, "{victim_f:?}");
    // It passed in the clean scan, and some rules of the account were evaluated there.
    let clean_victim = mine(&clean_f);
    assert!(clean_victim
        .iter()
        .any(|f| f.rule_id == "org-access-role-assumable" && f.status == Status::Pass));
    assert!(clean_victim
        .iter()
        .any(|f| f.status == Status::Fail && f.rule_id != "org-access-role-assumable"));
    let rest = |fs: &[Finding]| -> Vec<_> {
        fs.iter()
            .filter(|f| f.account_id != victim)
            .map(|f| {
                (
                    key(f),
                    (f.status != Status::Error).then(|| f.message.clone()),
                )
            })
            .collect()
    };
    assert_eq!(rest(&denied_f), rest(&clean_f));

    // The binary: the seeded organization has failing findings, and failures
    // win over incomplete (exit 1); the account is in the report.
    let out = orgaudit(&proxy.endpoint())
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reported: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["account_id"] == victim.as_str())
        .collect();
    assert_eq!(reported.len(), victim_f.len());
    assert!(reported
        .iter()
        .any(|f| f["rule_id"] == "org-access-role-assumable" && f["status"] == "FAIL"));
    // Only that account, gated on critical: its one (high) failure is below
    // the gate, everything else of it is ERROR: incomplete, exit 3.
    let out = orgaudit(&proxy.endpoint())
        .args(["--accounts", &victim, "--fail-on", "critical", "-f", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let failing: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "FAIL")
        .collect();
    assert!(
        failing.iter().all(|f| f["severity"] != "critical"),
        "{failing:?}"
    );
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let out = orgaudit(&proxy.endpoint())
        .args([
            "--accounts",
            &victim,
            "--fail-on",
            "critical",
            "--allow-incomplete",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

/// `--role-name A,B` tries A, then B, in each member account (moto lets
/// any role be assumed, so the proxy denies the roles that "do not exist"):
/// an account without A is reached through B, which is recorded for it and
/// passes `org-access-role-assumable`; an account where every role is denied
/// is unreachable, with each role's error, and FAILs the rule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_list_is_tried_in_order_and_the_role_that_worked_is_recorded() {
    seed::use_test_environment();
    let Some(moto) = Moto::start() else { return };
    let org = seed::scenario(&moto.endpoint()).await;
    let (tower, locked) = (org.prod.id.clone(), org.dev.id.clone());
    const ORG_ROLE: &str = "OrganizationAccountAccessRole";
    const TOWER_ROLE: &str = "AWSControlTowerExecution";
    let proxy = proxy(
        &moto,
        1,
        vec![
            // A Control Tower account: no OrganizationAccountAccessRole.
            Rule::new(Fault::AccessDenied)
                .on("sts:AssumeRole")
                .in_account(&tower)
                .role(ORG_ROLE),
            // An account neither role opens.
            Rule::new(Fault::AccessDenied)
                .on("sts:AssumeRole")
                .in_account(&locked),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("snapshot.json");
    let out = orgaudit(&proxy.endpoint())
        .args(["--role-name", &format!("{ORG_ROLE},{TOWER_ROLE}")])
        .args(["-f", "json", "--save-snapshot"])
        .arg(&saved)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let snapshot = Snapshot::load(&saved).unwrap();
    assert_eq!(snapshot.scan.role_names, [ORG_ROLE, TOWER_ROLE]);
    let access = |id: &str| &snapshot.accounts[index(&snapshot, id)].access;
    // The others: the first role.
    let shared = access(&org.shared.id).data().expect("shared reached");
    assert_eq!(shared.role_name.as_deref(), Some(ORG_ROLE));
    // The Control Tower account: the second, recorded.
    let t = access(&tower)
        .data()
        .expect("the Control Tower account reached");
    assert_eq!(t.role_name.as_deref(), Some(TOWER_ROLE));
    assert_eq!(
        t.role_arn.as_deref(),
        Some(format!("arn:aws:iam::{tower}:role/{TOWER_ROLE}").as_str())
    );
    assert!(snapshot.accounts[index(&snapshot, &tower)]
        .iam
        .users
        .is_ok());
    // The locked account: each role's error.
    match access(&locked) {
        orgaudit::snapshot::Section::Error { error } => {
            assert_eq!(error.operation, "sts:AssumeRole");
            assert!(
                error.message.contains(&format!("{ORG_ROLE}: AccessDenied"))
                    && error
                        .message
                        .contains(&format!("{TOWER_ROLE}: AccessDenied")),
                "{error:?}"
            );
        }
        other => panic!("access of the locked account: {other:?}"),
    }
    assert!(proxy.stats().in_account("sts:AssumeRole", &locked) >= 2);

    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reach = |id: &str| -> Value {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["account_id"] == id && f["rule_id"] == "org-access-role-assumable")
            .unwrap()
            .clone()
    };
    assert_eq!(reach(&tower)["status"], "PASS", "{}", reach(&tower));
    assert_eq!(reach(&org.shared.id)["status"], "PASS");
    let l = reach(&locked);
    assert_eq!(l["status"], "FAIL", "{l}");
    assert!(
        l["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{ORG_ROLE} or {TOWER_ROLE}")),
        "{l}"
    );
    // The account list in the report names why, for each role.
    let listed = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == locked.as_str())
        .unwrap();
    assert!(
        listed["unreachable"].as_str().unwrap().contains(TOWER_ROLE),
        "{listed}"
    );

    // Only the first role: the Control Tower account is unreachable, FAIL.
    let out = orgaudit(&proxy.endpoint())
        .args(["--accounts", &tower, "-f", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule_id"] == "org-access-role-assumable" && f["status"] == "FAIL"));

    // A role name IAM would not accept: exit 2 before any call.
    let out = orgaudit(&proxy.endpoint())
        .args(["--role-name", "Org Access"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an IAM role name"));
}

fn index(snapshot: &Snapshot, id: &str) -> usize {
    snapshot.accounts.iter().position(|a| a.id == id).unwrap()
}

/// Assumed-role sessions that expire during the scan are renewed: the proxy
/// makes every AssumeRole session last 11 s (and answers `ExpiredToken` to a
/// request signed with an expired key, as AWS does), and slows one member's
/// calls so that its scan outlives several sessions. AssumeRole is called
/// again for that account, no request is refused as expired, and the facts
/// and findings are the clean scan's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiring_sessions_are_renewed() {
    seed::use_test_environment();
    let Some(moto) = Moto::start() else { return };
    let org = seed::scenario(&moto.endpoint()).await;
    let slow = org.prod.id.clone();
    let clean = scan(moto.endpoint(), 2, Duration::from_secs(20), "clean scan").await;
    let proxy = proxy(
        &moto,
        1,
        vec![Rule::new(Fault::Delay(Duration::from_secs(3))).in_account(&slow)],
    );
    let lifetime = Duration::from_secs(11);
    proxy.set_session_lifetime(Some(lifetime));
    let started = Instant::now();
    let renewed = scan(proxy.endpoint(), 2, Duration::from_secs(20), "scan").await;
    let took = started.elapsed();
    let stats = proxy.stats();
    eprintln!(
        "scan took {took:?}; AssumeRole in the slow account: {}; {:?}",
        stats.in_account("sts:AssumeRole", &slow),
        stats.injected
    );
    // The slow account's scan outlived a session, and its role was assumed
    // again (the SDK's identity cache renews 10 s before expiry at the latest).
    assert!(stats.in_account("sts:AssumeRole", &slow) >= 2, "{stats:?}");
    assert_eq!(stats.injected("expired"), 0, "{stats:?}");
    assert!(took > lifetime + Duration::from_secs(2), "{took:?}");

    assert_eq!(sections(&renewed), sections(&clean));
    assert_same("accounts", &account_json(&renewed), &account_json(&clean));
    let (clean_f, renewed_f) = (evaluate(&clean), evaluate(&renewed));
    let keys = |fs: &[Finding]| fs.iter().map(key).collect::<Vec<_>>();
    assert_eq!(keys(&renewed_f), keys(&clean_f));
    assert!(renewed_f
        .iter()
        .any(|f| f.account_id == slow && f.status == Status::Fail));
}
