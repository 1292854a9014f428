//! The HTML report: self-contained, escaped, deterministic, and rendered
//! without console messages by a real browser (when Debian's `chromium` is
//! installed; skipped with a message otherwise).

use orgaudit::findings::{Report, Status};
use orgaudit::report::{render, Format, RenderOptions};
use std::path::Path;
use std::process::Command;

const HOSTILE: &str = "<script>alert(1)</script>";
const HOSTILE_ARN: &str = "arn:aws:iam::555555555555:user/\"><img src=x onerror=alert(2)>";

fn demo_snapshot() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/demo-org.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn evaluate(snapshot: &serde_json::Value) -> Report {
    let rules = orgaudit::rules::load::load(&[], None).expect("built-in rules load");
    let snapshot =
        orgaudit::snapshot::Snapshot::from_json(&snapshot.to_string(), "test").expect("snapshot");
    orgaudit::rules::engine::evaluate(&rules, &snapshot, &Default::default())
}

/// The demo organization with hostile values where AWS lets users write
/// them: an account name, an OU path, a user ARN, a waiver reason, a warning.
fn hostile_report() -> Report {
    let mut snap = demo_snapshot();
    let sandbox = snap["accounts"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|a| a["id"] == "555555555555")
        .unwrap();
    sandbox["name"] = HOSTILE.into();
    sandbox["ou_path"] = "Root/<b onmouseover=alert(3)>Dev</b>".into();
    sandbox["iam"]["users"]["data"][0]["arn"] = HOSTILE_ARN.into();
    let mut report = evaluate(&snap);
    for f in report.findings.iter_mut() {
        if f.account_id == "555555555555"
            && f.status == Status::Fail
            && f.rule_id == "root-mfa-enabled"
        {
            f.status = Status::Waived;
            f.waiver = Some(orgaudit::findings::AppliedWaiver {
                reason: "</td></tr></table><iframe src=https://evil.example>".into(),
                expires: "2030-01-01".into(),
            });
        }
    }
    report.warnings.push(format!("waiver at {HOSTILE}"));
    report.summary = orgaudit::findings::Summary::of(&report.findings);
    report
}

fn html(report: &Report) -> String {
    render(report, Format::Html, &RenderOptions::plain()).unwrap()
}

#[test]
fn hostile_values_do_not_inject_markup() {
    let report = hostile_report();
    // The hostile name really is in the report, in several places.
    assert!(report.findings.iter().any(|f| f.account_name == HOSTILE));
    assert!(report
        .findings
        .iter()
        .any(|f| f.resource_arn.as_deref() == Some(HOSTILE_ARN)));
    let h = html(&report);
    for needle in [
        "<script",
        "<img",
        "<iframe",
        "<b onmouseover",
        "onerror=alert(2)>",
    ] {
        assert!(!h.contains(needle), "unescaped `{needle}` in the HTML");
    }
    assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(h.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    assert!(h.contains("&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;iframe"));
}

#[test]
fn html_is_self_contained() {
    let h = html(&evaluate(&demo_snapshot()));
    assert!(h.starts_with("<!DOCTYPE html>"));
    assert!(h.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    for needle in [
        " src=",
        "<link",
        "href=\"http",
        "url(",
        "@import",
        "<script",
    ] {
        assert!(
            !h.contains(needle),
            "external reference or script: `{needle}`"
        );
    }
    // Every in-page link has its target.
    for (i, _) in h.match_indices("href=\"#") {
        let target = &h[i + 7..];
        let target = &target[..target.find('"').unwrap()];
        assert!(
            h.contains(&format!("id=\"{target}\"")) || h.contains(&format!("id={target}>")),
            "dangling link #{target}"
        );
    }
}

#[test]
fn html_has_every_section_and_waived_reason() {
    let h = html(&hostile_report());
    for needle in [
        "<h2>Accounts (7)</h2>",
        "Heat map: accounts × rules",
        "Failing findings (",
        "Could not be evaluated (",
        "Waived (1)",
        "Manual checklist (",
        "Why it matters",
        "Remediation",
        "2026-11-20T09:00:00Z",
        "orgaudit 0.1.0",
        "Scan incomplete",
        "Warnings",
        "2030-01-01",
    ] {
        assert!(h.contains(needle), "missing `{needle}`");
    }
    assert!(h.ends_with("</html>\n"));
}

#[test]
fn html_is_deterministic() {
    let r = hostile_report();
    assert_eq!(html(&r), html(&r));
}

/// Runs `scripts/check-html.sh` (headless Chromium) on the demo report and on
/// the hostile report. Skipped when no chromium is installed.
#[test]
fn renders_in_headless_chromium_without_console_messages() {
    let has = |b: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {b}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if std::env::var_os("CHROMIUM").is_none() && !has("chromium") && !has("chromium-browser") {
        assert!(
            std::env::var_os("ORGAUDIT_REQUIRE_CHROMIUM").is_none(),
            "chromium is required here (ORGAUDIT_REQUIRE_CHROMIUM) but not installed"
        );
        eprintln!("SKIPPED: chromium is not installed (Debian: apt-get install chromium)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let hostile = dir.path().join("hostile.html");
    std::fs::write(&hostile, html(&hostile_report())).unwrap();
    for args in [vec![], vec![hostile.to_str().unwrap().to_string()]] {
        let out = Command::new(root.join("scripts/check-html.sh"))
            .args(&args)
            .env("ORGAUDIT_BIN", env!("CARGO_BIN_EXE_orgaudit"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "check-html.sh {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
