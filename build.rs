// Embeds every built-in rule file (rules/*.yaml) and every compliance
// framework (frameworks/*.yaml) in the binary. Adding a rule or a framework
// means adding its file; no list is edited by hand.
use std::io::Write;
use std::path::Path;

fn main() {
    embed("rules", "BUILTIN_RULES", "builtin_rules.rs");
    embed("frameworks", "BUILTIN_FRAMEWORKS", "builtin_frameworks.rs");
}

/// Writes `OUT_DIR/out_file` defining `static_name`: the `(path, text)` of
/// every `.yaml` file directly in `dir`, sorted by name.
fn embed(dir: &str, static_name: &str, out_file: &str) {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let path = Path::new(&manifest).join(dir);
    println!("cargo:rerun-if-changed={dir}");
    let mut files: Vec<_> = std::fs::read_dir(&path)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join(out_file);
    let mut f = std::fs::File::create(out).expect("create the embedded file list");
    writeln!(f, "pub static {static_name}: &[(&str, &str)] = &[").unwrap();
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy();
        writeln!(
            f,
            "    (\"{dir}/{name}\", include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    writeln!(f, "];").unwrap();
}
