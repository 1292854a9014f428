//! Every output format rendered from one hand-built report: snapshots, the
//! SARIF log validated against the official SARIF 2.1.0 schema, the JSON
//! document validated against `docs/findings.schema.json`, and escaping of
//! hostile values from AWS.

use orgaudit::findings::{
    AccountRef, AppliedWaiver, Finding, Mappings, Report, ReportSource, RuleInfo, Scope, Severity,
    Status, Summary, ToolInfo, REPORT_FORMAT,
};
use orgaudit::report::{render, Format, RenderOptions};

const HOSTILE_NAME: &str = "dev | <script>alert(1)</script> *x* @team #1 \u{1b}[31mred\u{1b}[0m";

fn rule(
    id: &str,
    title: &str,
    severity: Severity,
    service: &str,
    manual: bool,
    cis: &[&str],
) -> RuleInfo {
    RuleInfo {
        id: id.to_string(),
        title: title.to_string(),
        severity,
        scope: Scope::Account,
        service: service.to_string(),
        manual,
        passes_when: None,
        rationale: format!("Why `{id}` matters: an attacker who gets in here owns the account."),
        remediation: format!(
            "1. Open the console.\n2. Fix `{id}`.\n\n```sh\naws {service} example --fix\n```"
        ),
        sources: vec!["cis-aws-foundations-3.0.0".to_string()],
        mappings: Mappings {
            frameworks: [(
                "cis-3.0".to_string(),
                cis.iter().map(|s| s.to_string()).collect(),
            )]
            .into_iter()
            .collect(),
            aws_config: if manual {
                vec![]
            } else {
                vec![format!("{id}-check")]
            },
            prowler: vec![id.replace('-', "_")],
            cited: None,
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    r: &RuleInfo,
    status: Status,
    account: (&str, &str),
    region: Option<&str>,
    arn: Option<&str>,
    message: &str,
) -> Finding {
    Finding {
        rule_id: r.id.clone(),
        title: r.title.clone(),
        severity: r.severity,
        status,
        account_id: account.0.to_string(),
        account_name: account.1.to_string(),
        region: region.map(str::to_string),
        resource_arn: arn.map(str::to_string),
        message: message.to_string(),
        waiver: None,
        unevaluated: None,
    }
}

/// A small organization: the management account, a production account, a
/// development account with a hostile name, and an unreachable account.
pub fn sample_report() -> Report {
    let mgmt = ("111111111111", "acme-root");
    let prod = ("222222222222", "prod-app");
    let dev = ("333333333333", HOSTILE_NAME);
    let legacy = ("444444444444", "legacy");

    let root_mfa = rule(
        "root-mfa-enabled",
        "Root user has MFA enabled",
        Severity::Critical,
        "iam",
        false,
        &["1.5"],
    );
    let pw = rule(
        "password-policy-strong",
        "IAM password policy is strong",
        Severity::Medium,
        "iam",
        false,
        &["1.8", "1.9"],
    );
    let user_mfa = rule(
        "iam-user-console-mfa",
        "IAM users with a console password have MFA",
        Severity::High,
        "iam",
        false,
        &["1.10"],
    );
    let contact = rule(
        "alternate-contact-security",
        "Security alternate contact is set",
        Severity::Low,
        "account",
        false,
        &["1.2"],
    );
    let trail = rule(
        "cloudtrail-enabled",
        "A multi-region CloudTrail trail is logging",
        Severity::High,
        "cloudtrail",
        false,
        &["3.1"],
    );
    let questions = rule(
        "security-questions-registered",
        "Security questions are registered for the root user",
        Severity::Info,
        "account",
        true,
        &["1.3"],
    );

    let mut findings = vec![
        finding(&root_mfa, Status::Pass, mgmt, None, None, "The root user has MFA enabled."),
        finding(&pw, Status::Pass, mgmt, None, None, "The password policy meets every requirement."),
        finding(&contact, Status::Pass, mgmt, None, None, "The security contact is set."),
        finding(&questions, Status::Manual, mgmt, None, None, "Check in the console that security questions are registered."),
        finding(
            &trail,
            Status::Pass,
            mgmt,
            Some("us-east-1"),
            Some("arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail"),
            "Trail org-trail is multi-region and logging.",
        ),
        finding(&root_mfa, Status::Fail, prod, None, None, "The root user has no MFA device."),
        finding(
            &pw,
            Status::Fail,
            prod,
            None,
            None,
            "Minimum length 8 (required: 14); symbols not required.",
        ),
        finding(
            &user_mfa,
            Status::Fail,
            prod,
            None,
            Some("arn:aws:iam::222222222222:user/ops/alice"),
            "User alice has a console password and no MFA device.",
        ),
        finding(
            &user_mfa,
            Status::Pass,
            prod,
            None,
            Some("arn:aws:iam::222222222222:user/bob"),
            "User bob has an MFA device.",
        ),
        finding(&contact, Status::Pass, prod, None, None, "The security contact is set."),
        finding(&questions, Status::Manual, prod, None, None, "Check in the console that security questions are registered."),
        finding(&root_mfa, Status::Pass, dev, None, None, "The root user has MFA enabled."),
        finding(
            &pw,
            Status::Error,
            dev,
            None,
            None,
            "password policy: iam:GetAccountPasswordPolicy failed: AccessDenied (User is not authorized)",
        ),
        {
            let mut f = finding(
                &contact,
                Status::Waived,
                dev,
                None,
                None,
                "No security alternate contact is set.",
            );
            f.waiver = Some(AppliedWaiver {
                reason: "Sandbox | handled by the <platform> team".to_string(),
                expires: "2030-06-30".to_string(),
            });
            f
        },
        finding(
            &trail,
            Status::Fail,
            dev,
            Some("eu-west-1"),
            None,
            "No multi-region trail is logging in eu-west-1.",
        ),
        finding(&questions, Status::Manual, dev, None, None, "Check in the console that security questions are registered."),
        finding(
            &root_mfa,
            Status::Error,
            legacy,
            None,
            None,
            "account unreachable: sts:AssumeRole failed: AccessDenied",
        ),
    ];
    findings.sort_by(|a, b| {
        (&a.account_id, &a.rule_id, &a.resource_arn).cmp(&(
            &b.account_id,
            &b.rule_id,
            &b.resource_arn,
        ))
    });
    let summary = Summary::of(&findings);
    let mut report = Report {
        format: REPORT_FORMAT.to_string(),
        tool: ToolInfo {
            name: "orgaudit".to_string(),
            version: "0.1.0".to_string(),
        },
        source: ReportSource {
            organization_id: Some("o-abc123defg".to_string()),
            management_account_id: Some(mgmt.0.to_string()),
            collected_at: "2025-01-15T10:00:00Z".to_string(),
            regions: vec!["eu-west-1".to_string(), "us-east-1".to_string()],
            incomplete: vec![
                "account 444444444444: sts:AssumeRole AccessDenied".to_string(),
                "account 333333333333: iam:GetAccountPasswordPolicy AccessDenied".to_string(),
            ],
        },
        accounts: vec![
            AccountRef {
                id: mgmt.0.to_string(),
                name: mgmt.1.to_string(),
                ou_path: "Root".to_string(),
                is_management: true,
                unreachable: None,
                status: None,
            },
            AccountRef {
                id: prod.0.to_string(),
                name: prod.1.to_string(),
                ou_path: "Root/Production".to_string(),
                is_management: false,
                unreachable: None,
                status: None,
            },
            AccountRef {
                id: dev.0.to_string(),
                name: dev.1.to_string(),
                ou_path: "Root/Development".to_string(),
                is_management: false,
                unreachable: None,
                status: None,
            },
            AccountRef {
                id: legacy.0.to_string(),
                name: legacy.1.to_string(),
                ou_path: "Root/Suspended".to_string(),
                is_management: false,
                unreachable: Some("sts:AssumeRole AccessDenied".to_string()),
                status: None,
            },
        ],
        rules: vec![contact, trail, user_mfa, pw, root_mfa, questions],
        findings,
        summary,
        frameworks: vec![],
        warnings: vec!["waiver #2 (rule root-no-access-keys) matched no finding".to_string()],
    };
    report.frameworks = orgaudit::compliance::summarize(&report.rules, &report.findings, None);
    report
}

fn plain(format: Format) -> String {
    render(&sample_report(), format, &RenderOptions::plain()).expect("renders")
}

fn load_json(path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn assert_valid(schema: &serde_json::Value, instance: &serde_json::Value) {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "invalid:\n{}", errors.join("\n"));
}

// ---- table ----------------------------------------------------------------

#[test]
fn table_snapshot() {
    insta::assert_snapshot!(plain(Format::Table));
}

#[test]
fn table_without_color_has_no_ansi_codes_even_from_hostile_values() {
    let text = plain(Format::Table);
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("\\u{1b}[31mred"));
}

#[test]
fn table_with_color_has_ansi_codes() {
    let opts = RenderOptions {
        color: true,
        width: None,
    };
    let text = render(&sample_report(), Format::Table, &opts).unwrap();
    assert!(text.contains("\u{1b}["));
    // Still none of the account's own escape sequences.
    assert!(!text.contains("\u{1b}[31mred"));
}

#[test]
fn table_wraps_to_width() {
    let opts = RenderOptions {
        color: false,
        width: Some(100),
    };
    let text = render(&sample_report(), Format::Table, &opts).unwrap();
    // The tables wrap; the plain lines after them (totals, warnings) do not.
    let table_lines = text.lines().filter(|l| l.starts_with(['┌', '│', '├', '└']));
    for line in table_lines {
        assert!(line.chars().count() <= 100, "too wide: {line}");
    }
}

// ---- grouped terminal view --------------------------------------------------

#[test]
fn grouped_snapshot() {
    insta::assert_snapshot!(plain(Format::Grouped));
}

#[test]
fn grouped_at_80_columns_snapshot() {
    let opts = RenderOptions {
        color: false,
        width: Some(80),
    };
    let text = render(&sample_report(), Format::Grouped, &opts).unwrap();
    // Every line fits, but a resource or word that cannot be broken (on a
    // line of its own).
    for line in text.lines() {
        let unbreakable = line.trim_start().split(' ').count() == 1;
        assert!(
            line.chars().count() <= 80 || unbreakable,
            "too wide: {line}"
        );
    }
    insta::assert_snapshot!(text);
}

#[test]
fn grouped_puts_a_resource_too_long_for_the_terminal_on_its_own_line() {
    const ARN: &str =
        "arn:aws:iam::222222222222:user/ops/platform-team/break-glass/emergency-admin-alice";
    let mut report = sample_report();
    let f = report
        .findings
        .iter_mut()
        .find(|f| f.status == Status::Fail && f.resource_arn.is_some())
        .unwrap();
    f.resource_arn = Some(ARN.to_string());
    let rule = f.rule_id.clone();
    let opts = RenderOptions {
        color: false,
        width: Some(80),
    };
    let text = render(&report, Format::Grouped, &opts).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.ends_with(&rule)).unwrap();
    assert_eq!(lines[at + 1], format!("    {ARN}"), "{text}");
    // At 200 columns it stays on the finding's line.
    let opts = RenderOptions {
        color: false,
        width: Some(200),
    };
    let text = render(&report, Format::Grouped, &opts).unwrap();
    assert!(
        text.lines().any(|l| l.ends_with(&format!("{rule}  {ARN}"))),
        "{text}"
    );
}

#[test]
fn grouped_folds_an_unreachable_account_into_one_line() {
    let text = plain(Format::Grouped);
    let folded: Vec<&str> = text.lines().filter(|l| l.contains("not reached")).collect();
    assert_eq!(folded.len(), 1, "{text}");
    assert!(
        folded[0].contains("checks not evaluated: ") || folded[0].contains("check not evaluated: "),
        "{}",
        folded[0]
    );
    assert!(text.trim_end().lines().last().is_some());
}

#[test]
fn grouped_colour_only_when_asked_and_never_the_snapshots_own() {
    let text = plain(Format::Grouped);
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("\\u{1b}[31mred"), "{text}");
    let opts = RenderOptions {
        color: true,
        width: Some(120),
    };
    let text = render(&sample_report(), Format::Grouped, &opts).unwrap();
    assert!(text.contains("\u{1b}["));
    assert!(!text.contains("\u{1b}[31mred"));
}

// ---- JSON -----------------------------------------------------------------

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(plain(Format::Json));
}

#[test]
fn json_round_trips() {
    let text = plain(Format::Json);
    let back: Report = serde_json::from_str(&text).unwrap();
    assert_eq!(back, sample_report());
}

#[test]
fn json_validates_against_documented_schema() {
    let schema = load_json(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/findings.schema.json"
    ));
    let instance: serde_json::Value = serde_json::from_str(&plain(Format::Json)).unwrap();
    assert_valid(&schema, &instance);
}

/// `docs/findings.schema.json` is generated; regenerate with
/// `UPDATE_DOCS=1 cargo test --test report_formats`.
#[test]
fn findings_schema_doc_is_fresh() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/findings.schema.json");
    let want = Report::schema_json();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/findings.schema.json is stale: run `UPDATE_DOCS=1 cargo test --test report_formats`"
    );
}

// ---- SARIF ----------------------------------------------------------------

#[test]
fn sarif_snapshot() {
    insta::assert_snapshot!(plain(Format::Sarif));
}

#[test]
fn sarif_validates_against_official_schema() {
    let schema = load_json(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/schemas/sarif-schema-2.1.0.json"
    ));
    let instance: serde_json::Value = serde_json::from_str(&plain(Format::Sarif)).unwrap();
    assert_valid(&schema, &instance);
}

#[test]
fn sarif_results_cover_non_passing_findings() {
    let log: serde_json::Value = serde_json::from_str(&plain(Format::Sarif)).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let report = sample_report();
    let non_pass = report
        .findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .count();
    assert_eq!(results.len(), non_pass);
    let mut fingerprints = std::collections::BTreeSet::new();
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("aws/") && !uri.contains("arn:"), "{uri}");
        let fqn = r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
            .as_str()
            .unwrap();
        assert!(fqn.starts_with("arn:aws:"), "{fqn}");
        // kind other than fail ⇒ level none (SARIF §3.27.10).
        if r["kind"] != "fail" {
            assert_eq!(r["level"], "none");
        }
        assert!(fingerprints.insert(
            r["partialFingerprints"]["orgauditFinding/v1"]
                .as_str()
                .unwrap()
                .to_string()
        ));
    }
    let waived: Vec<_> = results
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["suppressions"][0]["kind"], "external");
    for r in rules {
        let sev = r["properties"]["security-severity"].as_str().unwrap();
        assert!(sev.parse::<f64>().is_ok());
    }
}

#[test]
fn sarif_fingerprint_ignores_message() {
    let mut a = sample_report();
    let before = orgaudit::report::sarif::to_sarif(&a);
    for f in &mut a.findings {
        f.message.push_str(" (changed)");
    }
    let after = orgaudit::report::sarif::to_sarif(&a);
    let fp = |s: &serde_sarif::sarif::Sarif| -> Vec<String> {
        s.runs[0]
            .results
            .as_ref()
            .unwrap()
            .iter()
            .map(|r| r.partial_fingerprints.as_ref().unwrap()["orgauditFinding/v1"].clone())
            .collect()
    };
    assert_eq!(fp(&before), fp(&after));
}

// ---- JUnit ----------------------------------------------------------------

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(plain(Format::Junit));
}

#[test]
fn junit_is_well_formed_and_complete() {
    let xml = plain(Format::Junit);
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("well-formed JUnit XML");
    let report = sample_report();
    assert_eq!(parsed.test_suites.len(), report.accounts.len());
    let cases: usize = parsed.test_suites.iter().map(|s| s.test_cases.len()).sum();
    assert_eq!(cases, report.findings.len());
    assert_eq!(parsed.failures, report.summary.count(Status::Fail));
    assert_eq!(parsed.errors, report.summary.count(Status::Error));
    assert!(!xml.contains('\u{1b}'));
    assert!(!xml.contains("<script>"));
    assert!(xml.contains("iam-user-console-mfa [arn:aws:iam::222222222222:user/ops/alice]"));
}

/// Characters XML 1.0 can carry (lone surrogates cannot occur in a `str`).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{fffd}' | '\u{10000}'..)
}

#[test]
fn junit_is_well_formed_with_hostile_values() {
    const HOSTILE: &str =
        "a<b>&c \"q\" 'a' ]]> <![CDATA[x]]> \u{1b}[31mred\u{1b}[0m \u{0}nul \u{7}\u{fffe}end";
    const CLEAN: &str = "a<b>&c \"q\" 'a' ]]> <![CDATA[x]]> red nul end";
    let mut report = sample_report();
    for a in &mut report.accounts {
        a.name = format!("{}{HOSTILE}", a.name);
    }
    for f in &mut report.findings {
        f.account_name = format!("{}{HOSTILE}", f.account_name);
        f.message = format!("{HOSTILE}{}", f.message);
        if let Some(w) = &mut f.waiver {
            w.reason.push_str(HOSTILE);
        }
    }
    for r in &mut report.rules {
        r.remediation.push_str(HOSTILE);
    }
    let xml = render(&report, Format::Junit, &RenderOptions::plain()).unwrap();
    if let Some(c) = xml.chars().find(|&c| !is_xml_char(c)) {
        panic!("{c:?} is not an XML 1.0 character");
    }
    assert!(!xml.contains("]]>") && !xml.contains("<![CDATA["));
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("well-formed JUnit XML");
    assert_eq!(parsed.test_suites.len(), report.accounts.len());
    let cases: usize = parsed.test_suites.iter().map(|s| s.test_cases.len()).sum();
    assert_eq!(cases, report.findings.len());
    assert_eq!(parsed.failures, report.summary.count(Status::Fail));
    assert_eq!(parsed.errors, report.summary.count(Status::Error));
    // The values come back as they went in, less what XML cannot carry.
    let suite = &parsed.test_suites[0];
    assert_eq!(
        suite.name.as_str(),
        format!("acme-root{CLEAN} (111111111111)")
    );
    let name = suite
        .properties
        .iter()
        .find(|p| p.name.as_str() == "account_name");
    assert_eq!(name.unwrap().value.as_str(), format!("acme-root{CLEAN}"));
    let mut failures = 0;
    for case in parsed.test_suites.iter().flat_map(|s| &s.test_cases) {
        if let quick_junit::TestCaseStatus::NonSuccess {
            kind: quick_junit::NonSuccessKind::Failure,
            message,
            description,
            ..
        } = &case.status
        {
            failures += 1;
            assert!(message.as_ref().unwrap().starts_with(CLEAN), "{message:?}");
            let description = description.as_ref().unwrap().as_str();
            assert!(description.contains(&format!("\n{CLEAN}")), "{description}");
            assert!(description.trim_end().ends_with(CLEAN), "{description}");
        }
    }
    assert_eq!(failures, report.summary.count(Status::Fail));
}

// ---- Markdown -------------------------------------------------------------

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(plain(Format::Markdown));
}

#[test]
fn markdown_escapes_hostile_values() {
    let md = plain(Format::Markdown);
    assert!(!md.contains("<script>"), "{md}");
    assert!(!md.contains('\u{1b}'));
    assert!(md.contains("dev \\| \\<script\\>"));
    // Every table row has exactly as many unescaped pipes as its header.
    for block in md.split("\n\n").filter(|b| b.starts_with('|')) {
        let cells = |l: &str| l.replace("\\|", "").matches('|').count();
        let mut lines = block.lines();
        let want = cells(lines.next().unwrap());
        for l in lines {
            assert_eq!(cells(l), want, "row breaks the table: {l}");
        }
    }
}

// ---- the demo organization, end to end ------------------------------------

fn demo_report() -> Report {
    let rules = orgaudit::rules::load::load(&[], None).expect("built-in rules load");
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/demo-org.json"
    ));
    let snapshot = orgaudit::snapshot::Snapshot::load(path).expect("demo snapshot loads");
    orgaudit::rules::engine::evaluate(&rules, &snapshot, &Default::default())
}

#[test]
fn demo_sarif_validates_against_official_schema() {
    let schema = load_json(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/schemas/sarif-schema-2.1.0.json"
    ));
    let report = demo_report();
    let text = render(&report, Format::Sarif, &RenderOptions::plain()).unwrap();
    assert!(!text.contains("Could not evaluate: Could not evaluate:"));
    let instance: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_valid(&schema, &instance);
}

#[test]
fn demo_renders_in_every_format() {
    let report = demo_report();
    for format in Format::ALL {
        let text = render(&report, format, &RenderOptions::plain()).unwrap();
        assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "{format}");
    }
    let xml = render(&report, Format::Junit, &RenderOptions::plain()).unwrap();
    let parsed = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    assert_eq!(parsed.failures, report.summary.count(Status::Fail));
}

// ---- asff, ocsf, csv (validated by their own tools in tests/import_formats.rs)

#[test]
fn asff_snapshot() {
    insta::assert_snapshot!(plain(Format::Asff));
}

#[test]
fn ocsf_snapshot() {
    insta::assert_snapshot!(plain(Format::Ocsf));
}

#[test]
fn csv_snapshot() {
    insta::assert_snapshot!(plain(Format::Csv));
}
