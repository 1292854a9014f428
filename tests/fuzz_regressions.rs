//! The fuzz targets' entry points (`fuzz/src/lib.rs`) on stable Rust, without
//! cargo-fuzz: every seed of the committed corpus (`fuzz/corpus/<target>/`)
//! must load, and every input the fuzzers found a bug with
//! (`tests/fuzz-regressions/<target>/`) must now be rejected with an error
//! instead of a panic, a hang or unbounded memory.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz_entry;

use std::path::{Path, PathBuf};

type Entry = fn(&[u8]) -> Result<(), String>;

/// Runs `entry` on a thread with the stack of a main thread, where orgaudit
/// loads its files, doubled for debug builds (test threads get 2 MB).
fn run(entry: Entry, data: Vec<u8>) -> Result<(), String> {
    std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(move || entry(&data))
        .unwrap()
        .join()
        .unwrap()
}

const TARGETS: [(&str, Entry); 3] = [
    ("rule_file", fuzz_entry::rule_file),
    ("config_file", fuzz_entry::config_file),
    ("snapshot", fuzz_entry::snapshot),
];

/// The files of `dir` (none when it does not exist), sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_seed_loads() {
    for (target, entry) in TARGETS {
        let seeds: Vec<PathBuf> = files(&root().join("fuzz/corpus").join(target))
            .into_iter()
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("seed-")
            })
            .collect();
        assert!(!seeds.is_empty(), "no seeds for {target}");
        for seed in seeds {
            let data = std::fs::read(&seed).unwrap();
            if let Err(e) = run(entry, data) {
                panic!("{target}: seed {} does not load: {e}", seed.display());
            }
        }
    }
}

#[test]
fn every_regression_is_rejected() {
    let dir = root().join("tests/fuzz-regressions");
    if let Some(stray) = files(&dir).first() {
        panic!(
            "stray file {} (inputs go in a folder per target)",
            stray.display()
        );
    }
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(
                TARGETS.iter().any(|(t, _)| *t == name),
                "tests/fuzz-regressions/{name}: not a fuzz target"
            );
        }
    }
    for (target, entry) in TARGETS {
        for input in files(&dir.join(target)) {
            let data = std::fs::read(&input).unwrap();
            let outcome = run(entry, data);
            assert!(
                outcome.is_err(),
                "{target}: {} was accepted; it should be rejected",
                input.display()
            );
        }
    }
}
