//! The `orgaudit` binary as the tests run it: no colour, no terminal width or
//! backtrace setting from the developer's shell, and a time limit so that a
//! hang fails the test instead of stalling the suite. Against an AWS endpoint
//! (moto, or the fault proxy in front of it), with the test environment's
//! management credentials and no profile, config file or instance metadata
//! of the machine.
#![allow(dead_code)]

use std::time::Duration;

/// The management account's access key id in the test environment.
pub const MGMT_KEY: &str = "AKIAMOTOTESTMGMT0001";
/// The secret that goes with every test key; never a real one.
pub const TEST_SECRET: &str = "moto-test-secret-not-real";

/// The longest a single run may take before the test fails.
const TIME_LIMIT: Duration = Duration::from_secs(300);

/// The binary, offline.
pub fn orgaudit() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("orgaudit").unwrap();
    c.env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .env_remove("RUST_BACKTRACE")
        .timeout(TIME_LIMIT);
    c
}

/// The binary as a plain `std::process::Command` (concurrent processes,
/// signals, pipes, umask), offline.
pub fn orgaudit_std() -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("orgaudit"));
    c.env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .env_remove("RUST_BACKTRACE");
    c
}

/// The environment of a run against `endpoint` as the management account.
pub fn aws_env(endpoint: &str) -> Vec<(&'static str, Option<String>)> {
    let set = |v: &str| Some(v.to_string());
    vec![
        ("AWS_ENDPOINT_URL", set(endpoint)),
        ("AWS_ACCESS_KEY_ID", set(MGMT_KEY)),
        ("AWS_SECRET_ACCESS_KEY", set(TEST_SECRET)),
        ("AWS_REGION", set("us-east-1")),
        ("AWS_CONFIG_FILE", set("/nonexistent/orgaudit-test/config")),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            set("/nonexistent/orgaudit-test/credentials"),
        ),
        ("AWS_EC2_METADATA_DISABLED", set("true")),
        ("AWS_PROFILE", None),
        ("AWS_SESSION_TOKEN", None),
    ]
}

/// The binary against `endpoint`, as the management account.
pub fn orgaudit_against(endpoint: &str) -> assert_cmd::Command {
    let mut c = orgaudit();
    for (k, v) in aws_env(endpoint) {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c
}

/// [`orgaudit_against`] as a plain `std::process::Command`.
pub fn orgaudit_std_against(endpoint: &str) -> std::process::Command {
    let mut c = orgaudit_std();
    for (k, v) in aws_env(endpoint) {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c
}
