//! `orgaudit diff OLD NEW`: what changed between two audits.
//!
//! Both sides are findings documents (`orgaudit eval -f json`) or both are
//! snapshots (evaluated here with the same rules, config and waivers).
//! Findings are matched on *rule id + account id + resource ARN + region*
//! and sorted into:
//!
//! - **new**: FAIL now, not FAIL before (absent, PASS, ERROR, WAIVED…);
//! - **fixed**: FAIL before, PASS now;
//! - **still failing**: FAIL on both sides;
//! - **unverified**: FAIL before, and now WAIVED, ERROR, MANUAL or gone
//!   (account left, rule removed): no longer failing, but not shown to pass.
//!
//! New failures (at or above `--fail-on`) make the exit code 1.
//!
//! The comparison is here; its renderers are in [`render`].

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::findings::{
    listing_order, AppliedWaiver, Finding, FindingKey, Report, Severity, Status, REPORT_FORMAT,
};

mod render;

pub use render::{render, write, DiffFormat};

/// The format of the diff document.
pub const DIFF_FORMAT: &str = "orgaudit-diff/1";

/// What a diff input file turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A findings document (`orgaudit-findings/1`).
    Findings,
    /// A snapshot (`schema_version`).
    Snapshot,
}

impl InputKind {
    pub fn describe(self) -> &'static str {
        match self {
            InputKind::Findings => "a findings document",
            InputKind::Snapshot => "a snapshot",
        }
    }
}

/// A diff input that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Not JSON: the position and what is wrong there.
    #[error("{0}")]
    Json(Diagnostic),
    #[error(
        "{path}: neither an orgaudit findings document (`\"format\": \"{REPORT_FORMAT}\"`, from \
         `orgaudit eval -f json`) nor an orgaudit snapshot (`\"schema_version\"`)"
    )]
    UnknownKind { path: String },
    #[error(
        "{path}: findings format `{found}` is not supported by this orgaudit (it reads \
         {REPORT_FORMAT})"
    )]
    FindingsVersion { path: String, found: String },
    /// JSON, but not a findings document of this version.
    #[error("{0}")]
    Findings(Diagnostic),
    #[error(
        "cannot compare {old_path} ({}) with {new_path} ({}): give two findings documents or two snapshots",
        old_kind.describe(),
        new_kind.describe()
    )]
    Mixed {
        old_path: String,
        old_kind: InputKind,
        new_path: String,
        new_kind: InputKind,
    },
}

/// Reads a diff input and tells what it is. A findings document is parsed
/// here; a snapshot is returned as text for the caller to load and evaluate.
fn read_input(path: &Path) -> Result<(InputKind, String), DiffError> {
    let shown = path.display().to_string();
    let text = crate::fsutil::read_snapshot(path).map_err(|source| DiffError::Read {
        path: shown.clone(),
        source,
    })?;
    #[derive(Deserialize)]
    struct Probe {
        format: Option<serde_json::Value>,
        schema_version: Option<serde_json::Value>,
    }
    let probe: Probe = serde_json::from_str(&text)
        .map_err(|e| DiffError::Json(Diagnostic::from_json(&shown, "not valid JSON", &e)))?;
    match (probe.format, probe.schema_version) {
        (Some(serde_json::Value::String(f)), _) if f.starts_with("orgaudit-findings/") => {
            if f != REPORT_FORMAT {
                return Err(DiffError::FindingsVersion {
                    path: shown,
                    found: f,
                });
            }
            Ok((InputKind::Findings, text))
        }
        (None, Some(_)) => Ok((InputKind::Snapshot, text)),
        _ => Err(DiffError::UnknownKind { path: shown }),
    }
}

/// The two inputs of a diff, read and of one kind.
pub enum Inputs {
    /// Two findings documents, parsed.
    Findings { old: Box<Report>, new: Box<Report> },
    /// Two snapshots, as text, for the caller to load and evaluate.
    Snapshots { old: String, new: String },
}

/// Reads both inputs of a diff ([`read_input`]); they must be of one kind.
pub fn read_inputs(old: &Path, new: &Path) -> Result<Inputs, DiffError> {
    let (old_kind, old_text) = read_input(old)?;
    let (new_kind, new_text) = read_input(new)?;
    if old_kind != new_kind {
        return Err(DiffError::Mixed {
            old_path: old.display().to_string(),
            old_kind,
            new_path: new.display().to_string(),
            new_kind,
        });
    }
    Ok(match old_kind {
        InputKind::Findings => Inputs::Findings {
            old: Box::new(parse_findings(old, &old_text)?),
            new: Box::new(parse_findings(new, &new_text)?),
        },
        InputKind::Snapshot => Inputs::Snapshots {
            old: old_text,
            new: new_text,
        },
    })
}

/// Parses a findings document read by [`read_input`].
fn parse_findings(path: &Path, text: &str) -> Result<Report, DiffError> {
    serde_json::from_str(text).map_err(|e| {
        DiffError::Findings(Diagnostic::from_json(
            &path.display().to_string(),
            "not a valid orgaudit findings document",
            &e,
        ))
    })
}

/// Which audit a side of the diff is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Side {
    pub organization_id: Option<String>,
    pub collected_at: String,
    pub accounts: usize,
    pub failing: usize,
}

/// One finding that changed (or did not).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DiffEntry {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub account_id: String,
    pub account_name: String,
    pub region: Option<String>,
    pub resource_arn: Option<String>,
    /// Status in the old audit; null when the finding was not there.
    pub old_status: Option<Status>,
    /// Status in the new audit; null when the finding is gone.
    pub new_status: Option<Status>,
    /// The newest message (the old one when the finding is gone).
    pub message: String,
    /// The waiver now covering the finding, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
}

/// Counts per category.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DiffSummary {
    pub new: usize,
    pub fixed: usize,
    pub still_failing: usize,
    pub unverified: usize,
}

/// The result of `orgaudit diff`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Diff {
    /// `orgaudit-diff/1`.
    pub format: String,
    pub old: Side,
    pub new: Side,
    pub summary: DiffSummary,
    /// FAIL now, not FAIL before.
    pub new_failures: Vec<DiffEntry>,
    /// FAIL before, PASS now.
    pub fixed: Vec<DiffEntry>,
    /// FAIL on both sides.
    pub still_failing: Vec<DiffEntry>,
    /// FAIL before; now WAIVED, ERROR, MANUAL or gone.
    pub unverified: Vec<DiffEntry>,
}

impl DiffEntry {
    /// What the entry is about: the same identity as its findings'.
    pub fn key(&self) -> FindingKey<'_> {
        FindingKey {
            rule_id: &self.rule_id,
            account_id: &self.account_id,
            resource_arn: self.resource_arn.as_deref(),
            region: self.region.as_deref(),
        }
    }
}

/// Findings by key; should a key repeat, the worst status wins.
fn index(report: &Report) -> BTreeMap<FindingKey<'_>, &Finding> {
    let mut map: BTreeMap<FindingKey, &Finding> = BTreeMap::new();
    for f in &report.findings {
        map.entry(f.key())
            .and_modify(|old| {
                if f.status.rank() < old.status.rank() {
                    *old = f;
                }
            })
            .or_insert(f);
    }
    map
}

fn side(r: &Report) -> Side {
    let mut accounts: Vec<&str> = r.accounts.iter().map(|a| a.id.as_str()).collect();
    accounts.extend(r.findings.iter().map(|f| f.account_id.as_str()));
    accounts.sort_unstable();
    accounts.dedup();
    Side {
        organization_id: r.source.organization_id.clone(),
        collected_at: r.source.collected_at.clone(),
        accounts: accounts.len(),
        failing: r
            .findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .count(),
    }
}

fn entry(old: Option<&Finding>, new: Option<&Finding>) -> DiffEntry {
    let f = new.or(old).expect("one side is present");
    DiffEntry {
        rule_id: f.rule_id.clone(),
        title: f.title.clone(),
        severity: f.severity,
        account_id: f.account_id.clone(),
        account_name: f.account_name.clone(),
        region: f.region.clone(),
        resource_arn: f.resource_arn.clone(),
        old_status: old.map(|f| f.status),
        new_status: new.map(|f| f.status),
        message: f.message.clone(),
        waiver: new.and_then(|f| f.waiver.clone()),
    }
}

/// Compares two audits.
pub fn compare(old: &Report, new: &Report) -> Diff {
    let old_ix = index(old);
    let new_ix = index(new);
    let mut d = Diff {
        format: DIFF_FORMAT.to_string(),
        old: side(old),
        new: side(new),
        summary: DiffSummary::default(),
        new_failures: Vec::new(),
        fixed: Vec::new(),
        still_failing: Vec::new(),
        unverified: Vec::new(),
    };
    for (k, n) in &new_ix {
        let o = old_ix.get(k).copied();
        let was_failing = o.is_some_and(|o| o.status == Status::Fail);
        match (was_failing, n.status) {
            (false, Status::Fail) => d.new_failures.push(entry(o, Some(n))),
            (true, Status::Fail) => d.still_failing.push(entry(o, Some(n))),
            (true, Status::Pass) => d.fixed.push(entry(o, Some(n))),
            (true, _) => d.unverified.push(entry(o, Some(n))),
            (false, _) => {}
        }
    }
    for (k, o) in &old_ix {
        if o.status == Status::Fail && !new_ix.contains_key(k) {
            d.unverified.push(entry(Some(o), None));
        }
    }
    for list in [
        &mut d.new_failures,
        &mut d.fixed,
        &mut d.still_failing,
        &mut d.unverified,
    ] {
        list.sort_by(|a, b| {
            listing_order(a.severity, None, a.key()).cmp(&listing_order(b.severity, None, b.key()))
        });
    }
    d.summary = DiffSummary {
        new: d.new_failures.len(),
        fixed: d.fixed.len(),
        still_failing: d.still_failing.len(),
        unverified: d.unverified.len(),
    };
    d
}

impl Diff {
    /// Are there new failures at or above `fail_on` (any severity by default)?
    pub fn has_new_failures(&self, fail_on: Option<Severity>) -> bool {
        let threshold = fail_on.unwrap_or(Severity::Info);
        self.new_failures.iter().any(|e| e.severity <= threshold)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{ReportSource, Summary, ToolInfo};

    fn f(rule: &str, account: &str, status: Status, arn: Option<&str>) -> Finding {
        Finding {
            rule_id: rule.into(),
            title: rule.into(),
            severity: Severity::High,
            status,
            account_id: account.into(),
            account_name: "a".into(),
            region: None,
            resource_arn: arn.map(Into::into),
            message: format!("{rule} {status}"),
            waiver: None,
            unevaluated: None,
        }
    }

    fn report(findings: Vec<Finding>) -> Report {
        Report {
            format: REPORT_FORMAT.into(),
            tool: ToolInfo::current(),
            source: ReportSource::default(),
            accounts: vec![],
            rules: vec![],
            summary: Summary::of(&findings),
            findings,
            frameworks: vec![],
            warnings: vec![],
        }
    }

    #[test]
    fn categories() {
        let old = report(vec![
            f("a", "1", Status::Fail, None),          // still failing
            f("b", "1", Status::Fail, None),          // fixed
            f("c", "1", Status::Fail, None),          // → ERROR: unverified
            f("d", "1", Status::Fail, None),          // gone: unverified
            f("e", "1", Status::Pass, None),          // → FAIL: new
            f("u", "1", Status::Fail, Some("arn:x")), // → WAIVED: unverified
            f("u", "1", Status::Pass, Some("arn:y")), // unchanged
        ]);
        let new = report(vec![
            f("a", "1", Status::Fail, None),
            f("b", "1", Status::Pass, None),
            f("c", "1", Status::Error, None),
            f("e", "1", Status::Fail, None),
            f("g", "2", Status::Fail, None), // new account/rule: new
            f("u", "1", Status::Waived, Some("arn:x")),
            f("u", "1", Status::Pass, Some("arn:y")),
        ]);
        let d = compare(&old, &new);
        let ids = |v: &[DiffEntry]| v.iter().map(|e| e.rule_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&d.new_failures), ["e", "g"]);
        assert_eq!(ids(&d.fixed), ["b"]);
        assert_eq!(ids(&d.still_failing), ["a"]);
        assert_eq!(ids(&d.unverified), ["c", "d", "u"]);
        assert_eq!(d.new_failures[0].old_status, Some(Status::Pass));
        assert_eq!(d.new_failures[1].old_status, None);
        assert_eq!(d.unverified[1].new_status, None);
        assert!(d.has_new_failures(None));
        assert!(!d.has_new_failures(Some(Severity::Critical)));
        assert_eq!(
            d.summary,
            DiffSummary {
                new: 2,
                fixed: 1,
                still_failing: 1,
                unverified: 3
            }
        );
    }

    #[test]
    fn same_audit_has_no_changes() {
        let r = report(vec![f("a", "1", Status::Fail, None)]);
        let d = compare(&r, &r);
        assert_eq!(d.summary.new + d.summary.fixed + d.summary.unverified, 0);
        assert_eq!(d.summary.still_failing, 1);
    }
}
