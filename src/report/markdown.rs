//! A Markdown report for pull-request comments and tickets: summary, accounts,
//! failing findings grouped by severity, findings that could not be
//! evaluated, waivers, the manual checklist and warnings.
//!
//! Values from AWS are untrusted: plain text goes through [`text`] (Markdown
//! and HTML punctuation backslash-escaped, line breaks flattened, control and
//! bidi characters escaped) and identifiers through [`code`] (a code span in
//! which nothing is interpreted; table pipes escaped). Output is GitHub
//! Flavored Markdown.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{account_rows, plural, sorted_findings, totals_line};
use crate::findings::{Finding, Report, Severity, Status};
use crate::sanitize::one_line;

/// The markdown renderer.
pub struct Markdown;

impl super::Renderer for Markdown {
    fn write(
        &self,
        report: &Report,
        _: &super::RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> Result<(), super::RenderError> {
        out.write_all(render(report).as_bytes())?;
        Ok(())
    }
}

fn render(report: &Report) -> String {
    let mut md = String::new();
    let _ = write_report(&mut md, report);
    md
}

fn write_report(md: &mut String, report: &Report) -> std::fmt::Result {
    write_header(md, report)?;
    write_accounts(md, report)?;
    write_frameworks(md, report)?;
    write_failing(md, report)?;
    write_errors(md, report)?;
    write_waived(md, report)?;
    write_manual(md, report)?;
    if !report.warnings.is_empty() {
        writeln!(md, "## Warnings")?;
        writeln!(md)?;
        for w in &report.warnings {
            writeln!(md, "- {}", text(w))?;
        }
        writeln!(md)?;
    }
    // Exactly one trailing newline.
    while md.ends_with("\n\n") {
        md.pop();
    }
    Ok(())
}

/// The title, what was audited, the totals and what could not be read.
fn write_header(md: &mut String, report: &Report) -> std::fmt::Result {
    writeln!(md, "# orgaudit report")?;
    writeln!(md)?;
    let src = &report.source;
    let mut meta = Vec::new();
    if let Some(org) = &src.organization_id {
        meta.push(format!("Organization {}", code(org)));
    }
    if let Some(mgmt) = &src.management_account_id {
        meta.push(format!("management account {}", code(mgmt)));
    }
    if !src.collected_at.is_empty() {
        meta.push(format!("collected {}", text(&src.collected_at)));
    }
    if !src.regions.is_empty() {
        let regions: Vec<String> = src.regions.iter().map(|r| code(r)).collect();
        meta.push(format!("regions {}", regions.join(", ")));
    }
    meta.push(format!(
        "{} {}",
        text(&report.tool.name),
        text(&report.tool.version)
    ));
    writeln!(md, "{}", meta.join(" · "))?;
    writeln!(md)?;
    writeln!(md, "**{}**", text(&totals_line(report)))?;
    writeln!(md)?;
    if !src.incomplete.is_empty() {
        writeln!(
            md,
            "> [!WARNING]\n> The scan is incomplete: {} could not be read.",
            plural(src.incomplete.len(), "part", "parts")
        )?;
        for part in &src.incomplete {
            writeln!(md, "> - {}", text(part))?;
        }
        writeln!(md)?;
    }
    Ok(())
}

/// One row per account: its counts and whether it was reachable.
fn write_accounts(md: &mut String, report: &Report) -> std::fmt::Result {
    writeln!(md, "## Accounts")?;
    writeln!(md)?;
    writeln!(
        md,
        "| Account | Name | OU | PASS | FAIL | ERROR | MANUAL | WAIVED | Reachable |"
    )?;
    writeln!(md, "|---|---|---|--:|--:|--:|--:|--:|---|")?;
    for a in account_rows(report) {
        let name = if a.is_management {
            format!("{} (management)", text(&a.name))
        } else {
            text(&a.name)
        };
        let reach = match (&a.unreachable, &a.closed) {
            (_, Some(status)) => format!("closed ({}): not audited", text(status)),
            (None, None) => "yes".to_string(),
            (Some(why), None) => format!("**unreachable**: {}", text(why)),
        };
        let c = a.counts;
        writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            code(&a.id),
            name,
            text(&a.ou_path),
            c.pass,
            c.fail,
            c.error,
            c.manual,
            c.waived,
            reach
        )?;
    }
    writeln!(md)?;
    Ok(())
}

/// The failing findings, grouped by severity.
fn write_failing(md: &mut String, report: &Report) -> std::fmt::Result {
    let failing = sorted_findings(report, &[Status::Fail]);
    writeln!(md, "## Failing findings")?;
    writeln!(md)?;
    if failing.is_empty() {
        writeln!(md, "None.")?;
        writeln!(md)?;
    }
    for sev in Severity::ALL {
        let group: Vec<&&Finding> = failing.iter().filter(|f| f.severity == sev).collect();
        if group.is_empty() {
            continue;
        }
        writeln!(md, "### {} ({})", capitalize(sev.as_str()), group.len())?;
        writeln!(md)?;
        writeln!(md, "| Rule | Account | Resource | Message |")?;
        writeln!(md, "|---|---|---|---|")?;
        for f in group {
            writeln!(
                md,
                "| {} | {} | {} | {} |",
                rule_cell(f),
                account_cell(f),
                resource_cell(f),
                text(&f.message)
            )?;
        }
        writeln!(md)?;
    }
    Ok(())
}

/// The findings that could not be evaluated.
fn write_errors(md: &mut String, report: &Report) -> std::fmt::Result {
    let errors = sorted_findings(report, &[Status::Error]);
    if !errors.is_empty() {
        writeln!(md, "## Could not be evaluated ({})", errors.len())?;
        writeln!(md)?;
        writeln!(
            md,
            "These checks are neither passed nor failed: their facts were missing or the API call failed."
        )?;
        writeln!(md)?;
        writeln!(md, "| Severity | Rule | Account | Resource | Reason |")?;
        writeln!(md, "|---|---|---|---|---|")?;
        for f in errors {
            writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                f.severity,
                rule_cell(f),
                account_cell(f),
                resource_cell(f),
                text(&f.message)
            )?;
        }
        writeln!(md)?;
    }
    Ok(())
}

/// The waived findings, with the reason and expiry of each waiver.
fn write_waived(md: &mut String, report: &Report) -> std::fmt::Result {
    let waived = sorted_findings(report, &[Status::Waived]);
    if !waived.is_empty() {
        writeln!(md, "## Waived ({})", waived.len())?;
        writeln!(md)?;
        writeln!(
            md,
            "| Severity | Rule | Account | Resource | Reason | Expires |"
        )?;
        writeln!(md, "|---|---|---|---|---|---|")?;
        for f in waived {
            let (reason, expires) = match &f.waiver {
                Some(w) => (text(&w.reason), text(&w.expires)),
                None => (String::new(), String::new()),
            };
            writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                f.severity,
                rule_cell(f),
                account_cell(f),
                resource_cell(f),
                reason,
                expires
            )?;
        }
        writeln!(md)?;
    }
    Ok(())
}

/// The manual checklist: one item per rule, with the accounts it applies to.
fn write_manual(md: &mut String, report: &Report) -> std::fmt::Result {
    let manual = sorted_findings(report, &[Status::Manual]);
    if !manual.is_empty() {
        let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in manual {
            by_rule.entry(f.rule_id.as_str()).or_default().push(f);
        }
        writeln!(md, "## Manual checklist ({})", by_rule.len())?;
        writeln!(md)?;
        for (rule_id, fs) in by_rule {
            let title = &fs[0].title;
            writeln!(md, "- [ ] **{}** ({})", text(title), code(rule_id))?;
            if let Some(msg) = fs.first().map(|f| &f.message) {
                writeln!(md, "  {}", text(msg))?;
            }
            let accounts: Vec<String> = fs.iter().map(|f| account_cell(f)).collect();
            writeln!(md, "  Accounts: {}", accounts.join(", "))?;
        }
        writeln!(md)?;
    }
    Ok(())
}

/// Per framework: the counts, then each checked requirement with its
/// verdict and rules (folded: a framework has dozens).
fn write_frameworks(md: &mut String, report: &Report) -> std::fmt::Result {
    if report.frameworks.is_empty() {
        return Ok(());
    }
    writeln!(md, "## Compliance frameworks")?;
    writeln!(md)?;
    writeln!(
        md,
        "| Framework | Checked | Passed | Failed | Waived | Not evaluated | Manual | Pass rate |"
    )?;
    writeln!(md, "|---|--:|--:|--:|--:|--:|--:|--:|")?;
    for fw in &report.frameworks {
        writeln!(
            md,
            "| {} (`{}`) | {} of {} | {} | {} | {} | {} | {} | {} |",
            text(&fw.title()),
            text(&fw.id),
            fw.requirements_covered,
            fw.requirements_total,
            fw.passed,
            fw.failed,
            fw.waived,
            fw.not_evaluated,
            fw.manual,
            fw.pass_rate_text()
        )?;
    }
    writeln!(md)?;
    for fw in &report.frameworks {
        writeln!(
            md,
            "<details><summary>{}: requirements</summary>\n",
            text(&fw.title())
        )?;
        writeln!(md, "| Requirement | Title | Verdict | Rules |")?;
        writeln!(md, "|---|---|---|---|")?;
        for r in &fw.requirements {
            let rules: Vec<String> = r.rules.iter().map(|id| code(id)).collect();
            writeln!(
                md,
                "| {} | {} | {} | {} |",
                text(&r.id),
                text(&r.title),
                r.status.label(),
                rules.join(", ")
            )?;
        }
        writeln!(md, "\n</details>\n")?;
    }
    Ok(())
}

fn rule_cell(f: &Finding) -> String {
    format!("{} {}", code(&f.rule_id), text(&f.title))
}

fn account_cell(f: &Finding) -> String {
    format!("{} {}", text(&f.account_name), code(&f.account_id))
}

fn resource_cell(f: &Finding) -> String {
    match f.key().location() {
        Some(place) => code(place),
        None => "account".to_string(),
    }
}

fn capitalize(s: &str) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(c) => c.to_uppercase().collect::<String>() + cs.as_str(),
        None => String::new(),
    }
}

/// Untrusted text as inline Markdown that renders literally: Markdown and
/// HTML punctuation backslash-escaped (no emphasis, links, images, HTML,
/// table cells, math, entities), line breaks flattened, control
/// and bidi characters shown escaped.
pub fn text(s: &str) -> String {
    let s = one_line(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if "\\`*_{}[]()<>#+!|~&@$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Untrusted identifier as a code span: nothing inside is interpreted except
/// that a `|` would end a GFM table cell, so it is escaped.
pub fn code(s: &str) -> String {
    let s = one_line(s).replace('|', "\\|");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    if longest == 0 {
        return format!("`{s}`");
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {s} {fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup() {
        assert_eq!(text("a|b"), "a\\|b");
        assert_eq!(text("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(text("*x* [l](u)"), "\\*x\\* \\[l\\]\\(u\\)");
        assert_eq!(text("line\nbreak"), "line break");
        assert_eq!(text("prod-app.example"), "prod-app.example");
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("arn:aws:iam::1:user/a"), "`arn:aws:iam::1:user/a`");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("a|b"), "`a\\|b`");
    }
}
