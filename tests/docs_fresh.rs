//! Generated documents in docs/ must match the code. Regenerate with
//! `UPDATE_DOCS=1 cargo test --test docs_fresh`.

fn check(path: &str, generated: String) {
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "{path} is stale: regenerate it with `UPDATE_DOCS=1 cargo test --test docs_fresh`"
    );
}

#[test]
fn snapshot_schema_is_fresh() {
    check(
        "docs/snapshot.schema.json",
        orgaudit::snapshot::schema::snapshot_schema_json(),
    );
}

#[test]
fn iam_policy_is_fresh() {
    check(
        "docs/iam-policy.json",
        orgaudit::collect::permissions::iam_policy_json(),
    );
}
