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

fn scalar_json(value: &Value) -> String {
    serde_json::to_string(value).expect("JSON scalars serialize")
}

/// One-line rendering with `", "` and `": "` separators.
fn inline_json(value: &Value, out: &mut String) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                inline_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&scalar_json(&Value::String(k.clone())));
                out.push_str(": ");
                inline_json(v, out);
            }
            out.push('}');
        }
        scalar => out.push_str(&scalar_json(scalar)),
    }
}

fn write_json(out: &mut String, value: &Value, indent: usize, column: usize, depth: usize) {
    let empty = match value {
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => {
            out.push_str(&scalar_json(value));
            return;
        }
    };
    if empty || depth > ALWAYS_BREAK_DEPTH {
        let mut one = String::new();
        inline_json(value, &mut one);
        if empty || column + one.len() <= WIDTH {
            out.push_str(&one);
            return;
        }
    }
    let pad = " ".repeat(indent + 2);
    match value {
        Value::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad);
                write_json(out, item, indent + 2, indent + 2, depth + 1);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&" ".repeat(indent));
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("{\n");
            for (i, (k, v)) in map.iter().enumerate() {
                out.push_str(&pad);
                let key = scalar_json(&Value::String(k.clone()));
                out.push_str(&key);
                out.push_str(": ");
                write_json(out, v, indent + 2, indent + 2 + key.len() + 2, depth + 1);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&" ".repeat(indent));
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
