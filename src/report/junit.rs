//! JUnit XML, for CI test reporters (GitLab, Jenkins, GitHub test-report
//! actions).
//!
//! One `<testsuite>` per account (management account first, then by id), one
//! `<testcase>` per finding: named after the rule, plus `[resource]` for
//! per-resource and regional findings. PASS → passed; FAIL → `<failure>`
//! with the message, rationale and remediation; ERROR → `<error>`; MANUAL and
//! WAIVED → `<skipped>` with the reason. The report's warnings (expired or
//! unused waivers, user rules replacing built-in ones) are the
//! `<system-err>` of the first suite. No timestamps, so the output is
//! reproducible.
//!
//! The document is written directly into a `String`, each value cleaned and
//! escaped in one pass ([`push_escaped`]): `& < > " '` become entities, and
//! what XML 1.0 cannot carry (control characters other than tab, line feed
//! and carriage return, U+FFFE, U+FFFF) or discourages (DEL and the C1
//! controls) is dropped, as are whole ANSI escape sequences; bidi and
//! invisible format characters are shown as `\u{202e}`. The layout is that of the usual JUnit writers: four spaces of
//! indentation per level, text right after its start tag.

use std::collections::HashMap;

use rayon::prelude::*;

use super::{account_rows, AccountRow};
use crate::findings::{Finding, Report, RuleInfo, Status};

/// The JUnit renderer.
pub struct Junit;

impl super::Renderer for Junit {
    fn write(
        &self,
        report: &Report,
        _: &super::RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> Result<(), super::RenderError> {
        out.write_all(render(report).as_bytes())?;
        Ok(())
    }
}

fn render(report: &Report) -> String {
    // Findings by account, once (not a scan of every finding per account).
    let mut by_account: HashMap<&str, Vec<&Finding>> = HashMap::new();
    for f in &report.findings {
        by_account.entry(f.account_id.as_str()).or_default().push(f);
    }
    let rules: HashMap<&str, &RuleInfo> = report.rules.iter().map(|r| (r.id.as_str(), r)).collect();
    // Suites are written in parallel, then joined in order.
    let suites: Vec<(String, Counts)> = account_rows(report)
        .into_par_iter()
        .enumerate()
        .map(|(i, account)| {
            let mut findings = by_account
                .get(account.id.as_str())
                .cloned()
                .unwrap_or_default();
            findings.sort_by(|a, b| {
                (&a.rule_id, &a.resource_arn, &a.region).cmp(&(
                    &b.rule_id,
                    &b.resource_arn,
                    &b.region,
                ))
            });
            // The report's warnings go with the first suite: JUnit has no
            // place for text about the whole run.
            let (warnings, frameworks) = if i == 0 {
                (&report.warnings[..], &report.frameworks[..])
            } else {
                (&[][..], &[][..])
            };
            suite(&account, &findings, &rules, warnings, frameworks)
        })
        .collect();

    let mut total = Counts::default();
    for (_, c) in &suites {
        total.tests += c.tests;
        total.failures += c.failures;
        total.errors += c.errors;
    }
    let len: usize = suites.iter().map(|(s, _)| s.len()).sum();
    let mut out = String::with_capacity(len + 256);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    open(&mut out, 0, "testsuites");
    attr(&mut out, "name", &report.tool.name);
    attr_num(&mut out, "tests", total.tests);
    attr_num(&mut out, "failures", total.failures);
    attr_num(&mut out, "errors", total.errors);
    out.push('>');
    for (s, _) in &suites {
        out.push_str(s);
    }
    close(&mut out, 0, "testsuites");
    out.push('\n');
    out
}

/// The counts a `<testsuite>` carries (skipped cases count as `disabled`).
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    tests: usize,
    disabled: usize,
    errors: usize,
    failures: usize,
}

/// One `<testsuite>` element, starting with its line break.
fn suite(
    account: &AccountRow,
    findings: &[&Finding],
    rules: &HashMap<&str, &RuleInfo>,
    warnings: &[String],
    frameworks: &[crate::findings::FrameworkSummary],
) -> (String, Counts) {
    let mut c = Counts {
        tests: findings.len(),
        ..Counts::default()
    };
    for f in findings {
        match f.status {
            Status::Pass => {}
            Status::Fail => c.failures += 1,
            Status::Error => c.errors += 1,
            Status::Manual | Status::Waived => c.disabled += 1,
        }
    }
    let mut out = String::with_capacity(512 + findings.len() * 512);
    open(&mut out, 1, "testsuite");
    out.push_str(" name=\"");
    push_escaped(&mut out, &account.name);
    out.push_str(" (");
    push_escaped(&mut out, &account.id);
    out.push_str(")\"");
    attr_num(&mut out, "tests", c.tests);
    attr_num(&mut out, "disabled", c.disabled);
    attr_num(&mut out, "errors", c.errors);
    attr_num(&mut out, "failures", c.failures);
    out.push('>');

    open(&mut out, 2, "properties");
    out.push('>');
    property(&mut out, 3, "account_id", &account.id);
    property(&mut out, 3, "account_name", &account.name);
    if !account.ou_path.is_empty() {
        property(&mut out, 3, "ou_path", &account.ou_path);
    }
    if account.is_management {
        property(&mut out, 3, "management", "true");
    }
    if let Some(why) = &account.unreachable {
        property(&mut out, 3, "unreachable", why);
    }
    // The per-framework summaries go with the first suite, like the warnings.
    for fw in frameworks {
        property(&mut out, 3, &format!("framework.{}", fw.id), &fw.line());
    }
    close(&mut out, 2, "properties");

    for f in findings {
        test_case(&mut out, f, rules.get(f.rule_id.as_str()).copied());
    }
    if !warnings.is_empty() {
        open(&mut out, 2, "system-err");
        out.push('>');
        for w in warnings {
            out.push_str("warning: ");
            push_escaped(&mut out, w);
            out.push('\n');
        }
        out.push_str("</system-err>");
    }
    close(&mut out, 1, "testsuite");
    (out, c)
}

/// One `<testcase>`: `rule-id`, or `rule-id [arn]` / `rule-id [region]`.
fn test_case(out: &mut String, f: &Finding, rule: Option<&RuleInfo>) {
    open(out, 2, "testcase");
    out.push_str(" name=\"");
    push_escaped(out, &f.rule_id);
    if let Some(place) = f.resource_arn.as_ref().or(f.region.as_ref()) {
        out.push_str(" [");
        push_escaped(out, place);
        out.push(']');
    }
    out.push_str("\" classname=\"orgaudit.");
    push_escaped(out, &f.account_id);
    out.push('.');
    push_escaped(out, rule.map(|r| r.service.as_str()).unwrap_or("aws"));
    out.push_str("\">");

    open(out, 3, "properties");
    out.push('>');
    property(out, 4, "severity", f.severity.as_str());
    property(out, 4, "status", f.status.as_str());
    if let Some(arn) = &f.resource_arn {
        property(out, 4, "resource_arn", arn);
    }
    if let Some(region) = &f.region {
        property(out, 4, "region", region);
    }
    close(out, 3, "properties");

    match f.status {
        Status::Pass => {}
        Status::Fail => {
            open(out, 3, "failure");
            attr(out, "message", &f.message);
            attr(out, "type", f.severity.as_str());
            out.push('>');
            details(out, f, rule, true);
            out.push_str("</failure>");
        }
        Status::Error => {
            open(out, 3, "error");
            out.push_str(" message=\"");
            push_escaped(out, &super::could_not_evaluate(f));
            out.push('"');
            attr(out, "type", "ERROR");
            out.push('>');
            details(out, f, rule, false);
            out.push_str("</error>");
        }
        Status::Manual => {
            open(out, 3, "skipped");
            out.push_str(" message=\"Manual check: ");
            push_escaped(out, &f.message);
            out.push('"');
            attr(out, "type", "MANUAL");
            out.push_str("/>");
        }
        Status::Waived => {
            open(out, 3, "skipped");
            out.push_str(" message=\"");
            match &f.waiver {
                Some(w) => {
                    out.push_str("Waived until ");
                    push_escaped(out, &w.expires);
                    out.push_str(": ");
                    push_escaped(out, &w.reason);
                }
                None => out.push_str("Waived"),
            }
            out.push('"');
            attr(out, "type", "WAIVED");
            out.push('>');
            push_escaped(out, &f.title);
            out.push('\n');
            push_escaped(out, &f.message);
            out.push_str("</skipped>");
        }
    }
    close(out, 2, "testcase");
}

/// The body of a failure or error: what, why, and how to fix.
fn details(out: &mut String, f: &Finding, rule: Option<&RuleInfo>, with_remediation: bool) {
    out.push('[');
    out.push_str(f.severity.as_str());
    out.push_str("] ");
    push_escaped(out, &f.title);
    out.push('\n');
    push_escaped(out, &f.message);
    out.push('\n');
    if let Some(arn) = &f.resource_arn {
        out.push_str("Resource: ");
        push_escaped(out, arn);
        out.push('\n');
    }
    if let Some(region) = &f.region {
        out.push_str("Region: ");
        push_escaped(out, region);
        out.push('\n');
    }
    if let Some(rule) = rule {
        if !rule.rationale.is_empty() {
            out.push_str("\nWhy it matters:\n");
            push_escaped(out, rule.rationale.trim_end());
            out.push('\n');
        }
        if with_remediation && !rule.remediation.is_empty() {
            out.push_str("\nRemediation:\n");
            push_escaped(out, rule.remediation.trim_end());
            out.push('\n');
        }
    }
}

// ---- the XML writer --------------------------------------------------------

/// A line break, the indentation of `depth` and `<tag` (attributes follow).
fn open(out: &mut String, depth: usize, tag: &str) {
    indent(out, depth);
    out.push('<');
    out.push_str(tag);
}

/// A line break, the indentation of `depth` and `</tag>`.
fn close(out: &mut String, depth: usize, tag: &str) {
    indent(out, depth);
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

fn indent(out: &mut String, depth: usize) {
    const SPACES: &str = "                ";
    out.push('\n');
    out.push_str(&SPACES[..(depth * 4).min(SPACES.len())]);
}

/// ` name="value"`, the value escaped.
fn attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    push_escaped(out, value);
    out.push('"');
}

fn attr_num(out: &mut String, name: &str, n: usize) {
    use std::fmt::Write;
    let _ = write!(out, " {name}=\"{n}\"");
}

/// `<property name="name" value="value"/>` on its own line.
fn property(out: &mut String, depth: usize, name: &str, value: &str) {
    open(out, depth, "property");
    attr(out, "name", name);
    attr(out, "value", value);
    out.push_str("/>");
}

/// What each byte needs: 0 = copy, 1 = escape, 2 = drop (a control
/// character XML 1.0 cannot carry, or DEL), 3 = ESC (an ANSI escape sequence
/// starts), 4 = the lead byte of a character that may need a look
/// ([`special`]: C1 controls, bidi and invisible format characters, U+FFFE,
/// U+FFFF).
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = 2;
        b += 1;
    }
    t[b'\t' as usize] = 0;
    t[b'\n' as usize] = 0;
    t[b'\r' as usize] = 0;
    t[0x1b] = 3;
    t[0x7f] = 2;
    t[b'&' as usize] = 1;
    t[b'<' as usize] = 1;
    t[b'>' as usize] = 1;
    t[b'"' as usize] = 1;
    t[b'\'' as usize] = 1;
    // U+0080..U+009F, U+061C, U+2000..U+2FFF, U+E000..U+FFFF
    t[0xc2] = 4;
    t[0xd8] = 4;
    t[0xe2] = 4;
    t[0xef] = 4;
    t
};

/// What becomes of a character whose lead byte has class 4.
enum Special {
    Keep,
    /// C1 controls (XML 1.0 discourages them; some terminals obey them),
    /// U+FFFE and U+FFFF (XML 1.0 cannot carry them).
    Drop,
    /// Bidi and invisible format characters: shown as `\u{202e}`, so a
    /// reader sees them instead of text reordered or hidden by them.
    Show,
}

fn special(c: char) -> Special {
    use crate::sanitize::{is_bidi_control, is_invisible_format};
    if ('\u{80}'..='\u{9f}').contains(&c) || c == '\u{fffe}' || c == '\u{ffff}' {
        Special::Drop
    } else if is_bidi_control(c) || is_invisible_format(c) {
        Special::Show
    } else {
        Special::Keep
    }
}

/// Appends `s` to `out` for use in XML text or a double-quoted attribute, in
/// one pass: `& < > " '` as entities; control characters other than tab,
/// line feed and carriage return, U+FFFE and U+FFFF left out (XML 1.0 cannot
/// carry them); ANSI escape sequences (`ESC [ … final`, `ESC ] … BEL` or
/// `ESC ] … ESC \`, `ESC` + one character) left out whole, so a colour code
/// leaves no `[31m` behind.
pub(crate) fn push_escaped(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0; // start of the run not yet copied
    let mut i = 0;
    while i < bytes.len() {
        let class = CLASS[bytes[i] as usize];
        if class == 0 {
            i += 1;
            continue;
        }
        // Every byte with a class is ASCII or a lead byte, so `i` is on a
        // character boundary.
        let c = if class == 4 {
            let c = s[i..]
                .chars()
                .next()
                .expect("a lead byte starts a character");
            match special(c) {
                Special::Keep => {
                    i += c.len_utf8();
                    continue;
                }
                action => Some((c, action)),
            }
        } else {
            None
        };
        out.push_str(&s[start..i]);
        let next = match class {
            1 => {
                out.push_str(match bytes[i] {
                    b'&' => "&amp;",
                    b'<' => "&lt;",
                    b'>' => "&gt;",
                    b'"' => "&quot;",
                    _ => "&apos;",
                });
                i + 1
            }
            2 => i + 1,
            3 => skip_escape_sequence(bytes, i),
            _ => {
                let (c, action) = c.expect("class 4 looked at its character");
                if let Special::Show = action {
                    crate::sanitize::push_escaped(out, c);
                }
                i + c.len_utf8()
            }
        };
        i = next;
        start = i;
    }
    out.push_str(&s[start..]);
}

/// The index just past the ANSI escape sequence that starts with the ESC at
/// `i` (just past the ESC when what follows is not a sequence). Only ASCII
/// bytes are skipped, so the result is on a character boundary.
fn skip_escape_sequence(bytes: &[u8], i: usize) -> usize {
    let at = |k: usize| bytes.get(k).copied();
    match at(i + 1) {
        // CSI: parameter and intermediate bytes, then a final byte.
        Some(b'[') => {
            let mut k = i + 2;
            while matches!(at(k), Some(0x20..=0x3f)) {
                k += 1;
            }
            if matches!(at(k), Some(0x40..=0x7e)) {
                k += 1;
            }
            k
        }
        // OSC (a window title, a hyperlink): up to BEL or ESC \; left alone
        // when it is not terminated.
        Some(b']') => {
            let mut k = i + 2;
            while let Some(b) = at(k) {
                match b {
                    0x07 => return k + 1,
                    0x1b if at(k + 1) == Some(b'\\') => return k + 2,
                    0x1b => break,
                    _ => k += 1,
                }
            }
            i + 1
        }
        // Intermediate bytes, then a final byte (`ESC ( B`, `ESC 7`).
        Some(0x20..=0x7e) => {
            let mut k = i + 1;
            while matches!(at(k), Some(0x20..=0x2f)) {
                k += 1;
            }
            if matches!(at(k), Some(0x30..=0x7e)) {
                k + 1
            } else {
                i + 1
            }
        }
        _ => i + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        let mut out = String::new();
        push_escaped(&mut out, s);
        out
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"a<b>&"c"'d' ]]>"#),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos; ]]&gt;"
        );
        assert_eq!(esc("prod-app é ✓"), "prod-app é ✓");
        assert_eq!(esc(""), "");
    }

    #[test]
    fn drops_what_xml_cannot_carry() {
        assert_eq!(esc("a\u{0}b\u{8}c\u{b}\u{c}d\u{1f}e"), "abcde");
        assert_eq!(esc("tab\tlf\ncr\r"), "tab\tlf\ncr\r");
        assert_eq!(
            esc("x\u{fffe}y\u{ffff}z\u{fffd}\u{e000}"),
            "xyz\u{fffd}\u{e000}"
        );
        assert_eq!(esc("a\u{7f}b\u{85}c\u{9b}31m"), "abc31m");
        assert_eq!(esc("\u{80}\u{a0}\u{9f}"), "\u{a0}");
    }

    #[test]
    fn shows_bidi_and_invisible_characters() {
        assert_eq!(esc("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(
            esc("\u{2066}x\u{2069}\u{200b}\u{feff}\u{2028}\u{61c}"),
            "\\u{2066}x\\u{2069}\\u{200b}\\u{feff}\\u{2028}\\u{61c}"
        );
        assert_eq!(esc("— … ✓ \u{fffd}"), "— … ✓ \u{fffd}");
    }

    #[test]
    fn drops_whole_ansi_sequences() {
        assert_eq!(esc("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(esc("a\u{1b}[1;32;48;5;17mb"), "ab");
        assert_eq!(esc("\u{1b}]0;title\u{7}x"), "x");
        assert_eq!(esc("\u{1b}]8;;http://e\u{1b}\\link"), "link");
        assert_eq!(esc("\u{1b}(Bx\u{1b}7y"), "xy");
        // Not a sequence: only the ESC goes.
        assert_eq!(esc("a\u{1b}"), "a");
        assert_eq!(esc("a\u{1b}é"), "aé");
        assert_eq!(esc("\u{1b}]unterminated"), "]unterminated");
        assert_eq!(esc("\u{1b}[<"), "");
    }
}
