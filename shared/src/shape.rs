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

/// One step into a JSON value: an object's key or an array's index.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// The value `steps` lead to in `value`.
pub fn at_mut<'v>(value: &'v mut Value, steps: &[Step]) -> Option<&'v mut Value> {
    steps.iter().try_fold(value, |v, step| match step {
        Step::Key(k) => v.get_mut(k.as_str()),
        Step::Index(i) => v.get_mut(*i),
    })
}

/// The arrays met along serde's error `path` (`lambda.tables[0].partition_key`) in `given`,
/// outermost first, each as its path and the steps to it: where serde may have been reading an
/// object by position when it stopped. The whole value is not one of them.
pub fn arrays_along(given: &Value, path: &str) -> Vec<(String, Vec<Step>)> {
    let mut out = Vec::new();
    let (mut node, mut rest) = (given, path);
    let (mut walked, mut steps) = (String::new(), Vec::new());
    loop {
        if node.is_array() && !walked.is_empty() {
            out.push((walked.clone(), steps.clone()));
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
                steps.push(Step::Key(key.clone()));
                rest = &step[key.len()..];
                node = &map[key];
            }
            Value::Array(items) => {
                let Some((index, after)) = rest.strip_prefix('[').and_then(|r| r.split_once(']'))
                else {
                    break;
                };
                let Some((i, item)) = index
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| Some((i, items.get(i)?)))
                else {
                    break;
                };
                walked.push_str(&format!("[{i}]"));
                steps.push(Step::Index(i));
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
    use super::{Step, array_for_object, arrays_along, at_mut};

    #[test]
    fn the_arrays_along_a_path_are_found_outermost_first() {
        let given: serde_json::Value =
            serde_json::from_str(r#"{"a": [{"b.c": [1, {"d": []}]}], "t": {"x[1]": [2]}}"#)
                .unwrap();
        let at = |path: &str| -> Vec<String> {
            arrays_along(&given, path)
                .into_iter()
                .map(|(p, steps)| {
                    // The steps lead to the array the path names.
                    assert!(at_mut(&mut given.clone(), &steps).is_some_and(|v| v.is_array()));
                    let ptr: String = steps
                        .iter()
                        .map(|s| match s {
                            Step::Key(k) => format!("/{k}"),
                            Step::Index(i) => format!("/{i}"),
                        })
                        .collect();
                    format!("{p} {ptr}")
                })
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
