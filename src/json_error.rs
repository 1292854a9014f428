//! serde_json's error messages in the words of a JSON document: its own text
//! names the Rust types being filled (`expected struct Probe`, `internally
//! tagged enum Section`) and repeats the position the caller already leads
//! with.

/// The message of a JSON parse error, without its ` at line L column C`
/// suffix and without Rust type names.
pub fn describe(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) if text[i..].contains(" column ") => &text[..i],
        _ => text.as_str(),
    };
    // An array where an object belongs: serde says "invalid length N,
    // expected struct X with M elements".
    if text.starts_with("invalid length") && text.contains("expected struct") {
        return "invalid type: a list, expected an object".to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("expected ") {
        let (head, tail) = rest.split_at(i + "expected ".len());
        out.push_str(head);
        let (replacement, consumed) = expected_what(tail);
        out.push_str(&replacement);
        rest = &tail[consumed..];
    }
    out.push_str(rest);
    out
}

/// What follows `expected `: a Rust type description becomes a JSON one.
/// Returns the replacement and how many bytes of `tail` it replaces.
fn expected_what(tail: &str) -> (String, usize) {
    // `struct Name`, `struct Name with N elements`, `internally tagged enum
    // Name`, `enum Name`, `tuple struct Name`, `unit struct Name`.
    for (prefix, json) in [
        ("internally tagged enum ", "an object with a \"status\""),
        ("adjacently tagged enum ", "an object"),
        ("tuple struct ", "a list"),
        ("unit struct ", "null"),
        ("struct ", "an object"),
        ("enum ", "one of the allowed values"),
    ] {
        if let Some(after) = tail.strip_prefix(prefix) {
            let name_len = after
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            let mut consumed = prefix.len() + name_len;
            let after_name = &after[name_len..];
            if let Some(with) = after_name.strip_prefix(" with ") {
                // ` with 3 elements` / ` with 1 element`
                if let Some(end) = with.find(" element") {
                    let tail_word = &with[end..];
                    let word_len = if tail_word.starts_with(" elements") {
                        " elements".len()
                    } else {
                        " element".len()
                    };
                    consumed += " with ".len() + end + word_len;
                }
            }
            return (json.to_string(), consumed);
        }
    }
    // Rust number types: `u8`, `i64`, `usize`, `f64`.
    let word_len = tail
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(tail.len());
    match &tail[..word_len] {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128"
        | "isize" => return ("an integer".to_string(), word_len),
        "f32" | "f64" => return ("a number".to_string(), word_len),
        _ => {}
    }
    for (rust, json) in [("a sequence", "a list"), ("a map", "an object")] {
        if tail.starts_with(rust) {
            return (json.to_string(), rust.len());
        }
    }
    (String::new(), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> String {
        describe(&serde_json::from_str::<T>(text).unwrap_err())
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Probe {
        a: Option<u8>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(tag = "status")]
    #[allow(dead_code)]
    enum Section {
        Ok,
    }

    #[test]
    fn rust_type_names_are_replaced() {
        assert_eq!(
            err::<Probe>("\"x\""),
            "invalid type: string \"x\", expected an object"
        );
        assert_eq!(
            err::<Probe>("[]"),
            "invalid type: a list, expected an object"
        );
        assert_eq!(err::<Vec<u8>>("{}"), "invalid type: map, expected a list");
        assert_eq!(
            err::<Section>("3"),
            "invalid type: integer `3`, expected an object with a \"status\""
        );
        assert_eq!(
            err::<Probe>("{\"a\": \"x\"}"),
            "invalid type: string \"x\", expected an integer"
        );
        let m = err::<Probe>("{");
        assert!(!m.contains(" at line "), "{m}");
    }
}
