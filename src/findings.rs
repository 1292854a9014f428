//! The findings model: one result per rule × account (× resource), and the
//! report that carries them to every renderer.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The outcome of one rule on one account or resource.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// The rule's condition holds.
    Pass,
    /// The rule's condition does not hold.
    Fail,
    /// The rule could not be evaluated: its facts are missing, denied or
    /// errored, or the condition failed to run. Never counted as a pass.
    Error,
    /// A checklist item that a person must check; no API tells.
    Manual,
    /// A failing finding covered by a waiver in the config file.
    Waived,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Fail,
        Status::Error,
        Status::Waived,
        Status::Manual,
        Status::Pass,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Error => "ERROR",
            Status::Manual => "MANUAL",
            Status::Waived => "WAIVED",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a failing finding is. Ordered from most to least severe.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }
    /// The CVSS-like score GitHub code scanning reads from `security-severity`.
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "3.0",
            Severity::Info => "0.0",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity `{s}` (expected critical, high, medium, low or info)")
            })
    }
}

/// Where a rule is evaluated.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Once per organization, from the management account's view.
    Org,
    /// In every account, the management account included.
    Account,
    /// In the management account only.
    Mgmt,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub account_id: String,
    pub account_name: String,
    /// The region, for regional resources.
    pub region: Option<String>,
    /// The resource's ARN, for per-resource rules.
    pub resource_arn: Option<String>,
    /// What was found; for ERROR, why the rule could not be evaluated.
    pub message: String,
    /// The waiver that covers this finding (status WAIVED).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
}

impl Finding {
    /// Failing: counts against the gate.
    pub fn is_failing(&self) -> bool {
        self.status == Status::Fail
    }
    /// The SARIF artifact path of the finding's location:
    /// `aws/<account-id>/<service>/<resource>`, every segment made by
    /// [`uri_segment`]: a relative path that stays below `aws/`.
    pub fn location_path(&self, service: &str) -> String {
        let mut segments: Vec<&str> = vec!["aws", &self.account_id];
        match &self.resource_arn {
            Some(arn) => segments.extend(arn_resource_segments(arn)),
            None => {
                segments.extend([service, "account"]);
                if let Some(region) = &self.region {
                    segments.push(region);
                }
            }
        }
        segments
            .iter()
            .map(|s| uri_segment(s))
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// `arn:aws:iam::123:user/alice` → `iam`, `user`, `alice`: the service, the
/// region if any, and the resource split at `:` and `/`. A value that is not
/// an ARN is split at `/`.
fn arn_resource_segments(arn: &str) -> Vec<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 {
        return arn.split('/').collect();
    }
    let mut out = vec![parts[2]];
    if !parts[3].is_empty() {
        out.push(parts[3]);
    }
    out.extend(parts[5].split([':', '/']));
    out
}

/// One segment of a relative URI path (RFC 3986): bytes other than ASCII
/// letters, digits and `-._~+=@,` percent-encoded; a segment containing
/// `..` has its dots encoded, and one made only of dots (or empty) gets a
/// leading `_`, so that no segment is, or decodes to, `.` or `..`: the
/// path cannot climb out of `aws/`.
pub fn uri_segment(s: &str) -> String {
    use std::fmt::Write;
    let dots_too = s.contains("..");
    let mut out = String::with_capacity(s.len() + 1);
    if s.bytes().all(|b| b == b'.') {
        out.push('_');
    }
    for b in s.bytes() {
        let keep =
            b.is_ascii_alphanumeric() || (b"-_~+=@,".contains(&b)) || (b == b'.' && !dots_too);
        if keep {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A waiver as applied to a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AppliedWaiver {
    pub reason: String,
    /// `YYYY-MM-DD`.
    pub expires: String,
}

/// What renderers need to know about a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub scope: Scope,
    /// The AWS service the rule reads (`iam`, `cloudtrail`…).
    pub service: String,
    pub manual: bool,
    /// Exactly what passes, in words (the rule file's `passes_when`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passes_when: Option<String>,
    pub rationale: String,
    pub remediation: String,
    pub sources: Vec<String>,
    pub mappings: Mappings,
}

/// Compliance mappings of a rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mappings {
    /// CIS AWS Foundations Benchmark v3.0.0 recommendation numbers.
    #[serde(default)]
    pub cis: Vec<String>,
    /// AWS Config managed rule identifiers.
    #[serde(default)]
    pub aws_config: Vec<String>,
    /// Prowler check ids.
    #[serde(default)]
    pub prowler: Vec<String>,
}

/// An account as the report lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AccountRef {
    pub id: String,
    pub name: String,
    pub ou_path: String,
    pub is_management: bool,
    /// Null when the account was reached; otherwise why not.
    pub unreachable: Option<String>,
    /// `ACTIVE`, or `SUSPENDED` / `PENDING_CLOSURE` for a closed account,
    /// which is listed but not audited (no findings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// Counts of findings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    pub total: usize,
    /// Findings per status (`PASS`, `FAIL`, `ERROR`, `MANUAL`, `WAIVED`), all present.
    pub by_status: BTreeMap<Status, usize>,
    /// FAIL findings per severity, all severities present.
    pub failing_by_severity: BTreeMap<Severity, usize>,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Summary {
        let mut by_status: BTreeMap<Status, usize> = Status::ALL.iter().map(|s| (*s, 0)).collect();
        let mut failing_by_severity: BTreeMap<Severity, usize> =
            Severity::ALL.iter().map(|s| (*s, 0)).collect();
        for f in findings {
            *by_status.entry(f.status).or_default() += 1;
            if f.is_failing() {
                *failing_by_severity.entry(f.severity).or_default() += 1;
            }
        }
        Summary {
            total: findings.len(),
            by_status,
            failing_by_severity,
        }
    }
    pub fn count(&self, status: Status) -> usize {
        self.by_status.get(&status).copied().unwrap_or(0)
    }
}

/// Facts about the evaluated snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReportSource {
    pub organization_id: Option<String>,
    pub management_account_id: Option<String>,
    pub collected_at: String,
    pub regions: Vec<String>,
    /// Parts of the snapshot that could not be read (`account 1111…: iam:… AccessDenied`).
    pub incomplete: Vec<String>,
}

/// The result of an evaluation: what every renderer renders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// `orgaudit-findings/1`: the format of this document.
    pub format: String,
    pub tool: ToolInfo,
    pub source: ReportSource,
    pub accounts: Vec<AccountRef>,
    pub rules: Vec<RuleInfo>,
    /// Ordered by account, then rule id, then resource.
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// Notes for the reader: expired or unused waivers and the like.
    #[serde(default)]
    pub warnings: Vec<String>,
}

pub const REPORT_FORMAT: &str = "orgaudit-findings/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

impl ToolInfo {
    pub fn current() -> ToolInfo {
        ToolInfo {
            name: "orgaudit".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

impl Report {
    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
    }
    /// The JSON Schema of this document (`docs/findings.schema.json`).
    pub fn schema_json() -> String {
        let mut s = serde_json::to_string_pretty(&schemars::schema_for!(Report)).expect("schema");
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_segments_are_percent_encoded_and_never_dot_segments() {
        assert_eq!(uri_segment("jane.admin"), "jane.admin");
        assert_eq!(uri_segment("Monthly cost"), "Monthly%20cost");
        assert_eq!(uri_segment("a?b#c%d"), "a%3Fb%23c%25d");
        assert_eq!(uri_segment("é"), "%C3%A9");
        assert_eq!(uri_segment(".."), "_%2E%2E");
        assert_eq!(uri_segment("."), "_.");
        assert_eq!(uri_segment(""), "_");
        assert_eq!(uri_segment("a..b"), "a%2E%2Eb");
        assert_eq!(uri_segment("x/y\\z"), "x%2Fy%5Cz");
    }

    #[test]
    fn location_path_stays_below_aws() {
        let f = Finding {
            rule_id: "r".into(),
            title: "t".into(),
            severity: Severity::High,
            status: Status::Fail,
            account_id: "../../111".into(),
            account_name: "n".into(),
            region: None,
            resource_arn: Some("arn:aws:iam::111:user/../../../etc/passwd".into()),
            message: "m".into(),
            waiver: None,
        };
        let path = f.location_path("iam");
        assert_eq!(
            path,
            "aws/%2E%2E%2F%2E%2E%2F111/iam/user/_%2E%2E/_%2E%2E/_%2E%2E/etc/passwd"
        );
        assert!(!path.contains(".."), "{path}");
        let f = Finding {
            resource_arn: None,
            region: Some("eu-west-1".into()),
            account_id: "222222222222".into(),
            ..f
        };
        assert_eq!(
            f.location_path("config"),
            "aws/222222222222/config/account/eu-west-1"
        );
    }
}
