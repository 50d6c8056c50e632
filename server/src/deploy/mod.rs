//! Deployments: the pure rules (this file, [`id`], [`policy`], [`progress`] and [`sandbox`])
//! and the service that drives STS and CloudFormation ([`service`], with [`credentials`],
//! [`operations`], [`values`], [`poller`] and [`errors`]). Nothing here keeps state that CloudFormation
//! does not also hold: a deployment id is the stack ARN (and its change set) signed by the
//! server, so any replica with the same key, before or after a restart, can serve it.

pub mod code;
mod credentials;
pub mod errors;
pub mod id;
pub mod operations;
pub mod parameters;
pub mod policy;
mod poller;
pub mod progress;
pub mod sandbox;
pub mod service;
mod values;

pub use errors::DeployError;

/// The stack tag every stack Stackplan makes carries. Stackplan acts only on stacks that carry
/// it; plans may not set `stackplan:` tags themselves.
pub const MANAGED_TAG: &str = "stackplan:managed";
pub const MANAGED_VALUE: &str = "true";

/// The stack tag naming the tenant (a tokens file's `owner`) whose token made the stack. A
/// token acts only on stacks that name its own owner, or, if it has none, that carry no owner.
pub const OWNER_TAG: &str = "stackplan:owner";

/// The stack tag that proves Stackplan made the stack: a keyed HMAC of its account, region,
/// name, owner and role, and of its creation's time, under the server's id key
/// ([`id::IdKey::stack_proof`]). The managed tag alone
/// can be set by anyone allowed to tag a stack, so the server acts only on stacks that carry
/// this one too, and checks it first.
pub const PROOF_TAG: &str = "stackplan:proof";

/// The resource types Stackplan generates, the registry's: the bootstrap's deployer role
/// refuses a change set that declares another, or none.
pub fn declared_resource_types() -> Vec<String> {
    shared::resources::REGISTRY
        .iter()
        .map(|r| r.name.to_string())
        .collect()
}

/// The resource types a change set declares (`ResourceTypes`; CloudFormation refuses a
/// template with any other): its template's, and for an update the deployed template's too, so
/// that an update removing a type's last resource (or its rollback, which makes it again) may
/// still use that type. Not the whole registry: a bootstrap made before a type was added to it
/// refuses every change set that declares that type, so only the plans that use it need the
/// new bootstrap. An update whose deployed template could not be read (`deployed` is `None`)
/// declares the whole registry.
pub fn change_set_types<'a>(
    template: impl IntoIterator<Item = &'a str>,
    deployed: Option<&[String]>,
    update: bool,
) -> Vec<String> {
    let mut types: std::collections::BTreeSet<String> =
        template.into_iter().map(String::from).collect();
    match (update, deployed) {
        (true, Some(deployed)) => types.extend(deployed.iter().cloned()),
        (true, None) => types.extend(declared_resource_types()),
        (false, _) => {}
    }
    types.into_iter().collect()
}

/// The partitions whose ARNs Stackplan accepts.
pub const PARTITIONS: [&str; 3] = ["aws", "aws-us-gov", "aws-cn"];

/// The parts of a CloudFormation stack ARN
/// (`arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/UUID`). The partition is one of
/// [`PARTITIONS`] and the region one Stackplan plans for: the region becomes the SDK client's
/// region, and so the host a signed request goes to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StackArn {
    pub arn: String,
    pub partition: String,
    pub region: String,
    pub account: String,
    pub name: String,
}

impl StackArn {
    pub fn parse(arn: &str) -> Option<StackArn> {
        let mut parts = arn.splitn(6, ':');
        let (arn_word, partition, service, region, account, resource) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        let ok_prefix = arn_word == "arn"
            && PARTITIONS.contains(&partition)
            && service == "cloudformation"
            && shared::plan::Region::from_code(region).is_some();
        let mut res = resource.split('/');
        let (kind, name, uuid) = (res.next()?, res.next()?, res.next()?);
        let ok = ok_prefix
            && kind == "stack"
            && valid_stack_name(name).is_ok()
            && !uuid.is_empty()
            && uuid.len() <= 64
            && uuid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && res.next().is_none()
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| StackArn {
            arn: arn.to_string(),
            partition: partition.to_string(),
            region: region.to_string(),
            account: account.to_string(),
            name: name.to_string(),
        })
    }
}

/// The repository name of an ECR repository URI (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`),
/// if it is one: ECR's name rule (lower-case letters, digits, `._/-`, at most 256).
pub fn repository_name(uri: &str) -> Option<&str> {
    let (host, name) = uri.split_once('/')?;
    let ok = host.contains(".dkr.ecr.")
        && !name.is_empty()
        && name.len() <= 256
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._/-".contains(&b));
    ok.then_some(name)
}

/// The names Stackplan gives its change sets (`stackplan-` and 16 hex digits).
pub fn valid_change_set_name(name: &str) -> bool {
    name.strip_prefix("stackplan-")
        .is_some_and(|d| d.len() == 16 && d.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether a change set's ARN (`arn:…:changeSet/NAME/uuid`) or name is one Stackplan named.
pub fn is_stackplans(change_set: &str) -> bool {
    let name = change_set
        .split_once(":changeSet/")
        .map_or(change_set, |(_, rest)| rest.split('/').next().unwrap_or(""));
    valid_change_set_name(name)
}

/// CloudFormation's rule for stack names: a letter, then letters, digits and hyphens, at most 128.
pub fn valid_stack_name(name: &str) -> Result<(), String> {
    shared::api::stack_name_problem(name).map_or(Ok(()), Err)
}

/// Why `endpoint` is not the address of a sandbox (`--aws-endpoint`), if it is not: an
/// `http://` or `https://` URL with a host (and a port), and no credentials, which every answer
/// naming the sandbox and every log line would then carry. The refusal never repeats it.
pub fn endpoint_problem(endpoint: &str) -> Option<&'static str> {
    let Ok(url) = url::Url::parse(endpoint) else {
        return Some("it is not a URL (http://127.0.0.1:5000)");
    };
    if !matches!(url.scheme(), "http" | "https") {
        Some("it is not an http:// or https:// URL")
    } else if !url.username().is_empty() || url.password().is_some() {
        Some("it holds credentials (user:password@): give the address alone")
    } else if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        // A path or query could carry a token, and the address is shown to every page.
        Some(
            "it holds more than an address (a path, query or fragment): give scheme://host:port alone",
        )
    } else {
        None
    }
}

/// An IAM role ARN: `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`.
pub fn valid_role_arn(arn: &str) -> bool {
    let Some(rest) = PARTITIONS
        .iter()
        .find_map(|p| arn.strip_prefix(&format!("arn:{p}:iam::")))
    else {
        return false;
    };
    let Some((account, role)) = rest.split_once(":role/") else {
        return false;
    };
    account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !role.is_empty()
        && role.len() <= 512
        && role
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b))
}

/// The account of a role ARN.
pub fn role_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| a.len() == 12)
}

/// The partition of an ARN.
pub fn arn_partition(arn: &str) -> Option<&str> {
    arn.split(':').nth(1).filter(|p| PARTITIONS.contains(p))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    #[error("\"{0}\" is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")]
    Malformed(String),
    #[error("the role {0} is not one this token may deploy with")]
    NotAllowed(String),
    #[error("no deploy role is configured: start the server with --role-arn")]
    NoneConfigured,
}

/// The STS session name: names the deployment (`stackplan-<stack>`), within STS's 64 characters.
pub fn session_name(stack_name: &str) -> String {
    let mut name = format!("stackplan-{stack_name}");
    name.truncate(64);
    name
}

/// FNV-1a, 64 bits: a stable digest for idempotency tokens (the same on every replica and
/// across releases, unlike `std`'s hasher).
pub fn digest(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0u8]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// The change-set name and ClientRequestToken for a request: the same request (stack, template,
/// role, parameters, and the token's owner) always gives the same ones, so a retried POST finds
/// the change set it already made (and two tenants' identical requests never share one)
/// instead of making a second. Keyed by the server's id key: a name anyone could compute from
/// the plan would let someone who may create change sets plant one of their own under it,
/// which the server would then find and run as its own.
pub fn change_set_name(
    key: &id::IdKey,
    stack_name: &str,
    template: &str,
    role: &str,
    parameters: &[(String, String)],
    owner: Option<&str>,
    changed_at: Option<&str>,
) -> String {
    let parameters: String = parameters
        .iter()
        .map(|(k, v)| format!("{k}={v}\n"))
        .collect();
    let mut parts = vec![stack_name, template, role, &parameters];
    parts.extend(owner);
    // The stack as it is now: the same request after an update ran (or failed and rolled
    // back) is a new one, with a change set of its own, not the executed one found again.
    let changed = changed_at.map(|t| format!("changed at {t}"));
    parts.extend(changed.as_deref());
    format!("stackplan-{}", key.change_set_digest(&parts))
}

/// The most names a delete may be asked to keep, or a rollback to skip (the API's schema says
/// so too).
pub const MAX_PICKED: usize = 200;

/// Resources a request picks among what a failed operation left stuck: a delete's leftovers
/// to keep (`RetainResources`), or a failed rollback's to skip (`ResourcesToSkip`).
/// CloudFormation takes either only from a stack in one state, and only names its own events
/// give; anything else is refused, at its path.
pub struct Pick {
    /// The request's field: `keep`, `skip`.
    pub field: &'static str,
    /// The stack's status that allows it.
    pub status: &'static str,
    /// What the operation could not do: "the delete could not delete".
    pub stuck: &'static str,
    /// Said to a stack in another status.
    pub otherwise: &'static str,
    /// Whether naming nothing is a request (a rollback continued without skipping any).
    pub none_ok: bool,
    /// What is stuck, from the events of the stack's current operation.
    pub finder: fn(&[crate::aws::cloudformation::StackEvent]) -> Vec<progress::Failure>,
    /// The refusal of names that are not stuck, at their paths.
    pub invalid: fn(Vec<shared::api::PlanProblem>) -> errors::DeployError,
}

/// A delete that keeps what its failed delete left.
pub const KEEP: Pick = Pick {
    field: "keep",
    status: "DELETE_FAILED",
    stuck: "the delete could not delete",
    otherwise: "only a stack whose delete failed keeps resources this way; delete it as usual",
    none_ok: false,
    finder: progress::failed_to_delete,
    invalid: errors::DeployError::InvalidKeep,
};

/// A failed update rollback, continued skipping what it could not roll back.
pub const SKIP: Pick = Pick {
    field: "skip",
    status: "UPDATE_ROLLBACK_FAILED",
    stuck: "the rollback could not roll back",
    otherwise: "only a stack whose update rollback failed continues it",
    none_ok: true,
    finder: progress::failed_to_roll_back,
    invalid: errors::DeployError::InvalidSkip,
};

impl Pick {
    /// Whether the stack `name`, in `status`, is in the one state this request needs (a state
    /// conflict, 409, not a wrong name).
    pub fn in_state(&self, name: &str, status: &str) -> Result<(), errors::DeployError> {
        if status == self.status {
            Ok(())
        } else {
            Err(errors::DeployError::WrongState {
                name: name.to_string(),
                status: status.to_string(),
                needs: self.otherwise,
            })
        }
    }

    /// Whether `asked` could name a template's resources at all: at most [`MAX_PICKED`] names,
    /// each a logical id (1-255 letters and digits). Checked before the stack's state, so a
    /// request that could never be right is said to be so whatever the stack is doing.
    pub fn well_formed(
        &self,
        asked: &[shared::api::LogicalId],
    ) -> Result<(), Vec<shared::api::PlanProblem>> {
        let field = self.field;
        if asked.len() > MAX_PICKED {
            return Err(vec![shared::api::PlanProblem {
                path: field.into(),
                message: format!(
                    "at most {MAX_PICKED} names (a template has at most 500 resources)"
                ),
            }]);
        }
        let problems: Vec<_> = asked
            .iter()
            .enumerate()
            .filter(|(_, id)| {
                !(1..=255).contains(&id.0.len()) || !id.0.bytes().all(|b| b.is_ascii_alphanumeric())
            })
            .map(|(i, id)| shared::api::PlanProblem {
                path: format!("{field}[{i}]"),
                message: format!(
                    "{:?} is not a logical id: 1-255 letters and digits, as the stack's events name its resources",
                    id.0.chars().take(64).collect::<String>()
                ),
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// What a stack in the needed state (`in_state`, checked first) is asked to act on, from
    /// `asked`: those of `stuck` (what the failed operation left) it names, each once, in
    /// `stuck`'s order.
    pub fn among(
        &self,
        asked: &[shared::api::LogicalId],
        stuck: &[String],
    ) -> Result<Vec<String>, Vec<shared::api::PlanProblem>> {
        let field = self.field;
        let problem = |path: String, message: String| shared::api::PlanProblem { path, message };
        if asked.is_empty() && !self.none_ok {
            return Err(vec![problem(
                field.into(),
                format!("name what to {field}: {} {}", self.stuck, stuck.join(", ")),
            )]);
        }
        // The list of what may be named is said once, with the first name that is not on it.
        let mut listed = false;
        let problems: Vec<_> = asked
            .iter()
            .enumerate()
            .filter(|(_, id)| !stuck.contains(&id.0))
            .map(|(i, id)| {
                let name: String = id.0.chars().take(64).collect();
                let message = if std::mem::replace(&mut listed, true) {
                    format!("{name:?} is not one of them either")
                } else if stuck.is_empty() {
                    format!(
                        "{name:?} is not one {}: every failure was another's",
                        self.stuck
                    )
                } else {
                    format!(
                        "{name:?} is not one {} (those are {})",
                        self.stuck,
                        stuck.join(", ")
                    )
                };
                problem(format!("{field}[{i}]"), message)
            })
            .collect();
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(stuck
            .iter()
            .filter(|f| asked.iter().any(|k| k.0 == **f))
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use shared::api::LogicalId;

    /// A delete keeps only what its stack's failed delete left, and says at which path a name
    /// is wrong.
    #[test]
    fn a_delete_keeps_only_what_the_failed_delete_left() {
        let ids = |names: &[&str]| -> Vec<LogicalId> {
            names.iter().map(|n| LogicalId(n.to_string())).collect()
        };
        let failed = ["Database".to_string(), "LoadBalancer".to_string()];
        assert_eq!(
            super::KEEP.among(&ids(&["LoadBalancer", "Database", "Database"]), &failed),
            Ok(failed.to_vec())
        );
        assert_eq!(
            super::KEEP.among(&ids(&["Database"]), &failed),
            Ok(vec!["Database".to_string()])
        );
        let wrong = super::KEEP
            .among(&ids(&["Database", "Bucket"]), &failed)
            .unwrap_err();
        assert_eq!(
            wrong.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(),
            ["keep[1]"]
        );
        assert!(
            wrong[0]
                .message
                .ends_with("(those are Database, LoadBalancer)"),
            "{wrong:?}"
        );
        let both = super::KEEP
            .among(&ids(&["Bucket", "Logs"]), &failed)
            .unwrap_err();
        assert_eq!(both[1].message, "\"Logs\" is not one of them either");
        let many = ids(&vec!["Database"; super::MAX_PICKED + 1]);
        assert_eq!(super::KEEP.well_formed(&many).unwrap_err()[0].path, "keep");
        assert_eq!(super::KEEP.well_formed(&many[1..]), Ok(()));
        // A name that is no logical id is said so at its place, whatever the stack's state.
        let odd = super::SKIP
            .well_formed(&ids(&["Service", "a-b", "", &"A".repeat(256)]))
            .unwrap_err();
        assert_eq!(
            odd.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(),
            ["skip[1]", "skip[2]", "skip[3]"]
        );
        assert!(
            odd[0].message.starts_with("\"a-b\" is not a logical id"),
            "{odd:?}"
        );
        // Another state is a conflict, said with what the request needs.
        let settled = super::KEEP
            .in_state("shop", "UPDATE_COMPLETE")
            .unwrap_err()
            .to_string();
        assert!(
            settled
                .starts_with("the stack shop is UPDATE_COMPLETE: only a stack whose delete failed"),
            "{settled}"
        );
        assert!(super::KEEP.in_state("shop", "DELETE_FAILED").is_ok());
        assert_eq!(super::KEEP.among(&[], &failed).unwrap_err()[0].path, "keep");
        // A failed rollback may be continued skipping nothing, or only what it could not roll
        // back.
        let stuck = ["Service".to_string()];
        assert_eq!(super::SKIP.among(&[], &stuck), Ok(vec![]));
        assert_eq!(
            super::SKIP.among(&ids(&["Database"]), &stuck).unwrap_err()[0].path,
            "skip[0]"
        );
        assert!(super::SKIP.in_state("shop", "DELETE_FAILED").is_err());
    }

    /// A new stack declares its template's types; an update adds the deployed template's
    /// (a type whose last resource it removes); an update whose deployed template is unknown
    /// declares every type Stackplan generates.
    #[test]
    fn change_sets_declare_their_templates_types_and_the_deployed_ones() {
        let template = [
            "AWS::S3::Bucket",
            "AWS::Lambda::Function",
            "AWS::S3::Bucket",
        ];
        let deployed = vec![
            "AWS::SNS::Subscription".to_string(),
            "AWS::S3::Bucket".to_string(),
        ];
        assert_eq!(
            super::change_set_types(template, Some(&deployed), false),
            ["AWS::Lambda::Function", "AWS::S3::Bucket"]
        );
        assert_eq!(
            super::change_set_types(template, Some(&deployed), true),
            [
                "AWS::Lambda::Function",
                "AWS::S3::Bucket",
                "AWS::SNS::Subscription"
            ]
        );
        let unknown = super::change_set_types(template, None, true);
        let registry = super::declared_resource_types();
        assert_eq!(unknown.len(), registry.len());
        assert!(registry.iter().all(|t| unknown.contains(t)));
    }

    use super::*;

    const ARN: &str = "arn:aws:cloudformation:eu-west-1:123456789012:stack/shop-fargate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab";

    #[test]
    fn stack_arns_are_parsed_strictly() {
        let arn = StackArn::parse(ARN).unwrap();
        assert_eq!(
            (
                arn.partition.as_str(),
                arn.region.as_str(),
                arn.account.as_str(),
                arn.name.as_str()
            ),
            ("aws", "eu-west-1", "123456789012", "shop-fargate")
        );
        for bad in [
            "",
            "arn:aws:s3:::bucket",
            &ARN.replace("stack/", "changeSet/"),
            // A partition or region that is not one Stackplan knows: the region would become
            // the host of a signed request.
            &ARN.replace("arn:aws:", "arn:aws-evil:"),
            &ARN.replace("eu-west-1", "evil.example.com#"),
            &ARN.replace("eu-west-1", "sa-east-1"),
            &ARN.replace("123456789012", "12345"),
            &format!("{ARN}/extra"),
        ] {
            assert_eq!(StackArn::parse(bad), None, "{bad}");
        }
        assert!(StackArn::parse(&ARN.replace("arn:aws:", "arn:aws-us-gov:")).is_some());
    }

    #[test]
    fn repository_names_come_from_ecr_uris_only() {
        assert_eq!(
            repository_name("111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop-repository-1a2b"),
            Some("shop-repository-1a2b")
        );
        for bad in [
            "",
            "shop",
            "public.ecr.aws/nginx/nginx",
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/",
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/Shop",
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/a b",
        ] {
            assert_eq!(repository_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn change_set_names_are_stackplans_own() {
        assert!(valid_change_set_name("stackplan-0123456789abcdef"));
        assert!(is_stackplans(
            "arn:aws:cloudformation:us-east-1:123456789012:changeSet/stackplan-0123456789abcdef/4c7d1b0e-1111-2222-3333-444455556666"
        ));
        assert!(!is_stackplans(
            "arn:aws:cloudformation:us-east-1:123456789012:changeSet/console-update/4c7d1b0e-1111-2222-3333-444455556666"
        ));
        for bad in ["stackplan-", "stackplan-xyz", "other-0123456789abcdef", ""] {
            assert!(!valid_change_set_name(bad), "{bad}");
        }
    }

    #[test]
    fn stack_names_follow_cloudformation() {
        assert!(valid_stack_name("shop-fargate2").is_ok());
        for bad in ["", "2shop", "shop_app", "shop app", &"a".repeat(129)] {
            assert!(valid_stack_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn session_names_fit_sts() {
        assert_eq!(session_name("shop"), "stackplan-shop");
        assert_eq!(session_name(&"x".repeat(128)).len(), 64);
    }

    #[test]
    fn change_set_names_are_stable_per_request_and_keyed() {
        let key = id::IdKey::from_hex(&"07".repeat(32)).unwrap();
        let name = |stack: &str, template: &str| {
            change_set_name(&key, stack, template, "arn:r", &[], None, None)
        };
        let a = name("shop", "{}");
        assert_eq!(a, name("shop", "{}"));
        assert_ne!(a, name("shop", "{ }"));
        assert_ne!(a, name("shop2", "{}"));
        let tagged = |tag: &str| {
            change_set_name(
                &key,
                "shop",
                "{}",
                "arn:r",
                &[("ImageTag".into(), tag.into())],
                None,
                None,
            )
        };
        assert_ne!(tagged("v1"), tagged("v2"));
        assert_ne!(a, tagged("v1"));
        assert!(valid_change_set_name(&a), "{a}");
        // Another key, another name: without the key, nobody can tell the name in advance.
        let other = id::IdKey::from_hex(&"08".repeat(32)).unwrap();
        assert_ne!(
            a,
            change_set_name(&other, "shop", "{}", "arn:r", &[], None, None)
        );
        // Two tenants' identical requests: two change sets.
        let owned = |owner| change_set_name(&key, "shop", "{}", "arn:r", &[], Some(owner), None);
        assert_ne!(owned("team-a"), owned("team-b"));
        assert_ne!(a, owned("team-a"));
        // The same request before and after the stack changed (an update ran, or failed and
        // rolled back): two change sets, the second not the executed first found again.
        let at = |t| change_set_name(&key, "shop", "{}", "arn:r", &[], None, Some(t));
        assert_eq!(at("1764640000.000000000"), at("1764640000.000000000"));
        assert_ne!(at("1764640000.000000000"), at("1764650000.000000000"));
        assert_ne!(a, at("1764640000.000000000"));
        let unkeyed = format!("stackplan-{}", digest(&["shop", "{}", "arn:r", ""]));
        assert_ne!(a, unkeyed);
    }
}
