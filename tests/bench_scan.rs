//! The scan benchmark (not a timed test; run by `scripts/bench-scan.sh`):
//! a 20-account moto organization, all services, 2 regions. Prints the scan's
//! wall time (library and binary) and the API calls per service.

mod support;

use std::time::{Duration, Instant};

use orgaudit::collect::{self, NoProgress, OperationRecorder, ScanOptions};
use support::moto::Moto;
use support::seed;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: run with scripts/bench-scan.sh"]
async fn bench_scan_20_accounts_2_regions() {
    seed::use_test_environment();
    let Some(moto) = Moto::start() else { return };
    let seeding = Instant::now();
    let org = seed::scenario(&moto.endpoint()).await;
    // The scenario has 6 accounts (one closed): 14 more make 20.
    seed::bulk_members(&moto.endpoint(), &org.root_id, 14).await;
    eprintln!("seeded in {:.1?}", seeding.elapsed());

    let recorder = OperationRecorder::new();
    let opts = ScanOptions {
        regions: Some(vec!["us-east-1".into(), "eu-west-1".into()]),
        endpoint_url: Some(moto.endpoint()),
        // moto answers its unimplemented operations with HTTP 500; a real
        // service would not, so do not spend the benchmark on backoff.
        max_attempts: 2,
        initial_backoff: Duration::from_millis(10),
        recorder: Some(recorder.clone()),
        ..ScanOptions::default()
    };
    let started = Instant::now();
    let cpu_before = cpu_seconds();
    let snapshot = collect::scan(&opts, &NoProgress).await.unwrap();
    let library = started.elapsed();
    let cpu = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    let accounts = snapshot.accounts.len();
    let active = snapshot
        .accounts
        .iter()
        .filter(|a| a.status == "ACTIVE")
        .count();
    assert_eq!(accounts, 20);

    let started = Instant::now();
    let out = assert_cmd::Command::cargo_bin("orgaudit")
        .unwrap()
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .args(["scan", "--regions", "us-east-1,eu-west-1", "--no-progress"])
        .args([
            "--max-attempts",
            "2",
            "--retry-backoff-ms",
            "10",
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    let binary = started.elapsed();
    assert!(matches!(out.status.code(), Some(0..=3)), "{out:?}");

    let ops = recorder.operations();
    let attempts = recorder.attempts();
    let total: u64 = ops.values().sum();
    let total_attempts: u64 = attempts.values().sum();
    println!("\n## orgaudit scan benchmark");
    println!(
        "accounts: {accounts} ({active} active), regions: 2, users: {}",
        snapshot
            .accounts
            .iter()
            .filter_map(|a| a.iam.users.data())
            .map(|u| u.len())
            .sum::<usize>()
    );
    println!("scan wall time (library): {:.2} s", library.as_secs_f64());
    if let Some(cpu) = cpu {
        println!("scanner CPU time (library scan, user+system): {cpu:.2} s");
    }
    println!(
        "scan wall time (orgaudit scan, binary, incl. evaluation): {:.2} s",
        binary.as_secs_f64()
    );
    println!("API calls: {total} operations, {total_attempts} HTTP attempts (retries of moto's 500s included)");
    println!("\n| service | calls | per active account |");
    println!("|---|---:|---:|");
    for (service, n) in recorder.operations_by_service() {
        println!("| {service} | {n} | {:.1} |", n as f64 / active as f64);
    }
    println!("\n| operation | calls |");
    println!("|---|---:|");
    for (op, n) in &ops {
        println!("| {op} | {n} |");
    }
}

/// This process's user + system CPU time, from /proc (Linux only).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
