//! Least privilege, verified against moto's IAM enforcement.
//!
//! The seeded organization is scanned by a principal that holds exactly
//! `docs/iam-policy.json`: an IAM user in the management account, and
//! `OrganizationAccountAccessRole` in every member with the same policy
//! inline. Then each action of the policy is removed in turn and the scan
//! repeated: the rules that needed it must be ERROR, never PASS.
//!
//! What moto 5.2 enforces (read from `moto/core/authorization.py` and
//! `moto/iam/access_control.py`, and checked by
//! `the_policy_is_enough_and_moto_enforces_it`): once enforcement is on (the
//! server's `INITIAL_NO_AUTH_ACTION_COUNT`, switched at run time through
//! `/moto-api/reset-auth`, see `Moto::enforce_iam`), every request of a
//! service dispatched through moto's common response class — every one this
//! scanner calls that moto models: sts, organizations, iam, account,
//! cloudtrail, config, budgets, ce, sso-admin, s3control, guardduty,
//! securityhub — is checked *before* moto looks for the operation:
//! the signature against the key's secret, then the caller's identity
//! policies (an IAM user's inline, attached and group policies; an assumed
//! role's inline and attached policies). Denied operations that moto does not
//! implement are therefore still denied.
//!
//! What it does not enforce, or does differently from AWS:
//! - the action checked is `<signing name>:<Operation>`, so where AWS
//!   authorizes an operation with an action of another name moto needs the
//!   operation's own name: the budgets reads (`budgets:ViewBudget` on AWS,
//!   `budgets:DescribeBudgets`… in moto) and S3 Control's
//!   (`s3:GetAccountPublicAccessBlock` on AWS; moto checks
//!   `s3:GetPublicAccessBlock`, S3 Control signing as `s3`). [`moto_policy`]
//!   translates those, and only those, from the allowlist in
//!   `src/collect/permissions.rs`.
//!   moto's S3 is the exception: it checks the IAM action AWS uses
//!   (`s3:ListAllMyBuckets` for `ListBuckets`), which is kept as is;
//! - resource-level conditions other than ARN patterns, SCPs, permission
//!   boundaries and session policies are not evaluated;
//! - a role's trust policy is checked only when the role is in the caller's
//!   own account (not for cross-account AssumeRole);
//! - `sts:GetCallerIdentity` is always allowed (as on AWS).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use orgaudit::collect::permissions::ALLOWED_OPERATIONS;
use orgaudit::rules::RuleSet;
use serde_json::Value;
use support::moto::Moto;
use support::rules::reads;
use support::seed;

const ROLE: &str = "OrganizationAccountAccessRole";
const POLICY_NAME: &str = "orgaudit-audit";

/// Operations moto 5.2 does not implement (docs/scan.md, "Emulators"): their
/// sections are `ServiceError` errors whatever the policy.
const NOT_IN_MOTO: &[&str] = &[
    "iam:ListOrganizationsFeatures",
    "ce:GetAnomalyMonitors",
    "ce:GetAnomalySubscriptions",
    "budgets:DescribeSubscribersForNotification",
    "config:DescribeComplianceByConfigRule",
    "config:DescribeDeliveryChannelStatus",
    "guardduty:DescribeOrganizationConfiguration",
    "access-analyzer:ListAnalyzers",
];

/// Operations moto 5.2.5 cannot authorize under IAM enforcement: it answers
/// GETs of the GuardDuty and Security Hub REST APIs 403
/// `SignatureDoesNotMatch` even when correctly signed and allowed (seen with
/// boto3 against the test venv's moto: `list_detectors()` and
/// `describe_hub()` refused, `create_detector()` accepted, same key). Their
/// sections may be errors whatever the policy, so the removal of their
/// actions cannot be observed here: the collectors' handling of a denied
/// call is tested with aws-smithy-mocks (tests/collect_mocks.rs) and the
/// rules' ERROR on missing data by their fixtures.
const MOTO_REFUSES_SIGNATURE: &[&str] = &[
    "guardduty:ListDetectors",
    "guardduty:GetDetector",
    "guardduty:DescribeOrganizationConfiguration",
    "securityhub:DescribeHub",
];

/// The rules that read only what [`MOTO_REFUSES_SIGNATURE`] lists.
const MOTO_UNOBSERVABLE_RULES: &[&str] = &[
    "guardduty-enabled",
    "guardduty-delegated-admin",
    "securityhub-enabled",
];

/// The seeded organization, with the audit principal in place.
struct Lab {
    moto: Moto,
    members: Vec<seed::Seeded>,
    auditor_key: String,
    auditor_secret: String,
    dir: tempfile::TempDir,
}

/// One `orgaudit scan`.
struct Run {
    code: Option<i32>,
    stderr: String,
    /// The findings document (`None` when the scan stopped, exit 2).
    findings: Option<Value>,
    snapshot: Option<Value>,
}

/// The policy's actions: `docs/iam-policy.json` as committed.
fn documented_policy() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/iam-policy.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every action the documented policy grants (`sts:AssumeRole` included).
fn policy_actions() -> Vec<String> {
    let mut actions = Vec::new();
    for statement in documented_policy()["Statement"].as_array().unwrap() {
        match &statement["Action"] {
            Value::String(a) => actions.push(a.clone()),
            Value::Array(list) => {
                actions.extend(list.iter().map(|a| a.as_str().unwrap().to_string()))
            }
            other => panic!("unexpected Action {other}"),
        }
    }
    actions
}

/// IAM actions moto checks by their own name although the operation they
/// authorize has another (moto's S3 maps operations to IAM actions as AWS).
const MOTO_CHECKS_IAM_ACTION: &[&str] = &["s3:ListAllMyBuckets"];

/// The operations an IAM action authorizes, per the allowlist.
fn operations_of(action: &str) -> Vec<&'static str> {
    ALLOWED_OPERATIONS
        .iter()
        .filter(|a| a.iam_action == Some(action))
        .map(|a| a.operation)
        .collect()
}

/// The action moto checks for an operation: `<signing name>:<Operation>`.
/// S3 Control signs as `s3`.
fn moto_action(operation: &str) -> String {
    match operation.strip_prefix("s3control:") {
        Some(op) => format!("s3:{op}"),
        None => operation.to_string(),
    }
}

/// `docs/iam-policy.json` without `removed`, in moto's terms: an action
/// whose operations have other names (`budgets:ViewBudget`) becomes those
/// operations' names, since moto checks `service:Operation`. Nothing else
/// changes.
fn moto_policy(removed: Option<&str>) -> String {
    let mut policy = documented_policy();
    let statements = policy["Statement"].as_array_mut().unwrap();
    for statement in statements.iter_mut() {
        let actions: Vec<String> = match &statement["Action"] {
            Value::String(a) => vec![a.clone()],
            Value::Array(list) => list
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect(),
            _ => unreachable!(),
        };
        let mut translated = Vec::new();
        for action in actions.iter().filter(|a| Some(a.as_str()) != removed) {
            let ops = operations_of(action);
            assert!(!ops.is_empty(), "{action} authorizes no allowed operation");
            if ops.iter().all(|op| op == action)
                || MOTO_CHECKS_IAM_ACTION.contains(&action.as_str())
            {
                translated.push(action.clone());
            } else {
                translated.extend(ops.iter().map(|op| moto_action(op)));
            }
        }
        statement["Action"] = Value::from(translated);
    }
    statements.retain(|s| !s["Action"].as_array().unwrap().is_empty());
    serde_json::to_string(&policy).unwrap()
}

async fn iam(endpoint: &str, creds: aws_credential_types::Credentials) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&seed::config(endpoint, creds, "us-east-1").await)
}

impl Lab {
    /// moto with the seeded organization and an `auditor` user (no policy
    /// yet); IAM enforcement off.
    async fn start() -> Option<Lab> {
        seed::use_test_environment();
        let moto = Moto::start()?;
        let org = seed::scenario(&moto.endpoint()).await;
        let mgmt = iam(&moto.endpoint(), seed::mgmt_credentials()).await;
        mgmt.create_user()
            .user_name("auditor")
            .send()
            .await
            .unwrap();
        let key = mgmt
            .create_access_key()
            .user_name("auditor")
            .send()
            .await
            .unwrap()
            .access_key
            .unwrap();
        Some(Lab {
            members: vec![org.prod, org.dev, org.security, org.shared],
            auditor_key: key.access_key_id,
            auditor_secret: key.secret_access_key,
            moto,
            dir: tempfile::tempdir().unwrap(),
        })
    }

    /// Gives the auditor user and every member's audit role `policy`, then
    /// turns IAM enforcement on.
    async fn grant(&self, policy: &str) {
        let endpoint = self.moto.endpoint();
        self.moto.enforce_iam(false);
        iam(&endpoint, seed::mgmt_credentials())
            .await
            .put_user_policy()
            .user_name("auditor")
            .policy_name(POLICY_NAME)
            .policy_document(policy)
            .send()
            .await
            .unwrap();
        for member in &self.members {
            iam(&endpoint, member.creds.clone())
                .await
                .put_role_policy()
                .role_name(ROLE)
                .policy_name(POLICY_NAME)
                .policy_document(policy)
                .send()
                .await
                .unwrap();
        }
        self.moto.enforce_iam(true);
    }

    fn auditor(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            &self.auditor_key,
            &self.auditor_secret,
            None,
            None,
            "test",
        )
    }

    /// `orgaudit scan` with the given credentials.
    fn scan(&self, key: &str, secret: &str, name: &str) -> Run {
        let snapshot = self.dir.path().join(format!("{name}.snapshot.json"));
        let findings = self.dir.path().join(format!("{name}.findings.json"));
        // The rules whose check is off by default read their facts only when
        // their parameter is set: set them, so that they are checked too.
        let config = self.dir.path().join("orgaudit.yaml");
        std::fs::write(
            &config,
            "params:\n  mgmt_allowed_users: [break-glass, mgmt-org-admin]\n  \
             break_glass_users: [break-glass]\n",
        )
        .unwrap();
        let out = support::cli::orgaudit_against(&self.moto.endpoint())
            .env("AWS_ACCESS_KEY_ID", key)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .args(["scan", "--regions", "us-east-1,eu-west-1", "--no-progress"])
            .args(["--max-attempts", "2", "--retry-backoff-ms", "10"])
            .arg("--config")
            .arg(&config)
            .args(["-f", "json", "-o"])
            .arg(&findings)
            .arg("--save-snapshot")
            .arg(&snapshot)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains(secret) && !stderr.contains(&self.auditor_secret));
        Run {
            code: out.status.code(),
            stderr,
            findings: read_json(&findings),
            snapshot: read_json(&snapshot),
        }
    }

    fn scan_as_auditor(&self, name: &str) -> Run {
        self.scan(&self.auditor_key, &self.auditor_secret, name)
    }
}

fn read_json(path: &PathBuf) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    std::fs::remove_file(path).unwrap();
    Some(serde_json::from_str(&text).unwrap())
}

/// Every `error` section of a snapshot: (JSON path, operation, code), the
/// code `AccessDenied` for moto's denials (HTTP 403 pages the JSON protocols
/// cannot parse: `ServiceError`/`ResponseError` with "HTTP 403").
fn errors(snapshot: &Value) -> Vec<(String, String, String)> {
    fn walk(v: &Value, path: String, out: &mut Vec<(String, String, String)>) {
        match v {
            Value::Object(map) => {
                if map.get("status").and_then(Value::as_str) == Some("error") {
                    let e = &map["error"];
                    let mut code = e["code"].as_str().unwrap_or_default().to_string();
                    let message = e["message"].as_str().unwrap_or_default();
                    if matches!(code.as_str(), "ServiceError" | "ResponseError")
                        && message.starts_with("HTTP 403")
                    {
                        code = "AccessDenied".to_string();
                    }
                    out.push((
                        path.clone(),
                        e["operation"].as_str().unwrap_or_default().to_string(),
                        code,
                    ));
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
    let mut out = Vec::new();
    walk(snapshot, String::new(), &mut out);
    out
}

type Key = (String, String, String, String);

/// Findings by (rule, account, region, resource): status.
fn statuses(findings: &Value) -> BTreeMap<Key, String> {
    findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        // The rules that read what moto refuses to authorize may change
        // either way ([`MOTO_REFUSES_SIGNATURE`]).
        .filter(|f| !MOTO_UNOBSERVABLE_RULES.contains(&f["rule_id"].as_str().unwrap_or_default()))
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (
                (
                    s("rule_id"),
                    s("account_id"),
                    s("region"),
                    s("resource_arn"),
                ),
                s("status"),
            )
        })
        .collect()
}

/// A scan with the full policy: complete (no AccessDenied; errors only where
/// moto lacks the operation), and the same findings as an unrestricted scan.
fn assert_complete(full: &Run, unrestricted: &Run) {
    assert_eq!(full.code, Some(1), "{}", full.stderr);
    let snapshot = full.snapshot.as_ref().unwrap();
    for (path, operation, code) in errors(snapshot) {
        assert!(
            (NOT_IN_MOTO.contains(&operation.as_str()) && code == "ServiceError")
                || MOTO_REFUSES_SIGNATURE.contains(&operation.as_str()),
            "{path}: {operation} {code}"
        );
    }
    let reached = snapshot["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["access"]["status"] == "ok")
        .count();
    assert_eq!(
        reached, 5,
        "the management account and the 4 active members"
    );
    assert_eq!(
        statuses(full.findings.as_ref().unwrap()),
        statuses(unrestricted.findings.as_ref().unwrap())
    );
}

/// The scan without `removed`, against the full-policy scan: the operations
/// the action authorizes are denied, every finding that changed is ERROR (or
/// the reachability rule's FAIL when the role cannot be assumed), and no
/// PASS appears that the full scan did not have.
fn assert_denied_never_passes(removed: &str, run: &Run, full: &Run) {
    let ops = operations_of(removed);
    if run.code == Some(2) {
        // The scan stopped before evaluating anything: no PASS possible.
        assert!(
            ops.iter().any(|op| op.starts_with("organizations:")),
            "{removed}: {}",
            run.stderr
        );
        assert!(run.findings.is_none(), "{removed}");
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
        eprintln!("{removed}: the scan stops (exit 2): {}", run.stderr.trim());
        return;
    }
    assert!(matches!(run.code, Some(1 | 3)), "{removed}: {}", run.stderr);
    let denied: Vec<(String, String, String)> = errors(run.snapshot.as_ref().unwrap())
        .into_iter()
        .filter(|(_, operation, code)| {
            code.starts_with("AccessDenied")
                && !MOTO_REFUSES_SIGNATURE.contains(&operation.as_str())
        })
        .collect();
    for (path, operation, _) in &denied {
        assert!(
            ops.contains(&operation.as_str()),
            "{removed}: {path} denied {operation}"
        );
    }
    let before = statuses(full.findings.as_ref().unwrap());
    let after = statuses(run.findings.as_ref().unwrap());
    let mut now_error = 0;
    for (key, status) in &after {
        let was = before.get(key);
        if was == Some(status) {
            continue;
        }
        let reachability = key.0 == "org-access-role-assumable" && removed == "sts:AssumeRole";
        match status.as_str() {
            "ERROR" => now_error += 1,
            "FAIL" if reachability => {}
            _ => panic!("{removed}: {key:?} is {status}, was {was:?}"),
        }
    }
    if denied.is_empty() {
        // Not called in this organization (nothing to read with it).
        assert_eq!(after, before, "{removed}");
        eprintln!("{removed}: not called in this organization");
        return;
    }
    // Every rule that reads a denied section is ERROR (or FAIL, when the
    // rest of its condition decides without it) in that account: never PASS.
    let rules = RuleSet::builtin().unwrap();
    let snapshot = run.snapshot.as_ref().unwrap();
    let findings = run.findings.as_ref().unwrap()["findings"]
        .as_array()
        .unwrap();
    let mut readers_checked = 0;
    for (path, operation, _) in &denied {
        let field = path.rsplit('.').next().unwrap().split('[').next().unwrap();
        let account = path
            .strip_prefix(".accounts[")
            .and_then(|p| p.split(']').next())
            .map(|i| snapshot["accounts"][i.parse::<usize>().unwrap()]["id"].clone());
        let readers: Vec<&str> = rules
            .rules
            .iter()
            .filter(|r| reads(r, field))
            .map(|r| r.info.id.as_str())
            .collect();
        for f in findings.iter().filter(|f| {
            readers.contains(&f["rule_id"].as_str().unwrap())
                && account.as_ref().is_none_or(|a| f["account_id"] == *a)
        }) {
            assert_ne!(
                f["status"], "PASS",
                "{removed}: {path} ({operation}) was denied but {f}"
            );
            readers_checked += 1;
        }
    }
    eprintln!(
        "{removed}: {} sections denied, {now_error} findings now ERROR, {readers_checked} findings of rules reading them checked",
        denied.len()
    );
}

/// The full policy suffices, and moto really enforces it: calls outside the
/// policy are denied in every service the scanner uses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_is_enough_and_moto_enforces_it() {
    let Some(lab) = Lab::start().await else {
        return;
    };
    let unrestricted = lab.scan(
        "AKIAMOTOTESTMGMT0001",
        "moto-test-secret-not-real",
        "unrestricted",
    );
    lab.grant(&moto_policy(None)).await;
    let full = lab.scan_as_auditor("full");
    assert_complete(&full, &unrestricted);

    // Reads outside the policy, one per service, as the auditor.
    let sdk = seed::config(&lab.moto.endpoint(), lab.auditor(), "us-east-1").await;
    let mut outcomes = Vec::new();
    macro_rules! denied {
        ($name:literal, $call:expr) => {{
            let code = match $call.await {
                Ok(_) => "allowed".to_string(),
                // moto answers a denial in every protocol with its XML
                // error page (HTTP 403, `<Code>AccessDenied</Code>`), which
                // the JSON protocols' SDKs cannot parse: read the raw answer.
                Err(e) => match e.raw_response() {
                    Some(raw) => format!(
                        "HTTP {} {}",
                        raw.status().as_u16(),
                        if String::from_utf8_lossy(raw.body().bytes().unwrap_or_default())
                            .contains("<Code>AccessDenied</Code>")
                        {
                            "AccessDenied"
                        } else {
                            "other"
                        }
                    ),
                    None => format!("{e}"),
                },
            };
            outcomes.push(($name, code));
        }};
    }
    denied!(
        "iam:ListRoles",
        aws_sdk_iam::Client::new(&sdk).list_roles().send()
    );
    denied!(
        "organizations:ListHandshakesForOrganization",
        aws_sdk_organizations::Client::new(&sdk)
            .list_handshakes_for_organization()
            .send()
    );
    denied!(
        "cloudtrail:ListTrails",
        aws_sdk_cloudtrail::Client::new(&sdk).list_trails().send()
    );
    denied!(
        "config:DescribeConfigurationAggregators",
        aws_sdk_config::Client::new(&sdk)
            .describe_configuration_aggregators()
            .send()
    );
    denied!(
        "budgets:DescribeBudget",
        aws_sdk_budgets::Client::new(&sdk)
            .describe_budget()
            .account_id(seed::MGMT)
            .budget_name("monthly-cost")
            .send()
    );
    denied!(
        "sso:ListAccountAssignments",
        aws_sdk_ssoadmin::Client::new(&sdk)
            .list_account_assignments()
            .instance_arn("arn:aws:sso:::instance/ssoins-0000000000000000")
            .account_id(seed::MGMT)
            .permission_set_arn(
                "arn:aws:sso:::permissionSet/ssoins-0000000000000000/ps-0000000000000000"
            )
            .send()
    );
    // moto routes only the alternate-contact operations of `account`: a
    // write, denied before moto would run it.
    denied!(
        "account:DeleteAlternateContact",
        aws_sdk_account::Client::new(&sdk)
            .delete_alternate_contact()
            .alternate_contact_type(aws_sdk_account::types::AlternateContactType::Billing)
            .send()
    );
    denied!(
        "ce:ListCostCategoryDefinitions",
        aws_sdk_costexplorer::Client::new(&sdk)
            .list_cost_category_definitions()
            .send()
    );
    denied!(
        "sts:AssumeRole (another role)",
        aws_sdk_sts::Client::new(&sdk)
            .assume_role()
            .role_arn(format!("arn:aws:iam::{}:role/Admin", lab.members[0].id))
            .role_session_name("x")
            .send()
    );
    eprintln!("outside the policy: {outcomes:?}");
    for (call, outcome) in &outcomes {
        assert_eq!(outcome, "HTTP 403 AccessDenied", "{call}");
    }
}

/// Removes each action of `actions` in turn (from the user and from every
/// member's role) and checks the scan against the full-policy one.
async fn each_removal_never_passes(actions: &[String]) {
    let Some(lab) = Lab::start().await else {
        return;
    };
    lab.grant(&moto_policy(None)).await;
    let full = lab.scan_as_auditor("full");
    assert_eq!(full.code, Some(1), "{}", full.stderr);
    for action in actions {
        lab.grant(&moto_policy(Some(action))).await;
        let run = lab.scan_as_auditor(&action.replace(':', "-"));
        assert_denied_never_passes(action, &run, &full);
    }
}

/// A few actions, one per kind of effect: a whole account section
/// (CloudTrail), the IAM users' details, an organization-level section read
/// in the management account (Identity Center), the member roles (AssumeRole)
/// and the organization itself (the scan stops).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_an_action_makes_its_rules_error_never_pass() {
    let actions: Vec<String> = [
        "cloudtrail:DescribeTrails",
        "iam:GetAccountAuthorizationDetails",
        "sso:ListInstances",
        "sts:AssumeRole",
        "organizations:ListAccountsForParent",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    for a in &actions {
        assert!(policy_actions().contains(a), "{a} is not in the policy");
    }
    each_removal_never_passes(&actions).await;
}

/// Every action of the policy, one at a time (about 3 min in a debug build).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow: cargo test --test least_privilege -- --ignored"]
async fn removing_any_action_makes_its_rules_error_never_pass() {
    each_removal_never_passes(&policy_actions()).await;
}

/// The landing-zone guardrails' reads, one at a time: the rules that judge
/// what each one reads are ERROR in the management account's findings (the
/// organization's), never PASS, and the rules that do not are unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_guardrail_read_makes_its_rules_error() {
    let scp_rules: &[&str] = &["scp-guardrail-every-ou", "scp-deny-leave-organization"];
    let cases: &[(&str, &[&str])] = &[
        ("organizations:ListPolicies", scp_rules),
        ("organizations:DescribePolicy", scp_rules),
        ("organizations:ListTargetsForPolicy", scp_rules),
        ("s3:ListAllMyBuckets", &["log-archive-separate-account"]),
        (
            "s3:GetAccountPublicAccessBlock",
            &["s3-account-public-access-blocked"],
        ),
        (
            "organizations:ListDelegatedAdministrators",
            &[
                "guardduty-delegated-admin",
                "securityhub-delegated-admin",
                "access-analyzer-organization",
            ],
        ),
        (
            "organizations:ListDelegatedServicesForAccount",
            &["guardduty-delegated-admin", "securityhub-delegated-admin"],
        ),
        ("ec2:GetEbsEncryptionByDefault", &["ebs-default-encryption"]),
        // guardduty:ListDetectors, GetDetector and securityhub:DescribeHub
        // cannot be checked here ([`MOTO_REFUSES_SIGNATURE`]).
    ];
    let Some(lab) = Lab::start().await else {
        return;
    };
    lab.grant(&moto_policy(None)).await;
    let full = lab.scan_as_auditor("full");
    assert_eq!(full.code, Some(1), "{}", full.stderr);
    let of = |run: &Run, rule: &str| -> Vec<String> {
        run.findings.as_ref().unwrap()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == rule)
            .map(|f| f["status"].as_str().unwrap().to_string())
            .collect()
    };
    for rule in [
        "scp-enabled",
        "scp-guardrail-every-ou",
        "scp-deny-leave-organization",
    ] {
        assert!(!of(&full, rule).is_empty(), "{rule} is judged");
        assert!(
            !of(&full, rule).iter().any(|s| s == "ERROR"),
            "{rule} with every permission: {:?}",
            of(&full, rule)
        );
    }
    for (action, rules) in cases {
        assert!(policy_actions().contains(&action.to_string()), "{action}");
        lab.grant(&moto_policy(Some(action))).await;
        let run = lab.scan_as_auditor(&action.replace(':', "-"));
        assert_denied_never_passes(action, &run, &full);
        for rule in *rules {
            let got = of(&run, rule);
            assert!(
                !got.is_empty() && got.iter().all(|s| s == "ERROR"),
                "{action} denied: {rule} is {got:?}"
            );
        }
        // scp-enabled reads the root's policy types only.
        assert_eq!(
            of(&run, "scp-enabled"),
            of(&full, "scp-enabled"),
            "{action}"
        );
    }
}
