//! The terminal table: a summary per account, the failing and erroring
//! findings, a one-line total and the manual checklist count. The report's
//! warnings are not repeated here: the CLI prints them to stderr.
//!
//! Every value from AWS goes through [`cell_text`]: an account name
//! carrying escape sequences cannot repaint the terminal, and a cell shows
//! at most [`super::CELL_MAX_CHARS`] characters (the rest is counted, and
//! is in `-f json`).

use comfy_table::{presets, Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};

use super::{account_rows, cell_text, plural, sorted_findings, totals_line, RenderOptions};
use crate::findings::{Report, Severity, Status};

/// The table renderer.
pub struct TableReport;

impl super::Renderer for TableReport {
    fn write(
        &self,
        report: &Report,
        opts: &super::RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> Result<(), super::RenderError> {
        out.write_all(render(report, opts).as_bytes())?;
        Ok(())
    }
}

fn render(report: &Report, opts: &RenderOptions) -> String {
    let mut out = String::new();
    let paint = Painter { on: opts.color };

    out.push_str(&accounts_table(report, opts).to_string());
    out.push('\n');

    let problems = sorted_findings(report, &[Status::Fail, Status::Error]);
    if problems.is_empty() {
        out.push('\n');
        out.push_str(&paint.paint("No failing or erroring findings.", "32"));
        out.push('\n');
    } else {
        let mut t = new_table(opts);
        t.set_header(vec![
            header("Severity", opts),
            header("Status", opts),
            header("Rule", opts),
            header("Account", opts),
            header("Resource / region", opts),
            header("Message", opts),
        ]);
        for f in problems {
            t.add_row(vec![
                severity_cell(f.severity, opts),
                status_cell(f.status, opts),
                Cell::new(cell_text(&f.rule_id)),
                Cell::new(format!(
                    "{} ({})",
                    cell_text(&f.account_name),
                    cell_text(&f.account_id)
                )),
                Cell::new(cell_text(f.key().location_label())),
                Cell::new(cell_text(&f.message)),
            ]);
        }
        out.push('\n');
        out.push_str(&t.to_string());
        out.push('\n');
    }

    out.push('\n');
    let failing = report.findings.iter().any(|f| f.status == Status::Fail);
    let total = totals_line(report);
    out.push_str(&if failing {
        paint.paint(&total, "1;31")
    } else {
        paint.paint(&total, "1")
    });
    out.push('\n');
    for fw in &report.frameworks {
        out.push_str(&cell_text(&fw.line()));
        out.push('\n');
    }

    let manual = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Manual)
        .count();
    if manual > 0 {
        let rules = {
            let mut ids: Vec<&str> = report
                .findings
                .iter()
                .filter(|f| f.status == Status::Manual)
                .map(|f| f.rule_id.as_str())
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids.len()
        };
        out.push_str(&format!(
            "Manual checklist: {} ({}) for a person to check; the Markdown report lists them.\n",
            plural(manual, "item", "items"),
            plural(rules, "rule", "rules"),
        ));
    }
    out
}

fn accounts_table(report: &Report, opts: &RenderOptions) -> Table {
    let mut t = new_table(opts);
    t.set_header(vec![
        header("Account", opts),
        header("Name", opts),
        header("OU", opts),
        header("PASS", opts),
        header("FAIL", opts),
        header("ERROR", opts),
        header("MANUAL", opts),
        header("WAIVED", opts),
        header("Reachable", opts),
    ]);
    for row in account_rows(report) {
        let name = if row.is_management {
            format!("{} (management)", cell_text(&row.name))
        } else {
            cell_text(&row.name)
        };
        let reach = match (&row.unreachable, &row.closed) {
            (_, Some(status)) => Cell::new(format!("closed ({}): not audited", cell_text(status))),
            (None, None) => Cell::new("yes"),
            (Some(why), None) => {
                let c = Cell::new(format!("UNREACHABLE: {}", cell_text(why)));
                if opts.color {
                    c.fg(Color::Magenta).add_attribute(Attribute::Bold)
                } else {
                    c
                }
            }
        };
        t.add_row(vec![
            Cell::new(cell_text(&row.id)),
            Cell::new(name),
            Cell::new(cell_text(&row.ou_path)),
            count_cell(row.counts.pass, Color::Green, opts),
            count_cell(row.counts.fail, Color::Red, opts),
            count_cell(row.counts.error, Color::Magenta, opts),
            count_cell(row.counts.manual, Color::Blue, opts),
            count_cell(row.counts.waived, Color::DarkYellow, opts),
            reach,
        ]);
    }
    t
}

fn new_table(opts: &RenderOptions) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    if opts.color {
        t.enforce_styling();
    } else {
        t.force_no_tty();
    }
    match opts.width {
        Some(w) => {
            t.set_width(w);
            t.set_content_arrangement(ContentArrangement::Dynamic);
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    t
}

fn header(text: &str, opts: &RenderOptions) -> Cell {
    let c = Cell::new(text);
    if opts.color {
        c.add_attribute(Attribute::Bold)
    } else {
        c
    }
}

fn count_cell(n: usize, color: Color, opts: &RenderOptions) -> Cell {
    let c = Cell::new(n).set_alignment(CellAlignment::Right);
    if opts.color && n > 0 {
        c.fg(color)
    } else {
        c
    }
}

fn severity_cell(sev: Severity, opts: &RenderOptions) -> Cell {
    let c = Cell::new(sev.as_str());
    if !opts.color {
        return c;
    }
    match sev {
        Severity::Critical => c.fg(Color::Red).add_attribute(Attribute::Bold),
        Severity::High => c.fg(Color::Red),
        Severity::Medium => c.fg(Color::Yellow),
        Severity::Low => c.fg(Color::Cyan),
        Severity::Info => c.add_attribute(Attribute::Dim),
    }
}

fn status_cell(status: Status, opts: &RenderOptions) -> Cell {
    let c = Cell::new(status.as_str());
    if !opts.color {
        return c;
    }
    match status {
        Status::Fail => c.fg(Color::Red).add_attribute(Attribute::Bold),
        Status::Error => c.fg(Color::Magenta).add_attribute(Attribute::Bold),
        Status::Pass => c.fg(Color::Green),
        Status::Manual => c.fg(Color::Blue),
        Status::Waived => c.fg(Color::DarkYellow),
    }
}

/// ANSI SGR painting for the lines outside the tables.
struct Painter {
    on: bool,
}

impl Painter {
    fn paint(&self, text: &str, sgr: &str) -> String {
        if self.on {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}
