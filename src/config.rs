//! The user's config file (YAML): rule parameters and waivers.
//!
//! ```yaml
//! params:
//!   min_password_length: 16
//!   account_email_pattern: '^aws-[a-z0-9]+\+[a-z0-9-]+@example\.com$'
//! waivers:
//!   - rule: iam-user-console-mfa
//!     resource: "arn:aws:iam::*:user/ci-*"
//!     reason: CI users lose console access in TICKET-123
//!     expires: 2026-06-30
//! ```
//! Unknown keys, unknown parameter names, values of the wrong type and bad
//! waivers (see [`crate::waivers`]) are errors with the file, line and column.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diagnostic::{position_of, Diagnostic, Diagnostics};
use crate::rules::load::check_param_value;
use crate::rules::RuleSet;
use crate::waivers::{Waiver, WaiverEntry};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    params: BTreeMap<String, Spanned<serde_json::Value>>,
    #[serde(default)]
    waivers: Vec<Spanned<WaiverEntry>>,
}

/// A validated config.
#[derive(Debug, Default, Clone)]
pub struct Config {
    /// Parameter overrides by name.
    pub params: BTreeMap<String, serde_json::Value>,
    /// Waivers, in file order.
    pub waivers: Vec<Waiver>,
}

impl Config {
    pub fn load(path: &Path, rules: &RuleSet) -> Result<Config, Diagnostics> {
        let text = crate::fsutil::read_config(path).map_err(|e| {
            Diagnostics::from(Diagnostic::whole_file(
                &path.display().to_string(),
                format!("cannot read config file: {e}"),
            ))
        })?;
        Config::parse(&path.display().to_string(), &text, rules)
    }

    pub fn parse(file: &str, text: &str, rules: &RuleSet) -> Result<Config, Diagnostics> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let cf: ConfigFile = serde_saphyr::from_str(text)
            .map_err(|e| Diagnostics(vec![Diagnostic::from_yaml(file, text, &e)]))?;
        let mut errors = Vec::new();
        let mut params = BTreeMap::new();
        for (name, value) in cf.params {
            let (line, column) = position_of(&value);
            // The rules declaring this parameter, with their defaults.
            let defaults: Vec<(&str, &serde_json::Value)> = rules
                .rules
                .iter()
                .filter_map(|r| r.params.get(&name).map(|d| (r.info.id.as_str(), d)))
                .collect();
            let Some((rule_id, default)) = defaults.first() else {
                let known: Vec<&str> = rules.param_names().into_iter().collect();
                errors.push(Diagnostic::new(
                    file,
                    text,
                    line,
                    column,
                    format!(
                        "unknown parameter `{name}` (parameters: {})",
                        known.join(", ")
                    ),
                ));
                continue;
            };
            if !same_kind(default, &value.value) {
                errors.push(Diagnostic::new(
                    file,
                    text,
                    line,
                    column,
                    format!(
                        "parameter `{name}` of rule `{rule_id}` expects {}, got {}",
                        kind(default),
                        kind(&value.value)
                    ),
                ));
                continue;
            }
            if let Err(msg) = check_param_value(&name, &value.value) {
                errors.push(Diagnostic::new(file, text, line, column, msg));
                continue;
            }
            params.insert(name, value.value);
        }
        let (waivers, waiver_errors) = crate::waivers::validate(file, text, cf.waivers, rules);
        errors.extend(waiver_errors);
        if errors.is_empty() {
            Ok(Config { params, waivers })
        } else {
            Err(Diagnostics(errors))
        }
    }
}

fn kind(v: &serde_json::Value) -> &'static str {
    use serde_json::Value as J;
    match v {
        J::Null => "null",
        J::Bool(_) => "a boolean",
        J::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "a list",
        J::Object(_) => "a map",
    }
}

fn same_kind(default: &serde_json::Value, value: &serde_json::Value) -> bool {
    kind(default) == kind(value) || (default.is_null() && !value.is_object())
}
