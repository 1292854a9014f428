//! What rules see: the snapshot as CEL values.
//!
//! Sections are unwrapped: an `ok` section becomes its data; a section that
//! failed or was not collected becomes an *unavailable marker*, a map whose
//! only key is [`UNAVAILABLE_KEY`] with the reason. A rule that reads through a
//! marker is ERROR (checked before evaluation, and any field access on the
//! marker fails at run time too), never PASS.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use cel::objects::Key;
use serde_json::Value as Json;

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
                "not collected: {reason}"
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

/// Converts JSON to a CEL value.
pub fn to_cel(json: &Json) -> cel::Value {
    match json {
        Json::Null => cel::Value::Null,
        Json::Bool(b) => cel::Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => cel::Value::Int(i),
            None => cel::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => cel::Value::String(Arc::new(s.clone())),
        Json::Array(items) => cel::Value::List(Arc::new(items.iter().map(to_cel).collect())),
        Json::Object(map) => {
            let m: HashMap<Key, cel::Value> = map
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), to_cel(v)))
                .collect();
            cel::Value::Map(cel::objects::Map { map: Arc::new(m) })
        }
    }
}

/// If `value` is an unavailable marker, its reason.
pub fn unavailable_reason(value: &cel::Value) -> Option<&str> {
    if let cel::Value::Map(m) = value {
        if m.map.len() == 1 {
            if let Some(cel::Value::String(s)) = m
                .map
                .get(&Key::String(Arc::new(UNAVAILABLE_KEY.to_string())))
            {
                return Some(s.as_str());
            }
        }
    }
    None
}

/// A copy of `value` without its unavailable sections: every map entry whose
/// value is an unavailable marker is removed, so that reading it fails at run
/// time (`has()` of it is false).
pub fn without_unavailable(value: &cel::Value) -> cel::Value {
    match value {
        cel::Value::Map(m) => {
            let map: HashMap<Key, cel::Value> = m
                .map
                .iter()
                .filter(|(_, v)| unavailable_reason(v).is_none())
                .map(|(k, v)| (k.clone(), without_unavailable(v)))
                .collect();
            cel::Value::Map(cel::objects::Map { map: Arc::new(map) })
        }
        cel::Value::List(items) => {
            cel::Value::List(Arc::new(items.iter().map(without_unavailable).collect()))
        }
        other => other.clone(),
    }
}

/// Follows a field path (`["iam", "users", "[]", "mfa_devices"]`) through a
/// value and returns the first unavailable section met on the way.
pub fn find_unavailable<'a>(value: &'a cel::Value, path: &[String]) -> Option<&'a str> {
    if let Some(reason) = unavailable_reason(value) {
        return Some(reason);
    }
    let (first, rest) = path.split_first()?;
    match value {
        cel::Value::List(items) if first == "[]" => {
            items.iter().find_map(|item| find_unavailable(item, rest))
        }
        cel::Value::Map(m) => m
            .map
            .get(&Key::String(Arc::new(first.clone())))
            .and_then(|v| find_unavailable(v, rest)),
        _ => None,
    }
}

/// Reads a string field of a map value.
pub fn string_field(value: &cel::Value, field: &str) -> Option<String> {
    if let cel::Value::Map(m) = value {
        if let Some(cel::Value::String(s)) = m.map.get(&Key::String(Arc::new(field.to_string()))) {
            return Some(s.to_string());
        }
    }
    None
}

/// The CEL views of one snapshot: `org`, `mgmt`, `scan` and each account.
pub struct SnapshotView {
    pub org: cel::Value,
    pub mgmt: cel::Value,
    pub scan: cel::Value,
    pub accounts: Vec<cel::Value>,
}

impl SnapshotView {
    /// Converts a snapshot once; rules then evaluate against these values.
    pub fn new(snapshot: &Snapshot) -> SnapshotView {
        let accounts_json: Vec<Json> = snapshot
            .accounts
            .iter()
            .map(|a| unwrap_sections(serde_json::to_value(a).expect("account serializes")))
            .collect();
        let org = org_view(snapshot);
        let mgmt = match snapshot.accounts.iter().position(|a| a.is_management) {
            Some(i) => accounts_json[i].clone(),
            None => marker("the snapshot has no management account".to_string()),
        };
        let scan = unwrap_sections(serde_json::to_value(&snapshot.scan).expect("scan serializes"));
        SnapshotView {
            org: to_cel(&org),
            mgmt: to_cel(&mgmt),
            scan: to_cel(&scan),
            accounts: accounts_json.iter().map(to_cel).collect(),
        }
    }
}

/// The `org` variable: the organization, its features, Identity Center and
/// the accounts' metadata (not their facts), each with `email_shared_with`:
/// the names of (up to five) other accounts that have the same root e-mail.
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
    // Accounts sharing a root e-mail (compared case-insensitively), computed
    // once here so that rules need not compare every pair of accounts.
    let mut by_email: std::collections::HashMap<String, Vec<&str>> = Default::default();
    for a in &snapshot.accounts {
        by_email
            .entry(a.email.to_lowercase())
            .or_default()
            .push(a.name.as_str());
    }
    org.insert(
        "accounts".into(),
        Json::Array(
            snapshot
                .accounts
                .iter()
                .map(|a| {
                    let mut m = account_metadata(a);
                    // At most a few names: enough to say "shared with X",
                    // bounded even when thousands of accounts share one.
                    let others: Vec<Json> = by_email[&a.email.to_lowercase()]
                        .iter()
                        .filter(|n| **n != a.name)
                        .take(5)
                        .map(|n| Json::String(n.to_string()))
                        .collect();
                    m["email_shared_with"] = Json::Array(others);
                    m
                })
                .collect(),
        ),
    );
    Json::Object(org)
}

fn account_metadata(a: &Account) -> Json {
    serde_json::json!({
        "id": a.id,
        "arn": a.arn,
        "name": a.name,
        "email": a.email,
        "status": a.status,
        "joined_method": a.joined_method,
        "joined_timestamp": a.joined_timestamp,
        "parent_id": a.parent_id,
        "ou_path": a.ou_path,
        "is_management": a.is_management,
    })
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
}

impl ViewShapes {
    pub fn reference() -> &'static ViewShapes {
        static SHAPES: std::sync::OnceLock<ViewShapes> = std::sync::OnceLock::new();
        SHAPES.get_or_init(|| {
            let json = crate::snapshot::reference::reference_snapshot_json();
            let snapshot: Snapshot =
                serde_json::from_value(json).expect("reference snapshot deserializes");
            let account =
                unwrap_sections(serde_json::to_value(&snapshot.accounts[0]).expect("serializes"));
            ViewShapes {
                account: Shape::of(&account),
                org: Shape::of(&org_view(&snapshot)),
                scan: Shape::of(&unwrap_sections(
                    serde_json::to_value(&snapshot.scan).expect("serializes"),
                )),
            }
        })
    }
}

/// Every section of the snapshot that failed, one line each:
/// `account 111111111111 (dev): iam.users: iam:ListUsers failed: AccessDenied`.
/// Sections never attempted because of another failure are not repeated.
pub fn incomplete_parts(snapshot: &Snapshot) -> Vec<String> {
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
    ] {
        let mut found = Vec::new();
        failed_sections(&json.expect("serializes"), name.to_string(), &mut found);
        out.extend(
            found
                .into_iter()
                .map(|(p, r)| format!("organization: {p}: {r}")),
        );
    }
    for account in &snapshot.accounts {
        let mut found = Vec::new();
        failed_sections(
            &serde_json::to_value(account).expect("serializes"),
            String::new(),
            &mut found,
        );
        for (path, reason) in found {
            out.push(format!(
                "account {} ({}): {}: {}",
                account.id,
                account.name,
                path.trim_start_matches('.'),
                reason
            ));
        }
    }
    out
}

fn failed_sections(json: &Json, path: String, out: &mut Vec<(String, String)>) {
    match json {
        Json::Object(map) => {
            if let Some(state) = section_state(map) {
                match state {
                    SectionState::Unavailable(reason) => {
                        if map.get("status").and_then(Json::as_str) == Some("error") {
                            out.push((path, reason));
                        }
                    }
                    SectionState::Ok => {
                        if let Some(data) = map.get("data") {
                            failed_sections(data, path, out);
                        }
                    }
                }
                return;
            }
            for (k, v) in map {
                failed_sections(v, format!("{path}.{k}"), out);
            }
        }
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let label = item
                    .get("region")
                    .and_then(Json::as_str)
                    .map(|r| format!("[{r}]"))
                    .unwrap_or_else(|| format!("[{i}]"));
                failed_sections(item, format!("{path}{label}"), out);
            }
        }
        _ => {}
    }
}
