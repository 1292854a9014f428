//! A synthetic report of N accounts (36 findings per account: 25 account
//! rules, 2 of them manual, one per-user rule over 3 users and 2 regional
//! rules over 4 regions), shared by the render benchmark and the tests that
//! check large outputs (`tests/sarif_limits.rs`).
//!
//! Status mix: 1 % of accounts unreachable (all ERROR); otherwise about 12 %
//! FAIL, 3 % WAIVED, 2 % ERROR, the rest PASS. Accounts are spread over 250
//! OUs (`Root/Workloads/Team-000` …).

use orgaudit::findings::{
    AccountRef, AppliedWaiver, Finding, Mappings, Report, ReportSource, RuleInfo, Scope, Severity,
    Status, Summary, ToolInfo, REPORT_FORMAT,
};

const REGIONS: [&str; 4] = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"];

/// A small deterministic hash (splitmix64) for the status mix.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn rules() -> Vec<RuleInfo> {
    let sev = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
    (0..28)
        .map(|i| RuleInfo {
            id: match i {
                25 => "iam-user-console-mfa".to_string(),
                26 | 27 => format!("regional-rule-{i:02}"),
                _ => format!("baseline-rule-{i:02}"),
            },
            title: format!("Baseline control number {i} holds in the account"),
            severity: sev[i % 5],
            scope: Scope::Account,
            service: ["iam", "cloudtrail", "config", "budgets", "account"][i % 5].to_string(),
            manual: i == 23 || i == 24,
            passes_when: None,
            rationale: "Without this control an attacker who obtains credentials can act \
                        unnoticed; the CIS AWS Foundations Benchmark requires it."
                .to_string(),
            remediation: "Console: open the service, enable the control.\nCheck with the AWS CLI \
                          (read-only):\n  aws service describe-control"
                .to_string(),
            sources: vec!["cis-aws-foundations-3.0.0".to_string()],
            mappings: Mappings {
                frameworks: [("cis-3.0".to_string(), vec![format!("1.{i}")])]
                    .into_iter()
                    .collect(),
                aws_config: vec![format!("control-{i}")],
                prowler: vec![format!("control_{i}")],
                cited: None,
            },
        })
        .collect()
}

/// The report of `n` accounts; `seed` varies the statuses.
pub fn report(n: usize, seed: u64) -> Report {
    let rules = rules();
    let mut accounts = Vec::with_capacity(n);
    let mut findings = Vec::with_capacity(n * 36);
    for a in 0..n {
        let id = format!("{:012}", 100_000_000_000u64 + a as u64);
        let name = format!("customer-workload-{a:05}-prod");
        let unreachable = a % 100 == 99;
        accounts.push(AccountRef {
            id: id.clone(),
            name: name.clone(),
            ou_path: format!("Root/Workloads/Team-{:03}", a % 250),
            is_management: a == 0,
            unreachable: unreachable.then(|| "sts:AssumeRole failed: AccessDenied".to_string()),
            status: None,
        });
        let mut push = |r: &RuleInfo, k: u64, region: Option<&str>, arn: Option<String>| {
            let h = mix(seed ^ (a as u64) << 20 ^ k) % 100;
            let status = if r.manual {
                Status::Manual
            } else if unreachable || h < 2 {
                Status::Error
            } else if h < 14 {
                Status::Fail
            } else if h < 17 {
                Status::Waived
            } else {
                Status::Pass
            };
            let message = match status {
                Status::Error if unreachable => {
                    "Could not evaluate: not collected: sts:AssumeRole into OrganizationAccountAccessRole was denied".to_string()
                }
                Status::Error => format!("Could not evaluate: {}:Describe failed: AccessDenied", r.service),
                Status::Manual => "Check in the console that the control is in place.".to_string(),
                Status::Pass => r.title.clone(),
                _ => format!("Account {name}: control {} is not in place (found: disabled).", r.id),
            };
            findings.push(Finding {
                rule_id: r.id.clone(),
                title: r.title.clone(),
                severity: r.severity,
                status,
                account_id: id.clone(),
                account_name: name.clone(),
                region: region.map(str::to_string),
                resource_arn: arn,
                message,
                waiver: (status == Status::Waived).then(|| AppliedWaiver {
                    reason: format!(
                        "Accepted by the platform team until migration (SEC-{})",
                        k % 7
                    ),
                    expires: "2030-06-30".to_string(),
                }),
                unevaluated: None,
            });
        };
        for (k, r) in rules.iter().enumerate().take(25) {
            push(r, k as u64, None, None);
        }
        for u in 0..3 {
            let arn = format!("arn:aws:iam::{id}:user/team/developer-{u}");
            push(&rules[25], 100 + u, None, Some(arn));
        }
        for (j, r) in rules[26..].iter().enumerate() {
            for (g, region) in REGIONS.iter().enumerate() {
                push(r, 200 + (j * 10 + g) as u64, Some(region), None);
            }
        }
    }
    findings.sort_by(|a, b| {
        (&a.account_id, &a.rule_id, &a.resource_arn, &a.region).cmp(&(
            &b.account_id,
            &b.rule_id,
            &b.resource_arn,
            &b.region,
        ))
    });
    let incomplete = accounts
        .iter()
        .filter(|a| a.unreachable.is_some())
        .map(|a| {
            format!(
                "account {} ({}): access: sts:AssumeRole failed: AccessDenied",
                a.id, a.name
            )
        })
        .collect();
    Report {
        format: REPORT_FORMAT.to_string(),
        tool: ToolInfo::current(),
        source: ReportSource {
            organization_id: Some("o-bench00001".to_string()),
            management_account_id: Some(accounts[0].id.clone()),
            collected_at: "2026-11-20T09:00:00Z".to_string(),
            regions: REGIONS.iter().map(|r| r.to_string()).collect(),
            incomplete,
        },
        accounts,
        rules,
        summary: Summary::of(&findings),
        findings,
        frameworks: vec![],
        warnings: vec![],
    }
}
