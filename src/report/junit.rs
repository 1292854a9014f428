//! JUnit XML, for CI test reporters (GitLab, Jenkins, GitHub test-report
//! actions).
//!
//! One `<testsuite>` per account (management account first, then by id), one
//! `<testcase>` per finding: named after the rule, plus `[resource]` for
//! per-resource and regional findings. PASS → passed; FAIL → `<failure>`
//! with the message, rationale and remediation; ERROR → `<error>`; MANUAL and
//! WAIVED → `<skipped>` with the reason. No timestamps, so the output is
//! reproducible. quick-junit escapes XML and drops characters XML cannot
//! carry (control characters, ANSI escapes).

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use rayon::prelude::*;

use super::{account_rows, RenderError};
use crate::findings::{Finding, Report, RuleInfo, Status};

pub fn render(report: &Report) -> Result<String, RenderError> {
    let mut out = JunitReport::new(report.tool.name.as_str());
    // Findings by account, once (not a scan of every finding per account).
    let mut by_account: std::collections::HashMap<&str, Vec<&Finding>> =
        std::collections::HashMap::new();
    for f in &report.findings {
        by_account.entry(f.account_id.as_str()).or_default().push(f);
    }
    let rules: std::collections::HashMap<&str, &RuleInfo> =
        report.rules.iter().map(|r| (r.id.as_str(), r)).collect();
    // Suites are built in parallel (quick-junit cleans every string it is
    // given, which dominates at 10,000 accounts) and added in order.
    let suites: Vec<TestSuite> = account_rows(report)
        .into_par_iter()
        .map(|account| {
            let mut suite = TestSuite::new(format!("{} ({})", account.name, account.id));
            suite.add_property(("account_id", account.id.as_str()));
            suite.add_property(("account_name", account.name.as_str()));
            if !account.ou_path.is_empty() {
                suite.add_property(("ou_path", account.ou_path.as_str()));
            }
            if account.is_management {
                suite.add_property(("management", "true"));
            }
            if let Some(why) = &account.unreachable {
                suite.add_property(("unreachable", why.as_str()));
            }
            let mut findings: Vec<&Finding> = by_account
                .get(account.id.as_str())
                .cloned()
                .unwrap_or_default();
            findings.sort_by(|a, b| {
                (&a.rule_id, &a.resource_arn, &a.region).cmp(&(
                    &b.rule_id,
                    &b.resource_arn,
                    &b.region,
                ))
            });
            for f in findings {
                suite.add_test_case(test_case(f, rules.get(f.rule_id.as_str()).copied()));
            }
            suite
        })
        .collect();
    out.add_test_suites(suites);
    let mut text = out.to_string()?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// `rule-id`, or `rule-id [arn]` / `rule-id [region]`.
fn case_name(f: &Finding) -> String {
    match (&f.resource_arn, &f.region) {
        (Some(arn), _) => format!("{} [{}]", f.rule_id, arn),
        (None, Some(region)) => format!("{} [{}]", f.rule_id, region),
        (None, None) => f.rule_id.clone(),
    }
}

fn test_case(f: &Finding, rule: Option<&RuleInfo>) -> TestCase {
    let status = match f.status {
        Status::Pass => TestCaseStatus::success(),
        Status::Fail => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(f.message.as_str());
            s.set_type(f.severity.as_str());
            s.set_description(details(f, rule, true));
            s
        }
        Status::Error => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_message(super::could_not_evaluate(&f.message));
            s.set_type("ERROR");
            s.set_description(details(f, rule, false));
            s
        }
        Status::Manual => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!("Manual check: {}", f.message));
            s.set_type("MANUAL");
            s
        }
        Status::Waived => {
            let mut s = TestCaseStatus::skipped();
            let reason = match &f.waiver {
                Some(w) => format!("Waived until {}: {}", w.expires, w.reason),
                None => "Waived".to_string(),
            };
            s.set_message(reason);
            s.set_type("WAIVED");
            s.set_description(format!("{}\n{}", f.title, f.message));
            s
        }
    };
    let mut case = TestCase::new(case_name(f), status);
    let service = rule.map(|r| r.service.as_str()).unwrap_or("aws");
    case.set_classname(format!("orgaudit.{}.{}", f.account_id, service));
    case.add_property(("severity", f.severity.as_str()));
    case.add_property(("status", f.status.as_str()));
    if let Some(arn) = &f.resource_arn {
        case.add_property(("resource_arn", arn.as_str()));
    }
    if let Some(region) = &f.region {
        case.add_property(("region", region.as_str()));
    }
    case
}

/// The body of a failure or error: what, why, and how to fix.
fn details(f: &Finding, rule: Option<&RuleInfo>, with_remediation: bool) -> String {
    let mut s = format!("[{}] {}\n{}\n", f.severity, f.title, f.message);
    if let Some(arn) = &f.resource_arn {
        s.push_str(&format!("Resource: {arn}\n"));
    }
    if let Some(region) = &f.region {
        s.push_str(&format!("Region: {region}\n"));
    }
    if let Some(rule) = rule {
        if !rule.rationale.is_empty() {
            s.push_str("\nWhy it matters:\n");
            s.push_str(rule.rationale.trim_end());
            s.push('\n');
        }
        if with_remediation && !rule.remediation.is_empty() {
            s.push_str("\nRemediation:\n");
            s.push_str(rule.remediation.trim_end());
            s.push('\n');
        }
    }
    s
}
