//! What rules see: the snapshot as CEL values.
//!
//! Sections are unwrapped: an `ok` section becomes its data; a section that
//! failed or was not collected becomes an *unavailable marker*, a map whose
//! only key is [`UNAVAILABLE_KEY`] with the reason. A rule that reads through a
//! marker is ERROR (checked before evaluation, and any field access on the
//! marker fails at run time too), never PASS.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cel::common::traits::{Adder, Comparer, Container, Indexer, Iterable, Sizer, Zeroer};
use cel::common::types::Type;
use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString,
};
use cel::common::value::{Builtin, BuiltinRef, CowVal, Val};
use cel::ExecutionError;
use serde_json::Value as Json;
use std::sync::Arc;

use crate::analysis::Accounts;
use crate::snapshot::{Account, Snapshot};

/// The key of the marker that replaces an unavailable section.
pub const UNAVAILABLE_KEY: &str = "__unavailable__";

/// Unwraps sections in a JSON tree (see the module docs).
pub fn unwrap_sections(json: Json) -> Json {
    match json {
        Json::Object(map) => {
            if let Some(reason) = section_state(&map) {
                return match reason {
                    SectionState::Ok => unwrap_sections(
                        map.into_iter()
                            .find(|(k, _)| k == "data")
                            .map(|(_, v)| v)
                            .unwrap_or(Json::Null),
                    ),
                    SectionState::Unavailable(reason) => marker(reason),
                };
            }
            Json::Object(
                map.into_iter()
                    .map(|(k, v)| (k, unwrap_sections(v)))
                    .collect(),
            )
        }
        Json::Array(items) => Json::Array(items.into_iter().map(unwrap_sections).collect()),
        other => other,
    }
}

enum SectionState {
    Ok,
    Unavailable(String),
}

fn section_state(map: &serde_json::Map<String, Json>) -> Option<SectionState> {
    if map.len() != 2 {
        return None;
    }
    let status = map.get("status")?.as_str()?;
    match status {
        "ok" if map.contains_key("data") => Some(SectionState::Ok),
        "error" => {
            let e = map.get("error")?;
            let field = |k: &str| {
                e.get(k)
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let error = crate::snapshot::CollectError {
                operation: field("operation"),
                code: field("code"),
                message: field("message"),
                region: e.get("region").and_then(Json::as_str).map(str::to_string),
            };
            Some(SectionState::Unavailable(error.to_string()))
        }
        "not_collected" => {
            let reason = map.get("reason")?.as_str()?;
            Some(SectionState::Unavailable(format!(
                "{NOT_COLLECTED}{reason}"
            )))
        }
        _ => None,
    }
}

fn marker(reason: String) -> Json {
    let mut m = serde_json::Map::new();
    m.insert(UNAVAILABLE_KEY.to_string(), Json::String(reason));
    Json::Object(m)
}

/// A CEL value the engine evaluates against (a map, list or scalar).
pub type Facts = Box<dyn Val>;

/// A map or list of the facts, shared rather than copied: the interpreter
/// copies every element a comprehension (`exists`, `all`, `filter`) visits,
/// and a copy of a shared value is a reference count, not a deep copy of an
/// IAM user with its keys, groups and policies. It is the map or list in
/// every other respect: each operation is the wrapped value's.
#[derive(Debug, Clone)]
pub struct Shared(Arc<dyn Val>);

impl Shared {
    pub(crate) fn boxed(value: impl Val + 'static) -> Facts {
        Box::new(Shared(Arc::new(value)))
    }
}

impl Val for Shared {
    fn get_type(&self) -> &Type {
        self.0.get_type()
    }

    fn cel_type() -> &'static Type {
        // A map or a list: no static type; never named in an overload.
        unreachable!("Shared has no static CEL type")
    }

    fn as_adder<'b, 'v>(&'b self) -> Option<&'b (dyn Adder + 'v)>
    where
        Self: 'v,
    {
        self.0.as_adder()
    }

    fn as_comparer(&self) -> Option<&dyn Comparer> {
        self.0.as_comparer()
    }

    fn as_container(&self) -> Option<&dyn Container> {
        self.0.as_container()
    }

    fn as_indexer<'b, 'v>(&'b self) -> Option<&'b (dyn Indexer + 'v)>
    where
        Self: 'v,
    {
        self.0.as_indexer()
    }

    fn into_indexer<'v>(self: Box<Self>) -> Option<Box<dyn Indexer + 'v>>
    where
        Self: 'v,
    {
        self.0.as_indexer()?;
        Some(self)
    }

    fn as_iterable<'b, 'v>(&'b self) -> Option<&'b (dyn Iterable + 'v)>
    where
        Self: 'v,
    {
        self.0.as_iterable()
    }

    fn as_sizer(&self) -> Option<&dyn Sizer> {
        self.0.as_sizer()
    }

    fn as_zeroer(&self) -> Option<&dyn Zeroer> {
        self.0.as_zeroer()
    }

    fn equals(&self, other: &dyn Val) -> bool {
        self.0.equals(other)
    }

    fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v>
    where
        Self: 'v,
    {
        Box::new(self.clone())
    }

    fn as_builtin<'b, 'v>(&'b self) -> BuiltinRef<'b, 'v>
    where
        Self: 'v,
    {
        self.0.as_builtin()
    }

    fn into_builtin<'v>(self: Box<Self>) -> Option<Builtin<'v>>
    where
        Self: 'v,
    {
        // Rare (a shared value moved out of a temporary): a copy.
        self.0.clone_as_boxed().into_builtin()
    }
}

impl Indexer for Shared {
    fn get<'b, 'v>(&'b self, idx: &dyn Val) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        match self.0.as_indexer() {
            Some(indexer) => indexer.get(idx),
            None => Err(ExecutionError::UnexpectedType {
                got: self.0.get_type().name().to_owned(),
                want: "map or list".to_owned(),
            }),
        }
    }

    fn steal<'v>(self: Box<Self>, idx: &dyn Val) -> Result<Box<dyn Val + 'v>, ExecutionError>
    where
        Self: 'v,
    {
        self.get(idx).map(CowVal::into_owned)
    }
}

/// Converts JSON to a CEL value, taking the strings over.
pub fn to_val(json: Json) -> Facts {
    match json {
        Json::Null => Box::new(CelNull),
        Json::Bool(b) => Box::new(CelBool::from(b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Box::new(CelInt::from(i)),
            None => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        },
        Json::String(s) => Box::new(CelString::from(s)),
        Json::Array(items) => Shared::boxed(CelList::from(
            items.into_iter().map(to_val).collect::<Vec<_>>(),
        )),
        Json::Object(map) => Shared::boxed(CelMap::from(
            map.into_iter()
                .map(|(k, v)| (CelMapKey::from(k), to_val(v)))
                .collect::<HashMap<_, _>>(),
        )),
    }
}

/// The value of field `name` of a map value.
pub fn field<'a>(value: &'a dyn Val, name: &str) -> Option<&'a dyn Val> {
    // Our maps are records of a dozen fields: a scan beats hashing the name.
    let map = value.downcast_ref::<CelMap>()?;
    map.inner().iter().find_map(|(k, v)| match k {
        CelMapKey::String(s) if s.inner() == name => Some(&**v),
        _ => None,
    })
}

/// If `value` is an unavailable marker, its reason.
pub fn unavailable_reason(value: &dyn Val) -> Option<&str> {
    let map = value.downcast_ref::<CelMap>()?;
    if map.len() != 1 {
        return None;
    }
    <&str>::try_from(field(value, UNAVAILABLE_KEY)?).ok()
}

/// A copy of `value` without its unavailable sections: every map entry whose
/// value is an unavailable marker is removed, so that reading it fails at run
/// time (`has()` of it is false).
pub fn without_unavailable(value: &(dyn Val + 'static)) -> Facts {
    if let Some(map) = value.downcast_ref::<CelMap>() {
        return Shared::boxed(CelMap::from(
            map.inner()
                .iter()
                .filter(|(_, v)| unavailable_reason(&***v).is_none())
                .map(|(k, v)| (k.clone().into_static(), without_unavailable(&**v)))
                .collect::<HashMap<_, _>>(),
        ));
    }
    if let Ok(items) = <&[Box<dyn Val>]>::try_from(value) {
        return Shared::boxed(CelList::from(
            items
                .iter()
                .map(|v| without_unavailable(&**v))
                .collect::<Vec<_>>(),
        ));
    }
    value.clone_as_boxed()
}

/// Follows a field path (`["iam", "users", "[]", "mfa_devices"]`) through a
/// value and returns the first unavailable section met on the way.
pub fn find_unavailable<'a, S: AsRef<str>>(value: &'a dyn Val, path: &[S]) -> Option<&'a str> {
    if let Some(reason) = unavailable_reason(value) {
        return Some(reason);
    }
    let (first, rest) = path.split_first()?;
    let first = first.as_ref();
    if first == "[]" {
        let items = <&[Box<dyn Val>]>::try_from(value).ok()?;
        return items
            .iter()
            .find_map(|item| find_unavailable(&**item, rest));
    }
    find_unavailable(field(value, first)?, rest)
}

/// Reads a string field of a map value.
pub fn string_field(value: &dyn Val, name: &str) -> Option<String> {
    field(value, name)
        .and_then(|v| <&str>::try_from(v).ok())
        .map(str::to_string)
}

/// An account's facts as rules see them (sections unwrapped), and the
/// account's lines of [`account_incomplete`].
pub fn account_facts(account: &Account, accounts: &Accounts<'_>) -> (Facts, Vec<String>) {
    let facts = super::facts_ser::to_facts(account).expect("account converts");
    let derived = super::facts_ser::to_facts(&crate::analysis::derive(account, accounts))
        .expect("derived facts convert");
    // Only an account with a failed section is looked at again, as JSON, to
    // name the sections that failed.
    let incomplete = if has_failed_section(&*facts) {
        let json = serde_json::to_value(account).expect("account serializes");
        account_incomplete(account, &json)
    } else {
        Vec::new()
    };
    (super::merge::merge(&*facts, &*derived), incomplete)
}

/// The unavailable marker for `reason`.
pub fn marker_facts(reason: String) -> Facts {
    to_val(marker(reason))
}

/// Whether a section of `facts` failed (one not collected does not count).
fn has_failed_section(facts: &dyn Val) -> bool {
    if let Some(reason) = unavailable_reason(facts) {
        return !reason.starts_with(NOT_COLLECTED);
    }
    if let Some(map) = facts.downcast_ref::<CelMap>() {
        return map.inner().values().any(|v| has_failed_section(&**v));
    }
    if let Ok(items) = <&[Box<dyn Val>]>::try_from(facts) {
        return items.iter().any(|v| has_failed_section(&**v));
    }
    false
}

/// How the reason of a section that was not collected begins.
pub(crate) const NOT_COLLECTED: &str = "not collected: ";

/// The CEL views of one snapshot shared by all accounts: `org`, `mgmt` and
/// `scan`. Each account's own facts are converted when it is evaluated
/// ([`account_facts`]), so that only the accounts in flight are held.
pub struct SnapshotView {
    pub org: Facts,
    pub mgmt: Facts,
    pub scan: Facts,
}

impl SnapshotView {
    pub fn new(snapshot: &Snapshot, accounts: &Accounts<'_>) -> SnapshotView {
        let mgmt = match snapshot.management() {
            Some(a) => account_facts(a, accounts).0,
            None => to_val(marker("the snapshot has no management account".to_string())),
        };
        let scan = unwrap_sections(serde_json::to_value(&snapshot.scan).expect("scan serializes"));
        SnapshotView {
            org: to_val(org_view(snapshot)),
            mgmt,
            scan: to_val(scan),
        }
    }
}

/// The `org` variable: the organization, its features, Identity Center, its
/// policies, the management account's buckets, its security services
/// (delegated administrators, GuardDuty's organization configuration, IAM
/// Access Analyzers) and the accounts' metadata
/// (not their facts), each with `email_shared_with`: the names of (up to
/// five) other accounts that have the same root e-mail, and `scp`: the
/// account's derived SCP facts ([`crate::analysis::scp`]).
pub fn org_view(snapshot: &Snapshot) -> Json {
    let mut org = serde_json::Map::new();
    org.insert(
        "organization".into(),
        unwrap_sections(serde_json::to_value(&snapshot.organization).expect("serializes")),
    );
    org.insert(
        "features".into(),
        unwrap_sections(serde_json::to_value(&snapshot.organization_features).expect("serializes")),
    );
    org.insert(
        "identity_center".into(),
        unwrap_sections(serde_json::to_value(&snapshot.identity_center).expect("serializes")),
    );
    org.insert(
        "policies".into(),
        unwrap_sections(serde_json::to_value(&snapshot.policies).expect("serializes")),
    );
    org.insert(
        "management_buckets".into(),
        unwrap_sections(serde_json::to_value(&snapshot.management_buckets).expect("serializes")),
    );
    org.insert(
        "security_services".into(),
        unwrap_sections(serde_json::to_value(&snapshot.security_services).expect("serializes")),
    );
    // Derived once for the organization: each account's SCP facts.
    let mut scp = crate::analysis::scp::derive(snapshot);
    // The organization's accounts: every one Organizations lists (a partial
    // scan holds only some of them), else the snapshot's.
    let management_id = snapshot
        .organization
        .data()
        .map(|o| o.management_account_id.as_str())
        .unwrap_or_default();
    let listed: Vec<Json> = match snapshot
        .organization
        .data()
        .and_then(|o| o.accounts.as_ref())
    {
        Some(all) => all
            .iter()
            .map(|a| metadata(a.clone(), a.id == management_id))
            .collect(),
        None => snapshot
            .accounts
            .iter()
            .map(|a| metadata(a.into(), a.is_management))
            .collect(),
    };
    // Accounts sharing a root e-mail (compared case-insensitively), computed
    // once here so that rules need not compare every pair of accounts.
    // Closed accounts are not judged, and their e-mail is not "in use".
    let field = |a: &Json, k: &str| a[k].as_str().unwrap_or_default().to_string();
    let mut by_email: std::collections::HashMap<String, Vec<String>> = Default::default();
    for a in listed.iter().filter(|a| a["status"] == "ACTIVE") {
        by_email
            .entry(field(a, "email").to_lowercase())
            .or_default()
            .push(field(a, "name"));
    }
    org.insert(
        "accounts".into(),
        Json::Array(
            listed
                .into_iter()
                .map(|mut m| {
                    let (name, email) = (field(&m, "name"), field(&m, "email").to_lowercase());
                    // At most a few names: enough to say "shared with X",
                    // bounded even when thousands of accounts share one.
                    let others: Vec<Json> = by_email
                        .get(&email)
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                        .iter()
                        .filter(|n| **n != name)
                        .take(5)
                        .map(|n| Json::String(n.clone()))
                        .collect();
                    m["email_shared_with"] = Json::Array(others);
                    if let Some(facts) = scp.remove(field(&m, "id").as_str()) {
                        m["scp"] = serde_json::to_value(facts).expect("serializes");
                    }
                    m
                })
                .collect(),
        ),
    );
    Json::Object(org)
}

/// An account's metadata as `org.accounts` lists it.
fn metadata(a: crate::snapshot::OrganizationAccount, is_management: bool) -> Json {
    let mut m = serde_json::to_value(a).expect("serializes");
    m["is_management"] = Json::Bool(is_management);
    m
}

/// The shape of a view: which field paths exist. Built from the reference
/// snapshot, it is what rule paths are checked against at load time.
#[derive(Debug, Clone)]
pub enum Shape {
    Object(BTreeMap<String, Shape>),
    List(Box<Shape>),
    Scalar(&'static str),
    /// Anything (params of list type, values of unknown structure).
    Any,
}

impl Shape {
    pub fn of(json: &Json) -> Shape {
        match json {
            Json::Object(m) => {
                Shape::Object(m.iter().map(|(k, v)| (k.clone(), Shape::of(v))).collect())
            }
            Json::Array(items) => {
                Shape::List(Box::new(items.first().map(Shape::of).unwrap_or(Shape::Any)))
            }
            Json::String(_) => Shape::Scalar("string"),
            Json::Number(_) => Shape::Scalar("number"),
            Json::Bool(_) => Shape::Scalar("bool"),
            Json::Null => Shape::Any,
        }
    }

    /// Follows one path segment; `Err` explains why it does not exist.
    pub fn step(&self, segment: &str) -> Result<&Shape, String> {
        match (self, segment) {
            (Shape::Any, _) => Ok(self),
            (Shape::List(item), "[]") => Ok(item),
            (Shape::Object(fields), s) if s != "[]" => fields.get(s).ok_or_else(|| {
                let known: Vec<&str> = fields.keys().map(String::as_str).collect();
                format!("no field `{s}` (fields here: {})", known.join(", "))
            }),
            (Shape::Scalar(kind), s) => {
                Err(format!("`{s}` read from a {kind}, which has no fields"))
            }
            (Shape::List(_), s) => Err(format!(
                "`{s}` read from a list (iterate it with all/exists/map)"
            )),
            (Shape::Object(_), _) => Err("a map is not a list".to_string()),
        }
    }
}

/// The shapes of the variables rules see, from the reference snapshot.
pub struct ViewShapes {
    pub account: Shape,
    pub org: Shape,
    pub scan: Shape,
    /// The paths (within `account`/`mgmt`, `org`, `scan`) of sections: data
    /// that may be unavailable.
    pub account_sections: BTreeSet<Vec<String>>,
    pub org_sections: BTreeSet<Vec<String>>,
    pub scan_sections: BTreeSet<Vec<String>>,
}

/// The paths of the sections in a (not unwrapped) snapshot JSON tree.
fn section_paths(json: &Json, at: &mut Vec<String>, out: &mut BTreeSet<Vec<String>>) {
    match json {
        Json::Object(map) => {
            if let Some(state) = section_state(map) {
                out.insert(at.clone());
                if let (SectionState::Ok, Some(data)) = (state, map.get("data")) {
                    section_paths(data, at, out);
                }
                return;
            }
            for (k, v) in map {
                at.push(k.clone());
                section_paths(v, at, out);
                at.pop();
            }
        }
        Json::Array(items) => {
            at.push("[]".to_string());
            for item in items {
                section_paths(item, at, out);
            }
            at.pop();
        }
        _ => {}
    }
}

impl ViewShapes {
    pub fn reference() -> &'static ViewShapes {
        static SHAPES: std::sync::OnceLock<ViewShapes> = std::sync::OnceLock::new();
        SHAPES.get_or_init(|| {
            let json = crate::snapshot::reference::reference_snapshot_json();
            let snapshot: Snapshot =
                serde_json::from_str(&json.to_string()).expect("reference snapshot deserializes");
            let account_json = serde_json::to_value(&snapshot.accounts[0]).expect("serializes");
            let scan_json = serde_json::to_value(&snapshot.scan).expect("serializes");
            let org_json = serde_json::json!({
                "organization": snapshot.organization,
                "features": snapshot.organization_features,
                "identity_center": snapshot.identity_center,
                "policies": snapshot.policies,
                "management_buckets": snapshot.management_buckets,
                "security_services": snapshot.security_services,
            });
            let sections = |json: &Json| {
                let mut out = BTreeSet::new();
                section_paths(json, &mut Vec::new(), &mut out);
                out
            };
            let mut account_view = unwrap_sections(account_json.clone());
            merge_json(
                &mut account_view,
                crate::snapshot::reference::reference_of::<crate::analysis::AccountDerived>(),
            );
            ViewShapes {
                account_sections: sections(&account_json),
                org_sections: sections(&org_json),
                scan_sections: sections(&scan_json),
                account: Shape::of(&account_view),
                org: Shape::of(&{
                    let mut org = org_view(&snapshot);
                    // Every field of the derived facts, known or not here.
                    for a in org["accounts"].as_array_mut().into_iter().flatten() {
                        merge_json(
                            a,
                            serde_json::json!({
                                "scp": crate::snapshot::reference::reference_of::<
                                    crate::analysis::scp::AccountScp,
                                >()
                            }),
                        );
                    }
                    org
                }),
                scan: Shape::of(&unwrap_sections(scan_json)),
            }
        })
    }
}

/// Adds the fields of `derived` to `into`, as [`super::merge::merge`] does
/// with facts (for the reference shapes).
fn merge_json(into: &mut Json, derived: Json) {
    match (into, derived) {
        (Json::Object(a), Json::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) => merge_json(existing, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (Json::Array(a), Json::Array(b)) => {
            for (x, y) in a.iter_mut().zip(b) {
                merge_json(x, y);
            }
        }
        _ => {}
    }
}

/// The organization's sections that failed, one line each (see
/// [`account_incomplete`] for the accounts').
pub fn organization_incomplete(snapshot: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    for (name, json) in [
        ("organization", serde_json::to_value(&snapshot.organization)),
        (
            "organization_features",
            serde_json::to_value(&snapshot.organization_features),
        ),
        (
            "identity_center",
            serde_json::to_value(&snapshot.identity_center),
        ),
        ("policies", serde_json::to_value(&snapshot.policies)),
        (
            "management_buckets",
            serde_json::to_value(&snapshot.management_buckets),
        ),
        (
            "security_services",
            serde_json::to_value(&snapshot.security_services),
        ),
    ] {
        let mut found = Vec::new();
        failed_sections(&json.expect("serializes"), name.to_string(), &mut found);
        out.extend(
            found
                .into_iter()
                .map(|(p, r)| format!("organization: {p}: {r}")),
        );
    }
    out
}

/// An account's sections that failed, one line each:
/// `account 111111111111 (dev): iam.users: iam:ListUsers failed: AccessDenied`.
/// Sections never attempted because of another failure are not repeated.
/// `json`: the account as JSON.
pub fn account_incomplete(account: &Account, json: &Json) -> Vec<String> {
    let mut found = Vec::new();
    failed_sections(json, String::new(), &mut found);
    found
        .into_iter()
        .map(|(path, reason)| {
            format!(
                "account {} ({}): {}: {}",
                account.id,
                account.name,
                path.trim_start_matches('.'),
                reason
            )
        })
        .collect()
}

fn failed_sections(json: &Json, path: String, out: &mut Vec<(String, String)>) {
    let mut at: Vec<Segment> = Vec::new();
    failed_sections_at(json, &mut at, &mut |at, reason| {
        let mut p = path.clone();
        for seg in at {
            match seg {
                Segment::Key(k) => {
                    p.push('.');
                    p.push_str(k);
                }
                Segment::Region(r) => {
                    p.push('[');
                    p.push_str(r);
                    p.push(']');
                }
                Segment::Index(i) => {
                    p.push_str(&format!("[{i}]"));
                }
            }
        }
        out.push((p, reason));
    });
}

/// A step of the path to a failed section, spelled out only when one fails.
enum Segment<'a> {
    Key(&'a str),
    Region(&'a str),
    Index(usize),
}

fn failed_sections_at<'a>(
    json: &'a Json,
    at: &mut Vec<Segment<'a>>,
    found: &mut impl FnMut(&[Segment<'a>], String),
) {
    match json {
        Json::Object(map) => {
            if let Some(state) = section_state(map) {
                match state {
                    SectionState::Unavailable(reason) => {
                        if map.get("status").and_then(Json::as_str) == Some("error") {
                            found(at, reason);
                        }
                    }
                    SectionState::Ok => {
                        if let Some(data) = map.get("data") {
                            failed_sections_at(data, at, found);
                        }
                    }
                }
                return;
            }
            for (k, v) in map {
                if matches!(v, Json::Object(_) | Json::Array(_)) {
                    at.push(Segment::Key(k));
                    failed_sections_at(v, at, found);
                    at.pop();
                }
            }
        }
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if !matches!(item, Json::Object(_) | Json::Array(_)) {
                    continue;
                }
                at.push(match item.get("region").and_then(Json::as_str) {
                    Some(r) => Segment::Region(r),
                    None => Segment::Index(i),
                });
                failed_sections_at(item, at, found);
                at.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shared maps and lists behave as the plain ones in every operation the
    /// rules use, on either side of an operator.
    #[test]
    fn shared_values_are_maps_and_lists() {
        let facts = to_val(unwrap_sections(serde_json::json!({
            "l": [1, 2],
            "m": {"a": 1},
            "ms": [{"a": 1, "tags": ["x"]}, {"a": 2, "tags": []}],
            "s": {"status": "error", "error": {"operation": "iam:GetX", "code": "AccessDenied", "message": "no"}},
        })));
        let mut ctx = cel::Context::with_env(super::super::expr::env());
        ctx.add_variable_as_val("account", facts.clone_as_boxed());
        let ctx = ctx;
        for src in [
            "account.l + [3] == [1, 2, 3]",
            "[0] + account.l == [0, 1, 2]",
            "2 in account.l",
            "'a' in account.m",
            "account.m == {'a': 1}",
            "{'a': 1} == account.m",
            "size(account.m) == 1 && size(account.l) == 2",
            "account.l.map(x, x * 2) == [2, 4]",
            "account.ms.exists(m, m.a == 2 && size(m.tags) == 0)",
            "account.ms.filter(m, 'x' in m.tags).map(m, m.a) == [1]",
            "account.m.all(k, k == 'a')",
            "type(account.m) == map && type(account.l) == list",
            "account.ms[1].a == 2",
            "has(account.m.a) && !has(account.m.b)",
        ] {
            let e = super::super::expr::Expr::compile(src, &["account"]).unwrap();
            assert_eq!(e.run(&ctx), Ok(cel::Value::Bool(true)), "{src}");
        }
        let marker = field(&*facts, "s").unwrap();
        assert_eq!(
            unavailable_reason(marker),
            Some(
                crate::snapshot::CollectError {
                    operation: "iam:GetX".into(),
                    code: "AccessDenied".into(),
                    message: "no".into(),
                    region: None
                }
                .to_string()
                .as_str()
            )
        );
        assert!(field(&*without_unavailable(&*facts), "s").is_none());
        assert_eq!(
            find_unavailable(&*facts, &["s", "x"]),
            unavailable_reason(marker)
        );
    }
}
