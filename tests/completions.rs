//! `orgaudit completions SHELL` and `orgaudit man` are generated from the
//! clap definitions: every subcommand (nested ones included) appears in
//! every shell's script and in the manual, and `man --dir` writes a page
//! per subcommand with its flags.

use assert_cmd::Command;
use clap::CommandFactory;
use orgaudit::cli::Cli;

/// Every subcommand as its path of names: ["scan"], ["rules", "list"], …
fn subcommands() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_string());
            out.push(path.clone());
            walk(sub, &path, out);
        }
    }
    let mut out = Vec::new();
    walk(&Cli::command(), &[], &mut out);
    out
}

fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("orgaudit")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {:?}", out.status);
    assert!(out.stderr.is_empty(), "{args:?} writes only the script");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_shell_completes_every_subcommand() {
    let subs = subcommands();
    for expected in [
        "scan",
        "eval",
        "diff",
        "merge",
        "rules",
        "schema",
        "completions",
        "man",
    ] {
        assert!(
            subs.iter().any(|p| p == &[expected]),
            "{expected} is a subcommand"
        );
    }
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = run(&["completions", shell]);
        assert!(script.contains("orgaudit"), "{shell}");
        for path in &subs {
            let name = path.last().unwrap();
            assert!(
                script.contains(name.as_str()),
                "{shell} completes `{}`",
                path.join(" ")
            );
        }
        // Flags of a subcommand too, e.g. scan's.
        assert!(
            script.contains("save-snapshot"),
            "{shell} completes scan's flags"
        );
        assert!(
            script.contains("allow-incomplete"),
            "{shell} completes eval's flags"
        );
    }
    // An unknown shell is a usage error.
    Command::cargo_bin("orgaudit")
        .unwrap()
        .args(["completions", "tcsh"])
        .assert()
        .code(2);
}

#[test]
fn the_manual_lists_every_subcommand_and_each_has_a_page() {
    let page = run(&["man"]);
    assert!(
        page.starts_with(".ie") || page.contains(".TH orgaudit"),
        "roff: {page:.200}"
    );
    for path in subcommands().iter().filter(|p| p.len() == 1) {
        assert!(page.contains(&path[0]), "orgaudit(1) lists `{}`", path[0]);
    }

    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("orgaudit")
        .unwrap()
        .args(["man", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    let main = std::fs::read_to_string(dir.path().join("orgaudit.1")).unwrap();
    assert_eq!(main, page, "the directory holds the same orgaudit(1)");
    for path in subcommands() {
        let file = dir.path().join(format!("orgaudit-{}.1", path.join("-")));
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("{} is written: {e}", file.display()));
        assert!(text.contains(".SH SYNOPSIS"), "{}", file.display());
    }
    let scan = std::fs::read_to_string(dir.path().join("orgaudit-scan.1")).unwrap();
    for flag in ["save\\-snapshot", "role\\-name", "fail\\-on"] {
        assert!(scan.contains(flag), "orgaudit-scan(1) documents --{flag}");
    }

    // A directory that does not exist is an error, nothing written.
    Command::cargo_bin("orgaudit")
        .unwrap()
        .args(["man", "--dir"])
        .arg(dir.path().join("missing"))
        .assert()
        .code(2);
}
