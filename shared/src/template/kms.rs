//! The stack's own customer-managed KMS key, which a governed plan brings (Control Tower's
//! CT.CLOUDWATCH.PR.3 and CT.RDS.PR.30): it encrypts the stack's log groups, its database's
//! storage and its alarm topic.
//!
//! Its policy:
//! - lets the account govern the key through IAM, as every KMS key's default policy does (no
//!   principal of the account may use it unless an IAM policy allows it, and the stack's own
//!   roles are given nothing on it);
//! - refuses grants that are not for an AWS service's resource (CT.KMS.PR.3; RDS's grants are);
//! - lets CloudWatch Logs use it for this stack's log groups only (the encryption context
//!   names the log group);
//! - lets CloudWatch publish this stack's alarms to the encrypted topic: without that, the
//!   alarms would fire into a topic they cannot write to, and nobody would hear of it.

use super::Node;

use super::json_macro::json;

use super::{Builder, att, r, sub};

pub const STACK_KEY: &str = "StackKey";

/// The key's ARN, for the properties that take one.
pub(crate) fn key_arn() -> Node {
    att(STACK_KEY, "Arn")
}

/// The name a governed stack gives its alarm `id`, so that the key's policy can name exactly
/// the stack's alarms: a prefix (`<stack>-*`) would also match another stack's alarms whose
/// stack name starts with this one's.
pub(crate) fn alarm_name(id: &str) -> Node {
    sub(alarm_name_text(id))
}

/// The `Fn::Sub` text of [`alarm_name`], which the key's policy also puts in each alarm's ARN.
fn alarm_name_text(id: &str) -> String {
    format!("${{AWS::StackName}}-{id}")
}

/// Adds the key. `alarms`: the logical ids of the stack's alarms that notify through an
/// encrypted topic, each named by [`alarm_name`]. `database`: whether the key encrypts a
/// database (its description says so).
///
/// The key outlives the stack (`Retain`), with or without a database today: a database's final
/// snapshot is encrypted with it, and so is one the stack left behind earlier, when an update
/// took the database out of the plan or replaced it. A policy that followed the current plan
/// would let a later deletion schedule the key's deletion, and a deleted key leaves those
/// snapshots unreadable for good. Kept, it costs a key's monthly fee until its owner schedules
/// its deletion; the deploy panel names it among what a deletion leaves.
pub(crate) fn stack_key(b: &mut Builder<'_>, alarms: &[&str], database: bool) {
    let mut statements = vec![
        json!({
            "Sid": "TheAccountGovernsTheKeyThroughIam",
            "Effect": "Allow",
            "Principal": { "AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root") },
            "Action": "kms:*",
            "Resource": "*"
        }),
        json!({
            "Sid": "GrantsOnlyForAwsServiceResources",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": { "BoolIfExists": {
                "kms:GrantIsForAWSResource": "false",
                "aws:PrincipalIsAWSService": "false"
            } }
        }),
        json!({
            "Sid": "CloudWatchLogsForTheStacksLogGroups",
            "Effect": "Allow",
            "Principal": { "Service": sub("logs.${AWS::Region}.amazonaws.com") },
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            "Resource": "*",
            "Condition": { "ArnLike": { "kms:EncryptionContext:aws:logs:arn": sub(
                "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/stackplan/${AWS::StackName}/*"
            ) } }
        }),
    ];
    if !alarms.is_empty() {
        let arns: Vec<Node> = alarms
            .iter()
            .map(|id| {
                sub(format!(
                    "arn:${{AWS::Partition}}:cloudwatch:${{AWS::Region}}:${{AWS::AccountId}}:alarm:{}",
                    alarm_name_text(id)
                ))
            })
            .collect();
        statements.push(json!({
            "Sid": "CloudWatchAlarmsPublishToTheStacksTopic",
            "Effect": "Allow",
            "Principal": { "Service": "cloudwatch.amazonaws.com" },
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "StringEquals": { "aws:SourceAccount": r("AWS::AccountId") },
                // Exactly the stack's own alarms, by the names it gives them.
                "ArnEquals": { "aws:SourceArn": arns }
            }
        }));
    }
    let key = b.add(
        STACK_KEY,
        "AWS::KMS::Key",
        json!({
            "Description": format!("{}: encrypts the stack's {}", b.plan.project, encrypts(!alarms.is_empty(), database)),
            "EnableKeyRotation": true,
            "KeyPolicy": super::policy_doc(statements)
        }),
    );
    key.keep("Retain");
}

/// What the key encrypts, in words.
fn encrypts(alarms: bool, database: bool) -> String {
    let mut what = vec!["logs"];
    if database {
        what.push("database");
    }
    if alarms {
        what.push("alarm topic");
    }
    crate::words::and_list(&what)
}
