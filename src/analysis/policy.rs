//! IAM policy analysis: is a principal an administrator by its *effective* permissions?
//!
//! A principal is an **administrator** when it may perform every action on every resource:
//!
//! 1. the union of its identity policies' `Allow` statements that apply to every resource
//!    covers every action (see *Union of statements* below);
//! 2. no identity policy has an unconditional `Deny` statement that denies anything: any such
//!    statement, whatever its `Action`/`NotAction` and `Resource`/`NotResource`, takes something
//!    away, so the principal can no longer do *every* action on *every* resource. The only
//!    exceptions are statements that provably deny nothing (`NotAction` of every action, or
//!    `NotResource` of every resource);
//! 3. if it has a permissions boundary, the boundary passes tests 1 and 2 on its own.
//!
//! A grant under a `Condition` still counts (under some conditions the principal can do
//! everything); the condition is reported in [`AdminAnalysis::conditions`]. For the same reason a
//! `Deny` with a `Condition` does not cancel the grant; it is reported in `conditions` as
//! `denied when …`. A proof that uses only unconditional statements is preferred, so an
//! administrator whose unconditional policies already grant everything has no allow conditions.
//!
//! # Grammar
//!
//! Documents follow the IAM identity-policy grammar, strictly: the top level is an object with
//! `Statement` and optionally `Version` (`2012-10-17` or `2008-10-17`) and `Id`; `Statement` is an
//! object or a list of objects; each statement has exactly one of `Action`/`NotAction`, exactly one
//! of `Resource`/`NotResource` (each a string or a non-empty list of strings), `Effect` exactly
//! `Allow` or `Deny` (case-sensitive, as AWS), and optionally `Sid` and `Condition` (an object of
//! operator → object of key → string, boolean, number or a list of those). Anything else
//! (`Principal`, `NotPrincipal`, unknown elements, wrong types, empty lists) is an error: the
//! analysis never guesses about a document it cannot read, since that document could hold the
//! `Deny` that changes the answer. One malformed identity policy or boundary makes the whole
//! analysis an error, even when another policy grants everything.
//!
//! # Patterns
//!
//! Actions compare case-insensitively; `*` matches any run of characters and `?` exactly one.
//! An action pattern made only of `*` runs with at most one `:` between them (`*`, `*:*`) means
//! every action. A resource pattern made only of `*` means every resource; nothing else does
//! (`arn:*` is not recognised as every resource, a strict choice), and a `NotResource` never
//! covers every resource.
//!
//! # Union of statements
//!
//! Without an every-action pattern, only `NotAction` statements can allow everything together
//! with others. Let `I` be the include patterns (`Action` of the every-resource `Allow`
//! statements) and `E₁ … Eₖ` the excluded lists of the every-resource `Allow NotAction`
//! statements. The allowed set is `I ∪ ¬E₁ ∪ … ∪ ¬Eₖ`; it is everything exactly when
//! `E₁ ∩ … ∩ Eₖ ⊆ I`. That question is hard in general, so this module decides it
//! conservatively (it may miss an administrator in contrived cases, never invent one):
//!
//! * an excluded pattern `e` is *covered* when one include pattern `q` matches `e` as a glob
//!   where `e`'s own wildcards only match `q`'s `*` (so `iam:*` covers `iam:*` and
//!   `iam:Get*`, `IAM:*` covers `iam:*`, and `iam:?et*` does not cover `iam:*et*`). Then every
//!   action `e` matches is in `I`. Coverage by several include patterns together is not seen;
//! * let `Uⱼ` be the excluded patterns of statement `j` that are not covered. Everything is
//!   allowed when some `Uⱼ` is empty (PowerUserAccess plus a statement allowing `iam:*`,
//!   `organizations:*` and `account:*` on `*`), or when two statements `A`, `B` have
//!   `U_A` and `U_B` disjoint — no action matches both a pattern of `U_A` and one of `U_B`, decided
//!   exactly on the two globs — since then `E_A ∩ E_B ⊆ I`. Intersections of three or more
//!   statements are not examined.
//!
//! # Bounds
//!
//! Work is linear in the number of statements and patterns, except the pattern comparisons of
//! `NotAction` statements, which are deduplicated and charged to a fixed work budget (glob
//! matching is iterative, never recursive). A principal whose policies exhaust the budget
//! (only hostile input can) is an error naming the policy, not a guess.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

/// One policy document attached to (or inline in) a principal, or a boundary.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    /// How findings name it: e.g. "AdministratorAccess (arn:aws:iam::aws:policy/AdministratorAccess)", "inline policy ops-admin of group admins".
    pub label: &'a str,
    /// The policy document as parsed JSON (already URL-decoded). May be anything: hostile input.
    pub document: &'a serde_json::Value,
}

/// Whether a principal is an administrator by its effective permissions, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct AdminAnalysis {
    /// May the principal perform every action on every resource?
    pub is_admin: bool,
    /// Labels of the policies whose Allow statements make it so (empty when not admin).
    pub via: Vec<String>,
    /// Conditions on those granting statements, rendered compactly, e.g. `Bool aws:MultiFactorAuthPresent = true` (empty if unconditional).
    pub conditions: Vec<String>,
    /// When not admin although some policy allows much: why (e.g. "permissions boundary X does not allow every action", "explicit Deny in policy Y (iam:* on *)"). Empty otherwise.
    pub limited_by: Vec<String>,
}

/// A policy document that cannot be analysed (malformed, unknown elements, or too complex).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy {policy}: {message}")]
pub struct PolicyError {
    /// The label of the policy.
    pub policy: String,
    /// What is wrong with it.
    pub message: String,
}

/// Largest decoded policy document accepted (IAM itself caps documents at 6–10 KiB).
const MAX_DOCUMENT_BYTES: usize = 1 << 20;
/// Work units (glob matcher steps) one analysis may spend on comparing patterns.
const WORK_BUDGET: u64 = 5_000_000;
/// Longest rendering of one condition, statement or pattern list, in characters.
const MAX_RENDER_CHARS: usize = 240;
/// Work units charged for one comparison of two excluded patterns in the pair search (a
/// cache lookup costs far more than a matcher step).
const PAIR_COST: u64 = 16;
/// Most entries kept in `conditions` and `limited_by`; the rest are counted.
const MAX_NOTES: usize = 32;

/// `identity`: every identity policy of the principal (managed policies attached to it, its inline policies, and those of its groups). `boundary`: its permissions boundary document, if it has one.
///
/// Errors when any document (identity or boundary) is malformed or too complex to analyse
/// within the work bound; the error names that document.
pub fn administrator(
    identity: &[Document<'_>],
    boundary: Option<&Document<'_>>,
) -> Result<AdminAnalysis, PolicyError> {
    let mut statements = Vec::new();
    for (index, doc) in identity.iter().enumerate() {
        parse_document(index, doc, &mut statements)?;
    }
    let boundary_statements = match boundary {
        Some(doc) => {
            let mut statements = Vec::new();
            parse_document(0, doc, &mut statements)?;
            Some(statements)
        }
        None => None,
    };

    let mut budget = Budget(WORK_BUDGET);
    let too_complex = |label: &str| PolicyError {
        policy: label.to_string(),
        message: "too complex to analyse within bounds (many or long NotAction patterns)".into(),
    };
    let labels: Vec<&str> = identity.iter().map(|d| d.label).collect();
    let own =
        judge(&statements, &mut budget).map_err(|s| too_complex(labels[statements[s].policy]))?;
    let bounded = match (&boundary_statements, boundary) {
        (Some(statements), Some(doc)) => {
            Some(judge(statements, &mut budget).map_err(|_| too_complex(doc.label))?)
        }
        _ => None,
    };

    let boundary_ok = bounded.as_ref().is_none_or(Verdict::allows_everything);
    if own.allows_everything() && boundary_ok {
        let mut via = Vec::new();
        let mut seen = HashSet::new();
        let mut conditions = Notes::default();
        for &s in own.proof.as_deref().unwrap_or_default() {
            let label = labels[statements[s].policy];
            if seen.insert(label) {
                via.push(label.to_string());
            }
            if let Some(c) = &statements[s].condition {
                conditions.push(c.clone());
            }
        }
        for &s in &own.conditional_denies {
            let cond = statements[s].condition.as_deref().unwrap_or_default();
            conditions.push(format!(
                "denied when {cond} (by {})",
                labels[statements[s].policy]
            ));
        }
        if let (Some(b), Some(statements), Some(doc)) = (&bounded, &boundary_statements, boundary) {
            for &s in b.proof.as_deref().unwrap_or_default() {
                if let Some(c) = &statements[s].condition {
                    conditions.push(format!("{c} (permissions boundary {})", doc.label));
                }
            }
            for &s in &b.conditional_denies {
                let cond = statements[s].condition.as_deref().unwrap_or_default();
                conditions.push(format!(
                    "denied when {cond} (by permissions boundary {})",
                    doc.label
                ));
            }
        }
        return Ok(AdminAnalysis {
            is_admin: true,
            via,
            conditions: conditions.finish(),
            limited_by: Vec::new(),
        });
    }

    // Not an administrator. Explain only when some policy allows much (every action on some
    // resources, or every action but a few); a principal with ordinary permissions has no story.
    let mut limited_by = Notes::default();
    if own.proof.is_some() || !own.broad.is_empty() {
        for (s, why) in &own.broad {
            limited_by.push(format!("policy {} {why}", labels[statements[*s].policy]));
        }
        for &s in &own.denies {
            limited_by.push(format!(
                "explicit Deny in policy {} ({})",
                labels[statements[s].policy],
                statements[s].describe()
            ));
        }
        if let (Some(b), Some(statements), Some(doc)) = (&bounded, &boundary_statements, boundary) {
            if b.proof.is_none() {
                limited_by.push(format!(
                    "permissions boundary {} does not allow every action",
                    doc.label
                ));
            }
            for &s in &b.denies {
                limited_by.push(format!(
                    "explicit Deny in permissions boundary {} ({})",
                    doc.label,
                    statements[s].describe()
                ));
            }
        }
    }
    Ok(AdminAnalysis {
        is_admin: false,
        via: Vec::new(),
        conditions: Vec::new(),
        limited_by: limited_by.finish(),
    })
}

// ---------------------------------------------------------------------------------------------
// Service control policies: what the SCPs attached to one target take away, and which of them
// deny one action.

/// What the service control policies attached to one target (a root, an OU or an account)
/// take away from the accounts below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScpRestriction {
    /// Whether the target's SCPs restrict anything: one of them denies something (with or
    /// without a condition), or together their unconditional `Allow` statements on every
    /// resource do not allow every action (an allow list).
    pub restricts: bool,
    /// How they restrict, one note per policy: `DenyLeave: denies organizations:LeaveOrganization
    /// on *`, `ApprovedServices: an allow list (…)`.
    pub by: Vec<String>,
}

/// Judges the SCPs attached to one target together, as AWS evaluates them: at one level of the
/// organization the policies' `Allow` statements are a union, and any `Deny` takes away.
///
/// A `Deny` under a `Condition` still restricts (under that condition), and an `Allow` under a
/// `Condition` allows only under it, so only unconditional grants count towards "allows
/// everything". The documents follow the identity-policy grammar of [`administrator`] (SCPs
/// have no `Principal`); one that cannot be read is an error naming it: it could hold the
/// `Allow *` that lifts an allow list of the others.
pub fn scp_restriction(documents: &[Document<'_>]) -> Result<ScpRestriction, PolicyError> {
    let mut statements = Vec::new();
    for (index, doc) in documents.iter().enumerate() {
        parse_document(index, doc, &mut statements)?;
    }
    let mut by = Notes::default();
    for s in &statements {
        if s.effect == Effect::Deny && !s.denies_nothing() {
            let when = s
                .condition
                .as_deref()
                .map(|c| format!(" when {c}"))
                .unwrap_or_default();
            by.push(format!(
                "{}: denies {}{when}",
                documents[s.policy].label,
                s.describe()
            ));
        }
    }
    let unconditional: Vec<usize> = statements
        .iter()
        .enumerate()
        .filter(|(_, s)| s.effect == Effect::Allow && s.every_resource() && s.condition.is_none())
        .map(|(i, _)| i)
        .collect();
    let mut budget = Budget(WORK_BUDGET);
    let proof = prove(&statements, &unconditional, &mut budget).map_err(|s| PolicyError {
        policy: documents[statements[s].policy].label.to_string(),
        message: "too complex to analyse within bounds (many or long NotAction patterns)".into(),
    })?;
    if proof.is_err() {
        let labels: Vec<&str> = documents.iter().map(|d| d.label).collect();
        by.push(format!(
            "{}: an allow list (not every action on every resource is allowed unconditionally)",
            labels.join(", ")
        ));
    }
    let by = by.finish();
    Ok(ScpRestriction {
        restricts: !by.is_empty(),
        by,
    })
}

/// One `Deny` statement that denies an action on every resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionDenial {
    /// The statement's condition, rendered; `None` when unconditional.
    pub condition: Option<String>,
    /// Whether the condition only exempts principals: every condition is a negated ARN or
    /// string comparison (`ArnNotLike`, `ArnNotEquals`, `StringNotLike`, `StringNotEquals`,
    /// `StringNotEqualsIgnoreCase`, with or without `IfExists`) of `aws:PrincipalArn` or an
    /// `aws:PrincipalTag/…` key. Such a statement denies the action to everyone but the
    /// exempted principals (a break-glass or automation role). `true` when unconditional.
    pub exempts_principals_only: bool,
}

/// The `Deny` statements of one policy document that deny `action` on every resource, judged
/// as AWS evaluates them: `Action` patterns (or the complement of `NotAction` patterns) matched
/// case-insensitively with `*` and `?` wildcards, and `Resource` covering every resource (only
/// `*`-patterns do; `NotResource` never counts, a strict choice as in [`administrator`]).
///
/// Errors when the document cannot be read (the grammar of [`administrator`]).
pub fn denials_of(document: &Document<'_>, action: &str) -> Result<Vec<ActionDenial>, PolicyError> {
    let mut statements = Vec::new();
    parse_document(0, document, &mut statements)?;
    let action = lowered(action);
    let mut budget = Budget(WORK_BUDGET);
    let mut matches = |pattern: &str| -> Result<bool, PolicyError> {
        covers(&lowered(pattern), &action, &mut budget).map_err(|_| PolicyError {
            policy: document.label.to_string(),
            message: "too complex to analyse within bounds (long Action patterns)".into(),
        })
    };
    let mut out = Vec::new();
    for s in &statements {
        if s.effect != Effect::Deny || !s.every_resource() {
            continue;
        }
        let mut listed = false;
        for p in &s.actions.items {
            if matches(p)? {
                listed = true;
                break;
            }
        }
        if listed == s.actions.negated {
            continue;
        }
        out.push(ActionDenial {
            condition: s.condition.clone(),
            exempts_principals_only: s.condition.is_none()
                || s.condition_value.is_some_and(exempts_principals_only),
        });
    }
    Ok(out)
}

/// Whether every condition of a `Condition` element is a negated comparison of the principal's
/// ARN or tags (see [`ActionDenial::exempts_principals_only`]).
fn exempts_principals_only(condition: &Value) -> bool {
    const OPERATORS: &[&str] = &[
        "arnnotlike",
        "arnnotequals",
        "stringnotlike",
        "stringnotequals",
        "stringnotequalsignorecase",
    ];
    let Some(operators) = condition.as_object() else {
        return false;
    };
    operators.iter().all(|(operator, keys)| {
        let operator = operator.to_ascii_lowercase();
        let operator = operator.strip_suffix("ifexists").unwrap_or(&operator);
        OPERATORS.contains(&operator)
            && keys.as_object().is_some_and(|keys| {
                keys.keys().all(|key| {
                    let key = key.to_ascii_lowercase();
                    key == "aws:principalarn" || key.starts_with("aws:principaltag/")
                })
            })
    })
}

/// Decodes a policy document as IAM returns it (RFC 3986 percent-encoded JSON, as GetAccountAuthorizationDetails / GetPolicyVersion return it) or plain JSON text. Error: not decodable / not JSON.
///
/// Text whose first non-blank character is `{` is parsed as JSON as is (a `%` in it is literal);
/// anything else is percent-decoded first. `+` stays `+` (RFC 3986, not form encoding). A `%`
/// not followed by two hex digits, invalid UTF-8 or a decoded document over 1 MiB is an error.
pub fn decode_document(raw: &str) -> Result<serde_json::Value, String> {
    let text: std::borrow::Cow<'_, str> = if raw.trim_start().starts_with('{') {
        if raw.len() > MAX_DOCUMENT_BYTES {
            return Err(format!(
                "policy document is larger than {MAX_DOCUMENT_BYTES} bytes"
            ));
        }
        raw.into()
    } else {
        percent_decode(raw)?.into()
    };
    serde_json::from_str(&text).map_err(|e| format!("policy document is not JSON: {e}"))
}

fn percent_decode(raw: &str) -> Result<String, String> {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len().min(MAX_DOCUMENT_BYTES));
    let mut i = 0;
    while i < bytes.len() {
        if out.len() >= MAX_DOCUMENT_BYTES {
            return Err(format!(
                "policy document is larger than {MAX_DOCUMENT_BYTES} bytes"
            ));
        }
        if bytes[i] == b'%' {
            let pair = bytes
                .get(i + 1)
                .and_then(|&h| hex(h))
                .zip(bytes.get(i + 2).and_then(|&l| hex(l)));
            let Some((h, l)) = pair else {
                return Err(format!(
                    "invalid percent escape at byte {i} of the policy document"
                ));
            };
            out.push((h << 4) | l);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|e| format!("policy document is not UTF-8 once decoded: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Parsing: a strict reading of the identity-policy grammar into statements.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
}

/// The patterns of `Action`/`NotAction` (or `Resource`/`NotResource`): `negated` for the `Not`
/// form, which means every value *except* those matching `items`.
#[derive(Debug)]
struct Patterns<'a> {
    negated: bool,
    items: Vec<&'a str>,
}

impl Patterns<'_> {
    fn render(&self, every: &str) -> String {
        let mut out = Bounded::default();
        if self.negated {
            out.push(every);
            out.push(" except ");
        }
        if self.items.len() == 1 {
            out.push_escaped(self.items[0]);
        } else {
            out.push("[");
            for (i, item) in self.items.iter().enumerate() {
                if i > 0 {
                    out.push(", ");
                }
                out.push_escaped(item);
                if out.full() {
                    break;
                }
            }
            out.push("]");
        }
        out.finish()
    }
}

#[derive(Debug)]
struct Statement<'a> {
    /// Index of the document it comes from.
    policy: usize,
    effect: Effect,
    actions: Patterns<'a>,
    resources: Patterns<'a>,
    /// The rendered condition, `None` when unconditional (no `Condition`, or one with no keys).
    condition: Option<String>,
    /// The `Condition` element as written, when there is one.
    condition_value: Option<&'a Value>,
}

impl Statement<'_> {
    fn every_resource(&self) -> bool {
        !self.resources.negated && self.resources.items.iter().any(|r| is_every_resource(r))
    }

    fn every_action(&self) -> bool {
        !self.actions.negated && self.actions.items.iter().any(|a| is_every_action(a))
    }

    /// A Deny that provably denies nothing: it excludes every action or every resource.
    fn denies_nothing(&self) -> bool {
        (self.actions.negated && self.actions.items.iter().any(|a| is_every_action(a)))
            || (self.resources.negated && self.resources.items.iter().any(|r| is_every_resource(r)))
    }

    /// E.g. `iam:* on *`, `every action except [iam:*, sts:*] on [arn:…, arn:…]`.
    fn describe(&self) -> String {
        format!(
            "{} on {}",
            self.actions.render("every action"),
            self.resources.render("every resource")
        )
    }
}

/// Only `*` runs, with at most one `:` between two of them: `*`, `**`, `*:*`.
fn is_every_action(pattern: &str) -> bool {
    match pattern.split_once(':') {
        Some((service, action)) => only_stars(service) && only_stars(action),
        None => only_stars(pattern),
    }
}

fn is_every_resource(pattern: &str) -> bool {
    only_stars(pattern)
}

fn only_stars(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b == b'*')
}

fn parse_document<'a>(
    index: usize,
    doc: &Document<'a>,
    out: &mut Vec<Statement<'a>>,
) -> Result<(), PolicyError> {
    read_document(index, doc.document, out).map_err(|message| PolicyError {
        policy: doc.label.to_string(),
        message,
    })
}

fn read_document<'a>(
    index: usize,
    value: &'a Value,
    out: &mut Vec<Statement<'a>>,
) -> Result<(), String> {
    let Some(top) = value.as_object() else {
        return Err(format!("the document is {}, not an object", kind(value)));
    };
    let mut statements = None;
    for (key, v) in top {
        match key.as_str() {
            "Version" => match v.as_str() {
                Some("2012-10-17" | "2008-10-17") => {}
                Some(other) => return Err(format!("unknown Version {}", quote(other))),
                None => return Err(format!("Version is {}, not a string", kind(v))),
            },
            "Id" => {
                if !v.is_string() {
                    return Err(format!("Id is {}, not a string", kind(v)));
                }
            }
            "Statement" => statements = Some(v),
            other => return Err(format!("unknown element {} in the document", quote(other))),
        }
    }
    match statements {
        None => Err("the document has no Statement".into()),
        Some(Value::Array(list)) => {
            out.reserve(list.len());
            for (n, s) in list.iter().enumerate() {
                out.push(
                    read_statement(index, s).map_err(|e| format!("statement {}: {e}", n + 1))?,
                );
            }
            Ok(())
        }
        Some(s @ Value::Object(_)) => {
            out.push(read_statement(index, s).map_err(|e| format!("statement: {e}"))?);
            Ok(())
        }
        Some(other) => Err(format!(
            "Statement is {}, not an object or a list",
            kind(other)
        )),
    }
}

fn read_statement(policy: usize, value: &Value) -> Result<Statement<'_>, String> {
    let Some(fields) = value.as_object() else {
        return Err(format!("it is {}, not an object", kind(value)));
    };
    let mut effect = None;
    let (mut action, mut not_action, mut resource, mut not_resource) = (None, None, None, None);
    let mut condition = None;
    let mut condition_value = None;
    for (key, v) in fields {
        match key.as_str() {
            "Sid" => {
                if !v.is_string() {
                    return Err(format!("Sid is {}, not a string", kind(v)));
                }
            }
            "Effect" => {
                effect = Some(match v.as_str() {
                    Some("Allow") => Effect::Allow,
                    Some("Deny") => Effect::Deny,
                    Some(other) => {
                        return Err(format!("unknown Effect {} (Allow or Deny)", quote(other)))
                    }
                    None => return Err(format!("Effect is {}, not a string", kind(v))),
                })
            }
            "Action" => action = Some(strings("Action", v)?),
            "NotAction" => not_action = Some(strings("NotAction", v)?),
            "Resource" => resource = Some(strings("Resource", v)?),
            "NotResource" => not_resource = Some(strings("NotResource", v)?),
            "Condition" => {
                condition = Some(render_condition(v)?);
                condition_value = Some(v);
            }
            "Principal" | "NotPrincipal" => {
                return Err(format!("{key} is not valid in an identity policy"))
            }
            other => return Err(format!("unknown element {}", quote(other))),
        }
    }
    let effect = effect.ok_or("it has no Effect")?;
    let actions = one_of("Action", action, "NotAction", not_action)?;
    let resources = one_of("Resource", resource, "NotResource", not_resource)?;
    Ok(Statement {
        policy,
        effect,
        actions,
        resources,
        condition: condition.flatten(),
        condition_value,
    })
}

fn one_of<'a>(
    name: &str,
    plain: Option<Vec<&'a str>>,
    not_name: &str,
    negated: Option<Vec<&'a str>>,
) -> Result<Patterns<'a>, String> {
    match (plain, negated) {
        (Some(items), None) => Ok(Patterns {
            negated: false,
            items,
        }),
        (None, Some(items)) => Ok(Patterns {
            negated: true,
            items,
        }),
        (Some(_), Some(_)) => Err(format!("it has both {name} and {not_name}")),
        (None, None) => Err(format!("it has neither {name} nor {not_name}")),
    }
}

/// A string or a non-empty list of strings.
fn strings<'a>(name: &str, value: &'a Value) -> Result<Vec<&'a str>, String> {
    match value {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Array(list) if list.is_empty() => Err(format!("{name} is an empty list")),
        Value::Array(list) => list
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| format!("{name} has {}, not a string", kind(v)))
            })
            .collect(),
        other => Err(format!(
            "{name} is {}, not a string or a list of strings",
            kind(other)
        )),
    }
}

/// Validates a `Condition` and renders it: `Op key = value` per key, joined by ` and `, a list
/// of values as `[a, b]`. `None` when it has no keys (nothing to satisfy: unconditional).
fn render_condition(value: &Value) -> Result<Option<String>, String> {
    let Some(operators) = value.as_object() else {
        return Err(format!("Condition is {}, not an object", kind(value)));
    };
    let mut out = Bounded::default();
    let mut any = false;
    for (operator, keys) in operators {
        let Some(keys) = keys.as_object() else {
            return Err(format!(
                "Condition operator {} has {}, not an object",
                quote(operator),
                kind(keys)
            ));
        };
        for (key, v) in keys {
            check_condition_value(operator, key, v)?;
            if any {
                out.push(" and ");
            }
            any = true;
            out.push_escaped(operator);
            out.push(" ");
            out.push_escaped(key);
            out.push(" = ");
            render_condition_value(&mut out, v);
        }
    }
    Ok(any.then(|| out.finish()))
}

fn check_condition_value(operator: &str, key: &str, v: &Value) -> Result<(), String> {
    let scalar = |v: &Value| matches!(v, Value::String(_) | Value::Bool(_) | Value::Number(_));
    let ok = match v {
        Value::Array(items) => items.iter().all(scalar),
        v => scalar(v),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "Condition {} {} has {}, not a string, boolean, number or a list of those",
            quote(operator),
            quote(key),
            kind(v)
        ))
    }
}

fn render_condition_value(out: &mut Bounded, v: &Value) {
    match v {
        Value::String(s) => out.push_escaped(s),
        Value::Array(items) if items.len() == 1 => render_condition_value(out, &items[0]),
        Value::Array(items) => {
            out.push("[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(", ");
                }
                if out.full() {
                    break;
                }
                render_condition_value(out, item);
            }
            out.push("]");
        }
        other => out.push(&other.to_string()),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A hostile name, quoted, escaped and bounded for an error message.
fn quote(s: &str) -> String {
    let mut out = Bounded {
        max: 64,
        ..Bounded::default()
    };
    out.push("\"");
    out.push_escaped(s);
    out.push("\"");
    out.finish()
}

/// A string builder that stops at `max` characters (then ends with `…`) and escapes control
/// characters of untrusted text.
struct Bounded {
    text: String,
    chars: usize,
    max: usize,
    truncated: bool,
}

impl Default for Bounded {
    fn default() -> Self {
        Bounded {
            text: String::new(),
            chars: 0,
            max: MAX_RENDER_CHARS,
            truncated: false,
        }
    }
}

impl Bounded {
    fn full(&self) -> bool {
        self.truncated
    }

    fn push(&mut self, s: &str) {
        for c in s.chars() {
            self.push_char(c);
        }
    }

    fn push_escaped(&mut self, s: &str) {
        for c in s.chars() {
            if self.truncated {
                return;
            }
            if c.is_control() {
                for e in c.escape_default() {
                    self.push_char(e);
                }
            } else {
                self.push_char(c);
            }
        }
    }

    fn push_char(&mut self, c: char) {
        if self.chars >= self.max {
            self.truncated = true;
            return;
        }
        self.text.push(c);
        self.chars += 1;
    }

    fn finish(mut self) -> String {
        if self.truncated {
            self.text.push('…');
        }
        self.text
    }
}

/// A deduplicated, bounded list of notes: at most [`MAX_NOTES`], then `… and N more`.
#[derive(Default)]
struct Notes {
    items: Vec<String>,
    seen: HashSet<String>,
    dropped: usize,
}

impl Notes {
    fn push(&mut self, note: String) {
        if self.seen.contains(&note) {
            return;
        }
        if self.items.len() < MAX_NOTES {
            self.items.push(note.clone());
        } else {
            self.dropped += 1;
        }
        self.seen.insert(note);
    }

    fn finish(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.items.push(format!("… and {} more", self.dropped));
        }
        self.items
    }
}

// ---------------------------------------------------------------------------------------------
// Judging one set of statements (the identity policies, or the boundary).

/// What one set of statements allows and denies.
struct Verdict {
    /// Statements that together allow every action on every resource, if shown.
    proof: Option<Vec<usize>>,
    /// When not shown: statements that allow much, and how they fall short.
    broad: Vec<(usize, String)>,
    /// Unconditional Deny statements that deny something.
    denies: Vec<usize>,
    /// Conditional Deny statements that deny something.
    conditional_denies: Vec<usize>,
}

impl Verdict {
    fn allows_everything(&self) -> bool {
        self.proof.is_some() && self.denies.is_empty()
    }
}

/// Work left for pattern comparisons; running out is `Err` (the caller names the policy).
struct Budget(u64);

impl Budget {
    fn spend(&mut self, units: u64) -> Result<(), ()> {
        if self.0 < units {
            self.0 = 0;
            return Err(());
        }
        self.0 -= units;
        Ok(())
    }
}

/// `Err(s)`: the work budget ran out while comparing patterns of statement `s`.
fn judge(statements: &[Statement<'_>], budget: &mut Budget) -> Result<Verdict, usize> {
    let mut denies = Vec::new();
    let mut conditional_denies = Vec::new();
    let mut allows = Vec::new();
    for (i, s) in statements.iter().enumerate() {
        match s.effect {
            Effect::Deny if s.denies_nothing() => {}
            Effect::Deny if s.condition.is_some() => conditional_denies.push(i),
            Effect::Deny => denies.push(i),
            Effect::Allow if s.every_resource() => allows.push(i),
            Effect::Allow => {}
        }
    }

    // Prefer a proof from unconditional statements only; else allow conditional grants too.
    let unconditional: Vec<usize> = allows
        .iter()
        .copied()
        .filter(|&i| statements[i].condition.is_none())
        .collect();
    let mut outcome = prove(statements, &unconditional, budget)?;
    if outcome.is_err() && unconditional.len() < allows.len() {
        outcome = prove(statements, &allows, budget)?;
    }

    let (proof, broad) = match outcome {
        Ok(proof) => (Some(proof), Vec::new()),
        Err(uncovered) => {
            let mut broad = Vec::new();
            for (i, s) in statements.iter().enumerate() {
                if s.effect != Effect::Allow || s.every_resource() {
                    continue;
                }
                if s.every_action() {
                    broad.push((
                        i,
                        format!(
                            "allows every action only on {}",
                            s.resources.render("every resource")
                        ),
                    ));
                } else if s.actions.negated {
                    broad.push((i, format!("allows {}", s.describe())));
                }
            }
            for (i, patterns) in uncovered {
                let rest = Patterns {
                    negated: false,
                    items: patterns,
                };
                broad.push((
                    i,
                    format!(
                        "allows every action except {} on *, and no other statement is shown to allow those",
                        rest.render("")
                    ),
                ));
            }
            broad.sort_by_key(|(i, _)| *i);
            (None, broad)
        }
    };
    Ok(Verdict {
        proof,
        broad,
        denies,
        conditional_denies,
    })
}

/// A pattern, lower-cased, as characters (`?` matches one character, not one byte).
fn lowered(p: &str) -> Vec<char> {
    p.chars().flat_map(char::to_lowercase).collect()
}

/// The literal service part of an action pattern (before the first `:`), or `None` when it
/// holds a wildcard.
fn literal_service(p: &[char]) -> Option<&[char]> {
    let end = p.iter().position(|&c| c == ':').unwrap_or(p.len());
    let service = &p[..end];
    (!service.iter().any(|&c| c == '*' || c == '?')).then_some(service)
}

/// Shows that the every-resource Allow statements `allows` together allow every action:
/// `Ok(Ok(statements used))`, or `Ok(Err(uncovered))` with, per `NotAction` statement, its
/// excluded patterns that no include pattern covers. `Err(s)`: out of budget at statement `s`.
#[allow(clippy::type_complexity)]
fn prove<'a>(
    statements: &[Statement<'a>],
    allows: &[usize],
    budget: &mut Budget,
) -> Result<Result<Vec<usize>, Vec<(usize, Vec<&'a str>)>>, usize> {
    let star: Vec<usize> = allows
        .iter()
        .copied()
        .filter(|&i| statements[i].every_action())
        .collect();
    if !star.is_empty() {
        return Ok(Ok(star));
    }
    let nots: Vec<usize> = allows
        .iter()
        .copied()
        .filter(|&i| statements[i].actions.negated)
        .collect();
    if nots.is_empty() {
        return Ok(Err(Vec::new()));
    }
    let includes = Includes::of(statements, allows);
    let exclusions = Exclusions::cover(statements, &nots, &includes, budget)?;

    // One NotAction statement whose exclusions are all covered.
    if let Some(k) = exclusions
        .lists
        .iter()
        .position(|(_, _, uncovered)| uncovered.is_empty())
    {
        return Ok(Ok(exclusions.proof_of(&[k])));
    }
    if let Some((a, b)) = exclusions.disjoint_pair(budget)? {
        return Ok(Ok(exclusions.proof_of(&[a, b])));
    }
    Ok(Err(exclusions.uncovered(statements)))
}

/// Include patterns, deduplicated, with the first statement listing each, indexed by their
/// literal service (an include with a literal service only covers excluded patterns with the
/// same literal service); the others are candidates for every excluded pattern.
struct Includes {
    patterns: Vec<(Vec<char>, usize)>,
    by_service: HashMap<Vec<char>, Vec<usize>>,
    wild: Vec<usize>,
}

impl Includes {
    fn of(statements: &[Statement<'_>], allows: &[usize]) -> Includes {
        let mut includes = Includes {
            patterns: Vec::new(),
            by_service: HashMap::new(),
            wild: Vec::new(),
        };
        let mut seen: HashSet<Vec<char>> = HashSet::new();
        for &i in allows {
            if statements[i].actions.negated {
                continue;
            }
            for p in &statements[i].actions.items {
                let chars = lowered(p);
                if !seen.insert(chars.clone()) {
                    continue;
                }
                let k = includes.patterns.len();
                match literal_service(&chars) {
                    Some(service) => includes
                        .by_service
                        .entry(service.to_vec())
                        .or_default()
                        .push(k),
                    None => includes.wild.push(k),
                }
                includes.patterns.push((chars, i));
            }
        }
        includes
    }

    /// The statement of the first include pattern that covers `excluded`, if any.
    fn cover(&self, excluded: &[char], budget: &mut Budget) -> Result<Option<usize>, ()> {
        let same_service = literal_service(excluded).and_then(|s| self.by_service.get(s));
        for &q in same_service.into_iter().flatten().chain(&self.wild) {
            budget.spend(1)?;
            if covers(&self.patterns[q].0, excluded, budget)? {
                return Ok(Some(self.patterns[q].1));
            }
        }
        Ok(None)
    }
}

/// Excluded patterns, deduplicated: each one's covering statement, if any; and per
/// NotAction statement, the indices of its excluded patterns and of the uncovered ones.
struct Exclusions {
    excluded: Vec<(Vec<char>, Option<usize>)>,
    index: HashMap<Vec<char>, usize>,
    lists: Vec<(usize, Vec<usize>, Vec<usize>)>,
}

impl Exclusions {
    fn cover(
        statements: &[Statement<'_>],
        nots: &[usize],
        includes: &Includes,
        budget: &mut Budget,
    ) -> Result<Exclusions, usize> {
        let mut x = Exclusions {
            excluded: Vec::new(),
            index: HashMap::new(),
            lists: Vec::with_capacity(nots.len()),
        };
        for &i in nots {
            let mut all = Vec::new();
            let mut uncovered = Vec::new();
            for p in &statements[i].actions.items {
                let chars = lowered(p);
                let e = match x.index.get(&chars) {
                    Some(&e) => e,
                    None => {
                        let cover = includes.cover(&chars, budget).map_err(|_| i)?;
                        x.index.insert(chars.clone(), x.excluded.len());
                        x.excluded.push((chars, cover));
                        x.excluded.len() - 1
                    }
                };
                all.push(e);
                if x.excluded[e].1.is_none() {
                    uncovered.push(e);
                }
            }
            uncovered.sort_unstable();
            uncovered.dedup();
            x.lists.push((i, all, uncovered));
        }
        Ok(x)
    }

    /// The statements a proof from these NotAction statements (indices of `lists`) uses.
    fn proof_of(&self, parts: &[usize]) -> Vec<usize> {
        let mut used = Vec::new();
        for &k in parts {
            let (i, all, _) = &self.lists[k];
            used.push(*i);
            used.extend(all.iter().filter_map(|&e| self.excluded[e].1));
        }
        used.sort_unstable();
        used.dedup();
        used
    }

    /// Two NotAction statements whose uncovered exclusions are disjoint. Two sets that share a
    /// pattern are never disjoint (every pattern matches some action), so compare distinct sets
    /// only, and none at all when one pattern is in every set (PowerUserAccess attached twice).
    fn disjoint_pair(&self, budget: &mut Budget) -> Result<Option<(usize, usize)>, usize> {
        let lists = &self.lists;
        let mut distinct: Vec<usize> = Vec::new();
        let mut distinct_seen: HashSet<&[usize]> = HashSet::new();
        let mut occurrences = vec![0usize; self.excluded.len()];
        for (k, (_, _, uncovered)) in lists.iter().enumerate() {
            if distinct_seen.insert(uncovered.as_slice()) {
                distinct.push(k);
                for &e in uncovered {
                    occurrences[e] += 1;
                }
            }
        }
        if occurrences.contains(&distinct.len()) {
            distinct.clear();
        }
        let mut disjoint_cache: HashMap<(usize, usize), bool> = HashMap::new();
        for (x, &a) in distinct.iter().enumerate() {
            for &b in &distinct[x + 1..] {
                let mut disjoint = true;
                'pairs: for &p in &lists[a].2 {
                    for &q in &lists[b].2 {
                        budget.spend(PAIR_COST).map_err(|_| lists[a].0)?;
                        let key = (p.min(q), p.max(q));
                        let d = match disjoint_cache.get(&key) {
                            Some(&d) => d,
                            None => {
                                let d =
                                    !intersects(&self.excluded[p].0, &self.excluded[q].0, budget)
                                        .map_err(|_| lists[a].0)?;
                                disjoint_cache.insert(key, d);
                                d
                            }
                        };
                        if !d {
                            disjoint = false;
                            break 'pairs;
                        }
                    }
                }
                if disjoint {
                    return Ok(Some((a, b)));
                }
            }
        }
        Ok(None)
    }

    /// Per NotAction statement, its excluded patterns (as written) that nothing covers.
    fn uncovered<'a>(&self, statements: &[Statement<'a>]) -> Vec<(usize, Vec<&'a str>)> {
        self.lists
            .iter()
            .map(|(i, _, _)| {
                let original: Vec<&'a str> = statements[*i]
                    .actions
                    .items
                    .iter()
                    .copied()
                    .filter(|p| {
                        self.index
                            .get(&lowered(p))
                            .is_some_and(|&e| self.excluded[e].1.is_none())
                    })
                    .collect();
                (*i, original)
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Glob comparison, on lower-cased characters. Both functions are iterative and charge their
// steps to the budget.

/// Does include pattern `q` cover excluded pattern `e`, i.e. does every action `e` matches also
/// match `q`? Decided (soundly, not completely) by matching `q` against `e` as text, where `q`'s
/// `*` matches any run of `e` (wildcards included), `q`'s `?` any one character of `e` but `*`,
/// and a literal only the same literal. Greedy matching with one backtrack point: at most
/// `|q|·|e|` steps.
fn covers(q: &[char], e: &[char], budget: &mut Budget) -> Result<bool, ()> {
    let one = |qc: char, ec: char| match qc {
        '?' => ec != '*',
        qc => qc == ec && ec != '*' && ec != '?',
    };
    let (mut qi, mut ei) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ei < e.len() {
        budget.spend(1)?;
        if qi < q.len() && q[qi] == '*' {
            qi += 1;
            backtrack = Some((qi, ei));
        } else if qi < q.len() && one(q[qi], e[ei]) {
            qi += 1;
            ei += 1;
        } else if let Some((bq, be)) = backtrack {
            // Let the last `*` absorb one more character of `e`, and retry after it.
            backtrack = Some((bq, be + 1));
            qi = bq;
            ei = be + 1;
        } else {
            return Ok(false);
        }
    }
    Ok(q[qi..].iter().all(|&c| c == '*'))
}

/// Is there an action that both patterns match? Exact: reachability in the product of the two
/// patterns' automata, over `(|a|+1)·(|b|+1)` states (charged to the budget up front).
fn intersects(a: &[char], b: &[char], budget: &mut Budget) -> Result<bool, ()> {
    let (n, m) = (a.len(), b.len());
    let states = (n + 1).checked_mul(m + 1).ok_or(())?;
    budget.spend(states as u64)?;
    let width = m + 1;
    let mut seen = vec![false; states];
    let mut stack = vec![(0usize, 0usize)];
    seen[0] = true;
    while let Some((i, j)) = stack.pop() {
        if i == n && j == m {
            return Ok(true);
        }
        let mut next = Vec::with_capacity(3);
        if i < n && a[i] == '*' {
            next.push((i + 1, j)); // `*` matches nothing more
        }
        if j < m && b[j] == '*' {
            next.push((i, j + 1));
        }
        if i < n && j < m {
            let (x, y) = (a[i], b[j]);
            let wildcard = |c: char| c == '*' || c == '?';
            // Both consume one common character (a `*` stays where it is).
            if !(x == '*' && y == '*') && (wildcard(x) || wildcard(y) || x == y) {
                next.push((
                    if x == '*' { i } else { i + 1 },
                    if y == '*' { j } else { j + 1 },
                ));
            }
        }
        for (i, j) in next {
            if !seen[i * width + j] {
                seen[i * width + j] = true;
                stack.push((i, j));
            }
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ADMIN_ARN: &str = "AdministratorAccess (arn:aws:iam::aws:policy/AdministratorAccess)";
    const POWER_USER: &str = "PowerUserAccess (arn:aws:iam::aws:policy/PowerUserAccess)";

    fn administrator_access() -> Value {
        json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})
    }

    fn power_user_access() -> Value {
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole",
                "iam:ListRoles", "organizations:DescribeOrganization", "account:ListRegions"], "Resource": "*"}
        ]})
    }

    fn iam_full_access_like() -> Value {
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}
        ]})
    }

    fn doc<'a>(label: &'a str, document: &'a Value) -> Document<'a> {
        Document { label, document }
    }

    fn analyse(policies: &[(&str, &Value)]) -> Result<AdminAnalysis, PolicyError> {
        let docs: Vec<Document<'_>> = policies.iter().map(|(l, d)| doc(l, d)).collect();
        administrator(&docs, None)
    }

    fn admin(policies: &[(&str, &Value)]) -> AdminAnalysis {
        let a = analyse(policies).expect("analysable");
        assert!(a.is_admin, "expected an administrator: {a:?}");
        a
    }

    fn not_admin(policies: &[(&str, &Value)]) -> AdminAnalysis {
        let a = analyse(policies).expect("analysable");
        assert!(!a.is_admin, "expected no administrator: {a:?}");
        assert!(a.via.is_empty() && a.conditions.is_empty(), "{a:?}");
        a
    }

    fn error(policies: &[(&str, &Value)]) -> PolicyError {
        analyse(policies).expect_err("malformed")
    }

    #[test]
    fn aws_managed_administrator_access_is_admin_via_it() {
        let d = administrator_access();
        let a = admin(&[(ADMIN_ARN, &d)]);
        assert_eq!(
            a,
            AdminAnalysis {
                is_admin: true,
                via: vec![ADMIN_ARN.into()],
                conditions: vec![],
                limited_by: vec![]
            }
        );
    }

    #[test]
    fn customer_managed_star_colon_star_is_admin() {
        let d = json!({"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"*:*","Resource":"*"}]});
        assert_eq!(admin(&[("ops-admin", &d)]).via, ["ops-admin"]);
    }

    #[test]
    fn inline_action_list_star_is_admin() {
        let d = json!({"Statement":{"Effect":"Allow","Action":["*"],"Resource":["*"]}});
        assert_eq!(
            admin(&[("inline policy ops-admin of group admins", &d)]).via,
            ["inline policy ops-admin of group admins"]
        );
    }

    #[test]
    fn every_action_patterns() {
        for p in ["*", "**", "*:*", "**:***"] {
            assert!(is_every_action(p), "{p}");
        }
        for p in ["", ":", "*:", ":*", "*:*:*", "iam:*", "*a", "?"] {
            assert!(!is_every_action(p), "{p}");
        }
        assert!(is_every_resource("**") && !is_every_resource("arn:*") && !is_every_resource(""));
    }

    #[test]
    fn star_on_a_specific_resource_is_not_admin() {
        let d = json!({"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::bucket/*"}]});
        let a = not_admin(&[("s3-all", &d)]);
        assert_eq!(
            a.limited_by,
            ["policy s3-all allows every action only on arn:aws:s3:::bucket/*"]
        );
        let d = json!({"Statement":[{"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3:::secret"}]});
        not_admin(&[("not-resource", &d)]);
    }

    #[test]
    fn iam_star_alone_is_not_admin() {
        let d = iam_full_access_like();
        let a = not_admin(&[("IAMFullAccess", &d)]);
        assert!(
            a.limited_by.is_empty(),
            "ordinary permissions need no explanation: {a:?}"
        );
    }

    #[test]
    fn power_user_alone_is_not_admin() {
        let d = power_user_access();
        let a = not_admin(&[(POWER_USER, &d)]);
        assert_eq!(
            a.limited_by,
            [format!(
                "policy {POWER_USER} allows every action except [iam:*, organizations:*, account:*] on *, \
                 and no other statement is shown to allow those"
            )]
        );
    }

    #[test]
    fn power_user_plus_iam_full_access_is_admin_via_both() {
        let p = power_user_access();
        let i = iam_full_access_like();
        let a = admin(&[(POWER_USER, &p), ("IAMFullAccess-like", &i)]);
        assert_eq!(a.via, [POWER_USER, "IAMFullAccess-like"]);
        assert!(a.conditions.is_empty());
        // A wider include covers it too; a narrower one does not.
        let wide = json!({"Statement":{"Effect":"Allow","Action":["i*", "organizations:*", "Account:*"],"Resource":"*"}});
        admin(&[(POWER_USER, &p), ("wide", &wide)]);
        let narrow = json!({"Statement":{"Effect":"Allow","Action":["iam:Get*", "organizations:*", "account:*"],"Resource":"*"}});
        let a = not_admin(&[(POWER_USER, &p), ("narrow", &narrow)]);
        assert_eq!(
            a.limited_by,
            [format!(
                "policy {POWER_USER} allows every action except iam:* on *, and no other statement is shown to allow those"
            )]
        );
        // Includes on specific resources do not count.
        let scoped = json!({"Statement":{"Effect":"Allow","Action":["iam:*", "organizations:*", "account:*"],"Resource":"arn:aws:iam::1:role/x"}});
        not_admin(&[(POWER_USER, &p), ("scoped", &scoped)]);
    }

    #[test]
    fn case_insensitive_actions() {
        let p = power_user_access();
        let upper = json!({"Statement":{"Effect":"Allow","Action":["IAM:*", "Organizations:*", "ACCOUNT:*"],"Resource":"*"}});
        admin(&[(POWER_USER, &p), ("upper", &upper)]);
        let deny_upper = json!({"Statement":{"Effect":"Allow","NotAction":"IAM:*","Resource":"*"}});
        let allow_lower = json!({"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}});
        admin(&[("a", &deny_upper), ("b", &allow_lower)]);
    }

    #[test]
    fn two_not_action_statements_with_disjoint_exclusions_are_admin() {
        let a =
            json!({"Statement":{"Effect":"Allow","NotAction":["iam:*", "sts:*"],"Resource":"*"}});
        let b = json!({"Statement":{"Effect":"Allow","NotAction":["s3:*", "ec2:Describe*"],"Resource":"*"}});
        assert_eq!(admin(&[("a", &a), ("b", &b)]).via, ["a", "b"]);
        // Overlapping exclusions (iam:Get* and *User share iam:GetUser) leave something out.
        let c = json!({"Statement":{"Effect":"Allow","NotAction":"iam:Get*","Resource":"*"}});
        let d = json!({"Statement":{"Effect":"Allow","NotAction":"*User","Resource":"*"}});
        not_admin(&[("c", &c), ("d", &d)]);
        // An include covering one side's exclusions.
        let e = json!({"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}});
        admin(&[("c", &c), ("d", &d), ("e", &e)]);
        // The same exclusions twice are never enough.
        not_admin(&[("a", &a), ("a again", &a)]);
    }

    #[test]
    fn boundary_power_user_caps_administrator_access() {
        let admin_doc = administrator_access();
        let boundary = power_user_access();
        let docs = [doc(ADMIN_ARN, &admin_doc)];
        let a = administrator(&docs, Some(&doc(POWER_USER, &boundary))).unwrap();
        assert!(!a.is_admin && a.via.is_empty());
        assert_eq!(
            a.limited_by,
            [format!(
                "permissions boundary {POWER_USER} does not allow every action"
            )]
        );
    }

    #[test]
    fn boundary_administrator_access_keeps_admin() {
        let admin_doc = administrator_access();
        let docs = [doc("ops-admin", &admin_doc)];
        let a = administrator(&docs, Some(&doc(ADMIN_ARN, &admin_doc))).unwrap();
        assert!(a.is_admin);
        assert_eq!(
            a.via,
            ["ops-admin"],
            "the boundary grants nothing by itself"
        );
    }

    #[test]
    fn boundary_with_deny_is_not_admin() {
        let admin_doc = administrator_access();
        let boundary = json!({"Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"organizations:*","Resource":"*"}]});
        let docs = [doc("ops-admin", &admin_doc)];
        let a = administrator(&docs, Some(&doc("guardrail", &boundary))).unwrap();
        assert!(!a.is_admin);
        assert_eq!(
            a.limited_by,
            ["explicit Deny in permissions boundary guardrail (organizations:* on *)"]
        );
    }

    #[test]
    fn unconditional_deny_star_cancels() {
        let allow = administrator_access();
        let deny = json!({"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}});
        let a = not_admin(&[(ADMIN_ARN, &allow), ("quarantine", &deny)]);
        assert_eq!(
            a.limited_by,
            ["explicit Deny in policy quarantine (* on *)"]
        );
    }

    #[test]
    fn unconditional_deny_of_anything_cancels() {
        let allow = administrator_access();
        let deny = json!({"Statement":{"Effect":"Deny","Action":"iam:*","Resource":"*"}});
        let a = not_admin(&[(ADMIN_ARN, &allow), ("no-iam", &deny)]);
        assert_eq!(
            a.limited_by,
            ["explicit Deny in policy no-iam (iam:* on *)"]
        );
        // Even a narrow Deny on one resource, in the same document.
        let both = json!({"Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","NotAction":["s3:Get*","s3:List*"],"NotResource":["arn:aws:s3:::a","arn:aws:s3:::b"]}]});
        let a = not_admin(&[("mixed", &both)]);
        assert_eq!(
            a.limited_by,
            ["explicit Deny in policy mixed (every action except [s3:Get*, s3:List*] on every resource except [arn:aws:s3:::a, arn:aws:s3:::b])"]
        );
        // Deny NotAction on * denies almost everything.
        let deny_not = json!({"Statement":{"Effect":"Deny","NotAction":"s3:*","Resource":"*"}});
        not_admin(&[(ADMIN_ARN, &allow), ("only-s3", &deny_not)]);
    }

    #[test]
    fn deny_that_denies_nothing_does_not_cancel() {
        let allow = administrator_access();
        let d1 = json!({"Statement":{"Effect":"Deny","NotAction":"*","Resource":"*"}});
        let d2 = json!({"Statement":{"Effect":"Deny","Action":"*","NotResource":"*"}});
        admin(&[(ADMIN_ARN, &allow), ("d1", &d1), ("d2", &d2)]);
    }

    #[test]
    fn conditional_deny_force_mfa_keeps_admin_with_the_condition() {
        let allow = administrator_access();
        let mfa = json!({"Version":"2012-10-17","Statement":[{
            "Sid":"BlockMostAccessUnlessSignedInWithMFA","Effect":"Deny",
            "NotAction":["iam:CreateVirtualMFADevice","iam:EnableMFADevice","iam:GetUser",
                "iam:ListMFADevices","iam:ListVirtualMFADevices","iam:ResyncMFADevice",
                "sts:GetSessionToken"],
            "Resource":"*",
            "Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]});
        let a = admin(&[(ADMIN_ARN, &allow), ("force-mfa", &mfa)]);
        assert_eq!(a.via, [ADMIN_ARN]);
        assert_eq!(
            a.conditions,
            ["denied when BoolIfExists aws:MultiFactorAuthPresent = false (by force-mfa)"]
        );
        assert!(a.limited_by.is_empty());
    }

    #[test]
    fn conditional_allow_counts_with_the_condition() {
        let d = json!({"Statement":{"Effect":"Allow","Action":"*","Resource":"*",
            "Condition":{"Bool":{"aws:MultiFactorAuthPresent":true},
                         "StringEquals":{"aws:PrincipalTag/team":["ops","sec"]}}}});
        let a = admin(&[("mfa-admin", &d)]);
        assert_eq!(a.via, ["mfa-admin"]);
        assert_eq!(
            a.conditions,
            ["Bool aws:MultiFactorAuthPresent = true and StringEquals aws:PrincipalTag/team = [ops, sec]"]
        );
        // An unconditional grant elsewhere makes the conditional one irrelevant.
        let plain = administrator_access();
        let a = admin(&[("mfa-admin", &d), (ADMIN_ARN, &plain)]);
        assert_eq!(a.via, [ADMIN_ARN]);
        assert!(a.conditions.is_empty());
        // An empty Condition is no condition.
        let empty =
            json!({"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{}}});
        assert!(admin(&[("empty", &empty)]).conditions.is_empty());
        // A boundary's condition is shown and attributed.
        let docs = [doc(ADMIN_ARN, &plain)];
        let a = administrator(&docs, Some(&doc("mfa-boundary", &d))).unwrap();
        assert!(a.is_admin);
        assert_eq!(
            a.conditions,
            ["Bool aws:MultiFactorAuthPresent = true and StringEquals aws:PrincipalTag/team = [ops, sec] (permissions boundary mfa-boundary)"]
        );
    }

    #[test]
    fn a_union_with_a_conditional_part_is_admin_under_that_condition() {
        let p = power_user_access();
        let iam = json!({"Statement":{"Effect":"Allow","Action":["iam:*","organizations:*","account:*"],
            "Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}});
        let a = admin(&[(POWER_USER, &p), ("iam-from-office", &iam)]);
        assert_eq!(a.via, [POWER_USER, "iam-from-office"]);
        assert_eq!(a.conditions, ["IpAddress aws:SourceIp = 203.0.113.0/24"]);
    }

    #[test]
    fn ordinary_permissions_need_no_explanation() {
        let read_only = json!({"Statement":[
            {"Effect":"Allow","Action":["s3:Get*","ec2:Describe*"],"Resource":"*"},
            {"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::secret/*"}]});
        let boundary = power_user_access();
        let docs = [doc("read-only", &read_only)];
        let a = administrator(&docs, Some(&doc(POWER_USER, &boundary))).unwrap();
        assert_eq!(
            a,
            AdminAnalysis {
                is_admin: false,
                via: vec![],
                conditions: vec![],
                limited_by: vec![]
            }
        );
        assert_eq!(administrator(&[], None).unwrap(), a);
    }

    #[test]
    fn long_conditions_are_truncated() {
        let values: Vec<String> = (0..1000).map(|i| format!("value-{i}")).collect();
        let d = json!({"Statement":{"Effect":"Allow","Action":"*","Resource":"*",
            "Condition":{"StringEquals":{"aws:PrincipalTag/x\n":values}}}});
        let a = admin(&[("long", &d)]);
        assert_eq!(a.conditions.len(), 1);
        let c = &a.conditions[0];
        assert!(
            c.chars().count() <= MAX_RENDER_CHARS + 1 && c.ends_with('…'),
            "{c}"
        );
        assert!(
            c.starts_with("StringEquals aws:PrincipalTag/x\\n = [value-0, value-1"),
            "{c}"
        );
    }

    #[test]
    fn many_notes_are_bounded() {
        let allow = administrator_access();
        let denies: Vec<Value> = (0..100)
            .map(|i| json!({"Effect":"Deny","Action":format!("s3:Get{i}"),"Resource":"*"}))
            .collect();
        let deny = json!({ "Statement": denies });
        let a = not_admin(&[(ADMIN_ARN, &allow), ("many", &deny)]);
        assert_eq!(a.limited_by.len(), MAX_NOTES + 1);
        assert_eq!(a.limited_by.last().unwrap(), "… and 68 more");
    }

    #[test]
    fn string_or_list_fields() {
        let one = json!({"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}});
        let lists = json!({"Statement":[{"Effect":"Allow","Action":["s3:*","*"],"Resource":["arn:aws:s3:::x","*"]}]});
        admin(&[("one", &one)]);
        admin(&[("lists", &lists)]);
        let no_statements = json!({"Version":"2008-10-17","Id":"x","Statement":[]});
        not_admin(&[("empty", &no_statements)]);
    }

    #[test]
    fn malformed_documents_are_errors_naming_the_policy() {
        let cases = [
            (json!("not an object"), "the document is a string, not an object"),
            (json!({"Version":"2012-10-17"}), "the document has no Statement"),
            (json!({"Statement":"Allow everything"}), "Statement is a string, not an object or a list"),
            (json!({"Statement":["x"]}), "statement 1: it is a string, not an object"),
            (
                json!({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Principal":"*"}]}),
                "statement 1: Principal is not valid in an identity policy",
            ),
            (
                json!({"Statement":{"Effect":"Allow","Action":"*","Resource":"*","NotPrincipal":{"AWS":"x"}}}),
                "statement: NotPrincipal is not valid in an identity policy",
            ),
            (
                json!({"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}),
                "statement 1: unknown Effect \"allow\" (Allow or Deny)",
            ),
            (json!({"Statement":[{"Action":"*","Resource":"*"}]}), "statement 1: it has no Effect"),
            (
                json!({"Statement":[{"Effect":"Allow","Action":["s3:*",5],"Resource":"*"}]}),
                "statement 1: Action has a number, not a string",
            ),
            (
                json!({"Statement":[{"Effect":"Allow","Action":"*","NotAction":"iam:*","Resource":"*"}]}),
                "statement 1: it has both Action and NotAction",
            ),
            (json!({"Statement":[{"Effect":"Allow","Resource":"*"}]}), "statement 1: it has neither Action nor NotAction"),
            (
                json!({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"x"}]}),
                "statement 1: it has both Resource and NotResource",
            ),
            (json!({"Statement":[{"Effect":"Allow","Action":"*"}]}), "statement 1: it has neither Resource nor NotResource"),
            (
                json!({"Statement":[{"Effect":"Allow","NotAction":[],"Resource":"*"}]}),
                "statement 1: NotAction is an empty list",
            ),
            (
                json!({"Statement":[{"Effect":"Allow","Action":"*","NotResource":[]}]}),
                "statement 1: NotResource is an empty list",
            ),
            (
                json!({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"k":{"x":1}}}}]}),
                "statement 1: Condition \"Bool\" \"k\" has an object, not a string, boolean, number or a list of those",
            ),
            (
                json!({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":[1]}}]}),
                "statement 1: Condition operator \"Bool\" has a list, not an object",
            ),
            (json!({"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Sid":1}]}), "statement 1: Sid is a number, not a string"),
            (json!({"Statement":[{"Effect":"Allow","action":"*","Resource":"*"}]}), "statement 1: unknown element \"action\""),
            (json!({"Version":"2020-01-01","Statement":[]}), "unknown Version \"2020-01-01\""),
            (json!({"Statement":[],"Extra":1}), "unknown element \"Extra\" in the document"),
        ];
        let good = administrator_access();
        for (bad, message) in &cases {
            // Malformed anywhere makes the whole analysis an error, even next to a full grant.
            let e = error(&[(ADMIN_ARN, &good), ("broken", bad)]);
            assert_eq!(
                e,
                PolicyError {
                    policy: "broken".into(),
                    message: (*message).into()
                },
                "{bad}"
            );
            assert_eq!(e.to_string(), format!("policy broken: {message}"));
            // And as a boundary.
            let docs = [doc(ADMIN_ARN, &good)];
            let e = administrator(&docs, Some(&doc("bad boundary", bad))).unwrap_err();
            assert_eq!(e.policy, "bad boundary");
        }
    }

    #[test]
    fn hostile_names_in_errors_are_bounded_and_escaped() {
        let long = format!("{}\u{7}", "x".repeat(10_000));
        let d = json!({"Statement":[{"Effect": long, "Action":"*","Resource":"*"}]});
        let e = error(&[("hostile", &d)]);
        assert!(
            e.message.len() < 200 && e.message.contains('…'),
            "{}",
            e.message
        );
    }

    #[test]
    fn decodes_url_encoded_documents() {
        let raw = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C\
                   %22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        assert_eq!(decode_document(raw).unwrap(), administrator_access());
        // Plain JSON is parsed as is, `%` and all.
        let plain =
            r#" {"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::100%"}}"#;
        assert_eq!(
            decode_document(plain).unwrap()["Statement"]["Resource"],
            "arn:aws:s3:::100%"
        );
        // `+` is not a space in RFC 3986.
        assert_eq!(decode_document("%22a+b%22").unwrap(), json!("a+b"));
        // Lower-case hex escapes, multi-byte UTF-8.
        assert_eq!(decode_document("%22caf%c3%a9%22").unwrap(), json!("café"));
    }

    #[test]
    fn undecodable_documents_are_errors() {
        for raw in [
            "%7B%2",
            "%7B%zz%7D",
            "%22%FF%22",
            "%7B%22a%22",
            "",
            "not json",
            "{\"a\":",
        ] {
            assert!(decode_document(raw).is_err(), "{raw}");
        }
        let huge = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_DOCUMENT_BYTES));
        assert!(decode_document(&huge).unwrap_err().contains("larger than"));
        let huge_encoded = format!("%22{}%22", "x".repeat(MAX_DOCUMENT_BYTES));
        assert!(decode_document(&huge_encoded)
            .unwrap_err()
            .contains("larger than"));
        let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(
            decode_document(&format!("%20{nested}")).is_err(),
            "deep nesting is refused, not a stack overflow"
        );
    }

    #[test]
    fn thousands_of_policies_stay_linear() {
        let statements: Vec<Value> = (0..10)
            .map(|i| {
                json!({"Sid": format!("S{i}"), "Effect": "Allow",
                       "Action": [format!("s3:Get{i}*"), format!("ec2:Describe{i}*"), "iam:List*"],
                       "Resource": format!("arn:aws:s3:::bucket-{i}/*")})
            })
            .collect();
        // One document under 5,000 labels: building distinct JSON would dominate a debug run.
        let document = json!({"Version":"2012-10-17","Statement": statements});
        let labels: Vec<String> = (0..5000).map(|i| format!("policy-{i}")).collect();
        let docs: Vec<Document<'_>> = labels.iter().map(|l| doc(l, &document)).collect();
        let a = administrator(&docs, None).unwrap();
        assert!(!a.is_admin);

        // The same with thousands of NotAction statements and includes to compare.
        let not_actions: Vec<Value> = (0..5000)
            .map(|i| {
                json!({"Statement":[
                {"Effect":"Allow","NotAction":["iam:*", format!("svc{i}:*")],"Resource":"*"},
                {"Effect":"Allow","Action":[format!("svc{i}:Get*"), "iam:*"],"Resource":"*"}]})
            })
            .collect();
        let docs: Vec<Document<'_>> = labels
            .iter()
            .zip(&not_actions)
            .map(|(l, d)| doc(l, d))
            .collect();
        let a = administrator(&docs, None).unwrap();
        assert!(
            a.is_admin,
            "svc0:* and svc1:* are disjoint once iam:* is allowed: {a:?}"
        );
        assert_eq!(a.via, ["policy-0", "policy-1"]);

        // Thousands of copies of one NotAction list: no pair search at all.
        let p = power_user_access();
        let docs: Vec<Document<'_>> = labels.iter().map(|l| doc(l, &p)).collect();
        assert!(!administrator(&docs, None).unwrap().is_admin);
    }

    #[test]
    fn many_distinct_not_action_statements_run_out_of_budget_as_an_error() {
        // No pattern is shared, yet every pair overlaps (`p1*` and `*q2` share `p1q2`): the pair
        // search is quadratic and must stop at the budget with an error, not run for minutes
        // or guess.
        let documents: Vec<Value> = (0..2000)
            .map(|i| json!({"Statement":{"Effect":"Allow","NotAction":[format!("p{i}*"), format!("*q{i}")],"Resource":"*"}}))
            .collect();
        let labels: Vec<String> = (0..2000).map(|i| format!("p{i}")).collect();
        let docs: Vec<Document<'_>> = labels
            .iter()
            .zip(&documents)
            .map(|(l, d)| doc(l, d))
            .collect();
        let e = administrator(&docs, None).unwrap_err();
        assert!(e.message.contains("too complex"), "{e}");
    }

    #[test]
    fn a_boundary_out_of_budget_is_an_error_naming_it() {
        let statements: Vec<Value> = (0..2000)
            .map(|i| json!({"Effect":"Allow","NotAction":[format!("p{i}*"), format!("*q{i}")],"Resource":"*"}))
            .collect();
        let boundary = json!({ "Statement": statements });
        let allow = administrator_access();
        let docs = [doc(ADMIN_ARN, &allow)];
        let e = administrator(&docs, Some(&doc("hostile boundary", &boundary))).unwrap_err();
        assert_eq!(e.policy, "hostile boundary");
    }

    #[test]
    fn pathological_globs_stay_fast() {
        let q = lowered("*a*a*a*a*a*a*a*b");
        let e: Vec<char> = "a".repeat(100_000).chars().collect();
        let mut budget = Budget(WORK_BUDGET);
        assert!(!covers(&q, &e, &mut budget).unwrap());
        let e: Vec<char> = format!("{}b", "a".repeat(100_000)).chars().collect();
        assert!(covers(&q, &e, &mut budget).unwrap());

        // Through the public interface: the include is compared with a long exclusion.
        let long = "a".repeat(50_000);
        let d = json!({"Statement":[
            {"Effect":"Allow","NotAction":long,"Resource":"*"},
            {"Effect":"Allow","Action":"*a*a*a*a*a*a*a*b","Resource":"*"}]});
        not_admin(&[("pathological", &d)]);
        let d = json!({"Statement":[
            {"Effect":"Allow","NotAction":format!("{long}b"),"Resource":"*"},
            {"Effect":"Allow","Action":"*a*a*a*a*a*a*a*b","Resource":"*"}]});
        admin(&[("pathological", &d)]);
    }

    #[test]
    fn glob_cover_is_sound() {
        let mut budget = Budget(WORK_BUDGET);
        let mut c = |q: &str, e: &str| covers(&lowered(q), &lowered(e), &mut budget).unwrap();
        assert!(c("iam:*", "iam:*"));
        assert!(c("iam:*", "iam:Get*"));
        assert!(c("*", "*"));
        assert!(c("iam:?et*", "iam:?et*"));
        assert!(c("iam:?etUser", "iam:GetUser"));
        assert!(!c("iam:?et*", "iam:*et*"), "`?` does not cover a `*`");
        assert!(!c("a?c", "a*c"));
        assert!(!c("iam:Get*", "iam:*"));
        assert!(
            !c("iam:GetUser", "iam:GetUse?"),
            "a literal does not cover a `?`"
        );
        assert!(c("*User", "iam:*User"));
        assert!(!c("*User", "iam:User*"));
    }

    #[test]
    fn glob_intersection_is_exact() {
        let mut budget = Budget(WORK_BUDGET);
        let mut i = |a: &str, b: &str| intersects(&lowered(a), &lowered(b), &mut budget).unwrap();
        assert!(i("iam:Get*", "*User"));
        assert!(i("iam:*", "IAM:GetUser"));
        assert!(i("a?c", "*b*"));
        assert!(i("*", ""));
        assert!(!i("iam:*", "s3:*"));
        assert!(!i("a?c", "a??c"));
        assert!(!i("a*b", "*c"));
        assert!(!i("ab", "a"));
        assert!(i("é?", "?é"), "`?` is one character, not one byte");
        assert!(!i("é", "??"));
    }

    fn restricts(documents: &[Value]) -> ScpRestriction {
        let labels: Vec<String> = (0..documents.len()).map(|i| format!("p{i}")).collect();
        let docs: Vec<Document> = documents
            .iter()
            .zip(&labels)
            .map(|(document, label)| Document { label, document })
            .collect();
        scp_restriction(&docs).unwrap()
    }

    #[test]
    fn scp_levels_restrict_by_content() {
        let allow = |actions: Value| json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":actions,"Resource":"*"}]});
        // FullAWSAccess, alone or twice: nothing is restricted.
        assert!(!restricts(&[administrator_access()]).restricts);
        assert!(!restricts(&[administrator_access(), allow(json!("*:*"))]).restricts);
        // An allow list restricts, unless something else at the level allows everything.
        let list = allow(json!(["s3:*", "ec2:*"]));
        let r = restricts(std::slice::from_ref(&list));
        assert!(r.restricts);
        assert!(r.by[0].contains("allow list"), "{:?}", r.by);
        assert!(!restricts(&[list, administrator_access()]).restricts);
        // Every action but a few, and those allowed by another policy: everything.
        assert!(!restricts(&[
            json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}),
            allow(json!("iam:*")),
        ])
        .restricts);
        // A Deny restricts, also under a condition; an Allow of everything under a
        // condition does not allow everything.
        let conditional_deny = json!({"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}]});
        let r = restricts(&[conditional_deny]);
        assert!(r.restricts);
        assert!(
            r.by[0].contains("when StringNotEquals aws:RequestedRegion = eu-west-1"),
            "{:?}",
            r.by
        );
        let conditional_allow = json!({"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]});
        assert!(restricts(&[conditional_allow]).restricts);
        // A Deny that provably denies nothing does not restrict.
        let nothing = json!({"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","NotAction":"*","Resource":"*"}]});
        assert!(!restricts(&[nothing]).restricts);
        // An unreadable document is an error naming it.
        let bad = json!({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Principal":"*"}]});
        let docs = [Document {
            label: "Broken (p-1)",
            document: &bad,
        }];
        assert!(scp_restriction(&docs)
            .unwrap_err()
            .to_string()
            .contains("Broken (p-1)"));
    }

    #[test]
    fn denials_of_an_action_as_aws_matches_them() {
        let denies = |statement: Value| -> Vec<ActionDenial> {
            let doc = json!({"Version":"2012-10-17","Statement":[statement]});
            denials_of(
                &Document {
                    label: "p",
                    document: &doc,
                },
                "organizations:LeaveOrganization",
            )
            .unwrap()
        };
        let unconditional = ActionDenial {
            condition: None,
            exempts_principals_only: true,
        };
        for action in [
            json!("organizations:LeaveOrganization"),
            json!("ORGANIZATIONS:leave*"),
            json!(["s3:*", "*"]),
            json!("organizations:Leave?rganization"),
        ] {
            assert_eq!(
                denies(json!({"Effect":"Deny","Action":action,"Resource":"*"})),
                std::slice::from_ref(&unconditional),
                "{action}"
            );
        }
        assert_eq!(
            denies(json!({"Effect":"Deny","NotAction":["iam:*"],"Resource":"*"})).len(),
            1
        );
        assert!(
            denies(json!({"Effect":"Deny","NotAction":["organizations:*"],"Resource":"*"}))
                .is_empty()
        );
        assert!(
            denies(json!({"Effect":"Deny","Action":"organizations:LeaveOrg","Resource":"*"}))
                .is_empty()
        );
        assert!(denies(json!({"Effect":"Allow","Action":"*","Resource":"*"})).is_empty());
        assert!(denies(
            json!({"Effect":"Deny","Action":"*","Resource":"arn:aws:organizations::*"})
        )
        .is_empty());
        assert!(
            denies(json!({"Effect":"Deny","Action":"*","NotResource":"arn:aws:s3:::x"})).is_empty(),
            "NotResource never counts"
        );
        let exempt = denies(json!({"Effect":"Deny","Action":"*","Resource":"*",
            "Condition":{"ArnNotLike":{"aws:PrincipalARN":["arn:aws:iam::*:role/BreakGlass"]},
                         "StringNotEqualsIfExists":{"aws:PrincipalTag/team":"platform"}}}));
        assert_eq!(exempt.len(), 1);
        assert!(exempt[0].exempts_principals_only);
        let conditional = denies(json!({"Effect":"Deny","Action":"*","Resource":"*",
            "Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/BreakGlass"},
                         "StringEquals":{"aws:RequestedRegion":"us-east-1"}}}));
        assert!(!conditional[0].exempts_principals_only);
        assert!(conditional[0]
            .condition
            .as_deref()
            .unwrap()
            .contains("aws:RequestedRegion"));
    }
}
