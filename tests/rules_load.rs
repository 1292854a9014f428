use orgaudit::rules::RuleSet;

#[test]
fn builtin_rules_load() {
    let rules = RuleSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    assert!(rules.get("root-mfa-enabled").is_some());
}
