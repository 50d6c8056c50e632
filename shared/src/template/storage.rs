//! S3 buckets, shared by both architectures: the application bucket and the log bucket that
//! receives its server access logs (and, for Fargate, the load balancer's and the VPC's logs).

use super::Node;

use super::json_macro::json;

use super::{Builder, att, policy_doc, r, sub};

pub const APP_BUCKET: &str = "AppBucket";
pub const LOG_BUCKET: &str = "LogBucket";
pub const LOG_BUCKET_POLICY: &str = "LogBucketPolicy";
pub const CODE_BUCKET: &str = "CodeBucket";
/// The stack's log bucket expires a log this many days after it is written…
pub const LOG_EXPIRATION_DAYS: u32 = 90;
/// …and, as the bucket is versioned, keeps it as an old version this many days more.
pub const LOG_OLD_VERSION_DAYS: u32 = 7;

/// The prefix of every code bucket's name; the rest is the stack id's UUID, so the name is
/// unique, and the deploy role can write code only into buckets so named, in its own account.
pub const CODE_BUCKET_PREFIX: &str = "stackplan-code-";

/// Who may write into the log bucket besides S3 server access logging.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogWriters {
    /// Application Load Balancer access logs under `alb/`.
    pub load_balancer: bool,
    /// VPC flow logs under `vpc/`.
    pub flow_logs: bool,
}

/// Account ids of Elastic Load Balancing per region, for ALB access-log delivery
/// (regions older than August 2022 use these instead of a service principal).
pub const ELB_ACCOUNTS: [(&str, &str); 6] = [
    ("us-east-1", "127311923021"),
    ("us-west-2", "797873946194"),
    ("eu-west-1", "156460612806"),
    ("eu-central-1", "054676820928"),
    ("ap-southeast-1", "114774131450"),
    ("ap-northeast-1", "582318560864"),
];

/// cfn-lint's "prefer Fn::Sub over Fn::Join with an empty delimiter": the TLS-only statement
/// joins on purpose, in the one form Control Tower's CT.S3.PR.8 recognises.
const JOIN_NOT_SUB: &str = "I1022";

fn deny_insecure_transport(bucket: &'static str) -> Node {
    json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        // The objects' ARN as `Fn::Join` of the bucket's: the form Control Tower's CT.S3.PR.8
        // recognises in a template (an equivalent `Fn::Sub` is not matched).
        "Resource": [
            att(bucket, "Arn"),
            { "Fn::Join": ["", [att(bucket, "Arn"), "/*"]] }
        ],
        "Condition": { "Bool": { "aws:SecureTransport": "false" } }
    })
}

/// What a governed plan adds to a bucket: object events to the account's default EventBridge
/// bus (CT.S3.PR.4), and, where `lock`, Object Lock with no default retention (CT.S3.PR.9):
/// nothing is locked unless someone locks an object on purpose.
fn govern_bucket(b: &Builder<'_>, props: &mut Node, lock: bool) {
    if !b.plan.governed {
        return;
    }
    props["NotificationConfiguration"] =
        json!({ "EventBridgeConfiguration": { "EventBridgeEnabled": true } });
    if lock {
        props["ObjectLockEnabled"] = json!(true);
    }
}

fn block_public() -> Node {
    json!({
        "BlockPublicAcls": true,
        "BlockPublicPolicy": true,
        "IgnorePublicAcls": true,
        "RestrictPublicBuckets": true
    })
}

/// Where the stack's access logs go: a log bucket of the stack's own, or the user's
/// (`log_bucket` in the plan), in the same account and region.
enum LogTarget<'a> {
    Own,
    Users(&'a str),
}

fn log_target<'p>(b: &Builder<'p>) -> LogTarget<'p> {
    match &b.plan.log_bucket {
        Some(name) => LogTarget::Users(name),
        None => LogTarget::Own,
    }
}

/// The bucket's name, as a value of the template.
fn log_bucket_name(b: &Builder<'_>) -> Node {
    match log_target(b) {
        LogTarget::Own => r(LOG_BUCKET),
        LogTarget::Users(name) => json!(&name),
    }
}

/// The key prefix of one kind of log: a stack's own bucket holds only its logs; the user's
/// bucket holds them under the stack's name.
fn log_prefix(b: &Builder<'_>, kind: &'static str) -> Node {
    match log_target(b) {
        LogTarget::Own => json!(kind),
        LogTarget::Users(_) => sub(format!("${{AWS::StackName}}/{kind}")),
    }
}

/// A bucket's server access logging into the stack's log destination.
fn access_logging(b: &Builder<'_>) -> Node {
    let prefix = match log_target(b) {
        LogTarget::Own => json!("s3/"),
        LogTarget::Users(_) => sub("${AWS::StackName}/s3/"),
    };
    json!({ "DestinationBucketName": log_bucket_name(b), "LogFilePrefix": prefix })
}

/// The load balancer's access-log attributes' bucket and prefix.
pub fn load_balancer_log_attributes(b: &Builder<'_>) -> [Node; 2] {
    [
        json!({ "Key": "access_logs.s3.bucket", "Value": log_bucket_name(b) }),
        json!({ "Key": "access_logs.s3.prefix", "Value": log_prefix(b, "alb") }),
    ]
}

/// The flow log of the stack's VPC (`Vpc`), all traffic, into the stack's log destination.
pub fn vpc_flow_log(b: &mut Builder<'_>) {
    let destination = match log_target(b) {
        LogTarget::Own => sub("${LogBucket.Arn}/vpc/"),
        LogTarget::Users(name) => sub(format!(
            "arn:${{AWS::Partition}}:s3:::{name}/${{AWS::StackName}}/vpc/"
        )),
    };
    let after = log_policy_dependency(b);
    b.add(
        "VpcFlowLog",
        "AWS::EC2::FlowLog",
        json!({
            "ResourceId": r("Vpc"),
            "ResourceType": "VPC",
            "TrafficType": "ALL",
            "LogDestinationType": "s3",
            "LogDestination": destination
        }),
    )
    .depends_on(after);
}

/// What writing logs must wait for: the stack's own log bucket's policy, if it has one.
pub fn log_policy_dependency(b: &Builder<'_>) -> &'static [&'static str] {
    match log_target(b) {
        LogTarget::Own => &[LOG_BUCKET_POLICY],
        LogTarget::Users(_) => &[],
    }
}

/// The statements that let the log delivery services write into a log bucket: `arn` makes
/// the ARN of a key pattern under the bucket, `account` is the writing account and
/// `elb_principal` the load balancers' log delivery principal.
fn delivery_statements(
    writers: LogWriters,
    arn: &dyn Fn(&str) -> Node,
    account: Node,
    elb_principal: Node,
) -> Vec<Node> {
    let mut statements = vec![json!({
        "Sid": "S3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": { "Service": "logging.s3.amazonaws.com" },
        "Action": "s3:PutObject",
        "Resource": arn("s3/*"),
        "Condition": { "StringEquals": { "aws:SourceAccount": &account } }
    })];
    if writers.load_balancer {
        statements.push(json!({
            "Sid": "LoadBalancerAccessLogs",
            "Effect": "Allow",
            "Principal": { "AWS": elb_principal },
            "Action": "s3:PutObject",
            "Resource": arn("alb/AWSLogs/${AWS::AccountId}/*")
        }));
    }
    if writers.flow_logs {
        statements.push(json!({
            "Sid": "FlowLogsWrite",
            "Effect": "Allow",
            "Principal": { "Service": "delivery.logs.amazonaws.com" },
            "Action": "s3:PutObject",
            "Resource": arn("vpc/AWSLogs/${AWS::AccountId}/*"),
            "Condition": { "StringEquals": { "aws:SourceAccount": &account } }
        }));
        statements.push(json!({
            "Sid": "FlowLogsAclCheck",
            "Effect": "Allow",
            "Principal": { "Service": "delivery.logs.amazonaws.com" },
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": arn(""),
            "Condition": { "StringEquals": { "aws:SourceAccount": &account } }
        }));
    }
    statements
}

/// The placeholder for the account in [`users_log_bucket_policy`].
pub const ACCOUNT_PLACEHOLDER: &str = "YOUR-ACCOUNT-ID";

/// The statements the user's own log bucket (`log_bucket`) needs so that this plan's stacks
/// can write their logs into it, under any stack's name: the same as a stack's own log bucket
/// has, for the plan's region. `account` is the account the stacks deploy into (or
/// [`ACCOUNT_PLACEHOLDER`]). `None` when the plan names no log bucket.
pub fn users_log_bucket_policy(plan: &crate::plan::Plan, account: &str) -> Option<Node> {
    let name = plan.log_bucket.as_deref()?;
    // A Lambda plan has a VPC, with its flow logs, in the governed profile.
    let writers = LogWriters {
        load_balancer: plan.fargate().is_some(),
        flow_logs: plan.fargate().is_some() || plan.governed,
    };
    let region = plan.region.code();
    let elb = ELB_ACCOUNTS
        .iter()
        .find(|(r, _)| *r == region)
        .map(|(_, a)| *a)
        .expect("every plan region has an ELB log delivery account");
    // The plan's regions are all in the `aws` partition.
    let arn = |suffix: &str| {
        let suffix = suffix.replace("${AWS::AccountId}", account);
        if suffix.is_empty() {
            json!(format!("arn:aws:s3:::{name}"))
        } else {
            json!(format!("arn:aws:s3:::{name}/*/{suffix}"))
        }
    };
    Some(policy_doc(delivery_statements(
        writers,
        &arn,
        json!(&account),
        json!(format!("arn:aws:iam::{elb}:root")),
    )))
}

/// The stack's own log bucket and its policy, unless the plan names the user's log bucket.
/// Objects expire after 90 days.
pub fn log_bucket(b: &mut Builder<'_>, writers: LogWriters) {
    if let LogTarget::Users(_) = log_target(b) {
        return;
    }
    let mut props = json!({
        "BucketEncryption": { "ServerSideEncryptionConfiguration": [
            { "ServerSideEncryptionByDefault": { "SSEAlgorithm": "AES256" } }
        ] },
        "PublicAccessBlockConfiguration": block_public(),
        "VersioningConfiguration": { "Status": "Enabled" },
        "OwnershipControls": { "Rules": [{ "ObjectOwnership": "BucketOwnerEnforced" }] },
        "LifecycleConfiguration": { "Rules": [{
            "Id": "ExpireLogs",
            "Status": "Enabled",
            "ExpirationInDays": LOG_EXPIRATION_DAYS,
            "NoncurrentVersionExpiration": { "NoncurrentDays": LOG_OLD_VERSION_DAYS },
            "AbortIncompleteMultipartUpload": { "DaysAfterInitiation": 1 }
        }] }
    });
    // S3 delivers server access logs only into a bucket without Object Lock.
    govern_bucket(b, &mut props, false);
    b.add(LOG_BUCKET, "AWS::S3::Bucket", props)
        .keep("Retain")
        .skip(
            "CKV_AWS_18",
            "this is the access-log bucket; logging it into itself would loop",
        );

    let arn = |suffix: &str| {
        if suffix.is_empty() {
            att(LOG_BUCKET, "Arn")
        } else {
            sub(format!("${{LogBucket.Arn}}/{suffix}"))
        }
    };
    let elb_principal = json!({ "Fn::Sub": [
        "arn:${AWS::Partition}:iam::${ElbAccount}:root",
        { "ElbAccount": { "Fn::FindInMap": ["ElbLogDelivery", r("AWS::Region"), "Account"] } }
    ] });
    let mut statements = vec![deny_insecure_transport(LOG_BUCKET)];
    statements.extend(delivery_statements(
        writers,
        &arn,
        r("AWS::AccountId"),
        elb_principal,
    ));
    if writers.load_balancer {
        b.mapping(
            "ElbLogDelivery",
            ELB_ACCOUNTS
                .iter()
                .map(|&(region, account)| (region, json!({ "Account": account })))
                .collect(),
        );
    }
    b.add(
        LOG_BUCKET_POLICY,
        "AWS::S3::BucketPolicy",
        json!({ "Bucket": r(LOG_BUCKET), "PolicyDocument": policy_doc(statements) }),
    )
    .lint_ignore(JOIN_NOT_SUB);
}

/// The application's bucket: private, versioned, KMS-encrypted, TLS only, access-logged.
pub fn app_bucket(b: &mut Builder<'_>) {
    let mut props = json!({
        "BucketEncryption": { "ServerSideEncryptionConfiguration": [{
            "ServerSideEncryptionByDefault": { "SSEAlgorithm": "aws:kms" },
            "BucketKeyEnabled": true
        }] },
        "PublicAccessBlockConfiguration": block_public(),
        "VersioningConfiguration": { "Status": "Enabled" },
        "OwnershipControls": { "Rules": [{ "ObjectOwnership": "BucketOwnerEnforced" }] },
        "LifecycleConfiguration": { "Rules": [{
            "Id": "ExpireOldVersions",
            "Status": "Enabled",
            "NoncurrentVersionExpiration": { "NoncurrentDays": 90 },
            "AbortIncompleteMultipartUpload": { "DaysAfterInitiation": 7 }
        }] }
    });
    insert_after(
        &mut props,
        "OwnershipControls",
        "LoggingConfiguration",
        access_logging(b),
    );
    govern_bucket(b, &mut props, true);
    b.add(APP_BUCKET, "AWS::S3::Bucket", props).keep("Retain");
    b.add(
        "AppBucketPolicy",
        "AWS::S3::BucketPolicy",
        json!({ "Bucket": r(APP_BUCKET), "PolicyDocument": policy_doc(vec![deny_insecure_transport(APP_BUCKET)]) }),
    )
    .lint_ignore(JOIN_NOT_SUB);
}

/// The name `code_bucket` gives the code bucket of the stack whose id (ARN) is `stack_id`: the
/// prefix and the id's last part, as the template joins them.
pub fn code_bucket_name(stack_id: &str) -> Option<String> {
    let uuid = stack_id.split('/').nth(2).filter(|u| !u.is_empty())?;
    Some(format!("{CODE_BUCKET_PREFIX}{uuid}"))
}

/// The bucket a deploy uploads the function's code to (`stackplan-code-<stack uuid>`):
/// private, KMS-encrypted, TLS only, versioned, old versions expiring after 30 days. Lambda
/// copies the code when the function is created or updated, so the bucket holds only
/// deploy artifacts.
pub fn code_bucket(b: &mut Builder<'_>) {
    let stack_uuid = json!({ "Fn::Select": [2, { "Fn::Split": ["/", r("AWS::StackId")] }] });
    let mut props = json!({
        "BucketName": { "Fn::Join": ["", [CODE_BUCKET_PREFIX, stack_uuid]] },
        "BucketEncryption": { "ServerSideEncryptionConfiguration": [{
            "ServerSideEncryptionByDefault": { "SSEAlgorithm": "aws:kms" },
            "BucketKeyEnabled": true
        }] },
        "PublicAccessBlockConfiguration": block_public(),
        "VersioningConfiguration": { "Status": "Enabled" },
        "OwnershipControls": { "Rules": [{ "ObjectOwnership": "BucketOwnerEnforced" }] },
        "LifecycleConfiguration": { "Rules": [{
            "Id": "ExpireOldCode",
            "Status": "Enabled",
            "NoncurrentVersionExpiration": { "NoncurrentDays": 30 },
            "AbortIncompleteMultipartUpload": { "DaysAfterInitiation": 1 }
        }] }
    });
    let users_log_bucket = matches!(log_target(b), LogTarget::Users(_));
    if users_log_bucket {
        insert_after(
            &mut props,
            "OwnershipControls",
            "LoggingConfiguration",
            access_logging(b),
        );
    }
    govern_bucket(b, &mut props, true);
    let code = b.add(CODE_BUCKET, "AWS::S3::Bucket", props).keep("Retain");
    if !users_log_bucket {
        code.skip(
            "CKV_AWS_18",
            "holds only deploy artifacts, written by Stackplan's deploy session (CloudTrail records it); access logs would need a log bucket in every Lambda stack",
        );
    }
    b.add(
        "CodeBucketPolicy",
        "AWS::S3::BucketPolicy",
        json!({ "Bucket": r(CODE_BUCKET), "PolicyDocument": policy_doc(vec![deny_insecure_transport(CODE_BUCKET)]) }),
    )
    .lint_ignore(JOIN_NOT_SUB);
}

/// Puts `key` right after `after` in an object (templates keep a stable key order).
fn insert_after(props: &mut Node, after: &str, key: &'static str, value: Node) {
    let Some(map) = props.as_object_mut() else {
        return;
    };
    assert!(map.contains_key(after), "no {after} to put {key} after");
    map.insert_after(after, key, value);
}

/// IAM statements that let a role use the application bucket's objects.
pub fn app_bucket_statements() -> Vec<Node> {
    vec![
        json!({
            "Sid": "AppBucketObjects",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": sub("${AppBucket.Arn}/*")
        }),
        json!({
            "Sid": "AppBucketList",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": att(APP_BUCKET, "Arn")
        }),
    ]
}

#[cfg(test)]
mod code_bucket_tests {
    /// The name the server expects is the one the template's `Fn::Join` of `Fn::Select` 2 of
    /// `Fn::Split` on `/` makes of the stack id.
    #[test]
    fn the_code_buckets_name_is_the_templates_join_of_the_stack_id() {
        let plan = crate::examples::for_kind(crate::plan::ArchitectureKind::Lambda);
        let t = crate::template::generate(&crate::ValidPlan::new(plan).unwrap());
        let doc: serde_json::Value = serde_json::from_str(&t.to_json()).unwrap();
        assert_eq!(
            doc["Resources"][super::CODE_BUCKET]["Properties"]["BucketName"],
            serde_json::json!({"Fn::Join": ["", [super::CODE_BUCKET_PREFIX, {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}]]})
        );
        let id = "arn:aws:cloudformation:eu-west-1:111122223333:stack/shop/0f1e2d3c-aaaa-bbbb-cccc-001122334455";
        let part = id.split('/').collect::<Vec<_>>()[2];
        assert_eq!(
            super::code_bucket_name(id).as_deref(),
            Some(format!("stackplan-code-{part}").as_str())
        );
        assert_eq!(super::code_bucket_name("shop"), None);
        assert_eq!(
            super::code_bucket_name("arn:aws:cloudformation:eu-west-1:1:stack/shop/"),
            None
        );
    }
}
