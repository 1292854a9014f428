//! The grouped terminal view, for a person reading in a terminal: the
//! findings grouped by account — the unit a person goes into to fix things,
//! as ruff groups its diagnostics by file and Trivy its results by target —
//! and, within an account, by severity then rule. Each finding is a line
//! (status, severity, rule, resource or region) with its message on its own
//! wrapped line below; an account that could not be reached is one line;
//! the view ends with the totals. `docs/reports.md` says why.
//!
//! Every value from the snapshot goes through [`cell_text`] (escape
//! sequences, bidi controls and line breaks shown escaped, at most
//! [`super::CELL_MAX_CHARS`] characters), before it is wrapped.

use std::io::Write;

use super::{account_rows, cell_text, plural, totals_line, AccountRow, RenderError, RenderOptions};
use crate::findings::{Finding, Report, Severity, Status};

/// The grouped renderer.
pub struct Grouped;

/// Where the message of a finding starts.
const INDENT: &str = "    ";

impl super::Renderer for Grouped {
    fn write(
        &self,
        report: &Report,
        opts: &RenderOptions,
        out: &mut dyn Write,
    ) -> Result<(), RenderError> {
        let paint = Paint { on: opts.color };
        // Problems (FAIL, ERROR) of each account, by severity then rule.
        let mut problems: std::collections::HashMap<&str, Vec<&Finding>> =
            std::collections::HashMap::new();
        for f in report
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Error))
        {
            problems.entry(f.account_id.as_str()).or_default().push(f);
        }
        for list in problems.values_mut() {
            list.sort_by(|a, b| a.listing_key().cmp(&b.listing_key()));
        }
        for row in account_rows(report) {
            let list = problems.get(row.id.as_str()).map_or(&[][..], Vec::as_slice);
            write_account(out, &row, list, opts, &paint)?;
        }
        let failing = report.findings.iter().any(|f| f.status == Status::Fail);
        let total = totals_line(report);
        let total = wrap(&total, "", "  ", opts);
        writeln!(
            out,
            "{}",
            paint.sgr(&total, if failing { "1;31" } else { "1" })
        )?;
        for fw in &report.frameworks {
            writeln!(out, "{}", wrap(&cell_text(&fw.line()), "", "  ", opts))?;
        }
        let manual: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.status == Status::Manual)
            .map(|f| f.rule_id.as_str())
            .collect();
        if !manual.is_empty() {
            let mut rules = manual.clone();
            rules.sort_unstable();
            rules.dedup();
            writeln!(
                out,
                "{}",
                wrap(
                    &format!(
                        "Manual checklist: {} ({}) for a person to check; the Markdown report \
                         lists them.",
                        plural(manual.len(), "item", "items"),
                        plural(rules.len(), "rule", "rules"),
                    ),
                    "",
                    "  ",
                    opts
                )
            )?;
        }
        Ok(())
    }
}

fn write_account(
    out: &mut dyn Write,
    row: &AccountRow,
    problems: &[&Finding],
    opts: &RenderOptions,
    paint: &Paint,
) -> Result<(), RenderError> {
    let name = format!("{} ({})", cell_text(&row.name), cell_text(&row.id));
    let mut about = Vec::new();
    if row.is_management {
        about.push("management".to_string());
    }
    if !row.ou_path.is_empty() {
        about.push(cell_text(&row.ou_path));
    }
    let about = if about.is_empty() {
        String::new()
    } else {
        format!(" · {}", about.join(" · "))
    };
    let c = &row.counts;
    if let Some(status) = &row.closed {
        let line = format!("{name}: closed ({}): not audited", cell_text(status));
        writeln!(out, "{}\n", paint.sgr(&wrap(&line, "", "  ", opts), "2"))?;
        return Ok(());
    }
    // An account that could not be reached: its checks are one line.
    let shown: Vec<&&Finding> = match &row.unreachable {
        Some(why) => {
            let line = format!(
                "{name}: not reached — {} not evaluated: {}",
                plural(c.error, "check", "checks"),
                cell_text(why)
            );
            writeln!(out, "{}", paint.sgr(&wrap(&line, "", "  ", opts), "1;35"))?;
            problems.iter().filter(|f| f.status != Status::Error).collect()
        }
        None => {
            let head = wrap(&format!("{name}{about}"), "", "  ", opts);
            writeln!(out, "{}", paint.sgr(&head, "1"))?;
            problems.iter().collect()
        }
    };
    for f in shown {
        write_finding(out, f, opts, paint)?;
    }
    if row.unreachable.is_none() {
        let mut counts = vec![format!("{} passed", c.pass)];
        if c.waived > 0 {
            counts.push(format!("{} waived", c.waived));
        }
        if c.manual > 0 {
            counts.push(format!("{} manual", c.manual));
        }
        if c.fail + c.error == 0 {
            counts.insert(0, "nothing failing".to_string());
        }
        writeln!(out, "  {}", paint.sgr(&counts.join(", "), "2"))?;
    }
    writeln!(out)?;
    Ok(())
}

/// One finding: its head line (status, severity, rule, and the resource or
/// region where it fits), then its message wrapped below. A resource that
/// would make the head line wider than the terminal (a long ARN) goes on a
/// line of its own, so the terminal does not break it at a random place.
fn write_finding(
    out: &mut dyn Write,
    f: &Finding,
    opts: &RenderOptions,
    paint: &Paint,
) -> Result<(), RenderError> {
    let rule = cell_text(&f.rule_id);
    let location = f.key().location().map(cell_text);
    // "  STATUS SEVERITY rule  location", without the colour codes.
    let head_len = 2 + 5 + 1 + 8 + 1 + rule.chars().count();
    let fits = |l: &str| {
        opts.width
            .is_none_or(|w| head_len + 2 + l.chars().count() <= usize::from(w))
    };
    let (inline, own_line) = match &location {
        Some(l) if fits(l) => (format!("  {l}"), None),
        Some(l) => (String::new(), Some(l)),
        None => (String::new(), None),
    };
    writeln!(
        out,
        "  {} {} {rule}{inline}",
        paint.sgr(&format!("{:<5}", f.status.as_str()), status_sgr(f.status)),
        paint.sgr(&format!("{:<8}", f.severity.as_str()), severity_sgr(f.severity)),
    )?;
    if let Some(l) = own_line {
        writeln!(out, "{INDENT}{l}")?;
    }
    writeln!(out, "{}", wrap(&cell_text(&f.message), INDENT, INDENT, opts))?;
    Ok(())
}

/// `text` wrapped to the width, the first line starting with `first`, the
/// others with `rest`; one line when there is no width.
fn wrap(text: &str, first: &str, rest: &str, opts: &RenderOptions) -> String {
    match opts.width {
        Some(w) if usize::from(w) > rest.len() + 20 => {
            let options = textwrap::Options::new(usize::from(w))
                .initial_indent(first)
                .subsequent_indent(rest)
                .break_words(true);
            textwrap::wrap(text, options).join("\n")
        }
        _ => format!("{first}{text}"),
    }
}

fn status_sgr(s: Status) -> &'static str {
    match s {
        Status::Fail => "1;31",
        Status::Error => "1;35",
        Status::Pass => "32",
        Status::Manual => "34",
        Status::Waived => "33",
    }
}

fn severity_sgr(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
        Severity::Info => "2",
    }
}

/// ANSI SGR painting, when colour is on.
struct Paint {
    on: bool,
}

impl Paint {
    fn sgr(&self, text: &str, sgr: &str) -> String {
        if self.on {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}
