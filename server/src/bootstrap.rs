//! The account bootstrap: a CloudFormation template a user deploys once in their AWS account
//! (`stackplan bootstrap`, or "Connect an AWS account" on the page). It makes:
//!
//! - **the deployer role** the server assumes: it trusts only the server's principal, asks for
//!   an ExternalId, may make change sets only for stacks tagged `stackplan:managed` and only with
//!   the execution role and only declaring the resource types Stackplan generates (so that
//!   CloudFormation refuses a template of any other), may execute and delete change sets only
//!   on such stacks, and may pass only the execution role, to CloudFormation only;
//! - **the execution role** CloudFormation creates the resources with: exactly the actions the
//!   resource types Stackplan generates need (the registry's types, with the handler
//!   permissions of AWS's resource provider schemas, `data/iam-actions.tsv`), and IAM roles only
//!   with the permissions boundary attached, so no template can create a role above it; it
//!   attaches permissions, routes and subscriptions only to resources tagged as Stackplan's;
//! - **the permissions boundary**: the actions the roles Stackplan's templates create use,
//!   gathered from the templates of every plan of the matrix.
//!
//! Its outputs are what the server is started with (`--role-arn`, `--execution-role-arn`,
//! `--permissions-boundary-arn`, and the ExternalId it was deployed with), and the lists it
//! allows (`SettingsPrefixes`, `HostedZoneIds`: `--settings-prefix`, `--hosted-zone-id`).
//! The deployer role never makes import change sets: importing an existing resource into a
//! stack would tag it as Stackplan's.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use shared::template::Node;
use shared::{ValidPlan, examples, template};

use crate::deploy::{MANAGED_TAG, MANAGED_VALUE};

/// The handler permissions of each resource type (`scripts/iam-actions.py` makes the file).
pub const IAM_ACTIONS: &str = include_str!("../data/iam-actions.tsv");

/// The stack name the page and the CLI suggest.
pub const STACK_NAME: &str = "stackplan-bootstrap";

/// Services the roles of Stackplan's templates are for (their trust policies' principals).
const ROLE_SERVICES: [&str; 4] = [
    "apigateway.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "lambda.amazonaws.com",
    "monitoring.rds.amazonaws.com",
];

/// Services whose service-linked roles the resources may need created.
const LINKED_SERVICES: [&str; 6] = [
    "ecs.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "rds.amazonaws.com",
    "elasticache.amazonaws.com",
    "ecs.application-autoscaling.amazonaws.com",
    // API Gateway's own role, made with an account's first custom domain name.
    "ops.apigateway.amazonaws.com",
];

/// IAM actions that create or widen a role: allowed only with the boundary attached.
const BOUNDED: [&str; 4] = [
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
];

/// The action that would take a role out of its boundary: never allowed.
const UNBOUND: &str = "iam:DeleteRolePermissionsBoundary";

/// IAM actions a handler needs that IAM authorises on `*` only (by AWS's policy reference,
/// which `scripts/iam-grants.py` reads): scoped to the stacks' roles they would grant nothing.
/// RDS's instance handler lists the account's roles.
const ACCOUNT_WIDE: [&str; 1] = ["iam:ListRoles"];

/// Actions of the execution role that attach something to a resource named in the template,
/// which could be one the stack did not make: a function's invoke permission, a route in a
/// route table, a subscription to a topic. They are denied unless the target carries
/// `stackplan:managed` (CloudFormation gives a stack's tags to what it makes). Each pair is the
/// action and the resource type it acts on; `tests/tests/bootstrap.rs` checks with AWS's
/// policy reference (cfn-lint's copy, `scripts/iam-resource-tags.py`) that IAM authorises the
/// action on that one resource type and reads its tags there, and that CloudFormation tags
/// that type as it creates it. Not here: bucket policies (S3 reads a bucket's tags only on
/// buckets with attribute-based access control turned on), and actions IAM authorises on more
/// than one resource, one of which is new and so untagged (a security group's rule).
pub const TAGGED_TARGETS: [(&str, &str); 6] = [
    ("ec2:CreateRoute", "AWS::EC2::RouteTable"),
    ("ec2:DeleteRoute", "AWS::EC2::RouteTable"),
    ("ec2:ReplaceRoute", "AWS::EC2::RouteTable"),
    ("lambda:AddPermission", "AWS::Lambda::Function"),
    ("lambda:RemovePermission", "AWS::Lambda::Function"),
    ("sns:Subscribe", "AWS::SNS::Topic"),
];

/// What the execution role's resource types can do to something that already exists, through
/// properties Stackplan's templates never set: restore or copy a database, add an instance to a
/// cluster, seed a cache from a snapshot, import S3 data into a table or stream a table into
/// Kinesis, move an address onto an instance or from another account, issue a certificate from
/// a private CA. Each is denied (on `on`: every resource, or only the existing thing's ARNs,
/// where the action itself is one Stackplan needs), so a template of someone holding the
/// deployer role cannot copy the account's data into a stack of theirs. The tests check that
/// no generated template sets one of `properties`, and the actions against AWS's policy
/// reference.
pub struct NeverGenerated {
    pub sid: &'static str,
    pub resource_type: &'static str,
    pub properties: &'static [&'static str],
    pub actions: &'static [&'static str],
    /// The resource pattern the deny names (`*`, or a `Fn::Sub` ARN pattern).
    pub on: &'static str,
}

pub const NEVER_GENERATED: [NeverGenerated; 7] = [
    NeverGenerated {
        sid: "NoDatabaseRestoresOrCopies",
        resource_type: "AWS::RDS::DBInstance",
        properties: &[
            "DBSnapshotIdentifier",
            "DBClusterSnapshotIdentifier",
            "SourceDBInstanceIdentifier",
            "SourceDBInstanceAutomatedBackupsArn",
            "SourceDbiResourceId",
            "SourceDBClusterIdentifier",
            "SourceRegion",
            "UseLatestRestorableTime",
            "RestoreTime",
            "ReplicaMode",
            "AutomaticBackupReplicationRegion",
        ],
        actions: &[
            "rds:CreateDBInstanceReadReplica",
            "rds:PromoteReadReplica",
            "rds:RestoreDBInstanceFromDBSnapshot",
            "rds:RestoreDBInstanceToPointInTime",
            "rds:StartDBInstanceAutomatedBackupsReplication",
        ],
        on: "*",
    },
    NeverGenerated {
        sid: "NoInstancesInExistingClusters",
        resource_type: "AWS::RDS::DBInstance",
        properties: &["DBClusterIdentifier"],
        actions: &["rds:CreateDBInstance"],
        on: "arn:${AWS::Partition}:rds:*:${AWS::AccountId}:cluster:*",
    },
    // Not `SnapshotArns`: ElastiCache reads those `.rdb` files with the bucket's grant, so IAM
    // has no resource of them to deny (README lists it as not covered).
    NeverGenerated {
        sid: "NoCachesFromSnapshots",
        resource_type: "AWS::ElastiCache::ReplicationGroup",
        properties: &["SnapshotName"],
        actions: &["elasticache:CreateReplicationGroup"],
        on: "arn:${AWS::Partition}:elasticache:*:${AWS::AccountId}:snapshot:*",
    },
    NeverGenerated {
        sid: "NoCachesInExistingGlobalDatastores",
        resource_type: "AWS::ElastiCache::ReplicationGroup",
        properties: &["GlobalReplicationGroupId"],
        actions: &["elasticache:CreateReplicationGroup"],
        on: "arn:${AWS::Partition}:elasticache::${AWS::AccountId}:globalreplicationgroup:*",
    },
    NeverGenerated {
        sid: "NoTableImportsOrStreams",
        resource_type: "AWS::DynamoDB::Table",
        properties: &["ImportSourceSpecification", "KinesisStreamSpecification"],
        actions: &[
            "dynamodb:EnableKinesisStreamingDestination",
            "dynamodb:ImportTable",
            "dynamodb:UpdateKinesisStreamingDestination",
            "kinesis:PutRecords",
        ],
        on: "*",
    },
    NeverGenerated {
        sid: "NoAddressesMovedOrTaken",
        resource_type: "AWS::EC2::EIP",
        properties: &["InstanceId", "TransferAddress"],
        actions: &["ec2:AcceptAddressTransfer", "ec2:AssociateAddress"],
        on: "*",
    },
    NeverGenerated {
        sid: "NoPrivateCertificateAuthorities",
        resource_type: "AWS::CertificateManager::Certificate",
        properties: &["CertificateAuthorityArn"],
        actions: &["acm-pca:GetCertificate", "acm-pca:IssueCertificate"],
        on: "*",
    },
];

/// IAM's limits on policy text: a managed policy's document, and a role's inline policies
/// together (characters, as CloudFormation sends them).
const MANAGED_POLICY_LIMIT: usize = 6_144;
const INLINE_POLICIES_LIMIT: usize = 10_240;

/// A policy document as IAM will count it, at its longest: `Fn::Sub` resolved with the longest
/// partition and an account id, and any other reference (`Ref`, `Fn::GetAtt`: the boundary's
/// ARN, a role's) as an ARN of 128 characters. Whitespace is not counted, and there is none.
fn as_deployed(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            if let (1, Some(Value::String(text))) = (m.len(), m.get("Fn::Sub")) {
                return Value::String(
                    text.replace("${AWS::Partition}", "aws-us-gov")
                        .replace("${AWS::AccountId}", "123456789012"),
                );
            }
            if m.len() == 1 && (m.contains_key("Ref") || m.contains_key("Fn::GetAtt")) {
                return Value::String("x".repeat(128));
            }
            Value::Object(m.iter().map(|(k, v)| (k.clone(), as_deployed(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(as_deployed).collect()),
        other => other.clone(),
    }
}

/// Every policy of the bootstrap template over IAM's size limits. The lists of prefixes and
/// zones grow the scoped statements, so a long list must be refused before AWS refuses the
/// stack. Sizes are as IAM counts them once CloudFormation has resolved the references, at
/// their longest ([`as_deployed`]).
pub fn policy_size_problems(t: &Value) -> Vec<String> {
    let size = |doc: &Value| serde_json::to_string(&as_deployed(doc)).map_or(0, |s| s.len());
    let mut out = Vec::new();
    for (id, r) in t["Resources"].as_object().into_iter().flatten() {
        if r["Type"] == "AWS::IAM::ManagedPolicy" {
            let n = size(&r["Properties"]["PolicyDocument"]);
            if n > MANAGED_POLICY_LIMIT {
                out.push(format!(
                    "the policy {id} would be {n} characters, over IAM's {MANAGED_POLICY_LIMIT}"
                ));
            }
        }
        if let Some(policies) = r["Properties"]["Policies"].as_array() {
            let n: usize = policies.iter().map(|p| size(&p["PolicyDocument"])).sum();
            if n > INLINE_POLICIES_LIMIT {
                out.push(format!(
                    "the inline policies of {id} would be {n} characters, over IAM's {INLINE_POLICIES_LIMIT}"
                ));
            }
        }
    }
    out
}

/// Largest policy document per managed policy the actions are split into, below IAM's
/// [`MANAGED_POLICY_LIMIT`] (whitespace excluded); a margin for the JSON around the actions.
const POLICY_BUDGET: usize = 5_600;

/// What a bootstrap lets Stackplan's stacks use that is the account's, not theirs: the
/// existing secrets and SecureString parameters plans may name (by name prefix), and the
/// Route 53 hosted zones their records and certificate validations may be written in. The
/// server is started with the same lists (`--settings-prefix`, `--hosted-zone-id`) and refuses
/// a plan beyond them before anything is created; IAM refuses it anyway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub settings_prefixes: Vec<String>,
    pub hosted_zone_ids: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            settings_prefixes: vec![shared::reach::DEFAULT_SETTINGS_PREFIX.into()],
            hosted_zone_ids: Vec::new(),
        }
    }
}

impl Options {
    /// Every problem of the lists, one line each.
    pub fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .settings_prefixes
            .iter()
            .filter_map(|p| shared::reach::prefix_problem(p))
            .collect();
        for z in &self.hosted_zone_ids {
            if !shared::validate::hosted_zone_id_ok(z) {
                out.push(format!(
                    "\"{z}\" is not a Route 53 hosted zone id: Z followed by capital letters and digits"
                ));
            }
        }
        if out.is_empty() {
            out.extend(policy_size_problems(&template(self)).into_iter().map(|p| {
                format!("{p}: give fewer settings prefixes or hosted zone ids, or shorter ones")
            }));
        }
        out
    }

    /// The `stackplan serve` flags that give the server the same lists (none for the defaults).
    pub fn serve_flags(&self) -> String {
        let mut out = String::new();
        if self.settings_prefixes != Options::default().settings_prefixes {
            if self.settings_prefixes.is_empty() {
                out.push_str(" --no-settings-prefix");
            }
            for p in &self.settings_prefixes {
                out.push_str(&format!(" --settings-prefix {}", shell_word(p)));
            }
        }
        for z in &self.hosted_zone_ids {
            out.push_str(&format!(" --hosted-zone-id {}", shell_word(z)));
        }
        out
    }
}

/// Actions the execution role and the boundary grant only on the account's allowed settings
/// and zones, never on `*`.
const SCOPED: [&str; 3] = [
    "route53:ChangeResourceRecordSets",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameters",
];

/// What Lambda requires of the creator of a container-image function, on the image's
/// repository (AWS's resource provider schema does not list them).
const FUNCTION_IMAGE_ACTIONS: [&str; 2] = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

/// Who a scoped statement is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Holder {
    /// The ceiling of the roles stacks create: their tasks read secrets and parameters.
    Boundary,
    /// CloudFormation's role: it resolves Lambda's dynamic references to secrets, reads back
    /// the secrets it generates, and writes records and certificate validations.
    ExecutionRole,
}

/// The statements that grant the scoped actions: reading secrets the stack made (tagged with the
/// stack's `stackplan:managed`), RDS's own master-user secrets, and the secrets (and, for the
/// boundary, parameters) under the settings prefixes; for the execution role, changing
/// records in the allowed hosted zones.
fn scoped_statements(options: &Options, holder: Holder) -> Vec<Value> {
    // RDS's own master-user secrets (`rds!db-…`): the task reads its database's; CloudFormation
    // never does. IAM cannot tell one database's from another's by name.
    let mut named = Vec::new();
    if holder == Holder::Boundary {
        named.push(sub(
            "arn:${AWS::Partition}:secretsmanager:*:${AWS::AccountId}:secret:rds!*",
        ));
    }
    named.extend(options.settings_prefixes.iter().map(|p| {
        sub(&format!(
            "arn:${{AWS::Partition}}:secretsmanager:*:${{AWS::AccountId}}:secret:{p}*"
        ))
    }));
    let mut out = vec![json!({
        "Sid": "ReadSecretsTheStacksMake",
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": sub("arn:${AWS::Partition}:secretsmanager:*:${AWS::AccountId}:secret:*"),
        "Condition": {"StringEquals": {format!("aws:ResourceTag/{MANAGED_TAG}"): MANAGED_VALUE}}
    })];
    // With no settings prefix (`--no-settings-prefix`) the execution role names no secret:
    // a statement on no resource is a malformed policy, which IAM refuses (and the bootstrap
    // stack would roll back).
    if !named.is_empty() {
        out.push(json!({
            "Sid": "ReadSecretsUnderTheSettingsPrefixes",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": named
        }));
    }
    if holder == Holder::Boundary && !options.settings_prefixes.is_empty() {
        let parameters: Vec<Value> = options
            .settings_prefixes
            .iter()
            .map(|p| {
                sub(&format!(
                    "arn:${{AWS::Partition}}:ssm:*:${{AWS::AccountId}}:parameter/{p}*"
                ))
            })
            .collect();
        out.push(json!({
            "Sid": "ReadParametersUnderTheSettingsPrefixes",
            "Effect": "Allow",
            "Action": "ssm:GetParameters",
            "Resource": parameters
        }));
    }
    if holder == Holder::ExecutionRole {
        // Lambda checks that whoever creates a container-image function may pull its image.
        out.push(json!({
            "Sid": "PullFunctionImagesOfTheAccount",
            "Effect": "Allow",
            "Action": FUNCTION_IMAGE_ACTIONS,
            "Resource": sub("arn:${AWS::Partition}:ecr:*:${AWS::AccountId}:repository/*")
        }));
    }
    if holder == Holder::ExecutionRole && !options.hosted_zone_ids.is_empty() {
        let arns: Vec<Value> = options
            .hosted_zone_ids
            .iter()
            .map(|z| sub(&format!("arn:${{AWS::Partition}}:route53:::hostedzone/{z}")))
            .collect();
        out.push(json!({
            "Sid": "RecordsInTheAllowedHostedZones",
            "Effect": "Allow",
            "Action": "route53:ChangeResourceRecordSets",
            "Resource": arns
        }));
    }
    out
}

/// The actions each resource type needs, from `IAM_ACTIONS`.
pub fn actions_by_type() -> BTreeMap<&'static str, Vec<&'static str>> {
    IAM_ACTIONS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(ty, actions)| (ty, actions.split(',').collect()))
        .collect()
}

/// Every action the execution role may take, and why: `(action, the resource types that need
/// it)`.
pub fn execution_actions() -> BTreeMap<&'static str, Vec<&'static str>> {
    let by_type = actions_by_type();
    let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in shared::resources::REGISTRY {
        let actions = by_type
            .get(r.name)
            .unwrap_or_else(|| panic!("{} has no IAM actions in data/iam-actions.tsv", r.name));
        for a in actions {
            out.entry(a).or_default().push(r.name);
        }
    }
    out
}

/// The actions of the roles Stackplan's templates create, over the whole matrix: the boundary.
pub fn boundary_actions() -> BTreeSet<String> {
    let mut actions = BTreeSet::new();
    for (_, plan) in examples::matrix() {
        let Ok(valid) = ValidPlan::new(plan) else {
            continue;
        };
        let t = template::generate(&valid);
        for r in t.resources().values() {
            if r["Type"] != "AWS::IAM::Role" {
                continue;
            }
            for policy in r["Properties"]["Policies"].as_array().into_iter().flatten() {
                for st in policy["PolicyDocument"]["Statement"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    match &st["Action"] {
                        Node::String(a) => {
                            actions.insert(a.to_string());
                        }
                        Node::Array(list) => {
                            actions.extend(list.iter().filter_map(|a| a.as_str().map(String::from)))
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    actions
}

fn sub(text: &str) -> Value {
    json!({ "Fn::Sub": text })
}

/// The checkov checks each policy of the template does not meet, by logical id. Which of them a
/// policy trips depends on the actions it holds (checkov asks cloudsplaining), so the list is
/// kept by hand and held honest by the judges: `tests/tests/judges.rs` runs checkov without the
/// skips and requires exactly these to fail.
const SKIPS: &[(&str, &[&str])] = &[
    (
        "PermissionsBoundary",
        &["CKV_AWS_107", "CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_111"],
    ),
    ("ExecutionPolicy1", &["CKV_AWS_109", "CKV_AWS_111"]),
    (
        "ExecutionPolicy2",
        &["CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_110", "CKV_AWS_111"],
    ),
    (
        "ExecutionPolicy3",
        &["CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_111"],
    ),
];

/// Why each skipped check does not apply.
fn skip_reason(resource: &str, check: &str) -> &'static str {
    let boundary = resource == "PermissionsBoundary";
    match check {
        _ if boundary && check != "CKV_AWS_107" => {
            "a permissions boundary is a ceiling: it grants nothing itself, and each role under it names its own resources"
        }
        "CKV_AWS_107" => {
            "the task execution role pulls images (ecr:GetAuthorizationToken, which AWS grants only on *) and reads its database secret; the boundary only caps it"
        }
        "CKV_AWS_108" => {
            "the read actions are what CloudFormation's handlers need to read back the resources they create (a generated secret, a bucket's configuration)"
        }
        "CKV_AWS_109" => {
            "resource policies and tags of the created resources (bucket policies, Lambda permissions) are part of creating them"
        }
        "CKV_AWS_110" => {
            "creating functions and task definitions that use a stack's own roles is what the stacks are for; those roles carry the permissions boundary"
        }
        _ => {
            "CloudFormation creates these resources with names it generates, so their ARNs are not known in advance; only stacks tagged stackplan:managed use this role"
        }
    }
}

fn checkov_skips(resource: &str) -> Value {
    let checks = SKIPS
        .iter()
        .find(|(id, _)| *id == resource)
        .map_or(&[][..], |(_, checks)| *checks);
    let skip: Vec<Value> = checks
        .iter()
        .map(|check| json!({ "id": check, "comment": skip_reason(resource, check) }))
        .collect();
    json!({ "checkov": { "skip": skip } })
}

/// The non-IAM actions, grouped by service into managed policies that fit AWS's size limit.
fn policy_chunks(actions: &[&str]) -> Vec<Vec<String>> {
    let mut chunks: Vec<Vec<String>> = vec![Vec::new()];
    let mut size = 0;
    for a in actions {
        let cost = a.len() + 3;
        if size + cost > POLICY_BUDGET {
            chunks.push(Vec::new());
            size = 0;
        }
        size += cost;
        chunks.last_mut().expect("one chunk").push(a.to_string());
    }
    chunks
}

/// The bootstrap template.
pub fn template(options: &Options) -> Value {
    let all = execution_actions();
    let (iam, other): (Vec<&str>, Vec<&str>) = all
        .keys()
        .filter(|a| !SCOPED.contains(a))
        .partition(|a| a.starts_with("iam:"));
    // The stacks' own roles, all under one path: the only roles the execution role creates,
    // changes, deletes or hands to services. With `role/*` it could rewrite any role's trust
    // policy in the account.
    let stack_role_arns = sub(&format!(
        "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role{}*",
        shared::template::ROLE_PATH
    ));
    let bounded: Vec<&str> = iam
        .iter()
        .copied()
        .filter(|a| BOUNDED.contains(a))
        .collect();
    let manage: Vec<&str> = iam
        .iter()
        .copied()
        .filter(|a| {
            !BOUNDED.contains(a)
                && !ACCOUNT_WIDE.contains(a)
                && *a != UNBOUND
                && *a != "iam:PassRole"
                && *a != "iam:CreateServiceLinkedRole"
        })
        .collect();
    let mut boundary_statements = vec![json!({
        "Sid": "WhatStackplanRolesUse",
        "Effect": "Allow",
        "Action": boundary_actions().into_iter().filter(|a| !SCOPED.contains(&a.as_str())).collect::<Vec<_>>(),
        "Resource": "*"
    })];
    boundary_statements.extend(scoped_statements(options, Holder::Boundary));
    let mut resources = serde_json::Map::new();
    resources.insert(
        "PermissionsBoundary".into(),
        json!({
            "Type": "AWS::IAM::ManagedPolicy",
            "Metadata": checkov_skips("PermissionsBoundary"),
            "Properties": {
                "Description": "Stackplan: the most any role a Stackplan stack creates may do",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": boundary_statements}
            }
        }),
    );
    let chunks = policy_chunks(&other);
    let mut policy_refs = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let id = format!("ExecutionPolicy{}", i + 1);
        policy_refs.push(json!({ "Ref": id }));
        let metadata = checkov_skips(&id);
        resources.insert(
            id,
            json!({
                "Type": "AWS::IAM::ManagedPolicy",
                "Metadata": metadata,
                "Properties": {
                    "Description": format!("Stackplan execution role, part {}: what CloudFormation needs to create, update and delete the resource types Stackplan generates", i + 1),
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                        "Sid": "StackplanResourceTypes",
                        "Effect": "Allow",
                        "Action": chunk,
                        "Resource": "*"
                    }]}
                }
            }),
        );
    }
    resources.insert(
        "ExecutionRole".into(),
        json!({
            "Type": "AWS::IAM::Role",
            "Properties": {
                "Description": "Stackplan: the role CloudFormation creates a Stackplan stack's resources with",
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudformation.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
                }]},
                "ManagedPolicyArns": policy_refs,
                "Policies": [{
                    "PolicyName": "RolesWithinTheBoundary",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                        {
                            "Sid": "CreateRolesOnlyWithTheBoundary",
                            "Effect": "Allow",
                            "Action": bounded,
                            "Resource": stack_role_arns.clone(),
                            "Condition": {"StringEquals": {"iam:PermissionsBoundary": {"Ref": "PermissionsBoundary"}}}
                        },
                        {
                            "Sid": "ManageStackRoles",
                            "Effect": "Allow",
                            "Action": manage,
                            "Resource": stack_role_arns.clone()
                        },
                        {
                            "Sid": "ListRolesAsHandlersDo",
                            "Effect": "Allow",
                            "Action": iam.iter().copied().filter(|a| ACCOUNT_WIDE.contains(a)).collect::<Vec<_>>(),
                            "Resource": "*"
                        },
                        {
                            "Sid": "PassStackRolesToTheirServices",
                            "Effect": "Allow",
                            "Action": "iam:PassRole",
                            "Resource": stack_role_arns,
                            "Condition": {"StringEquals": {"iam:PassedToService": ROLE_SERVICES}}
                        },
                        {
                            "Sid": "ServiceLinkedRoles",
                            "Effect": "Allow",
                            "Action": "iam:CreateServiceLinkedRole",
                            "Resource": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/*"),
                            "Condition": {"StringEquals": {"iam:AWSServiceName": LINKED_SERVICES}}
                        },
                        {
                            "Sid": "NeverRemoveTheBoundary",
                            "Effect": "Deny",
                            "Action": UNBOUND,
                            "Resource": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*")
                        },
                        {
                            "Sid": "AttachOnlyToWhatStackplanMade",
                            "Effect": "Deny",
                            "Action": TAGGED_TARGETS.iter().map(|(action, _)| *action).collect::<Vec<_>>(),
                            "Resource": "*",
                            "Condition": {"StringNotEquals": {format!("aws:ResourceTag/{MANAGED_TAG}"): MANAGED_VALUE}}
                        }
                    ]}
                }, {
                    "PolicyName": "NothingOfWhatExists",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": NEVER_GENERATED.iter().map(|n| json!({
                        "Sid": n.sid,
                        "Effect": "Deny",
                        "Action": n.actions,
                        "Resource": if n.on == "*" { json!("*") } else { sub(n.on) }
                    })).collect::<Vec<_>>()}
                }, {
                    "PolicyName": "TheAccountsSettingsAndZones",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": scoped_statements(options, Holder::ExecutionRole)}
                }]
            }
        }),
    );
    let stacks = sub("arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/*/*");
    let registry_types = crate::deploy::declared_resource_types();
    let tag_key = format!("aws:RequestTag/{MANAGED_TAG}");
    let resource_tag = format!("aws:ResourceTag/{MANAGED_TAG}");
    resources.insert(
        "DeployerRole".into(),
        json!({
            "Type": "AWS::IAM::Role",
            "Properties": {
                "Description": "Stackplan: the role the Stackplan server assumes to deploy plans",
                "MaxSessionDuration": 3600,
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"AWS": {"Ref": "TrustedPrincipal"}},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}
                }]},
                "Policies": [{
                    "PolicyName": "StackplanManagedStacksOnly",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                        {
                            // New stacks by CreateStack, updates by change sets: a stack a
                            // CREATE change set makes has no tags until the change set runs,
                            // so ChangeOnlyTaggedStacks could never run it.
                            "Sid": "TaggedStacksAndChangeSetsWithTheExecutionRole",
                            "Effect": "Allow",
                            "Action": ["cloudformation:CreateChangeSet", "cloudformation:CreateStack"],
                            "Resource": stacks.clone(),
                            "Condition": {
                                "StringEquals": {tag_key: MANAGED_VALUE},
                                "ArnEquals": {"cloudformation:RoleArn": {"Fn::GetAtt": ["ExecutionRole", "Arn"]}}
                            }
                        },
                        {
                            "Sid": "DeclareTheResourceTypes",
                            "Effect": "Deny",
                            "Action": ["cloudformation:CreateChangeSet", "cloudformation:CreateStack"],
                            "Resource": "*",
                            "Condition": {"Null": {"cloudformation:ResourceTypes": "true"}}
                        },
                        {
                            "Sid": "OnlyStackplansResourceTypes",
                            "Effect": "Deny",
                            "Action": ["cloudformation:CreateChangeSet", "cloudformation:CreateStack"],
                            "Resource": "*",
                            "Condition": {"ForAnyValue:StringNotEquals": {"cloudformation:ResourceTypes": registry_types}}
                        },
                        {
                            // Stacks made, changed and deleted only where a plan can be: the
                            // stack ARNs name any region (listing six in each would crowd the
                            // policy's size limit).
                            "Sid": "OnlyTheRegionsStackplanPlans",
                            "Effect": "Deny",
                            "Action": ["cloudformation:CreateChangeSet", "cloudformation:CreateStack", "cloudformation:DeleteStack", "cloudformation:ExecuteChangeSet", "cloudformation:DeleteChangeSet", "cloudformation:ContinueUpdateRollback"],
                            "Resource": "*",
                            "Condition": {"StringNotEquals": {"aws:RequestedRegion": shared::plan::Region::ALL.iter().map(|r| r.code()).collect::<Vec<_>>()}}
                        },
                        {
                            // IAM authorises the change-set actions on the stack, not on the
                            // change set (AWS's Service Authorization Reference): the tagged
                            // stack is the grant. A change set's name proves nothing (whoever
                            // may make change sets may name them `stackplan-…`), so it is not a
                            // condition.
                            "Sid": "ChangeOnlyTaggedStacks",
                            "Effect": "Allow",
                            "Action": ["cloudformation:DeleteStack", "cloudformation:ExecuteChangeSet", "cloudformation:DeleteChangeSet", "cloudformation:ContinueUpdateRollback"],
                            "Resource": stacks.clone(),
                            "Condition": {"StringEquals": {resource_tag: MANAGED_VALUE}}
                        },
                        {
                            "Sid": "ReadStacks",
                            "Effect": "Allow",
                            "Action": ["cloudformation:DescribeChangeSet", "cloudformation:DescribeStackEvents", "cloudformation:DescribeStacks", "cloudformation:GetTemplate"],
                            "Resource": stacks
                        },
                        {
                            // Whether an image is there: a stack's own repository, for a
                            // service waiting for its first image; any of the account's, for
                            // a plan that runs one of them (the execution role may pull any
                            // of them already). Image metadata, never a layer.
                            "Sid": "SeeImagesInTheAccountsRepositories",
                            "Effect": "Allow",
                            "Action": crate::deploy::policy::IMAGE_ACTIONS,
                            "Resource": sub("arn:${AWS::Partition}:ecr:*:${AWS::AccountId}:repository/*")
                        },
                        {
                            "Sid": "StoreFunctionCodeInStackCodeBuckets",
                            "Effect": "Allow",
                            "Action": crate::deploy::policy::CODE_ACTIONS,
                            "Resource": sub(&format!("arn:${{AWS::Partition}}:s3:::{}*/stackplan-code/*", shared::template::CODE_BUCKET_PREFIX)),
                            "Condition": {"StringEquals": {"s3:ResourceAccount": sub("${AWS::AccountId}")}}
                        },
                        {
                            "Sid": "EncryptFunctionCodeThroughS3",
                            "Effect": "Allow",
                            "Action": crate::deploy::policy::CODE_KMS_ACTIONS,
                            "Resource": sub("arn:${AWS::Partition}:kms:*:${AWS::AccountId}:key/*"),
                            "Condition": {"StringLike": {
                                "kms:ViaService": "s3.*.amazonaws.com",
                                // Only for what S3 stores in a code bucket (the object, or
                                // the bucket when it uses a bucket key).
                                "kms:EncryptionContext:aws:s3:arn": sub(&format!("arn:${{AWS::Partition}}:s3:::{}*", shared::template::CODE_BUCKET_PREFIX))
                            }}
                        },
                        {
                            "Sid": "NeverImportExistingResources",
                            "Effect": "Deny",
                            "Action": "cloudformation:CreateChangeSet",
                            "Resource": "*",
                            "Condition": {"Null": {"cloudformation:ImportResourceTypes": "false"}}
                        },
                        {
                            "Sid": "PassTheExecutionRoleToCloudFormation",
                            "Effect": "Allow",
                            "Action": "iam:PassRole",
                            "Resource": {"Fn::GetAtt": ["ExecutionRole", "Arn"]},
                            "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}
                        }
                    ]}
                }]
            }
        }),
    );
    // Before a deploy, the server looks up the secrets and parameters a plan reads (their
    // metadata, never a value), under the settings prefixes only.
    if !options.settings_prefixes.is_empty()
        && let Some(statements) =
            resources["DeployerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
                .as_array_mut()
    {
        let under = |arn: &str| -> Vec<Value> {
            options
                .settings_prefixes
                .iter()
                .map(|p| sub(&format!("{arn}{p}*")))
                .collect()
        };
        let mut arns = under("arn:${AWS::Partition}:secretsmanager:*:${AWS::AccountId}:secret:");
        arns.extend(under(
            "arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:parameter/",
        ));
        statements.push(json!({
            "Sid": "SeeWhetherSettingsExist",
            "Effect": "Allow",
            "Action": crate::deploy::policy::STORE_ACTIONS,
            "Resource": arns
        }));
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Stackplan account bootstrap: the deployer role the Stackplan server assumes, the execution role CloudFormation creates resources with, and the permissions boundary of the roles stacks create",
        "Parameters": {
            "TrustedPrincipal": {
                "Type": "String",
                "AllowedPattern": PRINCIPAL_PATTERN,
                "Description": "The IAM principal the Stackplan server runs as (the page shows it)"
            },
            "ExternalId": {
                "Type": "String",
                "MinLength": EXTERNAL_ID_LENGTH.start(),
                "MaxLength": EXTERNAL_ID_LENGTH.end(),
                "AllowedPattern": EXTERNAL_ID_PATTERN,
                "Description": "The ExternalId the Stackplan server generated for this connection"
            }
        },
        "Resources": resources,
        "Outputs": {
            "DeployerRoleArn": {"Description": "--role-arn", "Value": {"Fn::GetAtt": ["DeployerRole", "Arn"]}},
            "ExecutionRoleArn": {"Description": "--execution-role-arn", "Value": {"Fn::GetAtt": ["ExecutionRole", "Arn"]}},
            "PermissionsBoundaryArn": {"Description": "--permissions-boundary-arn", "Value": {"Ref": "PermissionsBoundary"}},
            "SettingsPrefixes": {"Description": "--settings-prefix: the names of existing secrets and parameters stacks may read", "Value": list_output(&options.settings_prefixes)},
            "HostedZoneIds": {"Description": "--hosted-zone-id: the hosted zones stacks may write records in", "Value": list_output(&options.hosted_zone_ids)}
        }
    })
}

/// An output's text for a list (CloudFormation outputs are strings, never empty).
fn list_output(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".into()
    } else {
        items.join(",")
    }
}

/// The largest template file `aws cloudformation deploy --template-file` sends inline (in
/// bytes); a larger one needs `--s3-bucket`.
pub const INLINE_TEMPLATE_BYTES: usize = 51_200;

/// The template as the CLI writes it and the page downloads it: indented to be read, or, when
/// that would be larger than the deploy command takes inline (a dozen settings prefixes or
/// hosted zones do it), on one line, which is about 40% smaller.
pub fn template_json(options: &Options) -> String {
    let doc = template(options);
    let pretty = shared::template::format::json(&Node::from(doc.clone()));
    if pretty.len() <= INLINE_TEMPLATE_BYTES {
        pretty
    } else {
        serde_json::to_string(&doc).expect("a template serializes") + "\n"
    }
}

/// Why the file at `path` is not one to replace with a bootstrap template, if it is not: it
/// exists and is not an earlier bootstrap template (a plan, a template of a stack, anything
/// else given by mistake), or it is not a file. `None` when there is nothing there, or a
/// bootstrap template is.
pub fn not_to_replace(path: &std::path::Path) -> Option<String> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return Some("is not a file; give the path of the template to write".into());
    }
    let earlier = std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .is_some_and(|doc| {
            doc["Description"]
                .as_str()
                .is_some_and(|d| d.starts_with(DESCRIPTION_START))
        });
    (!earlier).then(|| {
        "exists and is not a Stackplan bootstrap template, so it is left as it is; give another --out, or --force to replace it".into()
    })
}

/// How the bootstrap template's description starts, in every version.
const DESCRIPTION_START: &str = "Stackplan account bootstrap";

/// The command that deploys it.
pub fn command(file: &str, principal: &str, external_id: &str) -> String {
    format!(
        "aws cloudformation deploy --stack-name {STACK_NAME} --template-file {} --capabilities CAPABILITY_IAM --parameter-overrides {} {}",
        shell_word(file),
        shell_word(&format!("TrustedPrincipal={principal}")),
        shell_word(&format!("ExternalId={external_id}")),
    )
}

/// `s` as one word of a POSIX shell command: as it is when it holds only characters no shell
/// treats specially, else in single quotes.
pub fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_@%+=:,./-".contains(&b));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The bootstrap template's rule for its `TrustedPrincipal` parameter: an IAM or STS ARN.
/// A role, a user or a role's session: never an account's `root`, which would let every
/// principal of that account (that knows the ExternalId) assume the deployer role.
pub const PRINCIPAL_PATTERN: &str = "^arn:aws[a-z-]*:(iam::[0-9]{12}:(role|user)|sts::[0-9]{12}:assumed-role)/[A-Za-z0-9+=,.@_/-]+$";

/// The bootstrap template's rule for its `ExternalId` parameter (and IAM's for an ExternalId),
/// with [`EXTERNAL_ID_LENGTH`].
pub const EXTERNAL_ID_PATTERN: &str = "^[A-Za-z0-9+=,.@:/-]+$";

/// The lengths an ExternalId may have: 16 (the template asks at least that) to 1,224 (STS).
pub const EXTERNAL_ID_LENGTH: std::ops::RangeInclusive<usize> = 16..=1224;

/// Why `id` cannot be the bootstrap's ExternalId, if it cannot: checked before the template is
/// written, since CloudFormation would refuse it only when the stack is deployed.
pub fn external_id_problem(id: &str) -> Option<String> {
    let pattern = regex::Regex::new(EXTERNAL_ID_PATTERN).expect("a valid pattern");
    if !EXTERNAL_ID_LENGTH.contains(&id.len()) {
        Some(format!(
            "an ExternalId has {} to {} characters; this one has {}",
            EXTERNAL_ID_LENGTH.start(),
            EXTERNAL_ID_LENGTH.end(),
            id.len()
        ))
    } else if !pattern.is_match(id) {
        Some("an ExternalId has only letters, digits and + = , . @ : / -".into())
    } else {
        None
    }
}

/// Why `arn` cannot be the principal the deployer role trusts, if it cannot.
pub fn principal_problem(arn: &str) -> Option<String> {
    let pattern = regex::Regex::new(PRINCIPAL_PATTERN).expect("a valid pattern");
    (!pattern.is_match(arn)).then(|| {
        format!("\"{arn}\" is not a role, user or role session ARN (arn:aws:iam::ACCOUNT:role/NAME, user/NAME, or arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION); an account's root is refused, since it would let every principal of that account assume the role")
    })
}

/// A fresh ExternalId: 24 random bytes, hex.
pub fn new_external_id() -> std::io::Result<String> {
    let mut bytes = [0u8; 24];
    getrandom::getrandom(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(format!("stackplan-{}", crate::deploy::id::hex(&bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The printed command is pasted into a shell: every value is one word, whatever it holds.
    #[test]
    fn the_command_quotes_what_a_shell_would_read() {
        let cmd = command(
            "my dir/stackplan-bootstrap.json",
            "<the ARN this server runs as>",
            "a b;rm -rf x'",
        );
        assert!(
            cmd.ends_with(
                r"--template-file 'my dir/stackplan-bootstrap.json' --capabilities CAPABILITY_IAM --parameter-overrides 'TrustedPrincipal=<the ARN this server runs as>' 'ExternalId=a b;rm -rf x'\'''"
            ),
            "{cmd}"
        );
        let plain = command(
            "stackplan-bootstrap.json",
            "arn:aws:iam::111122223333:role/stackplan",
            "stackplan-0a1b",
        );
        assert!(
            plain.ends_with("--template-file stackplan-bootstrap.json --capabilities CAPABILITY_IAM --parameter-overrides TrustedPrincipal=arn:aws:iam::111122223333:role/stackplan ExternalId=stackplan-0a1b"),
            "{plain}"
        );
    }

    #[test]
    fn external_ids_and_principals_are_checked_as_the_template_checks_them() {
        let fresh = new_external_id().unwrap();
        assert_eq!(external_id_problem(&fresh), None);
        for bad in ["short", "a b;rm -rf x and more", "", &"x".repeat(1225)] {
            assert!(external_id_problem(bad).is_some(), "{bad}");
        }
        for good in [
            "arn:aws:iam::111122223333:role/stackplan",
            "arn:aws:sts::111122223333:assumed-role/admin/me",
            "arn:aws-cn:iam::111122223333:user/ci",
        ] {
            assert_eq!(principal_problem(good), None, "{good}");
        }
        for bad in [
            "not an arn",
            "arn:aws:iam::1111:role/x",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::111122223333:root",
            "arn:aws:sts::111122223333:root",
            "arn:aws:iam::111122223333:group/admins",
            "arn:aws:sts::111122223333:federated-user/x",
        ] {
            assert!(principal_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn every_registry_type_has_its_actions_and_none_is_service_wide() {
        let actions = execution_actions();
        assert!(actions.len() > 100, "{}", actions.len());
        for a in actions.keys() {
            assert!(!a.ends_with(":*") && *a != "*", "{a}");
        }
        let t = template(&Options::default());
        let deployer = serde_json::to_string(&t["Resources"]["DeployerRole"]).unwrap();
        assert!(!deployer.contains("\"cloudformation:*\"") && !deployer.contains("\"iam:*\""));
        // No import change set: it would make an existing resource the stack's.
        assert!(deployer.contains(r#"{"Sid":"NeverImportExistingResources","Effect":"Deny","Action":"cloudformation:CreateChangeSet","Resource":"*","Condition":{"Null":{"cloudformation:ImportResourceTypes":"false"}}}"#), "{deployer}");
        // It sees images only in the account's own repositories, and only whether they are
        // there.
        let images = statement(&t, "DeployerRole", "SeeImagesInTheAccountsRepositories");
        assert_eq!(images["Action"], serde_json::json!(["ecr:DescribeImages"]));
        assert_eq!(
            images["Resource"]["Fn::Sub"],
            "arn:${AWS::Partition}:ecr:*:${AWS::AccountId}:repository/*"
        );
        // It sees whether secrets and parameters under the settings prefixes exist: their
        // metadata, never a value.
        let stores = statement(&t, "DeployerRole", "SeeWhetherSettingsExist");
        assert_eq!(
            stores["Action"],
            serde_json::json!(["secretsmanager:DescribeSecret", "ssm:ListTagsForResource"])
        );
        assert_eq!(
            stores["Resource"],
            serde_json::json!([
                {"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:*:${AWS::AccountId}:secret:stackplan/*"},
                {"Fn::Sub": "arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:parameter/stackplan/*"}
            ])
        );
        // Without a settings prefix there is nothing to look up, and no statement.
        let none = template(&Options {
            settings_prefixes: Vec::new(),
            ..Options::default()
        });
        assert!(
            !serde_json::to_string(&none["Resources"]["DeployerRole"])
                .unwrap()
                .contains("SeeWhetherSettingsExist")
        );
        // It writes code only under stackplan-code/ of code buckets in its own account.
        let code = statement(&t, "DeployerRole", "StoreFunctionCodeInStackCodeBuckets");
        assert_eq!(code["Action"], serde_json::json!(["s3:PutObject"]));
        assert_eq!(
            code["Resource"]["Fn::Sub"],
            "arn:${AWS::Partition}:s3:::stackplan-code-*/stackplan-code/*"
        );
        assert_eq!(
            code["Condition"]["StringEquals"]["s3:ResourceAccount"]["Fn::Sub"],
            "${AWS::AccountId}"
        );
        // Its key use is S3's, encrypting for a code bucket, never another bucket's.
        let kms = statement(&t, "DeployerRole", "EncryptFunctionCodeThroughS3");
        assert_eq!(
            kms["Condition"]["StringLike"]["kms:EncryptionContext:aws:s3:arn"]["Fn::Sub"],
            "arn:${AWS::Partition}:s3:::stackplan-code-*"
        );
        // Every managed policy fits AWS's 6,144 characters.
        assert_eq!(policy_size_problems(&t), Vec::<String>::new());
    }

    /// The execution role is denied each restore, copy or import of what exists, on the
    /// resources named (`tests/tests/bootstrap.rs` checks them against AWS's data).
    #[test]
    fn the_execution_role_copies_nothing_that_exists() {
        let t = template(&Options::default());
        for n in &NEVER_GENERATED {
            let s = statement(&t, "ExecutionRole", n.sid);
            let on = if n.on == "*" {
                json!("*")
            } else {
                json!({ "Fn::Sub": n.on })
            };
            assert_eq!(
                (&s["Effect"], &s["Action"], &s["Resource"]),
                (&json!("Deny"), &json!(n.actions), &on),
                "{}",
                n.sid
            );
            assert!(s.get("Condition").is_none(), "{}", n.sid);
        }
    }

    /// The deployer makes change sets only with the template's resource types declared, all
    /// of them Stackplan's, and runs or deletes only its own change sets on tagged stacks; the
    /// execution role attaches nothing to what is not tagged as Stackplan's.
    #[test]
    fn change_sets_declare_stackplans_types_and_attachments_need_the_tag() {
        let t = template(&Options::default());
        let find = |role: &str, sid: &str| statement(&t, role, sid);
        let declared = find("DeployerRole", "DeclareTheResourceTypes");
        assert_eq!(
            (&declared["Effect"], &declared["Action"]),
            (
                &json!("Deny"),
                &json!([
                    "cloudformation:CreateChangeSet",
                    "cloudformation:CreateStack"
                ])
            )
        );
        assert_eq!(
            declared["Condition"],
            json!({"Null": {"cloudformation:ResourceTypes": "true"}})
        );
        let types = find("DeployerRole", "OnlyStackplansResourceTypes");
        assert_eq!(types["Effect"], "Deny");
        assert_eq!(types["Action"], declared["Action"]);
        // Stacks are made, changed and deleted only in the regions a plan can name.
        let regions = find("DeployerRole", "OnlyTheRegionsStackplanPlans");
        assert_eq!(
            (&regions["Effect"], &regions["Resource"]),
            (&json!("Deny"), &json!("*"))
        );
        let changes = find("DeployerRole", "ChangeOnlyTaggedStacks");
        let denied: Vec<&Value> = regions["Action"].as_array().unwrap().iter().collect();
        let granted: Vec<&Value> = declared["Action"]
            .as_array()
            .unwrap()
            .iter()
            .chain(changes["Action"].as_array().unwrap())
            .collect();
        assert_eq!(denied, granted);
        assert_eq!(
            regions["Condition"],
            json!({"StringNotEquals": {"aws:RequestedRegion": [
                "us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1",
                "ap-northeast-1"
            ]}})
        );
        // Both ways of making a stack need the tag in the request and the execution role.
        let made = find(
            "DeployerRole",
            "TaggedStacksAndChangeSetsWithTheExecutionRole",
        );
        assert_eq!(made["Action"], declared["Action"]);
        assert_eq!(
            made["Condition"]["StringEquals"][format!("aws:RequestTag/{MANAGED_TAG}")],
            MANAGED_VALUE
        );
        let allowed =
            &types["Condition"]["ForAnyValue:StringNotEquals"]["cloudformation:ResourceTypes"];
        let registry: Vec<&str> = shared::resources::REGISTRY.iter().map(|r| r.name).collect();
        assert_eq!(allowed, &json!(registry));
        // Every template of the matrix stays within them.
        for (name, plan) in examples::matrix() {
            let Ok(valid) = ValidPlan::new(plan) else {
                continue;
            };
            for r in template::generate(&valid).resources().values() {
                let ty = r["Type"].as_str().unwrap();
                assert!(registry.contains(&ty), "{name}: {ty}");
            }
        }
        // Execute and delete: only on tagged stacks; no grant of them on anything else (the
        // grant on `changeSet/stackplan-*/*` stop 38 had granted nothing: IAM authorises both
        // on the stack).
        let run = find("DeployerRole", "ChangeOnlyTaggedStacks");
        assert_eq!(
            run["Condition"],
            json!({"StringEquals": {"aws:ResourceTag/stackplan:managed": "true"}})
        );
        for policy in t["Resources"]["DeployerRole"]["Properties"]["Policies"]
            .as_array()
            .unwrap()
        {
            for st in policy["PolicyDocument"]["Statement"].as_array().unwrap() {
                let text = st["Action"].to_string();
                assert!(!text.contains('*'), "a wildcard action: {text}");
                if st["Effect"] == "Allow"
                    && (text.contains("ExecuteChangeSet") || text.contains("DeleteChangeSet"))
                {
                    assert_eq!(st["Sid"], "ChangeOnlyTaggedStacks");
                }
            }
        }
        // The execution role.
        let attach = find("ExecutionRole", "AttachOnlyToWhatStackplanMade");
        assert_eq!(attach["Effect"], "Deny");
        assert_eq!(
            attach["Condition"],
            json!({"StringNotEquals": {"aws:ResourceTag/stackplan:managed": "true"}})
        );
        let denied: Vec<&str> = TAGGED_TARGETS.iter().map(|(a, _)| *a).collect();
        assert_eq!(attach["Action"], json!(denied));
        let granted = execution_actions();
        for (action, target) in TAGGED_TARGETS {
            assert!(granted.contains_key(action), "{action} is not the role's");
            assert!(registry.contains(&target), "{target}");
        }
        // Every policy fits IAM's limits.
        assert_eq!(policy_size_problems(&t), Vec::<String>::new());
    }

    /// A bootstrap whose lists would make a policy too long for IAM is refused, naming it;
    /// a long list that fits is not.
    #[test]
    fn lists_too_long_for_iam_are_refused() {
        let zones = |n: usize| Options {
            settings_prefixes: Options::default().settings_prefixes,
            hosted_zone_ids: (0..n).map(|i| format!("Z{i:020}")).collect(),
        };
        assert_eq!(zones(20).problems(), Vec::<String>::new());
        let problems = zones(400).problems();
        assert!(
            !problems.is_empty()
                && problems
                    .iter()
                    .all(|p| p.contains("over IAM's") && p.contains("fewer")),
            "{problems:?}"
        );
    }

    /// Every bootstrap IAM takes fits the deploy command it prints (`--template-file`, no
    /// bucket): the longest lists that pass are written on one line, the short ones indented.
    #[test]
    fn every_bootstrap_iam_takes_fits_the_deploy_command() {
        let lists = |n: usize| Options {
            settings_prefixes: (0..n)
                .map(|i| format!("stackplan/tenant-{i:03}/"))
                .collect(),
            hosted_zone_ids: (0..n).map(|i| format!("Z{i:020}")).collect(),
        };
        let pretty = template_json(&Options::default());
        assert!(pretty.lines().count() > 100, "the default stays indented");
        let mut n = 1;
        while lists(n + 1).problems().is_empty() {
            n += 1;
        }
        assert!(n >= 10, "{n}");
        assert_eq!(
            template_json(&lists(10)).lines().count(),
            1,
            "too long indented"
        );
        for options in [lists(10), lists(n)] {
            let text = template_json(&options);
            assert!(text.len() <= INLINE_TEMPLATE_BYTES, "{}", text.len());
            assert_eq!(
                serde_json::from_str::<Value>(&text).unwrap(),
                template(&options),
                "the same template, written shorter"
            );
        }
    }

    /// The statement `sid` of `role`'s inline policies.
    fn statement(t: &Value, role: &str, sid: &str) -> Value {
        t["Resources"][role]["Properties"]["Policies"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["PolicyDocument"]["Statement"].as_array().unwrap().iter())
            .find(|s| s["Sid"] == sid)
            .unwrap_or_else(|| panic!("{role} has no {sid}"))
            .clone()
    }

    /// Every statement of the boundary and the execution role's policies.
    fn statements(t: &Value) -> Vec<(String, Value)> {
        let r = &t["Resources"];
        let mut out = Vec::new();
        let mut docs = vec![(
            "PermissionsBoundary".to_string(),
            &r["PermissionsBoundary"]["Properties"]["PolicyDocument"],
        )];
        for (id, res) in r.as_object().unwrap() {
            if id.starts_with("ExecutionPolicy") {
                docs.push((id.clone(), &res["Properties"]["PolicyDocument"]));
            }
        }
        for p in r["ExecutionRole"]["Properties"]["Policies"]
            .as_array()
            .unwrap()
        {
            docs.push(("ExecutionRole".into(), &p["PolicyDocument"]));
        }
        for (id, doc) in docs {
            for st in doc["Statement"].as_array().unwrap() {
                out.push((id.clone(), st.clone()));
            }
        }
        out
    }

    fn actions(st: &Value) -> Vec<String> {
        match &st["Action"] {
            Value::String(a) => vec![a.clone()],
            Value::Array(l) => l.iter().map(|a| a.as_str().unwrap().to_string()).collect(),
            _ => vec![],
        }
    }

    #[test]
    fn secrets_parameters_and_zones_are_granted_only_within_the_bootstrap_options() {
        let options = Options {
            settings_prefixes: vec!["stackplan/".into(), "shop/".into()],
            hosted_zone_ids: vec!["ZAAA".into()],
        };
        for (opts, zones) in [(options.clone(), true), (Options::default(), false)] {
            let t = template(&opts);
            let all = statements(&t);
            let mut seen = BTreeSet::new();
            for (id, st) in &all {
                for a in actions(st) {
                    if !SCOPED.contains(&a.as_str()) {
                        continue;
                    }
                    seen.insert((id.clone(), a.clone()));
                    let text = st["Resource"].to_string();
                    assert!(!text.contains("\"*\""), "{id} grants {a} on *: {st}");
                    match a.as_str() {
                        "route53:ChangeResourceRecordSets" => {
                            assert!(zones && text.contains("hostedzone/ZAAA"), "{id}: {st}");
                            assert_eq!(st["Resource"].as_array().unwrap().len(), 1);
                        }
                        "ssm:GetParameters" => {
                            for p in &opts.settings_prefixes {
                                assert!(text.contains(&format!("parameter/{p}*")), "{st}");
                            }
                        }
                        _ => {
                            let tagged = st["Condition"]["StringEquals"]["aws:ResourceTag/stackplan:managed"]
                                == "true";
                            // RDS's master secrets are for the tasks, never CloudFormation.
                            let named = opts
                                .settings_prefixes
                                .iter()
                                .all(|p| text.contains(&format!("secret:{p}*")))
                                && text.contains("secret:rds!*") == (id == "PermissionsBoundary");
                            assert!(tagged || named, "{id}: {st}");
                        }
                    }
                }
            }
            // The roles' ceiling and CloudFormation's role both read secrets this way; only
            // the roles read parameters (ECS does, for a task), and only CloudFormation writes
            // records, and only with zones listed.
            for id in ["PermissionsBoundary", "ExecutionRole"] {
                assert!(seen.contains(&(id.into(), "secretsmanager:GetSecretValue".into())));
                assert_eq!(
                    seen.contains(&(id.into(), "ssm:GetParameters".into())),
                    id == "PermissionsBoundary"
                );
            }
            assert_eq!(
                seen.contains(&(
                    "ExecutionRole".into(),
                    "route53:ChangeResourceRecordSets".into()
                )),
                zones
            );
            assert_eq!(
                t["Outputs"]["HostedZoneIds"]["Value"],
                if zones { "ZAAA" } else { "(none)" }
            );
        }
        assert_eq!(
            options.serve_flags(),
            " --settings-prefix stackplan/ --settings-prefix shop/ --hosted-zone-id ZAAA"
        );
        assert_eq!(Options::default().serve_flags(), "");
        let none = Options {
            settings_prefixes: vec![],
            hosted_zone_ids: vec![],
        };
        assert_eq!(none.serve_flags(), " --no-settings-prefix");
        assert!(
            !statements(&template(&none))
                .iter()
                .any(|(_, st)| actions(st).contains(&"ssm:GetParameters".to_string()))
        );
        // Every statement names what it acts on: IAM refuses a policy with a statement on
        // no resource (with no prefix, the execution role reads no secret under one).
        for (role, st) in statements(&template(&none)) {
            let resource = &st["Resource"];
            let empty = resource.is_null()
                || resource.as_array().is_some_and(Vec::is_empty)
                || resource.as_str() == Some("");
            assert!(
                !empty || st.get("NotResource").is_some(),
                "{role}: a statement on no resource: {st}"
            );
        }
        let bad = Options {
            settings_prefixes: vec!["prod/*".into()],
            hosted_zone_ids: vec!["/hostedzone/Z1".into()],
        };
        assert_eq!(bad.problems().len(), 2);
    }

    /// The execution role hands services only the stacks' own roles: every role of every
    /// matrix plan's template sits under the path PassRole is limited to, and no other
    /// statement of the execution role allows PassRole.
    #[test]
    fn only_the_stacks_own_roles_are_passed() {
        let t = template(&Options::default());
        let passing: Vec<_> = statements(&t)
            .into_iter()
            .filter(|(_, st)| {
                st["Effect"] == "Allow"
                    && actions(st)
                        .iter()
                        .any(|a| a == "iam:PassRole" || a == "iam:*" || a == "*")
            })
            .collect();
        assert_eq!(passing.len(), 1, "{passing:?}");
        let (_, pass) = &passing[0];
        assert_eq!(
            pass["Resource"]["Fn::Sub"],
            format!(
                "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role{}*",
                shared::template::ROLE_PATH
            )
        );
        for (name, plan) in shared::examples::matrix() {
            let valid = shared::ValidPlan::new(plan).unwrap();
            let generated = shared::template::generate(&valid);
            for (id, ty) in generated.resource_types() {
                if ty == "AWS::IAM::Role" {
                    assert_eq!(
                        generated.resources()[id]["Properties"]["Path"].as_str(),
                        Some(shared::template::ROLE_PATH),
                        "{name}: {id}"
                    );
                }
            }
        }
    }

    /// The execution role creates, changes and deletes only roles under the stacks' own path:
    /// with `role/*` it could rewrite the trust policy of any role in the account (an admin
    /// role's included) from a template someone else passed it to CloudFormation with. What
    /// it may do on every role is list them, in a statement of its own.
    #[test]
    fn the_execution_role_touches_only_the_stacks_own_roles() {
        let t = template(&Options::default());
        assert!(ACCOUNT_WIDE.iter().all(|a| a.starts_with("iam:List")));
        let listed = statement(&t, "ExecutionRole", "ListRolesAsHandlersDo");
        assert_eq!(
            (&listed["Action"], &listed["Resource"]),
            (&json!(ACCOUNT_WIDE), &json!("*"))
        );
        let own = format!(
            "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role{}*",
            shared::template::ROLE_PATH
        );
        let mut checked = 0;
        for (id, st) in statements(&t) {
            let iam: Vec<String> = actions(&st)
                .into_iter()
                .filter(|a| {
                    a.starts_with("iam:")
                        && a != "iam:CreateServiceLinkedRole"
                        && !ACCOUNT_WIDE.contains(&a.as_str())
                })
                .collect();
            if id != "ExecutionRole" || st["Effect"] != "Allow" || iam.is_empty() {
                continue;
            }
            assert_eq!(st["Resource"]["Fn::Sub"], own, "{iam:?}");
            checked += iam.len();
        }
        for a in [
            "iam:CreateRole",
            "iam:DeleteRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:PassRole",
        ] {
            assert!(
                execution_actions().contains_key(a),
                "{a} is not an execution action"
            );
        }
        assert!(checked >= 4, "only {checked} IAM actions checked");
    }

    #[test]
    fn the_boundary_holds_what_the_templates_roles_use() {
        let actions = boundary_actions();
        for a in [
            "logs:PutLogEvents",
            "dynamodb:GetItem",
            "s3:GetObject",
            "ecr:BatchGetImage",
        ] {
            assert!(actions.contains(a), "{a}");
        }
        assert!(actions.iter().all(|a| !a.starts_with("iam:")));
    }
}
