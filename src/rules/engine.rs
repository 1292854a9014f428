//! Evaluation: every rule against every account of a snapshot, in parallel
//! (rayon), deterministic in its output.
//!
//! Each account's facts are converted to CEL values once. A rule whose
//! `for_each` collection reads an unavailable section is ERROR with the reason,
//! checked before anything runs. A section that only the `where` or the
//! condition reads is removed from the view before they run: any read of it
//! fails, so the finding is ERROR with the section's reason, unless the
//! decision did not depend on it (`a || b` where `b` is true — CEL's logical
//! operators absorb errors). `has()` of an unavailable section is false, so
//! `!has(section)` is refused when rules load.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use std::collections::HashMap;

use cel::common::types::{CelMap, CelMapKey, CelNull};
use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;
use cel::ExecutionError;
use rayon::prelude::*;

use super::expr::{Expr, FieldPath};
use super::unavailable::{find_unavailable, is_unavailable, without_unavailable, Found};
use super::value::{self, Facts};
use super::view::{self, SnapshotView};
use super::{Automated, ForEach, Logic, Rule, RuleSet, TemplatePart};
use crate::findings::{
    AccountRef, Finding, Report, ReportSource, RulePart, Scope, Status, Summary, ToolInfo,
    Unevaluated, REPORT_FORMAT,
};
use crate::snapshot::Snapshot;

/// Parameter values from the config file, by name (apply to every rule that
/// declares the parameter).
pub type ParamValues = BTreeMap<String, serde_json::Value>;

/// A rule made ready for one evaluation: its effective parameters as a CEL
/// value and the field paths it reads, split by root.
struct Prepared<'r> {
    rule: &'r Rule,
    automated: Option<&'r Automated>,
    params: Box<dyn Val>,
    /// Paths rooted at account/org/mgmt/scan that must be available.
    global_deps: Vec<FieldPath>,
    /// Paths rooted at the element variable.
    element_deps: Vec<FieldPath>,
    /// Whether the rule reads `account.access` (reachability itself).
    reads_access: bool,
}

fn maximal(paths: Vec<FieldPath>) -> Vec<FieldPath> {
    let mut out: Vec<FieldPath> = Vec::new();
    for p in paths {
        if p.root == "params" {
            continue;
        }
        let is_prefix_of_other = |q: &FieldPath| {
            q.root == p.root
                && q.segments.len() > p.segments.len()
                && q.segments.starts_with(&p.segments)
        };
        if out
            .iter()
            .any(|q| q.root == p.root && q.segments == p.segments)
        {
            continue;
        }
        out.retain(|q| {
            !(q.root == p.root
                && p.segments.len() > q.segments.len()
                && p.segments.starts_with(&q.segments))
        });
        if !out.iter().any(is_prefix_of_other) {
            out.push(p);
        }
    }
    out
}

impl<'r> Prepared<'r> {
    fn new(rule: &'r Rule, overrides: &ParamValues) -> Prepared<'r> {
        let mut params = serde_json::Map::new();
        for (name, default) in &rule.params {
            params.insert(name.clone(), overrides.get(name).unwrap_or(default).clone());
        }
        let params = value::to_val(serde_json::Value::Object(params));
        let (automated, global_deps, element_deps) = match &rule.logic {
            Logic::Manual { .. } => (None, Vec::new(), Vec::new()),
            Logic::Automated(a) => {
                let mut all: Vec<FieldPath> = Vec::new();
                if let Some(fe) = &a.for_each {
                    all.extend(fe.collection.paths().iter().cloned());
                }
                if let Some(w) = &a.filter {
                    all.extend(w.paths().iter().cloned());
                }
                all.extend(a.condition.paths().iter().cloned());
                for (_, v) in &a.variables {
                    all.extend(v.paths().iter().cloned());
                }
                let var = a.for_each.as_ref().map(|f| f.var.as_str());
                let (elem, global): (Vec<_>, Vec<_>) =
                    all.into_iter().partition(|p| Some(p.root.as_str()) == var);
                (Some(&**a), maximal(global), maximal(elem))
            }
        };
        // `account.reach` is derived from `account.access` alone.
        let reads_access = global_deps.iter().any(|d| {
            d.root == "account"
                && matches!(
                    d.segments.first().map(String::as_str),
                    Some("access" | "reach")
                )
        });
        Prepared {
            rule,
            automated,
            params,
            global_deps,
            element_deps,
            reads_access,
        }
    }
}

/// The variables of one evaluation.
#[derive(Clone, Copy)]
struct Vars<'a> {
    account: Option<&'a dyn Val>,
    org: &'a dyn Val,
    mgmt: &'a dyn Val,
    scan: &'a dyn Val,
    params: &'a dyn Val,
    element: Option<(&'a str, &'a dyn Val)>,
    /// The rule's named expressions, evaluated in this scope.
    variables: Option<&'a dyn Val>,
}

impl VariableResolver for Vars<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        let v: &dyn Val = match variable {
            "account" => self.account?,
            "org" => self.org,
            "mgmt" => self.mgmt,
            "scan" => self.scan,
            "params" => self.params,
            super::expr::VARIABLES => self.variables?,
            name => match self.element {
                Some((var, value)) if var == name => value,
                _ => return None,
            },
        };
        Some(CowVal::Borrowed(v))
    }
}

/// Days from an RFC 3339 timestamp to the snapshot's collection time.
fn days_between(
    ts: &str,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<i64, ExecutionError> {
    let t = chrono::DateTime::parse_from_rfc3339(ts).map_err(|e| {
        ExecutionError::function_error("days_since", format!("`{ts}` is not an RFC 3339 time: {e}"))
    })?;
    Ok((now - t).num_days())
}

/// A variable's facts (an account, `org`, `mgmt`, `scan`), and the same
/// without their unavailable sections
/// (made on first use, then shared by every rule that needs it).
struct Variable {
    full: Facts,
    stripped: OnceLock<Facts>,
}

impl Variable {
    fn new(full: Facts) -> Variable {
        Variable {
            full,
            stripped: OnceLock::new(),
        }
    }

    fn full(&self) -> &dyn Val {
        &*self.full
    }

    fn stripped(&self) -> &dyn Val {
        &**self
            .stripped
            .get_or_init(|| without_unavailable(&*self.full))
    }

    /// The facts a condition sees: without unavailable sections if it reads one.
    fn view(&self, strip: bool) -> &dyn Val {
        if strip {
            self.stripped()
        } else {
            self.full()
        }
    }
}

struct Evaluator {
    org: Variable,
    mgmt: Variable,
    scan: Variable,
    /// The functions every evaluation sees (`days_since`); each evaluation
    /// runs in a child scope of it that resolves the variables.
    root: cel::Context<'static, 'static>,
    org_finding_account: (String, String),
    /// The snapshot lacks the management account of a known organization:
    /// a rule that reads `mgmt` may still decide without it (`a || b`).
    partial: bool,
}

impl Evaluator {
    fn scope<'a>(&'a self, vars: &'a Vars<'a>) -> cel::Context<'a, 'a> {
        let mut ctx = self.root.new_inner_scope();
        ctx.set_variable_resolver(vars);
        ctx
    }

    /// Evaluates one rule in one scope (an account, or the organization).
    fn run(
        &self,
        p: &Prepared,
        account: Option<&Variable>,
        out: &mut Vec<Finding>,
        id: &(String, String),
    ) {
        let Some(a) = p.automated else {
            if let Logic::Manual { check } = &p.rule.logic {
                let emit = Emit::new(p.rule, Status::Error, id);
                out.push(emit.finding(Status::Manual, check.clone(), None, None));
            }
            return;
        };
        let emit = Emit::new(p.rule, a.on_unavailable, id);
        // An account that could not be reached has no facts at all: nothing
        // about it passes or fails, whatever a rule's condition would make of
        // empty lists. Only a rule about reachability itself (one that reads
        // `account.access` or `account.reach`) is evaluated there.
        if let Some(facts) = account.filter(|_| !p.reads_access) {
            if let Some(found) = find_unavailable(facts.full(), &["access"]) {
                out.push(emit.unavailable(Unevaluated::Unreached(found.missing()), None, None));
                return;
            }
        }
        let inputs = match self.inputs(p, a, account) {
            Ok(inputs) => inputs,
            Err(why) => {
                out.push(emit.unavailable(why, None, None));
                return;
            }
        };
        let vars = Vars {
            account: account.map(|f| f.view(inputs.strip[0])),
            org: self.org.view(inputs.strip[1]),
            mgmt: self.mgmt.view(inputs.strip[2]),
            scan: self.scan.view(inputs.strip[3]),
            params: &*p.params,
            element: None,
            variables: None,
        };
        let missing = inputs.missing.as_ref();
        match &a.for_each {
            None => {
                let named = self.variables(a, &vars);
                let vars = Vars {
                    variables: named.as_deref(),
                    ..vars
                };
                let ctx = self.scope(&vars);
                out.push(emit.verdict(self.decide(a, &ctx, missing), None, None));
            }
            Some(fe) => self.run_each(p, a, fe, account, &vars, missing, &emit, out),
        }
    }

    /// The variable a path is rooted at, and its slot in [`Inputs::strip`].
    fn root<'a>(
        &'a self,
        name: &str,
        account: Option<&'a Variable>,
    ) -> Option<(usize, &'a Variable)> {
        match name {
            "account" => account.map(|f| (0, f)),
            "org" => Some((1, &self.org)),
            "mgmt" => Some((2, &self.mgmt)),
            "scan" => Some((3, &self.scan)),
            _ => None,
        }
    }

    /// Checks a rule's inputs. A section the for_each collection reads must
    /// be available (else `Err`, why not); a section only the
    /// `where`/condition reads may be unavailable when the decision does not
    /// depend on it (`a || b` with `b` true): such sections are removed from
    /// the view, so that any read of them fails at run time and the finding
    /// is ERROR (or FAIL, for `on_unavailable: fail`), never PASS.
    fn inputs(
        &self,
        p: &Prepared,
        a: &Automated,
        account: Option<&Variable>,
    ) -> Result<Inputs, Unevaluated> {
        if let Some(fe) = &a.for_each {
            for c in fe.collection.paths() {
                if let Some((_, root)) = self.root(&c.root, account) {
                    if let Some(found) = find_unavailable(root.full(), &c.segments) {
                        return Err(unavailable_at(&c.root, &c.segments, found));
                    }
                }
            }
        }
        let mut inputs = Inputs {
            strip: [false; 4],
            missing: None,
        };
        for dep in &p.global_deps {
            let Some((slot, root)) = self.root(&dep.root, account) else {
                continue;
            };
            if let Some(found) = find_unavailable(root.full(), &dep.segments) {
                let why = unavailable_at(&dep.root, &dep.segments, found);
                if is_unavailable(root.full()) && !self.partial {
                    // The whole variable is missing (no management account).
                    return Err(why);
                }
                inputs.missing.get_or_insert(why);
                inputs.strip[slot] = true;
            }
        }
        Ok(inputs)
    }

    /// Evaluates a rule with a `for_each` on each element of its collection.
    #[allow(clippy::too_many_arguments)]
    fn run_each(
        &self,
        p: &Prepared,
        a: &Automated,
        fe: &ForEach,
        account: Option<&Variable>,
        vars: &Vars,
        missing: Option<&Unevaluated>,
        emit: &Emit,
        out: &mut Vec<Finding>,
    ) {
        // The collection reads only available sections (checked before);
        // its elements keep their unavailable markers for the per-element
        // check.
        let original = Vars {
            account: account.map(Variable::full),
            org: self.org.full(),
            mgmt: self.mgmt.full(),
            scan: self.scan.full(),
            params: &*p.params,
            element: None,
            variables: None,
        };
        let collection_ctx = self.scope(&original);
        let collection = match fe.collection.run_val(&collection_ctx) {
            Ok(v) => v,
            Err(e) => {
                out.push(emit.not_evaluated(Unevaluated::Expression(e), None, None));
                return;
            }
        };
        let items: &[Box<dyn Val>] = match <&[Box<dyn Val>]>::try_from(collection.as_ref()) {
            Ok(items) => items,
            Err(_) if collection.as_ref().downcast_ref::<CelNull>().is_some() => &[],
            Err(_) => {
                let why = Unevaluated::NotAList {
                    collection: fe.collection.source().to_string(),
                    got: collection.as_ref().get_type().name().to_string(),
                };
                out.push(emit.not_evaluated(why, None, None));
                return;
            }
        };
        let before = out.len();
        for item in items {
            out.extend(self.judge_item(p, a, fe, &**item, vars, missing, emit));
        }
        if out.len() == before {
            let title = &p.rule.info.title;
            out.push(emit.finding(
                Status::Pass,
                format!("{title} (nothing to check)"),
                None,
                None,
            ));
        }
    }

    /// The finding on one element of a `for_each` collection; `None` when
    /// the `where` filter leaves it out.
    #[allow(clippy::too_many_arguments)]
    fn judge_item(
        &self,
        p: &Prepared,
        a: &Automated,
        fe: &ForEach,
        item: &dyn Val,
        vars: &Vars,
        missing: Option<&Unevaluated>,
        emit: &Emit,
    ) -> Option<Finding> {
        let region = value::string_field(item, "region");
        let arn = value::string_field(item, "arn");
        if let Some((d, found)) = p
            .element_deps
            .iter()
            .find_map(|d| find_unavailable(item, &d.segments).map(|found| (d, found)))
        {
            let why = unavailable_at(&fe.var, &d.segments, found);
            return Some(emit.unavailable(why, region, arn));
        }
        let item_vars = Vars {
            element: Some((fe.var.as_str(), item)),
            ..*vars
        };
        let named = self.variables(a, &item_vars);
        let item_vars = Vars {
            variables: named.as_deref(),
            ..item_vars
        };
        let ctx = self.scope(&item_vars);
        if let Some(filter) = &a.filter {
            match filter.run(&ctx) {
                Ok(cel::Value::Bool(true)) => {}
                Ok(cel::Value::Bool(false)) => return None,
                Ok(other) => {
                    let why = Unevaluated::NotBoolean {
                        part: RulePart::Where,
                        got: other.type_of().to_string(),
                    };
                    return Some(emit.not_evaluated(why, region, arn));
                }
                Err(e) => {
                    return Some(match missing {
                        Some(why) => emit.unavailable(why.clone(), region, arn),
                        None => emit.not_evaluated(Unevaluated::Expression(e), region, arn),
                    });
                }
            }
        }
        Some(emit.verdict(self.decide(a, &ctx, missing), region, arn))
    }

    /// Evaluates a rule's named expressions in one scope, in order (each sees
    /// the ones before it). One that fails is left out, so that reading it
    /// fails too, where it is read (and the finding is ERROR).
    fn variables(&self, a: &Automated, vars: &Vars) -> Option<Box<dyn Val>> {
        if a.variables.is_empty() {
            return None;
        }
        let mut done: Vec<(&str, Box<dyn Val>)> = Vec::new();
        for (name, expr) in &a.variables {
            let so_far: Box<dyn Val> = Box::new(CelMap::from(
                done.iter()
                    .map(|(n, v)| (CelMapKey::from(n.to_string()), v.clone_as_boxed()))
                    .collect::<HashMap<_, _>>(),
            ));
            let scoped = Vars {
                variables: Some(&*so_far),
                ..*vars
            };
            let ctx = self.scope(&scoped);
            if let Ok(Ok(v)) = expr.run(&ctx).map(Box::<dyn Val>::try_from) {
                done.push((name, v));
            }
        }
        Some(Box::new(CelMap::from(
            done.into_iter()
                .map(|(n, v)| (CelMapKey::from(n.to_string()), v))
                .collect::<HashMap<_, _>>(),
        )))
    }

    /// Runs the condition. `missing`: why a section the condition may read is
    /// unavailable (it was removed from the view), to explain a failed run.
    fn decide(&self, a: &Automated, ctx: &cel::Context, missing: Option<&Unevaluated>) -> Verdict {
        match a.condition.run(ctx) {
            Ok(cel::Value::Bool(true)) => {
                Verdict::Pass(a.pass_message.as_ref().map(|m| render(&m.parts, ctx)))
            }
            Ok(cel::Value::Bool(false)) => Verdict::Fail(render(&a.message.parts, ctx)),
            Ok(other) => Verdict::NotEvaluated(Unevaluated::NotBoolean {
                part: RulePart::Condition,
                got: other.type_of().to_string(),
            }),
            // The condition needed an unavailable section.
            Err(_) if missing.is_some() => Verdict::Unavailable(missing.cloned().expect("checked")),
            Err(e) => Verdict::NotEvaluated(Unevaluated::Expression(e)),
        }
    }
}

/// What a rule's inputs leave of the views ([`Evaluator::inputs`]).
struct Inputs {
    /// Which variables (account, org, mgmt, scan) are seen without their
    /// unavailable sections.
    strip: [bool; 4],
    /// Why the first section that was removed is unavailable.
    missing: Option<Unevaluated>,
}

/// The path up to an unavailable section found on `segments` from `root`,
/// with why it is unavailable.
fn unavailable_at(root: &str, segments: &[String], found: Found<'_>) -> Unevaluated {
    let mut section = root.to_string();
    for segment in &segments[..found.depth.min(segments.len())] {
        if segment != "[]" {
            section.push('.');
        }
        section.push_str(segment);
    }
    Unevaluated::Unavailable {
        section,
        missing: found.missing(),
    }
}

/// The outcome of a rule's condition.
enum Verdict {
    /// Passed; the rule's pass message, if it has one.
    Pass(Option<String>),
    Fail(String),
    /// Not evaluated: ERROR.
    NotEvaluated(Unevaluated),
    /// Not evaluated for want of facts: ERROR, or the rule's `on_unavailable`.
    Unavailable(Unevaluated),
}

/// Makes the findings of one rule in one scope.
struct Emit<'a> {
    rule: &'a Rule,
    /// The status of a finding whose facts are unavailable.
    on_unavailable: Status,
    id: &'a (String, String),
}

impl<'a> Emit<'a> {
    fn new(rule: &'a Rule, on_unavailable: Status, id: &'a (String, String)) -> Emit<'a> {
        Emit {
            rule,
            on_unavailable,
            id,
        }
    }

    fn finding(
        &self,
        status: Status,
        message: String,
        region: Option<String>,
        arn: Option<String>,
    ) -> Finding {
        Finding {
            rule_id: self.rule.info.id.clone(),
            title: self.rule.info.title.clone(),
            severity: self.rule.info.severity,
            status,
            account_id: self.id.0.clone(),
            account_name: self.id.1.clone(),
            region,
            resource_arn: arn,
            message,
            waiver: None,
            unevaluated: None,
        }
    }

    /// ERROR: the rule could not be evaluated.
    fn not_evaluated(
        &self,
        why: Unevaluated,
        region: Option<String>,
        arn: Option<String>,
    ) -> Finding {
        self.unjudged(Status::Error, why, region, arn)
    }

    /// Facts the rule reads are unavailable: ERROR, or FAIL where the rule
    /// says so (its message is then why).
    fn unavailable(
        &self,
        why: Unevaluated,
        region: Option<String>,
        arn: Option<String>,
    ) -> Finding {
        self.unjudged(self.on_unavailable, why, region, arn)
    }

    /// A finding of `status` that carries why its rule was not judged,
    /// worded from it.
    fn unjudged(
        &self,
        status: Status,
        why: Unevaluated,
        region: Option<String>,
        arn: Option<String>,
    ) -> Finding {
        Finding {
            unevaluated: Some(why),
            ..self.finding(status, String::new(), region, arn)
        }
        .worded()
    }

    fn verdict(&self, verdict: Verdict, region: Option<String>, arn: Option<String>) -> Finding {
        match verdict {
            Verdict::Pass(message) => self.finding(
                Status::Pass,
                message.unwrap_or_else(|| self.rule.info.title.clone()),
                region,
                arn,
            ),
            Verdict::Fail(message) => self.finding(Status::Fail, message, region, arn),
            Verdict::NotEvaluated(why) => self.not_evaluated(why, region, arn),
            Verdict::Unavailable(why) => self.unavailable(why, region, arn),
        }
    }
}

/// Renders a message template; a part that fails renders as `?`.
fn render(parts: &[TemplatePart], ctx: &cel::Context) -> String {
    let mut s = String::new();
    for part in parts {
        match part {
            TemplatePart::Text(t) => s.push_str(t),
            TemplatePart::Expr(e) => s.push_str(&display_value(e, ctx)),
        }
    }
    s
}

fn display_value(e: &Expr, ctx: &cel::Context) -> String {
    match e.run(ctx) {
        Ok(v) => plain_value(&v),
        Err(_) => "?".to_string(),
    }
}

/// A value as people read it in a message: text, numbers and lists of them
/// as they are; anything else by its type (`<map>`), never a Rust dump.
fn plain_value(v: &cel::Value) -> String {
    match v {
        cel::Value::String(s) => s.to_string(),
        cel::Value::Int(i) => i.to_string(),
        cel::Value::UInt(i) => i.to_string(),
        cel::Value::Float(f) => f.to_string(),
        cel::Value::Bool(b) => b.to_string(),
        cel::Value::Null => "none".to_string(),
        cel::Value::Timestamp(t) => t.to_rfc3339(),
        cel::Value::List(items) => items.iter().map(plain_value).collect::<Vec<_>>().join(", "),
        other => format!("<{}>", other.type_of()),
    }
}

/// Evaluates `rules` against `snapshot`. Deterministic: findings are sorted by
/// account, rule, resource and region.
pub fn evaluate(rules: &RuleSet, snapshot: &Snapshot, params: &ParamValues) -> Report {
    let accounts = crate::analysis::Accounts::of(snapshot);
    // A partial scan (--accounts, --ou, --shard) without the management
    // account: what only the management account can tell is not evaluated
    // here (and said so), rather than ERROR in every shard.
    let partial = snapshot.management().is_none()
        && snapshot
            .organization
            .data()
            .is_some_and(|o| !o.management_account_id.is_empty());
    let mut not_evaluated: Vec<String> = Vec::new();
    let mgmt_account = snapshot.management();
    let ev = Evaluator::new(snapshot, &accounts, partial);
    let prepared: Vec<Prepared> = rules
        .rules
        .iter()
        .map(|r| Prepared::new(r, params))
        .collect();

    let per_account: Vec<(Vec<Finding>, Vec<String>)> = snapshot
        .accounts
        .par_iter()
        .map(|account| {
            // Converted here, not up front: only the accounts in flight are
            // held as CEL values.
            let (facts, incomplete) = view::account_facts(account, &accounts);
            let facts = Variable::new(facts);
            let id = (account.id.clone(), account.name.clone());
            let mut out = Vec::new();
            for p in &prepared {
                // A closed account (SUSPENDED, PENDING_CLOSURE) has nothing to
                // audit: it is listed in the report's accounts, with no findings.
                let applies = account.status == "ACTIVE"
                    && match p.rule.info.scope {
                        Scope::Account => true,
                        Scope::Mgmt => account.is_management,
                        Scope::Org => false,
                    };
                if applies {
                    ev.run(p, Some(&facts), &mut out, &id);
                }
            }
            (out, incomplete)
        })
        .collect();
    let mut incomplete = snapshot.organization_incomplete();
    // A merge that lacked shards: its accounts are in the snapshot with
    // nothing collected (their rules are ERROR); said once here too.
    let merge_gap = merge_gap(snapshot);
    incomplete.extend(merge_gap.clone());
    let mut findings = Vec::with_capacity(per_account.iter().map(|(f, _)| f.len()).sum());
    for (f, i) in per_account {
        findings.extend(f);
        incomplete.extend(i);
    }
    for p in prepared.iter().filter(|p| p.rule.info.scope == Scope::Org) {
        if partial && p.global_deps.iter().any(|d| d.root == "mgmt") {
            not_evaluated.push(p.rule.info.id.clone());
            continue;
        }
        ev.run(p, None, &mut findings, &ev.org_finding_account);
    }
    // Management-account rules are never silently absent.
    if snapshot.management().is_none() {
        for p in prepared.iter().filter(|p| p.rule.info.scope == Scope::Mgmt) {
            if partial {
                not_evaluated.push(p.rule.info.id.clone());
            } else {
                ev.run(p, Some(&ev.mgmt), &mut findings, &ev.org_finding_account);
            }
        }
    }
    findings.par_sort_by(|a, b| {
        (&a.account_id, &a.rule_id, &a.resource_arn, &a.region).cmp(&(
            &b.account_id,
            &b.rule_id,
            &b.resource_arn,
            &b.region,
        ))
    });

    let accounts = account_refs(snapshot);
    let summary = Summary::of(&findings);
    let rule_infos = rules.infos();
    let frameworks = crate::compliance::summarize(
        &rule_infos,
        &findings,
        rules.framework.as_ref().map(std::slice::from_ref),
    );
    Report {
        format: REPORT_FORMAT.to_string(),
        tool: ToolInfo::current(),
        source: ReportSource {
            organization_id: snapshot.organization.data().map(|o| o.id.clone()),
            management_account_id: mgmt_account.map(|a| a.id.clone()),
            collected_at: snapshot.collected_at.clone(),
            regions: snapshot.scan.regions.clone(),
            incomplete,
        },
        accounts,
        rules: rule_infos,
        findings,
        summary,
        frameworks,
        warnings: warnings(rules, merge_gap, &not_evaluated, &ev.org_finding_account.0),
    }
}

impl Evaluator {
    /// The evaluator of `snapshot`: its shared views, and `days_since`
    /// measured from its collection time.
    fn new(snapshot: &Snapshot, accounts: &crate::analysis::Accounts<'_>, partial: bool) -> Self {
        let view = SnapshotView::new(snapshot, accounts);
        let now = chrono::DateTime::parse_from_rfc3339(&snapshot.collected_at)
            .unwrap_or_else(|_| chrono::Utc::now().fixed_offset());
        let mgmt_account = snapshot.management();
        let org_id = (
            mgmt_account.map(|a| a.id.clone()).unwrap_or_else(|| {
                snapshot
                    .organization
                    .data()
                    .map(|o| o.management_account_id.clone())
                    .unwrap_or_default()
            }),
            mgmt_account
                .map(|a| a.name.clone())
                .unwrap_or_else(|| "organization".to_string()),
        );
        let mut root = cel::Context::with_env(super::expr::env());
        root.add_function("days_since", move |ts: Arc<String>| days_between(&ts, now))
            .expect("days_since is not a CEL built-in");
        Evaluator {
            org: Variable::new(view.org),
            mgmt: Variable::new(view.mgmt),
            scan: Variable::new(view.scan),
            root,
            org_finding_account: org_id,
            partial,
        }
    }
}

/// `merge: N account(s) not scanned (shards …missing): …` when the snapshot
/// is a merge that lacked shards.
fn merge_gap(snapshot: &Snapshot) -> Option<String> {
    snapshot
        .scan
        .merge
        .as_ref()
        .filter(|m| !m.missing_accounts.is_empty())
        .map(|m| {
            let shards = m
                .missing_shards
                .iter()
                .map(|k| format!("{k}/{}", m.shard_count))
                .collect::<Vec<_>>();
            format!(
                "merge: {} account(s) not scanned{}: {}",
                m.missing_accounts.len(),
                if shards.is_empty() {
                    String::new()
                } else {
                    format!(" (shards {} missing)", shards.join(", "))
                },
                m.missing_accounts.join(", ")
            )
        })
}

/// The snapshot's accounts as the report lists them.
fn account_refs(snapshot: &Snapshot) -> Vec<AccountRef> {
    snapshot
        .accounts
        .iter()
        .map(|a| AccountRef {
            id: a.id.clone(),
            name: a.name.clone(),
            ou_path: a.ou_path.clone(),
            is_management: a.is_management,
            unreachable: a.access.unavailable_reason(),
            status: Some(a.status.clone()),
        })
        .collect()
}

/// The report's notes: the rules' own, a merge that lacked shards, and the
/// rules not evaluated without the management account `management_id`.
fn warnings(
    rules: &RuleSet,
    merge_gap: Option<String>,
    not_evaluated: &[String],
    management_id: &str,
) -> Vec<String> {
    let mut w = rules.warnings.clone();
    if let Some(gap) = merge_gap {
        w.push(format!("incomplete {gap}"));
    }
    if !not_evaluated.is_empty() {
        w.push(format!(
            "not evaluated: the management account {management_id} is not in this snapshot (a \
             scan limited by --accounts, --ou or --shard), so what only it can tell was not \
             checked here: {}",
            not_evaluated.join(", ")
        ));
    }
    w
}
