//! The rule catalogue as a whole: every catalogue id ships, the generated
//! reference is up to date, and bad rule or config input is a precise error.

use assert_cmd::Command;
use orgaudit::config::Config;
use orgaudit::rules::RuleSet;

/// The ids of the rule catalogue: a contract (waivers, CI gates and
/// dashboards refer to them), never renamed nor reused.
const CATALOGUE: &[&str] = &[
    "access-analyzer-organization",
    "account-alias-set",
    "account-email-convention",
    "admin-users-no-access-keys",
    "admins-at-least-two",
    "alternate-contact-billing",
    "alternate-contact-operations",
    "alternate-contact-security",
    "alternate-contacts-distribution-list",
    "bootstrap-user-removed",
    "break-glass-admin-present",
    "budget-alert-threshold",
    "budget-exists",
    "centralized-root-access-enabled",
    "cloudtrail-log-file-validation",
    "cloudtrail-multi-region-logging",
    "config-managed-rules-deployed",
    "config-recorder-enabled",
    "config-rules-compliant",
    "cost-anomaly-detection-enabled",
    "ebs-default-encryption",
    "guardduty-delegated-admin",
    "guardduty-enabled",
    "iam-access-key-rotated",
    "iam-billing-access-activated",
    "iam-user-console-mfa",
    "iam-user-single-active-key",
    "iam-user-unused-credentials",
    "identity-center-enabled",
    "identity-center-permission-sets",
    "log-archive-separate-account",
    "mgmt-iam-users-allowlisted",
    "org-access-role-assumable",
    "organization-all-features",
    "organization-production-ou",
    "organization-trail",
    "password-policy-strong",
    "rcp-enabled",
    "root-email-is-distribution-list",
    "root-hardware-mfa",
    "root-mfa-device-stored",
    "root-mfa-enabled",
    "root-no-access-keys",
    "root-not-recently-used",
    "s3-account-public-access-blocked",
    "scp-deny-leave-organization",
    "scp-enabled",
    "scp-guardrail-every-ou",
    "securityhub-delegated-admin",
    "securityhub-enabled",
    "support-plan",
    "tax-settings-inherited",
];

#[test]
fn every_catalogue_id_ships_and_nothing_else() {
    let rules = RuleSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = rules.rules.iter().map(|r| r.info.id.as_str()).collect();
    assert_eq!(ids, CATALOGUE);
    let manual: Vec<&str> = rules
        .rules
        .iter()
        .filter(|r| r.info.manual)
        .map(|r| r.info.id.as_str())
        .collect();
    assert_eq!(
        manual,
        [
            "iam-billing-access-activated",
            "root-email-is-distribution-list",
            "root-mfa-device-stored",
            "support-plan",
            "tax-settings-inherited"
        ]
    );
}

#[test]
fn committed_rule_reference_is_up_to_date() {
    let rules = RuleSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    let expected = orgaudit::rules::docs::reference(&rules);
    let committed = std::fs::read_to_string("docs/rules.md").unwrap_or_default();
    assert!(
        committed == expected,
        "docs/rules.md is stale: regenerate it with `cargo run -- rules docs`"
    );
}

#[test]
fn rules_docs_writes_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rules.md");
    Command::cargo_bin("orgaudit")
        .unwrap()
        .args(["rules", "docs", "--output"])
        .arg(&out)
        .assert()
        .success();
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written, std::fs::read_to_string("docs/rules.md").unwrap());
    let show = Command::cargo_bin("orgaudit")
        .unwrap()
        .args(["rules", "show", "root-hardware-mfa"])
        .assert()
        .success();
    let section = String::from_utf8(show.get_output().stdout.clone()).unwrap();
    assert!(
        written.contains(&section),
        "`rules show` prints the reference's section"
    );
}

const USER_RULE: &str = "\
id: my-check
title: A user check
severity: low
scope: account
service: iam
condition: size(account.iam.aliases) > 0
message: no alias
rationale: because
remediation: fix it
sources: [sop]
";

fn load_error(file: &str, text: &str) -> String {
    match RuleSet::from_texts(&[(file, text)]) {
        Ok(_) => panic!("{file} loaded"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn user_rule_loads() {
    RuleSet::from_texts(&[("my/my-check.yaml", USER_RULE)]).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn mapping_key_typo_is_an_error_with_position() {
    let text = format!("{USER_RULE}mappings:\n  cys: [\"1.5\"]\n");
    let err = load_error("my/typo.yaml", &text);
    assert!(
        err.starts_with(
            "my/typo.yaml:12:3: unknown field `cys`, expected one of frameworks, cis, aws_config, prowler, cited\n"
        ),
        "{err}"
    );
    assert!(err.contains("cys"), "{err}");
}

#[test]
fn unknown_framework_and_requirement_numbers_are_errors_with_position() {
    let text = format!("{USER_RULE}mappings:\n  frameworks:\n    cis-4.2: [\"1.5\"]\n");
    let err = load_error("my/fw.yaml", &text);
    assert!(
        err.starts_with(
            "my/fw.yaml:13:14: unknown framework `cis-4.2` in mappings.frameworks (known: cis-3.0, cis-5.0)"
        ),
        "{err}"
    );
    let text = format!("{USER_RULE}mappings:\n  frameworks:\n    cis-5.0: [\"1.3\", \"1.22\"]\n");
    let err = load_error("my/fw.yaml", &text);
    assert!(
        err.starts_with(
            "my/fw.yaml:13:22: CIS AWS Foundations Benchmark v5.0.0 has no requirement `1.22`"
        ),
        "{err}"
    );
}

#[test]
fn legacy_cis_mapping_reads_as_cis_3_0() {
    let text = format!("{USER_RULE}mappings:\n  cis: [\"1.4\"]\n");
    let set = RuleSet::from_texts(&[("my/old.yaml", &text)]).unwrap_or_else(|e| panic!("{e}"));
    let m = &set.rules[0].info.mappings;
    assert_eq!(
        m.frameworks.get("cis-3.0").unwrap(),
        &vec!["1.4".to_string()]
    );
    assert_eq!(m.frameworks.len(), 1);
}

/// Every built-in CIS mapping is given for both versions, cites where it
/// was verified, and uses the current shape (no 0.1 `cis:` key). The
/// numbers themselves are checked against frameworks/*.yaml when loading.
#[test]
fn builtin_framework_mappings_cover_both_versions_and_cite_their_source() {
    let set = RuleSet::builtin().unwrap();
    let mut mapped = 0;
    for r in &set.rules {
        let m = &r.info.mappings;
        if m.frameworks.is_empty() {
            continue;
        }
        mapped += 1;
        let v3 = m.frameworks.get("cis-3.0");
        let v5 = m.frameworks.get("cis-5.0");
        assert!(
            v3.is_some() && v5.is_some() && v3.unwrap().len() == v5.unwrap().len(),
            "{}: map CIS v3.0.0 and v5.0.0 alike: {:?}",
            r.info.id,
            m.frameworks
        );
        let cited = m.cited.as_deref().unwrap_or_default();
        for (v, numbers) in &m.frameworks {
            let version = &orgaudit::compliance::get(v).unwrap().version;
            for n in numbers {
                assert!(
                    cited.contains(&format!("v{version} {n} ")),
                    "{}: `cited` does not name {v} {n}: {cited}",
                    r.info.id
                );
            }
        }
    }
    assert!(mapped >= 16, "{mapped}");
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/rules")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.lines().any(|l| l.trim_start().starts_with("cis:")),
            "{}: write `frameworks: {{cis-3.0: …, cis-5.0: …}}`",
            path.display()
        );
    }
    // The number that moved: no root access key.
    let root = set.get("root-no-access-keys").unwrap();
    assert_eq!(root.info.mappings.frameworks["cis-3.0"], ["1.4"]);
    assert_eq!(root.info.mappings.frameworks["cis-5.0"], ["1.3"]);
}

#[test]
fn rules_list_filters_by_framework() {
    let out = Command::cargo_bin("orgaudit")
        .unwrap()
        .args(["rules", "list", "--framework", "cis-5.0"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let root = text
        .lines()
        .find(|l| l.contains("root-no-access-keys"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(root.starts_with("1.3 "), "{root}");
    assert!(!text.contains("budget-exists"), "{text}");
    let out = Command::cargo_bin("orgaudit")
        .unwrap()
        .args(["rules", "list", "--framework", "cis-9"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("unknown framework `cis-9` (known: cis-3.0, cis-5.0)"),
        "{err}"
    );
}

#[test]
fn unknown_source_key_is_an_error_with_position() {
    let text = USER_RULE.replace("sources: [sop]", "sources: [sop, cis]");
    let err = load_error("my/source.yaml", &text);
    assert!(
        err.starts_with("my/source.yaml:10:16: unknown source key `cis`"),
        "{err}"
    );
}

#[test]
fn shadowing_a_builtin_rule_needs_overrides_builtin() {
    let dir = tempfile::tempdir().unwrap();
    let shadow = USER_RULE.replace("id: my-check", "id: root-mfa-enabled");
    std::fs::write(dir.path().join("root.yaml"), &shadow).unwrap();
    let err = match orgaudit::rules::load::load(&[dir.path()], None) {
        Ok(_) => panic!("a shadowing rule loaded"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("root.yaml:1:5: duplicate rule id `root-mfa-enabled`"),
        "{err}"
    );
    assert!(err.contains("overrides_builtin: true"), "{err}");

    std::fs::write(
        dir.path().join("root.yaml"),
        format!("{shadow}overrides_builtin: true\n"),
    )
    .unwrap();
    let rules = orgaudit::rules::load::load(&[dir.path()], None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        rules.get("root-mfa-enabled").unwrap().info.title,
        "A user check"
    );

    // The binary: exit 2 and the error on stderr.
    std::fs::write(dir.path().join("root.yaml"), &shadow).unwrap();
    let out = Command::cargo_bin("orgaudit")
        .unwrap()
        .args(["rules", "list", "--rules"])
        .arg(dir.path())
        .assert()
        .code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("duplicate rule id `root-mfa-enabled`"),
        "{stderr}"
    );
}

#[test]
fn config_param_of_the_wrong_type_is_an_error_with_position() {
    let rules = RuleSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    let text = "params:\n  root_usage_days: thirty\n  personal_emails: [a@example.com]\n";
    let err = Config::parse("orgaudit.yaml", text, &rules)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("orgaudit.yaml:2:20: parameter `root_usage_days` of rule `root-not-recently-used` expects an integer, got a string"),
        "{err}"
    );
    for (text, needle) in [
        (
            "params:\n  unused_credential_days: -1\n",
            "orgaudit.yaml:2:27: param `unused_credential_days`: must not be negative",
        ),
        (
            "params:\n  contact_email_pattern: '(['\n",
            "orgaudit.yaml:2:26: param `contact_email_pattern`: invalid regular expression",
        ),
        (
            "params:\n  break_glass_user: [x]\n",
            "orgaudit.yaml:2:21: unknown parameter `break_glass_user`",
        ),
    ] {
        let err = Config::parse("orgaudit.yaml", text, &rules)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(needle), "{err}");
    }
}

#[test]
fn config_error_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("orgaudit.yaml");
    std::fs::write(&config, "params:\n  budget_alert_percent: [50]\n").unwrap();
    let out = Command::cargo_bin("orgaudit")
        .unwrap()
        .args(["eval", "fixtures/demo-org.json", "--config"])
        .arg(&config)
        .assert()
        .code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("orgaudit.yaml:2:25: parameter `budget_alert_percent`"),
        "{stderr}"
    );
}
