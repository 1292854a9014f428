//! Our expression type: CEL, wrapped so that the engine never depends on the
//! `cel` crate's API directly and the implementation can be swapped.
//!
//! Besides compiling, an [`Expr`] knows every field path it reads (with the
//! positions where it reads them), so that rules can be checked against the
//! snapshot schema at load time and their missing inputs detected before
//! evaluation.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use cel::common::ast::Expr as Ast;
use cel::common::ast::LiteralValue;
use cel::common::types::{CelBool, CelString};
use cel::IdedExpr;

/// A syntax error, positioned within the expression text (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// A field path read by an expression: a root variable and segments, where
/// `[]` stands for "every element of a list".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldPath {
    pub root: String,
    pub segments: Vec<String>,
    /// Character offset of the read in the expression text.
    pub offset: usize,
}

impl FieldPath {
    pub fn display(&self) -> String {
        let mut s = self.root.clone();
        for seg in &self.segments {
            if seg == "[]" {
                s.push_str("[]");
            } else {
                s.push('.');
                s.push_str(seg);
            }
        }
        s
    }
}

/// At most this many levels of brackets in an expression (the built-in rules
/// use 6).
pub const MAX_NESTING: usize = 32;
/// At most this many operator characters (`+ - * / % ! < > = & | ? .`) in an
/// expression (the built-in rules use 105).
pub const MAX_OPERATORS: usize = 512;

/// Rejects expressions too deep to parse, walk and evaluate within a
/// thread's stack: the parser and the interpreter recurse once per level of
/// brackets and once per operator of a chain such as `1 + 1 + … + 1`, and a
/// rule file with thousands of them overflowed the stack (found by the
/// `rule_file` fuzz target). String literals are skipped.
fn check_size(source: &str) -> Result<(), SyntaxError> {
    let error = |at: usize, message: String| {
        let before = &source[..at];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        SyntaxError {
            line,
            column,
            message,
        }
    };
    let (mut depth, mut operators) = (0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in source.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(error(
                        i,
                        format!("expression nested too deeply (more than {MAX_NESTING} levels of brackets)"),
                    ));
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            '+' | '-' | '*' | '/' | '%' | '!' | '<' | '>' | '=' | '&' | '|' | '?' | '.' => {
                operators += 1;
                if operators > MAX_OPERATORS {
                    return Err(error(
                        i,
                        format!("expression too long (more than {MAX_OPERATORS} operators)"),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A compiled expression.
#[derive(Debug)]
pub struct Expr {
    source: String,
    /// The compiled expression with a budget step in every comprehension
    /// ([`with_budget`]): what runs.
    budgeted: IdedExpr,
    paths: Vec<FieldPath>,
    unknown_identifiers: Vec<(String, usize)>,
    negated_has: Vec<FieldPath>,
    denotes: Option<(String, Vec<String>)>,
}

/// The name under which a rule's named expressions are read:
/// `variables.NAME`.
pub const VARIABLES: &str = "variables";

/// For each named expression in scope, the field path its value denotes.
pub type Aliases = HashMap<String, Option<(String, Vec<String>)>>;

/// The CEL environment every expression is compiled and run in: the standard
/// library, with `matches` our own (below), and the `@budget()` step of
/// [`with_budget`].
pub fn env() -> Arc<cel::Env> {
    static ENV: OnceLock<Arc<cel::Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = cel::Env::stdlib();
        // `lowerAscii()` and friends: IAM names and e-mail addresses compare
        // case-insensitively.
        env.add_extension(cel::extensions::strings)
            .expect("the strings extension declares each function once");
        cel::add_overload!(env, fn regex_matches: (CelString, CelString) -> Result<CelBool>,
            name = "matches", id = "matches")
        .expect("matches is declared once");
        cel::add_member_overload!(env, fn regex_matches: (CelString, CelString) -> Result<CelBool>,
            name = "matches")
        .expect("matches is declared once");
        cel::add_overload!(env, fn budget_step: () -> Result<CelBool>,
            name = BUDGET_FN, id = BUDGET_FN)
        .expect("@budget is declared once");
        Arc::new(env)
    })
    .clone()
}

/// `s.matches(re)`, as CEL's standard library defines it, but compiling each
/// pattern once per thread rather than on every call: rules match thousands
/// of e-mail addresses against one or two patterns.
fn regex_matches(this: &CelString<'_>, re: &CelString<'_>) -> Result<CelBool, cel::ExecutionError> {
    thread_local! {
        static COMPILED: RefCell<HashMap<String, regex::Regex>> = RefCell::new(HashMap::new());
    }
    COMPILED.with(|compiled| {
        let mut compiled = compiled.borrow_mut();
        if let Some(r) = compiled.get(re.inner()) {
            return Ok(CelBool::from(r.is_match(this.inner())));
        }
        let r = regex::Regex::new(re.inner()).map_err(|e| {
            cel::ExecutionError::function_error(
                "matches",
                format!("'{}' not a valid regex:\n{e}", re.inner()),
            )
        })?;
        let matched = r.is_match(this.inner());
        // Patterns come from rules and params: a handful. Bounded all the same.
        if compiled.len() >= 256 {
            compiled.clear();
        }
        compiled.insert(re.inner().to_string(), r);
        Ok(CelBool::from(matched))
    })
}

/// At most this many loop iterations (all comprehensions together: `all`,
/// `exists`, `map`, `filter`…, nested ones multiply) in one run of an
/// expression. The built-in rules need a few per element of the snapshot.
pub const MAX_STEPS: u64 = 10_000_000;
/// At most this long for one run of an expression, checked every 256 loop
/// iterations.
pub const MAX_RUN_TIME: Duration = Duration::from_secs(5);

/// The work one run of an expression may still do. The `cel` crate has no
/// step hook, so [`with_budget`] puts a call to `@budget()` (a name CEL
/// source cannot spell) in every comprehension's loop; each call takes one
/// step, and every 256th looks at the clock. Once the budget is spent every call fails,
/// so the run ends with an error (the finding is ERROR), or with a value
/// that did not depend on the unfinished part (`a || b` with `b` true).
/// Outside loops an expression does bounded work: at most
/// [`MAX_OPERATORS`] operators, each linear in its operands.
#[derive(Clone, Copy)]
struct Budget {
    steps_left: u64,
    deadline: Instant,
}

thread_local! {
    static BUDGET: Cell<Budget> = Cell::new(Budget {
        steps_left: MAX_STEPS,
        deadline: Instant::now() + MAX_RUN_TIME,
    });
}

impl Budget {
    /// A full budget for the run that starts on this thread.
    fn start() {
        BUDGET.with(|b| {
            b.set(Budget {
                steps_left: MAX_STEPS,
                deadline: Instant::now() + MAX_RUN_TIME,
            })
        });
    }
}

/// `@budget()`: takes one step of the run's budget; true, or an error once
/// it is spent.
fn budget_step() -> Result<CelBool, cel::ExecutionError> {
    BUDGET.with(|b| {
        let mut budget = b.get();
        // The clock is read every 256 steps: a few nanoseconds a step.
        if budget.steps_left % 256 == 0 && Instant::now() > budget.deadline {
            budget.steps_left = 0;
        }
        if budget.steps_left == 0 {
            b.set(budget);
            return Err(cel::ExecutionError::function_error(
                "budget",
                format!(
                    "the expression ran past its budget ({MAX_STEPS} loop iterations or {} s) \
                     and was stopped; the rule must do less work per account",
                    MAX_RUN_TIME.as_secs()
                ),
            ));
        }
        budget.steps_left -= 1;
        b.set(budget);
        Ok(CelBool::from(true))
    })
}

const BUDGET_FN: &str = "@budget";

/// Puts a budget step ([`budget_step`]) in every comprehension of `e`, so
/// that each loop iteration takes one. Where it goes keeps the shapes the
/// interpreter runs fast (a `map`/`filter` appending to a list in place):
/// in the guard of a guarded append, in the appended element of a plain
/// one, else in the loop condition. A step that is spent fails the
/// condition or the element, never silently skips it:
/// `@budget() ? x : false`.
fn with_budget(e: &mut IdedExpr) {
    use cel::common::ast::operators::{ADD, CONDITIONAL};
    fn gated(e: &mut IdedExpr, otherwise: LiteralValue) {
        let inner = std::mem::take(e);
        let step = IdedExpr {
            id: 0,
            expr: Ast::Call(cel::common::ast::CallExpr {
                func_name: BUDGET_FN.to_string(),
                target: None,
                args: Vec::new(),
            }),
        };
        let otherwise = IdedExpr {
            id: 0,
            expr: Ast::Literal(otherwise),
        };
        *e = IdedExpr {
            id: inner.id,
            expr: Ast::Call(cel::common::ast::CallExpr {
                func_name: CONDITIONAL.to_string(),
                target: None,
                args: vec![step, inner, otherwise],
            }),
        };
    }
    /// The elements appended by `accu + [elements]`.
    fn appended<'a>(e: &'a mut IdedExpr, accu: &str) -> Option<&'a mut Vec<IdedExpr>> {
        let Ast::Call(call) = &mut e.expr else {
            return None;
        };
        match call.args.as_mut_slice() {
            [lhs, rhs]
                if call.func_name == ADD && matches!(&lhs.expr, Ast::Ident(n) if n == accu) =>
            {
                match &mut rhs.expr {
                    Ast::List(list) => Some(&mut list.elements),
                    _ => None,
                }
            }
            _ => None,
        }
    }
    match &mut e.expr {
        Ast::Call(call) => {
            if let Some(t) = &mut call.target {
                with_budget(t);
            }
            call.args.iter_mut().for_each(with_budget);
        }
        Ast::Select(select) => with_budget(&mut select.operand),
        Ast::List(list) => list.elements.iter_mut().for_each(with_budget),
        Ast::Map(map) => {
            for entry in &mut map.entries {
                if let cel::common::ast::EntryExpr::MapEntry(m) = &mut entry.expr {
                    with_budget(&mut m.key);
                    with_budget(&mut m.value);
                }
            }
        }
        Ast::Struct(st) => {
            for entry in &mut st.entries {
                if let cel::common::ast::EntryExpr::StructField(f) = &mut entry.expr {
                    with_budget(&mut f.value);
                }
            }
        }
        Ast::Comprehension(comp) => {
            for part in [
                &mut comp.iter_range,
                &mut comp.accu_init,
                &mut comp.loop_cond,
                &mut comp.loop_step,
                &mut comp.result,
            ] {
                with_budget(part);
            }
            let accu = comp.accu_var.clone();
            let fast_shape = matches!(comp.loop_cond.expr, Ast::Literal(_))
                && matches!(&comp.result.expr, Ast::Ident(n) if *n == accu);
            if fast_shape {
                // `g ? accu + [x] : accu` (filter): the guard.
                if let Ast::Call(call) = &mut comp.loop_step.expr {
                    if call.func_name == CONDITIONAL && call.args.len() == 3 {
                        let (guard, rest) = call.args.split_at_mut(1);
                        if appended(&mut rest[0], &accu).is_some() {
                            gated(&mut guard[0], LiteralValue::Boolean(CelBool::from(false)));
                            return;
                        }
                    }
                }
                // `accu + [x]` (map): the element.
                if let Some(elements) = appended(&mut comp.loop_step, &accu) {
                    if let Some(first) = elements.first_mut() {
                        gated(first, LiteralValue::Null);
                        return;
                    }
                }
            }
            gated(
                &mut comp.loop_cond,
                LiteralValue::Boolean(CelBool::from(false)),
            );
        }
        Ast::Ident(_) | Ast::Literal(_) | Ast::Unspecified => {}
    }
}

/// Names an expression may use besides its variables: CEL's type names.
const BUILTIN_IDENTS: &[&str] = &[
    "int",
    "uint",
    "double",
    "bool",
    "string",
    "bytes",
    "list",
    "map",
    "null_type",
    "type",
];

impl Expr {
    /// Compiles `source`. `variables` are the names in scope (the element
    /// variable of a `for_each` included); any other identifier is reported by
    /// [`Expr::unknown_identifiers`].
    pub fn compile(source: &str, variables: &[&str]) -> Result<Expr, SyntaxError> {
        Self::compile_with(source, variables, &Aliases::new())
    }

    /// Compiles `source` where `variables.NAME` reads a rule's named
    /// expression: `aliases` gives, for each name in scope, the field path its
    /// value denotes (a path, or a `filter` of one), so that reads through it
    /// are checked and tracked like reads of the path itself.
    pub fn compile_with(
        source: &str,
        variables: &[&str],
        aliases: &Aliases,
    ) -> Result<Expr, SyntaxError> {
        check_size(source)?;
        let program = env().compile(source).map_err(|errors| {
            let first = errors.errors.into_iter().next();
            match first {
                Some(e) => SyntaxError {
                    line: e.pos.0.max(1) as usize,
                    column: e.pos.1.max(0) as usize + 1,
                    message: e.msg,
                },
                None => SyntaxError {
                    line: 1,
                    column: 1,
                    message: "syntax error".to_string(),
                },
            }
        })?;
        let mut walker = Walker {
            program: &program,
            roots: variables,
            aliases,
            paths: Vec::new(),
            unknown: Vec::new(),
            negated_has: Vec::new(),
        };
        let denotes = walker.walk(program.expression(), &HashMap::new());
        let (paths, unknown_identifiers, negated_has) =
            (walker.paths, walker.unknown, walker.negated_has);
        let mut budgeted = program.expression().clone();
        with_budget(&mut budgeted);
        Ok(Expr {
            source: source.to_string(),
            budgeted,
            paths,
            unknown_identifiers,
            negated_has,
            denotes,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The field path the expression's value denotes, if it is one (or a
    /// `filter` of one, whose elements have the same shape).
    pub fn denotes(&self) -> Option<&(String, Vec<String>)> {
        self.denotes.as_ref()
    }

    /// Every field path the expression reads (prefixes included).
    pub fn paths(&self) -> &[FieldPath] {
        &self.paths
    }

    /// The paths tested absent: `!has(x.f)` gives `x.f`.
    pub fn negated_has(&self) -> &[FieldPath] {
        &self.negated_has
    }

    /// Identifiers that are neither variables in scope nor CEL built-ins.
    pub fn unknown_identifiers(&self) -> &[(String, usize)] {
        &self.unknown_identifiers
    }

    /// Runs the expression, within the [`Budget`] of one run.
    pub fn run(&self, ctx: &cel::Context) -> Result<cel::Value, cel::ExecutionError> {
        Budget::start();
        cel::Value::resolve(&self.budgeted, ctx)
    }

    /// Runs the expression, keeping the result as the interpreter made it: a
    /// value read from the variables is borrowed, not copied. Within the
    /// [`Budget`] of one run.
    pub fn run_val<'e, 'v>(
        &'e self,
        ctx: &'e cel::Context<'_, 'v>,
    ) -> Result<cel::common::value::CowVal<'e, 'v>, cel::ExecutionError> {
        Budget::start();
        cel::Value::resolve_val(&self.budgeted, ctx)
    }

    /// Line and column (1-based) of a character offset in the source.
    pub fn position_of(&self, offset: usize) -> (usize, usize) {
        crate::diagnostic::position_in(&self.source, offset)
    }
}

struct Walker<'a> {
    program: &'a cel::Program,
    roots: &'a [&'a str],
    aliases: &'a Aliases,
    paths: Vec<FieldPath>,
    unknown: Vec<(String, usize)>,
    negated_has: Vec<FieldPath>,
}

/// What an identifier in scope denotes: a path, or an opaque value.
type Scope = HashMap<String, Option<(String, Vec<String>)>>;

impl Walker<'_> {
    fn offset(&self, e: &IdedExpr) -> usize {
        self.program
            .source_info()
            .offset_for(e.id)
            .map(|(start, _)| start as usize)
            .unwrap_or(0)
    }

    /// Walks `e`, recording paths; returns the path `e` denotes, if any.
    fn walk(&mut self, e: &IdedExpr, scope: &Scope) -> Option<(String, Vec<String>)> {
        match &e.expr {
            Ast::Ident(name) => self.walk_ident(e, name, scope),
            Ast::Select(select) => self.walk_select(e, select, scope),
            Ast::Call(call) => self.walk_call(e, call, scope),
            Ast::Comprehension(comp) => self.walk_comprehension(comp, scope),
            Ast::List(list) => {
                for item in &list.elements {
                    self.walk(item, scope);
                }
                None
            }
            Ast::Map(map) => {
                for entry in &map.entries {
                    if let cel::common::ast::EntryExpr::MapEntry(m) = &entry.expr {
                        self.walk(&m.key, scope);
                        self.walk(&m.value, scope);
                    }
                }
                None
            }
            Ast::Struct(s) => {
                for entry in &s.entries {
                    if let cel::common::ast::EntryExpr::StructField(f) = &entry.expr {
                        self.walk(&f.value, scope);
                    }
                }
                None
            }
            Ast::Literal(_) | Ast::Unspecified => None,
        }
    }

    /// A name: a bound variable, a root, a builtin, or unknown (recorded).
    fn walk_ident(
        &mut self,
        e: &IdedExpr,
        name: &str,
        scope: &Scope,
    ) -> Option<(String, Vec<String>)> {
        if let Some(bound) = scope.get(name) {
            return bound.clone();
        }
        if self.roots.contains(&name) {
            return Some((name.to_string(), Vec::new()));
        }
        if !BUILTIN_IDENTS.contains(&name) && !name.starts_with('@') {
            self.unknown.push((name.to_string(), self.offset(e)));
        }
        None
    }

    /// `x.f` (or `has(x.f)`): a named expression, or one more segment of
    /// `x`'s path (recorded).
    fn walk_select(
        &mut self,
        e: &IdedExpr,
        select: &cel::common::ast::SelectExpr,
        scope: &Scope,
    ) -> Option<(String, Vec<String>)> {
        if let Ast::Ident(name) = &select.operand.expr {
            if name == VARIABLES && !scope.contains_key(name) {
                return match self.aliases.get(&select.field) {
                    Some(denoted) => denoted.clone(),
                    None => {
                        self.unknown
                            .push((format!("{VARIABLES}.{}", select.field), self.offset(e)));
                        None
                    }
                };
            }
        }
        let base = self.walk(&select.operand, scope)?;
        let (root, mut segments) = base;
        segments.push(select.field.clone());
        self.paths.push(FieldPath {
            root: root.clone(),
            segments: segments.clone(),
            offset: self.offset(e),
        });
        if select.test {
            // has(x.f) yields a bool, not the field.
            return None;
        }
        Some((root, segments))
    }

    /// A call: its receiver and arguments are read; `!has(x.f)` is noted;
    /// indexing denotes a field or an element.
    fn walk_call(
        &mut self,
        e: &IdedExpr,
        call: &cel::common::ast::CallExpr,
        scope: &Scope,
    ) -> Option<(String, Vec<String>)> {
        // A method's receiver is read like any argument (its paths are
        // recorded); the call's result is not a field path.
        if let Some(t) = &call.target {
            self.walk(t, scope);
        }
        let before = self.paths.len();
        let args: Vec<Option<(String, Vec<String>)>> =
            call.args.iter().map(|a| self.walk(a, scope)).collect();
        // `!has(x.f)`: the has() test records its path last.
        if call.func_name == "!_" && call.args.len() == 1 {
            if let Ast::Select(select) = &call.args[0].expr {
                if select.test && self.paths.len() > before {
                    let tested = self.paths[self.paths.len() - 1].clone();
                    self.negated_has.push(tested);
                }
            }
        }
        if call.func_name == "_[_]" && call.args.len() == 2 {
            // Indexing: a string literal key is a field; anything else an element.
            if let Some((root, mut segments)) = args[0].clone() {
                match &call.args[1].expr {
                    Ast::Literal(LiteralValue::String(key)) => {
                        segments.push(key.inner().to_string());
                        self.paths.push(FieldPath {
                            root: root.clone(),
                            segments: segments.clone(),
                            offset: self.offset(e),
                        });
                    }
                    _ => segments.push("[]".to_string()),
                }
                return Some((root, segments));
            }
        }
        None
    }

    /// A macro's comprehension: its loop variable denotes the range's
    /// elements; a `filter` denotes the range.
    fn walk_comprehension(
        &mut self,
        comp: &cel::common::ast::ComprehensionExpr,
        scope: &Scope,
    ) -> Option<(String, Vec<String>)> {
        let range = self.walk(&comp.iter_range, scope);
        let range_path = range.clone();
        let mut inner = scope.clone();
        let element = range.map(|(root, mut segments)| {
            segments.push("[]".to_string());
            (root, segments)
        });
        inner.insert(comp.iter_var.clone(), element);
        if let Some(v2) = &comp.iter_var2 {
            inner.insert(v2.clone(), None);
        }
        inner.insert(comp.accu_var.clone(), None);
        self.walk(&comp.accu_init, scope);
        self.walk(&comp.loop_cond, &inner);
        self.walk(&comp.loop_step, &inner);
        self.walk(&comp.result, &inner);
        // `l.filter(x, p)` is a sub-list of `l`: it denotes `l`'s path.
        if is_filter(comp) {
            return range_path;
        }
        None
    }
}

/// Whether a comprehension is the expansion of `range.filter(x, p)`: an
/// empty list accumulator that grows by `[x]` when `p` holds.
fn is_filter(comp: &cel::common::ast::ComprehensionExpr) -> bool {
    let empty_init = matches!(&comp.accu_init.expr, Ast::List(l) if l.elements.is_empty());
    let returns_accu = matches!(&comp.result.expr, Ast::Ident(n) if *n == comp.accu_var);
    let Ast::Call(step) = &comp.loop_step.expr else {
        return false;
    };
    let grows_by_element = step.func_name == "_?_:_"
        && step.args.len() == 3
        && matches!(&step.args[1].expr, Ast::Call(add) if add.func_name == "_+_"
            && add.args.len() == 2
            && matches!(&add.args[1].expr, Ast::List(l) if l.elements.len() == 1
                && matches!(&l.elements[0].expr, Ast::Ident(n) if *n == comp.iter_var)));
    empty_init && returns_accu && grows_by_element
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(src: &str) -> Vec<String> {
        let e = Expr::compile(src, &["account", "params"]).unwrap();
        let mut v: Vec<String> = e.paths().iter().map(FieldPath::display).collect();
        v.sort();
        v.dedup();
        v
    }

    #[test]
    fn extracts_paths_through_comprehensions() {
        assert_eq!(
            paths("account.iam.users.all(u, u.login_profile == null || size(u.mfa_devices) > 0)"),
            vec![
                "account.iam",
                "account.iam.users",
                "account.iam.users[].login_profile",
                "account.iam.users[].mfa_devices",
            ]
        );
        assert_eq!(
            paths("has(account.iam.summary.x) && params.n > 1"),
            vec![
                "account.iam",
                "account.iam.summary",
                "account.iam.summary.x",
                "params.n"
            ]
        );
    }

    #[test]
    fn matches_as_a_method_and_a_function() {
        let ctx = cel::Context::with_env(env());
        let run = |src: &str| Expr::compile(src, &[]).unwrap().run(&ctx);
        for _ in 0..2 {
            // the second round uses the compiled patterns
            assert_eq!(
                run("'aws+dev@example.com'.matches('^aws[+]')"),
                Ok(cel::Value::Bool(true))
            );
            assert_eq!(
                run("matches('dev@example.com', 'prod')"),
                Ok(cel::Value::Bool(false))
            );
        }
        let err = run("'x'.matches('(')").unwrap_err().to_string();
        assert!(err.contains("not a valid regex"), "{err}");
    }

    fn list_ctx(n: i64) -> cel::Context<'static, 'static> {
        let mut ctx = cel::Context::with_env(env());
        ctx.add_variable_from_value("l", (0..n).collect::<Vec<i64>>());
        ctx
    }

    #[test]
    fn the_budget_stops_runaway_loops_and_is_renewed_per_run() {
        let ctx = list_ctx(3_000);
        let run = |src: &str| Expr::compile(src, &["l"]).unwrap().run(&ctx);
        // 2.7e10 iterations: stopped at MAX_STEPS, in every comprehension shape.
        for src in [
            "l.all(x, l.all(y, l.all(z, z >= 0)))",
            "l.exists(x, l.exists(y, l.exists(z, z < 0)))",
            "size(l.map(x, l.map(y, l.map(z, z)))) > 0",
            "size(l.filter(x, l.filter(y, l.filter(z, z >= 0).size() > 0).size() > 0)) > 0",
        ] {
            let started = Instant::now();
            let err = run(src).unwrap_err().to_string();
            assert!(err.contains("ran past its budget"), "{src}: {err}");
            assert!(started.elapsed() < MAX_RUN_TIME * 2, "{src}");
        }
        // A new run has a full budget again; results are unchanged.
        assert_eq!(run("l.all(x, x >= 0)"), Ok(cel::Value::Bool(true)));
        assert_eq!(run("l.exists(x, x == 2999)"), Ok(cel::Value::Bool(true)));
        assert_eq!(
            run("size(l.filter(x, x % 2 == 0)) == 1500"),
            Ok(cel::Value::Bool(true))
        );
        assert_eq!(run("l.map(x, x * 2)[10] == 20"), Ok(cel::Value::Bool(true)));
        assert_eq!(run("l.exists_one(x, x == 7)"), Ok(cel::Value::Bool(true)));
    }

    #[test]
    fn a_spent_budget_is_absorbed_only_where_the_result_does_not_depend_on_it() {
        let ctx = list_ctx(3_000);
        let run = |src: &str| Expr::compile(src, &["l"]).unwrap().run(&ctx);
        let runaway = "l.all(x, l.all(y, l.all(z, z >= 0)))";
        assert_eq!(
            run(&format!("{runaway} || true")),
            Ok(cel::Value::Bool(true))
        );
        assert_eq!(
            run(&format!("{runaway} && false")),
            Ok(cel::Value::Bool(false))
        );
        assert!(run(&format!("{runaway} && true")).is_err());
        assert!(run(&format!("{runaway} || false")).is_err());
    }

    #[test]
    fn finds_negated_has() {
        let e = Expr::compile(
            "!has(account.iam.summary) || has(account.budgets) && !(has(account.x.y))",
            &["account"],
        )
        .unwrap();
        let got: Vec<String> = e.negated_has().iter().map(FieldPath::display).collect();
        assert_eq!(got, ["account.iam.summary", "account.x.y"]);
    }

    #[test]
    fn reports_unknown_identifiers_and_syntax_errors() {
        let e = Expr::compile("acount.iam == 1", &["account"]).unwrap();
        assert_eq!(e.unknown_identifiers()[0].0, "acount");
        let err = Expr::compile("account.iam ==", &["account"]).unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.column > 1, "{err:?}");
    }

    #[test]
    fn compile_rejects_expressions_too_deep_for_the_stack() {
        let chain = format!("account.n == {}", vec!["1"; 20_000].join(" + "));
        let err = Expr::compile(&chain, &["account"]).unwrap_err();
        assert!(err.message.contains("too long"), "{err:?}");
        let nested = format!("{}1{} == 1", "(".repeat(40), ")".repeat(40));
        let err = Expr::compile(&nested, &["account"]).unwrap_err();
        assert!(err.message.contains("nested too deeply"), "{err:?}");
        assert_eq!((err.line, err.column), (1, MAX_NESTING + 1));
        // Brackets and operators inside strings do not count.
        let quoted = format!(
            "account.n == '{}' && account.m == \"{}\"",
            "(+".repeat(600),
            "[.".repeat(600)
        );
        assert!(Expr::compile(&quoted, &["account"]).is_ok());
    }
}
