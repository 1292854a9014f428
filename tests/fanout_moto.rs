//! The fan-out of docs/scale.md, run locally: N `orgaudit scan --shard K/N`
//! processes at once against moto (as N pods of an Indexed Job, N array
//! children, N matrix jobs would run), their snapshots merged, the merge
//! evaluated: the findings equal a single-process scan's, byte for byte
//! once sorted.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use support::moto::Moto;
use support::seed;

fn orgaudit(endpoint: &str) -> Command {
    let mut c = support::cli::orgaudit_std_against(endpoint);
    c.stdout(Stdio::null()).stderr(Stdio::piped());
    c
}

fn scan(endpoint: &str, snapshot: &Path, shard: Option<(u32, u32)>) -> Command {
    let mut c = orgaudit(endpoint);
    c.args(["scan", "--regions", "us-east-1,eu-west-1", "--no-progress"])
        .args(["--max-attempts", "2", "--retry-backoff-ms", "10"])
        .arg("--save-snapshot")
        .arg(snapshot);
    if let Some((k, n)) = shard {
        c.args(["--shard", &format!("{k}/{n}")]);
    }
    c
}

/// The findings of `eval SNAPSHOT -f json`, each as its JSON text, sorted.
fn findings(endpoint: &str, snapshot: &Path) -> (Vec<String>, Value) {
    let out = orgaudit(endpoint)
        .args(["eval", "-f", "json"])
        .arg(snapshot)
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "eval {}: {out:?}",
        snapshot.display()
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut f: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.to_string())
        .collect();
    f.sort();
    (f, report)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_scanned_concurrently_and_merged_equal_one_scan() {
    seed::use_test_environment();
    let Some(moto) = Moto::start() else { return };
    seed::scenario(&moto.endpoint()).await;
    let endpoint = moto.endpoint();
    let dir = tempfile::tempdir().unwrap();

    let single = dir.path().join("single.json");
    let out = scan(&endpoint, &single, None).output().unwrap();
    assert!(single.exists(), "single scan: {out:?}");

    const N: u32 = 3;
    let shards: Vec<PathBuf> = (1..=N)
        .map(|k| dir.path().join(format!("shard-{k}-of-{N}.json")))
        .collect();
    // All at once, as a batch engine starts them.
    let children: Vec<_> = shards
        .iter()
        .zip(1..=N)
        .map(|(path, k)| scan(&endpoint, path, Some((k, N))).spawn().unwrap())
        .collect();
    for (child, path) in children.into_iter().zip(&shards) {
        let out = child.wait_with_output().unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}: {out:?}",
            path.display()
        );
        assert!(path.exists(), "{} not written: {out:?}", path.display());
    }

    let merged = dir.path().join("merged.json");
    let out = orgaudit(&endpoint)
        .arg("merge")
        .args(&shards)
        .arg("--output")
        .arg(&merged)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("from 3 of 3 shards"), "{stderr}");

    let (expected, single_report) = findings(&endpoint, &single);
    let (got, merged_report) = findings(&endpoint, &merged);
    assert!(expected.len() > 50, "{}", expected.len());
    assert_eq!(got, expected);
    assert_eq!(merged_report["accounts"], single_report["accounts"]);
    assert_eq!(merged_report["summary"], single_report["summary"]);

    // Every shard held part of the organization and the organization-wide
    // facts; together, every account once.
    let mut ids: Vec<String> = Vec::new();
    for path in &shards {
        let s: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        ids.extend(
            s["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_string()),
        );
    }
    ids.sort();
    let all: Vec<String> = single_report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, all);
}
