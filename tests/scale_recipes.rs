//! The batch-engine recipes of docs/scale.md (examples/scale/), checked: each
//! file against its engine's schema (Kubernetes schemas with
//! kubernetes-validate, the AWS Batch API's input shapes with botocore,
//! GitHub workflows with actionlint), and each shard script run with its
//! engine's index variable, `orgaudit` and `aws` stubbed, so that index i
//! scans shard i+1 of N and keeps its snapshot where the merge step reads
//! it. The fan-out itself runs for real in tests/fanout_moto.rs.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const DIR: &str = "examples/scale";

/// A checker of the test venv, installed by scripts/test-tools.sh.
fn tool(name: &str) -> PathBuf {
    let venv = std::env::var_os("ORGAUDIT_MOTO_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-moto"));
    let path = venv.join("bin").join(name);
    if !path.exists() {
        let status = Command::new("scripts/test-tools.sh").status().unwrap();
        assert!(status.success(), "scripts/test-tools.sh failed");
    }
    assert!(path.exists(), "{} not installed", path.display());
    path
}

/// Runs Python of the test venv on a script; its standard output as JSON.
fn python(script: &str, args: &[&str]) -> Value {
    let out = Command::new(tool("python"))
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every YAML document of a file, as JSON.
fn yaml_documents(file: &str) -> Vec<Value> {
    python(
        "import sys, json, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))",
        &[&format!("{DIR}/{file}")],
    )
    .as_array()
    .unwrap()
    .clone()
}

/// Runs a recipe's shell script with `orgaudit` exiting `orgaudit_exit`
/// and `aws` succeeding, both logging their arguments: (success, log).
fn run_script(script: &str, env: &[(&str, &str)], orgaudit_exit: i32) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("calls.log");
    for (name, exit) in [("orgaudit", orgaudit_exit), ("aws", 0)] {
        let stub = dir.path().join(name);
        std::fs::write(
            &stub,
            format!(
                "#!/bin/sh\necho \"{name} $*\" >> '{}'\nexit {exit}\n",
                log.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .env_clear()
        .env("PATH", path)
        .envs(env.iter().copied())
        .status()
        .unwrap();
    (
        status.success(),
        std::fs::read_to_string(&log).unwrap_or_default(),
    )
}

fn env_of(container: &Value) -> Vec<(String, String)> {
    container["env"]
        .as_array()
        .or(container["environment"].as_array())
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn kubernetes_indexed_job() {
    let out = Command::new(tool("kubernetes-validate"))
        .args(["--strict", "--no-warn"])
        .arg(format!("{DIR}/kubernetes-indexed-job.yaml"))
        .arg(format!("{DIR}/kubernetes-merge-job.yaml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");

    let docs = yaml_documents("kubernetes-indexed-job.yaml");
    let job = docs.iter().find(|d| d["kind"] == "Job").unwrap();
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let container = &spec["template"]["spec"]["containers"][0];
    let mut env = env_of(container);
    let shards: u64 = env
        .iter()
        .find(|(k, _)| k == "SHARDS")
        .unwrap()
        .1
        .parse()
        .unwrap();
    assert_eq!(spec["completions"], shards);
    assert_eq!(spec["parallelism"], shards);
    let script = container["args"][0].as_str().unwrap();

    env.push(("JOB_COMPLETION_INDEX".into(), "2".into()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    // Failing findings (exit 1): the shard is kept.
    let (ok, log) = run_script(script, &env, 1);
    assert!(ok, "{log}");
    assert!(
        log.contains(&format!("orgaudit scan --shard 3/{shards} ")),
        "{log}"
    );
    assert!(
        log.contains(&format!(
            "aws s3 cp /tmp/shard-3.json s3://acme-orgaudit-snapshots/audit-2026-12-01/shard-3-of-{shards}.json"
        )),
        "{log}"
    );
    // Nothing scanned (exit 2): the pod fails, nothing uploaded.
    let (ok, log) = run_script(script, &env, 2);
    assert!(!ok);
    assert!(!log.contains("aws s3 cp"), "{log}");

    // The merge reads where the shards write.
    let merge = &yaml_documents("kubernetes-merge-job.yaml")[0];
    let container = &merge["spec"]["template"]["spec"]["containers"][0];
    let env = env_of(container);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (ok, log) = run_script(container["args"][0].as_str().unwrap(), &env, 0);
    assert!(ok, "{log}");
    assert!(
        log.contains("s3://acme-orgaudit-snapshots/audit-2026-12-01/ /tmp/shards/"),
        "{log}"
    );
    assert!(
        log.contains("orgaudit merge /tmp/shards/shard-*.json --output /tmp/merged.json"),
        "{log}"
    );
    assert!(log.contains("orgaudit eval /tmp/merged.json"), "{log}");
}

#[test]
fn aws_batch_array_job() {
    // Each file against the input shape of the API call it is for.
    let checked = python(
        r#"
import json, sys, botocore.session, botocore.validate
model = botocore.session.get_session().get_service_model("batch")
out = {}
for path, op in zip(sys.argv[1::2], sys.argv[2::2]):
    doc = json.load(open(path))
    botocore.validate.validate_parameters(doc, model.operation_model(op).input_shape)
    out[path] = doc
print(json.dumps(out))
"#,
        &[
            &format!("{DIR}/aws-batch-job-definition.json"),
            "RegisterJobDefinition",
            &format!("{DIR}/aws-batch-submit-job.json"),
            "SubmitJob",
            &format!("{DIR}/aws-batch-merge-job.json"),
            "SubmitJob",
        ],
    );
    let def = &checked[format!("{DIR}/aws-batch-job-definition.json")];
    let submit = &checked[format!("{DIR}/aws-batch-submit-job.json")];
    let merge = &checked[format!("{DIR}/aws-batch-merge-job.json")];
    let container = &def["containerProperties"];
    let mut env = env_of(container);
    let shards: u64 = env
        .iter()
        .find(|(k, _)| k == "SHARDS")
        .unwrap()
        .1
        .parse()
        .unwrap();
    assert_eq!(submit["arrayProperties"]["size"], shards);
    assert_eq!(submit["jobDefinition"], def["jobDefinitionName"]);
    assert_eq!(merge["jobDefinition"], def["jobDefinitionName"]);

    let script = container["command"][2].as_str().unwrap();
    env.push(("AWS_BATCH_JOB_ARRAY_INDEX".into(), "0".into()));
    env.push(("AWS_BATCH_JOB_ID".into(), "4f1e-array:0".into()));
    let envs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (ok, log) = run_script(script, &envs, 1);
    assert!(ok, "{log}");
    assert!(
        log.contains(&format!("orgaudit scan --shard 1/{shards} ")),
        "{log}"
    );
    assert!(
        log.contains(&format!(
            "s3://acme-orgaudit-snapshots/4f1e-array/shard-1-of-{shards}.json"
        )),
        "{log}"
    );

    // The merge job: the definition's environment, RUN = the array job id.
    let mut env: Vec<(String, String)> = env_of(container);
    env.push(("RUN".into(), "4f1e-array".into()));
    let envs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (ok, log) = run_script(
        merge["containerOverrides"]["command"][2].as_str().unwrap(),
        &envs,
        0,
    );
    assert!(ok, "{log}");
    assert!(
        log.contains("s3://acme-orgaudit-snapshots/4f1e-array/ /tmp/shards/"),
        "{log}"
    );
    assert!(
        log.contains("orgaudit merge /tmp/shards/shard-*.json"),
        "{log}"
    );
}

#[test]
fn github_actions_matrix() {
    let file = format!("{DIR}/github-actions-matrix.yml");
    let out = Command::new(tool("actionlint"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let wf = &yaml_documents("github-actions-matrix.yml")[0];
    let shards = wf["env"]["SHARDS"].as_u64().unwrap();
    let matrix: Vec<u64> = wf["jobs"]["shard"]["strategy"]["matrix"]["shard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(matrix, (1..=shards).collect::<Vec<_>>());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(r#"--shard "$SHARD/$SHARDS""#));
    assert!(text.contains("orgaudit merge shards/shard-*.json"));
    assert_eq!(wf["jobs"]["merge"]["needs"], "shard");
}
