//! A self-contained HTML report for security reviews: one file, inline CSS,
//! no script, no external asset, no network access (a Content-Security-Policy
//! forbids them, so even injected markup could not run or fetch anything).
//!
//! Sections: scan metadata (organization, time, tool version, regions,
//! incomplete parts), totals, warnings, a summary per account, an accounts ×
//! rules heat map (each cell the worst status of the rule in the account),
//! failing findings grouped by severity and rule with the rule's rationale
//! and remediation, findings that could not be evaluated, waived findings
//! with reason and expiry, and the manual checklist.
//!
//! Every value — from AWS (account names, e-mails, messages, ARNs) or from
//! rule files — goes through [`esc`]: `& < > " '` become entities, and control
//! and bidi characters are shown escaped. The output is deterministic (no
//! clock): the same report renders to the same bytes.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use super::{account_rows, plural, totals_line, AccountRow};
use crate::findings::{Finding, Report, RuleInfo, Severity, Status};

const CSS: &str = include_str!("html.css");

/// The html renderer.
pub struct Html;

impl super::Renderer for Html {
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
    // Roughly 120 bytes per finding plus the heat map; avoids regrowth.
    let mut h = String::with_capacity(16 * 1024 + report.findings.len() * 120);
    let _ = write_report(&mut h, report);
    h
}

/// Escapes untrusted text for HTML element content and quoted attribute
/// values. Line breaks are kept (for `pre-wrap` blocks); other control and
/// bidi-override characters are shown as `\u{…}`.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_esc(&mut out, s);
    out
}

fn push_esc(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            '\r' => {}
            c if crate::sanitize::is_hostile(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// A value usable inside an `id`/`href` fragment: ASCII alphanumerics and
/// `-`, everything else as `_`.
fn anchor(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Fail => "fail",
        Status::Error => "error",
        Status::Waived => "waived",
        Status::Manual => "manual",
        Status::Pass => "pass",
    }
}

/// Heat-map cell: a one-letter class; the stylesheet draws the colour and a
/// glyph (so the map reads without colour). End tags are implied (HTML), which
/// keeps a 10,000-account map small.
fn cell_of(s: Option<Status>) -> &'static str {
    match s {
        Some(Status::Fail) => "<td class=F>",
        Some(Status::Error) => "<td class=E>",
        Some(Status::Waived) => "<td class=W>",
        Some(Status::Manual) => "<td class=M>",
        Some(Status::Pass) => "<td class=P>",
        None => "<td class=N>",
    }
}

fn severity_badge(sev: Severity) -> String {
    format!("<span class=\"sev sev-{0}\">{0}</span>", sev.as_str())
}

/// The resource or region of a finding; empty for the account itself (the
/// stylesheet shows "account" in an empty `td.acc`).
fn resource(f: &Finding) -> String {
    match f.key().location() {
        Some(place) => format!("<code>{}</code>", esc(place)),
        None => String::new(),
    }
}

/// A resource table cell: `<td>` with the resource, or `<td class=acc>`.
fn resource_td(f: &Finding) -> String {
    let r = resource(f);
    if r.is_empty() {
        "<td class=acc>".to_string()
    } else {
        format!("<td>{r}")
    }
}

/// `name <samp>id</samp>`.
fn account_cell(f: &Finding) -> String {
    format!(
        "{} <samp>{}</samp>",
        esc(&f.account_name),
        esc(&f.account_id)
    )
}

fn write_report(h: &mut String, report: &Report) -> std::fmt::Result {
    let src = &report.source;
    let title = match &src.organization_id {
        Some(org) => format!("orgaudit report — {}", esc(org)),
        None => "orgaudit report".to_string(),
    };
    write_head(h, report, &title)?;
    write_metadata(h, report, &title)?;
    writeln!(
        h,
        "<nav><a href=\"#accounts\">Accounts</a><a href=\"#heatmap\">Heat map</a><a href=\"#failing\">Failing</a><a href=\"#errors\">Not evaluated</a><a href=\"#waived\">Waived</a><a href=\"#manual\">Manual checklist</a></nav>"
    )?;
    write_totals(h, report)?;
    write_notices(h, report)?;
    let rows = account_rows(report);
    write_accounts(h, &rows)?;
    write_frameworks(h, report)?;
    write_heatmap(h, report, &rows)?;
    write_failing(h, report)?;
    write_errors(h, report)?;
    write_waived(h, report)?;
    write_manual(h, report)?;

    writeln!(
        h,
        "</main>\n<footer>Generated by {} {} from a snapshot collected {}. Statuses: FAIL (condition does not hold), ERROR (could not be evaluated), WAIVED (accepted exception), MANUAL (a person must check), PASS.</footer>\n</body>\n</html>",
        esc(&report.tool.name),
        esc(&report.tool.version),
        esc(&src.collected_at)
    )?;
    Ok(())
}

/// From the doctype to `<body>`: the content policy, the title and the style.
fn write_head(h: &mut String, report: &Report, title: &str) -> std::fmt::Result {
    writeln!(h, "<!DOCTYPE html>")?;
    writeln!(h, "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">")?;
    writeln!(
        h,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">"
    )?;
    writeln!(
        h,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        h,
        "<meta name=\"generator\" content=\"{} {}\">",
        esc(&report.tool.name),
        esc(&report.tool.version)
    )?;
    writeln!(
        h,
        "<title>{title}</title>\n<style>\n{CSS}</style>\n</head>\n<body>"
    )?;
    Ok(())
}

/// The page header: the title and what was audited, by whom, how completely.
fn write_metadata(h: &mut String, report: &Report, title: &str) -> std::fmt::Result {
    let src = &report.source;
    writeln!(h, "<header>\n<h1>{title}</h1>\n<dl class=meta>")?;
    let mut meta = |k: &str, v: String| writeln!(h, "<div><dt>{k}</dt><dd>{v}</dd></div>");
    if let Some(org) = &src.organization_id {
        meta("Organization", format!("<code>{}</code>", esc(org)))?;
    }
    if let Some(m) = &src.management_account_id {
        meta("Management account", format!("<code>{}</code>", esc(m)))?;
    }
    meta(
        "Collected",
        if src.collected_at.is_empty() {
            "unknown".to_string()
        } else {
            esc(&src.collected_at)
        },
    )?;
    meta(
        "Regions",
        if src.regions.is_empty() {
            "none recorded".to_string()
        } else {
            src.regions
                .iter()
                .map(|r| esc(r))
                .collect::<Vec<_>>()
                .join(", ")
        },
    )?;
    meta(
        "Tool",
        format!("{} {}", esc(&report.tool.name), esc(&report.tool.version)),
    )?;
    meta(
        "Completeness",
        if src.incomplete.is_empty() {
            "complete".to_string()
        } else {
            format!(
                "<span class=warn-text>incomplete: {} not read</span>",
                plural(src.incomplete.len(), "part", "parts")
            )
        },
    )?;
    writeln!(h, "</dl>\n</header>\n<main>")?;
    Ok(())
}

/// The totals: a card per status, failing findings per severity.
fn write_totals(h: &mut String, report: &Report) -> std::fmt::Result {
    let s = &crate::findings::Summary::of(&report.findings);
    writeln!(h, "<section id=summary>\n<div class=cards>")?;
    for st in [
        Status::Fail,
        Status::Error,
        Status::Waived,
        Status::Manual,
        Status::Pass,
    ] {
        writeln!(
            h,
            "<div class=\"card {}\"><div class=n>{}</div><div class=l>{}</div></div>",
            status_class(st),
            s.count(st),
            st.as_str()
        )?;
    }
    writeln!(h, "</div>\n<div class=sevs>Failing by severity:")?;
    for sev in Severity::ALL {
        let n = s.failing_by_severity.get(&sev).copied().unwrap_or(0);
        writeln!(h, "{} <b>{n}</b>", severity_badge(sev))?;
    }
    writeln!(
        h,
        "</div>\n<p class=totals>{}</p>",
        esc(&totals_line(report))
    )?;
    writeln!(h, "</section>")?;
    Ok(())
}

/// What could not be read, and the warnings.
fn write_notices(h: &mut String, report: &Report) -> std::fmt::Result {
    let src = &report.source;
    if !src.incomplete.is_empty() {
        writeln!(
            h,
            "<section class=\"notice warn\"><h2>Scan incomplete</h2><p>These parts could not be read; rules that need them are <b>ERROR</b>, never PASS.</p>"
        )?;
        let open = if src.incomplete.len() <= 20 {
            " open"
        } else {
            ""
        };
        writeln!(
            h,
            "<details{open}><summary>{}</summary><ul>",
            plural(src.incomplete.len(), "part", "parts")
        )?;
        for p in &src.incomplete {
            writeln!(h, "<li>{}</li>", esc(p))?;
        }
        writeln!(h, "</ul></details></section>")?;
    }
    if !report.warnings.is_empty() {
        writeln!(h, "<section class=\"notice\"><h2>Warnings</h2><ul>")?;
        for w in &report.warnings {
            writeln!(h, "<li>{}</li>", esc(w))?;
        }
        writeln!(h, "</ul></section>")?;
    }
    Ok(())
}

/// Per framework: the counts and each checked requirement's verdict.
fn write_frameworks(h: &mut String, report: &Report) -> std::fmt::Result {
    if report.frameworks.is_empty() {
        return Ok(());
    }
    writeln!(
        h,
        "<section id=frameworks>\n<h2>Compliance frameworks</h2>\n<table>\n<thead><tr><th>Framework</th><th>Checked</th><th>Passed</th><th>Failed</th><th>Waived</th><th>Not evaluated</th><th>Manual</th><th>Pass rate</th></tr></thead>\n<tbody>"
    )?;
    for fw in &report.frameworks {
        writeln!(
            h,
            "<tr><td>{} (<code>{}</code>)</td><td class=num>{} of {}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td></tr>",
            esc(&fw.title()),
            esc(&fw.id),
            fw.requirements_covered,
            fw.requirements_total,
            fw.passed,
            fw.failed,
            fw.waived,
            fw.not_evaluated,
            fw.manual,
            esc(&fw.pass_rate_text())
        )?;
    }
    writeln!(h, "</tbody>\n</table>")?;
    for fw in &report.frameworks {
        writeln!(
            h,
            "<details><summary>{}: requirements</summary>\n<table>\n<thead><tr><th>Requirement</th><th>Title</th><th>Verdict</th><th>Rules</th></tr></thead>\n<tbody>",
            esc(&fw.title())
        )?;
        for r in &fw.requirements {
            let rules: Vec<String> = r
                .rules
                .iter()
                .map(|id| format!("<code>{}</code>", esc(id)))
                .collect();
            writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&r.id),
                esc(&r.title),
                r.status.label(),
                rules.join(", ")
            )?;
        }
        writeln!(h, "</tbody>\n</table>\n</details>")?;
    }
    writeln!(h, "</section>")
}

fn write_accounts(h: &mut String, rows: &[AccountRow]) -> std::fmt::Result {
    writeln!(
        h,
        "<section id=accounts>\n<h2>Accounts ({})</h2>",
        rows.len()
    )?;
    writeln!(
        h,
        "<table class=accounts><thead><tr><th>Account</th><th>Name</th><th>OU</th><th class=num>FAIL</th><th class=num>ERROR</th><th class=num>WAIVED</th><th class=num>MANUAL</th><th class=num>PASS</th><th>Reachable</th></tr></thead><tbody>"
    )?;
    // End tags of rows and cells are implied (HTML) and left out.
    let num = |h: &mut String, n: usize, class: &str| {
        if n == 0 {
            h.push_str("<td class=z>0");
        } else {
            let _ = write!(h, "<td class={class}>{n}");
        }
    };
    for a in rows {
        let _ = write!(
            h,
            "<tr><td><samp>{}</samp><td>{}{}<td>{}",
            esc(&a.id),
            esc(&a.name),
            if a.is_management {
                " <span class=tag>management</span>"
            } else {
                ""
            },
            esc(&a.ou_path)
        );
        num(h, a.counts.fail, "nf");
        num(h, a.counts.error, "ne");
        num(h, a.counts.waived, "nw");
        num(h, a.counts.manual, "nm");
        num(h, a.counts.pass, "np");
        match (&a.unreachable, &a.closed) {
            (_, Some(status)) => {
                let _ = writeln!(h, "<td>closed ({}): not audited", esc(status));
            }
            (None, None) => h.push_str("<td>yes\n"),
            (Some(why), None) => {
                let _ = writeln!(h, "<td class=unreach>unreachable: {}", esc(why));
            }
        }
    }
    writeln!(h, "</tbody></table>\n</section>")
}

fn write_heatmap(h: &mut String, report: &Report, rows: &[AccountRow]) -> std::fmt::Result {
    // Columns: the report's rules that have findings, in report order, plus
    // any rule id only seen in findings.
    let mut cols: Vec<&str> = Vec::new();
    let mut col_of: HashMap<&str, usize> = HashMap::new();
    let used: std::collections::HashSet<&str> =
        report.findings.iter().map(|f| f.rule_id.as_str()).collect();
    for r in &report.rules {
        if used.contains(r.id.as_str()) && !col_of.contains_key(r.id.as_str()) {
            col_of.insert(r.id.as_str(), cols.len());
            cols.push(r.id.as_str());
        }
    }
    for f in &report.findings {
        if !col_of.contains_key(f.rule_id.as_str()) {
            col_of.insert(f.rule_id.as_str(), cols.len());
            cols.push(f.rule_id.as_str());
        }
    }
    let row_of: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let mut grid: Vec<Option<Status>> = vec![None; rows.len() * cols.len()];
    for f in &report.findings {
        let (Some(&r), Some(&c)) = (
            row_of.get(f.account_id.as_str()),
            col_of.get(f.rule_id.as_str()),
        ) else {
            continue;
        };
        let cell = &mut grid[r * cols.len() + c];
        if cell.is_none_or(|old| f.status.rank() < old.rank()) {
            *cell = Some(f.status);
        }
    }
    writeln!(
        h,
        "<section id=heatmap>\n<h2>Heat map: accounts × rules</h2>"
    )?;
    writeln!(
        h,
        "<p class=legend>Each cell is the worst status of the rule in the account: <span class=\"key F\">✗ FAIL</span> <span class=\"key E\">! ERROR</span> <span class=\"key W\">~ WAIVED</span> <span class=\"key M\">? MANUAL</span> <span class=\"key P\">✓ PASS</span> <span class=\"key N\">not applicable</span></p>"
    )?;
    writeln!(
        h,
        "<div class=scroll><table class=heat><thead><tr><th class=corner>Account</th>"
    )?;
    // Rules with a section of their own (failing or manual) get a link.
    let anchored: std::collections::HashSet<&str> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Manual))
        .map(|f| f.rule_id.as_str())
        .collect();
    for id in &cols {
        let sev = report
            .rule(id)
            .map(|r| r.severity.as_str())
            .unwrap_or("info");
        if anchored.contains(id) {
            writeln!(
                h,
                "<th class=\"rot sevcol-{sev}\"><a href=\"#rule-{}\"><span>{}</span></a></th>",
                anchor(id),
                esc(id)
            )?;
        } else {
            writeln!(
                h,
                "<th class=\"rot sevcol-{sev}\"><span>{}</span></th>",
                esc(id)
            )?;
        }
    }
    writeln!(h, "</tr></thead><tbody>")?;
    for (i, a) in rows.iter().enumerate() {
        let _ = write!(h, "<tr><th>{} <samp>{}</samp>", esc(&a.name), esc(&a.id));
        for c in 0..cols.len() {
            h.push_str(cell_of(grid[i * cols.len() + c]));
        }
        h.push_str("</tr>\n");
    }
    writeln!(h, "</tbody></table></div>\n</section>")
}

/// Rule details: rationale, remediation, mappings.
fn write_rule_details(h: &mut String, rule: Option<&RuleInfo>) -> std::fmt::Result {
    let Some(rule) = rule else { return Ok(()) };
    if !rule.rationale.trim().is_empty() {
        writeln!(
            h,
            "<h4>Why it matters</h4><div class=prose>{}</div>",
            esc(rule.rationale.trim())
        )?;
    }
    if !rule.remediation.trim().is_empty() {
        writeln!(
            h,
            "<h4>Remediation</h4><div class=prose>{}</div>",
            esc(rule.remediation.trim())
        )?;
    }
    let maps: Vec<String> = rule
        .mappings
        .labelled()
        .into_iter()
        .filter(|m| !m.ids.is_empty())
        .map(|m| {
            // Requirement numbers are prose; the other tools' ids are code.
            if m.numbered {
                format!("{} {}", esc(&m.label), esc(&m.ids.join(", ")))
            } else {
                format!("{} <code>{}</code>", esc(&m.label), esc(&m.ids.join(", ")))
            }
        })
        .collect();
    if !maps.is_empty() {
        writeln!(h, "<p class=maps>{}</p>", maps.join(" · "))?;
    }
    Ok(())
}

/// Groups findings of `status` by (severity, rule), most severe first.
fn by_rule(report: &Report, status: Status) -> BTreeMap<(Severity, &str), Vec<&Finding>> {
    let mut groups: BTreeMap<(Severity, &str), Vec<&Finding>> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| f.status == status) {
        groups
            .entry((f.severity, f.rule_id.as_str()))
            .or_default()
            .push(f);
    }
    for v in groups.values_mut() {
        v.sort_by(|a, b| {
            (&a.account_id, &a.resource_arn, &a.region).cmp(&(
                &b.account_id,
                &b.resource_arn,
                &b.region,
            ))
        });
    }
    groups
}

fn write_failing(h: &mut String, report: &Report) -> std::fmt::Result {
    let groups = by_rule(report, Status::Fail);
    let total: usize = groups.values().map(Vec::len).sum();
    writeln!(
        h,
        "<section id=failing>\n<h2>Failing findings ({total})</h2>"
    )?;
    if groups.is_empty() {
        writeln!(h, "<p class=ok>No failing findings.</p>")?;
    }
    let mut current: Option<Severity> = None;
    for ((sev, rule_id), fs) in &groups {
        if current != Some(*sev) {
            let n: usize = groups
                .iter()
                .filter(|((s, _), _)| s == sev)
                .map(|(_, v)| v.len())
                .sum();
            writeln!(
                h,
                "<h3 class=sevhead>{} {}</h3>",
                severity_badge(*sev),
                plural(n, "finding", "findings")
            )?;
            current = Some(*sev);
        }
        let rule = report.rule(rule_id);
        let title = rule
            .map(|r| r.title.as_str())
            .unwrap_or(fs[0].title.as_str());
        writeln!(
            h,
            "<article class=\"rule sevborder-{}\" id=\"rule-{}\"><h4 class=rtitle>{} <code>{}</code> <span class=count>{}</span></h4>",
            sev.as_str(),
            anchor(rule_id),
            esc(title),
            esc(rule_id),
            plural(fs.len(), "failure", "failures")
        )?;
        writeln!(h, "<table class=findings><thead><tr><th>Account</th><th>Resource</th><th>Finding</th></tr></thead><tbody>")?;
        for f in fs {
            // End tags of rows and cells are implied (HTML) and left out.
            writeln!(
                h,
                "<tr><td>{}{}<td>{}",
                account_cell(f),
                resource_td(f),
                esc(&f.message)
            )?;
        }
        writeln!(h, "</tbody></table>")?;
        write_rule_details(h, rule)?;
        writeln!(h, "</article>")?;
    }
    writeln!(h, "</section>")
}

fn write_errors(h: &mut String, report: &Report) -> std::fmt::Result {
    // One row per account, resource and reason, with the rules it stopped:
    // an unreachable account is one row, not one per rule.
    type Where<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a str);
    let mut groups: BTreeMap<Where, Vec<&Finding>> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| f.status == Status::Error) {
        groups
            .entry((
                f.account_id.as_str(),
                f.resource_arn.as_deref(),
                f.region.as_deref(),
                f.message.as_str(),
            ))
            .or_default()
            .push(f);
    }
    let total: usize = groups.values().map(Vec::len).sum();
    writeln!(
        h,
        "<section id=errors>\n<h2>Could not be evaluated ({total})</h2>"
    )?;
    if groups.is_empty() {
        return writeln!(
            h,
            "<p class=ok>Every rule could be evaluated.</p>\n</section>"
        );
    }
    writeln!(
        h,
        "<p>These checks are neither passed nor failed: their facts were missing or an API call failed. Grant the scanner the documented read-only policy and scan again.</p>"
    )?;
    writeln!(h, "<table class=findings><thead><tr><th>Account</th><th>Resource</th><th>Rules</th><th>Reason</th></tr></thead><tbody>")?;
    for fs in groups.values() {
        let mut fs = fs.clone();
        fs.sort_by(|a, b| (a.severity, &a.rule_id).cmp(&(b.severity, &b.rule_id)));
        let rules: Vec<String> = fs
            .iter()
            .map(|f| {
                format!(
                    "<code class=\"rid s-{}\">{}</code>",
                    f.severity.as_str(),
                    esc(&f.rule_id)
                )
            })
            .collect();
        writeln!(
            h,
            "<tr><td>{}{}<td>{}<td>{}",
            account_cell(fs[0]),
            resource_td(fs[0]),
            rules.join(" "),
            esc(&fs[0].message)
        )?;
    }
    writeln!(h, "</tbody></table>\n</section>")
}

fn write_waived(h: &mut String, report: &Report) -> std::fmt::Result {
    // One row per rule and waiver (reason, expiry), with what it covers.
    let mut groups: BTreeMap<(Severity, &str, &str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in report
        .findings
        .iter()
        .filter(|f| f.status == Status::Waived)
    {
        let (reason, expires) = match &f.waiver {
            Some(w) => (w.reason.as_str(), w.expires.as_str()),
            None => ("", ""),
        };
        groups
            .entry((f.severity, f.rule_id.as_str(), reason, expires))
            .or_default()
            .push(f);
    }
    let total: usize = groups.values().map(Vec::len).sum();
    writeln!(h, "<section id=waived>\n<h2>Waived ({total})</h2>")?;
    if groups.is_empty() {
        return writeln!(h, "<p class=muted>No finding is waived.</p>\n</section>");
    }
    writeln!(
        h,
        "<p>Accepted exceptions from the config file. They do not fail the gate until they expire.</p>"
    )?;
    writeln!(h, "<table class=findings><thead><tr><th>Severity</th><th>Rule</th><th>Reason</th><th>Expires</th><th>Waived findings</th></tr></thead><tbody>")?;
    for ((sev, rule_id, reason, expires), fs) in &groups {
        let items: Vec<String> = fs
            .iter()
            .map(|f| {
                let r = resource(f);
                if r.is_empty() {
                    account_cell(f)
                } else {
                    format!("{} {r}", account_cell(f))
                }
            })
            .collect();
        let covered = if items.len() <= 5 {
            items.join("<br>")
        } else {
            format!(
                "<details><summary>{}</summary>{}</details>",
                plural(items.len(), "finding", "findings"),
                items.join("<br>")
            )
        };
        writeln!(
            h,
            "<tr><td>{}<td><code class=rid>{}</code><td>{}<td class=nowrap>{}<td>{covered}",
            severity_badge(*sev),
            esc(rule_id),
            esc(reason),
            esc(expires),
        )?;
    }
    writeln!(h, "</tbody></table>\n</section>")
}

fn write_manual(h: &mut String, report: &Report) -> std::fmt::Result {
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in report
        .findings
        .iter()
        .filter(|f| f.status == Status::Manual)
    {
        by_rule.entry(f.rule_id.as_str()).or_default().push(f);
    }
    writeln!(
        h,
        "<section id=manual>\n<h2>Manual checklist ({})</h2>",
        by_rule.len()
    )?;
    if by_rule.is_empty() {
        return writeln!(h, "<p class=muted>No manual checks.</p>\n</section>");
    }
    writeln!(h, "<p>No API tells these; a person must check them, in each account listed.</p><ul class=checklist>")?;
    for (rule_id, fs) in by_rule {
        let rule = report.rule(rule_id);
        let title = rule
            .map(|r| r.title.as_str())
            .unwrap_or(fs[0].title.as_str());
        writeln!(
            h,
            "<li id=\"rule-{}\"><span class=box>☐</span> <b>{}</b> <code>{}</code> {}<div class=prose>{}</div>",
            anchor(rule_id),
            esc(title),
            esc(rule_id),
            severity_badge(fs[0].severity),
            esc(&fs[0].message)
        )?;
        let accounts: Vec<String> = fs.iter().map(|f| account_cell(f)).collect();
        writeln!(
            h,
            "<details><summary>{}</summary><p class=acctlist>{}</p></details>",
            plural(accounts.len(), "account", "accounts"),
            accounts.join(", ")
        )?;
        if let Some(r) = rule {
            if !r.remediation.trim().is_empty() {
                writeln!(h, "<details><summary>How to check and fix</summary><div class=prose>{}</div></details>", esc(r.remediation.trim()))?;
            }
        }
        writeln!(h, "</li>")?;
    }
    writeln!(h, "</ul>\n</section>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esc_escapes_markup_and_controls() {
        assert_eq!(
            esc("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(esc("a\"b'c&d"), "a&quot;b&#39;c&amp;d");
        assert_eq!(esc("x\u{1b}[31m\u{202e}"), "x\\u{1b}[31m\\u{202e}");
        assert_eq!(esc("line\nbreak"), "line\nbreak");
    }

    #[test]
    fn anchors_are_plain() {
        assert_eq!(anchor("root-mfa-enabled"), "root-mfa-enabled");
        assert_eq!(anchor("x\"><script>"), "x___script_");
    }
}
