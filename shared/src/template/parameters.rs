//! A stack parameter's rules as its template states them (`MinLength`, `MaxLength`,
//! `AllowedValues`, `AllowedPattern`), held as CloudFormation holds them: the server checks a
//! deploy's parameters with them before anything reaches AWS, and the browser checks a value
//! as it is typed, in the same words. The core carries no regex engine: the caller matches the
//! pattern with its own (the server's `regex` crate, the browser's `RegExp`).

use super::Node;

/// Why `value` breaks the rules of `spec` (a template's `Parameters` entry), if it does.
/// `matches(pattern, value)` says whether `value` matches `pattern`, which is anchored here at
/// both ends (CloudFormation matches the whole value), or `None` if it cannot read it.
pub fn problem(
    spec: &Node,
    value: &str,
    matches: impl FnOnce(&str, &str) -> Option<bool>,
) -> Option<String> {
    let length = value.chars().count();
    if let Some(min) = spec["MinLength"].as_u64()
        && (length as u64) < min
    {
        return Some(format!("must be at least {min} characters long"));
    }
    if let Some(max) = spec["MaxLength"].as_u64()
        && (length as u64) > max
    {
        return Some(format!("must be at most {max} characters long"));
    }
    if let Some(allowed) = spec["AllowedValues"].as_array()
        && !allowed.iter().any(|a| a.as_str() == Some(value))
    {
        let list: Vec<&str> = allowed.iter().filter_map(Node::as_str).collect();
        return Some(format!("must be one of {}", list.join(", ")));
    }
    let pattern = spec["AllowedPattern"].as_str()?;
    match matches(&format!("^(?:{pattern})$"), value) {
        Some(true) => None,
        // The template's words for the rule (its `ConstraintDescription`), else the pattern.
        Some(false) => Some(spec["ConstraintDescription"].as_str().map_or_else(
            || format!("must match {pattern}"),
            |words| format!("must be {words}"),
        )),
        None => Some(format!("the template's pattern {pattern} cannot be read")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(value: serde_json::Value) -> Node {
        Node::from(value)
    }

    /// Lengths and listed values are the core's own checks: no pattern is matched for them.
    #[test]
    fn lengths_and_allowed_values_are_checked_without_a_pattern() {
        let s = spec(serde_json::json!({ "AllowedValues": ["a", "b"], "MaxLength": 1 }));
        let unused = |_: &str, _: &str| -> Option<bool> { panic!("no pattern to match") };
        assert_eq!(problem(&s, "a", unused), None);
        assert_eq!(
            problem(&s, "c", unused).as_deref(),
            Some("must be one of a, b")
        );
        assert_eq!(
            problem(&s, "ab", unused).as_deref(),
            Some("must be at most 1 characters long")
        );
        let min = spec(serde_json::json!({ "MinLength": 2 }));
        assert_eq!(
            problem(&min, "é", unused).as_deref(),
            Some("must be at least 2 characters long"),
            "characters, not bytes"
        );
    }

    /// The pattern is matched whole, and a miss is said in the template's words when it has
    /// them: the matcher is told the anchored pattern, and its answer decides.
    #[test]
    fn a_pattern_is_matched_whole_and_a_miss_is_said_in_the_templates_words() {
        let s = spec(serde_json::json!({
            "AllowedPattern": "[0-9]+|x",
            "ConstraintDescription": "digits, or x"
        }));
        let mut asked = Vec::new();
        let mut answer = |said: Option<bool>| {
            problem(&s, "42", |pattern, value| {
                asked.push((pattern.to_string(), value.to_string()));
                said
            })
        };
        assert_eq!(answer(Some(true)), None);
        assert_eq!(answer(Some(false)).as_deref(), Some("must be digits, or x"));
        assert_eq!(
            answer(None).as_deref(),
            Some("the template's pattern [0-9]+|x cannot be read")
        );
        assert_eq!(asked[0], ("^(?:[0-9]+|x)$".to_string(), "42".to_string()));
        let bare = spec(serde_json::json!({ "AllowedPattern": "[a-z]" }));
        assert_eq!(
            problem(&bare, "A", |_, _| Some(false)).as_deref(),
            Some("must match [a-z]")
        );
        assert_eq!(
            problem(&spec(serde_json::json!({})), "anything", |_, _| Some(false)),
            None
        );
    }
}
