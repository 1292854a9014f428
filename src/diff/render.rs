//! The renderers of a diff: table, JSON and Markdown.
//!
//! Values from AWS are sanitized (table) or escaped (Markdown) exactly as in
//! the findings renderers.

use std::fmt::Write as _;

use comfy_table::{presets, Cell, ContentArrangement, Table};

use super::{Diff, DiffEntry};
use crate::findings::Status;
use crate::report::markdown::{code, text};
use crate::report::{cell_text, RenderError, RenderOptions};
use crate::sanitize::one_line;

/// Output formats of `orgaudit diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// New, fixed, still-failing and unverified findings, for a terminal.
    Table,
    /// The diff document (`orgaudit-diff/1`).
    Json,
    /// A Markdown report, for pull-request comments and tickets.
    Markdown,
}

/// Writes `diff` in `format` to `out` (the diff's counterpart of
/// [`crate::report::write`]).
pub fn write(
    diff: &Diff,
    format: DiffFormat,
    opts: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> Result<(), RenderError> {
    match format {
        DiffFormat::Table => out.write_all(table(diff, opts).as_bytes())?,
        DiffFormat::Json => crate::report::json::write(out, diff)?,
        DiffFormat::Markdown => out.write_all(markdown(diff).as_bytes())?,
    }
    Ok(())
}

/// Renders `diff` in `format` into a string.
pub fn render(
    diff: &Diff,
    format: DiffFormat,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    let mut out = Vec::new();
    write(diff, format, opts, &mut out)?;
    Ok(String::from_utf8(out).expect("renderers write UTF-8"))
}

fn status(s: Option<Status>) -> &'static str {
    s.map(Status::as_str).unwrap_or("absent")
}

fn sections(d: &Diff) -> [(&'static str, &[DiffEntry]); 4] {
    [
        ("New failures", &d.new_failures),
        ("Fixed", &d.fixed),
        ("Still failing", &d.still_failing),
        (
            "No longer failing, not verified (waived, not evaluated or gone)",
            &d.unverified,
        ),
    ]
}

fn headline(d: &Diff) -> String {
    format!(
        "{} new, {} fixed, {} still failing, {} unverified (failing: {} → {})",
        d.summary.new,
        d.summary.fixed,
        d.summary.still_failing,
        d.summary.unverified,
        d.old.failing,
        d.new.failing
    )
}

fn table(d: &Diff, opts: &RenderOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Comparing {} ({} accounts) with {} ({} accounts)",
        one_line(&d.old.collected_at),
        d.old.accounts,
        one_line(&d.new.collected_at),
        d.new.accounts
    );
    for (title, entries) in sections(d) {
        if entries.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({}):", entries.len());
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED);
        match opts.width {
            Some(w) => {
                t.set_content_arrangement(ContentArrangement::Dynamic);
                t.set_width(w);
            }
            None => {
                t.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        t.set_header(vec![
            "Severity",
            "Rule",
            "Account",
            "Resource / region",
            "Was",
            "Now",
            "Message",
        ]);
        for e in entries {
            t.add_row(vec![
                Cell::new(e.severity.as_str()),
                Cell::new(cell_text(&e.rule_id)),
                Cell::new(format!(
                    "{} ({})",
                    cell_text(&e.account_name),
                    cell_text(&e.account_id)
                )),
                Cell::new(cell_text(e.key().location_label())),
                Cell::new(status(e.old_status)),
                Cell::new(status(e.new_status)),
                Cell::new(cell_text(&e.message)),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    let _ = writeln!(out, "\n{}", headline(d));
    out
}

fn markdown(d: &Diff) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# orgaudit diff\n");
    let _ = writeln!(
        md,
        "Old: collected {} ({} accounts) · New: collected {} ({} accounts)\n",
        text(&d.old.collected_at),
        d.old.accounts,
        text(&d.new.collected_at),
        d.new.accounts
    );
    let _ = writeln!(md, "**{}**\n", text(&headline(d)));
    for (title, entries) in sections(d) {
        let _ = writeln!(md, "## {} ({})\n", text(title), entries.len());
        if entries.is_empty() {
            let _ = writeln!(md, "None.\n");
            continue;
        }
        let _ = writeln!(
            md,
            "| Severity | Rule | Account | Resource | Was | Now | Message |"
        );
        let _ = writeln!(md, "|---|---|---|---|---|---|---|");
        for e in entries {
            let mut msg = text(&e.message);
            if let Some(w) = &e.waiver {
                let _ = write!(
                    msg,
                    " (waived until {}: {})",
                    text(&w.expires),
                    text(&w.reason)
                );
            }
            let _ = writeln!(
                md,
                "| {} | {} {} | {} {} | {} | {} | {} | {} |",
                e.severity,
                code(&e.rule_id),
                text(&e.title),
                text(&e.account_name),
                code(&e.account_id),
                code(e.key().location_label()),
                status(e.old_status),
                status(e.new_status),
                msg
            );
        }
        md.push('\n');
    }
    while md.ends_with("\n\n") {
        md.pop();
    }
    md
}
