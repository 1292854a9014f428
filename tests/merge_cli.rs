//! `orgaudit merge`: shard snapshots joined into one that `eval` judges as
//! the snapshot of one scan; shards that cannot belong together refused
//! (exit 2, naming the files, nothing written); missing shards reported and
//! the merged snapshot marked incomplete (exit 3), never silently smaller.
//!
//! The shards here are cut from fixture snapshots the way `scan --shard K/N`
//! cuts an organization (tests/fanout_moto.rs does it with real scans).

mod support {
    pub mod cli;
    pub mod snapshots;
}

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use support::snapshots::{list_accounts, read};

/// A whole-organization snapshot as schema 1.1 writes it: with the
/// organization's account list.
fn whole(path: &str) -> Value {
    whole_of(&read(path))
}

/// `whole` with its account list made from its accounts again.
fn whole_of(d: &Value) -> Value {
    let mut d = d.clone();
    list_accounts(&mut d);
    d["management_trails"] =
        json!({"status": "not_collected", "reason": "the management account is in the snapshot"});
    d
}

/// Shard k of n of `whole`, as `scan --shard k/n` writes it.
fn shard(whole: &Value, k: u64, n: u64) -> Value {
    let mut d = whole.clone();
    let accounts: Vec<Value> = whole["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["id"].as_str().unwrap().parse::<u64>().unwrap() % n == k - 1)
        .cloned()
        .collect();
    let has_management = accounts.iter().any(|a| a["is_management"] == true);
    if !has_management {
        let management = whole["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["is_management"] == true)
            .unwrap();
        d["management_trails"] = management["cloudtrail"].clone();
    }
    d["accounts"] = Value::Array(accounts);
    d["scan"]["shard"] = json!({"index": k, "count": n});
    d
}

struct Run {
    code: i32,
    stderr: String,
}

fn orgaudit(args: &[&str]) -> Run {
    let out = support::cli::orgaudit().args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

fn merge(dir: &Path, shards: &[&PathBuf], extra: &[&str]) -> (Run, PathBuf) {
    let out = dir.join("merged.json");
    let mut args: Vec<&str> = vec!["merge"];
    args.extend(shards.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--output", out.to_str().unwrap()]);
    args.extend(extra);
    (orgaudit(&args), out)
}

/// `eval -f json`: the exit code and the findings document.
fn eval(snapshot: &Path, extra: &[&str]) -> (i32, Value) {
    let out = snapshot.with_extension("findings.json");
    let mut args = vec![
        "eval",
        snapshot.to_str().unwrap(),
        "-f",
        "json",
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    let run = orgaudit(&args);
    let report = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    (run.code, report)
}

fn findings(report: &Value) -> Vec<String> {
    let mut v: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn all_shards_merged_are_judged_as_the_whole_scan() {
    let dir = tempfile::tempdir().unwrap();
    let whole = whole("fixtures/demo-org.json");
    let single = write(dir.path(), "single.json", &whole);
    let n = 3;
    // Given in any order.
    let paths: Vec<PathBuf> = [3, 1, 2]
        .iter()
        .map(|&k| write(dir.path(), &format!("shard-{k}.json"), &shard(&whole, k, n)))
        .collect();
    let refs: Vec<&PathBuf> = paths.iter().collect();
    let (run, merged) = merge(dir.path(), &refs, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("7 accounts from 3 of 3 shards"),
        "{}",
        run.stderr
    );
    let m = read(merged.to_str().unwrap());
    assert_eq!(m["scan"]["merge"]["shards"], json!([1, 2, 3]));
    assert_eq!(m["scan"]["merge"]["missing_accounts"], json!([]));
    assert!(m["scan"].get("shard").is_none());
    assert_eq!(m["management_trails"], whole["management_trails"]);

    let (code_single, single_report) = eval(&single, &[]);
    let (code_merged, merged_report) = eval(&merged, &[]);
    assert_eq!(code_merged, code_single);
    assert_eq!(findings(&merged_report), findings(&single_report));
    assert_eq!(merged_report["accounts"], single_report["accounts"]);
    assert_eq!(merged_report["warnings"], single_report["warnings"]);

    // diff of the whole scan against the merge: nothing new, nothing fixed.
    let out = support::cli::orgaudit()
        .args(["diff", single.to_str().unwrap(), merged.to_str().unwrap()])
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    for k in ["new_failures", "fixed", "unverified"] {
        assert_eq!(d[k], json!([]), "{k}: {d:#}");
    }
}

#[test]
fn a_missing_shard_makes_the_merge_incomplete_never_smaller() {
    let dir = tempfile::tempdir().unwrap();
    // base.json: the management account 111111111111 (shard 2 of 2) and a
    // member 222222222222 (shard 1 of 2); alone, each is clean.
    let whole = whole("fixtures/rules/base.json");
    let member_shard = write(dir.path(), "shard-1.json", &shard(&whole, 1, 2));
    let (run, merged) = merge(dir.path(), &[&member_shard], &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("shard 2/2 missing")
            && run
                .stderr
                .contains("1 account of the organization not scanned: 111111111111"),
        "{}",
        run.stderr
    );
    let m = read(merged.to_str().unwrap());
    assert_eq!(m["scan"]["merge"]["missing_shards"], json!([2]));
    assert_eq!(
        m["scan"]["merge"]["missing_accounts"],
        json!(["111111111111"])
    );
    assert_eq!(m["accounts"].as_array().unwrap().len(), 2);

    // Eval: the missing account's rules are ERROR (the reachability rule
    // too: it was not tried), exit 3 unless --allow-incomplete.
    let (code, report) = eval(&merged, &[]);
    assert_eq!(code, 3, "{report:#}");
    let missing: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["account_id"] == "111111111111")
        .collect();
    // What it says about itself is unknown; what the organization's
    // account list says of it (its e-mail) is still judged.
    let errors = missing.iter().filter(|f| f["status"] == "ERROR").count();
    assert!(errors > 10, "{missing:?}");
    assert!(missing.iter().all(|f| f["status"] != "FAIL"), "{missing:?}");
    assert!(
        report["warnings"].to_string().contains("incomplete merge"),
        "{}",
        report["warnings"]
    );
    assert!(report["source"]["incomplete"]
        .to_string()
        .contains("shards 2/2 missing"));
    let (code, _) = eval(&merged, &["--allow-incomplete"]);
    assert_eq!(code, 0);
    let (run, _) = merge(dir.path(), &[&member_shard], &["--allow-incomplete"]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // A missing member shard: its member ERROR, not FAIL of reachability.
    let mgmt_shard = write(dir.path(), "shard-2.json", &shard(&whole, 2, 2));
    let (run, merged) = merge(dir.path(), &[&mgmt_shard], &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let (code, report) = eval(&merged, &[]);
    assert_eq!(code, 3, "{report:#}");
    let reach: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["account_id"] == "222222222222" && f["rule_id"] == "org-access-role-assumable"
        })
        .collect();
    assert_eq!(reach.len(), 1);
    assert_eq!(reach[0]["status"], "ERROR", "{}", reach[0]);
    assert!(reach[0]["message"]
        .as_str()
        .unwrap()
        .contains("missing from the merge"));
}

/// Exit 2, the file named, nothing written.
fn refused(dir: &Path, shards: &[&PathBuf], expect: &[&str]) {
    let (run, out) = merge(dir, shards, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    for e in expect {
        assert!(run.stderr.contains(e), "`{e}` not in: {}", run.stderr);
    }
    assert!(!out.exists(), "{} written", out.display());
}

#[test]
fn shards_that_do_not_belong_together_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let whole = whole("fixtures/demo-org.json");
    let s1 = write(dir.path(), "s1.json", &shard(&whole, 1, 2));
    let s2 = write(dir.path(), "s2.json", &shard(&whole, 2, 2));

    // Another organization.
    let mut other = shard(&whole, 2, 2);
    other["organization"]["data"]["id"] = "o-other00000".into();
    let other = write(dir.path(), "other-org.json", &other);
    refused(
        dir.path(),
        &[&s1, &other],
        &["other-org.json", "o-other00000", "o-demo1234ab"],
    );

    // Another schema version.
    let mut old = shard(&whole, 2, 2);
    old["schema_version"] = "1.0".into();
    let old = write(dir.path(), "old.json", &old);
    refused(
        dir.path(),
        &[&s1, &old],
        &["old.json", "schema_version 1.0"],
    );

    // The same shard twice (the same accounts twice).
    let again = write(dir.path(), "again.json", &shard(&whole, 1, 2));
    refused(
        dir.path(),
        &[&s1, &again],
        &["s1.json", "again.json", "both shard 1/2"],
    );
    refused(dir.path(), &[&s1, &s1], &["both shard 1/2"]);

    // Shards of different counts.
    let third = write(dir.path(), "third.json", &shard(&whole, 2, 3));
    refused(dir.path(), &[&s1, &third], &["third.json", "2/3", "1/2"]);

    // An account that is not its shard's.
    let mut stray = shard(&whole, 2, 2);
    let foreign = shard(&whole, 1, 2)["accounts"][0].clone();
    stray["accounts"]
        .as_array_mut()
        .unwrap()
        .push(foreign.clone());
    let stray = write(dir.path(), "stray.json", &stray);
    refused(
        dir.path(),
        &[&s1, &stray],
        &[
            "stray.json",
            foreign["id"].as_str().unwrap(),
            "does not belong to shard 2/2",
        ],
    );

    // A snapshot of a whole scan, and a merge fed back.
    let single = write(dir.path(), "single.json", &whole);
    refused(
        dir.path(),
        &[&single],
        &["single.json", "not limited by --shard"],
    );
    let (run, merged) = merge(dir.path(), &[&s1, &s2], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let merged_again = dir.path().join("merged-again.json");
    std::fs::rename(&merged, &merged_again).unwrap();
    refused(dir.path(), &[&merged_again], &["itself a merged snapshot"]);

    // Truncated, a findings document, not JSON at all, absent.
    let text = std::fs::read_to_string(&s2).unwrap();
    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, &text[..text.len() / 2]).unwrap();
    refused(dir.path(), &[&s1, &truncated], &["truncated.json"]);
    let (_, report) = eval(&single, &[]);
    let findings_doc = write(dir.path(), "findings.json", &report);
    refused(
        dir.path(),
        &[&s1, &findings_doc],
        &["findings.json", "not an orgaudit snapshot"],
    );
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, b"\x00\xffnot json").unwrap();
    refused(dir.path(), &[&s1, &garbage], &["garbage.json"]);
    refused(
        dir.path(),
        &[&s1, &dir.path().join("absent.json")],
        &["absent.json"],
    );

    // The output is one of the inputs.
    let run = orgaudit(&[
        "merge",
        s1.to_str().unwrap(),
        s2.to_str().unwrap(),
        "-o",
        s2.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("input file"), "{}", run.stderr);
}

/// "Agree" means: every shard that read an organization-wide section (`ok`)
/// read the same facts, field by field. A shard whose copy failed does not
/// count against the others.
#[test]
fn organization_wide_facts_must_agree() {
    let dir = tempfile::tempdir().unwrap();
    let whole = whole("fixtures/demo-org.json");
    let s1 = write(dir.path(), "s1.json", &shard(&whole, 1, 2));

    let mut changed = shard(&whole, 2, 2);
    changed["identity_center"]["data"]["instances"][0]["permission_sets"][0]["name"] =
        "Renamed".into();
    let changed = write(dir.path(), "changed.json", &changed);
    refused(
        dir.path(),
        &[&s1, &changed],
        &[
            "s1.json",
            "changed.json",
            "disagree on `identity_center`",
            "instances[0].permission_sets[0].name",
        ],
    );

    let mut ous = shard(&whole, 2, 2);
    ous["organization"]["data"]["organizational_units"]
        .as_array_mut()
        .unwrap()
        .pop();
    let ous = write(dir.path(), "ous.json", &ous);
    refused(
        dir.path(),
        &[&s1, &ous],
        &["disagree on `organization`", "organizational_units"],
    );

    let mut regions = shard(&whole, 2, 2);
    regions["scan"]["regions"] = json!(["us-east-1"]);
    let regions = write(dir.path(), "regions.json", &regions);
    refused(dir.path(), &[&s1, &regions], &["scan.regions"]);

    // One shard could not read the features; the other's copy is taken.
    let mut denied = shard(&whole, 2, 2);
    denied["organization_features"] = json!({"status": "error", "error": {
        "operation": "iam:ListOrganizationsFeatures", "code": "ThrottlingException",
        "message": "Rate exceeded", "region": null}});
    let denied = write(dir.path(), "denied.json", &denied);
    let (run, merged) = merge(dir.path(), &[&s1, &denied], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        read(merged.to_str().unwrap())["organization_features"],
        whole["organization_features"]
    );
}

#[test]
fn shards_collected_far_apart_are_a_warning_with_the_spread() {
    let dir = tempfile::tempdir().unwrap();
    let whole = whole("fixtures/demo-org.json");
    let s1 = write(dir.path(), "s1.json", &shard(&whole, 1, 2));
    let mut late = shard(&whole, 2, 2);
    late["collected_at"] = "2026-11-20T12:00:00Z".into();
    late["scan"]["finished_at"] = "2026-11-20T12:00:00Z".into();
    let late = write(dir.path(), "late.json", &late);
    let (run, merged) = merge(dir.path(), &[&s1, &late], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: the shards were collected 3.0 h apart")
            && run.stderr.contains("late.json at 2026-11-20T12:00:00Z"),
        "{}",
        run.stderr
    );
    let m = read(merged.to_str().unwrap());
    assert_eq!(m["scan"]["merge"]["collection_spread_seconds"], 10800);
    // Ages are measured from the latest shard.
    assert_eq!(m["collected_at"], "2026-11-20T12:00:00Z");
    // A missing shard that, by the account list, holds no account: said,
    // and the merge is complete.
    let mut d = whole.clone();
    d["accounts"]
        .as_array_mut()
        .unwrap()
        .retain(|a| a["id"] == "111111111111");
    let only = write(dir.path(), "only-shard-1.json", &shard(&whole_of(&d), 1, 3));
    let (run, _) = merge(dir.path(), &[&only], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("shards 2, 3 of 3 not given") && run.stderr.contains("complete"),
        "{}",
        run.stderr
    );
    // Within the limit: no warning.
    let (run, _) = merge(dir.path(), &[&s1, &late], &["--max-spread", "240"]);
    assert!(!run.stderr.contains("apart"), "{}", run.stderr);
}
