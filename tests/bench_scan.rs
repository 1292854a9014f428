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

/// The scaling benchmark (run by `scripts/bench-scan.sh scaling`): for each
/// size N of `ORGAUDIT_BENCH_ACCOUNTS` (default `10,50,200`), a fresh moto
/// with the management account and N − 1 bulk members, 2 regions, behind the
/// fault proxy adding `ORGAUDIT_BENCH_LATENCY_MS` (default 50) to every
/// call; times `orgaudit scan` (the binary `ORGAUDIT_BENCH_BIN`, default the
/// one cargo built for this test) under `/usr/bin/time` for its peak memory,
/// and counts the calls at the proxy. moto's own CPU time is shown too: it
/// serves every call from one Python process.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: run with scripts/bench-scan.sh scaling"]
async fn bench_scan_scaling() {
    use support::proxy::{Fault, Proxy, Rule};

    seed::use_test_environment();
    let sizes: Vec<usize> = std::env::var("ORGAUDIT_BENCH_ACCOUNTS")
        .unwrap_or_else(|_| "10,50,200".into())
        .split(',')
        .map(|n| n.trim().parse().expect("ORGAUDIT_BENCH_ACCOUNTS: numbers"))
        .collect();
    let latency: u64 = std::env::var("ORGAUDIT_BENCH_LATENCY_MS")
        .map(|v| v.parse().expect("ORGAUDIT_BENCH_LATENCY_MS: a number"))
        .unwrap_or(50);
    let bin = std::env::var("ORGAUDIT_BENCH_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| assert_cmd::cargo::cargo_bin("orgaudit"));
    let time = std::path::Path::new("/usr/bin/time");
    println!(
        "\n## orgaudit scan scaling ({} ms per call, 2 regions)",
        latency
    );
    println!("binary: {}", bin.display());
    println!("\n| accounts | seeding (s) | scan wall (s) | API calls | calls/account | calls/s | peak RSS (MB) | orgaudit CPU (s) | moto CPU (s) |");
    println!("|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for n in sizes {
        assert!(n >= 1);
        let Some(moto) = Moto::start_with_env(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")])
        else {
            return;
        };
        let seeding = Instant::now();
        let (root_id, _) = seed::organization(&moto.endpoint(), &[]).await;
        seed::bulk_members(&moto.endpoint(), &root_id, n - 1).await;
        let seeding = seeding.elapsed();
        let proxy = Proxy::start(
            moto.port,
            1,
            &[("AKIAMOTOTESTMGMT0001", seed::MGMT)],
            vec![Rule::new(Fault::Delay(Duration::from_millis(latency)))],
        );
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("findings.json");
        let mut cmd = if time.exists() {
            let mut c = std::process::Command::new(time);
            c.args(["-f", "BENCH-TIME %e %M %U %S"]).arg(&bin);
            c
        } else {
            std::process::Command::new(&bin)
        };
        cmd.env("NO_COLOR", "1")
            .env("AWS_ENDPOINT_URL", proxy.endpoint())
            .args(["scan", "--regions", "us-east-1,eu-west-1", "--no-progress"])
            .args([
                "--max-attempts",
                "2",
                "--retry-backoff-ms",
                "10",
                "-f",
                "json",
            ])
            .arg("-o")
            .arg(&report);
        let moto_cpu = process_cpu_seconds(moto.pid());
        let started = Instant::now();
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        let wall = started.elapsed();
        let moto_cpu = process_cpu_seconds(moto.pid())
            .zip(moto_cpu)
            .map(|(a, b)| format!("{:.1}", a - b))
            .unwrap_or_else(|| "n/a".into());
        assert!(matches!(out.status.code(), Some(0..=3)), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let measured: Vec<f64> = stderr
            .lines()
            .find_map(|l| l.strip_prefix("BENCH-TIME "))
            .map(|l| {
                l.split_whitespace()
                    .filter_map(|v| v.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        let findings: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        let mut accounts: Vec<&str> = findings["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["account_id"].as_str())
            .collect();
        accounts.sort_unstable();
        accounts.dedup();
        assert_eq!(accounts.len(), n, "every account is in the report");
        let calls = proxy.stats().total_requests();
        let fmt = |i: usize, scale: f64| {
            measured
                .get(i)
                .map(|v| format!("{:.1}", v * scale))
                .unwrap_or_else(|| "n/a".into())
        };
        let cpu = match (measured.get(2), measured.get(3)) {
            (Some(u), Some(s)) => format!("{:.1}", u + s),
            _ => "n/a".into(),
        };
        println!(
            "| {n} | {:.0} | {:.1} | {calls} | {:.1} | {:.0} | {} | {cpu} | {moto_cpu} |",
            seeding.as_secs_f64(),
            wall.as_secs_f64(),
            calls as f64 / n as f64,
            calls as f64 / wall.as_secs_f64(),
            fmt(1, 1.0 / 1024.0),
        );
    }
}

/// User + system CPU seconds of a process, from /proc (Linux only).
fn process_cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// A finding as the JSON report has it: what the benchmark compares.
#[derive(serde::Deserialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ReportFinding {
    rule_id: String,
    account_id: String,
    region: Option<String>,
    resource_arn: Option<String>,
    status: String,
    message: String,
}

#[derive(serde::Deserialize)]
struct Report {
    findings: Vec<ReportFinding>,
}

/// One `orgaudit scan` of the simulator, measured.
struct SimulatedRun {
    wall: f64,
    /// `/usr/bin/time`: peak RSS (KB), user and system CPU seconds.
    rss_kb: Option<f64>,
    cpu: Option<f64>,
    stats: support::simulator::Stats,
    findings: Vec<ReportFinding>,
    exit: Option<i32>,
}

fn env_list(name: &str, default: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}: not a number: {v}")),
        Err(_) => default,
    }
}

/// Scans the simulator with the orgaudit binary under `/usr/bin/time`.
async fn simulated_scan(
    sim: &support::simulator::Simulator,
    bin: &std::path::Path,
    args: &[String],
) -> SimulatedRun {
    let time = std::path::Path::new("/usr/bin/time");
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("findings.json");
    let mut cmd = if time.exists() {
        let mut c = std::process::Command::new(time);
        c.args(["-f", "BENCH-TIME %e %M %U %S"]).arg(bin);
        c
    } else {
        std::process::Command::new(bin)
    };
    cmd.env("NO_COLOR", "1")
        .env("AWS_ENDPOINT_URL", sim.endpoint())
        .env(
            "AWS_ACCESS_KEY_ID",
            support::simulator::Simulator::management_key(),
        )
        .args(["scan", "--regions", "us-east-1,eu-west-1", "--no-progress"])
        .args(args)
        .args(["-f", "json", "-o"])
        .arg(&report);
    sim.reset_stats();
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let wall = started.elapsed().as_secs_f64();
    let stats = sim.stats();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let measured: Vec<f64> = stderr
        .lines()
        .find_map(|l| l.strip_prefix("BENCH-TIME "))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|v| v.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        matches!(out.status.code(), Some(0..=3)),
        "orgaudit scan failed: {}",
        stderr
    );
    let file = std::fs::File::open(&report).expect("the report was written");
    let mut findings = serde_json::from_reader::<_, Report>(std::io::BufReader::new(file))
        .expect("a JSON report")
        .findings;
    findings.sort();
    SimulatedRun {
        wall,
        rss_kb: measured.get(1).copied(),
        cpu: match (measured.get(2), measured.get(3)) {
            (Some(u), Some(s)) => Some(u + s),
            _ => None,
        },
        stats,
        findings,
        exit: out.status.code(),
    }
}

/// The simulated-organization benchmark (run by `scripts/bench-scan.sh
/// simulated`): for each size N of `ORGAUDIT_BENCH_ACCOUNTS` (default
/// `1000,5000,10000`) and each `--concurrency` of
/// `ORGAUDIT_BENCH_CONCURRENCY` (default: orgaudit's own), the simulator
/// (tests/support/simulator) serves an organization of N accounts with
/// `ORGAUDIT_BENCH_LATENCY_MS` (default 50) per call and AWS-like rate
/// limits (`ORGAUDIT_BENCH_LIMITS=none` to lift them), and the orgaudit
/// binary (`ORGAUDIT_BENCH_BIN`) scans it, 2 regions, under `/usr/bin/time`.
///
/// Reported per run: wall time, API calls, throttled answers (each one a
/// retry, or a give-up when attempts ran out), peak RSS, CPU seconds, the
/// physical limit (calls × latency ÷ concurrency) and the throttling floor
/// (the busiest token bucket's (calls − burst) ÷ rate), accounts lost
/// (missing from the report) and accounts with a check that could not be
/// evaluated but should have been.
///
/// `ORGAUDIT_BENCH_THROTTLE=0.3`: additionally throttle 30 % of all requests
/// at random, run the same scan without it first, and compare the findings
/// (`ORGAUDIT_BENCH_ARGS` adds arguments to every scan, e.g.
/// `--max-attempts 10`).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: run with scripts/bench-scan.sh simulated"]
async fn bench_scan_simulated() {
    use support::simulator::{Config, Limits, Simulator};

    seed::use_test_environment();
    let sizes: Vec<usize> = env_list("ORGAUDIT_BENCH_ACCOUNTS", "1000,5000,10000")
        .iter()
        .map(|n| n.parse().expect("ORGAUDIT_BENCH_ACCOUNTS: numbers"))
        .collect();
    let concurrencies = env_list("ORGAUDIT_BENCH_CONCURRENCY", "");
    let latency: u64 = env_number("ORGAUDIT_BENCH_LATENCY_MS", 50);
    let throttle: f64 = env_number("ORGAUDIT_BENCH_THROTTLE", 0.0);
    let limits = match std::env::var("ORGAUDIT_BENCH_LIMITS").as_deref() {
        Ok("none") => None,
        _ => Some(Limits::aws_like()),
    };
    let extra: Vec<String> = std::env::var("ORGAUDIT_BENCH_ARGS")
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect();
    let bin = std::env::var("ORGAUDIT_BENCH_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| assert_cmd::cargo::cargo_bin("orgaudit"));
    let default_concurrency = orgaudit::collect::ScanOptions::default().concurrency;
    println!(
        "\n## orgaudit scan of a simulated organization ({latency} ms per call, 2 regions, \
         rate limits: {}, random throttling: {:.0} %)",
        if limits.is_some() { "AWS-like" } else { "none" },
        throttle * 100.0
    );
    println!("binary: {}; extra arguments: {extra:?}", bin.display());
    println!(
        "machine: {} cores, load average before: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "\n| accounts | concurrency | throttled at random | wall (s) | physical limit (s) | \
         wall ÷ limit | throttling floor (s) | API calls | calls/account | throttled answers | \
         peak RSS (MB) | KB/account | orgaudit CPU (s) | CPU ms/account | simulator CPU (s) | \
         mean in flight | accounts lost | accounts with unexpected ERROR | exit |"
    );
    println!("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for &n in &sizes {
        let cs: Vec<Option<String>> = if concurrencies.is_empty() {
            vec![None]
        } else {
            concurrencies.iter().cloned().map(Some).collect()
        };
        for c in &cs {
            let probabilities: Vec<f64> = if throttle > 0.0 {
                vec![0.0, throttle]
            } else {
                vec![0.0]
            };
            let mut clean: Option<Vec<ReportFinding>> = None;
            for p in probabilities {
                let mut config = Config::new(n);
                config.latency = Duration::from_millis(latency);
                config.limits = limits.clone();
                config.throttle_probability = p;
                let sim = Simulator::start(config);
                let org = sim.org().clone();
                let mut args = extra.clone();
                if let Some(c) = c {
                    args.extend(["--concurrency".to_string(), c.clone()]);
                }
                let concurrency: usize = c
                    .as_deref()
                    .map(|c| c.parse().unwrap())
                    .unwrap_or(default_concurrency);
                let cpu_before = cpu_seconds();
                let run = simulated_scan(&sim, &bin, &args).await;
                let sim_cpu = cpu_seconds()
                    .zip(cpu_before)
                    .map(|(a, b)| format!("{:.1}", a - b))
                    .unwrap_or_else(|| "n/a".into());
                let calls = run.stats.total_requests();
                let limit = calls as f64 * latency as f64 / 1000.0 / concurrency as f64;
                // Every account of the organization in the report…
                let mut seen: Vec<&str> = run
                    .findings
                    .iter()
                    .map(|f| f.account_id.as_str())
                    .chain(run.findings.iter().filter_map(|f| {
                        f.resource_arn
                            .as_deref()
                            .filter(|a| a.contains(":account/"))
                            .and_then(|a| a.rsplit('/').next())
                    }))
                    .collect();
                seen.sort_unstable();
                seen.dedup();
                // (suspended accounts have no findings: rules judge ACTIVE ones)
                let lost = (0..n)
                    .filter(|&i| !org.suspended(i))
                    .filter(|&i| seen.binary_search(&org.id(i).as_str()).is_err())
                    .count();
                // … and judged, but where the generator made it unreadable.
                let mut unexpected: Vec<&str> = run
                    .findings
                    .iter()
                    .filter(|f| f.status == "ERROR")
                    .filter(|f| {
                        org.index(&f.account_id)
                            .is_some_and(|i| org.has_role(i) && !org.suspended(i))
                    })
                    .map(|f| f.account_id.as_str())
                    .collect();
                unexpected.sort_unstable();
                unexpected.dedup();
                if !run.stats.unknown.is_empty() {
                    println!(
                        "operations the simulator does not know: {:?}",
                        run.stats.unknown
                    );
                }
                let fmt = |v: Option<f64>, scale: f64| {
                    v.map(|v| format!("{:.1}", v * scale))
                        .unwrap_or_else(|| "n/a".into())
                };
                println!(
                    "| {n} | {concurrency} | {:.0} % | {:.1} | {limit:.1} | {:.2} | {:.1} | {calls} | {:.1} | {} | {} | {} | {} | {} | {sim_cpu} | {:.1} | {lost} | {} | {} |",
                    p * 100.0,
                    run.wall,
                    run.wall / limit,
                    run.stats.throttle_floor_seconds,
                    calls as f64 / n as f64,
                    run.stats.throttled(),
                    fmt(run.rss_kb, 1.0 / 1024.0),
                    fmt(run.rss_kb, 1.0 / n as f64),
                    fmt(run.cpu, 1.0),
                    fmt(run.cpu, 1000.0 / n as f64),
                    run.stats.busy_seconds / run.wall,
                    unexpected.len(),
                    run.exit.map_or("n/a".into(), |c| c.to_string()),
                );
                if run.stats.throttle_floor_seconds > 0.0 {
                    println!(
                        "  (busiest token bucket: {})",
                        run.stats.throttle_floor_bucket
                    );
                }
                match &clean {
                    None => clean = Some(run.findings),
                    Some(clean) => {
                        let same = *clean == run.findings;
                        let differing = clean
                            .iter()
                            .zip(&run.findings)
                            .filter(|(a, b)| a != b)
                            .count()
                            + clean.len().abs_diff(run.findings.len());
                        println!(
                            "  findings under {:.0} % throttling: {} ({} findings, {differing} differ)",
                            p * 100.0,
                            if same { "identical" } else { "DIFFERENT" },
                            run.findings.len()
                        );
                        if !same {
                            for (a, b) in clean
                                .iter()
                                .zip(&run.findings)
                                .filter(|(a, b)| a != b)
                                .take(5)
                            {
                                println!("    clean: {a:?}\n    throttled: {b:?}");
                            }
                        }
                    }
                }
            }
        }
    }
}
