//! Untrusted text made safe to show: on a terminal (stderr, the table, `rules
//! list`), in text reports, and in the documents other programs parse.
//!
//! Values from AWS, snapshots, rule and config files may carry characters
//! that a terminal or a viewer interprets instead of showing: ESC starts
//! ANSI sequences (CSI repaints the screen, OSC sets the title or writes a
//! hyperlink), C1 controls (U+0080–U+009F) are 8-bit ESC on some terminals,
//! bidirectional overrides and isolates reorder what is shown (the "Trojan
//! Source" trick), and zero-width and line/paragraph separators hide or
//! break text. Every such character is shown escaped (`\u{1b}`): visible,
//! never interpreted, never silently dropped.

use std::io::Write;

/// A bidirectional formatting character: embeddings and overrides
/// (U+202A–U+202E), isolates (U+2066–U+2069), the LRM/RLM marks
/// (U+200E, U+200F) and the Arabic letter mark (U+061C).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A character that changes how text around it is shown without being seen
/// itself: zero-width space, non-joiner and joiner (U+200B–U+200D), the byte
/// order mark / zero-width no-break space (U+FEFF), and the line and
/// paragraph separators (U+2028, U+2029).
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{FEFF}' | '\u{2028}' | '\u{2029}'
    )
}

/// Whether `c` must never reach a terminal or a viewer as it is: a control
/// character (C0, DEL, C1), a bidi control or an invisible format character.
/// Tab, line feed and carriage return included: callers decide about them.
pub fn is_hostile(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible_format(c)
}

/// One line of untrusted text for a terminal or a text report: line breaks
/// and tabs become spaces, every other hostile character is shown escaped
/// (`\u{1b}`).
pub fn one_line(s: &str) -> String {
    escape(s, false)
}

/// Untrusted text for a terminal that may span lines: line feeds are kept,
/// tabs become spaces, carriage returns (which would let a line overwrite
/// the one before) and every other hostile character are shown escaped.
pub fn lines(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, keep_newlines: bool) -> String {
    if !s.chars().any(is_hostile) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\n' | '\r' | '\t' if !keep_newlines => out.push(' '),
            '\t' => out.push(' '),
            c if is_hostile(c) => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// `c` written as Rust writes it escaped: `\u{1b}`.
pub fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

/// Writes `text` and a line break to stderr, sanitized with [`lines`]. Every
/// message the program writes to stderr goes through here. A failed write
/// (stderr closed) is ignored: there is nowhere left to report it.
pub fn to_stderr(text: &str) {
    let mut line = lines(text);
    line.push('\n');
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(line.as_bytes());
    let _ = err.flush();
}

/// A writer that sanitizes what goes through it with [`lines`], for output
/// produced by libraries (the log lines of `RUST_LOG`). Each `write` call
/// must carry whole UTF-8 characters, as formatted log lines do; bytes that
/// are not UTF-8 are written as U+FFFD.
pub struct SanitizingWriter<W: Write>(pub W);

impl<W: Write> Write for SanitizingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(lines(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_neutralizes_escapes_and_bidi() {
        assert_eq!(one_line("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(one_line("x\ny\tz\rw"), "x y z w");
        assert_eq!(one_line("abc\u{202E}def"), "abc\\u{202e}def");
        assert_eq!(one_line("prod-app é"), "prod-app é");
    }

    #[test]
    fn lines_keeps_line_feeds_only() {
        assert_eq!(lines("a\nb"), "a\nb");
        assert_eq!(lines("a\rb\tc"), "a\\u{d}b c");
        assert_eq!(
            lines("\x1b]0;title\x07 \u{9b}31m \u{2067}x\u{2069} \u{200b} \u{2028}"),
            "\\u{1b}]0;title\\u{7} \\u{9b}31m \\u{2067}x\\u{2069} \\u{200b} \\u{2028}"
        );
    }

    #[test]
    fn every_listed_character_is_hostile() {
        let listed = ('\u{0}'..='\u{1f}')
            .chain(['\u{7f}'])
            .chain('\u{80}'..='\u{9f}')
            .chain('\u{202a}'..='\u{202e}')
            .chain('\u{2066}'..='\u{2069}')
            .chain(['\u{200e}', '\u{200f}', '\u{61c}'])
            .chain('\u{200b}'..='\u{200d}')
            .chain(['\u{feff}', '\u{2028}', '\u{2029}']);
        for c in listed {
            assert!(is_hostile(c), "{:?}", c);
        }
        for c in ['a', 'é', '€', ' ', '🙂'] {
            assert!(!is_hostile(c), "{c:?}");
        }
    }

    #[test]
    fn sanitizing_writer_escapes_what_passes() {
        let mut w = SanitizingWriter(Vec::new());
        w.write_all("log \x1b[2J line\n".as_bytes()).unwrap();
        assert_eq!(String::from_utf8(w.0).unwrap(), "log \\u{1b}[2J line\n");
    }
}
