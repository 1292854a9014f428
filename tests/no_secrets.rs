//! No secret reaches an output: scans against moto with known credentials (a
//! secret access key and a session token), every output format, a saved
//! snapshot and `RUST_LOG=trace`; then no byte of stdout, stderr, output
//! files or snapshot may contain the secret or the token.

mod support;

use assert_cmd::Command;
use support::moto::Moto;
use support::seed;

const SECRET: &str = "NoSecretShouldLeakZq9v2Xk7Lm3Pw8Rt5Yu1Io4";
const TOKEN: &str = "NoTokenShouldLeakFwoGZXIvYXdzEJr8Qm2Ht6Kd9Vb3Ns";

#[tokio::test(flavor = "multi_thread")]
async fn scans_never_print_or_save_credentials() {
    let Some(moto) = Moto::start() else { return };
    seed::use_test_environment();
    seed::scenario(&moto.endpoint()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut seen: Vec<(String, Vec<u8>)> = Vec::new();
    for format in ["table", "json", "sarif", "junit", "markdown"] {
        let out = dir.path().join(format!("out.{format}"));
        let snap = dir.path().join(format!("snap-{format}.json"));
        let result = Command::cargo_bin("orgaudit")
            .unwrap()
            .args([
                "scan",
                "--regions",
                "us-east-1",
                "--max-attempts",
                "2",
                "-f",
                format,
            ])
            .arg("-o")
            .arg(&out)
            .arg("--save-snapshot")
            .arg(&snap)
            .env("AWS_ACCESS_KEY_ID", "AKIAMOTOTESTMGMT0001")
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_SESSION_TOKEN", TOKEN)
            .env("AWS_ENDPOINT_URL", moto.endpoint())
            .env("RUST_LOG", "trace")
            .output()
            .unwrap();
        assert!(
            matches!(result.status.code(), Some(1) | Some(3)),
            "scan ran: {:?}\n{}",
            result.status,
            String::from_utf8_lossy(&result.stderr[result.stderr.len().saturating_sub(3000)..])
        );
        assert!(result.stderr.len() > 10_000, "trace logging is on");
        seen.push((format!("{format} stdout"), result.stdout));
        seen.push((format!("{format} stderr"), result.stderr));
        seen.push((format!("{format} output"), std::fs::read(&out).unwrap()));
        seen.push((format!("{format} snapshot"), std::fs::read(&snap).unwrap()));
    }
    // And an error path: a bad profile must not echo credentials either.
    let bad = Command::cargo_bin("orgaudit")
        .unwrap()
        .args(["scan", "--regions", "us-east-1", "--profile", "missing"])
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_SESSION_TOKEN", TOKEN)
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    seen.push(("bad profile stderr".into(), bad.stderr));
    for (what, bytes) in &seen {
        let text = String::from_utf8_lossy(bytes);
        // The last one: the prefix of every session token moto issues for the
        // assumed member roles.
        for secret in [SECRET, TOKEN, "FQoGZXIvYXdzEBYaD"] {
            assert!(!text.contains(secret), "{what} contains a credential");
        }
    }
}
