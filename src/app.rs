//! What each command does, between the command line and the library.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{Cli, Command, EvalArgs, OutputArgs, RuleArgs, RulesCommand, SchemaKind};
use crate::config::Config;
use crate::findings::{Report, Severity, Status};
use crate::report::{self, RenderOptions};
use crate::rules::{engine, LoadErrors, RuleSet};
use crate::snapshot::{Snapshot, SnapshotError};

/// Exit codes (design.md): 0 clean, 1 failing findings, 2 usage/config/
/// credential error, 3 incomplete.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILING: u8 = 1;
pub const EXIT_ERROR: u8 = 2;
pub const EXIT_INCOMPLETE: u8 = 3;

/// An error that stops a command (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Rules(#[from] LoadErrors),
    #[error("{0}")]
    Snapshot(#[from] SnapshotError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Render(#[from] report::RenderError),
    #[error("{0}")]
    Usage(String),
}

pub fn run(cli: Cli) -> Result<ExitCode, AppError> {
    match cli.command {
        Command::Eval(args) => eval(args),
        Command::Rules(RulesCommand::List { rules }) => {
            let set = load_rules(&rules)?;
            let mut out = String::new();
            for r in &set.rules {
                out.push_str(&format!(
                    "{:<40} {:<9} {:<8} {}\n",
                    r.info.id,
                    r.info.severity.as_str(),
                    format!("{:?}", r.info.scope).to_lowercase(),
                    if r.info.manual {
                        format!("{} (manual)", r.info.title)
                    } else {
                        r.info.title.clone()
                    }
                ));
            }
            print_stdout(&out);
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Rules(RulesCommand::Show { id, rules }) => {
            let set = load_rules(&rules)?;
            let rule = set.get(&id).ok_or_else(|| {
                AppError::Usage(format!(
                    "no rule with id `{id}` (see `orgaudit rules list`)"
                ))
            })?;
            print_stdout(&crate::rules::docs::section(rule));
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Schema { which } => {
            let text = match which {
                SchemaKind::Snapshot => crate::snapshot::schema::snapshot_schema_json(),
                SchemaKind::Findings => Report::schema_json(),
            };
            print_stdout(&text);
            Ok(ExitCode::from(EXIT_OK))
        }
    }
}

/// Loads built-in and user rules.
pub fn load_rules(args: &RuleArgs) -> Result<RuleSet, AppError> {
    let dirs: Vec<&Path> = args.rules.iter().map(|p| p.as_path()).collect();
    Ok(crate::rules::load::load(&dirs, None)?)
}

/// Loads rules and the config file.
pub fn load_rules_and_config(args: &RuleArgs) -> Result<(RuleSet, Config), AppError> {
    let rules = load_rules(args)?;
    let config = match &args.config {
        Some(path) => Config::load(path, &rules)?,
        None => Config::default(),
    };
    Ok((rules, config))
}

fn eval(args: EvalArgs) -> Result<ExitCode, AppError> {
    let (rules, config) = load_rules_and_config(&args.rules)?;
    let today = crate::waivers::today().map_err(AppError::Usage)?;
    let snapshot = Snapshot::load(&args.snapshot)?;
    let mut report = engine::evaluate(&rules, &snapshot, &config.params);
    let waivers = crate::waivers::resolve_ou_ids(&config.waivers, &snapshot);
    crate::waivers::apply(&mut report, &waivers, today);
    emit(&report, &args.output)
}

/// Renders the report where asked and returns the exit code.
pub fn emit(report: &Report, out: &OutputArgs) -> Result<ExitCode, AppError> {
    match &out.output {
        Some(path) => {
            let text = report::render(report, out.format, &RenderOptions::default())?;
            crate::fsutil::write_atomic(path, text.as_bytes()).map_err(|source| {
                AppError::Write {
                    path: path.display().to_string(),
                    source,
                }
            })?;
        }
        None => {
            let opts = RenderOptions::for_stream(std::io::stdout().is_terminal());
            let text = report::render(report, out.format, &opts)?;
            print_stdout(&text);
        }
    }
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    Ok(ExitCode::from(exit_code(
        report,
        out.fail_on,
        out.allow_incomplete,
    )))
}

/// The exit code of an evaluation: 1 when a failing finding is at or above
/// `fail_on` (any severity by default); otherwise 3 when something could not
/// be evaluated (ERROR findings) unless `allow_incomplete`; otherwise 0.
pub fn exit_code(report: &Report, fail_on: Option<Severity>, allow_incomplete: bool) -> u8 {
    let threshold = fail_on.unwrap_or(Severity::Info);
    let failing = report
        .findings
        .iter()
        .any(|f| f.status == Status::Fail && f.severity <= threshold);
    if failing {
        EXIT_FAILING
    } else if !allow_incomplete && report.findings.iter().any(|f| f.status == Status::Error) {
        EXIT_INCOMPLETE
    } else {
        EXIT_OK
    }
}

fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`orgaudit … | head`) is not an error worth a panic.
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}
