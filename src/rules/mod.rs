//! Rules are data: one YAML file per rule under `rules/`, embedded in the
//! binary, plus the user's own from `--rules DIR`. This module loads and
//! validates them; [`engine`] evaluates them.

pub mod docs;
pub mod engine;
pub mod expr;
mod facts_ser;
pub mod load;
pub mod sources;
pub mod view;

use std::collections::BTreeMap;

use crate::findings::RuleInfo;
use expr::Expr;

pub use load::{LoadError, LoadErrors};

/// A loaded, validated rule.
#[derive(Debug)]
pub struct Rule {
    pub info: RuleInfo,
    /// Where the rule came from (`rules/root-mfa-enabled.yaml`, or a user file).
    pub origin: String,
    /// Parameters and their defaults.
    pub params: BTreeMap<String, serde_json::Value>,
    pub logic: Logic,
}

/// How a rule decides.
#[derive(Debug)]
pub enum Logic {
    /// A checklist item: every applicable scope gets a MANUAL finding with
    /// this text (what to check, and where).
    Manual {
        check: String,
    },
    Automated(Box<Automated>),
}

#[derive(Debug)]
pub struct Automated {
    /// `for_each: VAR in PATH`: one finding per element.
    pub for_each: Option<ForEach>,
    /// `where`: elements for which it is false are skipped.
    pub filter: Option<Expr>,
    pub condition: Expr,
    /// The FAIL message, with `{{ expr }}` parts.
    pub message: Template,
    /// What an unavailable input means: ERROR (the default), or FAIL for the
    /// rules whose subject is the availability itself (an account that could
    /// not be reached). Never PASS.
    pub on_unavailable: crate::findings::Status,
}

/// `on_unavailable` in a rule file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnUnavailable {
    #[default]
    Error,
    Fail,
}

#[derive(Debug)]
pub struct ForEach {
    pub var: String,
    pub collection: Expr,
}

/// A message template: text with `{{ expr }}` parts.
#[derive(Debug)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
}

#[derive(Debug)]
pub enum TemplatePart {
    Text(String),
    Expr(Expr),
}

/// The set of rules in force, sorted by id.
#[derive(Debug, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    /// What the reader of any report made with these rules must know: the
    /// user rules that replace built-in ones. Copied into every report's
    /// warnings.
    pub warnings: Vec<String>,
}

impl RuleSet {
    /// The built-in rules only.
    pub fn builtin() -> Result<RuleSet, LoadErrors> {
        load::load(&[], None)
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.info.id == id)
    }

    pub fn infos(&self) -> Vec<RuleInfo> {
        self.rules.iter().map(|r| r.info.clone()).collect()
    }

    /// Every parameter name any rule declares.
    pub fn param_names(&self) -> std::collections::BTreeSet<&str> {
        self.rules
            .iter()
            .flat_map(|r| r.params.keys().map(String::as_str))
            .collect()
    }
}
