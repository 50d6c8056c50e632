//! What an AWS account lets Stackplan's stacks touch outside themselves, and whether a plan
//! stays within it.
//!
//! A plan may name secrets and SecureString parameters that already exist, and a Route 53
//! hosted zone to write its records in. Those are the account's, not the stack's, so the
//! account's bootstrap (`stackplan bootstrap`) says which: the names under its *settings
//! prefixes* (`stackplan/` unless chosen otherwise) and the hosted zones it lists. IAM enforces
//! that (the permissions boundary of every role a stack creates, and the execution role
//! CloudFormation acts with); the server checks it here first, so a plan that reaches further
//! is refused before anything is created, with the field at fault and the way to allow it.

use crate::environment::{parameter_target, secret_target};
use crate::plan::{Architecture, Plan};

/// The prefix a new bootstrap allows.
pub const DEFAULT_SETTINGS_PREFIX: &str = "stackplan/";

/// Longest settings prefix (a secret name is at most 512 characters).
pub const MAX_PREFIX: usize = 256;

/// The hosted zones an account's bootstrap lets stacks write records in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Zones {
    /// Only these (none at all when empty).
    Only(Vec<String>),
    /// Any zone: the local sandbox, which has no bootstrap and whose zones are made on the fly.
    Any,
}

/// What one account lets Stackplan's stacks use outside themselves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    /// The account (12 digits), when known: a reference by ARN must be in it.
    pub account: Option<String>,
    /// Secrets (by name) and parameters (by name, without its leading `/`) that start with one
    /// of these may be read.
    pub settings_prefixes: Vec<String>,
    pub hosted_zones: Zones,
}

/// Whether `prefix` can be a settings prefix: the characters secret and parameter names share
/// (letters, digits, `/ _ . -`), not starting with `/` (a parameter's ARN drops it), and no
/// wildcard, since IAM would read one as "anything".
pub fn prefix_problem(prefix: &str) -> Option<String> {
    if prefix.is_empty() || prefix.len() > MAX_PREFIX {
        return Some(format!(
            "a settings prefix has 1-{MAX_PREFIX} characters, \"{prefix}\" has {}",
            prefix.len()
        ));
    }
    if prefix.starts_with('/') {
        return Some(format!(
            "\"{prefix}\": write the prefix without its leading / ({}); it then covers the parameter /{} and the secret {}",
            prefix.trim_start_matches('/'),
            prefix.trim_start_matches('/'),
            prefix.trim_start_matches('/')
        ));
    }
    if !prefix
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/_.-".contains(c))
    {
        return Some(format!(
            "\"{prefix}\" is not a settings prefix: letters, digits and / _ . - only (no wildcards)"
        ));
    }
    None
}

/// Every way `plan` reaches beyond `reach`: `(path, message)`, paths as the validator's.
pub fn check(plan: &Plan, reach: &Reach) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let prefixes = || {
        reach
            .settings_prefixes
            .iter()
            .map(|p| format!("\"{p}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let allowed = |name: &str| reach.settings_prefixes.iter().any(|p| name.starts_with(p));
    for (i, v) in plan.environment.iter().enumerate() {
        let (field, target, what) = if let Some(s) = &v.secret {
            ("secret", secret_target(s), "secret")
        } else if let Some(p) = &v.ssm_parameter {
            ("ssm_parameter", parameter_target(p), "parameter")
        } else {
            continue;
        };
        // A malformed reference is the validator's to report.
        let Some((name, account)) = target else {
            continue;
        };
        let path = format!("environment[{i}].{field}");
        if let (Some(theirs), Some(ours)) = (account, &reach.account)
            && theirs != ours
        {
            out.push((
                path,
                format!(
                    "the {what} is in another account ({theirs}); stacks deployed here may read only this account's own {what}s"
                ),
            ));
            continue;
        }
        if !allowed(name) {
            let shown = if what == "parameter" {
                format!("/{name}")
            } else {
                name.to_string()
            };
            out.push((
                path,
                if reach.settings_prefixes.is_empty() {
                    format!(
                        "this account's bootstrap lets stacks read no existing {what}s. To allow some, {}",
                        widen("--settings-prefix PREFIX", "settings_prefixes")
                    )
                } else {
                    format!(
                        "the {what} {shown} is outside the names this account's bootstrap lets stacks read (starting with {}): store it under one of them, or allow its prefix: {}",
                        prefixes(),
                        widen("--settings-prefix PREFIX", "settings_prefixes")
                    )
                },
            ));
        }
    }
    if let (Architecture::Lambda(l), Some(ours)) = (&plan.architecture, &reach.account)
        && let Some(image) = &l.image
        && let Some(theirs) = image.split('.').next()
        && theirs != ours
    {
        out.push((
            "lambda.image".into(),
            format!(
                "the image's repository is in another account ({theirs}); the bootstrap lets functions run only this account's images: replicate the repository here"
            ),
        ));
    }
    if let (Some(d), Zones::Only(zones)) = (&plan.domain, &reach.hosted_zones)
        && !zones.contains(&d.hosted_zone_id)
    {
        out.push((
            "domain.hosted_zone_id".into(),
            format!(
                "this account's bootstrap does not let stacks write records in the hosted zone {}. To allow it, {}",
                d.hosted_zone_id,
                widen(&format!("--hosted-zone-id {}", d.hosted_zone_id), "hosted_zone_ids")
            ),
        ));
    }
    out
}

/// How to allow one more prefix or zone (`flag`): in the bootstrap stack's roles, and in the
/// server's own list, which it checks plans against (`serve`'s flags, or `field` of the tokens
/// file's roles). Every value given before is given again: one left out is taken away.
fn widen(flag: &str, field: &str) -> String {
    format!(
        "run `stackplan bootstrap` again with `{flag}` beside every prefix and zone it allows now (one left out is taken away; `stackplan/` too, if no prefix was ever given), update the bootstrap stack with it, then give `stackplan serve` the same list (its flags, or `{field}` in the tokens file) and restart it"
    )
}

/// What a plan uses that is not its stack's own, as `(path, what it does)`, paths as the
/// validator's: the images it runs, the secrets and parameters it reads, where its alarms and
/// access logs go, whose tokens it accepts, the hosted zone it writes in. A plan someone else
/// wrote (a share link, a plan file) can name any of these, and a deploy acts on them, so the
/// deploy panel lists them, and asks before deploying such a plan.
pub fn uses(plan: &Plan) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match &plan.architecture {
        Architecture::Fargate(f) => {
            if let Some(image) = &f.image {
                out.push(("fargate.image".into(), format!("runs an image of {image}")));
            }
            if let Some(email) = &f.alarm_email {
                out.push((
                    "fargate.alarm_email".into(),
                    format!("sends its alarms to {email}"),
                ));
            }
        }
        Architecture::Lambda(l) => {
            if let Some(image) = &l.image {
                out.push(("lambda.image".into(), format!("runs an image of {image}")));
            }
            if let Some(crate::plan::Authorizer::Jwt(jwt)) = &l.authorizer {
                out.push((
                    "lambda.authorizer.jwt.issuer".into(),
                    format!("lets in callers with tokens from {}", jwt.issuer),
                ));
            }
        }
    }
    for (i, v) in plan.environment.iter().enumerate() {
        // A plain value can point the service elsewhere too (a proxy, a preload, a URL).
        if let Some(value) = &v.value {
            out.push((
                format!("environment[{i}].value"),
                format!("sets {} to {value}", v.name),
            ));
        } else if let Some(secret) = &v.secret {
            out.push((
                format!("environment[{i}].secret"),
                format!("gives the service your secret {secret} as {}", v.name),
            ));
        } else if let Some(parameter) = &v.ssm_parameter {
            out.push((
                format!("environment[{i}].ssm_parameter"),
                format!("gives the service your parameter {parameter} as {}", v.name),
            ));
        }
    }
    if let Some(bucket) = &plan.log_bucket {
        out.push((
            "log_bucket".into(),
            format!("writes its access logs to the bucket {bucket}"),
        ));
    }
    if let Some(d) = &plan.domain {
        out.push((
            "domain.hosted_zone_id".into(),
            format!(
                "writes the records of {} in the hosted zone {}",
                d.name, d.hosted_zone_id
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples;
    use crate::plan::{Domain, EnvVar};

    #[test]
    fn uses_names_everything_outside_the_stack() {
        assert_eq!(
            uses(&examples::fargate()),
            vec![(
                "fargate.alarm_email".to_string(),
                "sends its alarms to ops@example.com".to_string()
            )]
        );
        let mut p = plan(
            &[
                ("secret", "stackplan/shop/stripe"),
                ("ssm_parameter", "/stackplan/db"),
            ],
            Some("Z123"),
        );
        if let Architecture::Fargate(f) = &mut p.architecture {
            f.image = Some("docker.io/someone/app".into());
        }
        p.log_bucket = Some("their-logs".into());
        let paths: Vec<String> = uses(&p).into_iter().map(|(path, _)| path).collect();
        assert_eq!(
            paths,
            [
                "fargate.image",
                "fargate.alarm_email",
                "environment[0].secret",
                "environment[1].ssm_parameter",
                "log_bucket",
                "domain.hosted_zone_id"
            ]
        );
        assert_eq!(uses(&p)[0].1, "runs an image of docker.io/someone/app");
        assert_eq!(
            uses(&p)[2].1,
            "gives the service your secret stackplan/shop/stripe as VAR_0"
        );
        p.environment.push(EnvVar {
            name: "HTTPS_PROXY".into(),
            value: Some("http://proxy.example:3128".into()),
            ..EnvVar::default()
        });
        assert!(uses(&p).contains(&(
            "environment[2].value".to_string(),
            "sets HTTPS_PROXY to http://proxy.example:3128".to_string()
        )));
        let mut l = examples::lambda();
        if let Architecture::Lambda(f) = &mut l.architecture {
            f.authorizer = Some(examples::jwt());
        }
        assert!(
            uses(&l)
                .iter()
                .any(|(path, what)| path == "lambda.authorizer.jwt.issuer"
                    && what.starts_with("lets in callers with tokens from https://"))
        );
    }

    fn reach(prefixes: &[&str], zones: Zones) -> Reach {
        Reach {
            account: Some("111122223333".into()),
            settings_prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
            hosted_zones: zones,
        }
    }

    fn plan(env: &[(&str, &str)], zone: Option<&str>) -> Plan {
        let mut plan = examples::fargate();
        plan.environment = env
            .iter()
            .enumerate()
            .map(|(i, (field, reference))| EnvVar {
                name: format!("VAR_{i}"),
                secret: (*field == "secret").then(|| reference.to_string()),
                ssm_parameter: (*field == "ssm_parameter").then(|| reference.to_string()),
                ..EnvVar::default()
            })
            .collect();
        plan.domain = zone.map(|z| Domain {
            name: "api.example.com".into(),
            hosted_zone_id: z.into(),
        });
        plan
    }

    #[test]
    fn names_under_a_prefix_pass_and_others_are_refused_at_their_path() {
        let cases: &[(&str, &str, bool)] = &[
            ("secret", "stackplan/shop/stripe", true),
            ("secret", "prod/shop/stripe", false),
            ("secret", "stackplanx/shop", false),
            (
                "secret",
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:stackplan/mail-AbCdEf",
                true,
            ),
            (
                "secret",
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/mail-AbCdEf",
                false,
            ),
            (
                "secret",
                "arn:aws:secretsmanager:us-east-1:444455556666:secret:stackplan/mail-AbCdEf",
                false,
            ),
            ("ssm_parameter", "/stackplan/shop/key", true),
            ("ssm_parameter", "stackplan/shop/key", true),
            ("ssm_parameter", "/prod/shop/key", false),
            (
                "ssm_parameter",
                "arn:aws:ssm:us-east-1:111122223333:parameter/stackplan/key",
                true,
            ),
            (
                "ssm_parameter",
                "arn:aws:ssm:us-east-1:444455556666:parameter/stackplan/key",
                false,
            ),
        ];
        let r = reach(&["stackplan/"], Zones::Any);
        for (field, reference, ok) in cases {
            let problems = check(&plan(&[(field, reference)], None), &r);
            if *ok {
                assert_eq!(problems, vec![], "{reference}");
            } else {
                assert_eq!(problems.len(), 1, "{reference}");
                assert_eq!(problems[0].0, format!("environment[0].{field}"));
            }
        }
    }

    #[test]
    fn the_messages_say_how_to_allow_it() {
        let r = reach(&["stackplan/", "shop/"], Zones::Only(vec!["ZAAA".into()]));
        let problems = check(
            &plan(
                &[("secret", "stackplan/ok"), ("ssm_parameter", "/prod/key")],
                Some("ZBBB"),
            ),
            &r,
        );
        assert_eq!(
            problems,
            vec![
                (
                    "environment[1].ssm_parameter".to_string(),
                    "the parameter /prod/key is outside the names this account's bootstrap lets stacks read (starting with \"stackplan/\", \"shop/\"): store it under one of them, or allow its prefix: run `stackplan bootstrap` again with `--settings-prefix PREFIX` beside every prefix and zone it allows now (one left out is taken away; `stackplan/` too, if no prefix was ever given), update the bootstrap stack with it, then give `stackplan serve` the same list (its flags, or `settings_prefixes` in the tokens file) and restart it".to_string()
                ),
                (
                    "domain.hosted_zone_id".to_string(),
                    "this account's bootstrap does not let stacks write records in the hosted zone ZBBB. To allow it, run `stackplan bootstrap` again with `--hosted-zone-id ZBBB` beside every prefix and zone it allows now (one left out is taken away; `stackplan/` too, if no prefix was ever given), update the bootstrap stack with it, then give `stackplan serve` the same list (its flags, or `hosted_zone_ids` in the tokens file) and restart it".to_string()
                )
            ]
        );
    }

    #[test]
    fn zones_are_checked_only_when_the_account_lists_them() {
        let p = plan(&[], Some("ZAAA"));
        assert_eq!(check(&p, &reach(&[], Zones::Any)), vec![]);
        assert_eq!(
            check(&p, &reach(&[], Zones::Only(vec!["ZAAA".into()]))),
            vec![]
        );
        assert_eq!(check(&p, &reach(&[], Zones::Only(vec![]))).len(), 1);
    }

    #[test]
    fn an_account_without_prefixes_reads_no_existing_settings_but_generates_its_own() {
        let mut p = plan(&[("secret", "stackplan/x")], None);
        let problems = check(&p, &reach(&[], Zones::Any));
        assert!(
            problems[0]
                .1
                .contains("lets stacks read no existing secrets")
        );
        p.environment[0] = EnvVar {
            name: "API_KEY".into(),
            generate: true,
            ..EnvVar::default()
        };
        assert_eq!(check(&p, &reach(&[], Zones::Any)), vec![]);
    }

    #[test]
    fn a_function_image_must_be_the_accounts() {
        let mut p = examples::lambda();
        let Architecture::Lambda(l) = &mut p.architecture else {
            unreachable!()
        };
        l.image = Some("111122223333.dkr.ecr.us-east-1.amazonaws.com/api".into());
        let r = reach(&["stackplan/"], Zones::Any);
        assert_eq!(check(&p, &r), vec![]);
        let Architecture::Lambda(l) = &mut p.architecture else {
            unreachable!()
        };
        l.image = Some("444455556666.dkr.ecr.us-east-1.amazonaws.com/api".into());
        let problems = check(&p, &r);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, "lambda.image");
        assert!(problems[0].1.contains("another account (444455556666)"));
    }

    #[test]
    fn prefixes_are_checked() {
        assert_eq!(prefix_problem("stackplan/"), None);
        assert_eq!(prefix_problem("team-a.prod"), None);
        assert!(prefix_problem("").is_some());
        assert!(prefix_problem("prod/*").unwrap().contains("no wildcards"));
        assert!(
            prefix_problem("/prod/")
                .unwrap()
                .contains("without its leading /")
        );
        assert!(prefix_problem(&"a".repeat(MAX_PREFIX + 1)).is_some());
    }
}
