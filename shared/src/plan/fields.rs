//! Where in a plan's JSON its errors are, and every one of them rather than the first.
//!
//! serde stops at the first value it refuses. A plan written by hand with three wrong fields
//! would then take three rounds of fixing; [`other_errors`] names them all in one.

use serde_json::Value;

/// One wrong field of a plan's JSON: its path as the validator writes paths
/// (`fargate.memory_mib`, `environment[2].name`; `plan` for the whole plan) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// At most this many errors after the first are named: a text that is not a plan at all
/// (another tool's JSON) would otherwise list every one of its fields.
pub const MORE_ERRORS: usize = 20;

/// The bytes of JSON the search for more errors may read in all: a plan is a few KB, and an
/// API body up to a MB must not cost a hundred readings of a MB.
const READ_BUDGET: usize = 2 << 20;

/// One step of a path into JSON: an object's key (unescaped) or an array's index.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// The path of the value at `line` and `column` (serde_json's: from 1, and from 0 on a line,
/// in bytes) of the JSON `text`, as the validator writes paths (`lambda.memory_mb`,
/// `environment[2].name`); `None` at the top level. A scan of the text's structure, not a
/// parse: it serves where serde gave the place but not the field.
pub(crate) fn path_at(text: &str, line: usize, column: usize) -> Option<String> {
    written(&steps_at(text, line, column))
}

fn written(steps: &[Step]) -> Option<String> {
    let mut path = String::new();
    for step in steps {
        match step {
            Step::Key(key) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Step::Index(index) => path.push_str(&format!("[{index}]")),
        }
    }
    (!path.is_empty()).then_some(path)
}

/// The steps to the value at `line` and `column` of `text` (see [`path_at`]).
fn steps_at(text: &str, line: usize, column: usize) -> Vec<Step> {
    enum Frame {
        Object {
            key: Option<Step>,
            value: bool,
        },
        /// The index, and whether that element has started (an error placed on the `[`
        /// itself is the array's, not its first element's).
        Array(usize, bool),
    }
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let (mut at_line, mut at_column, mut i) = (1, 0, 0);
    while i < bytes.len() && (at_line, at_column) < (line, column) {
        if let Some(Frame::Array(_, started @ false)) = stack.last_mut() {
            *started = !matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n' | b',' | b']');
        }
        match bytes[i] {
            b'\n' => {
                at_line += 1;
                at_column = 0;
                i += 1;
                continue;
            }
            b'"' => {
                let mut end = i + 1;
                while end < bytes.len() && bytes[end] != b'"' {
                    end += if bytes[end] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object { key, value: false }) = stack.last_mut() {
                    // The key as the object holds it: its escapes read.
                    *key = text.get(i..=end).map(|quoted| {
                        Step::Key(
                            serde_json::from_str::<String>(quoted)
                                .unwrap_or_else(|_| quoted.trim_matches('"').to_string()),
                        )
                    });
                }
                at_column += end + 1 - i;
                i = end + 1;
                continue;
            }
            b'{' => stack.push(Frame::Object {
                key: None,
                value: false,
            }),
            b'[' => stack.push(Frame::Array(0, false)),
            b'}' | b']' => {
                stack.pop();
            }
            b':' => {
                if let Some(Frame::Object { value, .. }) = stack.last_mut() {
                    *value = true;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { key, value }) => (*key, *value) = (None, false),
                Some(Frame::Array(index, started)) => (*index, *started) = (*index + 1, false),
                None => {}
            },
            _ => {}
        }
        at_column += 1;
        i += 1;
    }
    let mut steps = Vec::new();
    for frame in stack {
        match frame {
            Frame::Object { key: Some(key), .. } => steps.push(key),
            Frame::Object { key: None, .. } | Frame::Array(_, false) => break,
            Frame::Array(index, true) => steps.push(Step::Index(index)),
        }
    }
    steps
}

/// Every field error of the JSON `text` that `read` refuses, in the order serde meets them,
/// found by taking each refused value out and reading again: a value of the wrong type, an
/// unknown field or variant, a field left out. At most [`MORE_ERRORS`] + 2.
///
/// A value taken out can make its object lack a field it needs, or leave it empty; that error
/// is not the user's and is not named, and the object is taken out in turn, so that the
/// plan's later fields are still read. Array elements taken out keep the indices they had in
/// `text`. Once anything has been taken out, an error of the whole plan (an architecture
/// section missing) may come from that and ends the search; so does a removal's "missing
/// field" at the top, and serde names only the first missing field of an object: a field the
/// user left out may show only once the others are fixed. A text too long to read again often
/// ([`READ_BUDGET`]) has fewer of its errors named.
pub(crate) fn every_error<E>(
    text: &str,
    read: impl Fn(&str) -> Result<(), E>,
    error_of: impl Fn(&E) -> Option<(usize, usize, String)>,
) -> Vec<FieldError> {
    let Ok(mut doc) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    let mut found: Vec<FieldError> = Vec::new();
    // What was taken out, as steps into `text` (not into `doc`, whose indices shift).
    let mut taken: Vec<Vec<Step>> = Vec::new();
    // Each round takes one value out, and a plan's JSON has a few hundred values at most.
    let mut budget = READ_BUDGET;
    for _ in 0..4 * (MORE_ERRORS + 2) {
        let compact = doc.to_string();
        let Some(left) = budget.checked_sub(compact.len()) else {
            break;
        };
        budget = left;
        let Err(error) = read(&compact) else { break };
        let Some((line, column, message)) = error_of(&error) else {
            break;
        };
        let here = steps_at(&compact, line, column);
        let original = in_text(&here, &taken);
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
            .map(|field| {
                let mut steps = original.clone();
                steps.push(Step::Key(field.to_string()));
                taken.contains(&steps)
            });
        // Any other error at a value a removal was made inside (an enum's object left empty)
        // is the removal's too; a missing field is the user's unless it was taken out.
        let ours = match missing {
            Some(field_taken) => field_taken,
            None => taken
                .iter()
                .any(|t| t.len() > original.len() && t.starts_with(&original)),
        };
        if !ours {
            found.push(FieldError {
                path: written(&original).unwrap_or_else(|| "plan".into()),
                message,
            });
            // One more than is named, so that the caller knows there were more.
            if found.len() > MORE_ERRORS + 1 {
                break;
            }
        }
        if here.is_empty() || !take_out(&mut doc, &here) {
            break;
        }
        taken.push(original);
    }
    found
}

/// `steps` into the document as it is now, as steps into the text it was read from: an
/// array's index counts again the elements taken out before it.
fn in_text(steps: &[Step], taken: &[Vec<Step>]) -> Vec<Step> {
    let mut original: Vec<Step> = Vec::with_capacity(steps.len());
    for step in steps {
        let step = match step {
            Step::Index(now) => {
                // The text's index is `now` plus the elements taken out at or before it: the
                // least fixed point of that sum, reached from `now` upwards (no sort, which
                // would be 3 KB of the browser's download).
                let gone_up_to = |index: usize| {
                    taken
                        .iter()
                        .filter(|t| match t.split_last() {
                            Some((Step::Index(i), parent)) => {
                                parent == original.as_slice() && *i <= index
                            }
                            _ => false,
                        })
                        .count()
                };
                let mut index = *now;
                loop {
                    let next = now + gone_up_to(index);
                    if next == index {
                        break;
                    }
                    index = next;
                }
                Step::Index(index)
            }
            key => key.clone(),
        };
        original.push(step);
    }
    original
}

/// Takes the value at `steps` out of `doc` (keeping its other keys' order); false if there is
/// none there.
fn take_out(doc: &mut Value, steps: &[Step]) -> bool {
    let Some((last, parent)) = steps.split_last() else {
        return false;
    };
    let mut at = doc;
    for step in parent {
        let next = match (step, at) {
            (Step::Key(key), Value::Object(map)) => map.get_mut(key),
            (Step::Index(index), Value::Array(items)) => items.get_mut(*index),
            _ => None,
        };
        let Some(next) = next else { return false };
        at = next;
    }
    match (last, at) {
        (Step::Key(key), Value::Object(map)) => map.shift_remove(key).is_some(),
        (Step::Index(index), Value::Array(items)) if *index < items.len() => {
            items.remove(*index);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where serde_json puts an error, found in the text by hand: the path named is the
    /// field's, as with serde's own path.
    #[test]
    fn the_place_of_an_error_names_its_field() {
        let text = "{\n  \"lambda\": {\n    \"memory_mb\": \"lots\",\n    \"x\": 1\n  },\n  \"environment\": [\n    {\"name\": \"A\"},\n    {\"name\": 7}\n  ]\n}";
        // serde_json: after the string "lots" (line 3), after the 7 (line 8).
        let err = serde_json::from_str::<serde_json::Value>(text).err();
        assert!(err.is_none());
        assert_eq!(path_at(text, 3, 23).as_deref(), Some("lambda.memory_mb"));
        assert_eq!(path_at(text, 8, 14).as_deref(), Some("environment[1].name"));
        assert_eq!(path_at(text, 1, 1), None);
        // A key with a quote escaped in it, and a colon inside a string: named as the plan
        // holds it.
        let text = r#"{"tags": {"a\"b": "x:y", "c": 1}}"#;
        assert_eq!(path_at(text, 1, 31).as_deref(), Some("tags.c"));
        assert_eq!(
            steps_at(text, 1, 16),
            vec![Step::Key("tags".into()), Step::Key("a\"b".into())]
        );
    }

    /// Against serde's own paths: every field of a plan made wrong in turn is named the same
    /// by the place in the text as by serde_path_to_error.
    #[cfg(feature = "paths")]
    #[test]
    fn places_name_the_fields_serde_names() {
        for plan in [crate::examples::fargate(), crate::examples::lambda()] {
            let pretty = plan.to_json_pretty();
            let doc: serde_json::Value = serde_json::from_str(&pretty).unwrap();
            let mut checked = 0;
            for (section, fields) in doc.as_object().unwrap() {
                let Some(fields) = fields.as_object() else {
                    continue;
                };
                for (field, value) in fields {
                    if !(value.is_number() || value.is_boolean()) {
                        continue;
                    }
                    let mut wrong = doc.clone();
                    wrong[section][field] = serde_json::json!("wrong");
                    let text = serde_json::to_string_pretty(&wrong).unwrap();
                    let de = &mut serde_json::Deserializer::from_str(&text);
                    let e = serde_path_to_error::deserialize::<_, crate::Plan>(de).unwrap_err();
                    let serde_path = e.path().to_string();
                    let inner = e.into_inner();
                    assert_eq!(
                        path_at(&text, inner.line(), inner.column()).as_deref(),
                        Some(serde_path.as_str()),
                        "{section}.{field}"
                    );
                    checked += 1;
                }
            }
            assert!(checked >= 5, "{checked}");
        }
    }

    #[test]
    fn indices_of_later_elements_are_the_texts() {
        let taken = vec![
            vec![Step::Key("environment".into()), Step::Index(1)],
            vec![Step::Key("environment".into()), Step::Index(3)],
            vec![Step::Key("tags".into()), Step::Index(0)],
        ];
        let at = |i| in_text(&[Step::Key("environment".into()), Step::Index(i)], &taken);
        // Now [0, 1, 2, ...] are the text's [0, 2, 4, ...].
        assert_eq!(at(0)[1], Step::Index(0));
        assert_eq!(at(1)[1], Step::Index(2));
        assert_eq!(at(2)[1], Step::Index(4));
        assert_eq!(at(5)[1], Step::Index(7));
    }

    #[test]
    fn taking_out_keeps_the_order_of_the_rest() {
        let mut doc: Value = serde_json::from_str(r#"{"a": 1, "b": [1, 2, 3], "c": 3}"#).unwrap();
        assert!(take_out(&mut doc, &[Step::Key("b".into()), Step::Index(1)]));
        assert!(take_out(&mut doc, &[Step::Key("a".into())]));
        assert!(!take_out(&mut doc, &[Step::Key("a".into())]));
        assert!(!take_out(
            &mut doc,
            &[Step::Key("b".into()), Step::Index(2)]
        ));
        assert!(!take_out(&mut doc, &[]));
        assert_eq!(doc.to_string(), r#"{"b":[1,3],"c":3}"#);
    }
}

/// Whole plans read with several wrong fields: every one named, once, in the text's order.
#[cfg(test)]
mod plans {
    use crate::plan::{FieldError, MORE_ERRORS, ParseError, Plan};
    use serde_json::{Value, json};

    fn example() -> Value {
        serde_json::from_str(&crate::examples::fargate().to_json_pretty()).unwrap()
    }

    fn errors(doc: &Value) -> (ParseError, Vec<(String, String)>) {
        let error = Plan::from_json(&serde_json::to_string_pretty(doc).unwrap()).unwrap_err();
        let listed = error
            .field_errors()
            .into_iter()
            .map(|FieldError { path, message }| (path, message))
            .collect();
        (error, listed)
    }

    fn paths(listed: &[(String, String)]) -> Vec<&str> {
        listed.iter().map(|(p, _)| p.as_str()).collect()
    }

    #[test]
    fn every_wrong_field_is_named_in_the_texts_order() {
        let mut doc = example();
        doc["region"] = json!("mars-1");
        doc["tags"]["team"] = json!(5);
        doc["fargate"]["vcpu"] = json!("two");
        doc["fargate"]["memory_mb"] = json!(1024);
        doc["fargate"]["cache"]["nodes"] = json!(-1);
        let (error, listed) = errors(&doc);
        assert_eq!(
            paths(&listed),
            [
                "region",
                "tags.team",
                "fargate.vcpu",
                // Added last to the section, so after the cache in the text.
                "fargate.cache.nodes",
                "fargate.memory_mb"
            ],
            "{error}"
        );
        // The first is placed in the text the user sees; the others are named by path.
        assert!(listed[0].1.contains("unknown variant `mars-1`"), "{error}");
        assert!(listed[0].1.ends_with(" at line 4 column 20"), "{error}");
        assert!(
            listed[2]
                .1
                .starts_with("invalid type: string \"two\", expected"),
            "{error}"
        );
        assert!(
            listed[4].1.starts_with("unknown field `memory_mb`"),
            "{error}"
        );
        assert_eq!(
            listed[3].1,
            "invalid value: integer `-1`, expected a whole number from 0 to 255"
        );
        // No "missing field" for a field taken out because it was wrong (region, vcpu).
        assert!(!error.to_string().contains("missing field"), "{error}");
        // One line each, as the validator's problems are printed.
        assert_eq!(error.to_string().lines().count(), 5, "{error}");
    }

    #[test]
    fn a_field_left_out_is_named_and_the_reading_goes_on() {
        let mut doc = example();
        doc["fargate"]
            .as_object_mut()
            .unwrap()
            .shift_remove("memory_mib");
        doc["environment"] = json!([{"name": "A1", "value": 1}, {"name": "B1", "value": "x"}]);
        let (error, listed) = errors(&doc);
        assert_eq!(
            paths(&listed),
            ["fargate", "environment[0].value"],
            "{error}"
        );
        assert!(
            listed[0].1.starts_with("missing field `memory_mib`"),
            "{error}"
        );
    }

    #[test]
    fn elements_keep_their_indices_when_earlier_ones_are_taken_out() {
        let mut doc = example();
        doc["environment"] = json!([
            {"name": 1},
            {"name": "OK_1"},
            {"name": 2},
            {"name": "OK_2", "valu": "x"},
            {"name": 3}
        ]);
        let (error, listed) = errors(&doc);
        assert_eq!(
            paths(&listed),
            [
                "environment[0].name",
                "environment[2].name",
                "environment[3].valu",
                "environment[4].name"
            ],
            "{error}"
        );
    }

    #[test]
    fn an_error_of_the_whole_plan_is_named_when_it_is_the_users() {
        let mut doc = example();
        doc["lambda"] = json!({});
        doc["fargate"]["vcpu"] = json!("two");
        // The vCPU, then the empty lambda section's first missing field; both sections are
        // then taken out, and "not both" or "needs an architecture", an error of the whole
        // plan after a removal, is not named (it may be the removal's).
        let (error, listed) = errors(&doc);
        assert_eq!(paths(&listed), ["fargate.vcpu", "lambda"], "{error}");
        // Alone, it is the user's.
        let mut doc = example();
        let lambda: Value =
            serde_json::from_str(&crate::examples::lambda().to_json_pretty()).unwrap();
        doc["lambda"] = lambda["lambda"].clone();
        let (error, listed) = errors(&doc);
        assert_eq!(paths(&listed), ["plan"], "{error}");
        assert!(listed[0].1.contains("not both"), "{error}");
    }

    #[test]
    fn at_most_the_first_errors_are_named() {
        let mut doc = example();
        for i in 0..40 {
            doc["fargate"][format!("extra_{i:02}")] = json!(i);
        }
        let (error, listed) = errors(&doc);
        assert_eq!(listed.len(), MORE_ERRORS + 1);
        assert_eq!(
            listed[MORE_ERRORS].0,
            format!("fargate.extra_{MORE_ERRORS:02}")
        );
        let ParseError::Invalid { cut, .. } = &error else {
            panic!("{error}")
        };
        assert!(cut);
        assert!(error.to_string().ends_with(&format!(
            "(only the first {} errors are named; fix these and read the plan again)",
            MORE_ERRORS + 1
        )));
        // Exactly as many as are named: not cut.
        let mut doc = example();
        for i in 0..=MORE_ERRORS {
            doc["fargate"][format!("extra_{i:02}")] = json!(i);
        }
        let (error, listed) = errors(&doc);
        assert_eq!(listed.len(), MORE_ERRORS + 1);
        assert!(
            matches!(error, ParseError::Invalid { cut: false, .. }),
            "{error}"
        );
    }

    /// An enum with data: a wrong field inside its object is named once, not also the object
    /// the removal left empty; an array where it goes is the field's error, not its first
    /// element's; an unknown variant is named once, though serde's path and the text's differ.
    #[test]
    fn an_enum_with_data_is_named_where_it_is_wrong() {
        let lambda = || -> Value {
            serde_json::from_str(&crate::examples::lambda().to_json_pretty()).unwrap()
        };
        let mut doc = lambda();
        doc["lambda"]["authorizer"] = json!({"jwt": {"issuer": 5, "audience": ["app"]}});
        let (error, listed) = errors(&doc);
        assert_eq!(paths(&listed), ["lambda.authorizer.jwt.issuer"], "{error}");
        let mut doc = lambda();
        doc["lambda"]["authorizer"] = json!(["iam"]);
        doc["lambda"]["memory_mb"] = json!("x");
        let (error, listed) = errors(&doc);
        let mut named = paths(&listed);
        named.sort_unstable();
        assert_eq!(named, ["lambda.authorizer", "lambda.memory_mb"], "{error}");
        let mut doc = lambda();
        doc["lambda"]["authorizer"] = json!({"bogus": {}});
        let (error, listed) = errors(&doc);
        assert_eq!(listed.len(), 1, "{error}");
        assert!(
            listed[0].1.starts_with("unknown variant `bogus`"),
            "{error}"
        );
        // A one-field struct given an array: the wrong kind, in a user's words.
        let mut doc = example();
        doc["fargate"]["https"] = json!([]);
        let (error, listed) = errors(&doc);
        assert_eq!(paths(&listed), ["fargate.https"], "{error}");
        assert_eq!(listed[0].1, crate::shape::ARRAY_FOR_OBJECT, "{error}");
    }

    /// A text far longer than a plan is not read again and again: past the budget, the
    /// first error is named alone.
    #[test]
    fn a_text_over_the_budget_names_its_first_error() {
        let mut doc = example();
        for i in 0..3 {
            doc["fargate"][format!("extra_{i}")] = json!("x".repeat(super::READ_BUDGET / 2));
        }
        let (error, listed) = errors(&doc);
        assert_eq!(paths(&listed), ["fargate.extra_0"]);
        assert!(matches!(error, ParseError::Invalid { cut: false, .. }));
        // Under it, all three.
        let mut doc = example();
        for i in 0..3 {
            doc["fargate"][format!("extra_{i}")] = json!("x".repeat(super::READ_BUDGET / 8));
        }
        let (_, listed) = errors(&doc);
        assert_eq!(listed.len(), 3);
    }

    /// A word field (a region, an instance class) given a number, `null` or an object is an
    /// error of that field, and the reading goes on past it; so is a value of the wrong kind
    /// where an enum with data is read (`lambda.authorizer`).
    #[test]
    fn a_value_of_the_wrong_kind_is_its_fields_error() {
        let mut doc = example();
        doc["fargate"]["max_tasks"] = json!("x");
        doc["fargate"]["cpu_architecture"] = json!(5);
        doc["fargate"]["database"]["instance_class"] = Value::Null;
        doc["fargate"]["cache"]["nodes"] = json!("y");
        doc["fargate"]["nat_gateways"] = json!({"single": null});
        doc["fargate"]["alarm_email"] = json!(3);
        let (error, listed) = errors(&doc);
        assert_eq!(
            paths(&listed),
            [
                "fargate.cpu_architecture",
                "fargate.max_tasks",
                "fargate.nat_gateways",
                "fargate.database.instance_class",
                "fargate.cache.nodes",
                "fargate.alarm_email"
            ],
            "{error}"
        );
        assert!(
            listed[0]
                .1
                .starts_with("invalid type: integer `5`, expected `x86_64` or `arm64` at line "),
            "{error}"
        );
        assert!(
            listed[2]
                .1
                .starts_with("invalid type: map, expected `single` or `per_az`"),
            "{error}"
        );
        assert!(
            listed[3]
                .1
                .starts_with("invalid type: null, expected one of `db.t4g.micro`"),
            "{error}"
        );
        let mut doc: Value =
            serde_json::from_str(&crate::examples::lambda().to_json_pretty()).unwrap();
        doc["region"] = Value::Null;
        doc["lambda"]["authorizer"] = json!(5);
        let (error, listed) = errors(&doc);
        assert_eq!(paths(&listed), ["region", "lambda.authorizer"], "{error}");
        assert_eq!(
            listed[1].1,
            "invalid value: expected a name (a string), or an object with one name as its only key",
            "{error}"
        );
        // Alone, first, and placed in the text.
        doc["region"] = json!("us-east-1");
        let (error, listed) = errors(&doc);
        assert_eq!(paths(&listed), ["lambda.authorizer"], "{error}");
        assert!(
            listed[0]
                .1
                .starts_with("invalid value: expected a name (a string), or an object with one name as its only key at line "),
            "{error}"
        );
    }

    #[test]
    fn a_plan_with_one_error_names_one() {
        let mut doc = example();
        doc["fargate"]["desired_tasks"] = json!(2.5);
        let (error, listed) = errors(&doc);
        assert_eq!(paths(&listed), ["fargate.desired_tasks"], "{error}");
        assert_eq!(error.to_string().lines().count(), 1);
    }
}
