//! The facts as CEL values: the value type rules are evaluated against,
//! shared rather than copied, built from JSON or read field by field.

use std::collections::HashMap;
use std::sync::Arc;

use cel::common::traits::{Adder, Comparer, Container, Indexer, Iterable, Sizer, Zeroer};
use cel::common::types::Type;
use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString,
};
use cel::common::value::{Builtin, BuiltinRef, CowVal, Val};
use cel::ExecutionError;
use serde_json::Value as Json;

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

/// Reads a string field of a map value.
pub fn string_field(value: &dyn Val, name: &str) -> Option<String> {
    field(value, name)
        .and_then(|v| <&str>::try_from(v).ok())
        .map(str::to_string)
}
