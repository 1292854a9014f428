//! Renderers: one findings model ([`Report`]), one file per output format,
//! one contract ([`Renderer`]) — the way ruff's emitters are built.
//!
//! A renderer writes a whole report to an [`std::io::Write`]; it never
//! reads the environment, the clock or the terminal: the caller decides
//! about colour and width ([`RenderOptions`]) and where the bytes go (a
//! file is written atomically by [`crate::fsutil::write_atomic_with`]).
//!
//! Adding a format is one new file implementing [`Renderer`] plus one line
//! in the [`formats!`] list below (its name, file extension and help text).
//! What every format says about the whole report — the counts in
//! [`crate::findings::Summary`], and any future report-level summary — is a
//! field of [`Report`], so a new summary is added to the model once and each
//! renderer writes it where its grammar puts such things. The vocabulary
//! shared by the formats is defined once: the listing order and identity of
//! a finding ([`crate::findings::listing_order`],
//! [`crate::findings::FindingKey`]), the status rank
//! ([`crate::findings::Status::rank`]), the mapping labels
//! ([`crate::findings::Mappings::labelled`]) and the helpers below.

use std::io::Write;

use crate::findings::{Finding, Report, Severity, Status};
use crate::sanitize::one_line;

/// The contract of every output format.
pub trait Renderer: Sync {
    /// Writes `report` to `out`; the text ends with a newline. Large
    /// outputs are written as they are made (`out` is buffered by the
    /// caller), not built whole in memory first.
    fn write(
        &self,
        report: &Report,
        opts: &RenderOptions,
        out: &mut dyn Write,
    ) -> Result<(), RenderError>;

    /// Writes `report` as one or more files (`--output DIR/`): a format
    /// whose consumer limits the size of one file (SARIF) writes as many as
    /// it needs; every other format writes one.
    fn write_files(
        &self,
        report: &Report,
        opts: &RenderOptions,
        files: &mut dyn Files,
    ) -> Result<(), RenderError> {
        self.write(report, opts, files.next_file()?)
    }
}

/// Where [`Renderer::write_files`] writes: each call of [`Files::next_file`]
/// starts a new file (the previous one is complete). The caller names the
/// files (`orgaudit.sarif`, or `orgaudit-1.sarif`, `orgaudit-2.sarif`, …).
pub trait Files {
    fn next_file(&mut self) -> Result<&mut dyn Write, RenderError>;
}

impl Files for crate::fsutil::FileSet {
    fn next_file(&mut self) -> Result<&mut dyn Write, RenderError> {
        Ok(crate::fsutil::FileSet::next_file(self)?)
    }
}

/// Declares the output formats and their modules:
/// `Variant => module::Renderer, "name", "extension";` with the help text as
/// doc comment. This is the only list of formats.
macro_rules! formats {
    ($( $(#[doc = $doc:literal])+ $variant:ident => $module:ident :: $renderer:ident, $name:literal, $ext:literal; )+) => {
        $( pub mod $module; )+

        /// An output format.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
        pub enum Format {
            $( $(#[doc = $doc])+ #[value(name = $name)] $variant, )+
        }

        impl Format {
            pub const ALL: [Format; [$($name),+].len()] = [$(Format::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Format::$variant => $name,)+ }
            }

            /// The usual file extension of the format (without the dot).
            pub fn extension(self) -> &'static str {
                match self { $(Format::$variant => $ext,)+ }
            }

            /// The format's renderer.
            pub fn renderer(self) -> &'static dyn Renderer {
                match self { $(Format::$variant => &$module::$renderer,)+ }
            }
        }
    };
}

formats! {
    /// A summary per account and the failing findings, for a terminal.
    Table => table::TableReport, "table", "txt";
    /// Findings grouped by account, each message on its own wrapped line,
    /// unreachable accounts on one line: the default on a terminal.
    Grouped => grouped::Grouped, "grouped", "txt";
    /// The findings document (`docs/json-format.md`).
    Json => json::Json, "json", "json";
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif => sarif::Sarif, "sarif", "sarif";
    /// JUnit XML, for CI test reporters.
    Junit => junit::Junit, "junit", "xml";
    /// A Markdown report, for pull-request comments and tickets.
    Markdown => markdown::Markdown, "markdown", "md";
    /// A self-contained HTML report, for security reviews.
    Html => html::Html, "html", "html";
    /// AWS Security Finding Format for Security Hub: one
    /// `batch-import-findings` request (≤ 100 findings) per line.
    Asff => asff::Asff, "asff", "jsonl";
    /// OCSF Compliance Finding events (class 2003), one per line, for data
    /// lakes and SIEMs.
    Ocsf => ocsf::Ocsf, "ocsf", "jsonl";
    /// One row per finding (RFC 4180, formulas neutralised), for spreadsheets.
    Csv => csv::Csv, "csv", "csv";
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How to render; decided by the caller (from the terminal and the
/// environment, read at the edge), never read from the environment here.
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
}

/// A renderer failed: the output could not be written, or (which, for a
/// well-formed report, should not happen) not serialized.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot serialize the report as JSON: {0}")]
    Json(serde_json::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A value of the report that the format cannot carry.
    #[error("{0}")]
    Invalid(String),
}

impl From<serde_json::Error> for RenderError {
    fn from(e: serde_json::Error) -> RenderError {
        if e.is_io() {
            RenderError::Io(e.into())
        } else {
            RenderError::Json(e)
        }
    }
}

/// Writes `report` in `format` to `out`.
pub fn write(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    format.renderer().write(report, opts, out)
}

/// Writes `report` in `format` as one or more files
/// ([`Renderer::write_files`]).
pub fn write_files(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
    files: &mut dyn Files,
) -> Result<(), RenderError> {
    format.renderer().write_files(report, opts, files)
}

/// Renders `report` in `format` into a string (tests, benchmarks, small
/// outputs). The text ends with a newline.
pub fn render(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    let mut out = Vec::new();
    write(report, format, opts, &mut out)?;
    Ok(String::from_utf8(out).expect("renderers write UTF-8"))
}

// ---- helpers shared by the renderers -------------------------------------

/// The findings with one of `statuses`, in listing order
/// ([`crate::findings::listing_order`]).
pub(crate) fn sorted_findings<'a>(report: &'a Report, statuses: &[Status]) -> Vec<&'a Finding> {
    let mut v: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| statuses.contains(&f.status))
        .collect();
    v.sort_by(|a, b| a.listing_key().cmp(&b.listing_key()));
    v
}

/// The last segment of an ARN's resource part: `…:user/ops/alice` → `alice`.
pub(crate) fn arn_name(arn: &str) -> &str {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    resource
        .rsplit(['/', ':'])
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(resource)
}

/// The partition of the report's ARNs (`aws`, `aws-us-gov`, `aws-cn`…),
/// `aws` when no finding names an ARN.
pub(crate) fn partition(report: &Report) -> String {
    report
        .findings
        .iter()
        .filter_map(|f| f.resource_arn.as_deref())
        .filter_map(|arn| arn.split(':').nth(1))
        .find(|p| !p.is_empty())
        .unwrap_or("aws")
        .to_string()
}

/// An ERROR finding's message for people: `Could not evaluate: ` and why,
/// worded from its reason; a finding without one (read from a findings
/// document, or made by hand) has only its message, begun so.
pub(crate) fn could_not_evaluate(f: &Finding) -> String {
    use crate::findings::COULD_NOT_EVALUATE;
    match &f.unevaluated {
        Some(why) => why.sentence(),
        None if f.message.starts_with(COULD_NOT_EVALUATE) => f.message.clone(),
        None => format!("{COULD_NOT_EVALUATE}{}", f.message),
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
