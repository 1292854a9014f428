//! What the built-in rules read, for tests that deny a part of the snapshot
//! and check exactly the rules reading it.
#![allow(dead_code)]

use orgaudit::rules::expr::Expr;
use orgaudit::rules::{Logic, Rule};

/// Whether a rule reads a part of the snapshot by name (`cloudtrail`,
/// `alternate_contacts`, `users`…): a variable or any segment of a path its
/// expressions read.
pub fn reads(rule: &Rule, field: &str) -> bool {
    let Logic::Automated(a) = &rule.logic else {
        return false;
    };
    let exprs: Vec<&Expr> = a.expressions().collect();
    exprs.iter().any(|e| {
        e.paths()
            .iter()
            .any(|p| p.root == field || p.segments.iter().any(|s| s == field))
    })
}
