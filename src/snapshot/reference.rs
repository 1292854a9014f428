//! A fully populated reference snapshot, generated from the JSON Schema: every
//! optional field set, every list with one element, every section `ok`.
//!
//! Rule validation walks its shape: a field path a rule reads that is absent
//! here does not exist in the model, so it is a typo.

use serde_json::{Map, Value};

use super::schema::snapshot_schema;

/// The reference snapshot as JSON.
pub fn reference_snapshot_json() -> Value {
    reference_json(snapshot_schema())
}

/// A fully populated example of any type with a JSON Schema (the derived
/// facts' shapes are checked the same way as the snapshot's).
pub fn reference_of<T: schemars::JsonSchema>() -> Value {
    reference_json(serde_json::to_value(schemars::schema_for!(T)).expect("schema serializes"))
}

fn reference_json(schema: Value) -> Value {
    let defs = schema
        .get("$defs")
        .cloned()
        .unwrap_or(Value::Object(Map::new()));
    example(&schema, &defs, 0)
}

fn example(schema: &Value, defs: &Value, depth: usize) -> Value {
    if depth > 64 {
        return Value::Null;
    }
    let Some(obj) = schema.as_object() else {
        return Value::Null;
    };
    if let Some(Value::String(r)) = obj.get("$ref") {
        let name = r.rsplit('/').next().unwrap_or_default();
        return match defs.get(name) {
            Some(def) => example(def, defs, depth + 1),
            None => Value::Null,
        };
    }
    if let Some(c) = obj.get("const") {
        return c.clone();
    }
    if let Some(Value::Array(values)) = obj.get("enum") {
        return values
            .iter()
            .find(|v| !v.is_null())
            .cloned()
            .unwrap_or(Value::Null);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(variants)) = obj.get(key) {
            // A section: take its `ok` variant. An option: take the value.
            let ok = variants.iter().find(|v| {
                v.pointer("/properties/status/const") == Some(&Value::String("ok".into()))
            });
            let chosen = ok.or_else(|| {
                variants
                    .iter()
                    .find(|v| v.get("type") != Some(&Value::String("null".into())))
            });
            if let Some(v) = chosen {
                return example(v, defs, depth + 1);
            }
        }
    }
    if let Some(Value::Array(all)) = obj.get("allOf") {
        if let Some(first) = all.first() {
            return example(first, defs, depth + 1);
        }
    }
    let ty = match obj.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ => "object",
    };
    match ty {
        "object" => {
            let mut out = Map::new();
            if let Some(Value::Object(props)) = obj.get("properties") {
                for (name, prop) in props {
                    out.insert(name.clone(), example(prop, defs, depth + 1));
                }
            }
            Value::Object(out)
        }
        "array" => match obj.get("items") {
            Some(items) => Value::Array(vec![example(items, defs, depth + 1)]),
            None => Value::Array(vec![]),
        },
        "string" => Value::String("example".into()),
        "integer" => Value::from(1),
        "number" => Value::from(1.5),
        "boolean" => Value::Bool(true),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_snapshot_is_a_valid_snapshot() {
        let json = reference_snapshot_json();
        let snapshot: crate::snapshot::Snapshot =
            serde_json::from_str(&json.to_string()).expect("reference deserializes");
        assert!(snapshot.organization.is_ok());
        let account = &snapshot.accounts[0];
        assert!(account.iam.password_policy.data().unwrap().is_some());
        assert!(account.config[0].compliance.is_ok());
        assert!(account.budgets.data().unwrap()[0].notifications[0]
            .subscribers
            .is_ok());
    }
}
