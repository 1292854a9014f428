//! The command line: flags defined once (clap derive); help is generated.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::findings::Severity;
use crate::report::diff::DiffFormat;
use crate::report::Format;

/// orgaudit — a read-only compliance audit of an AWS Organization: root MFA,
/// alternate contacts, password policy, IAM users, CloudTrail, AWS Config,
/// budgets, Identity Center, OU layout and more, for every account.
#[derive(Debug, Parser)]
#[command(name = "orgaudit", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate the rules against a saved snapshot (offline, no AWS access).
    Eval(EvalArgs),
    /// Compare two audits: new, fixed and still-failing findings. Exit 1 when
    /// new failures appear.
    Diff(DiffArgs),
    /// List or show the rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print a JSON Schema: of the snapshot or of the findings document.
    Schema {
        #[arg(value_enum)]
        which: SchemaKind,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SchemaKind {
    Snapshot,
    Findings,
}

/// Where rules come from and how they are parameterized.
#[derive(Debug, Args, Clone, Default)]
pub struct RuleArgs {
    /// A directory of extra rule files (YAML), added to the built-in rules.
    /// May be given several times.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// A config file (YAML) with rule parameters and waivers.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// How findings are written and how the exit code is decided.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file instead of standard output (written atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Fail (exit 1) only on failing findings of this severity or above.
    /// Default: any failing finding.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Exit 0/1 even when some facts could not be read (ERROR findings),
    /// instead of 3.
    #[arg(long)]
    pub allow_incomplete: bool,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The snapshot file (JSON), as written by `orgaudit scan --save-snapshot`.
    pub snapshot: PathBuf,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older audit: a findings document (`eval -f json`) or a snapshot.
    pub old: PathBuf,
    /// The newer audit, of the same kind as OLD.
    pub new: PathBuf,
    /// Rules and config used to evaluate snapshots (ignored for findings
    /// documents, which are compared as they are).
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Write to this file instead of standard output (written atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Fail (exit 1) only on new failing findings of this severity or above.
    /// Default: any new failing finding.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule: id, severity, scope, title.
    List {
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Show one rule: what it checks, why, how to fix, sources, mappings, params.
    Show {
        /// The rule id, e.g. root-mfa-enabled.
        id: String,
        #[command(flatten)]
        rules: RuleArgs,
    },
}
