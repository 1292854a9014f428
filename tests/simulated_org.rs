//! The large-organization simulator (tests/support/simulator), kept honest:
//! a 20-account organization scanned through it with the real SDK answers
//! every operation the scan calls (none unknown, no section in error but
//! those the organization is made to fail), loses no account, and gives the
//! findings its generator says it should. Under random throttling the same
//! scan gives the same findings. The benchmarks (`scripts/bench-scan.sh
//! simulated`) rely on all of this.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use orgaudit::collect::{self, NoProgress, OperationRecorder, ScanOptions};
use orgaudit::findings::{Finding, Status};
use orgaudit::rules::{engine, RuleSet};
use orgaudit::snapshot::Snapshot;
use support::simulator::{self, Limits, Simulator};

const ACCOUNTS: usize = 20;

fn options(sim: &Simulator, recorder: &OperationRecorder, max_attempts: u32) -> ScanOptions {
    ScanOptions {
        regions: Some(vec!["us-east-1".into(), "eu-west-1".into()]),
        endpoint_url: Some(sim.endpoint()),
        max_attempts,
        initial_backoff: Duration::from_millis(2),
        credential_report_poll: Duration::from_millis(10),
        recorder: Some(recorder.clone()),
        ..ScanOptions::default()
    }
}

fn evaluate(snapshot: &Snapshot) -> Vec<Finding> {
    let rules = RuleSet::builtin().expect("builtin rules");
    engine::evaluate(&rules, snapshot, &Default::default()).findings
}

/// Sections in error, by JSON path.
fn errors(snapshot: &Snapshot) -> Vec<String> {
    fn walk(v: &serde_json::Value, path: String, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                if map.get("status").and_then(|s| s.as_str()) == Some("error") {
                    out.push(format!("{path}: {}", map["error"]));
                }
                for (k, v) in map {
                    walk(v, format!("{path}.{k}"), out);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, format!("{path}[{i}]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(
        &serde_json::to_value(snapshot).unwrap(),
        String::new(),
        &mut out,
    );
    out
}

/// The status of `rule` for every account it judged: the finding's
/// account, or for an organization rule the account its resource is.
fn statuses(findings: &[Finding], rule: &str) -> BTreeMap<String, Status> {
    findings
        .iter()
        .filter(|f| f.rule_id == rule)
        .map(|f| {
            let account = match &f.resource_arn {
                Some(arn) if arn.contains(":account/") => arn.rsplit('/').next().unwrap(),
                _ => f.account_id.as_str(),
            };
            (account.to_string(), f.status)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_simulated_organization_is_scanned_completely() {
    support::seed::use_test_environment();
    let mut config = simulator::Config::new(ACCOUNTS);
    config.latency = Duration::from_millis(2);
    config.limits = Some(Limits::aws_like());
    let sim = Simulator::start(config);
    let org = sim.org().clone();
    let recorder = OperationRecorder::new();
    let snapshot = collect::scan(&options(&sim, &recorder, 3), &NoProgress)
        .await
        .expect("scan of the simulated organization");
    let stats = sim.stats();
    assert!(stats.unknown.is_empty(), "unknown: {:?}", stats.unknown);
    assert_eq!(stats.throttled(), 0, "{stats:?}");

    // Every account, each as the generator made it.
    assert_eq!(snapshot.accounts.len(), ACCOUNTS);
    for (i, a) in snapshot.accounts.iter().enumerate() {
        assert_eq!(a.id, org.id(i));
        let expected = if org.suspended(i) {
            "SUSPENDED"
        } else {
            "ACTIVE"
        };
        assert_eq!(a.status, expected, "{}", a.id);
        assert_eq!(
            a.access.data().is_some(),
            !org.suspended(i) && org.has_role(i),
            "{}",
            a.id
        );
    }
    let unreachable: Vec<usize> = (0..ACCOUNTS)
        .filter(|&i| !org.suspended(i) && !org.has_role(i))
        .collect();
    assert_eq!(
        unreachable.len(),
        1,
        "the organization has an unreachable account"
    );
    // The only errors: the unreachable account's role.
    let errs = errors(&snapshot);
    let expected: Vec<String> = unreachable
        .iter()
        .map(|&i| format!(".accounts[{i}].access"))
        .collect();
    assert_eq!(
        errs.iter()
            .map(|e| e.split(':').next().unwrap().to_string())
            .collect::<Vec<_>>(),
        expected,
        "{errs:#?}"
    );
    // One AssumeRole per reachable member (and the unreachable one), and
    // one for the reads in the delegated administrator of GuardDuty and of
    // Access Analyzer (both the audit account, reached once for both): the
    // organization-wide security services are read apart from the accounts.
    let ops = recorder.operations();
    let members = (1..ACCOUNTS).filter(|&i| !org.suspended(i)).count() as u64;
    assert_eq!(ops["sts:AssumeRole"], members + 1, "{ops:?}");

    let findings = evaluate(&snapshot);
    // No rule could not be evaluated, but in the accounts that cannot be read.
    let not_evaluated: Vec<String> = findings
        .iter()
        .filter(|f| f.status == Status::Error)
        .filter(|f| {
            let i = org.index(&f.account_id).unwrap();
            org.has_role(i) && !org.suspended(i)
        })
        .map(|f| format!("{} {}: {}", f.rule_id, f.account_id, f.message))
        .collect();
    assert!(not_evaluated.is_empty(), "{not_evaluated:#?}");
    let judged = |i: usize| org.has_role(i) && !org.suspended(i);
    let alias = statuses(&findings, "account-alias-set");
    let policy = statuses(&findings, "password-policy-strong");
    let security = statuses(&findings, "alternate-contact-security");
    for i in (0..ACCOUNTS).filter(|&i| judged(i)) {
        let id = org.id(i);
        let want = |ok: bool| if ok { Status::Pass } else { Status::Fail };
        assert_eq!(alias[&id], want(org.alias(i).is_some()), "alias of {id}");
        assert_eq!(
            policy[&id],
            want(org.password_policy(i) == Some(true)),
            "password policy of {id}"
        );
        assert_eq!(
            security[&id],
            want(org.contact(i, "SECURITY").is_some()),
            "security contact of {id}"
        );
    }
    // EBS encryption by default, per region, as generated.
    let ebs: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule_id == "ebs-default-encryption")
        .filter(|f| judged(org.index(&f.account_id).unwrap()))
        .collect();
    assert_eq!(ebs.len(), (0..ACCOUNTS).filter(|&i| judged(i)).count() * 2);
    for f in ebs {
        let i = org.index(&f.account_id).unwrap();
        let region = f.region.as_deref().unwrap();
        let want = if org.ebs_encryption_by_default(i, region) {
            Status::Pass
        } else {
            Status::Fail
        };
        assert_eq!(
            f.status, want,
            "EBS encryption of {} in {region}",
            f.account_id
        );
    }
    for i in unreachable {
        assert_eq!(
            statuses(&findings, "org-access-role-assumable")[&org.id(i)],
            Status::Fail
        );
    }
    // The organization-wide facts: the guardrail misses Sandbox.
    let guardrail = statuses(&findings, "scp-guardrail-every-ou");
    for i in 0..ACCOUNTS {
        let sandbox = org.parent(i) == "ou-sim0-sandbox";
        if sandbox {
            assert_eq!(guardrail[&org.id(i)], Status::Fail, "{}", org.id(i));
        }
    }
}

/// 30 % of all requests throttled at random: the scan retries through it
/// (a throttled call gets three times `max_attempts`) and concludes exactly
/// as without throttling.
#[tokio::test(flavor = "multi_thread")]
async fn random_throttling_changes_no_finding() {
    support::seed::use_test_environment();
    let clean = Simulator::start(simulator::Config::new(ACCOUNTS));
    let recorder = OperationRecorder::new();
    let clean_snapshot = collect::scan(&options(&clean, &recorder, 3), &NoProgress)
        .await
        .unwrap();

    let mut config = simulator::Config::new(ACCOUNTS);
    config.throttle_probability = 0.3;
    let throttled = Simulator::start(config);
    let recorder = OperationRecorder::new();
    let snapshot = collect::scan(&options(&throttled, &recorder, 3), &NoProgress)
        .await
        .unwrap();
    let stats = throttled.stats();
    let share = stats.throttled() as f64 / stats.total_requests() as f64;
    assert!((0.2..0.4).contains(&share), "{stats:?}");

    let key = |f: &Finding| {
        (
            f.rule_id.clone(),
            f.account_id.clone(),
            f.region.clone(),
            f.resource_arn.clone(),
            f.status,
            f.message.clone(),
        )
    };
    let a: Vec<_> = evaluate(&clean_snapshot).iter().map(key).collect();
    let b: Vec<_> = evaluate(&snapshot).iter().map(key).collect();
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y);
    }
}

/// Throttling heavy enough to drain the SDK's shared retry quota (a token
/// bucket per service for the whole process, 5 tokens a retry): 60 % of
/// all requests throttled. With a quota per client in which throttling
/// retries cost nothing, every call still gets through within its attempts
/// (30 for throttling with `max_attempts` 10: 0.6³⁰ ≈ 2·10⁻⁷ a call), and the
/// snapshot has exactly the clean scan's errors (the unreachable account's).
#[tokio::test(flavor = "multi_thread")]
async fn heavy_throttling_does_not_run_out_of_retries() {
    support::seed::use_test_environment();
    let clean = Simulator::start(simulator::Config::new(ACCOUNTS));
    let recorder = OperationRecorder::new();
    let clean_snapshot = collect::scan(&options(&clean, &recorder, 10), &NoProgress)
        .await
        .unwrap();

    let mut config = simulator::Config::new(ACCOUNTS);
    config.throttle_probability = 0.6;
    let throttled = Simulator::start(config);
    let recorder = OperationRecorder::new();
    let snapshot = collect::scan(&options(&throttled, &recorder, 10), &NoProgress)
        .await
        .unwrap();
    let stats = throttled.stats();
    assert!(stats.throttled() > 500, "{stats:?}");
    assert_eq!(errors(&snapshot), errors(&clean_snapshot), "{stats:?}");
}
