//! JSON read by position where it must be read by name. serde reads a struct from an array as
//! well as from an object, taking its fields in order, which no plan or request ever means:
//! `"workload": [1000000, 120]` would be read as the workload's first two fields. serde_json
//! has no switch for it, so what was read is written back and compared with what was given.

use serde::Serialize;
use serde_json::Value;

/// What is said of such an array.
pub const ARRAY_FOR_OBJECT: &str = "invalid type: an array, expected an object: write this part's fields by name, {\"field\": value, …}";

/// The path (`fargate.database`, `environment[0]`; empty for the whole) of the first part of
/// the JSON `text` that is an array where `read`, the value read from it, writes an object.
/// `None` when there is none, or when `text` is no JSON (its reader has said so already).
pub fn array_for_object<T: Serialize + ?Sized>(text: &str, read: &T) -> Option<String> {
    fn walk(given: &Value, read: &Value, path: &str) -> Option<String> {
        let at = |step: &str| match path {
            "" => step.to_string(),
            _ if step.starts_with('[') => format!("{path}{step}"),
            _ => format!("{path}.{step}"),
        };
        match (given, read) {
            (Value::Array(_), Value::Object(_)) => Some(path.to_string()),
            (Value::Object(given), Value::Object(read)) => read
                .iter()
                .find_map(|(k, r)| walk(given.get(k)?, r, &at(k))),
            (Value::Array(given), Value::Array(read)) => given
                .iter()
                .zip(read)
                .enumerate()
                .find_map(|(i, (g, r))| walk(g, r, &at(&format!("[{i}]")))),
            _ => None,
        }
    }
    // Written through text: the browser then carries a plan's one (compact) serializer.
    let read = serde_json::from_str(&serde_json::to_string(read).ok()?).ok()?;
    walk(&serde_json::from_str(text).ok()?, &read, "")
}

/// The arrays met along serde's error `path` (`lambda.tables[0].partition_key`) in `given`,
/// outermost first, each as its path and its JSON pointer into `given`: where serde may have
/// been reading an object by position when it stopped. The whole value is not one of them.
pub fn arrays_along(given: &Value, path: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (mut node, mut rest) = (given, path);
    let (mut walked, mut pointer) = (String::new(), String::new());
    loop {
        if node.is_array() && !walked.is_empty() {
            out.push((walked.clone(), pointer.clone()));
        }
        match node {
            Value::Object(map) if !rest.is_empty() => {
                // A key may hold a dot or a bracket (a tag's): the longest that fits.
                let step = rest.strip_prefix('.').unwrap_or(rest);
                let Some(key) = map
                    .keys()
                    .filter(|k| {
                        step.starts_with(k.as_str())
                            && matches!(step.as_bytes().get(k.len()), None | Some(b'.' | b'['))
                    })
                    .max_by_key(|k| k.len())
                else {
                    break;
                };
                if !walked.is_empty() {
                    walked.push('.');
                }
                walked.push_str(key);
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                rest = &step[key.len()..];
                node = &map[key];
            }
            Value::Array(items) => {
                let Some((index, after)) = rest.strip_prefix('[').and_then(|r| r.split_once(']'))
                else {
                    break;
                };
                let Some(item) = index.parse::<usize>().ok().and_then(|i| items.get(i)) else {
                    break;
                };
                walked.push_str(&format!("[{index}]"));
                pointer.push_str(&format!("/{index}"));
                rest = after;
                node = item;
            }
            _ => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{array_for_object, arrays_along};

    #[test]
    fn the_arrays_along_a_path_are_found_outermost_first() {
        let given: serde_json::Value =
            serde_json::from_str(r#"{"a": [{"b.c": [1, {"d": []}]}], "t": {"x[1]": [2]}}"#)
                .unwrap();
        let at = |path: &str| -> Vec<String> {
            arrays_along(&given, path)
                .into_iter()
                .map(|(p, ptr)| format!("{p} {ptr}"))
                .collect()
        };
        assert_eq!(
            at("a[0].b.c[1].d"),
            ["a /a", "a[0].b.c /a/0/b.c", "a[0].b.c[1].d /a/0/b.c/1/d"]
        );
        assert_eq!(at("a[0].b.c"), ["a /a", "a[0].b.c /a/0/b.c"]);
        assert_eq!(at("t.x[1]"), ["t.x[1] /t/x[1]"]);
        assert_eq!(at("a[7].b"), ["a /a"]);
        assert_eq!(at("plan"), Vec::<String>::new());
    }

    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    struct Outer {
        name: String,
        inner: Inner,
        list: Vec<Inner>,
    }

    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    struct Inner {
        a: u32,
        b: Option<u32>,
    }

    #[test]
    fn an_array_read_as_a_struct_is_found_at_its_path() {
        let cases = [
            (
                r#"{"name": "x", "inner": {"a": 1}, "list": [{"a": 2}]}"#,
                None,
            ),
            (
                r#"{"name": "x", "inner": [1, 2], "list": []}"#,
                Some("inner"),
            ),
            (
                r#"{"name": "x", "inner": {"a": 1}, "list": [{"a": 2}, [3, null]]}"#,
                Some("list[1]"),
            ),
            (r#"["x", {"a": 1}, []]"#, Some("")),
        ];
        for (text, at) in cases {
            // serde reads each of them.
            let read: Outer = serde_json::from_str(text).unwrap();
            assert_eq!(array_for_object(text, &read).as_deref(), at, "{text}");
        }
        // Text that is no JSON has been refused by its reader already.
        assert_eq!(array_for_object("{", &Inner { a: 1, b: None }), None);
    }
}
