//! The shapes of the views rules read ([`super::view`]): which field paths
//! exist, and which of them are sections that may be unavailable. Built
//! once from the reference snapshot, they are what rule paths are checked
//! against at load time.

use std::collections::{BTreeMap, BTreeSet};

use cel::common::types::{CelBool, CelDouble, CelInt, CelMap, CelMapKey, CelString, CelUInt};
use cel::common::value::Val;
use serde_json::Value as Json;

use super::facts_ser::to_readable_facts;
use super::view::{org_accounts, org_view_with};
use crate::snapshot::reference::{reference_of, reference_snapshot_json};
use crate::snapshot::sections::{OrganizationSections, Step};
use crate::snapshot::{Sections, Snapshot};

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
    /// The shape of a CEL value of the facts.
    pub fn of_val(value: &dyn Val) -> Shape {
        if let Some(map) = value.downcast_ref::<CelMap>() {
            return Shape::Object(
                map.inner()
                    .iter()
                    .filter_map(|(k, v)| match k {
                        CelMapKey::String(s) => Some((s.inner().to_string(), Shape::of_val(&**v))),
                        _ => None,
                    })
                    .collect(),
            );
        }
        if let Ok(items) = <&[Box<dyn Val>]>::try_from(value) {
            return Shape::List(Box::new(
                items
                    .first()
                    .map(|v| Shape::of_val(&**v))
                    .unwrap_or(Shape::Any),
            ));
        }
        if value.downcast_ref::<CelString>().is_some() {
            Shape::Scalar("string")
        } else if value.downcast_ref::<CelInt>().is_some()
            || value.downcast_ref::<CelUInt>().is_some()
            || value.downcast_ref::<CelDouble>().is_some()
        {
            Shape::Scalar("number")
        } else if value.downcast_ref::<CelBool>().is_some() {
            Shape::Scalar("bool")
        } else {
            Shape::Any
        }
    }

    /// Adds the fields of `other` to `self` (derived facts to the facts
    /// they are derived from, as [`super::merge::merge`] does with values).
    fn merge(&mut self, other: Shape) {
        match (self, other) {
            (Shape::Object(a), Shape::Object(b)) => {
                for (k, v) in b {
                    match a.get_mut(&k) {
                        Some(existing) => existing.merge(v),
                        None => {
                            a.insert(k, v);
                        }
                    }
                }
            }
            (Shape::List(a), Shape::List(b)) => a.merge(*b),
            _ => {}
        }
    }

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

/// The paths of the sections in `value`, as rule paths spell them (`[]`
/// for any element of a list); `name` gives the name of a field.
fn section_paths(
    value: &dyn Sections,
    name: impl Fn(&'static str) -> &'static str,
) -> BTreeSet<Vec<String>> {
    let mut out = BTreeSet::new();
    value.walk(&mut Vec::new(), &mut |at, _| {
        out.insert(
            at.iter()
                .map(|step| match step {
                    Step::Field(f) => name(f).to_string(),
                    Step::Region(_) | Step::Index(_) => "[]".to_string(),
                })
                .collect(),
        );
    });
    out
}

impl ViewShapes {
    pub fn reference() -> &'static ViewShapes {
        static SHAPES: std::sync::OnceLock<ViewShapes> = std::sync::OnceLock::new();
        SHAPES.get_or_init(|| {
            let snapshot: Snapshot = serde_json::from_value(reference_snapshot_json())
                .expect("reference snapshot deserializes");
            let account = &snapshot.accounts[0];
            let mut account_shape = Shape::of_val(&*to_readable_facts(account).expect("converts"));
            account_shape.merge(Shape::of(&reference_of::<crate::analysis::AccountDerived>()));
            let mut org = Shape::of_val(&*org_view_with(
                &snapshot,
                Json::Array(org_accounts(&snapshot)),
            ));
            // Every field of the derived facts, known or not here.
            if let Shape::Object(fields) = &mut org {
                if let Some(Shape::List(item)) = fields.get_mut("accounts") {
                    item.merge(Shape::of(&serde_json::json!({
                        "scp": reference_of::<crate::analysis::scp::AccountScp>()
                    })));
                }
            }
            ViewShapes {
                account_sections: section_paths(account, |f| f),
                org_sections: section_paths(
                    &snapshot.organization_sections(),
                    OrganizationSections::view_name,
                ),
                scan_sections: section_paths(&snapshot.scan, |f| f),
                account: account_shape,
                org,
                scan: Shape::of_val(&*to_readable_facts(&snapshot.scan).expect("converts")),
            }
        })
    }
}
