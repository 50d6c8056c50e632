//! Deterministic text renderings of a JSON document: readable JSON and block YAML.
//!
//! Both are pure functions of the value (whose key order is fixed by generation), so the same
//! plan always gives byte-identical output in the CLI and in the browser.

use serde_json::{Map, Value};

/// Lines longer than this are broken up.
const WIDTH: usize = 100;
/// The document, its sections and each resource are always spread over lines.
const ALWAYS_BREAK_DEPTH: usize = 2;

/// JSON with two-space indentation; small objects and arrays stay on one line.
pub fn json(value: &Value) -> String {
    let mut out = String::with_capacity(32 * 1024);
    write_json(&mut out, value, 0, 0, 0);
    out.push('\n');
    out
}

/// Appends `s` as a JSON string, escaped exactly as `serde_json` escapes it: quote, backslash
/// and the control characters; everything else (`/`, non-ASCII) as it is.
fn push_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
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

/// Appends a scalar as JSON.
fn push_scalar_json(out: &mut String, value: &Value) {
    match value {
        Value::String(s) => push_json_string(out, s),
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::Array(_) | Value::Object(_) => unreachable!("only scalars"),
    }
}

/// One-line rendering with `", "` and `": "` separators, given up as soon as the line grows
/// past `limit` bytes of `out` (then `false`, and `out` holds a partial rendering).
fn inline_json(value: &Value, out: &mut String, limit: usize) -> bool {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if !inline_json(item, out, limit) {
                    return false;
                }
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_json_string(out, k);
                out.push_str(": ");
                if !inline_json(v, out, limit) {
                    return false;
                }
            }
            out.push('}');
        }
        scalar => push_scalar_json(out, scalar),
    }
    out.len() <= limit
}

fn push_spaces(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn write_json(out: &mut String, value: &Value, indent: usize, column: usize, depth: usize) {
    let empty = match value {
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
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
    {
        let start = out.len();
        if inline_json(value, out, start + room) {
            return;
        }
        out.truncate(start);
    }
    match value {
        Value::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                push_spaces(out, indent + 2);
                write_json(out, item, indent + 2, indent + 2, depth + 1);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            push_spaces(out, indent);
            out.push(']');
        }
        Value::Object(map) => {
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
pub fn yaml(value: &Value) -> String {
    let mut out = String::with_capacity(32 * 1024);
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0, false),
        other => {
            write_inline_yaml(&mut out, other, 0);
            out.push('\n');
        }
    }
    out
}

fn write_map(out: &mut String, map: &Map<String, Value>, indent: usize, first_inline: bool) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !first_inline {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&yaml_string(key, indent));
        out.push(':');
        write_after_key(out, value, indent);
    }
}

fn write_after_key(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, indent + 2, false);
        }
        Value::Array(items) if !items.is_empty() => {
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

fn write_seq(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        match item {
            Value::Object(map) if !map.is_empty() => write_map(out, map, indent + 2, true),
            Value::Array(inner) if !inner.is_empty() => {
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
fn write_inline_yaml(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&yaml_string(s, indent)),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// A string as a YAML scalar: plain when unambiguous, a literal block for code, else quoted.
fn yaml_string(s: &str, indent: usize) -> String {
    if is_plain_safe(s) {
        return s.to_string();
    }
    if is_literal_block_safe(s) {
        let pad = " ".repeat(indent.max(2));
        let mut block = String::from("|");
        for line in s.trim_end_matches('\n').split('\n') {
            block.push('\n');
            if !line.is_empty() {
                block.push_str(&pad);
                block.push_str(line);
            }
        }
        return block;
    }
    // JSON string escapes are valid YAML double-quoted escapes.
    serde_json::to_string(s).expect("strings serialize")
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
    use serde_json::json;

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
        let v = json!({
            "A": "2010-09-09", "B": [1, "x", {"K": "v", "L": [true, null]}, []], "C": {},
            "Code": "def f():\n    return 1\n", "Fn::Sub": "${AWS::StackName}-x", "N": [[1, 2], ["a"]],
            "Q": "say \"hi\"\ttab", "U": "–unicode"
        });
        let back: Value = serde_yaml::from_str(&yaml(&v)).expect("valid YAML");
        assert_eq!(back, v);
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
    fn a_line_that_would_pass_the_width_is_broken_and_one_that_fits_is_not() {
        // `Properties` is at depth 3, its value starting at column 20 (6 spaces, the key, ": "),
        // and `{"List": ["…"]}` is 14 bytes around the string: 66 bytes of it fill the line.
        let props =
            |n: usize| json!({"Resources": {"X": {"Properties": {"List": ["a".repeat(n)]}}}});
        let fits = json(&props(WIDTH - 34));
        assert!(fits.contains(r#""Properties": {"List": ["aaa"#), "{fits}");
        assert!(fits.lines().all(|l| l.len() <= WIDTH), "{fits}");
        let broken = json(&props(WIDTH - 33));
        assert!(broken.contains("\"Properties\": {\n"), "{broken}");
    }

    #[test]
    fn json_reads_back_and_keeps_small_things_inline() {
        let v = json!({"Resources": {"X": {"Type": "T", "Properties": {"Tags": [{"Key": "a", "Value": "b"}]}}}});
        let text = json(&v);
        assert!(
            text.contains(r#""Tags": [{"Key": "a", "Value": "b"}]"#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), v);
    }
}
