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

use serde::Serialize;

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
        let ctx = Context {
            time,
            time_dt: &time_dt,
            partition: known_partition(&super::partition(report)),
            product: Product {
                name: &report.tool.name,
                vendor_name: &report.tool.name,
                version: &report.tool.version,
            },
            organization_id: report.source.organization_id.as_deref(),
        };
        for f in &report.findings {
            let rule = rules.get(f.rule_id.as_str()).copied();
            let account = accounts.get(f.account_id.as_str()).copied();
            super::json::write_line(out, &ctx.event(f, rule, account))?;
        }
        Ok(())
    }
}

/// What every event of the report shares.
struct Context<'a> {
    time: i64,
    time_dt: &'a str,
    partition: &'static str,
    product: Product<'a>,
    organization_id: Option<&'a str>,
}

impl<'a> Context<'a> {
    fn event(
        &'a self,
        f: &'a Finding,
        rule: Option<&'a RuleInfo>,
        account: Option<&'a AccountRef>,
    ) -> Event<'a> {
        let (status_id, status) = if f.status == Status::Waived {
            (3, "Suppressed")
        } else {
            (1, "New")
        };
        let cis: &[String] = rule
            .map(|r| r.mappings.numbers(crate::findings::LEGACY_CIS_FRAMEWORK))
            .unwrap_or(&[]);
        let message = match f.status {
            Status::Error => super::could_not_evaluate(f),
            Status::Manual => format!("Manual check: {}", f.message),
            _ => f.message.clone(),
        };
        let asff_type = if cis.is_empty() {
            super::asff::TYPE_BEST_PRACTICES
        } else {
            super::asff::TYPE_CIS
        };
        let region = f.region.as_deref();
        let ou_name = account
            .map(|a| a.ou_path.as_str())
            .filter(|p| !p.is_empty());
        let org = (self.organization_id.is_some() || ou_name.is_some()).then_some(Org {
            uid: self.organization_id,
            ou_name,
        });
        let resource = match &f.resource_arn {
            Some(arn) => Resource {
                uid: arn.clone(),
                name: super::arn_name(arn),
                kind: resource_type(arn),
                cloud_partition: known_partition(arn.split(':').nth(1).unwrap_or("")),
                region,
            },
            None => Resource {
                uid: format!("arn:{}:iam::{}:root", self.partition, f.account_id),
                name: &f.account_name,
                kind: "AwsAccount",
                cloud_partition: self.partition,
                region,
            },
        };
        Event {
            class_uid: CLASS_UID,
            class_name: "Compliance Finding",
            category_uid: 2,
            category_name: "Findings",
            activity_id: 1,
            activity_name: "Create",
            type_uid: CLASS_UID * 100 + 1,
            type_name: "Compliance Finding: Create",
            time: self.time,
            time_dt: self.time_dt,
            severity_id: severity_id(f.severity),
            severity: severity_name(f.severity),
            status_id,
            status,
            status_code: f.status.as_str(),
            metadata: Metadata {
                version: OCSF_VERSION,
                product: &self.product,
                event_code: &f.rule_id,
                profiles: ["cloud"],
            },
            finding_uid: f.key().id(),
            title: &f.title,
            finding_type: asff_type,
            compliance: Compliance {
                control: &f.rule_id,
                status_id: compliance_status_id(f.status),
                standards: (!cis.is_empty()).then_some([CIS_REQUIREMENT]),
                requirements: (!cis.is_empty()).then_some(cis),
            },
            cloud: Cloud {
                provider: "AWS",
                account: CloudAccount {
                    uid: &f.account_id,
                    name: &f.account_name,
                    type_id: 10,
                    kind: "AWS Account",
                    labels: account
                        .filter(|a| a.is_management)
                        .map(|_| ["management"]),
                },
                region,
                org,
            },
            resources: [resource],
            remediation: rule
                .map(|r| r.remediation.trim())
                .filter(|t| !t.is_empty())
                .map(|desc| Remediation { desc }),
            unmapped: f.waiver.as_ref().map(|w| Unmapped {
                waiver: Waiver {
                    reason: &w.reason,
                    expires: &w.expires,
                },
            }),
            message,
        }
    }
}

/// One event, typed, written field by field in the order of the OCSF
/// class (`finding_info` is made when written: its `desc` is `message`).
struct Event<'a> {
    class_uid: u32,
    class_name: &'static str,
    category_uid: u8,
    category_name: &'static str,
    activity_id: u8,
    activity_name: &'static str,
    type_uid: u32,
    type_name: &'static str,
    time: i64,
    time_dt: &'a str,
    severity_id: u8,
    severity: &'static str,
    status_id: u8,
    status: &'static str,
    status_code: &'static str,
    message: String,
    metadata: Metadata<'a>,
    finding_uid: String,
    title: &'a str,
    finding_type: &'static str,
    compliance: Compliance<'a>,
    cloud: Cloud<'a>,
    resources: [Resource<'a>; 1],
    remediation: Option<Remediation<'a>>,
    unmapped: Option<Unmapped<'a>>,
}

impl Serialize for Event<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("class_uid", &self.class_uid)?;
        m.serialize_entry("class_name", self.class_name)?;
        m.serialize_entry("category_uid", &self.category_uid)?;
        m.serialize_entry("category_name", self.category_name)?;
        m.serialize_entry("activity_id", &self.activity_id)?;
        m.serialize_entry("activity_name", self.activity_name)?;
        m.serialize_entry("type_uid", &self.type_uid)?;
        m.serialize_entry("type_name", self.type_name)?;
        m.serialize_entry("time", &self.time)?;
        m.serialize_entry("time_dt", self.time_dt)?;
        m.serialize_entry("severity_id", &self.severity_id)?;
        m.serialize_entry("severity", self.severity)?;
        m.serialize_entry("status_id", &self.status_id)?;
        m.serialize_entry("status", self.status)?;
        m.serialize_entry("status_code", self.status_code)?;
        m.serialize_entry("message", &self.message)?;
        m.serialize_entry("metadata", &self.metadata)?;
        m.serialize_entry(
            "finding_info",
            &FindingInfo {
                uid: &self.finding_uid,
                title: self.title,
                desc: &self.message,
                types: [self.finding_type],
                created_time: self.time,
                created_time_dt: self.time_dt,
            },
        )?;
        m.serialize_entry("compliance", &self.compliance)?;
        m.serialize_entry("cloud", &self.cloud)?;
        m.serialize_entry("resources", &self.resources)?;
        if let Some(r) = &self.remediation {
            m.serialize_entry("remediation", r)?;
        }
        if let Some(u) = &self.unmapped {
            m.serialize_entry("unmapped", u)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct Product<'a> {
    name: &'a str,
    vendor_name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct Metadata<'a> {
    version: &'static str,
    product: &'a Product<'a>,
    event_code: &'a str,
    profiles: [&'static str; 1],
}

#[derive(Serialize)]
struct FindingInfo<'a> {
    uid: &'a str,
    title: &'a str,
    desc: &'a str,
    types: [&'static str; 1],
    created_time: i64,
    created_time_dt: &'a str,
}

#[derive(Serialize)]
struct Compliance<'a> {
    control: &'a str,
    status_id: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    standards: Option<[&'static str; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    requirements: Option<&'a [String]>,
}

#[derive(Serialize)]
struct Cloud<'a> {
    provider: &'static str,
    account: CloudAccount<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    org: Option<Org<'a>>,
}

#[derive(Serialize)]
struct CloudAccount<'a> {
    uid: &'a str,
    name: &'a str,
    type_id: u8,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    labels: Option<[&'static str; 1]>,
}

#[derive(Serialize)]
struct Org<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ou_name: Option<&'a str>,
}

#[derive(Serialize)]
struct Resource<'a> {
    uid: String,
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    cloud_partition: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
}

#[derive(Serialize)]
struct Remediation<'a> {
    desc: &'a str,
}

#[derive(Serialize)]
struct Unmapped<'a> {
    waiver: Waiver<'a>,
}

#[derive(Serialize)]
struct Waiver<'a> {
    reason: &'a str,
    expires: &'a str,
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
