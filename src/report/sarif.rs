//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
//!
//! One run; `tool.driver` lists every rule of the report as a
//! `reportingDescriptor`. Findings map to results as follows (see also
//! `docs/sarif.md`):
//!
//! | status | `kind`   | `level`                                         | notes |
//! |--------|----------|-------------------------------------------------|-------|
//! | FAIL   | `fail`   | `error` (critical, high), `warning` (medium, low), `note` (info) | |
//! | ERROR  | `fail`   | `warning`                                       | message prefixed `Could not evaluate: ` — the scanner fails closed, so an unevaluated check is surfaced, not hidden |
//! | WAIVED | `fail`   | as FAIL                                         | `suppressions: [{kind: external, status: accepted, justification}]` |
//! | MANUAL | `review` | `none`                                          | SARIF §3.27.10: a result whose kind is not `fail` must have level `none` |
//! | PASS   | —        | —                                               | not reported |
//!
//! A finding has no file, so its location is a path-like id
//! (`aws/<account>/<service>/<resource>`, from [`Finding::location_path`])
//! with `startLine` 1 — code scanning rejects ARNs as URIs — and the ARN
//! (for account-level findings the account's root ARN,
//! `arn:aws:iam::<account>:root`) as a logical location.
//! `partialFingerprints["orgauditFinding/v1"]` is a hash of the rule id and
//! the ARN (or account and region), so an alert keeps its identity across
//! scans even when its message changes.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultKind, ResultLevel, Run, Sarif, Suppression,
    Tool, ToolComponent,
};

use super::RenderError;
use crate::findings::{Finding, Mappings, Report, RuleInfo, Scope, Severity, Status};

/// The `$schema` written into the log.
pub const SARIF_SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of the fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "orgauditFinding/v1";

pub fn render(report: &Report) -> Result<String, RenderError> {
    let log = to_sarif(report);
    Ok(super::json::to_string(&log)?)
}

/// The SARIF log of a report.
pub fn to_sarif(report: &Report) -> Sarif {
    // Rules: those of the report, plus a minimal descriptor for any rule a
    // finding names that the report does not describe (so that every
    // `ruleIndex` resolves).
    let mut rules: Vec<RuleInfo> = report.rules.clone();
    for f in &report.findings {
        if !rules.iter().any(|r| r.id == f.rule_id) {
            rules.push(RuleInfo {
                id: f.rule_id.clone(),
                title: f.title.clone(),
                severity: f.severity,
                scope: Scope::Account,
                service: "aws".to_string(),
                manual: false,
                passes_when: None,
                rationale: String::new(),
                remediation: String::new(),
                sources: Vec::new(),
                mappings: Mappings::default(),
            });
        }
    }
    let index: BTreeMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();

    let partition = partition_of(report);
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .map(|f| {
            let i = index[f.rule_id.as_str()];
            result(f, &rules[i], i, &partition)
        })
        .collect();

    let driver = ToolComponent::builder()
        .name(report.tool.name.clone())
        .version(report.tool.version.clone())
        .semantic_version(report.tool.version.clone())
        .rules(rules.iter().map(descriptor).collect::<Vec<_>>())
        .build();

    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation(report)])
        .build();
    run.properties = Some(run_properties(report));

    Sarif::builder()
        .schema(SARIF_SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

fn descriptor(rule: &RuleInfo) -> ReportingDescriptor {
    let mut tags = vec!["security".to_string(), "aws".to_string()];
    if !rule.service.is_empty() {
        tags.push(rule.service.clone());
    }
    tags.push(rule.severity.as_str().to_string());
    if rule.manual {
        tags.push("manual".to_string());
    }
    tags.extend(rule.mappings.cis.iter().map(|c| format!("CIS-{c}")));
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        json!(rule.severity.security_severity()),
    );
    // The checks read configuration, not heuristics; a manual item is a
    // question for a person.
    props.insert(
        "precision".to_string(),
        json!(if rule.manual { "medium" } else { "very-high" }),
    );
    let mappings = mapping_lines(&rule.mappings);
    if !mappings.is_empty() {
        props.insert("mappings".to_string(), json!(rule.mappings));
    }

    let mut d = ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(pascal_case(&rule.id))
        .short_description(text_message(&rule.title))
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(fail_level(rule.severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(props)
                .build(),
        )
        .build();
    if !rule.rationale.is_empty() {
        d.full_description = Some(text_message(&rule.rationale));
    }
    if !rule.rationale.is_empty() || !rule.remediation.is_empty() {
        d.help = Some(help(rule, &mappings));
    }
    d
}

fn text_message(text: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder()
        .text(text.to_string())
        .build()
}

fn help(rule: &RuleInfo, mappings: &[String]) -> MultiformatMessageString {
    let mut text = String::new();
    let mut md = String::new();
    if !rule.rationale.is_empty() {
        text.push_str(rule.rationale.trim_end());
        text.push_str("\n\n");
        md.push_str("**Why it matters**\n\n");
        md.push_str(rule.rationale.trim_end());
        md.push_str("\n\n");
    }
    if !rule.remediation.is_empty() {
        text.push_str("Remediation:\n");
        text.push_str(rule.remediation.trim_end());
        text.push_str("\n\n");
        md.push_str("**Remediation**\n\n");
        md.push_str(rule.remediation.trim_end());
        md.push_str("\n\n");
    }
    if !mappings.is_empty() {
        text.push_str("Mappings: ");
        text.push_str(&mappings.join("; "));
        text.push_str("\n\n");
        md.push_str("**Mappings**: ");
        md.push_str(&mappings.join("; "));
        md.push_str("\n\n");
    }
    if !rule.sources.is_empty() {
        text.push_str("Sources: ");
        text.push_str(&rule.sources.join(", "));
        text.push_str("\n\n");
        md.push_str("**Sources**: ");
        md.push_str(&rule.sources.join(", "));
        md.push_str("\n\n");
    }
    MultiformatMessageString::builder()
        .text(text.trim_end().to_string())
        .markdown(md.trim_end().to_string())
        .build()
}

fn mapping_lines(m: &Mappings) -> Vec<String> {
    let mut v = Vec::new();
    if !m.cis.is_empty() {
        v.push(format!("CIS AWS Foundations {}", m.cis.join(", ")));
    }
    if !m.aws_config.is_empty() {
        v.push(format!("AWS Config {}", m.aws_config.join(", ")));
    }
    if !m.prowler.is_empty() {
        v.push(format!("Prowler {}", m.prowler.join(", ")));
    }
    v
}

/// The level of a failing result of this severity.
pub fn fail_level(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "note",
    }
}

fn result_level(sev: Severity) -> ResultLevel {
    match fail_level(sev) {
        "error" => ResultLevel::Error,
        "warning" => ResultLevel::Warning,
        _ => ResultLevel::Note,
    }
}

fn result(f: &Finding, rule: &RuleInfo, rule_index: usize, partition: &str) -> SarifResult {
    let context = match &f.region {
        Some(region) => format!(
            " (account {} {}, region {})",
            f.account_id, f.account_name, region
        ),
        None => format!(" (account {} {})", f.account_id, f.account_name),
    };
    let (kind, level, text) = match f.status {
        Status::Error => (
            ResultKind::Fail,
            ResultLevel::Warning,
            format!("{}{context}", super::could_not_evaluate(&f.message)),
        ),
        Status::Manual => (
            ResultKind::Review,
            ResultLevel::None,
            format!("Manual check: {}{context}", f.message),
        ),
        Status::Fail | Status::Waived | Status::Pass => (
            ResultKind::Fail,
            result_level(f.severity),
            format!("{}{context}", f.message),
        ),
    };

    let (fqn, name) = match &f.resource_arn {
        Some(arn) => (arn.clone(), arn_name(arn)),
        None => (
            format!("arn:{partition}:iam::{}:root", f.account_id),
            f.account_id.clone(),
        ),
    };
    let location = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(f.location_path(&rule.service))
                        .build(),
                )
                .region(Region::builder().start_line(1).build())
                .build(),
        )
        .logical_locations(vec![LogicalLocation::builder()
            .fully_qualified_name(fqn)
            .name(name)
            .kind("resource")
            .build()])
        .build();

    let mut props = BTreeMap::new();
    props.insert("status".to_string(), json!(f.status.as_str()));
    props.insert("severity".to_string(), json!(f.severity.as_str()));
    props.insert("accountId".to_string(), json!(f.account_id));
    props.insert("accountName".to_string(), json!(f.account_name));
    if let Some(region) = &f.region {
        props.insert("region".to_string(), json!(region));
    }

    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_string(), fingerprint(f));

    let mut r = SarifResult::builder()
        .rule_id(f.rule_id.clone())
        .rule_index(rule_index as i64)
        .kind(kind)
        .level(level)
        .message(Message::builder().text(text).build())
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build();

    if f.status == Status::Waived {
        let mut s = Suppression::builder()
            .kind(json!("external"))
            .status(json!("accepted"))
            .build();
        if let Some(w) = &f.waiver {
            s.justification = Some(w.reason.clone());
            let mut p = BTreeMap::new();
            p.insert("expires".to_string(), json!(w.expires));
            s.properties = Some(PropertyBag::builder().additional_properties(p).build());
        }
        r.suppressions = Some(vec![s]);
    }
    r
}

fn invocation(report: &Report) -> Invocation {
    let notes = |lines: &[String]| -> Vec<Notification> {
        lines
            .iter()
            .map(|l| {
                Notification::builder()
                    .level(json!("warning"))
                    .message(Message::builder().text(l.clone()).build())
                    .build()
            })
            .collect()
    };
    let mut inv = Invocation::builder().execution_successful(true).build();
    if !report.source.incomplete.is_empty() {
        inv.tool_execution_notifications = Some(notes(&report.source.incomplete));
    }
    if !report.warnings.is_empty() {
        inv.tool_configuration_notifications = Some(notes(&report.warnings));
    }
    inv
}

fn run_properties(report: &Report) -> PropertyBag {
    let mut p: BTreeMap<String, Value> = BTreeMap::new();
    let s = &report.source;
    if let Some(org) = &s.organization_id {
        p.insert("organizationId".to_string(), json!(org));
    }
    if let Some(mgmt) = &s.management_account_id {
        p.insert("managementAccountId".to_string(), json!(mgmt));
    }
    p.insert("collectedAt".to_string(), json!(s.collected_at));
    p.insert("regions".to_string(), json!(s.regions));
    p.insert("findingsFormat".to_string(), json!(report.format));
    PropertyBag::builder().additional_properties(p).build()
}

/// The partition of the report's ARNs (`aws`, `aws-us-gov`, `aws-cn`…).
fn partition_of(report: &Report) -> String {
    report
        .findings
        .iter()
        .filter_map(|f| f.resource_arn.as_deref())
        .filter_map(|arn| arn.split(':').nth(1))
        .find(|p| !p.is_empty())
        .unwrap_or("aws")
        .to_string()
}

/// The last segment of an ARN's resource part: `…:user/ops/alice` → `alice`.
fn arn_name(arn: &str) -> String {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    resource
        .rsplit(['/', ':'])
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(resource)
        .to_string()
}

/// `root-mfa-enabled` → `RootMfaEnabled`.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut cs = p.chars();
            match cs.next() {
                Some(c) => c.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// The stable identity of a finding: FNV-1a (64 bit) of the rule id and the
/// resource ARN, or of the rule id, account and region for account-level
/// findings; 16 hex digits.
pub fn fingerprint(f: &Finding) -> String {
    let key = match &f.resource_arn {
        Some(arn) => format!("{}\u{0}arn\u{0}{}", f.rule_id, arn),
        None => format!(
            "{}\u{0}account\u{0}{}\u{0}{}",
            f.rule_id,
            f.account_id,
            f.region.as_deref().unwrap_or("")
        ),
    };
    format!("{:016x}", fnv1a64(key.as_bytes()))
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .iter()
        .fold(OFFSET, |h, b| (h ^ u64::from(*b)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_known_vectors() {
        // Test vectors of the FNV specification.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn names() {
        assert_eq!(pascal_case("root-mfa-enabled"), "RootMfaEnabled");
        assert_eq!(
            arn_name("arn:aws:iam::123456789012:user/ops/alice"),
            "alice"
        );
        assert_eq!(
            arn_name("arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail"),
            "org-trail"
        );
        assert_eq!(fail_level(Severity::Medium), "warning");
    }
}
