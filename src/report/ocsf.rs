//! OCSF Compliance Finding events (class 2003, schema 1.5.0), one JSON
//! document per line (JSON Lines), for data lakes and SIEMs (Amazon
//! Security Lake, DefectDojo, Splunk…).
//!
//! One event per finding, PASS included:
//!
//! | OCSF | from |
//! |---|---|
//! | `class_uid` 2003, `category_uid` 2, `activity_id` 1 (Create), `type_uid` 200301 | fixed |
//! | `time`, `time_dt` | when the snapshot was taken (milliseconds since the epoch; RFC 3339) |
//! | `severity_id`, `severity` | critical 5, high 4, medium 3, low 2, info 1 |
//! | `status_id`, `status` | the finding's workflow: WAIVED → 3 Suppressed, else 1 New |
//! | `status_code` | the orgaudit status (`PASS`, `FAIL`, `ERROR`, `MANUAL`, `WAIVED`) |
//! | `message`, `finding_info.desc` | the message (for ERROR, why the rule could not be evaluated) |
//! | `finding_info.uid` | `orgaudit/<account>/<rule>/<fingerprint>`: the identity of SARIF's fingerprint, ASFF's `Id` and `diff`; stable across scans |
//! | `finding_info.title`, `finding_info.types` | the rule's title; the ASFF type |
//! | `compliance.status_id` | PASS → 1 Pass, FAIL and WAIVED → 3 Fail, ERROR → 2 Warning (no result: facts missing or denied), MANUAL → 99 Other (`status_code` says `MANUAL`) |
//! | `compliance.control`, `compliance.standards`, `compliance.requirements` | the rule id; `CIS AWS Foundations Benchmark v3.0.0` and its recommendation numbers, for CIS-mapped rules |
//! | `metadata.product` | `orgaudit` and its version; `metadata.event_code` is the rule id |
//! | `cloud` | provider `AWS`, the account (`type_id` 10, AWS Account), the region, the organization and OU path |
//! | `resources` | one: the ARN (or the account) with its ASFF type, region and partition |
//! | `remediation.desc` | the rule's remediation |
//! | `unmapped.waiver` | the waiver of a WAIVED finding |
//!
//! Strings are JSON-escaped as in every JSON document orgaudit writes
//! (control, bidi and invisible characters as `\uXXXX`), so every event is
//! exactly one line.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::asff::{known_partition, resource_type, CIS_REQUIREMENT};
use super::{RenderError, RenderOptions, Renderer};
use crate::findings::{AccountRef, Finding, Report, RuleInfo, Severity, Status};

/// The OCSF schema version the events follow.
pub const OCSF_VERSION: &str = "1.5.0";
/// Compliance Finding.
pub const CLASS_UID: u32 = 2003;

/// The OCSF renderer.
pub struct Ocsf;

impl Renderer for Ocsf {
    fn write(
        &self,
        report: &Report,
        _: &RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> Result<(), RenderError> {
        let time_dt = super::asff::timestamp(&report.source.collected_at)?;
        let time = chrono::DateTime::parse_from_rfc3339(&report.source.collected_at)
            .map(|t| t.timestamp_millis())
            .unwrap_or(0);
        let rules: HashMap<&str, &RuleInfo> =
            report.rules.iter().map(|r| (r.id.as_str(), r)).collect();
        let accounts: HashMap<&str, &AccountRef> =
            report.accounts.iter().map(|a| (a.id.as_str(), a)).collect();
        let partition = known_partition(&super::partition(report));
        let product = json!({
            "name": report.tool.name,
            "vendor_name": report.tool.name,
            "version": report.tool.version,
        });
        for f in &report.findings {
            let rule = rules.get(f.rule_id.as_str()).copied();
            let event = Event {
                f,
                rule,
                account: accounts.get(f.account_id.as_str()).copied(),
                report,
                time,
                time_dt: &time_dt,
                partition,
                product: &product,
            };
            super::json::write_line(out, &event.to_value())?;
        }
        Ok(())
    }
}

struct Event<'a> {
    f: &'a Finding,
    rule: Option<&'a RuleInfo>,
    account: Option<&'a AccountRef>,
    report: &'a Report,
    time: i64,
    time_dt: &'a str,
    partition: &'static str,
    product: &'a Value,
}

impl Event<'_> {
    fn to_value(&self) -> Value {
        let f = self.f;
        let compliance_id = compliance_status_id(f.status);
        let (finding_status_id, finding_status) = if f.status == Status::Waived {
            (3, "Suppressed")
        } else {
            (1, "New")
        };
        let cis: &[String] = self.rule.map(|r| r.mappings.numbers(crate::findings::LEGACY_CIS_FRAMEWORK)).unwrap_or(&[]);
        let message = match f.status {
            Status::Error => super::could_not_evaluate(&f.message),
            Status::Manual => format!("Manual check: {}", f.message),
            _ => f.message.clone(),
        };
        let asff_type = if cis.is_empty() {
            super::asff::TYPE_BEST_PRACTICES
        } else {
            super::asff::TYPE_CIS
        };

        let mut compliance = json!({
            "control": f.rule_id,
            "status_id": compliance_id,
        });
        if !cis.is_empty() {
            compliance["standards"] = json!([CIS_REQUIREMENT]);
            compliance["requirements"] = json!(cis);
        }

        let mut account = json!({
            "uid": f.account_id,
            "name": f.account_name,
            "type_id": 10,
            "type": "AWS Account",
        });
        if let Some(a) = self.account {
            if a.is_management {
                account["labels"] = json!(["management"]);
            }
        }
        let mut cloud = json!({ "provider": "AWS", "account": account });
        if let Some(region) = &f.region {
            cloud["region"] = json!(region);
        }
        let mut org = serde_json::Map::new();
        if let Some(id) = &self.report.source.organization_id {
            org.insert("uid".into(), json!(id));
        }
        if let Some(a) = self.account.filter(|a| !a.ou_path.is_empty()) {
            org.insert("ou_name".into(), json!(a.ou_path));
        }
        if !org.is_empty() {
            cloud["org"] = Value::Object(org);
        }

        let mut resource = match &f.resource_arn {
            Some(arn) => json!({
                "uid": arn,
                "name": super::arn_name(arn),
                "type": resource_type(arn),
                "cloud_partition": known_partition(arn.split(':').nth(1).unwrap_or("")),
            }),
            None => json!({
                "uid": format!("arn:{}:iam::{}:root", self.partition, f.account_id),
                "name": f.account_name,
                "type": "AwsAccount",
                "cloud_partition": self.partition,
            }),
        };
        if let Some(region) = &f.region {
            resource["region"] = json!(region);
        }

        let mut event = json!({
            "class_uid": CLASS_UID,
            "class_name": "Compliance Finding",
            "category_uid": 2,
            "category_name": "Findings",
            "activity_id": 1,
            "activity_name": "Create",
            "type_uid": CLASS_UID * 100 + 1,
            "type_name": "Compliance Finding: Create",
            "time": self.time,
            "time_dt": self.time_dt,
            "severity_id": severity_id(f.severity),
            "severity": severity_name(f.severity),
            "status_id": finding_status_id,
            "status": finding_status,
            "status_code": f.status.as_str(),
            "message": message,
            "metadata": {
                "version": OCSF_VERSION,
                "product": self.product,
                "event_code": f.rule_id,
                "profiles": ["cloud"],
            },
            "finding_info": {
                "uid": f.key().id(),
                "title": f.title,
                "desc": message,
                "types": [asff_type],
                "created_time": self.time,
                "created_time_dt": self.time_dt,
            },
            "compliance": compliance,
            "cloud": cloud,
            "resources": [resource],
        });
        if let Some(r) = self.rule.filter(|r| !r.remediation.trim().is_empty()) {
            event["remediation"] = json!({ "desc": r.remediation.trim() });
        }
        if let Some(w) = &f.waiver {
            event["unmapped"] = json!({ "waiver": { "reason": w.reason, "expires": w.expires } });
        }
        event
    }
}

/// OCSF `compliance.status_id` of a status: 1 Pass, 2 Warning, 3 Fail,
/// 99 Other (the orgaudit status is `status_code`).
pub fn compliance_status_id(s: Status) -> u8 {
    match s {
        Status::Pass => 1,
        Status::Error => 2,
        Status::Fail | Status::Waived => 3,
        Status::Manual => 99,
    }
}

fn severity_id(s: Severity) -> u8 {
    match s {
        Severity::Info => 1,
        Severity::Low => 2,
        Severity::Medium => 3,
        Severity::High => 4,
        Severity::Critical => 5,
    }
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Info => "Informational",
        Severity::Low => "Low",
        Severity::Medium => "Medium",
        Severity::High => "High",
        Severity::Critical => "Critical",
    }
}
