//! Compliance frameworks: the catalogue of each framework's requirements
//! (`frameworks/*.yaml`, embedded in the binary, e.g. CIS AWS Foundations
//! Benchmark v3.0.0 and v5.0.0), which rule files map to by number, and the
//! per-framework summary of a report.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::findings::{
    Finding, FrameworkSummary, RequirementResult, RequirementStatus, RuleInfo, Status,
};

include!(concat!(env!("OUT_DIR"), "/builtin_frameworks.rs"));

/// A framework and version, e.g. CIS AWS Foundations Benchmark v5.0.0.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// `cis-5.0`: what rule files and `--framework` name it by.
    pub id: String,
    pub name: String,
    pub version: String,
    /// The public documents its requirement list was read from.
    pub sources: Vec<String>,
    /// Every requirement, in the framework's order.
    pub requirements: Vec<Requirement>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// The framework's number, e.g. `1.3`.
    pub id: String,
    /// The framework's profile level (CIS: 1 or 2).
    pub level: u8,
    pub title: String,
}

impl Framework {
    /// `CIS AWS Foundations Benchmark v5.0.0`.
    pub fn title(&self) -> String {
        format!("{} v{}", self.name, self.version)
    }
    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }
}

/// Every built-in framework, sorted by id. The files are part of the
/// binary and checked by the tests, so a malformed one is a build defect.
pub fn frameworks() -> &'static [Framework] {
    static ALL: OnceLock<Vec<Framework>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut v: Vec<Framework> = BUILTIN_FRAMEWORKS
            .iter()
            .map(|(name, text)| {
                serde_saphyr::from_str(text)
                    .unwrap_or_else(|e| panic!("built-in framework {name} is malformed: {e}"))
            })
            .collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    })
}

pub fn get(id: &str) -> Option<&'static Framework> {
    frameworks().iter().find(|f| f.id == id)
}

/// A framework's title by id (`CIS AWS Foundations Benchmark v5.0.0`); the
/// id itself for one not in the catalogue (a findings document of another
/// version).
pub fn title_of(id: &str) -> String {
    get(id).map_or_else(|| id.to_string(), Framework::title)
}

/// The ids of every framework, for messages: `cis-3.0, cis-5.0`.
pub fn known_ids() -> String {
    frameworks()
        .iter()
        .map(|f| f.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses a `--framework` value: a known framework id.
pub fn parse_framework_id(s: &str) -> Result<String, String> {
    match get(s) {
        Some(f) => Ok(f.id.clone()),
        None => Err(format!("unknown framework `{s}` (known: {})", known_ids())),
    }
}

/// The summary of each framework in `ids` (when `None`, every framework
/// some rule maps to):
/// each requirement some rule in `rules` maps to, judged from the findings
/// of those rules (see [`RequirementStatus`]).
pub fn summarize(
    rules: &[RuleInfo],
    findings: &[Finding],
    ids: Option<&[String]>,
) -> Vec<FrameworkSummary> {
    // Per rule: the worst of its findings, by the order of the verdicts.
    let mut per_rule: BTreeMap<&str, RuleOutcome> = BTreeMap::new();
    for f in findings {
        per_rule
            .entry(f.rule_id.as_str())
            .or_default()
            .add(f.status);
    }
    frameworks()
        .iter()
        .filter(|fw| ids.is_none_or(|ids| ids.contains(&fw.id)))
        .map(|fw| summarize_one(fw, rules, &per_rule))
        // Unasked for, a framework no rule maps to says nothing.
        .filter(|s| ids.is_some() || s.requirements_covered > 0)
        .collect()
}

/// What a rule's findings held.
#[derive(Debug, Default, Clone, Copy)]
struct RuleOutcome {
    fail: bool,
    error: bool,
    waived: bool,
    pass: bool,
    manual: bool,
}

impl RuleOutcome {
    fn add(&mut self, status: Status) {
        match status {
            Status::Fail => self.fail = true,
            Status::Error => self.error = true,
            Status::Waived => self.waived = true,
            Status::Pass => self.pass = true,
            Status::Manual => self.manual = true,
        }
    }
    fn merge(&mut self, o: RuleOutcome) {
        self.fail |= o.fail;
        self.error |= o.error;
        self.waived |= o.waived;
        self.pass |= o.pass;
        self.manual |= o.manual;
    }
}

fn summarize_one(
    fw: &Framework,
    rules: &[RuleInfo],
    per_rule: &BTreeMap<&str, RuleOutcome>,
) -> FrameworkSummary {
    // Requirement number → the rules mapped to it.
    let mut mapped: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in rules {
        for req in r.mappings.frameworks.get(&fw.id).into_iter().flatten() {
            mapped.entry(req.as_str()).or_default().push(r.id.as_str());
        }
    }
    let mut out = FrameworkSummary {
        id: fw.id.clone(),
        name: fw.name.clone(),
        version: fw.version.clone(),
        requirements_total: fw.requirements.len(),
        requirements_covered: 0,
        passed: 0,
        failed: 0,
        waived: 0,
        not_evaluated: 0,
        manual: 0,
        pass_rate: None,
        requirements: Vec::new(),
    };
    for req in &fw.requirements {
        let Some(rule_ids) = mapped.get(req.id.as_str()) else {
            continue;
        };
        let mut o = RuleOutcome::default();
        let mut any = false;
        for id in rule_ids {
            if let Some(r) = per_rule.get(id) {
                o.merge(*r);
                any = true;
            }
        }
        let status = if o.fail {
            RequirementStatus::Failed
        } else if o.error || !any {
            RequirementStatus::NotEvaluated
        } else if o.waived {
            RequirementStatus::Waived
        } else if o.pass {
            RequirementStatus::Passed
        } else {
            RequirementStatus::Manual
        };
        match status {
            RequirementStatus::Failed => out.failed += 1,
            RequirementStatus::NotEvaluated => out.not_evaluated += 1,
            RequirementStatus::Waived => out.waived += 1,
            RequirementStatus::Passed => out.passed += 1,
            RequirementStatus::Manual => out.manual += 1,
        }
        let mut rules: Vec<String> = rule_ids.iter().map(|s| s.to_string()).collect();
        rules.sort();
        rules.dedup();
        out.requirements.push(RequirementResult {
            id: req.id.clone(),
            title: req.title.clone(),
            status,
            rules,
        });
    }
    out.requirements_covered = out.requirements.len();
    let automated = out.passed + out.failed + out.waived + out.not_evaluated;
    if automated > 0 {
        let rate = out.passed as f64 / automated as f64;
        out.pass_rate = Some((rate * 1000.0).round() / 1000.0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_framework_parses_with_unique_requirement_numbers() {
        assert!(frameworks().len() >= 2);
        for fw in frameworks() {
            let mut ids: Vec<&str> = fw.requirements.iter().map(|r| r.id.as_str()).collect();
            let n = ids.len();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), n, "{}: duplicate requirement numbers", fw.id);
            assert!(!fw.sources.is_empty(), "{} cites no source", fw.id);
            for r in &fw.requirements {
                assert!(
                    r.id.split('.').all(|p| p.parse::<u32>().is_ok()),
                    "{}: `{}` is not a dotted number",
                    fw.id,
                    r.id
                );
            }
        }
        // The numbers moved between versions: no root access key.
        let v3 = get("cis-3.0").unwrap();
        let v5 = get("cis-5.0").unwrap();
        assert_eq!(v3.version, "3.0.0");
        assert_eq!(v5.version, "5.0.0");
        assert!(v3.requirement("1.4").unwrap().title.contains("access key"));
        assert!(v5.requirement("1.3").unwrap().title.contains("access key"));
        assert_eq!(v3.requirements.len(), 62);
        assert_eq!(v5.requirements.len(), 63);
    }

    #[test]
    fn unknown_framework_lists_the_known_ones() {
        let e = parse_framework_id("cis-9").unwrap_err();
        assert!(e.contains("cis-3.0") && e.contains("cis-5.0"), "{e}");
    }
}
