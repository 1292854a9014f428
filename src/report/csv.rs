//! CSV: one row per finding, for spreadsheets and ticket imports.
//!
//! RFC 4180: comma-separated, CRLF line ends, a header row, and a field
//! quoted (`"`, doubled inside) when it holds a comma, a quote or a line
//! break — written by the `csv` crate. The columns (`docs/csv-format.md`):
//!
//! | column | value |
//! |---|---|
//! | `finding_id` | the stable id, as ASFF's `Id` and OCSF's `finding_info.uid` |
//! | `status` | `PASS`, `FAIL`, `ERROR`, `MANUAL` or `WAIVED` |
//! | `severity` | `critical` … `info` |
//! | `rule_id`, `title` | the rule |
//! | `account_id`, `account_name`, `ou_path` | the account |
//! | `region`, `resource_arn` | empty for account-level findings |
//! | `message` | what was found (for ERROR, why it could not be evaluated) |
//! | `waiver_reason`, `waiver_expires` | for WAIVED |
//! | `cis` | the CIS AWS Foundations v3.0.0 recommendations, `;`-separated |
//! | `collected_at` | when the snapshot was taken (RFC 3339) |
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a
//! formula (CSV injection): such a cell, and one starting with a tab or a
//! carriage return, is written with a leading `'`, which spreadsheets show
//! as text. Control, bidi and invisible characters are shown escaped
//! (`\u{1b}`), as in the other text formats; line feeds are kept (quoted).

use std::collections::HashMap;

use super::{RenderError, RenderOptions, Renderer};
use crate::findings::Report;

/// The header row.
pub const HEADER: [&str; 15] = [
    "finding_id",
    "status",
    "severity",
    "rule_id",
    "title",
    "account_id",
    "account_name",
    "ou_path",
    "region",
    "resource_arn",
    "message",
    "waiver_reason",
    "waiver_expires",
    "cis",
    "collected_at",
];

/// The CSV renderer.
pub struct Csv;

impl Renderer for Csv {
    fn write(
        &self,
        report: &Report,
        _: &RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> Result<(), RenderError> {
        let ou: HashMap<&str, &str> = report
            .accounts
            .iter()
            .map(|a| (a.id.as_str(), a.ou_path.as_str()))
            .collect();
        let cis: HashMap<&str, String> = report
            .rules
            .iter()
            .map(|r| (r.id.as_str(), r.mappings.numbers(crate::findings::LEGACY_CIS_FRAMEWORK).join(";")))
            .collect();
        let mut w = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .quote_style(::csv::QuoteStyle::Necessary)
            .from_writer(out);
        w.write_record(HEADER).map_err(csv_error)?;
        let collected_at = cell(&report.source.collected_at);
        for f in &report.findings {
            let waiver = f.waiver.as_ref();
            let row: [String; 15] = [
                cell(&f.key().id()),
                f.status.as_str().to_string(),
                f.severity.as_str().to_string(),
                cell(&f.rule_id),
                cell(&f.title),
                cell(&f.account_id),
                cell(&f.account_name),
                cell(ou.get(f.account_id.as_str()).copied().unwrap_or("")),
                cell(f.region.as_deref().unwrap_or("")),
                cell(f.resource_arn.as_deref().unwrap_or("")),
                cell(&f.message),
                cell(waiver.map(|w| w.reason.as_str()).unwrap_or("")),
                cell(waiver.map(|w| w.expires.as_str()).unwrap_or("")),
                cell(cis.get(f.rule_id.as_str()).map(String::as_str).unwrap_or("")),
                collected_at.clone(),
            ];
            w.write_record(&row).map_err(csv_error)?;
        }
        w.flush()?;
        Ok(())
    }
}

fn csv_error(e: ::csv::Error) -> RenderError {
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => RenderError::Io(e),
        other => RenderError::Io(std::io::Error::other(format!("{other:?}"))),
    }
}

/// A cell's text: hostile characters escaped (line feeds kept), and a
/// leading `'` when a spreadsheet would read the cell as a formula.
pub fn cell(s: &str) -> String {
    let text = crate::sanitize::lines(s);
    let starts_formula = s
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if starts_formula || text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("+cmd"), "'+cmd");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\t=x"), "' =x");
        assert_eq!(cell("\r=x"), "'\\u{d}=x");
        assert_eq!(cell("a=b"), "a=b");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn hostile_characters_are_escaped_and_line_feeds_kept() {
        assert_eq!(cell("a\u{1b}[2J\nb\u{202e}"), "a\\u{1b}[2J\nb\\u{202e}");
    }
}
