//! Hostile input and hostile environments, run against the real binary:
//! what orgaudit writes to is never damaged, the environment never makes it
//! panic, input files are bounded, and no message leaks internal names.

#![cfg(unix)]

mod support {
    pub mod cli;
}

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;
use support::cli::{orgaudit, orgaudit_std};

const DEMO: &str = "fixtures/demo-org.json";

/// A scan that must fail before any AWS call: credentials that exist, an
/// endpoint that refuses connections.
fn offline_scan() -> Command {
    let mut c = orgaudit();
    c.env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret-example")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_CONFIG_FILE", "/nonexistent/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
        .env_remove("AWS_PROFILE")
        .args(["scan", "--regions", "us-east-1", "--max-attempts", "1"]);
    c
}

fn no_panic() -> impl Predicate<str> {
    predicate::str::contains("panicked").not()
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

/// The files in `dir`, by name.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn copy_demo(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::copy(DEMO, &p).unwrap();
    p
}

// ---- 1. never damage what it writes to ---------------------------------

/// As root, renaming over /dev/null would replace the device with a file.
#[test]
fn output_to_dev_null_leaves_the_device() {
    orgaudit()
        .args(["eval", DEMO, "-f", "json", "-o", "/dev/null"])
        .assert()
        .code(1)
        .stderr(no_panic());
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(meta.file_type().is_char_device(), "/dev/null was replaced");
}

/// A character device outside /dev (made with mknod, root only) is written
/// through, not replaced by a regular file.
#[test]
fn output_to_a_character_device_is_written_through() {
    if !is_root() {
        eprintln!("skipped: mknod needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let dev = dir.path().join("null");
    let made = std::process::Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "3"])
        .status()
        .unwrap();
    assert!(made.success());
    orgaudit()
        .args(["eval", DEMO, "-o"])
        .arg(&dev)
        .assert()
        .code(1);
    let meta = std::fs::symlink_metadata(&dev).unwrap();
    assert!(
        meta.file_type().is_char_device(),
        "the device node was replaced by a {:?}",
        meta.file_type()
    );
    assert_eq!(listing(dir.path()), ["null"], "no file left beside it");
}

#[test]
fn output_to_dev_full_is_exit_2_with_a_message() {
    orgaudit()
        .args(["eval", DEMO, "-o", "/dev/full"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot write /dev/full").and(no_panic()));
    assert!(std::fs::metadata("/dev/full")
        .unwrap()
        .file_type()
        .is_char_device());
}

#[test]
fn output_to_a_fifo_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("out.fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::fs::File::open(fifo)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            text
        })
    };
    orgaudit()
        .args(["eval", DEMO, "-f", "json", "-o"])
        .arg(&fifo)
        .assert()
        .code(1);
    // Replaced, the FIFO would never see a writer: check before waiting.
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the FIFO was replaced"
    );
    let text = reader.join().unwrap();
    assert!(text.contains("\"rule_id\""), "{text}");
    assert_eq!(listing(dir.path()), ["out.fifo"]);
}

/// `/proc/self/fd/1` and `/dev/stdout` are the process's standard output:
/// written through like `> /dev/stdout`, never renamed into.
#[test]
fn output_to_proc_self_fd_1_goes_to_standard_output() {
    for path in ["/proc/self/fd/1", "/dev/stdout"] {
        orgaudit()
            .args(["eval", DEMO, "-f", "json", "-o", path])
            .assert()
            .code(1)
            .stdout(predicate::str::contains("\"rule_id\""));
    }
    assert!(std::fs::symlink_metadata("/dev/stdout")
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn output_that_is_the_input_snapshot_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let snap = copy_demo(dir.path(), "s.json");
    let before = std::fs::read(&snap).unwrap();
    // Another spelling of the same file.
    let other = dir.path().join(".").join("s.json");
    orgaudit()
        .args(["eval"])
        .arg(&snap)
        .arg("-o")
        .arg(&other)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is the input file"));
    assert_eq!(
        std::fs::read(&snap).unwrap(),
        before,
        "the snapshot changed"
    );
}

#[test]
fn save_snapshot_and_output_on_the_same_file_are_refused_before_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.json");
    offline_scan()
        .arg("--save-snapshot")
        .arg(&out)
        .arg("-o")
        .arg(dir.path().join("./x.json"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("--save-snapshot and --output both name")
                .and(predicate::str::contains("endpoint").not()),
        );
}

#[test]
fn missing_output_directory_is_refused_before_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    offline_scan()
        .arg("-o")
        .arg(dir.path().join("nodir/x.json"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("does not exist")
                .and(predicate::str::contains("endpoint").not()),
        );
}

#[test]
fn a_new_output_file_gets_the_mode_of_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"umask 022; exec "$0" eval "$1" -f json -o "$2""#)
        .arg(assert_cmd::cargo::cargo_bin("orgaudit"))
        .arg(DEMO)
        .arg(&out)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "mode {mode:o}");
}

#[test]
fn an_existing_output_file_keeps_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o664)).unwrap();
    orgaudit()
        .args(["eval", DEMO, "-f", "json", "-o"])
        .arg(&out)
        .assert()
        .code(1);
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o664, "mode {mode:o}");
    assert!(std::fs::read_to_string(&out).unwrap().contains("rule_id"));
}

/// Interrupts a write while its temporary file exists (debug builds pause
/// there on request), then checks that nothing is left behind.
fn interrupted_write(signal: &str, expected_code: i32) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let mut child = orgaudit_std()
        .env("ORGAUDIT_TEST_WRITE_PAUSE_MS", "20000")
        .args(["eval", DEMO, "-f", "json", "-o"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while listing(dir.path()).is_empty() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("no temporary file appeared");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(expected_code), "{status:?}");
    assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
}

#[test]
fn sigterm_during_a_write_leaves_no_temporary_file() {
    interrupted_write("TERM", 143);
}

#[test]
fn sigint_during_a_write_leaves_no_temporary_file() {
    interrupted_write("INT", 130);
}

#[test]
fn standard_output_on_dev_full_is_exit_2_with_a_message() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    for args in [
        vec!["eval", DEMO, "-f", "json"],
        vec!["rules", "list"],
        vec!["schema", "snapshot"],
    ] {
        let out = orgaudit_std()
            .args(&args)
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write to standard output"),
            "{args:?}: {stderr}"
        );
    }
}

/// `orgaudit … | head`: the reader goes away. No panic, no message, and not
/// a success code for a document nobody received whole.
#[test]
fn a_closed_pipe_exits_2_quietly() {
    let mut child = orgaudit_std()
        .args(["eval", DEMO, "-f", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

// ---- 4. input files have a size limit ------------------------------------

#[test]
fn a_snapshot_from_dev_zero_stops_with_exit_2() {
    orgaudit()
        .args(["eval", "/dev/zero"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("larger than 1 GiB").and(no_panic()));
}

#[test]
fn a_config_from_dev_zero_stops_with_exit_2() {
    orgaudit()
        .args(["eval", DEMO, "--config", "/dev/zero"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("larger than 16 MiB"));
}

#[test]
fn a_utf8_bom_is_accepted_in_snapshot_config_and_rule_files() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("bom.json");
    let mut text = b"\xEF\xBB\xBF".to_vec();
    text.extend(std::fs::read(DEMO).unwrap());
    std::fs::write(&snap, text).unwrap();
    let config = dir.path().join("bom.yaml");
    std::fs::write(&config, "\u{feff}params:\n  min_password_length: 16\n").unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(
        rules.join("alias.yaml"),
        "\u{feff}id: my-alias-rule\ntitle: The account has an alias\nseverity: low\n\
         scope: account\nservice: iam\ncondition: size(account.iam.aliases) > 0\n\
         message: No alias.\nrationale: Friendly sign-in URL.\n\
         remediation: aws iam list-account-aliases\nsources: [sapro]\n",
    )
    .unwrap();
    orgaudit()
        .arg("eval")
        .arg(&snap)
        .arg("--config")
        .arg(&config)
        .arg("--rules")
        .arg(&rules)
        .args(["-f", "json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"rule_id\": \"my-alias-rule\""));
}

// ---- 2. never crash on the environment -----------------------------------

/// A scan with static keys, the given AWS config file and environment, that
/// must stop before (or at) its first call.
fn scan_with(config: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("config");
    std::fs::write(&config_file, config).unwrap();
    let mut c = orgaudit();
    c.env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_CONFIG_FILE", &config_file)
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.path().join("credentials"),
        )
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret-example")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["scan", "--regions", "us-east-1", "--max-attempts", "1"]);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), stderr)
}

/// Exit 2 with one line that contains `needle`, and no panic or Debug dump.
fn assert_one_line_error(result: (Option<i32>, String), needle: &str) {
    let (code, stderr) = result;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(needle), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    for internal in ["panicked", "Request {", "SdkBody", "Some(", "Error {"] {
        assert!(!stderr.contains(internal), "{internal}: {stderr}");
    }
}

#[test]
fn an_empty_aws_endpoint_url_is_named() {
    assert_one_line_error(
        scan_with("", &[("AWS_ENDPOINT_URL", "")]),
        "AWS_ENDPOINT_URL is set but empty",
    );
}

#[test]
fn an_empty_service_endpoint_url_is_named() {
    assert_one_line_error(
        scan_with("", &[("AWS_ENDPOINT_URL_STS", "")]),
        "AWS_ENDPOINT_URL_STS is set but empty",
    );
}

#[test]
fn an_empty_profile_endpoint_url_is_named() {
    let config = "[profile emu]\nendpoint_url =\n";
    assert_one_line_error(
        scan_with(config, &[("AWS_PROFILE", "emu")]),
        "endpoint_url of AWS profile `emu`",
    );
    let services = "[profile emu]\nservices = local\n\n[services local]\nsts =\n  endpoint_url =\n";
    assert_one_line_error(
        scan_with(services, &[("AWS_PROFILE", "emu")]),
        "is set but empty",
    );
}

#[test]
fn an_invalid_endpoint_url_is_named_without_a_request_dump() {
    assert_one_line_error(
        scan_with("", &[("AWS_ENDPOINT_URL", "notaurl")]),
        "AWS_ENDPOINT_URL is not a usable endpoint URL",
    );
}

#[test]
fn endpoint_userinfo_and_query_are_redacted() {
    let (code, stderr) = scan_with(
        "",
        &[(
            "AWS_ENDPOINT_URL",
            "http://alice:hunter2@127.0.0.1:9/?X-Amz-Security-Token=tok3n",
        )],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("127.0.0.1:9"), "{stderr}");
    for secret in ["alice", "hunter2", "tok3n"] {
        assert!(!stderr.contains(secret), "{secret}: {stderr}");
    }
}

#[test]
fn an_unknown_aws_profile_is_named_as_unknown() {
    let config = "[profile real]\nregion = eu-west-1\n";
    let (code, stderr) = scan_with(config, &[("AWS_PROFILE", "typo")]);
    assert_one_line_error(
        (code, stderr.clone()),
        "AWS profile `typo` cannot be used: it is not defined in the AWS config files \
         (named by AWS_PROFILE",
    );
    assert!(!stderr.contains("set AWS_PROFILE"), "{stderr}");
    assert!(stderr.contains("profiles: real"), "{stderr}");
}

#[test]
fn an_unknown_source_profile_is_named() {
    let config = "[profile chain]\nrole_arn = arn:aws:iam::123456789012:role/audit\n\
                  source_profile = missing\n";
    assert_one_line_error(
        scan_with(config, &[("AWS_PROFILE", "chain")]),
        "source_profile `missing`",
    );
}

#[test]
fn credential_process_stderr_is_not_echoed() {
    let config = "[profile proc]\n\
                  credential_process = sh -c \"echo leaked-s3cret >&2; exit 1\"\n";
    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("config");
    std::fs::write(&config_file, config).unwrap();
    let out = orgaudit()
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_CONFIG_FILE", &config_file)
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.path().join("credentials"),
        )
        .args(["scan", "--regions", "us-east-1", "--profile", "proc"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("credential"), "{stderr}");
    assert!(!stderr.contains("leaked-s3cret"), "{stderr}");
}

// ---- 3. HTTP response bodies are capped ----------------------------------

/// A server that answers every request with `200 OK` and a body that never
/// ends. Returns its port.
fn endless_body_server() -> u16 {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            std::thread::spawn(move || {
                let mut request = [0u8; 65536];
                let _ = conn.read(&mut request);
                let chunk = vec![b'x'; 1 << 20];
                let _ = conn.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/xml\r\nconnection: close\r\n\r\n<a>",
                );
                while conn.write_all(&chunk).is_ok() {}
            });
        }
    });
    port
}

#[test]
fn an_endless_response_body_is_an_error_naming_the_call() {
    let port = endless_body_server();
    let started = Instant::now();
    let (code, stderr) = scan_with(
        "",
        &[("AWS_ENDPOINT_URL", &format!("http://127.0.0.1:{port}"))],
    );
    // --timeout is 30 s: the cap, not the timeout, must stop it.
    assert!(started.elapsed() < Duration::from_secs(25), "{stderr}");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("sts:GetCallerIdentity"), "{stderr}");
    assert!(stderr.contains("larger than 64 MiB"), "{stderr}");
}

// ---- 5. no internal names in messages ------------------------------------

/// Words of the implementation that must never reach a user.
const INTERNAL: [&str; 9] = [
    "struct ",
    "enum ",
    "Probe",
    "Section",
    "Nodes {",
    "List(",
    "String(",
    "not collected: not collected",
    "at line",
];

fn assert_no_internal_names(text: &str) {
    for word in INTERNAL {
        assert!(!text.contains(word), "`{word}` in: {text}");
    }
}

#[test]
fn broken_snapshots_are_described_in_json_terms() {
    let dir = tempfile::tempdir().unwrap();
    for (i, text) in [
        r#"{"schema_version":"1.0"}"#,
        r#"[]"#,
        r#""x""#,
        r#"{"schema_version":"1.0","accounts":5}"#,
        r#"{"schema_version":"1.0","collected_at":"x","accounts":[],"organization":3}"#,
    ]
    .iter()
    .enumerate()
    {
        let p = dir.path().join(format!("broken-{i}.json"));
        std::fs::write(&p, text).unwrap();
        let out = orgaudit().arg("eval").arg(&p).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {stderr}");
        assert!(
            stderr.contains("not a valid orgaudit snapshot"),
            "{text}: {stderr}"
        );
        assert_no_internal_names(&stderr);
    }
}

fn demo_with(edit: impl FnOnce(&mut serde_json::Value)) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut snap: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(DEMO).unwrap()).unwrap();
    edit(&mut snap);
    let p = dir.path().join("s.json");
    std::fs::write(&p, snap.to_string()).unwrap();
    (dir, p)
}

#[test]
fn a_section_absent_from_a_snapshot_is_not_not_collected_twice() {
    let (_dir, p) = demo_with(|s| {
        s["accounts"][0]["iam"]
            .as_object_mut()
            .unwrap()
            .remove("users");
    });
    let out = orgaudit()
        .arg("eval")
        .arg(&p)
        .args(["-f", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("absent from the snapshot"), "{stdout}");
    assert_no_internal_names(&stdout);
}

#[test]
fn a_condition_that_is_not_a_boolean_is_named_by_its_type() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("list.yaml"),
        "id: my-list-rule\ntitle: t\nseverity: low\nscope: account\nservice: iam\n\
         condition: account.iam.aliases\nmessage: m\nrationale: r\nremediation: x\n\
         sources: [sapro]\n",
    )
    .unwrap();
    let out = orgaudit()
        .args(["eval", DEMO, "-f", "json", "--rules"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("the condition gave a value of type list, not a boolean"),
        "{stdout}"
    );
    assert_no_internal_names(&stdout);
}
