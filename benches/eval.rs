//! Offline evaluation benchmark: a generated 10,000-account snapshot (the
//! member account of `fixtures/rules/base.json`, with a mix of bad settings,
//! copied under new ids) against every built-in rule.
//!
//! `cargo bench --bench eval [-- ACCOUNTS]` prints accounts, rule evaluations,
//! wall time, evaluations per second and peak memory (VmHWM).

use std::time::Instant;

use orgaudit::rules::{engine, RuleSet};
use orgaudit::snapshot::Snapshot;

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (`cargo test --all-targets`)
    // gets a quick smoke run.
    let benching = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(if benching { 10_000 } else { 20 });
    let base: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("fixtures/rules/base.json").expect("run from the repository root"),
    )
    .unwrap();
    let member = base["accounts"][1].clone();
    // The snapshot text is written account by account: holding every
    // generated account as JSON values at once would leave hundreds of MB of
    // freed heap that the high-water mark below would count as orgaudit's.
    let mut parts: Vec<String> = vec![base["accounts"][0].to_string()];
    for i in 0..n.saturating_sub(1) {
        let id = format!("{:012}", 300_000_000_000u64 + i as u64);
        let text = member.to_string().replace("222222222222", &id);
        let mut a: serde_json::Value = serde_json::from_str(&text).unwrap();
        a["name"] = serde_json::Value::String(format!("member-{i}"));
        a["email"] = serde_json::Value::String(format!("aws-acme+member-{i}@example.com"));
        // A mix of states: every 3rd without root MFA, every 5th without a policy.
        if i % 3 == 0 {
            a["iam"]["summary"]["data"]["account_mfa_enabled"] = 0.into();
        }
        if i % 5 == 0 {
            a["iam"]["password_policy"]["data"] = serde_json::Value::Null;
        }
        if i % 7 == 0 {
            a["alternate_contacts"] = serde_json::json!({"status": "error", "error": {"operation": "account:GetAlternateContact", "code": "AccessDenied", "message": "denied"}});
        }
        parts.push(a.to_string());
    }
    let mut snap = base.clone();
    snap["accounts"] = serde_json::json!(["@ACCOUNTS@"]);
    let text = snap
        .to_string()
        .replace("[\"@ACCOUNTS@\"]", &format!("[{}]", parts.join(",")));
    drop(parts);
    drop(snap);
    drop(base);
    // The peak below is that of loading and evaluating, not of generating the
    // snapshot: reset the high-water mark (Linux: "5" resets VmHWM).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let t = Instant::now();
    let snapshot = Snapshot::from_json(&text, "generated").unwrap();
    let load = t.elapsed();
    let rules = RuleSet::builtin().unwrap();
    let t = Instant::now();
    let report = engine::evaluate(&rules, &snapshot, &Default::default());
    let eval = t.elapsed();
    // One evaluation = one rule in one scope (an account, or the organization).
    let evaluations = report
        .findings
        .iter()
        .map(|f| (&f.rule_id, &f.account_id))
        .collect::<std::collections::HashSet<_>>()
        .len();
    println!("accounts:            {n}");
    println!("rules:               {}", rules.rules.len());
    println!("snapshot size:       {:.1} MB", text.len() as f64 / 1e6);
    println!("snapshot load:       {:.3} s", load.as_secs_f64());
    println!("rule evaluations:    {evaluations}");
    println!("findings:            {}", report.findings.len());
    println!("evaluation time:     {:.3} s", eval.as_secs_f64());
    println!(
        "evaluations/second:  {:.0}",
        evaluations as f64 / eval.as_secs_f64()
    );
    // The analysis step on its own (it also runs inside the evaluation
    // above): deriving every account's facts once, in parallel as there.
    if let Some(cost) = analysis_cost(&snapshot) {
        println!(
            "analysis step:       {:.3} s (of the evaluation time)",
            cost.as_secs_f64()
        );
    }
    if let Some(mb) = peak_rss_mb() {
        println!("peak memory (VmHWM): {mb:.0} MB (load and evaluation, snapshot text included)");
    }
}

/// How long deriving the facts of every account takes (`analysis::derive`),
/// in parallel as the evaluation does it.
fn analysis_cost(snapshot: &Snapshot) -> Option<std::time::Duration> {
    use rayon::prelude::*;
    let accounts = orgaudit::analysis::Accounts::of(snapshot);
    let t = Instant::now();
    let users: usize = snapshot
        .accounts
        .par_iter()
        .map(|a| orgaudit::analysis::derive(a, &accounts).iam.users.len())
        .sum();
    std::hint::black_box(users);
    Some(t.elapsed())
}
