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
    /// `aws/<account-id>/<service>/<resource>`.
    pub fn location_path(&self, service: &str) -> String {
        let resource = match &self.resource_arn {
            Some(arn) => arn_resource_path(arn),
            None => format!("{service}/account"),
        };
        let mut path = format!("aws/{}/{}", self.account_id, resource);
        if let Some(region) = &self.region {
            if self.resource_arn.is_none() {
                path.push('/');
                path.push_str(region);
            }
        }
        path
    }
}

/// `arn:aws:iam::123:user/alice` → `iam/user/alice` (URI-safe characters only).
pub fn arn_resource_path(arn: &str) -> String {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let raw = if parts.len() == 6 {
        let region = if parts[3].is_empty() {
            String::new()
        } else {
            format!("{}/", parts[3])
        };
        format!("{}/{}{}", parts[2], region, parts[5].replace(':', "/"))
    } else {
        arn.to_string()
    };
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-._~/+=@,".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
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
