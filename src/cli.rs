//! The command line: flags defined once (clap derive); help is generated.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::diff::DiffFormat;
use crate::findings::Severity;
use crate::report::Format;
use crate::snapshot::{Shard, DEFAULT_ROLE_NAME};

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
    /// Scan the AWS Organization of the current credentials (read-only), then
    /// evaluate the rules as `eval` does.
    Scan(ScanArgs),
    /// Evaluate the rules against a saved snapshot (offline, no AWS access).
    Eval(EvalArgs),
    /// Compare two audits: new, fixed and still-failing findings. Exit 1 when
    /// new failures appear.
    Diff(DiffArgs),
    /// Join the shard snapshots of one organization (`scan --shard K/N
    /// --save-snapshot FILE`) into one snapshot for `eval` and `diff`. Exit 3
    /// when shards are missing (the snapshot is written, marked incomplete).
    Merge(MergeArgs),
    /// List or show the rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print a JSON Schema: of the snapshot or of the findings document.
    Schema {
        #[arg(value_enum)]
        which: SchemaKind,
    },
    /// Print a shell completion script, generated from these definitions
    /// (e.g. `orgaudit completions bash > /etc/bash_completion.d/orgaudit`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page orgaudit(1) (roff), generated from these
    /// definitions (`orgaudit man | man -l -`); with `--dir`, write it and
    /// one page per subcommand (orgaudit-scan.1, orgaudit-rules-list.1…)
    /// into that directory instead.
    Man {
        /// An existing directory to write every page to.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
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
    /// Only the rules mapped to this compliance framework (`cis-3.0`,
    /// `cis-5.0`); reports then summarize that framework alone.
    #[arg(long, value_name = "ID", value_parser = crate::compliance::parse_framework_id)]
    pub framework: Option<String>,
}

/// The flags of every command that writes a report: its format (`F`, the
/// command's formats), where it goes, and the severity that fails. The help
/// texts are those of `eval` and `scan`; `diff` words its own.
#[derive(Debug, Args, Clone)]
pub struct ReportArgs<F: clap::ValueEnum + Clone + Send + Sync + 'static> {
    /// Output format. Default: `grouped` when standard output is a
    /// terminal, `table` otherwise (files and pipes: the layout scripts
    /// already read).
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<F>,
    /// Write to this file instead of standard output (written atomically).
    /// A path ending in `/` is a directory: the report is written into it as
    /// `orgaudit.EXT`, or, for SARIF too large for one code-scanning upload,
    /// as `orgaudit-1.sarif`, `orgaudit-2.sarif`, … (one upload each).
    #[arg(long, short = 'o', value_name = "FILE|DIR/")]
    pub output: Option<PathBuf>,
    /// Fail (exit 1) only on failing findings of this severity or above.
    /// Default: any failing finding.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
}

/// How findings are written and how the exit code is decided.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    #[command(flatten)]
    pub report: ReportArgs<Format>,
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

/// `orgaudit scan`: what to read and how. Credentials come from the standard
/// AWS chain (environment, `AWS_PROFILE`, SSO, role chains); `AWS_ENDPOINT_URL`
/// points every service at an emulator.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// A named profile of the AWS config files (SSO and `role_arn` chains
    /// included); it wins over credentials in the environment.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The role assumed in every member account; a comma-separated list is
    /// tried in order per account (e.g.
    /// `OrganizationAccountAccessRole,AWSControlTowerExecution`) and the role
    /// that worked is recorded for the account.
    #[arg(long, value_name = "NAME,…", value_delimiter = ',', default_value = DEFAULT_ROLE_NAME)]
    pub role_name: Vec<String>,
    /// The external id the role's trust policy requires, if any.
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// Regions to audit, comma-separated. Default: the regions enabled in
    /// each account (account:ListRegions).
    #[arg(long, value_name = "REGION,…", value_delimiter = ',')]
    pub regions: Option<Vec<String>>,
    /// Only these account ids, comma-separated.
    #[arg(long, value_name = "ID,…", value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Only accounts under these OUs (id `ou-…` or path `Root/Workloads`),
    /// descendants included; comma-separated or repeated.
    #[arg(long = "ou", value_name = "OU,…", value_delimiter = ',')]
    pub ous: Vec<String>,
    /// Scan only shard K of N: the accounts whose id modulo N is K-1. Each
    /// shard's snapshot holds the organization-wide facts too.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Maximum AWS API calls in flight.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrency: u32,
    /// Time limit of one API call attempt, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Attempts per API call, the first included (exponential backoff for
    /// throttling and server errors); a throttled call gets three times as
    /// many.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// The first retry's backoff in milliseconds (tests and emulators).
    #[arg(long, value_name = "MS", default_value_t = 500, hide = true)]
    pub retry_backoff_ms: u64,
    /// Also write the collected snapshot to this file (JSON, atomically);
    /// `orgaudit eval FILE` re-evaluates it offline.
    #[arg(long, value_name = "FILE")]
    pub save_snapshot: Option<PathBuf>,
    /// No progress bar (it is drawn on stderr, only on a terminal).
    #[arg(long)]
    pub no_progress: bool,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let err = || format!("`{s}` is not a shard: expected K/N with 1 <= K <= N, e.g. 2/8");
    let (k, n) = s.split_once('/').ok_or_else(err)?;
    let k: u64 = k.trim().parse().map_err(|_| err())?;
    let n: u64 = n.trim().parse().map_err(|_| err())?;
    if !(Shard { index: k, count: n }).is_valid() {
        return Err(err());
    }
    Ok((k, n))
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard snapshots, one per shard, in any order.
    #[arg(required = true, value_name = "SHARD.json")]
    pub shards: Vec<PathBuf>,
    /// Where to write the merged snapshot (JSON, atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// Warn when the shards were collected further apart than this many
    /// minutes.
    #[arg(long, value_name = "MINUTES", default_value_t = 60)]
    pub max_spread: u32,
    /// Exit 0 even when shards are missing, instead of 3 (the merged
    /// snapshot is written and marked incomplete either way).
    #[arg(long)]
    pub allow_incomplete: bool,
}

/// `orgaudit diff`: the report flags of [`ReportArgs`], worded for a diff
/// (new failures; a file, not a directory; a table by default).
#[derive(Debug, Args)]
#[command(
    mut_arg("format", |a| a.help("Output format").default_value("table")),
    mut_arg("output", |a| a
        .value_name("FILE")
        .help("Write to this file instead of standard output (written atomically)")),
    mut_arg("fail_on", |a| a.help(
        "Fail (exit 1) only on new failing findings of this severity or above. \
         Default: any new failing finding"
    )),
)]
pub struct DiffArgs {
    /// The older audit: a findings document (`eval -f json`) or a snapshot.
    pub old: PathBuf,
    /// The newer audit, of the same kind as OLD.
    pub new: PathBuf,
    /// Rules and config used to evaluate snapshots (ignored for findings
    /// documents, which are compared as they are).
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub report: ReportArgs<DiffFormat>,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule: id, severity, scope, title.
    List {
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Write the rule reference (Markdown, one section per rule) generated from
    /// the rule files.
    Docs {
        /// Where to write it; `-` for standard output.
        #[arg(
            long,
            short = 'o',
            value_name = "FILE",
            default_value = "docs/rules.md"
        )]
        output: PathBuf,
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
