//! The JSON Schema of the snapshot, generated from the model.

use super::Snapshot;

/// The snapshot's JSON Schema as pretty JSON (the text of `docs/snapshot.schema.json`).
pub fn snapshot_schema_json() -> String {
    let schema = schemars::schema_for!(Snapshot);
    let mut text = serde_json::to_string_pretty(&schema).expect("schema serializes");
    text.push('\n');
    text
}

/// The schema as a JSON value.
pub fn snapshot_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Snapshot)).expect("schema serializes")
}
