//! Renderers: one findings model ([`Report`]), one file per output format.
//!
//! Every renderer is a pure function of the report: no I/O, no clock, no
//! environment. The caller decides about colour and width ([`RenderOptions`])
//! and where the bytes go.

use crate::findings::{Finding, Report, Severity, Status};
use crate::sanitize::one_line;

pub mod diff;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod table;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// A summary per account and the failing findings, for a terminal.
    Table,
    /// The findings document (`docs/json-format.md`).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML, for CI test reporters.
    Junit,
    /// A Markdown report, for pull-request comments and tickets.
    Markdown,
    /// A self-contained HTML report, for security reviews.
    Html,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Table,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Markdown,
        Format::Html,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }

    /// The usual file extension of the format (without the dot).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "xml",
            Format::Markdown => "md",
            Format::Html => "html",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How to render; decided by the caller, never read from the environment here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Emit ANSI colours (table only). Without it the output has no escape codes.
    pub color: bool,
    /// Wrap the table to this many columns; `None` never wraps.
    pub width: Option<u16>,
}

impl RenderOptions {
    /// Plain output: no colour, no wrapping (files, pipes, tests).
    pub fn plain() -> RenderOptions {
        RenderOptions::default()
    }

    /// Options for output written to a stream that is (or is not) a terminal:
    /// colour only on a terminal and when `NO_COLOR` is unset or empty
    /// (<https://no-color.org>); wrapping to the terminal's width when known.
    /// Off a terminal a table is not wrapped unless `COLUMNS` sets a width
    /// (`COLUMNS=120 orgaudit eval … | less`).
    pub fn for_stream(is_terminal: bool) -> RenderOptions {
        if !is_terminal {
            let width = std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.trim().parse::<u16>().ok())
                .filter(|w| *w >= 40);
            return RenderOptions {
                width,
                ..RenderOptions::plain()
            };
        }
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        RenderOptions {
            color: !no_color,
            width: comfy_table::Table::new().width(),
        }
    }
}

/// A renderer failed (which, for a well-formed report, it should not).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot serialize the report as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Renders `report` in `format`. The text ends with a newline.
pub fn render(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    match format {
        Format::Table => Ok(table::render(report, opts)),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => Ok(junit::render(report)),
        Format::Markdown => Ok(markdown::render(report)),
        Format::Html => Ok(html::render(report)),
    }
}

// ---- helpers shared by the renderers -------------------------------------

/// The order in which renderers list findings: most severe first, then by
/// account, rule, status and resource. Stable for equal keys.
pub(crate) fn by_severity(a: &&Finding, b: &&Finding) -> std::cmp::Ordering {
    (
        a.severity,
        &a.account_id,
        &a.rule_id,
        a.status,
        &a.resource_arn,
        &a.region,
    )
        .cmp(&(
            b.severity,
            &b.account_id,
            &b.rule_id,
            b.status,
            &b.resource_arn,
            &b.region,
        ))
}

/// The findings with one of `statuses`, sorted with [`by_severity`].
pub(crate) fn sorted_findings<'a>(report: &'a Report, statuses: &[Status]) -> Vec<&'a Finding> {
    let mut v: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| statuses.contains(&f.status))
        .collect();
    v.sort_by(by_severity);
    v
}

/// Where a finding is, for people: the ARN, else the region, else `account`.
pub(crate) fn resource_label(f: &Finding) -> String {
    match (&f.resource_arn, &f.region) {
        (Some(arn), _) => arn.clone(),
        (None, Some(region)) => region.clone(),
        (None, None) => "account".to_string(),
    }
}

/// An ERROR finding's message, starting with `Could not evaluate: ` (the
/// engine usually writes it so already).
pub(crate) fn could_not_evaluate(message: &str) -> String {
    const PREFIX: &str = "Could not evaluate: ";
    if message.starts_with(PREFIX) {
        message.to_string()
    } else {
        format!("{PREFIX}{message}")
    }
}

/// Counts per status for one account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct StatusCounts {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub manual: usize,
    pub waived: usize,
}

impl StatusCounts {
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Error => self.error += 1,
            Status::Manual => self.manual += 1,
            Status::Waived => self.waived += 1,
        }
    }
}

/// One row of the per-account summary.
#[derive(Debug, Clone)]
pub(crate) struct AccountRow {
    pub id: String,
    pub name: String,
    pub ou_path: String,
    pub is_management: bool,
    pub unreachable: Option<String>,
    /// The status of a closed account (`SUSPENDED`, `PENDING_CLOSURE`).
    pub closed: Option<String>,
    pub counts: StatusCounts,
}

/// The per-account summary: the report's accounts (plus any account that
/// only appears in findings), management account first, then by id.
pub(crate) fn account_rows(report: &Report) -> Vec<AccountRow> {
    use std::collections::BTreeMap;
    let mut rows: BTreeMap<&str, AccountRow> = BTreeMap::new();
    for a in &report.accounts {
        rows.entry(a.id.as_str()).or_insert_with(|| AccountRow {
            id: a.id.clone(),
            name: a.name.clone(),
            ou_path: a.ou_path.clone(),
            is_management: a.is_management,
            unreachable: a.unreachable.clone(),
            closed: a.status.clone().filter(|s| s != "ACTIVE"),
            counts: StatusCounts::default(),
        });
    }
    for f in &report.findings {
        rows.entry(f.account_id.as_str())
            .or_insert_with(|| AccountRow {
                id: f.account_id.clone(),
                name: f.account_name.clone(),
                ou_path: String::new(),
                is_management: false,
                unreachable: None,
                closed: None,
                counts: StatusCounts::default(),
            })
            .counts
            .add(f.status);
    }
    let mut rows: Vec<AccountRow> = rows.into_values().collect();
    rows.sort_by(|a, b| (!a.is_management, &a.id).cmp(&(!b.is_management, &b.id)));
    rows
}

/// A one-line summary of the counts, e.g.
/// `12 findings in 3 accounts: 2 failing (1 critical, 1 high), 1 error, …`.
pub(crate) fn totals_line(report: &Report) -> String {
    let s = crate::findings::Summary::of(&report.findings);
    let accounts = account_rows(report).len();
    let failing: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|sev| {
            let n = s.failing_by_severity.get(sev).copied().unwrap_or(0);
            (n > 0).then(|| format!("{n} {sev}"))
        })
        .collect();
    let fail = s.count(Status::Fail);
    let fail_part = if failing.is_empty() {
        format!("{fail} failing")
    } else {
        format!("{fail} failing ({})", failing.join(", "))
    };
    format!(
        "{} in {}: {}, {}, {} waived, {} manual, {} passed",
        plural(s.total, "finding", "findings"),
        plural(accounts, "account", "accounts"),
        fail_part,
        plural(s.count(Status::Error), "error", "errors"),
        s.count(Status::Waived),
        s.count(Status::Manual),
        s.count(Status::Pass),
    )
}

/// At most this many characters of a value are shown in a table cell: the
/// table library wraps a cell in time quadratic in its length (80 KB took
/// a minute), and no one reads more on a terminal.
pub(crate) const CELL_MAX_CHARS: usize = 1024;

/// A value for a table cell: sanitized ([`one_line`]), and cut after
/// [`CELL_MAX_CHARS`] characters with a note saying how much was left out
/// and where to find all of it.
pub(crate) fn cell_text(s: &str) -> String {
    match s.char_indices().nth(CELL_MAX_CHARS) {
        None => one_line(s),
        Some((cut, _)) => {
            let more = s[cut..].chars().count();
            format!(
                "{} … ({more} more characters; see -f json)",
                one_line(&s[..cut])
            )
        }
    }
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cells_are_cut_and_say_so() {
        assert_eq!(cell_text("short\x1b"), "short\\u{1b}");
        let exact = "é".repeat(CELL_MAX_CHARS);
        assert_eq!(cell_text(&exact), exact);
        let long = format!("{exact}abc");
        assert_eq!(
            cell_text(&long),
            format!("{exact} … (3 more characters; see -f json)")
        );
    }

    #[test]
    fn format_names_match_value_enum() {
        use clap::ValueEnum;
        for f in Format::ALL {
            let v = f.to_possible_value().unwrap();
            assert_eq!(v.get_name(), f.as_str());
        }
    }
}
