//! Deterministic text renderings of a JSON document: readable JSON and block YAML.
//!
//! Both are pure functions of the value (whose key order is fixed by generation), so the same
//! plan always gives byte-identical output in the CLI and in the browser.

use super::tree::{Node, Object};

/// Lines longer than this are broken up.
const WIDTH: usize = 100;
/// The document, its sections and each resource are always spread over lines.
const ALWAYS_BREAK_DEPTH: usize = 2;

/// JSON with two-space indentation; small objects and arrays stay on one line.
pub fn json(value: &Node) -> String {
    // The Fargate example's template is 40 KB: one allocation for most templates.
    let mut out = String::with_capacity(48 * 1024);
    write_json(&mut out, value, 0, 0, 0);
    out.push('\n');
    out
}

/// Appends `s` as a JSON string, escaped exactly as `serde_json` escapes it: quote, backslash
/// and the control characters; everything else (`/`, non-ASCII) as it is.
fn push_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    // Nearly every string of a template needs no escape: one quick scan, one copy.
    if !needs_escape(s.as_bytes()) {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut clean = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[clean..i]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(escape);
        }
        clean = i + 1;
    }
    out.push_str(&s[clean..]);
    out.push('"');
}

/// Whether any byte is a control character, a quote or a backslash: eight bytes at a time
/// (a word has a byte below `n` when `(x - 0x01..01 * n) & !x & 0x80..80` is not zero, for
/// `n` up to 128; a byte equal to `c` is a zero byte of `x ^ 0x01..01 * c`).
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    let bad = |x: u64| {
        below(x, 0x20)
            | below(x ^ (ONES * u64::from(b'"')), 1)
            | below(x ^ (ONES * u64::from(b'\\')), 1)
            != 0
    };
    let word = |w: &[u8]| u64::from_le_bytes(w.try_into().expect("eight bytes"));
    if bytes.len() < 8 {
        // A short string (most keys and names) byte by byte. (Copied into a padded word, it
        // was read back before the copy's bytes reached it: a stalled load on most keys, a
        // sixth of rendering the template.)
        return bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
    }
    let mut words = bytes.chunks_exact(8);
    if words.any(|w| bad(word(w))) {
        return true;
    }
    // The last eight bytes, which overlap the last whole word: they hold the remainder.
    bad(word(&bytes[bytes.len() - 8..]))
}

/// Appends a scalar as JSON.
fn push_scalar_json(out: &mut String, value: &Node) {
    match value {
        Node::String(s) => push_json_string(out, s),
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(n) => push_number(out, n),
        Node::Array(_) | Node::Object(_) => unreachable!("only scalars"),
    }
}

/// One-line rendering. Readable, `{"Key": "a", "List": [1, 2]}`, or `COMPACT` as `serde_json`
/// writes it, `{"Key":"a","List":[1,2]}` (a constant, so that the readable writer's separators
/// stay literals).
fn inline_json<const COMPACT: bool>(value: &Node, out: &mut String) {
    let (item, key) = if COMPACT { (",", ":") } else { (", ", ": ") };
    match value {
        Node::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(item);
                }
                inline_json::<COMPACT>(v, out);
            }
            out.push(']');
        }
        Node::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(item);
                }
                push_json_string(out, k);
                out.push_str(key);
                inline_json::<COMPACT>(v, out);
            }
            out.push('}');
        }
        scalar => push_scalar_json(out, scalar),
    }
}

/// Appends `value` on one readable line if it takes at most `room` bytes, and answers whether
/// it did; otherwise `out` is left as it was. Writing stops as soon as the line is too long, so
/// a value that does not fit costs at most `room` bytes written and taken back, and one that
/// fits is written once. (Measuring first, then writing, read every string of the 40 KB
/// template twice.)
fn inline_within(value: &Node, out: &mut String, room: usize) -> bool {
    let start = out.len();
    let fits = push_inline(value, out, start + room);
    if !fits {
        out.truncate(start);
    }
    fits
}

/// Whether `value` on one readable line is surely longer than `room` bytes: a lower bound of
/// its length (a string at least its bytes and quotes, a number one digit) is, counted only
/// until it passes `room`. Most values that do not fit are told so without writing a byte;
/// [`inline_within`] still judges the others by writing them. (Writing and taking back every
/// value too long for its line wrote about half the template a second time.)
fn surely_longer(value: &Node, room: usize) -> bool {
    fn add(value: &Node, used: &mut usize, room: usize) -> bool {
        match value {
            Node::Null => *used += 4,
            Node::Bool(b) => *used += if *b { 4 } else { 5 },
            Node::Number(_) => *used += 1,
            Node::String(s) => *used += s.len() + 2,
            Node::Array(items) => {
                // The brackets, and ", " between items.
                *used += 2 * items.len().max(1);
                for v in items {
                    if add(v, used, room) {
                        return true;
                    }
                }
            }
            Node::Object(map) => {
                // The braces, ": " after each key and ", " between entries.
                *used += 2 + 4 * map.len() - 2 * usize::from(!map.is_empty());
                for (k, v) in map.iter() {
                    *used += k.len() + 2;
                    if add(v, used, room) {
                        return true;
                    }
                }
            }
        }
        *used > room
    }
    add(value, &mut 0, room)
}

/// [`inline_json`]'s readable form, stopped (`false`) once `out` is longer than `end`.
fn push_inline(value: &Node, out: &mut String, end: usize) -> bool {
    match value {
        Node::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if !push_inline(v, out, end) {
                    return false;
                }
            }
            out.push(']');
        }
        Node::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                // A string is never shorter than its bytes and quotes: one that cannot fit is
                // not written at all.
                if out.len() + k.len() + 2 > end {
                    return false;
                }
                push_json_string(out, k);
                out.push_str(": ");
                if !push_inline(v, out, end) {
                    return false;
                }
            }
            out.push('}');
        }
        Node::String(s) if out.len() + s.len() + 2 > end => return false,
        scalar => push_scalar_json(out, scalar),
    }
    out.len() <= end
}

/// Compact JSON (no spaces), as `serde_json` writes it.
pub fn compact(value: &Node) -> String {
    let mut out = String::new();
    inline_json::<true>(value, &mut out);
    out
}

/// A number as `serde_json` writes it, without a `String` of its own.
fn push_number(out: &mut String, n: &serde_json::Number) {
    use std::fmt::Write;
    write!(out, "{n}").expect("writing to a String cannot fail");
}

fn push_spaces(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let run = n.min(SPACES.len());
        out.push_str(&SPACES[..run]);
        n -= run;
    }
}

fn write_json(out: &mut String, value: &Node, indent: usize, column: usize, depth: usize) {
    let empty = match value {
        Node::Array(a) => a.is_empty(),
        Node::Object(m) => m.is_empty(),
        _ => {
            push_scalar_json(out, value);
            return;
        }
    };
    if empty {
        out.push_str(if value.is_array() { "[]" } else { "{}" });
        return;
    }
    // Deeper than the always-broken levels, a value that fits the width stays on one line.
    if depth > ALWAYS_BREAK_DEPTH
        && let Some(room) = WIDTH.checked_sub(column)
        && !surely_longer(value, room)
        && inline_within(value, out, room)
    {
        return;
    }
    match value {
        Node::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                push_spaces(out, indent + 2);
                write_json(out, item, indent + 2, indent + 2, depth + 1);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            push_spaces(out, indent);
            out.push(']');
        }
        Node::Object(map) => {
            out.push_str("{\n");
            for (i, (k, v)) in map.iter().enumerate() {
                push_spaces(out, indent + 2);
                let key_start = out.len();
                push_json_string(out, k);
                let key_len = out.len() - key_start;
                out.push_str(": ");
                write_json(out, v, indent + 2, indent + 2 + key_len + 2, depth + 1);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            push_spaces(out, indent);
            out.push('}');
        }
        _ => unreachable!("scalars returned above"),
    }
}

/// Block-style YAML. Strings that could be read as another type are double-quoted.
pub fn yaml(value: &Node) -> String {
    let mut out = String::with_capacity(32 * 1024);
    match value {
        Node::Object(map) if !map.is_empty() => write_map(&mut out, map, 0, false),
        other => {
            write_inline_yaml(&mut out, other, 0);
            out.push('\n');
        }
    }
    out
}

fn write_map(out: &mut String, map: &Object, indent: usize, first_inline: bool) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !first_inline {
            push_spaces(out, indent);
        }
        push_yaml_string(out, key, indent);
        out.push(':');
        write_after_key(out, value, indent);
    }
}

fn write_after_key(out: &mut String, value: &Node, indent: usize) {
    match value {
        Node::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, indent + 2, false);
        }
        Node::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, items, indent + 2);
        }
        other => {
            out.push(' ');
            write_inline_yaml(out, other, indent + 2);
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, items: &[Node], indent: usize) {
    for item in items {
        push_spaces(out, indent);
        out.push_str("- ");
        match item {
            Node::Object(map) if !map.is_empty() => write_map(out, map, indent + 2, true),
            Node::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_seq(out, inner, indent + 2);
            }
            other => {
                write_inline_yaml(out, other, indent + 2);
                out.push('\n');
            }
        }
    }
}

/// Scalars and empty collections.
fn write_inline_yaml(out: &mut String, value: &Node, indent: usize) {
    match value {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(n) => push_number(out, n),
        Node::String(s) => push_yaml_string(out, s, indent),
        Node::Array(_) => out.push_str("[]"),
        Node::Object(_) => out.push_str("{}"),
    }
}

/// Appends a string as a YAML scalar: plain when unambiguous, a literal block for code, else
/// quoted.
fn push_yaml_string(out: &mut String, s: &str, indent: usize) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else if is_literal_block_safe(s) {
        out.push('|');
        for line in s.trim_end_matches('\n').split('\n') {
            out.push('\n');
            if !line.is_empty() {
                push_spaces(out, indent.max(2));
                out.push_str(line);
            }
        }
    } else {
        // JSON string escapes are valid YAML double-quoted escapes.
        push_json_string(out, s);
    }
}

fn is_literal_block_safe(s: &str) -> bool {
    s.ends_with('\n')
        && !s.ends_with("\n\n")
        && !s.starts_with([' ', '\n'])
        && !s.contains(['\r', '\t'])
        && s.lines().all(|l| !l.ends_with(' '))
        && s.chars().all(|c| !c.is_control() || c == '\n')
}

fn is_plain_safe(s: &str) -> bool {
    const RESERVED: [&str; 14] = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "=", "<<", ".inf", ".nan",
    ];
    let Some(first) = s.chars().next() else {
        return false;
    };
    let starts_ok = first.is_ascii_alphabetic() || matches!(first, '_' | '/' | '$');
    starts_ok
        && !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s))
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " _-./:$@+=()".contains(c))
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains("  ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn json_of(v: Value) -> Node {
        Node::from(v)
    }

    /// Every value of both examples' templates, and values with every kind of escape and
    /// number: written on one line within exactly its width, as `inline_json` writes it, and
    /// not at all (nothing left behind) with one byte less room.
    #[test]
    fn values_are_written_inline_exactly_when_they_fit() {
        fn each(node: &Node, f: &mut impl FnMut(&Node)) {
            f(node);
            match node {
                Node::Array(items) => items.iter().for_each(|v| each(v, f)),
                Node::Object(map) => map.values().for_each(|v| each(v, f)),
                _ => {}
            }
        }
        let mut values: Vec<Node> = [crate::examples::fargate(), crate::examples::lambda()]
            .into_iter()
            .map(|plan| {
                let valid = crate::ValidPlan::new(plan).expect("the examples are valid");
                crate::template::generate(&valid).tree().clone()
            })
            .collect();
        values.push(json_of(serde_json::json!({
            "quote \" and \\ backslash": ["tab\t", "nl\n", "cr\r", "\u{8}\u{c}", "\u{1}\u{1f}"],
            "numbers": [0, -7, 18446744073709551615_u64, 0.5, -1.25e-7, 1e300],
            "unicode é ✓": [true, false, null, {}, []],
        })));
        let mut checked = 0;
        for value in &values {
            each(value, &mut |v| {
                let mut written = String::new();
                inline_json::<false>(v, &mut written);
                let width = written.len();
                // The quick lower bound never turns away a value that fits.
                assert!(!surely_longer(v, width), "{written}");
                let mut out = String::from("before ");
                assert!(inline_within(v, &mut out, width), "{written}");
                assert_eq!(out, format!("before {written}"));
                let mut out = String::from("before ");
                assert!(!inline_within(v, &mut out, width - 1), "{written}");
                assert_eq!(out, "before ");
                checked += 1;
            });
        }
        assert!(checked > 2_000, "{checked}");
    }

    #[test]
    fn strings_that_would_change_type_are_quoted() {
        for s in [
            "true",
            "No",
            "2010-09-09",
            "80",
            "0.0.0.0/0",
            "",
            "a: b",
            "${X}",
            "{{resolve}}",
            "- x",
            "=",
            "x:",
        ] {
            assert!(!is_plain_safe(s), "{s} must be quoted");
        }
        for s in [
            "Fn::GetAtt",
            "AWS::EC2::VPC",
            "/health",
            "$default",
            "arn:aws:s3:::b",
            "ecs:service:DesiredCount",
        ] {
            assert!(is_plain_safe(s), "{s} can be plain");
        }
    }

    #[test]
    fn yaml_reads_back_as_the_same_value() {
        let v = serde_json::json!({
            "A": "2010-09-09", "B": [1, "x", {"K": "v", "L": [true, null]}, []], "C": {},
            "Code": "def f():\n    return 1\n", "Fn::Sub": "${AWS::StackName}-x", "N": [[1, 2], ["a"]],
            "Q": "say \"hi\"\ttab", "U": "–unicode"
        });
        let back: Value = serde_yaml::from_str(&yaml(&json_of(v.clone()))).expect("valid YAML");
        assert_eq!(back, v);
    }

    /// Each byte that needs an escape, and some that do not, at every place of a word and of
    /// the tail, between every kind of neighbour.
    #[test]
    fn the_word_scan_finds_every_byte_that_needs_an_escape() {
        let specials: Vec<char> = (0u8..0x20).map(char::from).chain(['"', '\\']).collect();
        let plain = [
            'a', ' ', '!', '#', '[', ']', '~', '\u{7f}', 'é', '–', '😀', '\u{2028}',
        ];
        for len in 0..20 {
            for filler in plain {
                let base: String = std::iter::repeat_n(filler, len).collect();
                assert!(!needs_escape(base.as_bytes()), "{base:?}");
                for at in 0..=len {
                    for c in specials.iter().chain(&plain) {
                        let mut s: String = base.chars().take(at).collect();
                        s.push(*c);
                        s.extend(base.chars().skip(at));
                        let expect = s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\');
                        assert_eq!(needs_escape(s.as_bytes()), expect, "{s:?}");
                        let mut ours = String::new();
                        push_json_string(&mut ours, &s);
                        assert_eq!(ours, serde_json::to_string(&s).unwrap(), "{s:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut all: String = (0u8..0x80).map(char::from).collect();
        all.push_str("é–€😀\u{2028}/");
        for s in [all.as_str(), "", "plain", "\"", "a\\b", "\u{7f}"] {
            let mut ours = String::new();
            push_json_string(&mut ours, s);
            assert_eq!(ours, serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn the_lower_bound_is_exact_without_escapes_or_long_numbers() {
        for v in [
            serde_json::json!({"a": ["b", 1, true, false, null, {}, []], "c": {"d": [[]]}}),
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!("text"),
        ] {
            let v = json_of(v);
            let mut written = String::new();
            inline_json::<false>(&v, &mut written);
            assert!(!surely_longer(&v, written.len()), "{written}");
            assert!(surely_longer(&v, written.len() - 1), "{written}");
        }
    }

    #[test]
    fn a_line_that_would_pass_the_width_is_broken_and_one_that_fits_is_not() {
        // `Properties` is at depth 3, its value starting at column 20 (6 spaces, the key, ": "),
        // and `{"List": ["…"]}` is 14 bytes around the string: 66 bytes of it fill the line.
        let props = |n: usize| {
            json_of(
                serde_json::json!({"Resources": {"X": {"Properties": {"List": ["a".repeat(n)]}}}}),
            )
        };
        let fits = json(&props(WIDTH - 34));
        assert!(fits.contains(r#""Properties": {"List": ["aaa"#), "{fits}");
        assert!(fits.lines().all(|l| l.len() <= WIDTH), "{fits}");
        let broken = json(&props(WIDTH - 33));
        assert!(broken.contains("\"Properties\": {\n"), "{broken}");
    }

    #[test]
    fn json_reads_back_and_keeps_small_things_inline() {
        let v = serde_json::json!({"Resources": {"X": {"Type": "T", "Properties": {"Tags": [{"Key": "a", "Value": "b"}]}}}});
        let text = json(&json_of(v.clone()));
        assert!(
            text.contains(r#""Tags": [{"Key": "a", "Value": "b"}]"#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), v);
    }
}
