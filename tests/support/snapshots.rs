//! Snapshot documents as JSON values, for tests that build shards and
//! whole-organization snapshots from the fixtures.
#![allow(dead_code)]

use serde_json::Value;

/// A JSON file, parsed.
pub fn read(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Gives a snapshot the organization's account list (as schema 1.1 and
/// later write it), made from the accounts it holds.
pub fn list_accounts(d: &mut Value) {
    let listed: Vec<Value> = d["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let mut m = serde_json::Map::new();
            for k in [
                "id",
                "arn",
                "name",
                "email",
                "status",
                "joined_method",
                "joined_timestamp",
                "parent_id",
                "ou_path",
            ] {
                m.insert(k.to_string(), a[k].clone());
            }
            Value::Object(m)
        })
        .collect();
    d["organization"]["data"]["accounts"] = Value::Array(listed);
}
