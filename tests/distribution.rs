//! How orgaudit reaches its users, checked: the release archive and its
//! checksum (scripts/package-release.sh), the install script that verifies
//! it (scripts/install.sh), the release workflow and the GitHub Action
//! (actionlint, with the action's inputs checked against action.yml), the
//! action's shell steps run against moto with the locally built binary
//! packed as the release it downloads, and the container recipe.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use support::moto::Moto;
use support::seed;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const VERSION: &str = concat!("v", env!("CARGO_PKG_VERSION"));

fn root() -> &'static Path {
    Path::new(ROOT)
}

/// A checker of the test venv, installed by scripts/test-tools.sh.
fn tool(name: &str) -> PathBuf {
    let venv = std::env::var_os("ORGAUDIT_MOTO_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv-moto"));
    let path = venv.join("bin").join(name);
    if !path.exists() {
        let status = Command::new(root().join("scripts/test-tools.sh"))
            .status()
            .unwrap();
        assert!(status.success(), "scripts/test-tools.sh failed");
    }
    assert!(path.exists(), "{} not installed", path.display());
    path
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The target install.sh picks on this machine.
fn host_target() -> &'static str {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "x86_64-unknown-linux-musl",
        ("linux", "aarch64") => "aarch64-unknown-linux-musl",
        ("macos", "x86_64") => "x86_64-apple-darwin",
        ("macos", "aarch64") => "aarch64-apple-darwin",
        other => panic!("no release target for {other:?}"),
    }
}

/// Packs the locally built binary as release VERSION under `dir/VERSION/`:
/// it stands in for the download. Returns the archive's path.
fn package(dir: &Path) -> PathBuf {
    let out = Command::new(root().join("scripts/package-release.sh"))
        .arg(assert_cmd::cargo::cargo_bin("orgaudit"))
        .args([VERSION, host_target()])
        .arg(dir.join(VERSION))
        .output()
        .unwrap();
    assert!(out.status.success(), "package-release.sh: {}", text(&out));
    let archive = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(archive.exists(), "{}", archive.display());
    archive
}

fn install(release_url: &str, dir: &Path, extra: &[&str], path: Option<&str>) -> Output {
    let mut cmd = Command::new("sh");
    cmd.arg(root().join("scripts/install.sh"))
        .args(["--version", VERSION, "--dir"])
        .arg(dir)
        .args(extra)
        .env("ORGAUDIT_RELEASE_URL", release_url)
        .env_remove("ORGAUDIT_REPO");
    if let Some(path) = path {
        cmd.env("PATH", path);
    }
    cmd.output().unwrap()
}

fn file_url(dir: &Path) -> String {
    format!("file://{}", dir.display())
}

#[test]
fn the_release_archive_installs_only_when_its_checksum_matches() {
    let tmp = tempfile::tempdir().unwrap();
    let releases = tmp.path().join("releases");
    let archive = package(&releases);
    let name = format!("orgaudit-{VERSION}-{}", host_target());
    assert_eq!(
        archive.file_name().unwrap(),
        format!("{name}.tar.gz").as_str()
    );

    // The archive holds the binary, the README, completions and manual pages.
    let listing = Command::new("tar")
        .arg("-tzf")
        .arg(&archive)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
    for member in [
        "orgaudit",
        "README.md",
        "completions/orgaudit.bash",
        "completions/_orgaudit",
        "completions/orgaudit.fish",
        "completions/_orgaudit.ps1",
        "man/orgaudit.1",
        "man/orgaudit-scan.1",
    ] {
        assert!(
            listing.contains(&format!("{name}/{member}")),
            "{member} in\n{listing}"
        );
    }
    let sums = std::fs::read_to_string(format!("{}.sha256", archive.display())).unwrap();
    assert!(
        sums.ends_with(&format!("  {name}.tar.gz\n")),
        "sha256sum format: {sums}"
    );

    // Verified and installed.
    let url = file_url(&releases);
    let bin_dir = tmp.path().join("bin");
    let out = install(&url, &bin_dir, &[], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("installed orgaudit"), "{}", text(&out));
    let installed = bin_dir.join("orgaudit");
    let version = Command::new(&installed).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).contains(env!("CARGO_PKG_VERSION")));
    // The rules are in the binary: the demo evaluates (exit 1: failing findings).
    let demo = Command::new(&installed)
        .args(["eval", "fixtures/demo-org.json", "-f", "json"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(demo.status.code(), Some(1), "{}", text(&demo));

    // A pinned checksum that matches installs; one that does not, stops.
    let actual = sums.split_whitespace().next().unwrap().to_string();
    let pinned_dir = tmp.path().join("pinned");
    let ok = install(
        &url,
        &pinned_dir,
        &["--sha256", &actual.to_uppercase()],
        None,
    );
    assert!(ok.status.success(), "{}", text(&ok));
    let wrong = "0".repeat(64);
    let refused_dir = tmp.path().join("refused");
    let out = install(&url, &refused_dir, &["--sha256", &wrong], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("checksum mismatch"), "{}", text(&out));
    assert!(!refused_dir.join("orgaudit").exists(), "nothing installed");

    // A tampered archive: the published checksum no longer matches.
    let tampered = tmp.path().join("tampered");
    std::fs::create_dir_all(tampered.join(VERSION)).unwrap();
    let mut bytes = std::fs::read(&archive).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(tampered.join(VERSION).join(format!("{name}.tar.gz")), bytes).unwrap();
    std::fs::write(
        tampered.join(VERSION).join(format!("{name}.tar.gz.sha256")),
        &sums,
    )
    .unwrap();
    let out = install(&file_url(&tampered), &refused_dir, &[], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("checksum mismatch"), "{}", text(&out));
    assert!(!refused_dir.join("orgaudit").exists(), "nothing installed");

    // No checksum file, or a malformed one: stop.
    std::fs::remove_file(tampered.join(VERSION).join(format!("{name}.tar.gz.sha256"))).unwrap();
    std::fs::copy(
        &archive,
        tampered.join(VERSION).join(format!("{name}.tar.gz")),
    )
    .unwrap();
    let out = install(&file_url(&tampered), &refused_dir, &[], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("cannot download the checksum"),
        "{}",
        text(&out)
    );
    std::fs::write(
        tampered.join(VERSION).join(format!("{name}.tar.gz.sha256")),
        "not-a-checksum  x\n",
    )
    .unwrap();
    let out = install(&file_url(&tampered), &refused_dir, &[], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("is not a SHA-256"), "{}", text(&out));
    assert!(!refused_dir.join("orgaudit").exists(), "nothing installed");

    // No tool to compute a checksum with: stop before downloading.
    let bare = tmp.path().join("bare-path");
    std::fs::create_dir_all(&bare).unwrap();
    for t in [
        "sh", "uname", "mktemp", "rm", "curl", "cut", "head", "tr", "tar", "gzip", "mkdir", "cp",
        "chmod", "mv", "cat",
    ] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {t}")])
            .output()
            .unwrap();
        let found = String::from_utf8_lossy(&found.stdout).trim().to_string();
        if !found.is_empty() {
            std::os::unix::fs::symlink(found, bare.join(t)).unwrap();
        }
    }
    let mut cmd = Command::new(bare.join("sh"));
    let out = cmd
        .arg(root().join("scripts/install.sh"))
        .args(["--version", VERSION, "--dir"])
        .arg(&refused_dir)
        .env("ORGAUDIT_RELEASE_URL", &url)
        .env("PATH", &bare)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("cannot verify the download"),
        "{}",
        text(&out)
    );
    assert!(!refused_dir.join("orgaudit").exists(), "nothing installed");

    // A version that is not released: a clear message.
    let out = Command::new("sh")
        .arg(root().join("scripts/install.sh"))
        .args(["--version", "v99.0.0", "--dir"])
        .arg(&refused_dir)
        .env("ORGAUDIT_RELEASE_URL", &url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("cannot download"), "{}", text(&out));
}

fn actionlint(dir: &Path, workflow: &Path) -> Output {
    Command::new(tool("actionlint"))
        .arg(workflow)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn the_release_workflow_passes_actionlint() {
    let out = actionlint(root(), Path::new(".github/workflows/release.yml"));
    assert!(out.status.success(), "{}", text(&out));
    let wf: Value = serde_saphyr::from_str(
        &std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap(),
    )
    .unwrap();
    let targets: Vec<&str> = wf["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    for t in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "aarch64-apple-darwin",
        "x86_64-apple-darwin",
    ] {
        assert!(targets.contains(&t), "{t} is built");
    }
    let text = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    assert!(text.contains("scripts/package-release.sh"));
    assert!(text.contains("SHA256SUMS"));
    assert!(text.contains("--locked"));
}

fn action() -> Value {
    serde_saphyr::from_str(&std::fs::read_to_string(root().join("action.yml")).unwrap()).unwrap()
}

/// A repository holding action.yml and one workflow using it as `./`, for
/// actionlint to check the workflow's inputs against the action's.
fn lint_with_action(workflow: &str) -> Output {
    let repo = tempfile::tempdir().unwrap();
    // actionlint reads local actions only inside a repository.
    let git = Command::new("git")
        .args(["init", "-q"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    assert!(git.status.success(), "{}", text(&git));
    std::fs::create_dir_all(repo.path().join(".github/workflows")).unwrap();
    std::fs::copy(root().join("action.yml"), repo.path().join("action.yml")).unwrap();
    let file = repo.path().join(".github/workflows/orgaudit.yml");
    std::fs::write(&file, workflow).unwrap();
    actionlint(repo.path(), Path::new(".github/workflows/orgaudit.yml"))
}

#[test]
fn the_action_and_the_documented_workflow_pass_actionlint() {
    let action = action();
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = action["inputs"].as_object().unwrap();
    for input in [
        "role",
        "profile",
        "regions",
        "config",
        "fail-on",
        "allow-incomplete",
        "format",
        "upload-sarif",
        "version",
    ] {
        assert!(inputs.contains_key(input), "input {input}");
    }
    for output in ["exit-code", "report", "sarif", "snapshot"] {
        assert!(action["outputs"].get(output).is_some(), "output {output}");
    }
    // The pinned release is this version.
    assert_eq!(inputs["version"]["default"], VERSION);

    // Every input, given: actionlint knows them all from action.yml.
    let with: Vec<String> = inputs
        .keys()
        .map(|k| format!("          {k}: \"{}\"", example_value(k)))
        .collect();
    let workflow = format!(
        "name: all-inputs\non: push\npermissions:\n  contents: read\n  id-token: write\n  \
         security-events: write\njobs:\n  audit:\n    runs-on: ubuntu-latest\n    steps:\n      \
         - uses: actions/checkout@v5\n      - id: orgaudit\n        uses: ./\n        with:\n{}\n      \
         - run: echo \"$CODE $REPORT\"\n        env:\n          CODE: ${{{{ steps.orgaudit.outputs.exit-code }}}}\n          \
         REPORT: ${{{{ steps.orgaudit.outputs.report }}}}\n",
        with.join("\n")
    );
    let out = lint_with_action(&workflow);
    assert!(out.status.success(), "{}\n{workflow}", text(&out));
    // An input the action does not have is caught.
    let out = lint_with_action(&workflow.replace("fail-on:", "fail-onn:"));
    assert!(!out.status.success(), "actionlint checks the inputs");

    // docs/ci.md's workflow, with the action as `./`.
    let docs = std::fs::read_to_string(root().join("docs/ci.md")).unwrap();
    let start = docs
        .find("# .github/workflows/orgaudit.yml")
        .expect("the workflow in docs/ci.md");
    let block = &docs[start..];
    let block = &block[..block.find("```").unwrap()];
    let uses = format!("uses: your-org/orgaudit@{VERSION}");
    assert!(
        block.contains(&uses),
        "docs/ci.md uses the action at {VERSION}"
    );
    let out = lint_with_action(&block.replace(&uses, "uses: ./"));
    assert!(out.status.success(), "{}\n{block}", text(&out));
}

fn example_value(input: &str) -> &'static str {
    match input {
        "allow-incomplete" | "upload-sarif" | "job-summary" => "true",
        "fail-on" => "high",
        "format" => "sarif",
        "version" => VERSION,
        _ => "x",
    }
}

/// Runs one `run` step of action.yml as the runner would: its env with the
/// `${{ … }}` expressions resolved (inputs, with action.yml's defaults;
/// earlier steps' outputs), bash, the action's files at GITHUB_ACTION_PATH,
/// and PATH extended by what earlier steps wrote to GITHUB_PATH.
struct Runner {
    dir: tempfile::TempDir,
    outputs: BTreeMap<String, String>,
}

struct Step {
    output: Output,
    outputs: BTreeMap<String, String>,
}

impl Runner {
    fn new() -> Runner {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["workspace", "runner-temp"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        Runner {
            dir,
            outputs: BTreeMap::new(),
        }
    }

    fn workspace(&self) -> PathBuf {
        self.dir.path().join("workspace")
    }

    fn run(
        &mut self,
        name: &str,
        inputs: &[(&str, &str)],
        env: &[(&str, &str)],
        remove: &[&str],
    ) -> Step {
        let action = action();
        let step = action["runs"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("action.yml has a step `{name}`"))
            .clone();
        assert_eq!(step["shell"], "bash", "{name}");
        let run = step["run"].as_str().unwrap();
        assert!(
            !run.contains("${{"),
            "{name}: expressions go through env, never into the script"
        );
        let resolve = |value: &str| -> String {
            let Some(expr) = value
                .strip_prefix("${{")
                .and_then(|v| v.strip_suffix("}}"))
                .map(str::trim)
            else {
                return value.to_string();
            };
            if let Some(input) = expr.strip_prefix("inputs.") {
                return inputs
                    .iter()
                    .find(|(k, _)| *k == input)
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_else(|| {
                        action["inputs"][input]["default"]
                            .as_str()
                            .unwrap_or_else(|| panic!("input {input} is declared"))
                            .to_string()
                    });
            }
            if let Some(key) = expr.strip_prefix("steps.scan.outputs.") {
                return self.outputs.get(key).cloned().unwrap_or_default();
            }
            match expr {
                "github.action_repository" => String::new(),
                other => panic!("{name}: unexpected expression {other}"),
            }
        };
        let path_file = self.dir.path().join("github-path");
        let output_file = self.dir.path().join("github-output");
        let _ = std::fs::remove_file(&output_file);
        let mut path: Vec<String> = std::fs::read_to_string(&path_file)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
        path.push(std::env::var("PATH").unwrap());
        let mut cmd = Command::new("bash");
        cmd.args(["-e", "-c", run])
            .current_dir(self.workspace())
            .env("GITHUB_ACTION_PATH", root())
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_PATH", &path_file)
            .env("GITHUB_STEP_SUMMARY", self.dir.path().join("summary.md"))
            .env("RUNNER_TEMP", self.dir.path().join("runner-temp"))
            .env("PATH", path.join(":"))
            .env_remove("ORGAUDIT_REPO");
        if let Some(map) = step["env"].as_object() {
            for (k, v) in map {
                cmd.env(k, resolve(v.as_str().unwrap()));
            }
        }
        cmd.envs(env.iter().copied());
        for r in remove {
            cmd.env_remove(r);
        }
        let output = cmd.output().unwrap();
        let outputs: BTreeMap<String, String> = std::fs::read_to_string(&output_file)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if step["id"] == "scan" {
            self.outputs = outputs.clone();
        }
        Step { output, outputs }
    }
}

/// What the CLI answers for the same snapshot and flags.
fn cli_exit(snapshot: &Path, flags: &[&str]) -> i32 {
    support::cli::orgaudit_std()
        .arg("eval")
        .arg(snapshot)
        .args(["-f", "json", "-o", "/dev/null"])
        .args(flags)
        .output()
        .unwrap()
        .status
        .code()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_action_installs_the_release_scans_and_gates() {
    seed::use_test_environment();
    let mut runner = Runner::new();
    let releases = runner.dir.path().join("releases");
    package(&releases);
    let release_url = file_url(&releases);

    // A release that cannot be fetched fails the install step, clearly.
    let missing = runner.dir.path().join("no-releases");
    std::fs::create_dir_all(&missing).unwrap();
    let failed = runner.run(
        "Install orgaudit",
        &[("release-url", &file_url(&missing))],
        &[],
        &[],
    );
    assert_eq!(failed.output.status.code(), Some(1));
    assert!(
        text(&failed.output).contains("cannot download"),
        "{}",
        text(&failed.output)
    );
    assert!(text(&failed.output).contains("::error title=orgaudit::cannot install orgaudit"));

    // The pinned release, from the stand-in download.
    let installed = runner.run(
        "Install orgaudit",
        &[("release-url", &release_url)],
        &[],
        &[],
    );
    assert!(
        installed.output.status.success(),
        "{}",
        text(&installed.output)
    );
    assert!(String::from_utf8_lossy(&installed.output.stdout).contains(env!("CARGO_PKG_VERSION")));

    let Some(moto) = Moto::start() else { return };
    seed::scenario(&moto.endpoint()).await;
    // The management account's environment, as every CLI test has it.
    let env = support::cli::aws_env(&moto.endpoint());
    let aws: Vec<(&str, &str)> = env
        .iter()
        .filter_map(|(k, v)| Some((*k, v.as_deref()?)))
        .collect();
    let quick = "--max-attempts 2 --retry-backoff-ms 10";

    // Defaults: SARIF report, any severity fails, incomplete fails.
    let scan = runner.run(
        "Scan (read-only)",
        &[("regions", "us-east-1"), ("args", quick)],
        &aws,
        &[],
    );
    assert!(scan.output.status.success(), "{}", text(&scan.output));
    let code: i32 = scan.outputs["exit-code"].parse().unwrap();
    let snapshot = runner.workspace().join(&scan.outputs["snapshot"]);
    assert_eq!(code, cli_exit(&snapshot, &[]), "the exit code is the CLI's");
    assert_eq!(code, 1, "the seeded organization has failing findings");
    let report = runner.workspace().join(&scan.outputs["report"]);
    assert_eq!(scan.outputs["sarif"], scan.outputs["report"]);
    let sarif: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let summary = std::fs::read_to_string(runner.dir.path().join("summary.md")).unwrap();
    assert!(
        summary.contains(seed::MGMT),
        "the job summary has the report"
    );
    let gate = runner.run("Gate", &[], &[], &[]);
    assert_eq!(gate.output.status.code(), Some(1));
    assert!(
        text(&gate.output).contains("::error title=orgaudit::failing findings: see the report"),
        "{}",
        text(&gate.output)
    );

    // fail-on and allow-incomplete pass through; SARIF is made for upload.
    for (fail_on, allow) in [
        ("critical", "true"),
        ("critical", "false"),
        ("high", "true"),
    ] {
        let scan = runner.run(
            "Scan (read-only)",
            &[
                ("regions", "us-east-1"),
                ("args", quick),
                ("format", "json"),
                ("fail-on", fail_on),
                ("allow-incomplete", allow),
                ("upload-sarif", "true"),
                ("job-summary", "false"),
                ("output-dir", "second"),
            ],
            &aws,
            &[],
        );
        assert!(scan.output.status.success(), "{}", text(&scan.output));
        let code: i32 = scan.outputs["exit-code"].parse().unwrap();
        let snapshot = runner.workspace().join(&scan.outputs["snapshot"]);
        let mut flags = vec!["--fail-on", fail_on];
        if allow == "true" {
            flags.push("--allow-incomplete");
        }
        assert_eq!(code, cli_exit(&snapshot, &flags), "{fail_on} {allow}");
        assert!(scan.outputs["report"].ends_with("second/orgaudit.json"));
        assert_eq!(scan.outputs["sarif"], "second/orgaudit.sarif");
        let sarif: Value = serde_json::from_slice(
            &std::fs::read(runner.workspace().join("second/orgaudit.sarif")).unwrap(),
        )
        .unwrap();
        assert_eq!(sarif["version"], "2.1.0");
        let gate = runner.run("Gate", &[("fail-on", fail_on)], &[], &[]);
        assert_eq!(
            gate.output.status.code(),
            Some(code),
            "{}",
            text(&gate.output)
        );
    }

    // No credentials: the scan step fails with orgaudit's reason (exit 2).
    let none = runner.run(
        "Scan (read-only)",
        &[("regions", "us-east-1"), ("args", quick)],
        &aws,
        &[
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_PROFILE",
        ],
    );
    assert_eq!(none.output.status.code(), Some(2), "{}", text(&none.output));
    assert_eq!(none.outputs["exit-code"], "2");
    assert!(!none.outputs.contains_key("report"));
    assert!(
        text(&none.output).contains("::error title=orgaudit::orgaudit could not scan (exit 2): error: no AWS credentials found"),
        "{}",
        text(&none.output)
    );

    // A bad input value is named.
    let bad = runner.run(
        "Scan (read-only)",
        &[("allow-incomplete", "yes")],
        &aws,
        &[],
    );
    assert_eq!(bad.output.status.code(), Some(2));
    assert!(text(&bad.output).contains("input allow-incomplete must be true or false"));
}

#[test]
fn the_gate_maps_exit_codes_as_the_cli_documents() {
    let mut runner = Runner::new();
    for (code, status, message) in [
        ("0", 0, "orgaudit: no failing finding at or above high"),
        (
            "1",
            1,
            "::error title=orgaudit::failing findings at or above high",
        ),
        (
            "3",
            3,
            "::error title=orgaudit::incomplete: some facts could not be read",
        ),
        ("", 2, "::error title=orgaudit::the scan step did not run"),
    ] {
        runner.outputs = BTreeMap::from([("exit-code".to_string(), code.to_string())]);
        let gate = runner.run("Gate", &[("fail-on", "high")], &[], &[]);
        assert_eq!(
            gate.output.status.code(),
            Some(status),
            "{code}: {}",
            text(&gate.output)
        );
        assert!(
            text(&gate.output).contains(message),
            "{code}: {}",
            text(&gate.output)
        );
    }
}

#[test]
fn the_container_recipe_is_multi_stage_non_root_with_the_demo() {
    let dockerfile = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    let froms = dockerfile
        .lines()
        .filter(|l| l.starts_with("FROM "))
        .count();
    assert!(froms >= 2, "multi-stage");
    assert!(dockerfile.contains("ca-certificates"));
    assert!(dockerfile.contains("cargo build --release --locked"));
    assert!(dockerfile.contains("COPY fixtures/demo-org.json /demo-org.json"));
    assert!(dockerfile.contains("ENTRYPOINT [\"orgaudit\"]"));
    let user = dockerfile
        .lines()
        .rfind(|l| l.starts_with("USER "))
        .expect("a USER line");
    assert!(!user.contains("root") && !user.contains(" 0"), "{user}");
    let ignore = std::fs::read_to_string(root().join(".dockerignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "target/"));

    // Built and run where a container engine answers; this machine may
    // have none (then only the recipe is checked, and it is said).
    let engine = ["docker", "podman"].into_iter().find(|e| {
        Command::new(e)
            .arg("info")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(engine) = engine else {
        eprintln!("\n!!!!! no docker or podman daemon here: the image was not built !!!!!\n");
        return;
    };
    let tag = "orgaudit-test:local";
    let build = Command::new(engine)
        .args(["build", "-t", tag, "."])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(build.status.success(), "{}", text(&build));
    let run = Command::new(engine)
        .args(["run", "--rm", tag, "eval", "/demo-org.json", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", text(&run));
    let user = Command::new(engine)
        .args(["run", "--rm", "--entrypoint", "id", tag, "-u"])
        .output()
        .unwrap();
    assert_ne!(String::from_utf8_lossy(&user.stdout).trim(), "0");
}

/// One HTTP/TLS stack (Cargo.toml says why): no package of the lock file
/// brings back the legacy hyper 0.14 / rustls 0.21 client, aws-lc or
/// SigV4a's curve crates. An SDK crate added with its default features
/// would.
#[test]
fn the_build_has_one_tls_stack() {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
    let packages: Vec<(String, String)> = lock
        .split("[[package]]")
        .filter_map(|p| {
            let field = |key: &str| {
                p.lines()
                    .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
                    .map(|v| v.trim_end_matches('"').to_string())
            };
            Some((field("name")?, field("version")?))
        })
        .collect();
    for (name, version) in &packages {
        let legacy = match name.as_str() {
            "hyper" | "http-body" => version.starts_with("0."),
            "h2" => version.starts_with("0.3"),
            "rustls" => version.starts_with("0.21") || version.starts_with("0.20"),
            "hyper-rustls" => version.starts_with("0.24"),
            "aws-lc-sys" | "aws-lc-rs" | "aws-lc-fips-sys" | "p256" | "cmake" => true,
            _ => false,
        };
        assert!(
            !legacy,
            "{name} {version} is in Cargo.lock: add the SDK crate with \
             default-features = false, features = [\"rt-tokio\"]"
        );
    }
    assert!(packages
        .iter()
        .any(|(n, v)| n == "rustls" && v.starts_with("0.23")));
    assert!(packages.iter().any(|(n, _)| n == "ring"));
}
