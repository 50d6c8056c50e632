//! References inside a template: `Ref`, `Fn::GetAtt` and the `${…}` of `Fn::Sub`.
//!
//! The property tests use it to prove that every reference resolves; the topology uses it for
//! the edges between resources.

use std::collections::BTreeSet;

use super::Node;

use super::Template;

/// How one place of the template points at a name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RefKind {
    Ref,
    GetAtt(String),
    Sub(Option<String>),
}

/// A reference found at some place of the template.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reference {
    /// The logical id (or parameter, or pseudo parameter) referred to.
    pub target: String,
    pub kind: RefKind,
}

/// Every reference inside `value`, in document order. Names bound by a `Fn::Sub` variable map
/// are not references to the template.
pub fn references(value: &Node) -> Vec<Reference> {
    let mut out = Vec::new();
    walk(value, &mut out);
    out
}

fn walk(value: &Node, out: &mut Vec<Reference>) {
    match value {
        Node::Array(items) => items.iter().for_each(|v| walk(v, out)),
        Node::Object(map) => {
            if map.len() == 1 {
                let (key, arg) = map.iter().next().expect("one entry");
                match (key, arg) {
                    ("Ref", Node::String(target)) => {
                        out.push(Reference {
                            target: target.to_string(),
                            kind: RefKind::Ref,
                        });
                        return;
                    }
                    ("Fn::GetAtt", Node::Array(parts)) if parts.len() == 2 => {
                        if let (Some(id), Some(attr)) = (parts[0].as_str(), parts[1].as_str()) {
                            out.push(Reference {
                                target: id.into(),
                                kind: RefKind::GetAtt(attr.into()),
                            });
                            return;
                        }
                    }
                    ("Fn::Sub", Node::String(text)) => {
                        sub_refs(text, &BTreeSet::new(), out);
                        return;
                    }
                    ("Fn::Sub", Node::Array(parts)) if parts.len() == 2 => {
                        if let (Some(text), Some(vars)) = (parts[0].as_str(), parts[1].as_object())
                        {
                            // Inserted one by one: `collect` sorts first (see `crate::sort`).
                            let mut local = BTreeSet::new();
                            for k in vars.keys() {
                                local.insert(k);
                            }
                            sub_refs(text, &local, out);
                            vars.values().for_each(|v| walk(v, out));
                            return;
                        }
                    }
                    _ => {}
                }
            }
            map.values().for_each(|v| walk(v, out));
        }
        _ => {}
    }
}

fn sub_refs(text: &str, local: &BTreeSet<&str>, out: &mut Vec<Reference>) {
    let mut rest = text;
    // `find('$')`, not `find("${")`: a string pattern builds a searcher on every call.
    while let Some(start) = rest.find('$') {
        if rest.as_bytes().get(start + 1) != Some(&b'{') {
            rest = &rest[start + 1..];
            continue;
        }
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        rest = &after[end + 1..];
        if name.starts_with('!') || local.contains(name) {
            continue;
        }
        let (target, attr) = match name.split_once('.') {
            Some((id, attr)) => (id, Some(attr.to_string())),
            None => (name, None),
        };
        out.push(Reference {
            target: target.to_string(),
            kind: RefKind::Sub(attr),
        });
    }
}

/// Pseudo parameters CloudFormation always defines.
pub const PSEUDO_PARAMETERS: [&str; 8] = [
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// References that point at nothing: each as `"<place>: <target>"`. GetAtt and dotted Sub
/// targets must be resources; Ref and plain Sub targets may also be parameters.
pub fn dangling(template: &Template) -> Vec<String> {
    let doc = template.tree();
    let resources = template.resources();
    let parameters = doc.get("Parameters").and_then(Node::as_object);
    let conditions = doc.get("Conditions").and_then(Node::as_object);
    let is_parameter = |name: &str| {
        PSEUDO_PARAMETERS.contains(&name) || parameters.is_some_and(|p| p.contains_key(name))
    };
    let mut problems = Vec::new();
    let mut check_section = |place: &str, value: &Node| {
        for reference in references(value) {
            let ok = match &reference.kind {
                RefKind::Ref | RefKind::Sub(None) => {
                    resources.contains_key(&reference.target) || is_parameter(&reference.target)
                }
                RefKind::GetAtt(_) | RefKind::Sub(Some(_)) => {
                    resources.contains_key(&reference.target)
                }
            };
            if !ok {
                problems.push(format!(
                    "{place}: {:?} {}",
                    reference.kind, reference.target
                ));
            }
        }
    };
    for (id, resource) in resources {
        check_section(&format!("Resources.{id}"), resource);
    }
    if let Some(outputs) = doc.get("Outputs") {
        check_section("Outputs", outputs);
    }
    // Conditions named by resources and Fn::If must exist.
    let mut named = Vec::new();
    collect_conditions(doc, &mut named);
    for name in named {
        if !conditions.is_some_and(|c| c.contains_key(&name)) {
            problems.push(format!("condition {name} is not defined"));
        }
    }
    // DependsOn targets must be resources.
    for (id, resource) in resources {
        let deps = match resource.get("DependsOn") {
            Some(Node::String(s)) => vec![&**s],
            Some(Node::Array(a)) => a.iter().filter_map(Node::as_str).collect(),
            _ => vec![],
        };
        for dep in deps {
            if !resources.contains_key(dep) {
                problems.push(format!("Resources.{id}: DependsOn {dep}"));
            }
        }
    }
    problems
}

fn collect_conditions(value: &Node, out: &mut Vec<String>) {
    match value {
        Node::Array(items) => items.iter().for_each(|v| collect_conditions(v, out)),
        Node::Object(map) => {
            for (key, v) in map {
                match (key, v) {
                    ("Fn::If", Node::Array(parts)) => {
                        if let Some(name) = parts.first().and_then(Node::as_str) {
                            out.push(name.to_string());
                        }
                    }
                    ("Condition", Node::String(name)) => out.push(name.to_string()),
                    _ => {}
                }
                collect_conditions(v, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_refs_getatts_and_sub_names() {
        let v = json!({
            "A": {"Ref": "Vpc"},
            "B": {"Fn::GetAtt": ["Db", "Endpoint.Address"]},
            "C": {"Fn::Sub": "${Bucket.Arn}/* ${AWS::Region} ${!Literal}"},
            "D": {"Fn::Sub": ["${X}-${Y}", {"X": {"Ref": "Param"}}]}
        });
        let found: Vec<(String, RefKind)> = references(&Node::from(v))
            .into_iter()
            .map(|r| (r.target, r.kind))
            .collect();
        assert_eq!(
            found,
            vec![
                ("Vpc".into(), RefKind::Ref),
                ("Db".into(), RefKind::GetAtt("Endpoint.Address".into())),
                ("Bucket".into(), RefKind::Sub(Some("Arn".into()))),
                ("AWS::Region".into(), RefKind::Sub(None)),
                ("Y".into(), RefKind::Sub(None)),
                ("Param".into(), RefKind::Ref),
            ]
        );
    }
}
