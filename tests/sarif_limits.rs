//! SARIF within GitHub code scanning's upload limits: at most 5,000 results
//! per run (the most GitHub keeps of a run; it rejects more than 25,000),
//! 20 runs per file and 10 MB gzip-compressed per file, with nothing left
//! out. Checked on the benchmark's 10,000-account report and, through the
//! command line, on the demo organization.

#[path = "../benches/support/synthetic_report.rs"]
mod synthetic_report;

use std::collections::{BTreeSet, HashSet};
use std::io::Write;

use orgaudit::findings::Status;
use orgaudit::report::sarif::{plan, Limits, FINGERPRINT_KEY};

fn gzip_len(bytes: &[u8]) -> usize {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap().len()
}

#[test]
fn a_10000_account_report_is_split_into_files_github_accepts_and_nothing_is_left_out() {
    let report = synthetic_report::report(10_000, 1);
    let expected: HashSet<String> = report
        .findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .map(|f| f.key().fingerprint())
        .collect();
    assert!(expected.len() > 25_000, "{} results", expected.len());

    let files = plan(&report, &Limits::GITHUB).unwrap();
    assert!(files.len() > 1, "one file");
    let mut seen: HashSet<String> = HashSet::new();
    let mut categories: BTreeSet<String> = BTreeSet::new();
    for (i, file) in files.iter().enumerate() {
        let mut bytes = Vec::new();
        file.write(&mut bytes).unwrap();
        let gz = gzip_len(&bytes);
        assert!(gz < 10_000_000, "file {i}: {gz} bytes gzip-compressed");
        let log: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(log["version"], "2.1.0");
        let runs = log["runs"].as_array().unwrap();
        assert!(
            !runs.is_empty() && runs.len() <= 20,
            "file {i}: {} runs",
            runs.len()
        );
        for run in runs {
            let results = run["results"].as_array().unwrap();
            assert!(results.len() <= 5_000, "{} results in a run", results.len());
            let category = run["automationDetails"]["id"].as_str().unwrap().to_string();
            assert!(
                category.starts_with("orgaudit/Root/Workloads/Team-"),
                "{category}"
            );
            assert!(category.ends_with('/'), "{category}");
            assert!(categories.insert(category.clone()), "{category} twice");
            let rules = run["tool"]["driver"]["rules"].as_array().unwrap().len();
            for r in results {
                let index = r["ruleIndex"].as_u64().unwrap() as usize;
                assert!(index < rules);
                let fp = r["partialFingerprints"][FINGERPRINT_KEY]
                    .as_str()
                    .unwrap()
                    .to_string();
                assert!(seen.insert(fp), "a result twice");
            }
        }
    }
    // One run per OU, each of the 250 OUs once.
    assert_eq!(categories.len(), 250);
    assert_eq!(seen, expected, "every non-PASS finding is a result, once");
}

#[test]
fn an_ou_with_more_results_than_a_run_is_split_by_account_shards() {
    let mut report = synthetic_report::report(300, 1);
    for a in &mut report.accounts {
        a.ou_path = "Root/Flat".to_string();
    }
    let limits = Limits {
        results_per_run: 1_000,
        ..Limits::GITHUB
    };
    let results = report
        .findings
        .iter()
        .filter(|f| f.status != Status::Pass)
        .count();
    assert!(results > 2_000, "{results}");
    let files = plan(&report, &limits).unwrap();
    let categories: Vec<String> = files
        .iter()
        .flat_map(|f| f.categories())
        .map(|c| c.unwrap().to_string())
        .collect();
    let n = categories.len();
    assert!(n >= 3, "{categories:?}");
    let shards = categories[0]
        .rsplit_once("-of-")
        .unwrap()
        .1
        .trim_end_matches('/')
        .parse::<usize>()
        .unwrap();
    assert!(shards.is_power_of_two() && shards >= n, "{categories:?}");
    for c in &categories {
        assert!(c.starts_with("orgaudit/Root/Flat/shard-"), "{c}");
    }
    let total: usize = files.iter().map(|f| f.results()).sum();
    assert_eq!(total, results);
}

#[test]
fn a_single_account_over_the_run_limit_is_an_error_that_says_what_to_do() {
    let report = synthetic_report::report(200, 1);
    let limits = Limits {
        results_per_run: 10,
        ..Limits::GITHUB
    };
    let Err(e) = plan(&report, &limits) else {
        panic!("planned")
    };
    let e = e.to_string();
    assert!(
        e.contains("alone has") && e.contains("nothing was written"),
        "{e}"
    );
    assert!(e.contains("-f json"), "{e}");
}

#[test]
fn a_small_report_is_one_run_without_a_category() {
    let report = synthetic_report::report(20, 1);
    let files = plan(&report, &Limits::GITHUB).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].categories(), vec![None]);
}

#[test]
fn output_dir_writes_the_sarif_files_and_one_destination_refuses_a_split() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sarif");
    // A stale file of an earlier, larger output is removed; others stay.
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("orgaudit-7.sarif"), "old").unwrap();
    std::fs::write(out.join("other.sarif"), "theirs").unwrap();
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo-org.json");
    let o = assert_cmd::Command::cargo_bin("orgaudit")
        .unwrap()
        .args(["eval", demo, "-f", "sarif", "-o"])
        .arg(format!("{}/", out.display()))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("wrote 1 file in"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["orgaudit.sarif", "other.sarif"]);
    let text = std::fs::read_to_string(out.join("orgaudit.sarif")).unwrap();
    let stdout = assert_cmd::Command::cargo_bin("orgaudit")
        .unwrap()
        .args(["eval", demo, "-f", "sarif"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(
        text.as_bytes(),
        stdout,
        "the file is what standard output gets"
    );
}
