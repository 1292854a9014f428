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
//! The page is written with maud's `html!` templates, which escape every
//! interpolated value (`& < > "` become entities) unless it is markup that
//! maud built itself: a value cannot reach the page unescaped by omission.
//! Values — from AWS (account names, e-mails, messages, ARNs) or from rule
//! files — are interpolated as [`Text`], which also writes `'` as `&#39;`
//! (as this report always did; maud leaves `'` as it is, harmless because
//! maud always double-quotes attribute values). Control and bidi characters
//! are shown escaped (`\u{202e}`) by one pass over the finished page
//! ([`show_hostile`]), so no interpolation, wrapped or not, can skip it;
//! line feeds and tabs are kept (for `pre-wrap` blocks) and carriage returns
//! dropped. `PreEscaped` is used only for the inline stylesheet, a constant
//! of this crate (maud's own `DOCTYPE` constant is one too). The output is
//! deterministic (no clock): the same report renders to the same bytes.
//!
//! Attribute values are always quoted (`class="z"`), as maud writes them:
//! the one difference from the hand-written report this replaced (1.5% more
//! bytes for the demo organization). End tags of table rows and cells are
//! left out where HTML implies them (`td;` is maud's element without a
//! body), which keeps a 10,000-account heat map small.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use maud::{html, Markup, PreEscaped, Render, DOCTYPE};

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
    show_hostile(page(report).into_string())
}

/// Untrusted text in element content or a quoted attribute value: maud's
/// escaping plus `'` as `&#39;`.
struct Text<'a>(&'a str);

impl Render for Text<'_> {
    fn render_to(&self, out: &mut String) {
        let s = self.0;
        if !s.bytes().any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')) {
            out.push_str(s);
            return;
        }
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
        }
    }
}

/// The finished page with every control, bidi and invisible formatting
/// character shown as `\u{…}`, except line feeds and tabs (kept) and
/// carriage returns (dropped). The page's own markup has none of them, so
/// only values are changed, wherever they were interpolated.
fn show_hostile(page: String) -> String {
    let hostile = |c: char| c != '\n' && c != '\t' && crate::sanitize::is_hostile(c);
    if !page.chars().any(hostile) {
        return page;
    }
    let mut out = String::with_capacity(page.len() + 64);
    for c in page.chars() {
        match c {
            '\r' => {}
            c if hostile(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
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

/// Heat-map cell class: one letter; the stylesheet draws the colour and a
/// glyph (so the map reads without colour).
fn cell_class(s: Option<Status>) -> &'static str {
    match s {
        Some(Status::Fail) => "F",
        Some(Status::Error) => "E",
        Some(Status::Waived) => "W",
        Some(Status::Manual) => "M",
        Some(Status::Pass) => "P",
        None => "N",
    }
}

/// `<span class="sev sev-high">high</span>`.
struct Badge(Severity);

impl Render for Badge {
    fn render(&self) -> Markup {
        html! { span class={ "sev sev-" (self.0.as_str()) } { (self.0.as_str()) } }
    }
}

/// The resource or region of a finding (`<code>`); nothing for the account
/// itself.
struct Resource<'a>(&'a Finding);

impl Render for Resource<'_> {
    fn render(&self) -> Markup {
        html! { @if let Some(place) = self.0.key().location() { code { (Text(place)) } } }
    }
}

/// A resource table cell: `<td>` with the resource, or `<td class="acc">`
/// (the stylesheet shows "account" in an empty `td.acc`). The end tag is
/// implied.
struct ResourceTd<'a>(&'a Finding);

impl Render for ResourceTd<'_> {
    fn render(&self) -> Markup {
        html! {
            @if self.0.key().location().is_some() { td; (Resource(self.0)) } @else { td.acc; }
        }
    }
}

/// `name <samp>id</samp>`.
struct AccountCell<'a>(&'a Finding);

impl Render for AccountCell<'_> {
    fn render(&self) -> Markup {
        html! { (Text(&self.0.account_name)) " " samp { (Text(&self.0.account_id)) } }
    }
}

/// `items` separated by `sep`.
fn joined<T: Render>(items: impl IntoIterator<Item = T>, sep: impl Render) -> Markup {
    html! {
        @for (i, item) in items.into_iter().enumerate() {
            @if i > 0 { (sep) }
            (item)
        }
    }
}

/// "orgaudit report — o-…".
fn title(report: &Report) -> Markup {
    html! {
        "orgaudit report"
        @if let Some(org) = &report.source.organization_id { " — " (Text(org)) }
    }
}

fn page(report: &Report) -> Markup {
    let tool = &report.tool;
    let title = title(report);
    let rows = account_rows(report);
    html! {
        (DOCTYPE) "\n"
        html lang="en" {
            "\n"
            head {
                "\n" meta charset="utf-8"; "\n"
                meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"; "\n"
                meta name="viewport" content="width=device-width, initial-scale=1"; "\n"
                meta name="generator" content={ (Text(&tool.name)) " " (Text(&tool.version)) }; "\n"
                title { (title) } "\n"
                // Unescaped: the stylesheet is a constant of this crate, not a
                // value (and CSS would not survive entity escaping).
                style { "\n" (PreEscaped(CSS)) } "\n"
            }
            "\n"
            body {
                "\n" (metadata(report, &title))
                main {
                    "\n"
                    nav {
                        a href="#accounts" { "Accounts" } a href="#heatmap" { "Heat map" }
                        a href="#failing" { "Failing" } a href="#errors" { "Not evaluated" }
                        a href="#waived" { "Waived" } a href="#manual" { "Manual checklist" }
                    } "\n"
                    (totals(report)) (notices(report)) (accounts(&rows)) (frameworks(report))
                    (heatmap(report, &rows)) (failing(report)) (errors(report))
                    (waived(report)) (manual(report))
                }
                "\n"
                footer {
                    "Generated by " (Text(&tool.name)) " " (Text(&tool.version))
                    " from a snapshot collected " (Text(&report.source.collected_at))
                    ". Statuses: FAIL (condition does not hold), ERROR (could not be evaluated), WAIVED (accepted exception), MANUAL (a person must check), PASS."
                }
                "\n"
            }
            "\n"
        }
        "\n"
    }
}

/// The page header: the title and what was audited, by whom, how completely.
fn metadata(report: &Report, title: &Markup) -> Markup {
    let src = &report.source;
    let meta = |k: &str, v: Markup| html! { div { dt { (k) } dd { (v) } } "\n" };
    html! {
        header {
            "\n" h1 { (title) } "\n"
            dl.meta {
                "\n"
                @if let Some(org) = &src.organization_id {
                    (meta("Organization", html! { code { (Text(org)) } }))
                }
                @if let Some(m) = &src.management_account_id {
                    (meta("Management account", html! { code { (Text(m)) } }))
                }
                (meta("Collected", html! {
                    @if src.collected_at.is_empty() { "unknown" } @else { (Text(&src.collected_at)) }
                }))
                (meta("Regions", html! {
                    @if src.regions.is_empty() { "none recorded" }
                    @else { (joined(src.regions.iter().map(|r| Text(r)), ", ")) }
                }))
                (meta("Tool", html! { (Text(&report.tool.name)) " " (Text(&report.tool.version)) }))
                (meta("Completeness", html! {
                    @if src.incomplete.is_empty() { "complete" }
                    @else {
                        span.warn-text {
                            "incomplete: " (plural(src.incomplete.len(), "part", "parts")) " not read"
                        }
                    }
                }))
            }
            "\n"
        }
        "\n"
    }
}

/// The totals: a card per status, failing findings per severity.
fn totals(report: &Report) -> Markup {
    let s = &crate::findings::Summary::of(&report.findings);
    let statuses = [
        Status::Fail,
        Status::Error,
        Status::Waived,
        Status::Manual,
        Status::Pass,
    ];
    html! {
        section #summary {
            "\n"
            div.cards {
                "\n"
                @for st in statuses {
                    div class={ "card " (status_class(st)) } {
                        div.n { (s.count(st)) } div.l { (st.as_str()) }
                    }
                    "\n"
                }
            }
            "\n"
            div.sevs {
                "Failing by severity:\n"
                @for sev in Severity::ALL {
                    (Badge(sev)) " " b { (s.failing_by_severity.get(&sev).copied().unwrap_or(0)) } "\n"
                }
            }
            "\n" p.totals { (Text(&totals_line(report))) } "\n"
        }
        "\n"
    }
}

/// What could not be read, and the warnings.
fn notices(report: &Report) -> Markup {
    let src = &report.source;
    html! {
        @if !src.incomplete.is_empty() {
            section.notice.warn {
                h2 { "Scan incomplete" }
                p { "These parts could not be read; rules that need them are " b { "ERROR" } ", never PASS." }
                "\n"
                details open[src.incomplete.len() <= 20] {
                    summary { (plural(src.incomplete.len(), "part", "parts")) }
                    ul { "\n" @for p in &src.incomplete { li { (Text(p)) } "\n" } }
                }
            }
            "\n"
        }
        @if !report.warnings.is_empty() {
            section.notice {
                h2 { "Warnings" }
                ul { "\n" @for w in &report.warnings { li { (Text(w)) } "\n" } }
            }
            "\n"
        }
    }
}

/// Per framework: the counts and each checked requirement's verdict.
fn frameworks(report: &Report) -> Markup {
    if report.frameworks.is_empty() {
        return html! {};
    }
    html! {
        section #frameworks {
            "\n" h2 { "Compliance frameworks" } "\n"
            table {
                "\n"
                thead { tr {
                    th { "Framework" } th { "Checked" } th { "Passed" } th { "Failed" }
                    th { "Waived" } th { "Not evaluated" } th { "Manual" } th { "Pass rate" }
                } }
                "\n"
                tbody {
                    "\n"
                    @for fw in &report.frameworks {
                        tr {
                            td { (Text(&fw.title())) " (" code { (Text(&fw.id)) } ")" }
                            td.num { (fw.requirements_covered) " of " (fw.requirements_total) }
                            td.num { (fw.passed) } td.num { (fw.failed) } td.num { (fw.waived) }
                            td.num { (fw.not_evaluated) } td.num { (fw.manual) }
                            td.num { (Text(&fw.pass_rate_text())) }
                        }
                        "\n"
                    }
                }
                "\n"
            }
            "\n"
            @for fw in &report.frameworks {
                details {
                    summary { (Text(&fw.title())) ": requirements" } "\n"
                    table {
                        "\n"
                        thead { tr { th { "Requirement" } th { "Title" } th { "Verdict" } th { "Rules" } } }
                        "\n"
                        tbody {
                            "\n"
                            @for r in &fw.requirements {
                                tr {
                                    td { (Text(&r.id)) } td { (Text(&r.title)) } td { (r.status.label()) }
                                    td { (joined(r.rules.iter().map(|id| html! { code { (Text(id)) } }), ", ")) }
                                }
                                "\n"
                            }
                        }
                        "\n"
                    }
                    "\n"
                }
                "\n"
            }
        }
        "\n"
    }
}

fn accounts(rows: &[AccountRow]) -> Markup {
    // End tags of rows and cells are implied (HTML) and left out.
    let num = |n: usize, class: &str| {
        html! { @if n == 0 { td.z; "0" } @else { td class=(class); (n) } }
    };
    html! {
        section #accounts {
            "\n" h2 { "Accounts (" (rows.len()) ")" } "\n"
            table.accounts {
                thead { tr {
                    th { "Account" } th { "Name" } th { "OU" } th.num { "FAIL" } th.num { "ERROR" }
                    th.num { "WAIVED" } th.num { "MANUAL" } th.num { "PASS" } th { "Reachable" }
                } }
                tbody {
                    "\n"
                    @for a in rows {
                        tr; td; samp { (Text(&a.id)) }
                        td; (Text(&a.name))
                        @if a.is_management { " " span.tag { "management" } }
                        td; (Text(&a.ou_path))
                        (num(a.counts.fail, "nf")) (num(a.counts.error, "ne"))
                        (num(a.counts.waived, "nw")) (num(a.counts.manual, "nm"))
                        (num(a.counts.pass, "np"))
                        @match (&a.unreachable, &a.closed) {
                            (_, Some(status)) => { td; "closed (" (Text(status)) "): not audited" }
                            (None, None) => { td; "yes" }
                            (Some(why), None) => { td.unreach; "unreachable: " (Text(why)) }
                        }
                        "\n"
                    }
                }
            }
            "\n"
        }
        "\n"
    }
}

/// The heat map's columns (the report's rules that have findings, in report
/// order, plus any rule id only seen in findings) and its cells, row-major:
/// the worst status of the rule in the account.
fn heat_grid<'a>(report: &'a Report, rows: &[AccountRow]) -> (Vec<&'a str>, Vec<Option<Status>>) {
    let mut cols: Vec<&str> = Vec::new();
    let mut col_of: HashMap<&str, usize> = HashMap::new();
    let used: HashSet<&str> = report.findings.iter().map(|f| f.rule_id.as_str()).collect();
    let ids = report
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| used.contains(id))
        .chain(report.findings.iter().map(|f| f.rule_id.as_str()));
    for id in ids {
        if !col_of.contains_key(id) {
            col_of.insert(id, cols.len());
            cols.push(id);
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
    (cols, grid)
}

fn heatmap(report: &Report, rows: &[AccountRow]) -> Markup {
    let (cols, grid) = heat_grid(report, rows);
    // Rules with a section of their own (failing or manual) get a link.
    let anchored: HashSet<&str> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Manual))
        .map(|f| f.rule_id.as_str())
        .collect();
    let sev = |id: &str| report.rule(id).map_or("info", |r| r.severity.as_str());
    html! {
        section #heatmap {
            "\n" h2 { "Heat map: accounts × rules" } "\n"
            p.legend {
                "Each cell is the worst status of the rule in the account: "
                span class="key F" { "✗ FAIL" } " " span class="key E" { "! ERROR" } " "
                span class="key W" { "~ WAIVED" } " " span class="key M" { "? MANUAL" } " "
                span class="key P" { "✓ PASS" } " " span class="key N" { "not applicable" }
            }
            "\n"
            div.scroll { table.heat {
                thead { tr {
                    th.corner { "Account" } "\n"
                    @for id in &cols {
                        th class={ "rot sevcol-" (sev(id)) } {
                            @if anchored.contains(id) {
                                a href={ "#rule-" (anchor(id)) } { span { (Text(id)) } }
                            } @else {
                                span { (Text(id)) }
                            }
                        }
                        "\n"
                    }
                } }
                tbody {
                    "\n"
                    @for (i, a) in rows.iter().enumerate() {
                        // A cell's end tag is implied (HTML) and left out.
                        tr {
                            th; (Text(&a.name)) " " samp { (Text(&a.id)) }
                            @for &c in &grid[i * cols.len()..(i + 1) * cols.len()] {
                                td class=(cell_class(c));
                            }
                        }
                        "\n"
                    }
                }
            } }
            "\n"
        }
        "\n"
    }
}

/// Rule details: rationale, remediation, mappings.
fn rule_details(rule: Option<&RuleInfo>) -> Markup {
    let Some(rule) = rule else { return html! {} };
    let maps: Vec<Markup> = rule
        .mappings
        .labelled()
        .into_iter()
        .filter(|m| !m.ids.is_empty())
        .map(|m| {
            let ids = m.ids.join(", ");
            // Requirement numbers are prose; the other tools' ids are code.
            html! {
                (Text(&m.label)) " "
                @if m.numbered { (Text(&ids)) } @else { code { (Text(&ids)) } }
            }
        })
        .collect();
    html! {
        @if !rule.rationale.trim().is_empty() {
            h4 { "Why it matters" } div.prose { (Text(rule.rationale.trim())) } "\n"
        }
        @if !rule.remediation.trim().is_empty() {
            h4 { "Remediation" } div.prose { (Text(rule.remediation.trim())) } "\n"
        }
        @if !maps.is_empty() { p.maps { (joined(maps, " · ")) } "\n" }
    }
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

fn failing(report: &Report) -> Markup {
    let groups = by_rule(report, Status::Fail);
    let total: usize = groups.values().map(Vec::len).sum();
    let mut per_severity: BTreeMap<Severity, usize> = BTreeMap::new();
    for ((sev, _), fs) in &groups {
        *per_severity.entry(*sev).or_default() += fs.len();
    }
    let mut current: Option<Severity> = None;
    html! {
        section #failing {
            "\n" h2 { "Failing findings (" (total) ")" } "\n"
            @if groups.is_empty() { p.ok { "No failing findings." } "\n" }
            @for ((sev, rule_id), fs) in &groups {
                @if current.replace(*sev) != Some(*sev) {
                    h3.sevhead { (Badge(*sev)) " " (plural(per_severity[sev], "finding", "findings")) } "\n"
                }
                (failing_rule(report, *sev, rule_id, fs))
            }
        }
        "\n"
    }
}

/// One failing rule: its title, a row per failure, its details.
fn failing_rule(report: &Report, sev: Severity, rule_id: &str, fs: &[&Finding]) -> Markup {
    let rule = report.rule(rule_id);
    let title = rule.map_or(fs[0].title.as_str(), |r| r.title.as_str());
    html! {
        article class={ "rule sevborder-" (sev.as_str()) } id={ "rule-" (anchor(rule_id)) } {
            h4.rtitle {
                (Text(title)) " " code { (Text(rule_id)) } " "
                span.count { (plural(fs.len(), "failure", "failures")) }
            }
            "\n"
            table.findings {
                thead { tr { th { "Account" } th { "Resource" } th { "Finding" } } }
                tbody {
                    "\n"
                    @for f in fs {
                        // End tags of rows and cells are implied (HTML) and left out.
                        tr; td; (AccountCell(f)) (ResourceTd(f)) td; (Text(&f.message)) "\n"
                    }
                }
            }
            "\n" (rule_details(rule))
        }
        "\n"
    }
}

fn errors(report: &Report) -> Markup {
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
    for fs in groups.values_mut() {
        fs.sort_by(|a, b| (a.severity, &a.rule_id).cmp(&(b.severity, &b.rule_id)));
    }
    let total: usize = groups.values().map(Vec::len).sum();
    let rule = |f: &&Finding| {
        html! { code class={ "rid s-" (f.severity.as_str()) } { (Text(&f.rule_id)) } }
    };
    html! {
        section #errors {
            "\n" h2 { "Could not be evaluated (" (total) ")" } "\n"
            @if groups.is_empty() {
                p.ok { "Every rule could be evaluated." } "\n"
            } @else {
                p { "These checks are neither passed nor failed: their facts were missing or an API call failed. Grant the scanner the documented read-only policy and scan again." }
                "\n"
                table.findings {
                    thead { tr { th { "Account" } th { "Resource" } th { "Rules" } th { "Reason" } } }
                    tbody {
                        "\n"
                        @for fs in groups.values() {
                            tr; td; (AccountCell(fs[0])) (ResourceTd(fs[0]))
                            td; (joined(fs.iter().map(rule), " "))
                            td; (Text(&fs[0].message)) "\n"
                        }
                    }
                }
                "\n"
            }
        }
        "\n"
    }
}

fn waived(report: &Report) -> Markup {
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
    let item = |f: &&Finding| {
        html! {
            (AccountCell(f))
            @if f.key().location().is_some() { " " (Resource(f)) }
        }
    };
    html! {
        section #waived {
            "\n" h2 { "Waived (" (total) ")" } "\n"
            @if groups.is_empty() {
                p.muted { "No finding is waived." } "\n"
            } @else {
                p { "Accepted exceptions from the config file. They do not fail the gate until they expire." }
                "\n"
                table.findings {
                    thead { tr {
                        th { "Severity" } th { "Rule" } th { "Reason" } th { "Expires" } th { "Waived findings" }
                    } }
                    tbody {
                        "\n"
                        @for ((sev, rule_id, reason, expires), fs) in &groups {
                            tr; td; (Badge(*sev)) td; code.rid { (Text(rule_id)) }
                            td; (Text(reason)) td.nowrap; (Text(expires))
                            td;
                            @if fs.len() <= 5 {
                                (joined(fs.iter().map(item), html! { br; }))
                            } @else {
                                details {
                                    summary { (plural(fs.len(), "finding", "findings")) }
                                    (joined(fs.iter().map(item), html! { br; }))
                                }
                            }
                            "\n"
                        }
                    }
                }
                "\n"
            }
        }
        "\n"
    }
}

fn manual(report: &Report) -> Markup {
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in report
        .findings
        .iter()
        .filter(|f| f.status == Status::Manual)
    {
        by_rule.entry(f.rule_id.as_str()).or_default().push(f);
    }
    html! {
        section #manual {
            "\n" h2 { "Manual checklist (" (by_rule.len()) ")" } "\n"
            @if by_rule.is_empty() {
                p.muted { "No manual checks." } "\n"
            } @else {
                p { "No API tells these; a person must check them, in each account listed." }
                ul.checklist {
                    "\n"
                    @for (rule_id, fs) in &by_rule { (manual_item(report, rule_id, fs)) }
                }
                "\n"
            }
        }
        "\n"
    }
}

/// One manual check: what to check, in which accounts, and how.
fn manual_item(report: &Report, rule_id: &str, fs: &[&Finding]) -> Markup {
    let rule = report.rule(rule_id);
    let title = rule.map_or(fs[0].title.as_str(), |r| r.title.as_str());
    let remediation = rule.map_or("", |r| r.remediation.trim());
    html! {
        li id={ "rule-" (anchor(rule_id)) } {
            span.box { "☐" } " " b { (Text(title)) } " " code { (Text(rule_id)) } " "
            (Badge(fs[0].severity)) div.prose { (Text(&fs[0].message)) } "\n"
            details {
                summary { (plural(fs.len(), "account", "accounts")) }
                p.acctlist { (joined(fs.iter().map(|f| AccountCell(f)), ", ")) }
            }
            "\n"
            @if !remediation.is_empty() {
                details { summary { "How to check and fix" } div.prose { (Text(remediation)) } } "\n"
            }
        }
        "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        show_hostile(html! { (Text(s)) }.into_string())
    }

    #[test]
    fn text_escapes_markup_and_controls() {
        assert_eq!(
            text("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(text("a\"b'c&d"), "a&quot;b&#39;c&amp;d");
        assert_eq!(text("x\u{1b}[31m\u{202e}"), "x\\u{1b}[31m\\u{202e}");
        assert_eq!(text("line\nbreak\tand\r\n"), "line\nbreak\tand\n");
    }

    #[test]
    fn a_value_interpolated_without_text_is_still_escaped() {
        let s = String::from("<b>\u{202e}\u{9b}</b>");
        let page = show_hostile(html! { p title=(s) { (s) } }.into_string());
        assert_eq!(
            page,
            "<p title=\"&lt;b&gt;\\u{202e}\\u{9b}&lt;/b&gt;\">&lt;b&gt;\\u{202e}\\u{9b}&lt;/b&gt;</p>"
        );
    }

    #[test]
    fn anchors_are_plain() {
        assert_eq!(anchor("root-mfa-enabled"), "root-mfa-enabled");
        assert_eq!(anchor("x\"><script>"), "x___script_");
    }
}
