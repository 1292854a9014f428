//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
//!
//! One run, or — when one run would hold more results than GitHub code
//! scanning keeps ([`Limits`]) — one run per OU path, each with its own
//! `automationDetails.id` category, in as many files as the upload limits
//! require ([`plan`]). `tool.driver` lists every rule of the report as a
//! `reportingDescriptor`. Findings map to results as follows (see also
//! `docs/sarif.md`):
//!
//! | status | `kind`   | `level`                                         | notes |
//! |--------|----------|-------------------------------------------------|-------|
//! | FAIL   | `fail`   | `error` (critical, high), `warning` (medium, low), `note` (info) | |
//! | ERROR  | `fail`   | `warning`                                       | message prefixed `Could not evaluate: ` — the scanner fails closed, so an unevaluated check is surfaced, not hidden |
//! | WAIVED | `fail`   | as FAIL                                         | `suppressions: [{kind: external, status: accepted, justification}]` |
//! | MANUAL | `review` | `none`                                          | SARIF §3.27.10: a result whose kind is not `fail` must have level `none` |
//! | PASS   | —        | —                                               | not reported |
//!
//! A finding has no file, so its location is a path-like id
//! (`aws/<account>/<service>/<resource>`, from [`location_path`])
//! with `startLine` 1 — code scanning rejects ARNs as URIs — and the ARN
//! (for account-level findings the account's root ARN,
//! `arn:aws:iam::<account>:root`) as a logical location.
//! `partialFingerprints["orgauditFinding/v1"]` is the finding's
//! [`crate::findings::FindingKey::fingerprint`] (a hash of the rule id and the ARN, or account
//! and region), so an alert keeps its identity across scans even when its
//! message changes.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultKind, ResultLevel, Run, RunAutomationDetails,
    Suppression, Tool,
    ToolComponent,
};

use super::{RenderError, RenderOptions, Renderer};
use crate::findings::{Finding, Mappings, Report, RuleInfo, Scope, Severity, Status};

/// The `$schema` written into the log.
pub const SARIF_SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of the fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "orgauditFinding/v1";

/// The SARIF renderer.
pub struct Sarif;

impl Renderer for Sarif {
    fn write(
        &self,
        report: &Report,
        _: &RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> Result<(), RenderError> {
        let files = plan(report, &Limits::GITHUB)?;
        if files.len() > 1 {
            return Err(RenderError::Invalid(too_many_files(&files)));
        }
        for file in &files {
            file.write(out)?;
        }
        Ok(())
    }

    fn write_files(
        &self,
        report: &Report,
        _: &RenderOptions,
        files: &mut dyn super::Files,
    ) -> Result<(), RenderError> {
        for file in plan(report, &Limits::GITHUB)? {
            file.write(files.next_file()?)?;
        }
        Ok(())
    }
}

/// What GitHub code scanning takes in one upload (its "SARIF support"
/// limits). orgaudit keeps below them, splitting runs and files, and stops
/// (exit 2) when it cannot; nothing is left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Results per run. GitHub rejects a run of more than 25,000 and keeps
    /// only 5,000 of a larger run, so 5,000 is the most that all arrive.
    pub results_per_run: usize,
    /// Runs per file (GitHub: 20).
    pub runs_per_file: usize,
    /// Bytes of a gzip-compressed file (GitHub: 10 MB).
    pub gzip_bytes_per_file: u64,
}

impl Limits {
    /// GitHub code scanning's limits.
    pub const GITHUB: Limits = Limits {
        results_per_run: 5_000,
        runs_per_file: 20,
        gzip_bytes_per_file: 10_000_000,
    };
}

/// One SARIF file of a report: its runs, serialized.
pub struct SarifFile {
    /// Each run as pretty JSON (at indentation 0) and its category.
    runs: Vec<SerializedRun>,
    /// The gzip-compressed size of the runs, an upper bound.
    gzip_bytes: u64,
}

struct SerializedRun {
    category: Option<String>,
    results: usize,
    json: Vec<u8>,
    gzip_bytes: u64,
}

impl SarifFile {
    /// The categories (`automationDetails.id`) of the file's runs; `None`
    /// for the one run of a report that needs no split.
    pub fn categories(&self) -> Vec<Option<&str>> {
        self.runs.iter().map(|r| r.category.as_deref()).collect()
    }

    /// The results in the file.
    pub fn results(&self) -> usize {
        self.runs.iter().map(|r| r.results).sum()
    }

    /// Writes the log: the layout of the pretty JSON of the whole document
    /// (each run re-indented into `runs`; a line break in pretty JSON is
    /// never inside a string).
    pub fn write(&self, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
        writeln!(out, "{{\n  \"$schema\": \"{SARIF_SCHEMA_URI}\",\n  \"runs\": [")?;
        for (i, run) in self.runs.iter().enumerate() {
            out.write_all(b"    ")?;
            for (j, line) in run.json.split(|b| *b == b'\n').enumerate() {
                if j > 0 {
                    out.write_all(b"\n    ")?;
                }
                out.write_all(line)?;
            }
            out.write_all(if i + 1 < self.runs.len() { b",\n" } else { b"\n" })?;
        }
        out.write_all(b"  ],\n  \"version\": \"2.1.0\"\n}\n")?;
        Ok(())
    }
}

/// The message when a report needs several files but one output was given.
fn too_many_files(files: &[SarifFile]) -> String {
    let runs: usize = files.iter().map(|f| f.runs.len()).sum();
    let gzip: u64 = files.iter().map(|f| f.gzip_bytes).sum();
    let results: usize = files.iter().map(SarifFile::results).sum();
    format!(
        "the SARIF log of this report ({results} results in {runs} runs, about {:.1} MB \
         gzip-compressed) is more than GitHub code scanning takes in one upload ({} runs, \
         {} MB); nothing was written. Write it as {} files, each one upload, with \
         `--output DIR/` (see docs/sarif.md)",
        gzip as f64 / 1e6,
        Limits::GITHUB.runs_per_file,
        Limits::GITHUB.gzip_bytes_per_file / 1_000_000,
        files.len()
    )
}

/// The SARIF files of a report within `limits`: one file with one run when
/// the results fit in a run; otherwise one run per OU path (an OU path
/// whose accounts have more results than a run takes is split by account
/// id modulo N, as `scan --shard K/N` splits accounts), the runs packed in
/// order into files of at most `limits.runs_per_file` runs and
/// `limits.gzip_bytes_per_file`. An error when a single account has more
/// results than a run takes, or a single run is larger than a file may be.
pub fn plan(report: &Report, limits: &Limits) -> Result<Vec<SarifFile>, RenderError> {
    let log = LogParts::new(report);
    let mut runs = Vec::new();
    for (category, findings) in split_runs(report, limits)? {
        let run = log.run(&findings, category.clone());
        let mut json = Vec::with_capacity(findings.len() * 1500 + 64 * 1024);
        super::json::write(&mut json, &run)?;
        json.pop(); // the final newline
        let gzip_bytes = gzip_size(&json)?;
        if gzip_bytes + ENVELOPE_BYTES > limits.gzip_bytes_per_file {
            return Err(RenderError::Invalid(format!(
                "the SARIF run {} ({} results) is about {:.1} MB gzip-compressed, more than \
                 GitHub code scanning takes in one file ({} MB); nothing was written. Its \
                 messages are unusually long: use -f json or -f csv for this report",
                crate::sanitize::one_line(category.as_deref().unwrap_or("of the report")),
                findings.len(),
                gzip_bytes as f64 / 1e6,
                limits.gzip_bytes_per_file / 1_000_000
            )));
        }
        runs.push(SerializedRun {
            category,
            results: findings.len(),
            json,
            gzip_bytes,
        });
    }
    let mut files: Vec<SarifFile> = Vec::new();
    for run in runs {
        let fits = files.last().is_some_and(|f| {
            f.runs.len() < limits.runs_per_file
                && f.gzip_bytes + run.gzip_bytes <= limits.gzip_bytes_per_file
        });
        if !fits {
            files.push(SarifFile {
                runs: Vec::new(),
                gzip_bytes: ENVELOPE_BYTES,
            });
        }
        let file = files.last_mut().expect("a file was just added");
        file.gzip_bytes += run.gzip_bytes;
        file.runs.push(run);
    }
    Ok(files)
}

/// What the document around the runs adds, compressed, at most.
const ENVELOPE_BYTES: u64 = 1024;

/// The gzip-compressed size of `bytes` at the fastest level: an upper bound
/// of what `gzip` and the upload's own compression (default level) make of
/// the same text. Files compressed together are at most the sum of their
/// parts plus the headers.
fn gzip_size(bytes: &[u8]) -> Result<u64, RenderError> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Counter(0), flate2::Compression::fast());
    gz.write_all(bytes)?;
    Ok(gz.finish()?.0)
}

/// A writer that counts bytes and keeps none.
struct Counter(u64);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The category of a run of the accounts under `ou_path`
/// (`orgaudit/Root/Workloads/`), with a shard when the OU is split
/// (`orgaudit/Root/Workloads/shard-2-of-4/`). A category ends with `/`:
/// code scanning reads `automationDetails.id` up to its last `/` as the
/// category.
fn category(ou_path: &str, shard: Option<(u64, u64)>) -> String {
    let ou = if ou_path.is_empty() { "-" } else { ou_path };
    match shard {
        None => format!("orgaudit/{ou}/"),
        Some((k, n)) => format!("orgaudit/{ou}/shard-{k}-of-{n}/"),
    }
}

/// A run to write: its category and its findings.
type PlannedRun<'a> = (Option<String>, Vec<&'a Finding>);

/// The results (non-PASS findings, in report order) grouped into runs:
/// `(category, findings)`; see [`plan`].
fn split_runs<'a>(
    report: &'a Report,
    limits: &Limits,
) -> Result<Vec<PlannedRun<'a>>, RenderError> {
    use std::collections::HashMap;
    let results: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .collect();
    if results.len() <= limits.results_per_run {
        return Ok(vec![(None, results)]);
    }
    let ou_of: HashMap<&str, &str> = report
        .accounts
        .iter()
        .map(|a| (a.id.as_str(), a.ou_path.as_str()))
        .collect();
    let mut by_ou: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in results {
        let ou = ou_of.get(f.account_id.as_str()).copied().unwrap_or("");
        by_ou.entry(ou).or_default().push(f);
    }
    let mut runs = Vec::new();
    for (ou, findings) in by_ou {
        if findings.len() <= limits.results_per_run {
            runs.push((Some(category(ou, None)), findings));
            continue;
        }
        // The results of each account: one account must fit in a run.
        let mut per_account: BTreeMap<&str, usize> = BTreeMap::new();
        for f in &findings {
            *per_account.entry(f.account_id.as_str()).or_default() += 1;
        }
        if let Some((id, n)) = per_account
            .iter()
            .find(|(_, n)| **n > limits.results_per_run)
        {
            let name = findings
                .iter()
                .find(|f| f.account_id == *id)
                .map_or("", |f| f.account_name.as_str());
            return Err(RenderError::Invalid(format!(
                "account {} ({}) alone has {n} SARIF results, more than GitHub code scanning \
                 keeps of one run ({}); nothing was written. Waive the accepted findings \
                 (--config), narrow the rules (--framework), or use -f json or -f csv for \
                 this report",
                crate::sanitize::one_line(id),
                crate::sanitize::one_line(name),
                limits.results_per_run
            )));
        }
        // The fewest shards (a power of two) that fit.
        let mut n: u64 = 2;
        let buckets = loop {
            let mut buckets: BTreeMap<u64, usize> = BTreeMap::new();
            for (id, count) in &per_account {
                *buckets.entry(shard_of(id, n)).or_default() += count;
            }
            if buckets.values().all(|c| *c <= limits.results_per_run) || n >= 1 << 20 {
                break buckets;
            }
            n *= 2;
        };
        if buckets.values().any(|c| *c > limits.results_per_run) {
            return Err(RenderError::Invalid(format!(
                "the accounts under {} cannot be split into SARIF runs of at most {} results; \
                 nothing was written. Use -f json or -f csv for this report",
                crate::sanitize::one_line(ou),
                limits.results_per_run
            )));
        }
        let mut shards: BTreeMap<u64, Vec<&Finding>> = BTreeMap::new();
        for f in findings {
            shards.entry(shard_of(&f.account_id, n)).or_default().push(f);
        }
        for (k, findings) in shards {
            runs.push((Some(category(ou, Some((k + 1, n)))), findings));
        }
    }
    Ok(runs)
}

/// The shard (0-based) of an account among `n`: its id modulo `n`, as
/// `scan --shard` counts; an id that is not a number by its hash.
fn shard_of(account_id: &str, n: u64) -> u64 {
    match account_id.parse::<u64>() {
        Ok(id) => id % n,
        Err(_) => crate::findings::fnv1a64(account_id.as_bytes()) % n,
    }
}

/// The SARIF log of a report as one document with one run (tests; the
/// renderer splits large reports, see [`plan`]).
pub fn to_sarif(report: &Report) -> serde_sarif::sarif::Sarif {
    let log = LogParts::new(report);
    let results: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .collect();
    serde_sarif::sarif::Sarif::builder()
        .schema(SARIF_SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![log.run(&results, None)])
        .build()
}

/// What every run of a report's log shares.
struct LogParts {
    rules: Vec<RuleInfo>,
    index: BTreeMap<String, usize>,
    driver: ToolComponent,
    invocation: Invocation,
    properties: PropertyBag,
    partition: String,
}

impl LogParts {
    fn new(report: &Report) -> LogParts {
        // Rules: those of the report, plus a minimal descriptor for any rule a
        // finding names that the report does not describe (so that every
        // `ruleIndex` resolves).
        let mut rules: Vec<RuleInfo> = report.rules.clone();
        let mut index: BTreeMap<String, usize> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        for f in &report.findings {
            if !index.contains_key(&f.rule_id) {
                index.insert(f.rule_id.clone(), rules.len());
                rules.push(RuleInfo {
                    id: f.rule_id.clone(),
                    title: f.title.clone(),
                    severity: f.severity,
                    scope: Scope::Account,
                    service: "aws".to_string(),
                    manual: false,
                    passes_when: None,
                    rationale: String::new(),
                    remediation: String::new(),
                    sources: Vec::new(),
                    mappings: Mappings::default(),
                });
            }
        }
        let driver = ToolComponent::builder()
            .name(report.tool.name.clone())
            .version(report.tool.version.clone())
            .semantic_version(report.tool.version.clone())
            .rules(rules.iter().map(descriptor).collect::<Vec<_>>())
            .build();
        LogParts {
            driver,
            invocation: invocation(report),
            properties: run_properties(report),
            partition: super::partition(report),
            rules,
            index,
        }
    }

    /// A run of `findings` (no PASS among them), with its category.
    fn run(&self, findings: &[&Finding], category: Option<String>) -> Run {
        let results: Vec<SarifResult> = findings
            .iter()
            .map(|f| {
                let i = self.index[f.rule_id.as_str()];
                result(f, &self.rules[i], i, &self.partition)
            })
            .collect();
        let mut run = Run::builder()
            .tool(Tool::builder().driver(self.driver.clone()).build())
            .results(results)
            .invocations(vec![self.invocation.clone()])
            .build();
        run.automation_details =
            category.map(|id| RunAutomationDetails::builder().id(id).build());
        run.properties = Some(self.properties.clone());
        run
    }
}

fn descriptor(rule: &RuleInfo) -> ReportingDescriptor {
    let mut tags = vec!["security".to_string(), "aws".to_string()];
    if !rule.service.is_empty() {
        tags.push(rule.service.clone());
    }
    tags.push(rule.severity.as_str().to_string());
    if rule.manual {
        tags.push("manual".to_string());
    }
    tags.extend(rule.mappings.framework_tags());
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        json!(security_severity(rule.severity)),
    );
    // The checks read configuration, not heuristics; a manual item is a
    // question for a person.
    props.insert(
        "precision".to_string(),
        json!(if rule.manual { "medium" } else { "very-high" }),
    );
    let mappings = mapping_lines(&rule.mappings);
    if !mappings.is_empty() {
        props.insert("mappings".to_string(), json!(rule.mappings));
    }

    let mut d = ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(pascal_case(&rule.id))
        .short_description(text_message(&rule.title))
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(fail_level(rule.severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(props)
                .build(),
        )
        .build();
    if !rule.rationale.is_empty() {
        d.full_description = Some(text_message(&rule.rationale));
    }
    if !rule.rationale.is_empty() || !rule.remediation.is_empty() {
        d.help = Some(help(rule, &mappings));
    }
    d
}

fn text_message(text: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder()
        .text(text.to_string())
        .build()
}

fn help(rule: &RuleInfo, mappings: &[String]) -> MultiformatMessageString {
    let mut text = String::new();
    let mut md = String::new();
    if !rule.rationale.is_empty() {
        text.push_str(rule.rationale.trim_end());
        text.push_str("\n\n");
        md.push_str("**Why it matters**\n\n");
        md.push_str(rule.rationale.trim_end());
        md.push_str("\n\n");
    }
    if !rule.remediation.is_empty() {
        text.push_str("Remediation:\n");
        text.push_str(rule.remediation.trim_end());
        text.push_str("\n\n");
        md.push_str("**Remediation**\n\n");
        md.push_str(rule.remediation.trim_end());
        md.push_str("\n\n");
    }
    if !mappings.is_empty() {
        text.push_str("Mappings: ");
        text.push_str(&mappings.join("; "));
        text.push_str("\n\n");
        md.push_str("**Mappings**: ");
        md.push_str(&mappings.join("; "));
        md.push_str("\n\n");
    }
    if !rule.sources.is_empty() {
        text.push_str("Sources: ");
        text.push_str(&rule.sources.join(", "));
        text.push_str("\n\n");
        md.push_str("**Sources**: ");
        md.push_str(&rule.sources.join(", "));
        md.push_str("\n\n");
    }
    MultiformatMessageString::builder()
        .text(text.trim_end().to_string())
        .markdown(md.trim_end().to_string())
        .build()
}

fn mapping_lines(m: &Mappings) -> Vec<String> {
    m.labelled()
        .into_iter()
        .filter(|m| !m.ids.is_empty())
        .map(|m| format!("{} {}", m.label, m.ids.join(", ")))
        .collect()
}

/// The CVSS-like score GitHub code scanning reads from `security-severity`.
fn security_severity(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// The level of a failing result of this severity.
pub fn fail_level(sev: Severity) -> ResultLevel {
    match sev {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium | Severity::Low => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn result(f: &Finding, rule: &RuleInfo, rule_index: usize, partition: &str) -> SarifResult {
    let context = match &f.region {
        Some(region) => format!(
            " (account {} {}, region {})",
            f.account_id, f.account_name, region
        ),
        None => format!(" (account {} {})", f.account_id, f.account_name),
    };
    let (kind, level, text) = match f.status {
        Status::Error => (
            ResultKind::Fail,
            ResultLevel::Warning,
            format!("{}{context}", super::could_not_evaluate(f)),
        ),
        Status::Manual => (
            ResultKind::Review,
            ResultLevel::None,
            format!("Manual check: {}{context}", f.message),
        ),
        Status::Fail | Status::Waived | Status::Pass => (
            ResultKind::Fail,
            fail_level(f.severity),
            format!("{}{context}", f.message),
        ),
    };

    let (fqn, name) = match &f.resource_arn {
        Some(arn) => (arn.clone(), super::arn_name(arn).to_string()),
        None => (
            format!("arn:{partition}:iam::{}:root", f.account_id),
            f.account_id.clone(),
        ),
    };
    let location = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(location_path(f, &rule.service))
                        .build(),
                )
                .region(Region::builder().start_line(1).build())
                .build(),
        )
        .logical_locations(vec![LogicalLocation::builder()
            .fully_qualified_name(fqn)
            .name(name)
            .kind("resource")
            .build()])
        .build();

    let mut props = BTreeMap::new();
    props.insert("status".to_string(), json!(f.status.as_str()));
    props.insert("severity".to_string(), json!(f.severity.as_str()));
    props.insert("accountId".to_string(), json!(f.account_id));
    props.insert("accountName".to_string(), json!(f.account_name));
    if let Some(region) = &f.region {
        props.insert("region".to_string(), json!(region));
    }

    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_string(), f.key().fingerprint());

    let mut r = SarifResult::builder()
        .rule_id(f.rule_id.clone())
        .rule_index(rule_index as i64)
        .kind(kind)
        .level(level)
        .message(Message::builder().text(text).build())
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build();

    if f.status == Status::Waived {
        let mut s = Suppression::builder()
            .kind(json!("external"))
            .status(json!("accepted"))
            .build();
        if let Some(w) = &f.waiver {
            s.justification = Some(w.reason.clone());
            let mut p = BTreeMap::new();
            p.insert("expires".to_string(), json!(w.expires));
            s.properties = Some(PropertyBag::builder().additional_properties(p).build());
        }
        r.suppressions = Some(vec![s]);
    }
    r
}

fn invocation(report: &Report) -> Invocation {
    let notes = |lines: &[String]| -> Vec<Notification> {
        lines
            .iter()
            .map(|l| {
                Notification::builder()
                    .level(json!("warning"))
                    .message(Message::builder().text(l.clone()).build())
                    .build()
            })
            .collect()
    };
    let mut inv = Invocation::builder().execution_successful(true).build();
    if !report.source.incomplete.is_empty() {
        inv.tool_execution_notifications = Some(notes(&report.source.incomplete));
    }
    if !report.warnings.is_empty() {
        inv.tool_configuration_notifications = Some(notes(&report.warnings));
    }
    inv
}

fn run_properties(report: &Report) -> PropertyBag {
    let mut p: BTreeMap<String, Value> = BTreeMap::new();
    let s = &report.source;
    if let Some(org) = &s.organization_id {
        p.insert("organizationId".to_string(), json!(org));
    }
    if let Some(mgmt) = &s.management_account_id {
        p.insert("managementAccountId".to_string(), json!(mgmt));
    }
    p.insert("collectedAt".to_string(), json!(s.collected_at));
    p.insert("regions".to_string(), json!(s.regions));
    p.insert("findingsFormat".to_string(), json!(report.format));
    if !report.frameworks.is_empty() {
        // The per-framework summaries, as in the findings document.
        p.insert("frameworks".to_string(), json!(report.frameworks));
    }
    PropertyBag::builder().additional_properties(p).build()
}

/// `root-mfa-enabled` → `RootMfaEnabled`.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut cs = p.chars();
            match cs.next() {
                Some(c) => c.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// The artifact path of a finding's location:
/// `aws/<account-id>/<service>/<resource>`, every segment made by
/// [`uri_segment`]: a relative path that stays below `aws/`.
pub fn location_path(f: &Finding, service: &str) -> String {
    let mut segments: Vec<&str> = vec!["aws", &f.account_id];
    match &f.resource_arn {
        Some(arn) => segments.extend(arn_resource_segments(arn)),
        None => {
            segments.extend([service, "account"]);
            if let Some(region) = &f.region {
                segments.push(region);
            }
        }
    }
    segments
        .iter()
        .map(|s| uri_segment(s))
        .collect::<Vec<_>>()
        .join("/")
}

/// `arn:aws:iam::123:user/alice` → `iam`, `user`, `alice`: the service, the
/// region if any, and the resource split at `:` and `/`. A value that is not
/// an ARN is split at `/`.
fn arn_resource_segments(arn: &str) -> Vec<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 {
        return arn.split('/').collect();
    }
    let mut out = vec![parts[2]];
    if !parts[3].is_empty() {
        out.push(parts[3]);
    }
    out.extend(parts[5].split([':', '/']));
    out
}

/// One segment of a relative URI path (RFC 3986): bytes other than ASCII
/// letters, digits and `-._~+=@,` percent-encoded; a segment containing
/// `..` has its dots encoded, and one made only of dots (or empty) gets a
/// leading `_`, so that no segment is, or decodes to, `.` or `..`: the
/// path cannot climb out of `aws/`.
pub fn uri_segment(s: &str) -> String {
    use std::fmt::Write;
    let dots_too = s.contains("..");
    let mut out = String::with_capacity(s.len() + 1);
    if s.bytes().all(|b| b == b'.') {
        out.push('_');
    }
    for b in s.bytes() {
        let keep =
            b.is_ascii_alphanumeric() || (b"-_~+=@,".contains(&b)) || (b == b'.' && !dots_too);
        if keep {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_segments_are_percent_encoded_and_never_dot_segments() {
        assert_eq!(uri_segment("jane.admin"), "jane.admin");
        assert_eq!(uri_segment("Monthly cost"), "Monthly%20cost");
        assert_eq!(uri_segment("a?b#c%d"), "a%3Fb%23c%25d");
        assert_eq!(uri_segment("é"), "%C3%A9");
        assert_eq!(uri_segment(".."), "_%2E%2E");
        assert_eq!(uri_segment("."), "_.");
        assert_eq!(uri_segment(""), "_");
        assert_eq!(uri_segment("a..b"), "a%2E%2Eb");
        assert_eq!(uri_segment("x/y\\z"), "x%2Fy%5Cz");
    }

    #[test]
    fn location_path_stays_below_aws() {
        let f = Finding {
            rule_id: "r".into(),
            title: "t".into(),
            severity: Severity::High,
            status: Status::Fail,
            account_id: "../../111".into(),
            account_name: "n".into(),
            region: None,
            resource_arn: Some("arn:aws:iam::111:user/../../../etc/passwd".into()),
            message: "m".into(),
            waiver: None,
            unevaluated: None,
        };
        let path = location_path(&f, "iam");
        assert_eq!(
            path,
            "aws/%2E%2E%2F%2E%2E%2F111/iam/user/_%2E%2E/_%2E%2E/_%2E%2E/etc/passwd"
        );
        assert!(!path.contains(".."), "{path}");
        let f = Finding {
            resource_arn: None,
            region: Some("eu-west-1".into()),
            account_id: "222222222222".into(),
            ..f
        };
        assert_eq!(
            location_path(&f, "config"),
            "aws/222222222222/config/account/eu-west-1"
        );
    }

    #[test]
    fn names() {
        assert_eq!(pascal_case("root-mfa-enabled"), "RootMfaEnabled");
        assert_eq!(
            super::super::arn_name("arn:aws:iam::123456789012:user/ops/alice"),
            "alice"
        );
        assert_eq!(
            super::super::arn_name("arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail"),
            "org-trail"
        );
        assert_eq!(fail_level(Severity::Medium), ResultLevel::Warning);
        assert_eq!(json!(fail_level(Severity::Info)), json!("note"));
    }
}
