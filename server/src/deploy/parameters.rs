//! The stack parameters a deploy request may give: only those the generated template declares,
//! never the ones the server sets itself, each held to the template's own rules
//! (`AllowedPattern`, `AllowedValues`, `MinLength`, `MaxLength`) as CloudFormation would hold
//! it, so a bad value is a 422 with its field path before anything reaches AWS.

use std::collections::BTreeMap;

use shared::api::PlanProblem;
use shared::template::{self, Node};

/// Parameters the server sets: a request may not.
pub const SERVER_OWNED: [&str; 2] = [
    template::BOUNDARY_PARAMETER,
    template::IMAGE_READY_PARAMETER,
];

/// The request's parameters, checked against `template`; every problem at once.
pub fn check(
    template: &Node,
    given: &BTreeMap<String, String>,
) -> Result<Vec<(String, String)>, Vec<PlanProblem>> {
    let declared = template["Parameters"].as_object();
    let mut problems = Vec::new();
    for (name, value) in given {
        let path = format!("parameters.{name}");
        let mut problem = |message: String| {
            problems.push(PlanProblem {
                path: path.clone(),
                message,
            })
        };
        if SERVER_OWNED.contains(&name.as_str()) {
            problem(format!("{name} is set by the server, not by the request"));
            continue;
        }
        let Some(spec) = declared.and_then(|d| d.get(name)) else {
            let known: Vec<&str> = declared
                .into_iter()
                .flat_map(|d| d.keys())
                .filter(|k| !SERVER_OWNED.contains(k))
                .collect();
            problem(if known.is_empty() {
                format!("the plan's template has no parameter {name}; it takes none")
            } else {
                format!(
                    "the plan's template has no parameter {name}; it takes {}",
                    known.join(", ")
                )
            });
            continue;
        };
        if let Some(message) = breaks(spec, value) {
            problem(message);
        }
    }
    if problems.is_empty() {
        Ok(given.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    } else {
        Err(problems)
    }
}

/// The value a stack gets for `name`: the request's, or the template's default.
pub fn value<'a>(template: &'a Node, given: &'a [(String, String)], name: &str) -> Option<&'a str> {
    given
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .or_else(|| template["Parameters"][name]["Default"].as_str())
}

/// The parameter naming the bucket a zip function's code comes from.
pub const CODE_BUCKET_PARAMETER: &str = "CodeS3Bucket";

/// The parameter naming the zip in the code bucket.
pub const CODE_KEY_PARAMETER: &str = "CodeS3Key";

/// A code key the request gives (`key_given`) while the stack gets no code bucket: the
/// function would run the placeholder handler, and the key would be silently unused.
pub fn key_without_bucket(
    template: &Node,
    parameters: &[(String, String)],
    key_given: bool,
) -> Option<PlanProblem> {
    let bucket = value(template, parameters, CODE_BUCKET_PARAMETER)?;
    (key_given && bucket.is_empty()).then(|| PlanProblem {
        path: format!("parameters.{CODE_BUCKET_PARAMETER}"),
        message: format!(
            "is needed with a code key ({CODE_KEY_PARAMETER}): name the bucket that holds the zip; without one the function runs the placeholder handler"
        ),
    })
}

/// A code bucket that is another stack's: every stack's code bucket is `stackplan-code-…`, and
/// the execution role may read it, so a request naming another stack's would run (and expose
/// through its own function) code uploaded for that stack. A stack runs code from its own code
/// bucket (`own`: the name its template gives it from the stack's id, when it has one) or from
/// a bucket of the user's. A tenant of a shared server (`tenant`: its tokens file entry's
/// `code_buckets`) names only its own stack's or one its entry lists: the execution role can
/// read every bucket of the account, another tenant's application bucket included.
pub fn foreign_code_bucket(
    template: &Node,
    parameters: &[(String, String)],
    own: Option<&str>,
    tenant: Option<&[String]>,
) -> Option<PlanProblem> {
    let bucket = value(template, parameters, CODE_BUCKET_PARAMETER)?;
    if let Some(listed) = tenant
        && !bucket.is_empty()
        && Some(bucket) != own
        && !listed.iter().any(|b| b == bucket)
    {
        return Some(PlanProblem {
            path: format!("parameters.{CODE_BUCKET_PARAMETER}"),
            message: format!(
                "is not a bucket this token may run code from: its stack's own code bucket{} (where Upload code puts it), or one its entry of the server's tokens file lists in `code_buckets`",
                own.map(|o| format!(", {o},")).unwrap_or_default()
            ),
        });
    }
    (bucket.starts_with(template::CODE_BUCKET_PREFIX) && Some(bucket) != own).then(|| PlanProblem {
        path: format!("parameters.{CODE_BUCKET_PARAMETER}"),
        message: match own {
            Some(own) => format!(
                "is another stack's code bucket: this stack runs code from its own ({own}, where Upload code puts it) or from a bucket of yours"
            ),
            None => "is a Stackplan stack's code bucket, and this stack has none yet: deploy it, then upload its code, or name a bucket of yours".into(),
        },
    })
}

/// Why `value` breaks the parameter's rules, if it does: the core's check (the browser's too),
/// with the `regex` crate matching the pattern.
fn breaks(spec: &Node, value: &str) -> Option<String> {
    template::parameters::problem(spec, value, |pattern, value| {
        regex::Regex::new(pattern).ok().map(|re| re.is_match(value))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::{ValidPlan, examples};

    fn given(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn template_of(plan: shared::Plan) -> Node {
        template::generate(&ValidPlan::new(plan).unwrap())
            .tree()
            .clone()
    }

    #[test]
    fn only_the_stacks_own_code_bucket_of_stackplans_may_hold_its_code() {
        let t = template_of(examples::lambda());
        let own = "stackplan-code-0f1e2d3c-aaaa-bbbb-cccc-1234567890ab";
        let other = "stackplan-code-99999999-aaaa-bbbb-cccc-1234567890ab";
        let with = |bucket: &str| vec![(CODE_BUCKET_PARAMETER.to_string(), bucket.to_string())];
        // The placeholder, a bucket of the user's, and the stack's own: fine.
        assert_eq!(foreign_code_bucket(&t, &[], Some(own), None), None);
        assert_eq!(
            foreign_code_bucket(&t, &with("cart-artifacts"), None, None),
            None
        );
        assert_eq!(foreign_code_bucket(&t, &with(own), Some(own), None), None);
        // Another stack's: refused at the parameter, whether this stack has a bucket or not.
        for mine in [Some(own), None] {
            let problem = foreign_code_bucket(&t, &with(other), mine, None).expect("refused");
            assert_eq!(problem.path, "parameters.CodeS3Bucket");
        }
        assert!(foreign_code_bucket(&t, &with(own), None, None).is_some());
    }

    /// A tenant of a shared server runs code from its stack's own bucket or the buckets its
    /// tokens file entry lists, and the placeholder; nothing else of the account.
    #[test]
    fn a_tenant_runs_code_from_its_own_or_its_listed_buckets_only() {
        let t = template_of(examples::lambda());
        let own = "stackplan-code-0f1e2d3c-aaaa-bbbb-cccc-1234567890ab";
        let with = |bucket: &str| vec![(CODE_BUCKET_PARAMETER.to_string(), bucket.to_string())];
        let listed = vec!["team-a-artifacts".to_string()];
        let tenant = Some(listed.as_slice());
        assert_eq!(foreign_code_bucket(&t, &[], Some(own), tenant), None);
        assert_eq!(foreign_code_bucket(&t, &with(own), Some(own), tenant), None);
        assert_eq!(
            foreign_code_bucket(&t, &with("team-a-artifacts"), None, tenant),
            None
        );
        let problem = foreign_code_bucket(&t, &with("team-b-appbucket-1x2y"), Some(own), tenant)
            .expect("refused");
        assert_eq!(problem.path, "parameters.CodeS3Bucket");
        assert!(problem.message.contains(own), "{}", problem.message);
        assert!(foreign_code_bucket(&t, &with("team-b-appbucket-1x2y"), None, Some(&[])).is_some());
        // A server of one owner (no tokens file owner): a bucket of the user's, as before.
        assert_eq!(
            foreign_code_bucket(&t, &with("team-b-appbucket-1x2y"), None, None),
            None
        );
    }

    #[test]
    fn a_fargate_template_takes_an_image_tag_of_its_pattern() {
        let t = template_of(examples::fargate());
        assert_eq!(
            check(&t, &given(&[("ImageTag", "v1.2.3")])).unwrap(),
            vec![("ImageTag".to_string(), "v1.2.3".to_string())]
        );
        assert_eq!(value(&t, &[], "ImageTag"), Some("1.0.0"));
        let problems = check(&t, &given(&[("ImageTag", "-bad tag")])).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "parameters.ImageTag");
        // Said in the template's words, not as its pattern.
        assert_eq!(
            problems[0].message,
            "must be an image tag: 1-128 letters, digits, _ . and -, not starting with . or -"
        );
        let long = "a".repeat(129);
        assert!(check(&t, &given(&[("ImageTag", long.as_str())])).is_err());
    }

    #[test]
    fn unknown_and_server_owned_parameters_are_refused_with_their_paths() {
        let t = template_of(examples::fargate());
        let problems = check(
            &t,
            &given(&[
                ("ImageReady", "true"),
                ("PermissionsBoundary", "arn:aws:iam::123456789012:policy/x"),
                ("CodeS3Bucket", "mine"),
            ]),
        )
        .unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "parameters.CodeS3Bucket",
                "parameters.ImageReady",
                "parameters.PermissionsBoundary"
            ]
        );
        assert!(
            problems[0].message.contains("it takes ImageTag"),
            "{problems:?}"
        );
        assert!(problems[1].message.contains("set by the server"));
    }

    #[test]
    fn a_lambda_template_takes_a_code_location() {
        let t = template_of(examples::lambda());
        assert!(
            check(
                &t,
                &given(&[
                    ("CodeS3Bucket", "my-code"),
                    ("CodeS3Key", "builds/api-42.zip")
                ])
            )
            .is_ok()
        );
        let problems = check(
            &t,
            &given(&[("CodeS3Bucket", "My_Bucket"), ("CodeS3Key", "")]),
        )
        .unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(check(&t, &given(&[("ImageTag", "v1")])).is_err());
    }

    #[test]
    fn allowed_values_and_lengths_are_rules_too() {
        let spec = Node::from(serde_json::json!({ "AllowedValues": ["a", "b"], "MaxLength": 1 }));
        assert_eq!(breaks(&spec, "a"), None);
        assert_eq!(breaks(&spec, "c").as_deref(), Some("must be one of a, b"));
        assert_eq!(
            breaks(&spec, "ab").as_deref(),
            Some("must be at most 1 characters long")
        );
        let anchored = Node::from(serde_json::json!({ "AllowedPattern": "[0-9]+" }));
        assert_eq!(breaks(&anchored, "42"), None);
        assert!(
            breaks(&anchored, "42x").is_some(),
            "the whole value must match"
        );
    }
}
