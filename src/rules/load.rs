//! Loading rule files: YAML parsing, field checks, CEL compilation and the
//! check of every field path against the snapshot schema. Every problem is a
//! [`Diagnostic`] with the file, line and column at fault.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::expr::{Aliases, Expr, FieldPath};
use super::shape::{Shape, ViewShapes};
use super::{Automated, ForEach, Logic, Rule, RuleSet, Template, TemplatePart};
use crate::diagnostic::{position_of, Diagnostic, Diagnostics, ValueSpan};
use crate::findings::{Mappings, RuleInfo, Scope, Severity};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// A rule file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    id: Spanned<String>,
    title: String,
    severity: Severity,
    scope: Scope,
    service: String,
    #[serde(default)]
    manual: bool,
    #[serde(default)]
    for_each: Option<Spanned<String>>,
    #[serde(default, rename = "where")]
    filter: Option<Spanned<String>>,
    /// Named expressions: `- name: N` / `expression: CEL`, read as
    /// `variables.N` by the condition, `where` and the messages.
    #[serde(default)]
    variables: Vec<VariableFile>,
    #[serde(default)]
    condition: Option<Spanned<String>>,
    /// What passes, in words (the rule reference shows it). Required for
    /// built-in automated rules.
    #[serde(default)]
    passes_when: Option<String>,
    message: Spanned<String>,
    #[serde(default)]
    pass_message: Option<Spanned<String>>,
    rationale: String,
    remediation: String,
    sources: Vec<Spanned<String>>,
    #[serde(default)]
    mappings: MappingsFile,
    #[serde(default)]
    params: BTreeMap<String, Spanned<serde_json::Value>>,
    /// A user rule that replaces a built-in rule of the same id must say so.
    #[serde(default)]
    overrides_builtin: bool,
    /// `error` (default) or `fail`: the status when an input is unavailable.
    #[serde(default)]
    on_unavailable: super::OnUnavailable,
}

/// A rule file's `mappings`: requirement numbers per framework id
/// (`frameworks: {cis-3.0: ["1.4"], cis-5.0: ["1.3"]}`), checked against
/// the framework catalogue, and the peers' identifiers.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingsFile {
    #[serde(default)]
    frameworks: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
    /// orgaudit 0.1's `cis`: CIS AWS Foundations v3.0.0 numbers.
    #[serde(default)]
    cis: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    aws_config: Vec<String>,
    #[serde(default)]
    prowler: Vec<String>,
    /// Where the framework numbers were verified.
    #[serde(default)]
    cited: Option<String>,
}

impl MappingsFile {
    /// The mappings, or what is wrong with them: an unknown framework or a
    /// number the framework does not have.
    fn check(&self, file: &str, text: &str) -> Result<Mappings, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut frameworks: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let entries = self.frameworks.iter().map(|(k, v)| (k.as_str(), v)).chain(
            self.cis
                .iter()
                .map(|v| (crate::findings::LEGACY_CIS_FRAMEWORK, v)),
        );
        for (id, numbers) in entries {
            let Some(fw) = crate::compliance::get(id) else {
                errors.push(Diagnostic::at(
                    file,
                    text,
                    numbers,
                    format!(
                        "unknown framework `{id}` in mappings.frameworks (known: {})",
                        crate::compliance::known_ids()
                    ),
                ));
                continue;
            };
            for n in &numbers.value {
                if fw.requirement(&n.value).is_none() {
                    errors.push(Diagnostic::at(
                        file,
                        text,
                        n,
                        format!("{} has no requirement `{}`", fw.title(), n.value),
                    ));
                }
                let list = frameworks.entry(fw.id.clone()).or_default();
                if !list.contains(&n.value) {
                    list.push(n.value.clone());
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Mappings {
            frameworks,
            aws_config: self.aws_config.clone(),
            prowler: self.prowler.clone(),
            cited: self
                .cited
                .as_ref()
                .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" ")),
        })
    }
}

/// One named expression of a rule file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VariableFile {
    name: Spanned<String>,
    expression: Spanned<String>,
}

/// Loads the built-in rules plus the YAML files in `user_dirs`.
/// `only` restricts to the given built-in files (tests).
pub fn load(user_dirs: &[&Path], only: Option<&[&str]>) -> Result<RuleSet, Diagnostics> {
    let mut files: Vec<(String, String, bool)> = BUILTIN_RULES
        .iter()
        .filter(|(name, _)| only.is_none_or(|o| o.iter().any(|x| name.ends_with(x))))
        .map(|(name, text)| (name.to_string(), text.to_string(), true))
        .collect();
    let mut errors = Vec::new();
    for dir in user_dirs {
        match read_dir_yaml(dir) {
            Ok(found) => files.extend(found.into_iter().map(|(n, t)| (n, t, false))),
            Err(e) => errors.push(e),
        }
    }
    load_texts(files, errors)
}

/// The rule files under `dir`: every `.yaml`/`.yml` file (extension in any
/// case), in subdirectories too, sorted by path. Entries whose name starts
/// with `.` (`.git`, `.github`) are skipped. A FIFO, socket or device with a
/// YAML name is refused (reading it could block forever), and so is a
/// symbolic link that leads outside `dir` or to a directory: the files read
/// are the ones the directory holds.
fn read_dir_yaml(dir: &Path) -> Result<Vec<(String, String)>, Diagnostic> {
    let root = dir.canonicalize().map_err(|e| Diagnostic {
        file: dir.display().to_string(),
        line: 0,
        column: 0,
        message: format!("cannot read rules directory: {e}"),
        snippet: None,
    })?;
    let mut paths = Vec::new();
    find_rule_files(dir, &root, &mut paths)?;
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let text = crate::fsutil::read_config(&p).map_err(|e| Diagnostic {
            file: p.display().to_string(),
            line: 0,
            column: 0,
            message: format!("cannot read rule file: {e}"),
            snippet: None,
        })?;
        out.push((p.display().to_string(), text));
    }
    Ok(out)
}

/// Adds the rule files under `dir` (inside `root`, canonical) to `out`.
fn find_rule_files(
    dir: &Path,
    root: &Path,
    out: &mut Vec<std::path::PathBuf>,
) -> Result<(), Diagnostic> {
    let refuse = |path: &Path, message: String| Diagnostic {
        file: path.display().to_string(),
        line: 0,
        column: 0,
        message,
        snippet: None,
    };
    let entries = std::fs::read_dir(dir)
        .map_err(|e| refuse(dir, format!("cannot read rules directory: {e}")))?;
    for entry in entries {
        let entry = entry.map_err(|e| refuse(dir, format!("cannot read rules directory: {e}")))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry
            .file_type()
            .map_err(|e| refuse(&path, format!("cannot read rule file: {e}")))?;
        if kind.is_dir() {
            find_rule_files(&path, root, out)?;
            continue;
        }
        let is_yaml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        if !is_yaml {
            continue;
        }
        let kind = if kind.is_symlink() {
            let target = path
                .canonicalize()
                .map_err(|e| refuse(&path, format!("cannot follow symbolic link: {e}")))?;
            if !target.starts_with(root) {
                return Err(refuse(
                    &path,
                    "a symbolic link to a file outside the rules directory: refused".into(),
                ));
            }
            std::fs::metadata(&target)
                .map_err(|e| refuse(&path, format!("cannot read rule file: {e}")))?
                .file_type()
        } else {
            kind
        };
        if !kind.is_file() {
            return Err(refuse(
                &path,
                "not a regular file (a directory, FIFO, socket or device): refused".into(),
            ));
        }
        out.push(path);
    }
    Ok(())
}

/// Whether `text` is meant as a rule file: it has a top-level `id:` key.
/// Diagnostics of any other file (a YAML file that is not a rule, a secret
/// put there by mistake) never quote a line of it.
fn looks_like_rule(text: &str) -> bool {
    text.lines().any(|l| {
        ["id:", "\"id\":", "'id':"]
            .iter()
            .any(|key| l.starts_with(key))
    })
}

/// Loads rules from `(file name, text, builtin)` triples.
pub fn load_texts(
    files: Vec<(String, String, bool)>,
    mut errors: Vec<Diagnostic>,
) -> Result<RuleSet, Diagnostics> {
    let mut rules: Vec<(Rule, bool, (usize, usize))> = Vec::new();
    let mut warnings = Vec::new();
    for (file, text, builtin) in &files {
        if !builtin && !looks_like_rule(text) {
            errors.push(Diagnostic {
                file: file.clone(),
                line: 0,
                column: 0,
                message: "not a rule file (no top-level `id:` key); nothing of it is shown"
                    .to_string(),
                snippet: None,
            });
            continue;
        }
        match parse_rule(file, text) {
            Ok((rule, overrides, pos)) => {
                if *builtin && !rule.info.manual && rule.info.passes_when.is_none() {
                    errors.push(Diagnostic::new(
                        file,
                        text,
                        pos.0,
                        pos.1,
                        "a built-in rule must say what passes (`passes_when`)",
                    ));
                }
                if *builtin && overrides {
                    errors.push(Diagnostic::new(
                        file,
                        text,
                        pos.0,
                        pos.1,
                        "`overrides_builtin` is only for user rules",
                    ));
                }
                // Duplicate ids: a user rule may replace a built-in one only when it says so.
                if let Some(i) = rules.iter().position(|(r, _, _)| r.info.id == rule.info.id) {
                    let (existing, existing_builtin, _) = &rules[i];
                    if *existing_builtin && !builtin && overrides {
                        rules.remove(i);
                        warnings.push(format!(
                            "user rule `{}` in {file} replaces the built-in rule of the same id \
                             (`overrides_builtin: true`)",
                            rule.info.id
                        ));
                    } else {
                        let hint = if *existing_builtin && !builtin {
                            " (a user rule that replaces a built-in rule must say `overrides_builtin: true`)"
                        } else {
                            ""
                        };
                        errors.push(Diagnostic::new(
                            file,
                            text,
                            pos.0,
                            pos.1,
                            format!(
                                "duplicate rule id `{}`: already defined in {}{hint}",
                                rule.info.id, existing.origin
                            ),
                        ));
                        continue;
                    }
                } else if overrides {
                    errors.push(Diagnostic::new(
                        file,
                        text,
                        pos.0,
                        pos.1,
                        format!(
                            "`overrides_builtin: true` but no built-in rule has the id `{}`",
                            rule.info.id
                        ),
                    ));
                }
                rules.push((rule, *builtin, pos));
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(Diagnostics(errors));
    }
    let mut rules: Vec<Rule> = rules.into_iter().map(|(r, _, _)| r).collect();
    rules.sort_by(|a, b| a.info.id.cmp(&b.info.id));
    Ok(RuleSet {
        rules,
        warnings,
        framework: None,
    })
}

fn parse_rule(file: &str, text: &str) -> Result<(Rule, bool, (usize, usize)), Vec<Diagnostic>> {
    let rf: RuleFile =
        serde_saphyr::from_str(text).map_err(|e| vec![Diagnostic::from_yaml(file, text, &e)])?;
    let mut errors = Vec::new();
    let id_pos = position_of(&rf.id);
    let id = rf.id.value.clone();
    let id_re = regex::Regex::new("^[a-z0-9]+(-[a-z0-9]+)*$").expect("valid regex");
    if !id_re.is_match(&id) {
        errors.push(Diagnostic::new(
            file,
            text,
            id_pos.0,
            id_pos.1,
            format!("rule id `{id}` is not kebab-case"),
        ));
    }
    for s in &rf.sources {
        if !super::sources::is_known(&s.value) {
            let known: Vec<&str> = super::sources::SOURCES.iter().map(|(k, _)| *k).collect();
            let (l, c) = position_of(s);
            errors.push(Diagnostic::new(
                file,
                text,
                l,
                c,
                format!(
                    "unknown source key `{}` (known: {})",
                    s.value,
                    known.join(", ")
                ),
            ));
        }
    }
    if rf.sources.is_empty() {
        errors.push(Diagnostic::new(
            file,
            text,
            id_pos.0,
            id_pos.1,
            "a rule must cite at least one source",
        ));
    }
    let mappings = rf.mappings.check(file, text).unwrap_or_else(|mut e| {
        errors.append(&mut e);
        Mappings::default()
    });
    let mut params = BTreeMap::new();
    for (name, value) in &rf.params {
        let (l, c) = position_of(value);
        if let Err(msg) = check_param_value(name, &value.value) {
            errors.push(Diagnostic::new(file, text, l, c, msg));
        }
        params.insert(name.clone(), value.value.clone());
    }

    let info = RuleInfo {
        id: id.clone(),
        title: rf.title.clone(),
        severity: rf.severity,
        scope: rf.scope,
        service: rf.service.clone(),
        manual: rf.manual,
        passes_when: rf
            .passes_when
            .as_ref()
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ")),
        rationale: rf.rationale.trim_end().to_string(),
        remediation: rf.remediation.trim_end().to_string(),
        sources: rf.sources.iter().map(|s| s.value.clone()).collect(),
        mappings,
    };

    let logic = if rf.manual {
        for (field, present) in [
            ("condition", rf.condition.is_some()),
            ("for_each", rf.for_each.is_some()),
            ("where", rf.filter.is_some()),
            ("variables", !rf.variables.is_empty()),
            ("pass_message", rf.pass_message.is_some()),
        ] {
            if present {
                errors.push(Diagnostic::new(
                    file,
                    text,
                    id_pos.0,
                    id_pos.1,
                    format!("a manual rule has no `{field}`"),
                ));
            }
        }
        Logic::Manual {
            check: rf.message.value.trim_end().to_string(),
        }
    } else {
        match compile_automated(file, text, &rf, &params) {
            Ok(a) => Logic::Automated(Box::new(a)),
            Err(mut e) => {
                errors.append(&mut e);
                Logic::Manual {
                    check: String::new(),
                }
            }
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((
        Rule {
            info,
            origin: file.to_string(),
            params,
            logic,
        },
        rf.overrides_builtin,
        id_pos,
    ))
}

/// Checks a parameter value by the conventions of its name.
pub fn check_param_value(name: &str, value: &serde_json::Value) -> Result<(), String> {
    use serde_json::Value as J;
    match value {
        J::Object(_) => {
            return Err(format!(
                "param `{name}`: a value must be a scalar or a list"
            ))
        }
        J::Number(n) if n.as_i64().is_some_and(|v| v < 0) => {
            return Err(format!("param `{name}`: must not be negative, got {n}"))
        }
        _ => {}
    }
    if name.ends_with("_pattern") {
        match value {
            J::String(p) => {
                regex::Regex::new(p).map_err(|e| {
                    format!(
                        "param `{name}`: invalid regular expression: {}",
                        e.to_string().lines().last().unwrap_or_default()
                    )
                })?;
            }
            other => {
                return Err(format!(
                    "param `{name}`: expected a regular expression string, got {other}"
                ))
            }
        }
    }
    Ok(())
}

/// The variables in scope for a rule of `scope`.
fn scope_variables(scope: Scope) -> Vec<&'static str> {
    match scope {
        Scope::Org => vec!["org", "mgmt", "params", "scan"],
        Scope::Account | Scope::Mgmt => vec!["account", "org", "mgmt", "params", "scan"],
    }
}

fn compile_automated(
    file: &str,
    text: &str,
    rf: &RuleFile,
    params: &BTreeMap<String, serde_json::Value>,
) -> Result<Automated, Vec<Diagnostic>> {
    let mut owned_vars: Vec<String> = scope_variables(rf.scope)
        .iter()
        .map(|s| s.to_string())
        .collect();
    let params_shape = Shape::Object(params.keys().map(|k| (k.clone(), Shape::Any)).collect());
    let mut var_shapes: BTreeMap<String, Shape> = BTreeMap::new();
    let shapes = ViewShapes::reference();
    var_shapes.insert("account".into(), shapes.account.clone());
    var_shapes.insert("mgmt".into(), shapes.account.clone());
    var_shapes.insert("org".into(), shapes.org.clone());
    var_shapes.insert("scan".into(), shapes.scan.clone());
    var_shapes.insert("params".into(), params_shape);

    let Some(condition_src) = &rf.condition else {
        let pos = position_of(&rf.id);
        return Err(vec![Diagnostic::new(
            file,
            text,
            pos.0,
            pos.1,
            "an automated rule needs a `condition` (or `manual: true`)",
        )]);
    };
    let mut compiler = RuleCompiler {
        file,
        text,
        rule_id: &rf.id.value,
        errors: Vec::new(),
    };
    let for_each = rf.for_each.as_ref().and_then(|fe| {
        let variables: Vec<&str> = owned_vars.iter().map(String::as_str).collect();
        let (var, for_each) = compiler.for_each(fe, &variables, &mut var_shapes)?;
        owned_vars.push(var);
        for_each
    });
    let variables: Vec<&str> = owned_vars.iter().map(String::as_str).collect();
    let (aliases, named) = compiler.variables(&rf.variables, &variables, &var_shapes);
    let filter = rf.filter.as_ref().and_then(|w| {
        if for_each.is_none() {
            let span = ValueSpan::locate(text, w);
            compiler
                .errors
                .push(span.error_at(file, 1, 1, "`where` needs `for_each`".to_string()));
        }
        compiler.compile("where", w, &variables, &var_shapes, &aliases)
    });
    let condition = compiler.compile(
        "condition",
        condition_src,
        &variables,
        &var_shapes,
        &aliases,
    );
    let message = compiler.template(&rf.message, &variables, &var_shapes, &aliases);
    let pass_message = rf
        .pass_message
        .as_ref()
        .map(|m| compiler.template(m, &variables, &var_shapes, &aliases));
    if !compiler.errors.is_empty() {
        return Err(compiler.errors);
    }
    Ok(Automated {
        for_each,
        filter,
        variables: named,
        condition: condition.expect("no errors means compiled"),
        message,
        pass_message,
        on_unavailable: match rf.on_unavailable {
            super::OnUnavailable::Error => crate::findings::Status::Error,
            super::OnUnavailable::Fail => crate::findings::Status::Fail,
        },
    })
}

/// Compiles the CEL expressions of one rule file, each checked against the
/// snapshot's shape; every problem is kept with its position.
struct RuleCompiler<'a> {
    file: &'a str,
    text: &'a str,
    rule_id: &'a str,
    errors: Vec<Diagnostic>,
}

impl RuleCompiler<'_> {
    /// One expression of the rule's field `field`.
    fn compile(
        &mut self,
        field: &str,
        s: &Spanned<String>,
        vars: &[&str],
        shapes: &BTreeMap<String, Shape>,
        aliases: &Aliases,
    ) -> Option<Expr> {
        let span = ValueSpan::locate(self.text, s);
        match Expr::compile_with(&s.value, vars, aliases) {
            Err(e) => {
                self.errors.push(span.error_at(
                    self.file,
                    e.line,
                    e.column,
                    format!("CEL syntax error in `{field}`: {}", e.message),
                ));
                None
            }
            Ok(expr) => {
                self.check(field, &span, &expr, vars, shapes);
                Some(expr)
            }
        }
    }

    /// What a compiled expression reads: known variables, no `!has()` of a
    /// section (missing data would pass), fields the snapshot has.
    fn check(
        &mut self,
        field: &str,
        span: &ValueSpan,
        expr: &Expr,
        vars: &[&str],
        shapes: &BTreeMap<String, Shape>,
    ) {
        let (file, rule_id) = (self.file, self.rule_id);
        for (name, offset) in expr.unknown_identifiers() {
            let (l, c) = expr.position_of(*offset);
            self.errors.push(span.error_at(
                file,
                l,
                c,
                format!(
                    "rule `{rule_id}`: unknown variable `{name}` in `{field}` (in scope: {})",
                    vars.join(", ")
                ),
            ));
        }
        for path in expr.negated_has() {
            let reference = ViewShapes::reference();
            let sections = match path.root.as_str() {
                "account" | "mgmt" => &reference.account_sections,
                "org" => &reference.org_sections,
                "scan" => &reference.scan_sections,
                _ => continue,
            };
            if sections.contains(&path.segments) {
                let (l, c) = expr.position_of(path.offset);
                self.errors.push(span.error_at(
                    file,
                    l,
                    c,
                    format!(
                        "rule `{rule_id}`: `!has({})` is also true when that section could \
                         not be read, so missing data would pass; test what the \
                         section holds instead (reading an unavailable section is ERROR)",
                        path.display()
                    ),
                ));
            }
        }
        for path in expr.paths() {
            if let Err(msg) = check_path(path, shapes) {
                let (l, c) = expr.position_of(path.offset);
                self.errors.push(span.error_at(
                    file,
                    l,
                    c,
                    format!(
                        "rule `{rule_id}`: `{}` does not exist in the snapshot: {msg}",
                        path.display()
                    ),
                ));
            }
        }
    }

    /// `for_each: VAR in FIELD.PATH`: the loop variable (given the shape of
    /// the collection's elements in `var_shapes`) and the compiled loop, or
    /// `None` when it is not of that form.
    fn for_each(
        &mut self,
        fe: &Spanned<String>,
        variables: &[&str],
        var_shapes: &mut BTreeMap<String, Shape>,
    ) -> Option<(String, Option<ForEach>)> {
        let file = self.file;
        let span = ValueSpan::locate(self.text, fe);
        let Some((var, coll)) = fe
            .value
            .split_once(" in ")
            .filter(|(var, _)| is_identifier(var.trim()))
        else {
            self.errors.push(span.error_at(
                file,
                1,
                1,
                "`for_each` must be `VAR in FIELD.PATH`".to_string(),
            ));
            return None;
        };
        let var = var.trim().to_string();
        let offset = fe.value.find(coll).unwrap_or(0);
        let coll_spanned = Spanned::new(coll.trim().to_string(), fe.referenced, fe.defined);
        let collection = self.compile(
            "for_each",
            &coll_spanned,
            variables,
            var_shapes,
            &Aliases::new(),
        );
        if let Some(c) = &collection {
            // The collection must be a field path, so its elements have a known shape.
            match c.paths().iter().max_by_key(|p| p.segments.len()) {
                Some(p) if p.display() == coll.trim() => {
                    if let Ok(shape) = resolve(p, var_shapes) {
                        match shape {
                            Shape::List(item) => {
                                var_shapes.insert(var.clone(), (**item).clone());
                            }
                            Shape::Any => {
                                var_shapes.insert(var.clone(), Shape::Any);
                            }
                            _ => self.errors.push(span.error_at(
                                file,
                                1,
                                offset + 1,
                                format!("`for_each`: `{}` is not a list", coll.trim()),
                            )),
                        }
                    }
                }
                _ => self.errors.push(
                    span.error_at(
                        file,
                        1,
                        offset + 1,
                        "`for_each` must be `VAR in FIELD.PATH` (filter elements with `where`)"
                            .to_string(),
                    ),
                ),
            }
        }
        let for_each = collection.map(|collection| ForEach {
            var: var.clone(),
            collection,
        });
        Some((var, for_each))
    }

    /// The named expressions (`variables:`), in order: each may read the
    /// ones before it. Returns them as aliases and compiled.
    fn variables(
        &mut self,
        declared: &[VariableFile],
        variables: &[&str],
        var_shapes: &BTreeMap<String, Shape>,
    ) -> (Aliases, Vec<(String, Expr)>) {
        let (file, text) = (self.file, self.text);
        let mut aliases = Aliases::new();
        let mut named: Vec<(String, Expr)> = Vec::new();
        for v in declared {
            let name = v.name.value.trim().to_string();
            let (l, c) = position_of(&v.name);
            if !is_identifier(&name) {
                self.errors.push(Diagnostic::new(
                    file,
                    text,
                    l,
                    c,
                    format!("variable name `{name}` is not an identifier"),
                ));
                continue;
            }
            if aliases.contains_key(&name) {
                self.errors.push(Diagnostic::new(
                    file,
                    text,
                    l,
                    c,
                    format!("variable `{name}` is declared twice"),
                ));
                continue;
            }
            if let Some(e) =
                self.compile("variables", &v.expression, variables, var_shapes, &aliases)
            {
                aliases.insert(name.clone(), e.denotes().cloned());
                named.push((name, e));
            }
        }
        (aliases, named)
    }

    /// A message template: text with `{{ expression }}` parts.
    fn template(
        &mut self,
        message: &Spanned<String>,
        variables: &[&str],
        shapes: &BTreeMap<String, Shape>,
        aliases: &Aliases,
    ) -> Template {
        let mut parts = Vec::new();
        let mut rest = message.value.trim_end();
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                parts.push(super::TemplatePart::Text(rest[..start].to_string()));
            }
            let Some(end) = rest[start..].find("}}") else {
                let span = ValueSpan::locate(self.text, message);
                self.errors.push(span.error_at(
                    self.file,
                    1,
                    1,
                    "`message`: `{{` without `}}`".to_string(),
                ));
                break;
            };
            let inner = rest[start + 2..start + end].trim().to_string();
            let spanned = Spanned::new(inner, message.referenced, message.defined);
            if let Some(e) = self.compile("message", &spanned, variables, shapes, aliases) {
                parts.push(TemplatePart::Expr(Box::new(e)));
            }
            rest = &rest[start + end + 2..];
        }
        if !rest.is_empty() {
            parts.push(TemplatePart::Text(rest.to_string()));
        }
        Template { parts }
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn resolve<'s>(path: &FieldPath, shapes: &'s BTreeMap<String, Shape>) -> Result<&'s Shape, String> {
    let mut shape = shapes
        .get(&path.root)
        .ok_or_else(|| format!("unknown variable `{}`", path.root))?;
    for seg in &path.segments {
        shape = shape.step(seg)?;
    }
    Ok(shape)
}

fn check_path(path: &FieldPath, shapes: &BTreeMap<String, Shape>) -> Result<(), String> {
    resolve(path, shapes).map(|_| ())
}

impl RuleSet {
    /// Loads from explicit texts (tests and fuzzing): `(file name, text)`.
    pub fn from_texts(files: &[(&str, &str)]) -> Result<RuleSet, Diagnostics> {
        load_texts(
            files
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string(), false))
                .collect(),
            Vec::new(),
        )
    }
}
