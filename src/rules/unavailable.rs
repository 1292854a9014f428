//! Unavailable sections in the facts rules see.
//!
//! A section that failed or was not collected becomes an *unavailable
//! marker*: a map whose only key is [`UNAVAILABLE_KEY`], holding what the
//! section recorded (its `status` and `error` or `reason`), or, for a fact
//! that is not known, why. A rule that reads
//! through a marker is ERROR (checked before evaluation, and any field
//! access on the marker fails at run time too), never PASS.

use std::collections::HashMap;

use cel::common::types::{CelList, CelMap, CelMapKey, CelString};
use cel::common::value::Val;

use super::value::{field, Facts, Shared};
use crate::findings::MissingFacts;
use crate::snapshot::CollectError;

/// The key of the marker that replaces an unavailable section.
pub const UNAVAILABLE_KEY: &str = "__unavailable__";

/// The marker for a section whose record (`status` and `error` or
/// `reason`) is `record`.
pub fn marker(record: Facts) -> Facts {
    let mut m = HashMap::with_capacity(1);
    m.insert(CelMapKey::from(UNAVAILABLE_KEY), record);
    Shared::boxed(CelMap::from(m))
}

/// The marker for facts that are not known for `reason`: the snapshot does
/// not have them (`mgmt` without the management account). A derived fact
/// that is not known serializes as the same marker
/// ([`crate::analysis::UNKNOWN_KEY`]).
pub fn unknown(reason: &str) -> Facts {
    marker(Box::new(CelString::from(reason.to_string())))
}

/// The record of a marker.
fn record(value: &dyn Val) -> Option<&dyn Val> {
    let map = value.downcast_ref::<CelMap>()?;
    if map.len() != 1 {
        return None;
    }
    field(value, UNAVAILABLE_KEY)
}

/// Whether `value` is an unavailable marker.
pub fn is_unavailable(value: &dyn Val) -> bool {
    record(value).is_some()
}

/// If `value` is an unavailable marker, why the facts are unavailable.
pub fn missing_facts(value: &dyn Val) -> Option<MissingFacts> {
    let record = record(value)?;
    if let Ok(reason) = <&str>::try_from(record) {
        return Some(MissingFacts::Unknown(reason.to_string()));
    }
    let text = |value: Option<&dyn Val>, name: &str| -> Option<String> {
        value
            .and_then(|v| field(v, name))
            .and_then(|v| <&str>::try_from(v).ok())
            .map(str::to_string)
    };
    Some(match text(Some(record), "status").as_deref() {
        Some("error") => {
            let error = field(record, "error");
            MissingFacts::Failed(CollectError {
                operation: text(error, "operation").unwrap_or_default(),
                code: text(error, "code").unwrap_or_default(),
                message: text(error, "message").unwrap_or_default(),
                region: text(error, "region"),
            })
        }
        _ => MissingFacts::NotCollected(text(Some(record), "reason").unwrap_or_default()),
    })
}

/// A copy of `value` without its unavailable sections: every map entry whose
/// value is an unavailable marker is removed, so that reading it fails at run
/// time (`has()` of it is false).
pub fn without_unavailable(value: &(dyn Val + 'static)) -> Facts {
    if let Some(map) = value.downcast_ref::<CelMap>() {
        return Shared::boxed(CelMap::from(
            map.inner()
                .iter()
                .filter(|(_, v)| !is_unavailable(&***v))
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

/// An unavailable section met on a field path.
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    /// How many segments of the path lead to it.
    pub depth: usize,
    pub marker: &'a dyn Val,
}

impl Found<'_> {
    /// Why the section is unavailable.
    pub fn missing(&self) -> MissingFacts {
        missing_facts(self.marker).expect("a marker was found")
    }
}

/// Follows a field path (`["iam", "users", "[]", "mfa_devices"]`) through a
/// value and returns the first unavailable section met on the way.
pub fn find_unavailable<'a, S: AsRef<str>>(value: &'a dyn Val, path: &[S]) -> Option<Found<'a>> {
    find_at(value, path, 0)
}

fn find_at<'a, S: AsRef<str>>(value: &'a dyn Val, path: &[S], depth: usize) -> Option<Found<'a>> {
    if is_unavailable(value) {
        return Some(Found {
            depth,
            marker: value,
        });
    }
    let (first, rest) = path.split_first()?;
    let first = first.as_ref();
    if first == "[]" {
        let items = <&[Box<dyn Val>]>::try_from(value).ok()?;
        return items
            .iter()
            .find_map(|item| find_at(&**item, rest, depth + 1));
    }
    find_at(field(value, first)?, rest, depth + 1)
}

#[cfg(test)]
mod tests {
    use super::super::expr::Expr;
    use super::super::value::to_val;
    use super::*;
    use crate::snapshot::Section;

    /// Shared maps and lists behave as the plain ones in every operation the
    /// rules use, on either side of an operator; a marker says why its
    /// section is unavailable and is left out of the stripped view.
    #[test]
    fn markers_and_shared_values() {
        let error = CollectError {
            operation: "iam:GetX".into(),
            code: "AccessDenied".into(),
            message: "no".into(),
            region: None,
        };
        let mut facts = to_val(serde_json::json!({
            "l": [1, 2],
            "m": {"a": 1},
            "ms": [{"a": 1, "tags": ["x"]}, {"a": 2, "tags": []}],
        }));
        let section: Section<Vec<String>> = Section::error(error.clone());
        facts = super::super::merge::merge(
            &*facts,
            &*marker_map("s", super::super::facts_ser::to_facts(&section).unwrap()),
        );
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
            let e = Expr::compile(src, &["account"]).unwrap();
            assert_eq!(e.run(&ctx), Ok(cel::Value::Bool(true)), "{src}");
        }
        let marker = field(&*facts, "s").unwrap();
        assert_eq!(missing_facts(marker), Some(MissingFacts::Failed(error)));
        assert!(field(&*without_unavailable(&*facts), "s").is_none());
        let found = find_unavailable(&*facts, &["s", "x"]).unwrap();
        assert_eq!(found.depth, 1);
        assert_eq!(Some(found.missing()), missing_facts(marker));
        let unknown = unknown("gone");
        assert_eq!(
            missing_facts(&*unknown),
            Some(MissingFacts::Unknown("gone".into()))
        );
        assert_eq!(missing_facts(&*unknown).unwrap().to_string(), "gone");
    }

    fn marker_map(key: &str, value: Facts) -> Facts {
        let mut m = HashMap::new();
        m.insert(CelMapKey::from(key.to_string()), value);
        Shared::boxed(CelMap::from(m))
    }
}
