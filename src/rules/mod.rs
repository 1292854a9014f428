//! Rules are data: one YAML file per rule under `rules/`, embedded in the
//! binary, plus the user's own from `--rules DIR`. This module loads and
//! validates them; [`engine`] evaluates them.

pub mod docs;
pub mod engine;
pub mod expr;
mod facts_ser;
pub mod load;
mod merge;
pub mod shape;
pub mod sources;
pub mod unavailable;
pub mod value;
pub mod view;

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostics;
use crate::findings::RuleInfo;
use expr::Expr;

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
    /// Named expressions (`variables:`), in order: evaluated once per scope
    /// (the account, the organization, or the `for_each` element) and read
    /// as `variables.NAME`.
    pub variables: Vec<(String, Expr)>,
    pub condition: Expr,
    /// The FAIL message, with `{{ expr }}` parts.
    pub message: Template,
    /// The PASS message (`pass_message`), when a passing finding has more to
    /// say than the title (an exemption that applied).
    pub pass_message: Option<Template>,
    /// What an unavailable input means: ERROR (the default), or FAIL for the
    /// rules whose subject is the availability itself (an account that could
    /// not be reached). Never PASS.
    pub on_unavailable: crate::findings::Status,
}

impl Automated {
    /// Every expression of the rule: collection, `where`, named
    /// expressions, condition and messages.
    pub fn expressions(&self) -> impl Iterator<Item = &Expr> {
        let messages = self
            .message
            .parts
            .iter()
            .chain(self.pass_message.iter().flat_map(|m| m.parts.iter()))
            .filter_map(|p| match p {
                TemplatePart::Expr(e) => Some(&**e),
                TemplatePart::Text(_) => None,
            });
        self.for_each
            .iter()
            .map(|f| &f.collection)
            .chain(self.filter.iter())
            .chain(self.variables.iter().map(|(_, e)| e))
            .chain(std::iter::once(&self.condition))
            .chain(messages)
    }
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
    Expr(Box<Expr>),
}

/// The set of rules in force, sorted by id.
#[derive(Debug, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    /// What the reader of any report made with these rules must know: the
    /// user rules that replace built-in ones. Copied into every report's
    /// warnings.
    pub warnings: Vec<String>,
    /// The framework the rules were limited to (`--framework`), if any:
    /// reports then summarize that framework only.
    pub framework: Option<String>,
}

impl RuleSet {
    /// The built-in rules only.
    pub fn builtin() -> Result<RuleSet, Diagnostics> {
        load::load(&[], None)
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.info.id == id)
    }

    pub fn infos(&self) -> Vec<RuleInfo> {
        self.rules.iter().map(|r| r.info.clone()).collect()
    }

    /// Keeps only the rules mapped to framework `id` (`--framework`); the
    /// reports made with the set then summarize that framework alone.
    pub fn limit_to_framework(&mut self, id: &str) {
        self.rules
            .retain(|r| r.info.mappings.frameworks.contains_key(id));
        self.framework = Some(id.to_string());
    }

    /// Every parameter name any rule declares.
    pub fn param_names(&self) -> std::collections::BTreeSet<&str> {
        self.rules
            .iter()
            .flat_map(|r| r.params.keys().map(String::as_str))
            .collect()
    }
}
