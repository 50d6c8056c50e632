//! The session policies the server asks STS for. A session policy can only take permissions
//! away from the deploy role, so each session gets just what its requests need, on just the
//! deployment's stack:
//!
//! - a **deploy** session: the CloudFormation calls that create the stack, make and run an
//!   update's change set and delete the stack, on `stack/<name>/*` and Stackplan's change sets, and `iam:PassRole` of the
//!   execution role to CloudFormation alone (CloudFormation creates the resources with that
//!   role, not with the server's session);
//! - a **read** session, for status, events and polling: describe calls only;
//! - an **images** session, for a service waiting for its first image, or a plan that runs an
//!   image of the account's ECR: `ecr:DescribeImages` on that one repository, named (the
//!   stack's own is read from its outputs after the stack was proved Stackplan's);
//! - a **stores** session, before a deploy of a plan that reads existing secrets or
//!   parameters: whether they exist (`secretsmanager:DescribeSecret`,
//!   `ssm:ListTagsForResource`: metadata, never a value), under the account's settings
//!   prefixes.
//!
//! Neither has `iam:*`, nor any `<service>:*`, nor any action on `*` (checked for every matrix
//! plan by `server/tests/policies.rs`).

use serde_json::{Value, json};

/// What a session acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope<'a> {
    pub partition: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub stack_name: &'a str,
}

/// The calls a read session may make.
pub const READ_ACTIONS: [&str; 4] = [
    "cloudformation:DescribeChangeSet",
    "cloudformation:DescribeStackEvents",
    "cloudformation:DescribeStacks",
    "cloudformation:GetTemplate",
];

/// The calls a deploy session may make, beyond reading.
pub const WRITE_ACTIONS: [&str; 6] = [
    "cloudformation:ContinueUpdateRollback",
    "cloudformation:CreateChangeSet",
    "cloudformation:CreateStack",
    "cloudformation:DeleteChangeSet",
    "cloudformation:DeleteStack",
    "cloudformation:ExecuteChangeSet",
];

/// Which session a request needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    Read,
    Deploy,
}

impl Access {
    /// What the log calls it.
    pub fn label(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Deploy => "deploy",
        }
    }
}

/// The one call a code session may make.
pub const CODE_ACTIONS: [&str; 1] = ["s3:PutObject"];

/// What S3 asks KMS for when it encrypts an object with the bucket's key (SSE-KMS).
pub const CODE_KMS_ACTIONS: [&str; 1] = ["kms:GenerateDataKey"];

/// The session policy that lets the server store a function's zip under `stackplan-code/` in
/// `bucket`, the stack's own code bucket, and nothing else.
pub fn code_policy(scope: &Scope<'_>, bucket: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "StackplanCodeBucket",
        "Effect": "Allow",
        "Action": CODE_ACTIONS,
        "Resource": format!("arn:{}:s3:::{bucket}/stackplan-code/*", scope.partition),
        "Condition": {"StringEquals": {"s3:ResourceAccount": scope.account}}
    }, {
        "Sid": "EncryptThroughS3Only",
        "Effect": "Allow",
        "Action": CODE_KMS_ACTIONS,
        "Resource": format!("arn:{}:kms:{}:{}:key/*", scope.partition, scope.region, scope.account),
        // S3 names what it encrypts in the key's encryption context: the object, or the
        // bucket when it uses a bucket key. Only this bucket's.
        "Condition": {
            "StringEquals": {"kms:ViaService": format!("s3.{}.amazonaws.com", scope.region)},
            "StringLike": {"kms:EncryptionContext:aws:s3:arn": [
                format!("arn:{}:s3:::{bucket}", scope.partition),
                format!("arn:{}:s3:::{bucket}/stackplan-code/*", scope.partition)
            ]}
        }
    }]})
    .to_string()
}

/// The one call an images session may make.
pub const IMAGE_ACTIONS: [&str; 1] = ["ecr:DescribeImages"];

/// The session policy that lets the server see whether an image is in `repository` (by name,
/// in the scope's region: the stack's own, or the account's one a plan's image is in), and
/// nothing else.
pub fn images_policy(scope: &Scope<'_>, repository: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "StackplanRepository",
        "Effect": "Allow",
        "Action": IMAGE_ACTIONS,
        "Resource": format!(
            "arn:{}:ecr:{}:{}:repository/{repository}",
            scope.partition, scope.region, scope.account
        )
    }]})
    .to_string()
}

/// The calls a stores session may make: metadata only, never a value.
pub const STORE_ACTIONS: [&str; 2] = ["secretsmanager:DescribeSecret", "ssm:ListTagsForResource"];

/// The most characters STS takes in a session policy is 2,048 (and it limits the packed size
/// apart): a policy is kept below, with room to spare.
pub const MAX_SESSION_POLICY: usize = 1900;

/// The session policy that lets the server see whether secrets and parameters under
/// `prefixes` (the account's settings prefixes) exist, in any region of the scope's account
/// (a reference by ARN may name another region), and nothing else. Prefixes too many or too
/// long for STS's limit give the account's secrets and parameters instead: the deploy role
/// itself grants the calls under the prefixes only.
pub fn stores_policy(scope: &Scope<'_>, prefixes: &[String]) -> String {
    let (p, account) = (scope.partition, scope.account);
    let of = |prefixes: &[String]| {
        json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "StackplanSecretsExist",
            "Effect": "Allow",
            "Action": [STORE_ACTIONS[0]],
            "Resource": prefixes.iter()
                .map(|x| format!("arn:{p}:secretsmanager:*:{account}:secret:{x}*"))
                .collect::<Vec<_>>()
        }, {
            "Sid": "StackplanParametersExist",
            "Effect": "Allow",
            "Action": [STORE_ACTIONS[1]],
            "Resource": prefixes.iter()
                .map(|x| format!("arn:{p}:ssm:*:{account}:parameter/{x}*"))
                .collect::<Vec<_>>()
        }]})
        .to_string()
    };
    let named = of(prefixes);
    if named.len() <= MAX_SESSION_POLICY {
        named
    } else {
        of(&[String::new()])
    }
}

impl Scope<'_> {
    /// The stack, by name: IAM authorises the change-set actions on the stack too, so a
    /// `changeSet/…` entry would grant nothing (`scripts/iam-grants.py` checks).
    fn resources(&self) -> Value {
        json!(format!(
            "arn:{}:cloudformation:{}:{}:stack/{}/*",
            self.partition, self.region, self.account, self.stack_name
        ))
    }
}

/// The session policy for `access` on `scope`; `execution_role` is the role CloudFormation
/// creates the resources with (passed to CloudFormation, and to nothing else).
pub fn session_policy(access: Access, scope: &Scope<'_>, execution_role: Option<&str>) -> String {
    let mut actions: Vec<&str> = READ_ACTIONS.to_vec();
    if access == Access::Deploy {
        actions.extend(WRITE_ACTIONS);
        actions.sort_unstable();
    }
    let mut statements = vec![json!({
        "Sid": "StackplanStack",
        "Effect": "Allow",
        "Action": actions,
        "Resource": scope.resources()
    })];
    if let (Access::Deploy, Some(role)) = (access, execution_role) {
        statements.push(json!({
            "Sid": "PassExecutionRoleToCloudFormation",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": role,
            "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// Why a policy is wider than Stackplan allows, if it is: `iam:*`, a `<service>:*` or `*`
/// action, or an action on every resource.
pub fn too_wide(policy: &str) -> Option<String> {
    let doc: Value = serde_json::from_str(policy).ok()?;
    for statement in doc["Statement"].as_array().into_iter().flatten() {
        let list = |v: &Value| -> Vec<String> {
            match v {
                Value::String(s) => vec![s.clone()],
                Value::Array(a) => a
                    .iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect(),
                _ => Vec::new(),
            }
        };
        for action in list(&statement["Action"]) {
            let iam = action.starts_with("iam:") && action != "iam:PassRole";
            if action == "*" || action.ends_with(":*") || iam {
                return Some(format!("action {action}"));
            }
        }
        if list(&statement["Resource"]).iter().any(|r| r == "*") {
            return Some("a statement on every resource (\"*\")".into());
        }
        if statement.get("NotAction").is_some() || statement.get("NotResource").is_some() {
            return Some("NotAction or NotResource".into());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCOPE: Scope<'static> = Scope {
        partition: "aws",
        region: "eu-west-1",
        account: "111122223333",
        stack_name: "shop-lambda",
    };
    const EXEC: &str = "arn:aws:iam::111122223333:role/stackplan-execution";

    #[test]
    fn a_deploy_session_acts_on_its_stack_and_passes_only_the_execution_role() {
        let doc: Value =
            serde_json::from_str(&session_policy(Access::Deploy, &SCOPE, Some(EXEC))).unwrap();
        let stack = &doc["Statement"][0];
        assert_eq!(
            stack["Resource"],
            "arn:aws:cloudformation:eu-west-1:111122223333:stack/shop-lambda/*"
        );
        assert!(
            stack["Action"]
                .as_array()
                .unwrap()
                .contains(&json!("cloudformation:ExecuteChangeSet"))
        );
        let pass = &doc["Statement"][1];
        assert_eq!(pass["Action"], "iam:PassRole");
        assert_eq!(pass["Resource"], EXEC);
        assert_eq!(
            pass["Condition"]["StringEquals"]["iam:PassedToService"],
            "cloudformation.amazonaws.com"
        );
    }

    #[test]
    fn a_read_session_only_describes() {
        let doc: Value =
            serde_json::from_str(&session_policy(Access::Read, &SCOPE, Some(EXEC))).unwrap();
        assert_eq!(doc["Statement"].as_array().unwrap().len(), 1);
        let actions: Vec<&str> = doc["Statement"][0]["Action"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(actions, READ_ACTIONS);
    }

    #[test]
    fn an_images_session_describes_images_of_one_repository() {
        let policy = images_policy(&SCOPE, "shop-lambda-repository-abc");
        let doc: Value = serde_json::from_str(&policy).unwrap();
        assert_eq!(doc["Statement"].as_array().unwrap().len(), 1);
        assert_eq!(doc["Statement"][0]["Action"], json!(["ecr:DescribeImages"]));
        assert_eq!(
            doc["Statement"][0]["Resource"],
            "arn:aws:ecr:eu-west-1:111122223333:repository/shop-lambda-repository-abc"
        );
        assert_eq!(too_wide(&policy), None);
    }

    #[test]
    fn a_code_session_puts_objects_in_one_bucket_of_its_account() {
        let policy = code_policy(&SCOPE, "stackplan-code-0f1e");
        let doc: Value = serde_json::from_str(&policy).unwrap();
        let statement = &doc["Statement"][0];
        assert_eq!(statement["Action"], json!(["s3:PutObject"]));
        assert_eq!(
            statement["Resource"],
            "arn:aws:s3:::stackplan-code-0f1e/stackplan-code/*"
        );
        assert_eq!(
            statement["Condition"]["StringEquals"]["s3:ResourceAccount"],
            "111122223333"
        );
        let kms = &doc["Statement"][1];
        assert_eq!(kms["Action"], json!(["kms:GenerateDataKey"]));
        assert_eq!(
            kms["Condition"]["StringEquals"]["kms:ViaService"],
            "s3.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            kms["Condition"]["StringLike"]["kms:EncryptionContext:aws:s3:arn"],
            json!([
                "arn:aws:s3:::stackplan-code-0f1e",
                "arn:aws:s3:::stackplan-code-0f1e/stackplan-code/*"
            ]),
            "the key encrypts for this bucket only"
        );
        assert_eq!(too_wide(&policy), None);
    }

    #[test]
    fn a_stores_session_describes_secrets_and_parameters_under_the_prefixes() {
        let policy = stores_policy(&SCOPE, &["stackplan/".into(), "shop/".into()]);
        let doc: Value = serde_json::from_str(&policy).unwrap();
        assert_eq!(
            doc["Statement"][0]["Action"],
            json!(["secretsmanager:DescribeSecret"])
        );
        assert_eq!(
            doc["Statement"][0]["Resource"],
            json!([
                "arn:aws:secretsmanager:*:111122223333:secret:stackplan/*",
                "arn:aws:secretsmanager:*:111122223333:secret:shop/*"
            ])
        );
        assert_eq!(
            doc["Statement"][1]["Action"],
            json!(["ssm:ListTagsForResource"])
        );
        assert_eq!(
            doc["Statement"][1]["Resource"],
            json!([
                "arn:aws:ssm:*:111122223333:parameter/stackplan/*",
                "arn:aws:ssm:*:111122223333:parameter/shop/*"
            ])
        );
        assert_eq!(too_wide(&policy), None);
        // Over STS's limit: the account's, still no wider than its secrets and parameters.
        let long: Vec<String> = (0..9).map(|i| format!("{i}{}/", "p".repeat(200))).collect();
        let policy = stores_policy(&SCOPE, &long);
        assert!(policy.len() <= MAX_SESSION_POLICY, "{}", policy.len());
        let doc: Value = serde_json::from_str(&policy).unwrap();
        assert_eq!(
            doc["Statement"][0]["Resource"],
            json!(["arn:aws:secretsmanager:*:111122223333:secret:*"])
        );
        assert_eq!(
            doc["Statement"][1]["Resource"],
            json!(["arn:aws:ssm:*:111122223333:parameter/*"])
        );
        assert_eq!(too_wide(&policy), None);
    }

    #[test]
    fn wide_policies_are_recognised() {
        for (wide, why) in [
            (
                json!({"Statement": [{"Action": "iam:*", "Resource": "arn:x"}]}),
                "action iam:*",
            ),
            (
                json!({"Statement": [{"Action": ["s3:*"], "Resource": "arn:x"}]}),
                "action s3:*",
            ),
            (
                json!({"Statement": [{"Action": "iam:CreateRole", "Resource": "arn:x"}]}),
                "action iam:CreateRole",
            ),
            (
                json!({"Statement": [{"Action": "s3:GetObject", "Resource": "*"}]}),
                "a statement on every resource (\"*\")",
            ),
        ] {
            assert_eq!(too_wide(&wide.to_string()).as_deref(), Some(why));
        }
        assert_eq!(
            too_wide(&session_policy(Access::Deploy, &SCOPE, Some(EXEC))),
            None
        );
    }
}
