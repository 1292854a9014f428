//! What each command does, between the command line and the library.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{
    Cli, Command, DiffArgs, EvalArgs, MergeArgs, OutputArgs, RuleArgs, RulesCommand, ScanArgs,
    SchemaKind,
};
#[cfg(feature = "scan")]
use crate::collect::{self, ScanError, ScanOptions};
use crate::config::Config;
use crate::diagnostic::Diagnostics;
use crate::findings::{Report, Severity, Status};
use crate::report::{self, RenderOptions};
use crate::rules::{engine, RuleSet};
use crate::sanitize::{self, to_stderr};
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
    Rules(#[from] Diagnostics),
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
    Diff(#[from] crate::diff::DiffError),
    #[error("{0}")]
    Merge(#[from] crate::snapshot::merge::MergeError),
    #[error("{0}")]
    Usage(String),
    #[cfg(feature = "scan")]
    #[error("{0}")]
    Scan(#[from] ScanError),
    #[error("cannot write to standard output: {0}")]
    Stdout(#[source] std::io::Error),
    /// The reader of standard output went away (`orgaudit … | head`): exit
    /// 2 without a message, there is nobody to read the rest.
    #[error("standard output was closed before the output was written")]
    StdoutClosed,
}

pub fn run(cli: Cli) -> Result<ExitCode, AppError> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Eval(args) => eval(args),
        Command::Diff(args) => diff(args),
        Command::Merge(args) => merge(args),
        Command::Rules(RulesCommand::List { rules }) => {
            let set = load_rules_to_list(&rules)?;
            print_stdout(&crate::rules::docs::list(&set))?;
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Rules(RulesCommand::Docs { output, rules }) => {
            if output.as_os_str() != "-" {
                check_outputs(&[("--output", &output)], &[])?;
            }
            let set = load_rules_to_list(&rules)?;
            let text = crate::rules::docs::reference(&set);
            if output.as_os_str() == "-" {
                print_stdout(&text)?;
            } else {
                write_output(Some(&output), |out, _| Ok(out.write_all(text.as_bytes())?))?;
                to_stderr(&format!(
                    "wrote {} ({} rules)",
                    output.display(),
                    set.rules.len()
                ));
            }
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Rules(RulesCommand::Show { id, rules }) => {
            let set = load_rules_to_list(&rules)?;
            let rule = set.get(&id).ok_or_else(|| {
                AppError::Usage(format!(
                    "no rule with id `{id}` (see `orgaudit rules list`)"
                ))
            })?;
            print_stdout(&sanitize::lines(&crate::rules::docs::section(rule)))?;
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Schema { which } => {
            let text = match which {
                SchemaKind::Snapshot => crate::snapshot::schema::snapshot_schema_json(),
                SchemaKind::Findings => Report::schema_json(),
            };
            print_stdout(&text)?;
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            // Into memory first: clap_complete panics on a failed write.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "orgaudit", &mut script);
            write_output(None, |out, _| Ok(out.write_all(&script)?))?;
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Man { dir } => {
            // As clap_mangen's pages: `help` has none of its own.
            let cmd = <Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
            match dir {
                None => write_output(None, |out, _| Ok(clap_mangen::Man::new(cmd).render(out)?))?,
                Some(dir) => {
                    if !dir.is_dir() {
                        return Err(AppError::Usage(format!(
                            "--dir {}: not a directory",
                            dir.display()
                        )));
                    }
                    clap_mangen::generate_to(cmd, &dir).map_err(write_failed(&dir))?;
                    to_stderr(&format!("wrote the manual pages to {}", dir.display()));
                }
            }
            Ok(ExitCode::from(EXIT_OK))
        }
    }
}

/// Loads built-in and user rules.
pub fn load_rules(args: &RuleArgs) -> Result<RuleSet, AppError> {
    let dirs: Vec<&Path> = args.rules.iter().map(|p| p.as_path()).collect();
    let mut set = crate::rules::load::load(&dirs, None)?;
    if let Some(id) = &args.framework {
        set.limit_to_framework(id);
    }
    Ok(set)
}

/// Loads rules for the `rules` commands, which print no report: the rule
/// set's warnings go to stderr.
fn load_rules_to_list(args: &RuleArgs) -> Result<RuleSet, AppError> {
    let set = load_rules(args)?;
    print_warnings(&set.warnings);
    Ok(set)
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
    let mut inputs = vec![args.snapshot.as_path()];
    inputs.extend(args.rules.config.as_deref());
    check_outputs(&outputs(&args.output, None), &inputs)?;
    let (rules, config) = load_rules_and_config(&args.rules)?;
    let today = crate::waivers::today().map_err(AppError::Usage)?;
    let snapshot = Snapshot::load(&args.snapshot)?;
    let report = evaluate_with_config(&rules, &config, &snapshot, today);
    emit(&report, &args.output)
}

/// A build without the `scan` feature evaluates snapshots only.
#[cfg(not(feature = "scan"))]
fn scan(_: ScanArgs) -> Result<ExitCode, AppError> {
    Err(AppError::Usage(
        "this orgaudit was built without the scanner (cargo's --no-default-features): it \
         evaluates snapshots (`orgaudit eval FILE`) but cannot scan; install the full build \
         (`cargo install --locked --path .`, or a release binary)"
            .to_string(),
    ))
}

#[cfg(feature = "scan")]
fn scan(args: ScanArgs) -> Result<ExitCode, AppError> {
    // Where the results go is checked before a single AWS call.
    let inputs: Vec<&Path> = args.rules.config.as_deref().into_iter().collect();
    check_outputs(
        &outputs(&args.output, args.save_snapshot.as_deref()),
        &inputs,
    )?;
    // Rules and config first: a typo there must not cost a whole scan.
    let (rules, config) = load_rules_and_config(&args.rules)?;
    let opts = ScanOptions {
        profile: args.profile,
        role_names: args.role_name,
        external_id: args.external_id,
        regions: args.regions,
        accounts: args.accounts,
        ous: args.ous,
        shard: args.shard,
        concurrency: args.concurrency as usize,
        timeout: std::time::Duration::from_secs(args.timeout),
        max_attempts: args.max_attempts,
        initial_backoff: std::time::Duration::from_millis(args.retry_backoff_ms),
        ..ScanOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| AppError::Usage(format!("cannot start the async runtime: {e}")))?;
    let snapshot = runtime.block_on(async {
        if args.no_progress {
            collect::scan(&opts, &collect::NoProgress).await
        } else {
            collect::scan(&opts, &collect::progress::ProgressBar::stderr()).await
        }
    })?;
    if let Some(path) = &args.save_snapshot {
        snapshot.save(path).map_err(write_failed(path))?;
    }
    let today = crate::waivers::today().map_err(AppError::Usage)?;
    let report = evaluate_with_config(&rules, &config, &snapshot, today);
    emit(&report, &args.output)
}

/// Evaluates the rules against a snapshot with the config's parameters, then
/// applies the config's waivers as of `today` (summary and warnings
/// updated). Every command that evaluates goes through here.
pub fn evaluate_with_config(
    rules: &RuleSet,
    config: &Config,
    snapshot: &Snapshot,
    today: chrono::NaiveDate,
) -> Report {
    let mut report = engine::evaluate(rules, snapshot, &config.params);
    let waivers = crate::waivers::resolve_ou_ids(&config.waivers, snapshot);
    crate::waivers::apply(&mut report, &waivers, today);
    report
}

/// `orgaudit merge SHARD… --output FILE`: nothing is written unless every
/// shard is a valid shard of the same organization and scan.
fn merge(args: MergeArgs) -> Result<ExitCode, AppError> {
    use crate::snapshot::merge::{self, Input};
    let inputs: Vec<&Path> = args.shards.iter().map(|p| p.as_path()).collect();
    check_outputs(&[("--output", &args.output)], &inputs)?;
    let mut shards = Vec::with_capacity(args.shards.len());
    for path in &args.shards {
        shards.push(Input {
            path: path.display().to_string(),
            snapshot: Snapshot::load(path)?,
        });
    }
    let given = shards.len();
    let merged = merge::merge(shards, i64::from(args.max_spread) * 60)?;
    merged
        .snapshot
        .save(&args.output)
        .map_err(write_failed(&args.output))?;
    print_warnings(&merged.warnings);
    let info = merged
        .snapshot
        .scan
        .merge
        .as_ref()
        .expect("a merge records itself");
    to_stderr(&format!(
        "wrote {} ({} accounts from {given} of {} shards{})",
        args.output.display(),
        merged.snapshot.accounts.len() - info.missing_accounts.len(),
        info.shard_count,
        if info.missing_accounts.is_empty() {
            String::new()
        } else {
            format!(", {} not scanned", info.missing_accounts.len())
        }
    ));
    Ok(ExitCode::from(
        if merged.is_incomplete() && !args.allow_incomplete {
            EXIT_INCOMPLETE
        } else {
            EXIT_OK
        },
    ))
}

/// `orgaudit diff OLD NEW`: both findings documents, or both snapshots.
fn diff(args: DiffArgs) -> Result<ExitCode, AppError> {
    use crate::diff::{self, Inputs};
    let mut inputs = vec![args.old.as_path(), args.new.as_path()];
    inputs.extend(args.rules.config.as_deref());
    let out: Vec<(&str, &Path)> = args
        .report
        .output
        .iter()
        .map(|p| ("--output", p.as_path()))
        .collect();
    check_outputs(&out, &inputs)?;
    let (old, new) = match diff::read_inputs(&args.old, &args.new)? {
        Inputs::Findings { old, new } => (*old, *new),
        Inputs::Snapshots { old, new } => {
            let (rules, config) = load_rules_and_config(&args.rules)?;
            let today = crate::waivers::today().map_err(AppError::Usage)?;
            let old = Snapshot::from_json(&old, &args.old.display().to_string())?;
            let new = Snapshot::from_json(&new, &args.new.display().to_string())?;
            let old = evaluate_with_config(&rules, &config, &old, today);
            let new = evaluate_with_config(&rules, &config, &new, today);
            print_warnings(&new.warnings);
            (old, new)
        }
    };
    let result = diff::compare(&old, &new);
    let format = args.report.format.expect("`diff --format` has a default");
    write_output(args.report.output.as_deref(), |out, opts| {
        diff::write(&result, format, opts, out)
    })?;
    Ok(ExitCode::from(
        if result.has_new_failures(args.report.fail_on) {
            EXIT_FAILING
        } else {
            EXIT_OK
        },
    ))
}

/// Renders the report where asked and returns the exit code.
pub fn emit(report: &Report, out: &OutputArgs) -> Result<ExitCode, AppError> {
    let format = out
        .report
        .format
        .unwrap_or_else(|| default_format(out.report.output.is_none()));
    match out.report.output.as_deref() {
        Some(dir) if is_dir_output(dir) => write_files(dir, report, format)?,
        path => write_output(path, |w, opts| report::write(report, format, opts, w))?,
    }
    print_warnings(&report.warnings);
    Ok(ExitCode::from(exit_code(
        report,
        out.report.fail_on,
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

fn print_warnings(warnings: &[String]) {
    for w in warnings {
        to_stderr(&format!("warning: {w}"));
    }
}

/// The outputs of a command, with the flag that names each.
fn outputs<'a>(out: &'a OutputArgs, snapshot: Option<&'a Path>) -> Vec<(&'static str, &'a Path)> {
    let mut v: Vec<(&'static str, &Path)> = Vec::new();
    v.extend(snapshot.map(|p| ("--save-snapshot", p)));
    v.extend(out.report.output.as_deref().map(|p| ("--output", p)));
    v
}

/// Before any work: no output is an input or another output, and each can
/// be written (its directory exists; it is not a directory or a disk).
fn check_outputs(outputs: &[(&str, &Path)], inputs: &[&Path]) -> Result<(), AppError> {
    for (i, (flag, path)) in outputs.iter().enumerate() {
        if let Some(input) = inputs
            .iter()
            .find(|input| crate::fsutil::same_file(path, input))
        {
            return Err(AppError::Usage(format!(
                "{flag} {} is the input file {}: writing it would destroy what is read; \
                 choose another output file",
                path.display(),
                input.display()
            )));
        }
        if let Some((other, _)) = outputs[..i]
            .iter()
            .find(|(_, p)| crate::fsutil::same_file(path, p))
        {
            return Err(AppError::Usage(format!(
                "{other} and {flag} both name {}: give them different files",
                path.display()
            )));
        }
        if is_dir_output(path) {
            if path.exists() && !path.is_dir() {
                return Err(AppError::Usage(format!(
                    "{flag} {} names a directory (it ends with `/`) but is a file",
                    path.display()
                )));
            }
            continue;
        }
        crate::fsutil::check_writable(path).map_err(write_failed(path))?;
    }
    Ok(())
}

/// The format when `--format` is not given: the grouped view for a person
/// at a terminal; the table everywhere else (a file, a pipe), so that what
/// scripts read does not change with where it runs.
fn default_format(to_stdout: bool) -> report::Format {
    if to_stdout && std::io::stdout().is_terminal() {
        report::Format::Grouped
    } else {
        report::Format::Table
    }
}

/// Whether an output path names a directory to write files into
/// (`--output DIR/`, with the trailing slash).
fn is_dir_output(path: &Path) -> bool {
    path.as_os_str().as_encoded_bytes().ends_with(b"/")
}

/// Writes `report` as files in `dir` (created if missing): `orgaudit.EXT`,
/// or `orgaudit-1.EXT` … when the format splits its output (SARIF within
/// code scanning's upload limits). Nothing is replaced unless every file
/// was written.
fn write_files(dir: &Path, report: &Report, format: report::Format) -> Result<(), AppError> {
    let mut files = crate::fsutil::FileSet::new(dir, "orgaudit", format.extension())
        .map_err(write_failed(dir))?;
    report::write_files(report, format, &RenderOptions::plain(), &mut files)
        .map_err(render_failed(dir))?;
    let written = files.commit().map_err(write_failed(dir))?;
    to_stderr(&format!(
        "wrote {} in {}",
        match written.len() {
            1 => "1 file".to_string(),
            n => format!("{n} files"),
        },
        dir.display()
    ));
    Ok(())
}

/// Writes a rendered output to `path` (plain, atomically, streamed) or to
/// standard output (with the terminal's options). A failed write is an error
/// (exit 2, never a truncated document with a success code); a closed pipe
/// is [`AppError::StdoutClosed`].
fn write_output(
    path: Option<&Path>,
    render: impl FnOnce(&mut dyn Write, &RenderOptions) -> Result<(), report::RenderError>,
) -> Result<(), AppError> {
    use report::RenderError;
    match path {
        Some(path) => {
            crate::fsutil::write_atomic_with(path, |out| render(out, &RenderOptions::plain()))
                .map_err(render_failed(path))
        }
        None => {
            let stdout = std::io::stdout();
            let opts = stdout_render_options(stdout.is_terminal());
            let mut out = std::io::BufWriter::with_capacity(256 * 1024, stdout.lock());
            render(&mut out, &opts)
                .and_then(|()| out.flush().map_err(RenderError::Io))
                .map_err(|e| match e {
                    RenderError::Io(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                        AppError::StdoutClosed
                    }
                    RenderError::Io(e) => AppError::Stdout(e),
                    e => AppError::Render(e),
                })
        }
    }
}

/// The error of a failed write to `path` (for `map_err`).
fn write_failed(path: &Path) -> impl Fn(std::io::Error) -> AppError + Copy + '_ {
    move |source| AppError::Write {
        path: path.display().to_string(),
        source,
    }
}

/// The error of a failed rendering to `path`: a failed write names the
/// path ([`write_failed`]).
fn render_failed(path: &Path) -> impl Fn(report::RenderError) -> AppError + '_ {
    move |e| match e {
        report::RenderError::Io(source) => write_failed(path)(source),
        e => AppError::Render(e),
    }
}

/// Render options for standard output, read here at the edge: colour only
/// on a terminal and when `NO_COLOR` is unset or empty
/// (<https://no-color.org>); wrapping to the terminal's width when known.
/// Off a terminal a table is not wrapped unless `COLUMNS` sets a width
/// (`COLUMNS=120 orgaudit eval … | less`).
fn stdout_render_options(is_terminal: bool) -> RenderOptions {
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

/// Writes `text` to standard output ([`write_output`]).
fn print_stdout(text: &str) -> Result<(), AppError> {
    write_output(None, |out, _| Ok(out.write_all(text.as_bytes())?))
}
