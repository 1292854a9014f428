//! Waivers: accepted exceptions, declared in the config file, applied to a
//! report after evaluation.
//!
//! ```yaml
//! waivers:
//!   - rule: iam-user-console-mfa
//!     accounts: ["333333333333"]               # optional: these accounts only
//!     ou: Root/Workloads/Development           # optional: an OU path (and below) or an OU id
//!     regions: [eu-west-1]                     # optional: findings in these regions only
//!     resource: "arn:aws:iam::*:user/ci-*"     # optional: a glob over the resource ARN
//!     reason: CI user, console access removed in TICKET-123
//!     expires: 2026-06-30                      # last day the waiver applies
//! ```
//!
//! Every scope key given must match (they combine with AND); a waiver with no
//! scope key covers the rule everywhere. A scope key written empty
//! (`accounts: []`, `ou:`, `resource: ""`) is an error, not "everywhere". A matching **FAIL** finding becomes
//! **WAIVED** with the waiver's reason and expiry and no longer fails the
//! gate. **ERROR** findings are never waived: a rule that could not be
//! evaluated says nothing about compliance (fail closed).
//!
//! A waiver applies up to and including its `expires` day. After that it is
//! ignored and reported in the report's warnings, as is a waiver that
//! matched no failing finding (like ruff's RUF100 or cargo-deny's unmatched
//! ignores): stale exceptions surface instead of piling up.
//!
//! "Today" is the UTC date, or `ORGAUDIT_TODAY` (`YYYY-MM-DD`) when set, so
//! that a CI job or a test can pin it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diagnostic::{position_of as pos, Diagnostic};
use crate::findings::{AppliedWaiver, Finding, Report, Status};
use crate::rules::RuleSet;
use crate::snapshot::Snapshot;

/// The environment variable that pins "today" (`YYYY-MM-DD`).
pub const TODAY_ENV: &str = "ORGAUDIT_TODAY";

/// A waiver entry as written in the config file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WaiverEntry {
    rule: Option<Spanned<String>>,
    // A scope key that is written must say something: `accounts: []`,
    // `ou:` or `resource: ""` would otherwise waive the rule everywhere.
    // The inner `Option` is an explicit null (`ou:`, `ou: ~`).
    #[serde(default, deserialize_with = "written")]
    accounts: Option<Spanned<Option<Vec<Spanned<String>>>>>,
    #[serde(default, deserialize_with = "written")]
    ou: Option<Spanned<Option<String>>>,
    #[serde(default, deserialize_with = "written")]
    regions: Option<Spanned<Option<Vec<Spanned<String>>>>>,
    #[serde(default, deserialize_with = "written")]
    resource: Option<Spanned<Option<String>>>,
    #[serde(default)]
    reason: Option<Spanned<String>>,
    #[serde(default)]
    expires: Option<Spanned<String>>,
}

/// A key that is written, even as null: `Some` (serde's `Option` would make
/// an explicit null the same as a missing key).
fn written<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// A validated waiver.
#[derive(Debug, Clone)]
pub struct Waiver {
    pub rule: String,
    /// Account ids; empty: any account.
    pub accounts: Vec<String>,
    /// An OU path (`Root/Workloads`, covering the OUs below it) or an OU or
    /// root id (`ou-…`, `r-…`).
    pub ou: Option<String>,
    /// Regions; empty: any region (and findings without a region).
    pub regions: Vec<String>,
    /// A glob over the resource ARN (`*` also matches `/` and `:`).
    pub resource: Option<ResourceGlob>,
    pub reason: String,
    /// The last day on which the waiver applies.
    pub expires: NaiveDate,
    /// Where the waiver is written: `file:line:column`.
    pub origin: String,
}

/// A compiled resource glob with its source text.
#[derive(Debug, Clone)]
pub struct ResourceGlob {
    pub pattern: String,
    matcher: GlobMatcher,
}

impl ResourceGlob {
    pub fn new(pattern: &str) -> Result<ResourceGlob, String> {
        let glob = GlobBuilder::new(pattern)
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .map_err(|e| format!("invalid resource glob `{pattern}`: {}", e.kind()))?;
        Ok(ResourceGlob {
            pattern: pattern.to_string(),
            matcher: glob.compile_matcher(),
        })
    }
    pub fn is_match(&self, arn: &str) -> bool {
        self.matcher.is_match(arn)
    }
}

/// Validates the `waivers:` entries of a config file; every problem is an
/// error with its position.
pub(crate) fn validate(
    file: &str,
    text: &str,
    entries: Vec<Spanned<WaiverEntry>>,
    rules: &RuleSet,
) -> (Vec<Waiver>, Vec<Diagnostic>) {
    let mut waivers = Vec::new();
    let mut errors = Vec::new();
    for entry in entries {
        waivers.extend(validate_entry(file, text, entry, rules, &mut errors));
    }
    (waivers, errors)
}

/// One `waivers:` entry: the waiver, or `None` with its problems added to
/// `errors`.
fn validate_entry(
    file: &str,
    text: &str,
    entry: Spanned<WaiverEntry>,
    rules: &RuleSet,
    errors: &mut Vec<Diagnostic>,
) -> Option<Waiver> {
    let (line, column) = pos(&entry);
    let e = entry.value;
    let before = errors.len();
    let mut err = |at: (usize, usize), msg: String| {
        errors.push(Diagnostic::new(file, text, at.0, at.1, msg));
    };
    let rule = match &e.rule {
        None => {
            err(
                (line, column),
                "waiver without `rule`: name the rule id it waives".into(),
            );
            String::new()
        }
        Some(r) => {
            if rules.get(&r.value).is_none() {
                err(
                    pos(r),
                    format!(
                        "waiver for unknown rule `{}` (see `orgaudit rules list`)",
                        r.value
                    ),
                );
            }
            r.value.clone()
        }
    };
    let accounts = list_scope(&e.accounts, "accounts", &rule, &mut err);
    let regions = list_scope(&e.regions, "regions", &rule, &mut err);
    let ou = string_scope(&e.ou, "ou", &rule, &mut err);
    let resource_glob = string_scope(&e.resource, "resource", &rule, &mut err);
    check_scope_values(&accounts, ou.as_ref(), &regions, &mut err);
    let resource = match &resource_glob {
        None => None,
        Some(g) => match ResourceGlob::new(&g.value) {
            Ok(glob) => Some(glob),
            Err(msg) => {
                err(pos(g), msg);
                None
            }
        },
    };
    let reason = match &e.reason {
        Some(r) if !r.value.trim().is_empty() => r.value.trim().to_string(),
        Some(r) => {
            err(pos(r), format!("waiver for `{rule}` has an empty `reason`"));
            String::new()
        }
        None => {
            err(
                (line, column),
                format!("waiver for `{rule}` has no `reason`: say why the finding is accepted"),
            );
            String::new()
        }
    };
    let expires = match &e.expires {
        Some(d) => match parse_date(&d.value) {
            Ok(date) => Some(date),
            Err(msg) => {
                err(pos(d), format!("`expires`: {msg}"));
                None
            }
        },
        None => {
            err(
                (line, column),
                format!(
                    "waiver for `{rule}` has no `expires` date (YYYY-MM-DD): every waiver must expire"
                ),
            );
            None
        }
    };
    if errors.len() != before {
        return None;
    }
    Some(Waiver {
        rule,
        accounts: accounts.into_iter().map(|a| a.value.clone()).collect(),
        ou: ou.map(|o| o.value),
        regions: regions.into_iter().map(|r| r.value.clone()).collect(),
        resource,
        reason,
        expires: expires.expect("checked above"),
        origin: format!("{file}:{line}:{column}"),
    })
}

/// Each scope value is what it claims: account ids of 12 digits, an OU
/// path or id, region names.
fn check_scope_values(
    accounts: &[&Spanned<String>],
    ou: Option<&Spanned<String>>,
    regions: &[&Spanned<String>],
    err: &mut impl FnMut((usize, usize), String),
) {
    for a in accounts {
        if a.value.len() != 12 || !a.value.bytes().all(|b| b.is_ascii_digit()) {
            err(
                pos(a),
                format!(
                    "`{}` is not an AWS account id (12 digits; quote it in YAML)",
                    a.value
                ),
            );
        }
    }
    if let Some(ou) = ou {
        if ou.value.ends_with('/') {
            err(
                pos(ou),
                format!(
                    "`{}` is not an OU path (`Root/Workloads`) or id (`ou-…`)",
                    ou.value
                ),
            );
        }
    }
    for r in regions {
        if !is_region_name(&r.value) {
            err(
                pos(r),
                format!("`{}` is not an AWS region name (e.g. eu-west-1)", r.value),
            );
        }
    }
}

/// The entries of a list scope key (`accounts`, `regions`); a key written
/// with an empty list or null is an error at its position.
fn list_scope<'a>(
    key: &'a Option<Spanned<Option<Vec<Spanned<String>>>>>,
    name: &str,
    rule: &str,
    err: &mut impl FnMut((usize, usize), String),
) -> Vec<&'a Spanned<String>> {
    match key {
        None => Vec::new(),
        Some(list) => match &list.value {
            Some(items) if !items.is_empty() => items.iter().collect(),
            _ => {
                err(pos(list), empty_scope(name, rule));
                Vec::new()
            }
        },
    }
}

/// The value of a string scope key (`ou`, `resource`); a key written with
/// an empty (or blank) string or null is an error at its position.
fn string_scope(
    key: &Option<Spanned<Option<String>>>,
    name: &str,
    rule: &str,
    err: &mut impl FnMut((usize, usize), String),
) -> Option<Spanned<String>> {
    let key = key.as_ref()?;
    match &key.value {
        Some(v) if !v.trim().is_empty() => {
            Some(Spanned::new(v.clone(), key.referenced, key.defined))
        }
        _ => {
            err(pos(key), empty_scope(name, rule));
            None
        }
    }
}

fn empty_scope(name: &str, rule: &str) -> String {
    format!(
        "waiver for `{rule}`: `{name}` is empty; an empty scope would waive the rule \
         everywhere: list what it covers, or remove the key to waive it everywhere"
    )
}

/// `YYYY-MM-DD`, strictly.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let ok_shape = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !ok_shape {
        return Err(format!("`{s}` is not a date in the form YYYY-MM-DD"));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("`{s}` is not a valid date: {e}"))
}

fn is_region_name(s: &str) -> bool {
    // e.g. us-east-1, eu-central-2, us-gov-west-1, ap-southeast-3
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// Today's date: `ORGAUDIT_TODAY` when set, else the UTC date.
pub fn today() -> Result<NaiveDate, String> {
    match std::env::var(TODAY_ENV) {
        Ok(v) if !v.is_empty() => parse_date(&v).map_err(|e| format!("{TODAY_ENV}: {e}")),
        _ => Ok(chrono::Utc::now().date_naive()),
    }
}

/// Replaces OU and root ids in waivers' `ou` by their paths, from the
/// snapshot's organization. Unknown ids stay as they are (and match nothing).
pub fn resolve_ou_ids(waivers: &[Waiver], snapshot: &Snapshot) -> Vec<Waiver> {
    let mut paths: BTreeMap<&str, &str> = BTreeMap::new();
    if let Some(org) = snapshot.organization.data() {
        for r in &org.roots {
            paths.insert(r.id.as_str(), r.name.as_str());
        }
        for ou in &org.organizational_units {
            paths.insert(ou.id.as_str(), ou.path.as_str());
        }
    }
    waivers
        .iter()
        .map(|w| {
            let mut w = w.clone();
            if let Some(path) = w.ou.as_deref().and_then(|ou| paths.get(ou)) {
                w.ou = Some(path.to_string());
            }
            w
        })
        .collect()
}

fn is_ou_id(s: &str) -> bool {
    s.starts_with("ou-") || s.starts_with("r-")
}

/// Does `w` cover `f` (status aside)?
fn covers(w: &Waiver, f: &Finding, ou_paths: &BTreeMap<&str, &str>) -> bool {
    if w.rule != f.rule_id {
        return false;
    }
    if !w.accounts.is_empty() && !w.accounts.contains(&f.account_id) {
        return false;
    }
    if let Some(ou) = &w.ou {
        let Some(path) = ou_paths.get(f.account_id.as_str()) else {
            return false;
        };
        let under = path == ou
            || (path.len() > ou.len()
                && path.starts_with(ou.as_str())
                && path.as_bytes()[ou.len()] == b'/');
        if !under {
            return false;
        }
    }
    if !w.regions.is_empty() {
        match &f.region {
            Some(r) if w.regions.contains(r) => {}
            _ => return false,
        }
    }
    if let Some(glob) = &w.resource {
        match &f.resource_arn {
            Some(arn) if glob.is_match(arn) => {}
            _ => return false,
        }
    }
    true
}

/// Applies `waivers` to `report` as of `today`: matching FAIL findings become
/// WAIVED (the first matching waiver, in file order, is recorded); expired
/// and unused waivers are added to `report.warnings`; the summary is
/// recomputed.
pub fn apply(report: &mut Report, waivers: &[Waiver], today: NaiveDate) {
    let ou_paths: BTreeMap<&str, &str> = report
        .accounts
        .iter()
        .map(|a| (a.id.as_str(), a.ou_path.as_str()))
        .collect();
    // Per waiver: FAIL findings covered, ERROR findings covered.
    let mut hits = vec![(0usize, 0usize); waivers.len()];
    let mut changes: Vec<(usize, usize)> = Vec::new();
    for (fi, f) in report.findings.iter().enumerate() {
        if !matches!(f.status, Status::Fail | Status::Error) {
            continue;
        }
        let mut applied = false;
        for (wi, w) in waivers.iter().enumerate() {
            if !covers(w, f, &ou_paths) {
                continue;
            }
            if f.status == Status::Error {
                hits[wi].1 += 1;
                continue;
            }
            hits[wi].0 += 1;
            if !applied && w.expires >= today {
                changes.push((fi, wi));
                applied = true;
            }
        }
    }
    for (fi, wi) in changes {
        let f = &mut report.findings[fi];
        let w = &waivers[wi];
        f.status = Status::Waived;
        f.waiver = Some(AppliedWaiver {
            reason: w.reason.clone(),
            expires: w.expires.format("%Y-%m-%d").to_string(),
        });
    }
    for (w, (fails, errors)) in waivers.iter().zip(hits) {
        let what = format!("waiver for `{}` at {}", w.rule, w.origin);
        if w.expires < today {
            let tail = if fails > 0 {
                format!(
                    ": {} failing again",
                    crate::report::plural(fails, "finding", "findings")
                )
            } else {
                String::new()
            };
            report.warnings.push(format!(
                "{what} expired on {} and no longer applies{tail}; renew it with a new date or remove it",
                w.expires.format("%Y-%m-%d")
            ));
        } else if fails == 0 {
            let mut msg = format!("{what} matched no failing finding; remove it or fix its scope");
            if errors > 0 {
                msg.push_str(&format!(
                    " (it covers {} that could not be evaluated: ERROR findings are never waived)",
                    crate::report::plural(errors, "finding", "findings")
                ));
            }
            if let Some(ou) = w.ou.as_deref().filter(|ou| is_ou_id(ou)) {
                msg.push_str(&format!(" (OU id `{ou}` is not in the snapshot)"));
            }
            report.warnings.push(msg);
        }
    }
    report.recount();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Summary;
    use crate::findings::{AccountRef, ReportSource, Severity, ToolInfo, REPORT_FORMAT};

    fn finding(
        rule: &str,
        account: &str,
        status: Status,
        region: Option<&str>,
        arn: Option<&str>,
    ) -> Finding {
        Finding {
            rule_id: rule.into(),
            title: rule.into(),
            severity: Severity::High,
            status,
            account_id: account.into(),
            account_name: format!("acct-{account}"),
            region: region.map(Into::into),
            resource_arn: arn.map(Into::into),
            message: "m".into(),
            waiver: None,
            unevaluated: None,
        }
    }

    fn report(findings: Vec<Finding>) -> Report {
        let accounts = [
            ("111111111111", "Root"),
            ("222222222222", "Root/Workloads/Dev"),
            ("333333333333", "Root/Workloads-Old"),
        ]
        .iter()
        .map(|(id, ou)| AccountRef {
            id: id.to_string(),
            name: format!("acct-{id}"),
            ou_path: ou.to_string(),
            is_management: *id == "111111111111",
            unreachable: None,
            status: None,
        })
        .collect();
        Report {
            format: REPORT_FORMAT.into(),
            tool: ToolInfo::current(),
            source: ReportSource::default(),
            accounts,
            rules: vec![],
            summary: Summary::of(&findings),
            findings,
            frameworks: vec![],
            warnings: vec![],
        }
    }

    fn waiver(rule: &str) -> Waiver {
        Waiver {
            rule: rule.into(),
            accounts: vec![],
            ou: None,
            regions: vec![],
            resource: None,
            reason: "accepted".into(),
            expires: NaiveDate::from_ymd_opt(2030, 1, 31).unwrap(),
            origin: "c.yaml:2:5".into(),
        }
    }

    fn day(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn fail_becomes_waived_with_reason_and_summary_is_recomputed() {
        let mut r = report(vec![
            finding("a", "111111111111", Status::Fail, None, None),
            finding("b", "111111111111", Status::Fail, None, None),
        ]);
        apply(&mut r, &[waiver("a")], day("2030-01-31"));
        assert_eq!(r.findings[0].status, Status::Waived);
        assert_eq!(
            r.findings[0].waiver,
            Some(AppliedWaiver {
                reason: "accepted".into(),
                expires: "2030-01-31".into()
            })
        );
        assert_eq!(r.findings[1].status, Status::Fail);
        assert_eq!(r.summary.count(Status::Waived), 1);
        assert_eq!(r.summary.count(Status::Fail), 1);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn expired_waiver_does_not_apply_and_warns() {
        let mut r = report(vec![finding("a", "111111111111", Status::Fail, None, None)]);
        apply(&mut r, &[waiver("a")], day("2030-02-01"));
        assert_eq!(r.findings[0].status, Status::Fail);
        assert_eq!(r.warnings.len(), 1);
        assert!(
            r.warnings[0].contains("expired on 2030-01-31"),
            "{}",
            r.warnings[0]
        );
        assert!(r.warnings[0].contains("c.yaml:2:5"));
        assert!(r.warnings[0].contains("1 finding failing again"));
    }

    #[test]
    fn unused_waiver_warns_and_error_is_never_waived() {
        let mut r = report(vec![
            finding("a", "111111111111", Status::Error, None, None),
            finding("b", "111111111111", Status::Pass, None, None),
        ]);
        apply(&mut r, &[waiver("a"), waiver("b")], day("2029-01-01"));
        assert_eq!(r.findings[0].status, Status::Error);
        assert_eq!(r.findings[1].status, Status::Pass);
        assert_eq!(r.warnings.len(), 2);
        assert!(r.warnings[0].contains("ERROR findings are never waived"));
        assert!(r.warnings[1].contains("matched no failing finding"));
    }

    #[test]
    fn scopes_combine() {
        let arn = "arn:aws:iam::222222222222:user/ci-deploy";
        let f = finding(
            "a",
            "222222222222",
            Status::Fail,
            Some("eu-west-1"),
            Some(arn),
        );
        let paths: BTreeMap<&str, &str> = [
            ("222222222222", "Root/Workloads/Dev"),
            ("333333333333", "Root/Workloads-Old"),
        ]
        .into();
        let mut w = waiver("a");
        assert!(covers(&w, &f, &paths));
        w.accounts = vec!["111111111111".into()];
        assert!(!covers(&w, &f, &paths));
        w.accounts = vec!["222222222222".into()];
        w.ou = Some("Root/Workloads".into());
        assert!(covers(&w, &f, &paths));
        let other = finding("a", "333333333333", Status::Fail, None, None);
        assert!(
            !covers(&w, &other, &paths),
            "Workloads must not match Workloads-Old"
        );
        w.regions = vec!["us-east-1".into()];
        assert!(!covers(&w, &f, &paths));
        w.regions = vec!["eu-west-1".into()];
        w.resource = Some(ResourceGlob::new("arn:aws:iam::*:user/ci-*").unwrap());
        assert!(covers(&w, &f, &paths));
        w.resource = Some(ResourceGlob::new("arn:aws:iam::*:role/*").unwrap());
        assert!(!covers(&w, &f, &paths));
        w.rule = "b".into();
        w.resource = None;
        assert!(!covers(&w, &f, &paths));
    }

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2026-06-30").is_ok());
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("2026-6-30").is_err());
        assert!(parse_date("30/06/2026").is_err());
        assert!(parse_date("2026-06-30T00:00:00Z").is_err());
    }

    #[test]
    fn region_names() {
        assert!(is_region_name("eu-west-1"));
        assert!(is_region_name("us-gov-west-1"));
        assert!(!is_region_name("eu-west"));
        assert!(!is_region_name("EU-WEST-1"));
        assert!(!is_region_name("*"));
    }
}
