//! Positioned problems in the files orgaudit reads: rule files, config files
//! (parameters, waivers), snapshots and findings documents. Each problem is one
//! [`Diagnostic`]: the file, the line and column at fault (1-based; line 0
//! when the problem concerns the whole file), the message, and for YAML the
//! offending line of the file, so the edge can print it with a caret.
//!
//! Every position comes from here: [`position_of`] for a YAML value read with
//! its span, [`position_in`] for a character offset in a text (CEL
//! expressions), [`Diagnostic::from_yaml`] and [`Diagnostic::from_json`] for
//! parser errors, [`ValueSpan`] for a position inside a YAML scalar.

use serde_saphyr::Spanned;

/// One problem in a rule, config, snapshot or findings file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}{}", position_prefix(.file, *.line, *.column), snippet_suffix(.snippet, *.column))]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The offending line of the file, when known.
    pub snippet: Option<String>,
}

/// Several problems, reported together (one per line).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// `file:line:column: `, or `file: ` when the problem has no position (line 0).
fn position_prefix(file: &str, line: usize, column: usize) -> String {
    if line == 0 {
        format!("{file}: ")
    } else {
        format!("{file}:{line}:{column}: ")
    }
}

fn snippet_suffix(snippet: &Option<String>, column: usize) -> String {
    match snippet {
        Some(s) => format!(
            "\n    | {}\n    | {}^",
            s.trim_end(),
            " ".repeat(column.saturating_sub(1))
        ),
        None => String::new(),
    }
}

impl Diagnostic {
    /// A problem at `line`:`column` of `text` (the file's contents), shown
    /// with that line of the file.
    pub fn new(
        file: &str,
        text: &str,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        let snippet = text.lines().nth(line.saturating_sub(1)).map(str::to_string);
        Diagnostic {
            file: file.to_string(),
            line,
            column,
            message: message.into(),
            snippet,
        }
    }

    /// A problem at a YAML value read with its span.
    pub fn at<T>(file: &str, text: &str, value: &Spanned<T>, message: impl Into<String>) -> Self {
        let (line, column) = position_of(value);
        Diagnostic::new(file, text, line, column, message)
    }

    /// A problem of the whole file (it cannot be read, it is not a rule file…):
    /// no position, no snippet.
    pub fn whole_file(file: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_string(),
            line: 0,
            column: 0,
            message: message.into(),
            snippet: None,
        }
    }

    /// From a YAML error of serde-saphyr.
    pub fn from_yaml(file: &str, text: &str, err: &serde_saphyr::Error) -> Self {
        let (line, column) = err
            .location()
            .map(|l| (l.line() as usize, l.column() as usize))
            .unwrap_or((1, 1));
        let message = err.without_snippet().to_string();
        // serde-saphyr prefixes its own position; keep the message itself.
        let message = message.lines().next().unwrap_or_default();
        // …and drop its ` at line L, column C` suffix: the position leads.
        let message = match message.rfind(" at line ") {
            Some(i) if message[i..].contains(", column ") => &message[..i],
            _ => message,
        }
        .to_string();
        Diagnostic::new(file, text, line.max(1), column.max(1), message)
    }

    /// From a JSON error of serde_json: `what` says what the document was
    /// expected to be ("not a valid orgaudit snapshot"). JSON documents are
    /// often one long line, so no snippet is kept.
    pub fn from_json(file: &str, what: &str, err: &serde_json::Error) -> Self {
        Diagnostic {
            file: file.to_string(),
            line: err.line(),
            column: err.column(),
            message: format!("{what}: {}", crate::json_error::describe(err)),
            snippet: None,
        }
    }
}

/// Line and column (1-based) of a YAML value read with its span.
pub fn position_of<T>(value: &Spanned<T>) -> (usize, usize) {
    (
        value.referenced.line() as usize,
        value.referenced.column() as usize,
    )
}

/// Line and column (1-based) of a character offset in `text`.
pub fn position_in(text: &str, offset: usize) -> (usize, usize) {
    let mut line = 1;
    let mut column = 1;
    for (i, c) in text.chars().enumerate() {
        if i == offset {
            break;
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

/// Maps a position inside a YAML scalar's value (a CEL expression, a
/// message template) to a position in the file.
pub struct ValueSpan<'a> {
    text: &'a str,
    /// Line and column (1-based) where the value's first character is.
    line: usize,
    column: usize,
    /// For block scalars, the indentation of content lines.
    indent: usize,
}

impl<'a> ValueSpan<'a> {
    /// Where the value of `spanned` starts in `text`, the file it was read from.
    pub fn locate(text: &'a str, spanned: &Spanned<String>) -> ValueSpan<'a> {
        let start_line = spanned.referenced.line() as usize;
        let first = spanned.value.lines().next().unwrap_or_default().trim();
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate().skip(start_line.saturating_sub(1)) {
            if first.is_empty() {
                break;
            }
            if let Some(col) = l.find(first) {
                let indent = l.len() - l.trim_start().len();
                return ValueSpan {
                    text,
                    line: i + 1,
                    column: col + 1,
                    indent,
                };
            }
        }
        ValueSpan {
            text,
            line: start_line.max(1),
            column: (spanned.referenced.column() as usize).max(1),
            indent: 0,
        }
    }

    /// A problem at line `line_in_value`, column `column_in_value` (1-based)
    /// of the value.
    pub fn error_at(
        &self,
        file: &str,
        line_in_value: usize,
        column_in_value: usize,
        message: String,
    ) -> Diagnostic {
        let (line, column) = if line_in_value <= 1 {
            (self.line, self.column + column_in_value.saturating_sub(1))
        } else {
            (self.line + line_in_value - 1, self.indent + column_in_value)
        };
        Diagnostic::new(file, self.text, line, column, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        assert_eq!(position_in("ab\ncd", 0), (1, 1));
        assert_eq!(position_in("ab\ncd", 4), (2, 2));
        assert_eq!(position_in("é€x", 2), (1, 3));
    }

    #[test]
    fn a_whole_file_problem_has_no_position() {
        let d = Diagnostic::whole_file("c.yaml", "cannot read config file: gone");
        assert_eq!(d.to_string(), "c.yaml: cannot read config file: gone");
    }

    #[test]
    fn a_positioned_problem_shows_its_line_with_a_caret() {
        let d = Diagnostic::new("r.yaml", "id: x\ntitle: y\n", 2, 8, "bad");
        assert_eq!(
            d.to_string(),
            "r.yaml:2:8: bad\n    | title: y\n    |        ^"
        );
    }

    #[test]
    fn json_errors_name_the_document_and_keep_no_snippet() {
        let err = serde_json::from_str::<serde_json::Value>("{\n  \"a\": }").unwrap_err();
        let d = Diagnostic::from_json("s.json", "not a valid orgaudit snapshot", &err);
        assert_eq!((d.line, d.column), (2, 8));
        assert!(d.snippet.is_none());
        assert!(
            d.to_string()
                .starts_with("s.json:2:8: not a valid orgaudit snapshot: "),
            "{d}"
        );
    }
}
