//! The findings model: one result per rule × account (× resource), and the
//! report that carries them to every renderer.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::snapshot::{CollectError, Unavailable};

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
    /// Worst first: FAIL 0, ERROR 1, WAIVED 2, MANUAL 3, PASS 4 (the order
    /// of [`Status::ALL`]). Where one status must stand for several (a
    /// heat-map cell, a key seen twice), the lowest rank wins.
    pub fn rank(self) -> u8 {
        match self {
            Status::Fail => 0,
            Status::Error => 1,
            Status::Waived => 2,
            Status::Manual => 3,
            Status::Pass => 4,
        }
    }
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
    /// Why the rule could not be evaluated, for the renderers to word; the
    /// findings document has it in words only (`message`), so a finding
    /// read from one has none.
    #[serde(skip)]
    pub unevaluated: Option<Unevaluated>,
}

impl Finding {
    /// Failing: counts against the gate.
    pub fn is_failing(&self) -> bool {
        self.status == Status::Fail
    }
    /// What the finding is about ([`FindingKey`]).
    pub fn key(&self) -> FindingKey<'_> {
        FindingKey {
            rule_id: &self.rule_id,
            account_id: &self.account_id,
            resource_arn: self.resource_arn.as_deref(),
            region: self.region.as_deref(),
        }
    }
    /// The order in which findings are listed ([`listing_order`]).
    pub fn listing_key(&self) -> ListingKey<'_> {
        listing_order(self.severity, Some(self.status), self.key())
    }
    /// The finding with its message worded from why it could not be
    /// evaluated: `Could not evaluate: …` for an ERROR, the reason alone for
    /// the FAIL of a rule that fails when its facts are unavailable.
    pub fn worded(mut self) -> Finding {
        if let Some(why) = &self.unevaluated {
            self.message = match self.status {
                Status::Error => why.sentence(),
                _ => why.to_string(),
            };
        }
        self
    }
}

/// How the message of an ERROR finding begins.
pub const COULD_NOT_EVALUATE: &str = "Could not evaluate: ";

/// Why a rule could not be evaluated: the reason of an ERROR finding (or of
/// the FAIL finding of a rule that fails when its facts are unavailable).
#[derive(Debug, Clone, PartialEq)]
pub enum Unevaluated {
    /// Facts the rule reads are unavailable. `section`: the path the rule
    /// reads, up to the unavailable section (`account.iam.users`,
    /// `u.inline_policies`, `mgmt`).
    Unavailable {
        section: String,
        missing: MissingFacts,
    },
    /// The account could not be reached (its `access` section).
    Unreached(MissingFacts),
    /// An expression of the rule failed to run.
    Expression(cel::ExecutionError),
    /// The `where` filter or the condition gave a value that is not a
    /// boolean, of type `got`.
    NotBoolean { part: RulePart, got: String },
    /// The `for_each` collection gave a value that is not a list.
    NotAList { collection: String, got: String },
}

/// A part of a rule that gives a boolean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RulePart {
    Where,
    Condition,
}

impl Unevaluated {
    /// The facts that are missing, when that is why.
    pub fn missing(&self) -> Option<&MissingFacts> {
        match self {
            Unevaluated::Unavailable { missing, .. } | Unevaluated::Unreached(missing) => {
                Some(missing)
            }
            _ => None,
        }
    }
    /// The message of an ERROR finding: `Could not evaluate: …`.
    pub fn sentence(&self) -> String {
        format!("{COULD_NOT_EVALUATE}{self}")
    }
}

/// Why, in one line (without [`COULD_NOT_EVALUATE`]).
impl std::fmt::Display for Unevaluated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unevaluated::Unavailable { missing, .. } => missing.fmt(f),
            Unevaluated::Unreached(missing) => {
                write!(f, "the account was not reached: {missing}")
            }
            Unevaluated::Expression(e) => e.fmt(f),
            Unevaluated::NotBoolean {
                part: RulePart::Where,
                got,
            } => write!(f, "`where` gave a value of type {got}, not a boolean"),
            Unevaluated::NotBoolean {
                part: RulePart::Condition,
                got,
            } => write!(f, "the condition gave a value of type {got}, not a boolean"),
            Unevaluated::NotAList { collection, got } => {
                write!(f, "`{collection}` is not a list but a value of type {got}")
            }
        }
    }
}

/// Why facts a rule reads are unavailable.
#[derive(Debug, Clone, PartialEq)]
pub enum MissingFacts {
    /// Reading them failed.
    Failed(CollectError),
    /// Nobody tried, for this reason.
    NotCollected(String),
    /// Not known, for this reason: the snapshot does not have them (`mgmt`
    /// of a snapshot without the management account), or a fact derived
    /// from others could not be told.
    Unknown(String),
}

impl From<Unavailable<'_>> for MissingFacts {
    fn from(u: Unavailable<'_>) -> Self {
        match u {
            Unavailable::Failed(error) => MissingFacts::Failed(error.clone()),
            Unavailable::NotCollected(reason) => MissingFacts::NotCollected(reason.to_string()),
        }
    }
}

/// One line, worded as [`Unavailable`] words a section.
impl std::fmt::Display for MissingFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MissingFacts::Failed(error) => Unavailable::Failed(error).fmt(f),
            MissingFacts::NotCollected(reason) => Unavailable::NotCollected(reason).fmt(f),
            MissingFacts::Unknown(reason) => f.write_str(reason),
        }
    }
}

/// The identity of a finding: rule × account × resource ARN × region. Two
/// audits' findings with the same key are the same finding (`diff` matches
/// on it); SARIF's fingerprint, ASFF's `Id` and OCSF's `finding_info.uid`
/// are derived from it ([`FindingKey::fingerprint`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FindingKey<'a> {
    pub rule_id: &'a str,
    pub account_id: &'a str,
    pub resource_arn: Option<&'a str>,
    pub region: Option<&'a str>,
}

impl<'a> FindingKey<'a> {
    /// Where the finding is, for people: the ARN, else the region, else
    /// `None` (the account itself).
    pub fn location(&self) -> Option<&'a str> {
        self.resource_arn.or(self.region)
    }
    /// [`FindingKey::location`], with `account` for the account itself.
    pub fn location_label(&self) -> &'a str {
        self.location().unwrap_or("account")
    }
    /// The finding's stable id in documents other tools import (ASFF `Id`,
    /// OCSF `finding_info.uid`, the CSV `finding_id`):
    /// `orgaudit/<account>/<rule>/<fingerprint>`.
    pub fn id(&self) -> String {
        format!(
            "orgaudit/{}/{}/{}",
            self.account_id,
            self.rule_id,
            self.fingerprint()
        )
    }
    /// The stable identity as 16 hex digits: FNV-1a (64 bit) of the rule id
    /// and the resource ARN, or of the rule id, account and region for
    /// account-level findings. It does not change when the message does.
    pub fn fingerprint(&self) -> String {
        let key = match self.resource_arn {
            Some(arn) => format!("{}\u{0}arn\u{0}{}", self.rule_id, arn),
            None => format!(
                "{}\u{0}account\u{0}{}\u{0}{}",
                self.rule_id,
                self.account_id,
                self.region.unwrap_or("")
            ),
        };
        format!("{:016x}", fnv1a64(key.as_bytes()))
    }
}

pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .iter()
        .fold(OFFSET, |h, b| (h ^ u64::from(*b)).wrapping_mul(PRIME))
}

/// See [`listing_order`].
pub type ListingKey<'a> = (
    Severity,
    &'a str,
    &'a str,
    Option<Status>,
    Option<&'a str>,
    Option<&'a str>,
);

/// The order in which every renderer (and `diff`) lists findings: most
/// severe first, then by account, rule, status (when there is one), resource
/// and region.
pub fn listing_order(
    severity: Severity,
    status: Option<Status>,
    key: FindingKey<'_>,
) -> ListingKey<'_> {
    (
        severity,
        key.account_id,
        key.rule_id,
        status,
        key.resource_arn,
        key.region,
    )
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct Mappings {
    /// Requirement numbers per compliance framework, keyed by the
    /// framework's id (`cis-3.0`, `cis-5.0`: see `frameworks/`), e.g.
    /// `{"cis-3.0": ["1.4"], "cis-5.0": ["1.3"]}`.
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// AWS Config managed rule identifiers.
    pub aws_config: Vec<String>,
    /// Prowler check ids.
    pub prowler: Vec<String>,
    /// Where the framework numbers were verified (public sources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cited: Option<String>,
}

impl Mappings {
    /// The requirement numbers of framework `id` (empty when unmapped).
    pub fn numbers(&self, id: &str) -> &[String] {
        self.frameworks.get(id).map_or(&[], |n| &n[..])
    }
    /// Short tags, one per requirement: `CIS-5.0-1.3`.
    pub fn framework_tags(&self) -> Vec<String> {
        self.frameworks
            .iter()
            .flat_map(|(id, numbers)| {
                numbers
                    .iter()
                    .map(move |n| format!("{}-{n}", id.to_uppercase()))
            })
            .collect()
    }
}

/// The framework whose numbers `mappings.cis` gave before mappings were
/// keyed by framework: findings documents and rule files of orgaudit 0.1.
pub const LEGACY_CIS_FRAMEWORK: &str = "cis-3.0";

/// Reads the current shape and the one of orgaudit 0.1 (`cis`: CIS AWS
/// Foundations v3.0.0 numbers), so that older findings documents still
/// parse (`orgaudit diff`).
impl<'de> Deserialize<'de> for Mappings {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            #[serde(default)]
            frameworks: BTreeMap<String, Vec<String>>,
            #[serde(default)]
            cis: Vec<String>,
            #[serde(default)]
            aws_config: Vec<String>,
            #[serde(default)]
            prowler: Vec<String>,
            #[serde(default)]
            cited: Option<String>,
        }
        let mut w = Wire::deserialize(d)?;
        if !w.cis.is_empty() {
            w.frameworks
                .entry(LEGACY_CIS_FRAMEWORK.to_string())
                .or_default()
                .extend(w.cis);
        }
        Ok(Mappings {
            frameworks: w.frameworks,
            aws_config: w.aws_config,
            prowler: w.prowler,
            cited: w.cited,
        })
    }
}

/// How one compliance framework fared: each of its requirements that the
/// evaluated rules map to, judged from their findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FrameworkSummary {
    /// `cis-5.0`.
    pub id: String,
    /// `CIS AWS Foundations Benchmark`.
    pub name: String,
    /// `5.0.0`.
    pub version: String,
    /// Requirements the framework has.
    pub requirements_total: usize,
    /// Requirements at least one evaluated rule maps to; the others are not
    /// checked by this audit.
    pub requirements_covered: usize,
    pub passed: usize,
    pub failed: usize,
    /// Requirements whose only failures are waived.
    pub waived: usize,
    pub not_evaluated: usize,
    pub manual: usize,
    /// `passed / (passed + failed + waived + not_evaluated)`: the share of
    /// the automatically judged requirements that passed (a requirement
    /// that could not be evaluated counts against it, never for it); null
    /// when no requirement is judged automatically.
    pub pass_rate: Option<f64>,
    /// The covered requirements, in the framework's order.
    pub requirements: Vec<RequirementResult>,
}

impl FrameworkSummary {
    /// `CIS AWS Foundations Benchmark v5.0.0`.
    pub fn title(&self) -> String {
        format!("{} v{}", self.name, self.version)
    }
    /// The pass rate as a whole percentage, e.g. `67%`, or `n/a`.
    pub fn pass_rate_text(&self) -> String {
        match self.pass_rate {
            Some(r) => format!("{}%", (r * 100.0).round() as u32),
            None => "n/a".to_string(),
        }
    }
    /// One line, e.g. `CIS AWS Foundations Benchmark v5.0.0: 16 of 63
    /// requirements checked: 9 passed, 3 failed, 2 not evaluated, 2 manual;
    /// pass rate 64% (9 of 14)`.
    pub fn line(&self) -> String {
        let automated = self.passed + self.failed + self.waived + self.not_evaluated;
        let waived = if self.waived > 0 {
            format!(", {} waived", self.waived)
        } else {
            String::new()
        };
        format!(
            "{}: {} of {} requirements checked: {} passed, {} failed{waived}, {} not evaluated, \
             {} manual; pass rate {} ({} of {automated})",
            self.title(),
            self.requirements_covered,
            self.requirements_total,
            self.passed,
            self.failed,
            self.not_evaluated,
            self.manual,
            self.pass_rate_text(),
            self.passed,
        )
    }
}

/// One requirement of a framework, judged from the findings of the rules
/// mapped to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RequirementResult {
    /// The framework's number, e.g. `1.3`.
    pub id: String,
    pub title: String,
    pub status: RequirementStatus,
    /// The rules mapped to it.
    pub rules: Vec<String>,
}

/// The verdict on a requirement: FAILED when any finding of its rules
/// fails; otherwise NOT_EVALUATED when any is ERROR (or its rules produced
/// no finding); otherwise WAIVED when a failure is waived; otherwise
/// PASSED when an automated rule passed; otherwise MANUAL (only checklist
/// items map to it).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RequirementStatus {
    Failed,
    NotEvaluated,
    Waived,
    Passed,
    Manual,
}

impl RequirementStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequirementStatus::Failed => "FAILED",
            RequirementStatus::NotEvaluated => "NOT_EVALUATED",
            RequirementStatus::Waived => "WAIVED",
            RequirementStatus::Passed => "PASSED",
            RequirementStatus::Manual => "MANUAL",
        }
    }
    /// For people: `failed`, `not evaluated`…
    pub fn label(self) -> &'static str {
        match self {
            RequirementStatus::Failed => "failed",
            RequirementStatus::NotEvaluated => "not evaluated",
            RequirementStatus::Waived => "waived",
            RequirementStatus::Passed => "passed",
            RequirementStatus::Manual => "manual",
        }
    }
}

impl Mappings {
    /// Each framework with its label and the rule's identifiers in it (empty
    /// when the rule is not mapped there), in the order reports list them:
    /// every compliance framework of the catalogue (requirement numbers,
    /// `numbered`), then the AWS Config managed rules and Prowler checks
    /// (identifiers).
    pub fn labelled(&self) -> Vec<MappingLabel<'_>> {
        const NONE: &[String] = &[];
        let mut v: Vec<MappingLabel> = crate::compliance::frameworks()
            .iter()
            .map(|fw| MappingLabel {
                label: fw.title(),
                ids: self.frameworks.get(&fw.id).map_or(NONE, |n| &n[..]),
                numbered: true,
            })
            .collect();
        // A framework of a findings document that this build does not know.
        for (id, numbers) in &self.frameworks {
            if crate::compliance::get(id).is_none() {
                v.push(MappingLabel {
                    label: id.clone(),
                    ids: numbers,
                    numbered: true,
                });
            }
        }
        v.push(MappingLabel {
            label: "AWS Config managed rule".to_string(),
            ids: &self.aws_config,
            numbered: false,
        });
        v.push(MappingLabel {
            label: "Prowler".to_string(),
            ids: &self.prowler,
            numbered: false,
        });
        v
    }
}

/// One entry of [`Mappings::labelled`].
#[derive(Debug, Clone, PartialEq)]
pub struct MappingLabel<'a> {
    /// `CIS AWS Foundations Benchmark v5.0.0`, `Prowler`.
    pub label: String,
    pub ids: &'a [String],
    /// Requirement numbers of a compliance framework (prose), rather than
    /// identifiers of a peer tool (code).
    pub numbered: bool,
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
    /// Per compliance framework: its requirements passed, failed, not
    /// evaluated and manual (every framework, or the one `--framework` chose).
    #[serde(default)]
    pub frameworks: Vec<FrameworkSummary>,
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
    /// Recomputes the summary and the framework summaries (of the
    /// frameworks the report already summarizes) from the findings, after
    /// they changed (waivers applied).
    pub fn recount(&mut self) {
        self.summary = Summary::of(&self.findings);
        let ids: Vec<String> = self.frameworks.iter().map(|f| f.id.clone()).collect();
        self.frameworks = crate::compliance::summarize(&self.rules, &self.findings, Some(&ids));
    }

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
    fn fnv1a64_known_vectors() {
        // Test vectors of the FNV specification.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn rank_is_the_order_of_all() {
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(usize::from(s.rank()), i);
        }
    }
}
