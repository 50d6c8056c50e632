//! S3 buckets, shared by both architectures: the application bucket and the log bucket that
//! receives its server access logs (and, for Fargate, the load balancer's and the VPC's logs).

use serde_json::{Value, json};

use super::{Builder, att, policy_doc, r, sub};

pub const APP_BUCKET: &str = "AppBucket";
pub const LOG_BUCKET: &str = "LogBucket";
pub const LOG_BUCKET_POLICY: &str = "LogBucketPolicy";
pub const CODE_BUCKET: &str = "CodeBucket";

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

fn deny_insecure_transport(bucket: &str) -> Value {
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
fn govern_bucket(b: &Builder<'_>, props: &mut Value, lock: bool) {
    if !b.plan.governed {
        return;
    }
    props["NotificationConfiguration"] =
        json!({ "EventBridgeConfiguration": { "EventBridgeEnabled": true } });
    if lock {
        props["ObjectLockEnabled"] = json!(true);
    }
}

fn block_public() -> Value {
    json!({
        "BlockPublicAcls": true,
        "BlockPublicPolicy": true,
        "IgnorePublicAcls": true,
        "RestrictPublicBuckets": true
    })
}

/// The log bucket and its policy. Objects expire after 90 days.
pub fn log_bucket(b: &mut Builder<'_>, writers: LogWriters) {
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
            "ExpirationInDays": 90,
            "NoncurrentVersionExpiration": { "NoncurrentDays": 7 },
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

    let mut statements = vec![
        deny_insecure_transport(LOG_BUCKET),
        json!({
            "Sid": "S3ServerAccessLogs",
            "Effect": "Allow",
            "Principal": { "Service": "logging.s3.amazonaws.com" },
            "Action": "s3:PutObject",
            "Resource": sub("${LogBucket.Arn}/s3/*"),
            "Condition": { "StringEquals": { "aws:SourceAccount": r("AWS::AccountId") } }
        }),
    ];
    if writers.load_balancer {
        statements.push(json!({
            "Sid": "LoadBalancerAccessLogs",
            "Effect": "Allow",
            "Principal": { "AWS": { "Fn::Sub": [
                "arn:${AWS::Partition}:iam::${ElbAccount}:root",
                { "ElbAccount": { "Fn::FindInMap": ["ElbLogDelivery", r("AWS::Region"), "Account"] } }
            ] } },
            "Action": "s3:PutObject",
            "Resource": sub("${LogBucket.Arn}/alb/AWSLogs/${AWS::AccountId}/*")
        }));
        b.mapping(
            "ElbLogDelivery",
            ELB_ACCOUNTS
                .iter()
                .map(|(region, account)| ((*region).to_string(), json!({ "Account": account })))
                .collect(),
        );
    }
    if writers.flow_logs {
        statements.push(json!({
            "Sid": "FlowLogsWrite",
            "Effect": "Allow",
            "Principal": { "Service": "delivery.logs.amazonaws.com" },
            "Action": "s3:PutObject",
            "Resource": sub("${LogBucket.Arn}/vpc/AWSLogs/${AWS::AccountId}/*"),
            "Condition": { "StringEquals": { "aws:SourceAccount": r("AWS::AccountId") } }
        }));
        statements.push(json!({
            "Sid": "FlowLogsAclCheck",
            "Effect": "Allow",
            "Principal": { "Service": "delivery.logs.amazonaws.com" },
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": att(LOG_BUCKET, "Arn"),
            "Condition": { "StringEquals": { "aws:SourceAccount": r("AWS::AccountId") } }
        }));
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
        "LoggingConfiguration": { "DestinationBucketName": r(LOG_BUCKET), "LogFilePrefix": "s3/" },
        "LifecycleConfiguration": { "Rules": [{
            "Id": "ExpireOldVersions",
            "Status": "Enabled",
            "NoncurrentVersionExpiration": { "NoncurrentDays": 90 },
            "AbortIncompleteMultipartUpload": { "DaysAfterInitiation": 7 }
        }] }
    });
    govern_bucket(b, &mut props, true);
    b.add(APP_BUCKET, "AWS::S3::Bucket", props).keep("Retain");
    b.add(
        "AppBucketPolicy",
        "AWS::S3::BucketPolicy",
        json!({ "Bucket": r(APP_BUCKET), "PolicyDocument": policy_doc(vec![deny_insecure_transport(APP_BUCKET)]) }),
    )
    .lint_ignore(JOIN_NOT_SUB);
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
    govern_bucket(b, &mut props, true);
    b.add(CODE_BUCKET, "AWS::S3::Bucket", props)
    .keep("Retain")
    .skip(
        "CKV_AWS_18",
        "holds only deploy artifacts, written by Stackplan's deploy session (CloudTrail records it); access logs would need a log bucket in every Lambda stack",
    );
    b.add(
        "CodeBucketPolicy",
        "AWS::S3::BucketPolicy",
        json!({ "Bucket": r(CODE_BUCKET), "PolicyDocument": policy_doc(vec![deny_insecure_transport(CODE_BUCKET)]) }),
    )
    .lint_ignore(JOIN_NOT_SUB);
}

/// IAM statements that let a role use the application bucket's objects.
pub fn app_bucket_statements() -> Vec<Value> {
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
