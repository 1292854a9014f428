//! The fuzzed entry points, shared by the cargo-fuzz targets
//! (`fuzz_targets/`) and by `tests/fuzz_regressions.rs`, which runs the seed
//! corpus and every stored regression input through them on stable Rust.
//!
//! Each function takes the raw bytes of a file, loads it the way orgaudit
//! loads a file of that kind (text that is not UTF-8 is rejected, as reading
//! the file would), and, when it loads, uses it the way `orgaudit eval` does.
//! `Err` is a rejected input, with the message a user would see; a panic is
//! a bug.

use std::sync::OnceLock;

use orgaudit::config::Config;
use orgaudit::rules::{engine, RuleSet};
use orgaudit::snapshot::Snapshot;

/// A small valid snapshot: a management and a member account.
const BASE_SNAPSHOT: &str = include_str!("../../fixtures/rules/base.json");

fn builtin_rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| orgaudit::rules::load::load(&[], None).expect("built-in rules load"))
}

fn base_snapshot() -> &'static Snapshot {
    static SNAPSHOT: OnceLock<Snapshot> = OnceLock::new();
    SNAPSHOT.get_or_init(|| {
        Snapshot::from_json(BASE_SNAPSHOT, "base.json").expect("base snapshot loads")
    })
}

fn utf8(data: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(data).map_err(|e| format!("not UTF-8: {e}"))
}

/// A user rule file: loaded (YAML, fields, CEL, field paths), then
/// evaluated against the base snapshot.
pub fn rule_file(data: &[u8]) -> Result<(), String> {
    let text = utf8(data)?;
    let rules = RuleSet::from_texts(&[("fuzz.yaml", text)]).map_err(|e| e.to_string())?;
    let report = engine::evaluate(&rules, base_snapshot(), &Default::default());
    assert_eq!(report.rules.len(), rules.rules.len());
    Ok(())
}

/// A config file (parameters and waivers) checked against the built-in
/// rules, then used to evaluate them against the base snapshot.
pub fn config_file(data: &[u8]) -> Result<(), String> {
    let text = utf8(data)?;
    let config = Config::parse("fuzz.yaml", text, builtin_rules()).map_err(|e| e.to_string())?;
    let today = fixed_today();
    orgaudit::app::evaluate_with_config(builtin_rules(), &config, base_snapshot(), today);
    Ok(())
}

/// A snapshot file: parsed and validated (schema version first); a snapshot
/// that loads must load again once saved, and the built-in rules are
/// evaluated against it.
pub fn snapshot(data: &[u8]) -> Result<(), String> {
    let text = utf8(data)?;
    let snapshot = Snapshot::from_json(text, "fuzz.json").map_err(|e| e.to_string())?;
    let saved = serde_json::to_string(&snapshot).expect("a loaded snapshot serializes");
    if let Err(e) = Snapshot::from_json(&saved, "saved.json") {
        panic!("a loaded snapshot does not load once saved: {e}");
    }
    engine::evaluate(builtin_rules(), &snapshot, &Default::default());
    Ok(())
}

/// A fixed day for waiver expiry, so runs are reproducible.
fn fixed_today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2027, 1, 15).expect("valid date")
}
