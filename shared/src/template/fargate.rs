//! The ECS Fargate architecture: VPC over two AZs, ALB, Fargate service with autoscaling,
//! optional RDS PostgreSQL and ElastiCache Redis, ECR, S3, logs, alarms and SNS.

use super::Node;

use super::json_macro::json;

use super::domain;
use super::settings;
use super::storage::{self, LogWriters};
use super::{Builder, att, log_group, policy_doc, r, sub, trust};
use crate::environment;
use crate::plan::EnvSource;
use crate::plan::{CpuArch, Fargate, NatGateways, Plan};

/// PostgreSQL engine version (current and supported; cfn-lint flags deprecated minors).
pub const POSTGRES_VERSION: &str = "17.6";
/// Redis OSS engine version.
pub const REDIS_VERSION: &str = "7.1";
pub const CONTAINER: &str = "app";
/// Images the repository's lifecycle rule keeps (the estimate stores as many).
pub const ECR_IMAGES_KEPT: u32 = 30;
/// The bind-mount volume a read-only root file system writes to, at `/tmp`.
const SCRATCH_VOLUME: &str = "scratch";
const DB_PORT: u16 = 5432;
/// The database's port in a governed account, whose CT.RDS.PR.20 refuses the engine's default
/// (the service reads it from `DB_PORT` either way).
pub const GOVERNED_DB_PORT: u16 = 5433;

fn db_port(plan: &Plan) -> u16 {
    if plan.governed {
        GOVERNED_DB_PORT
    } else {
        DB_PORT
    }
}
const REDIS_PORT: u16 = 6379;

const NO_EGRESS: &str = "No outbound traffic: this group only receives connections";

/// The placeholder rule that removes a security group's default allow-all egress.
fn no_egress() -> Node {
    json!([{
        "CidrIp": "255.255.255.255/32",
        "IpProtocol": "icmp",
        "FromPort": 252,
        "ToPort": 86,
        "Description": NO_EGRESS
    }])
}

/// The condition under which the service waits for its image with no task running.
const WAITING_FOR_IMAGE: &str = "WaitingForImage";

/// A task count: 0 while the stack's own repository waits for the image, else `count`.
fn tasks(f: &Fargate, count: u32) -> Node {
    if f.image.is_none() {
        json!({ "Fn::If": [WAITING_FOR_IMAGE, 0, count] })
    } else {
        json!(count)
    }
}

pub(super) fn az(index: u32) -> Node {
    json!({ "Fn::Select": [index, { "Fn::GetAZs": "" }] })
}

pub fn build(b: &mut Builder<'_>, f: &Fargate) {
    let plan = b.plan;
    b.describe(format!(
        "Stackplan: {} on ECS Fargate in {} ({} vCPU, {} MiB, {}-{} tasks{})",
        plan.project,
        plan.region,
        crate::decimal::Plain(f.vcpu),
        f.memory_mib,
        f.min_tasks,
        f.max_tasks,
        if https_on(plan, f) {
            ", HTTPS"
        } else {
            ", HTTP only"
        }
    ));
    b.parameter(
        super::IMAGE_TAG_PARAMETER,
        json!({
            "Type": "String",
            "Default": f.image_tag,
            "AllowedPattern": super::IMAGE_TAG_PATTERN,
            "ConstraintDescription": super::IMAGE_TAG_RULE,
            "Description": "Container image tag to deploy"
        }),
    );
    if f.image.is_none() {
        // The stack's own repository is empty when the stack is created: a service started on
        // an image that is not there fails its deployment, and the circuit breaker rolls the
        // whole stack back, database included. So the service runs no task until the image is
        // pushed, and "true" (an update) starts it at the planned count.
        b.parameter(
            super::IMAGE_READY_PARAMETER,
            json!({
                "Type": "String",
                "Default": "false",
                "AllowedValues": ["false", "true"],
                "Description": "true once ImageTag is in the stack's repository; until then the service runs no task"
            }),
        );
        b.condition(
            WAITING_FOR_IMAGE,
            json!({ "Fn::Equals": [r(super::IMAGE_READY_PARAMETER), "false"] }),
        );
    }
    network(b, f);
    security_groups(b, f);
    if plan.governed {
        super::kms::stack_key(b, &ALARMS.map(|(id, _, _)| id), f.database.is_some());
    }
    storage::log_bucket(
        b,
        LogWriters {
            load_balancer: true,
            flow_logs: true,
        },
    );
    storage::app_bucket(b);
    if f.https.is_none()
        && let Some(d) = &plan.domain
    {
        domain::certificate(b, d);
    }
    load_balancer(b, f);
    if let Some(d) = &plan.domain {
        domain::alias(
            b,
            d,
            att("LoadBalancer", "DNSName"),
            att("LoadBalancer", "CanonicalHostedZoneID"),
        );
    }
    registry(b);
    log_group(b, "LogGroup", "app", f.log_retention_days);
    if let Some(db) = &f.database {
        database(b, db);
    }
    if let Some(cache) = &f.cache {
        cache_cluster(b, cache);
    }
    settings::generated_secrets(b);
    roles(b, f);
    service(b, f);
    scaling_and_alarms(b, f);
    outputs(b, f);
}

fn network(b: &mut Builder<'_>, f: &Fargate) {
    b.add(
        "Vpc",
        "AWS::EC2::VPC",
        json!({ "CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": true, "EnableDnsSupport": true }),
    );
    b.add("InternetGateway", "AWS::EC2::InternetGateway", json!({}));
    b.add(
        "VpcGatewayAttachment",
        "AWS::EC2::VPCGatewayAttachment",
        json!({ "VpcId": r("Vpc"), "InternetGatewayId": r("InternetGateway") }),
    );
    for (suffix, index) in [("A", 0u32), ("B", 1)] {
        b.add(
            format!("PublicSubnet{suffix}"),
            "AWS::EC2::Subnet",
            json!({
                "VpcId": r("Vpc"),
                "CidrBlock": format!("10.0.{index}.0/24"),
                "AvailabilityZone": az(index),
                "MapPublicIpOnLaunch": false
            }),
        );
        b.add(
            format!("PrivateSubnet{suffix}"),
            "AWS::EC2::Subnet",
            json!({
                "VpcId": r("Vpc"),
                "CidrBlock": format!("10.0.{}.0/24", 10 + index),
                "AvailabilityZone": az(index),
                "MapPublicIpOnLaunch": false
            }),
        );
    }
    b.add(
        "PublicRouteTable",
        "AWS::EC2::RouteTable",
        json!({ "VpcId": r("Vpc") }),
    );
    b.add(
        "PublicDefaultRoute",
        "AWS::EC2::Route",
        json!({
            "RouteTableId": r("PublicRouteTable"),
            "DestinationCidrBlock": "0.0.0.0/0",
            "GatewayId": r("InternetGateway")
        }),
    )
    .depends_on(&["VpcGatewayAttachment"]);
    let nat_suffixes: &[&str] = match f.nat_gateways {
        NatGateways::Single => &["A"],
        NatGateways::PerAz => &["A", "B"],
    };
    for suffix in nat_suffixes {
        b.add(
            format!("NatEip{suffix}"),
            "AWS::EC2::EIP",
            json!({ "Domain": "vpc" }),
        )
        .depends_on(&["VpcGatewayAttachment"]);
        b.add(
            format!("NatGateway{suffix}"),
            "AWS::EC2::NatGateway",
            json!({
                "AllocationId": att(format!("NatEip{suffix}"), "AllocationId"),
                "SubnetId": r(format!("PublicSubnet{suffix}"))
            }),
        );
    }
    for suffix in ["A", "B"] {
        b.add(
            format!("PublicSubnet{suffix}RouteTableAssociation"),
            "AWS::EC2::SubnetRouteTableAssociation",
            json!({ "SubnetId": r(format!("PublicSubnet{suffix}")), "RouteTableId": r("PublicRouteTable") }),
        );
        let table = format!("PrivateRouteTable{suffix}");
        b.add(
            table.clone(),
            "AWS::EC2::RouteTable",
            json!({ "VpcId": r("Vpc") }),
        );
        let nat = if f.nat_gateways == NatGateways::PerAz {
            suffix
        } else {
            "A"
        };
        b.add(
            format!("PrivateDefaultRoute{suffix}"),
            "AWS::EC2::Route",
            json!({
                "RouteTableId": r(table.clone()),
                "DestinationCidrBlock": "0.0.0.0/0",
                "NatGatewayId": r(format!("NatGateway{nat}"))
            }),
        );
        b.add(
            format!("PrivateSubnet{suffix}RouteTableAssociation"),
            "AWS::EC2::SubnetRouteTableAssociation",
            json!({ "SubnetId": r(format!("PrivateSubnet{suffix}")), "RouteTableId": r(table.clone()) }),
        );
    }
    // S3 through a gateway endpoint: free, and the tasks' S3 traffic stays off the NAT.
    b.add(
        "S3GatewayEndpoint",
        "AWS::EC2::VPCEndpoint",
        json!({
            "VpcEndpointType": "Gateway",
            "ServiceName": sub("com.amazonaws.${AWS::Region}.s3"),
            "VpcId": r("Vpc"),
            "RouteTableIds": [r("PrivateRouteTableA"), r("PrivateRouteTableB")]
        }),
    );
    storage::vpc_flow_log(b);
}

/// Whether the load balancer speaks HTTPS: with the plan's certificate, or the domain's.
pub(crate) fn https_on(plan: &Plan, f: &Fargate) -> bool {
    f.https.is_some() || plan.domain.is_some()
}

/// The HTTPS listener's certificate: the plan's own ARN, else the stack's for its domain.
fn certificate(plan: &Plan, f: &Fargate) -> Option<Node> {
    match (&f.https, &plan.domain) {
        (Some(https), _) => Some(json!(https.certificate_arn)),
        (None, Some(_)) => Some(domain::certificate_ref()),
        (None, None) => None,
    }
}

fn listener_ports(plan: &Plan, f: &Fargate) -> Vec<u16> {
    if https_on(plan, f) {
        vec![80, 443]
    } else {
        vec![80]
    }
}

fn security_groups(b: &mut Builder<'_>, f: &Fargate) {
    let ingress: Vec<Node> = listener_ports(b.plan, f)
        .into_iter()
        .map(|port| {
            json!({
                "CidrIp": "0.0.0.0/0",
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": port,
                "Description": format!("Internet to the load balancer on port {port}")
            })
        })
        .collect();
    let alb_reason = if https_on(b.plan, f) {
        "public load balancer: port 80 only redirects to HTTPS on 443"
    } else {
        "public load balancer: port 80 is its front door (the plan has no certificate, HTTP only)"
    };
    b.add(
        "LoadBalancerSecurityGroup",
        "AWS::EC2::SecurityGroup",
        json!({
            "GroupDescription": "Load balancer: HTTP(S) from the internet, out to the service only",
            "VpcId": r("Vpc"),
            "SecurityGroupIngress": ingress,
            "SecurityGroupEgress": no_egress()
        }),
    )
    .skip("CKV_AWS_260", alb_reason);
    b.add(
        "LoadBalancerToServiceEgress",
        "AWS::EC2::SecurityGroupEgress",
        json!({
            "GroupId": r("LoadBalancerSecurityGroup"),
            "DestinationSecurityGroupId": r("ServiceSecurityGroup"),
            "IpProtocol": "tcp",
            "FromPort": f.container_port,
            "ToPort": f.container_port,
            "Description": "Load balancer to the service containers"
        }),
    );
    b.add(
        "ServiceSecurityGroup",
        "AWS::EC2::SecurityGroup",
        json!({
            "GroupDescription": "Service tasks: from the load balancer only; out to HTTPS and the data stores",
            "VpcId": r("Vpc"),
            "SecurityGroupIngress": [{
                "SourceSecurityGroupId": r("LoadBalancerSecurityGroup"),
                "IpProtocol": "tcp",
                "FromPort": f.container_port,
                "ToPort": f.container_port,
                "Description": "Load balancer to the containers"
            }],
            "SecurityGroupEgress": [{
                "CidrIp": "0.0.0.0/0",
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "Description": "HTTPS to AWS APIs and the image registry, through the NAT gateway"
            }]
        }),
    );
    let stores: Vec<(&str, &str, u16)> = [
        f.database
            .as_ref()
            .map(|_| ("Database", "PostgreSQL", db_port(b.plan))),
        f.cache.as_ref().map(|_| ("Cache", "Redis", REDIS_PORT)),
    ]
    .into_iter()
    .flatten()
    .collect();
    for (store, label, port) in stores {
        let group = format!("{store}SecurityGroup");
        b.add(
            group.clone(),
            "AWS::EC2::SecurityGroup",
            json!({
                "GroupDescription": format!("{label}: from the service tasks only"),
                "VpcId": r("Vpc"),
                "SecurityGroupIngress": [{
                    "SourceSecurityGroupId": r("ServiceSecurityGroup"),
                    "IpProtocol": "tcp",
                    "FromPort": port,
                    "ToPort": port,
                    "Description": format!("Service tasks to {label}")
                }],
                "SecurityGroupEgress": no_egress()
            }),
        );
        b.add(
            format!("ServiceTo{store}Egress"),
            "AWS::EC2::SecurityGroupEgress",
            json!({
                "GroupId": r("ServiceSecurityGroup"),
                "DestinationSecurityGroupId": r(group.clone()),
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": port,
                "Description": format!("Service tasks to {label}")
            }),
        );
    }
}

fn load_balancer(b: &mut Builder<'_>, f: &Fargate) {
    let mut attributes = vec![
        json!({ "Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true" }),
        json!({ "Key": "access_logs.s3.enabled", "Value": "true" }),
    ];
    attributes.extend(storage::load_balancer_log_attributes(b));
    if b.plan.governed {
        attributes.push(json!({ "Key": "deletion_protection.enabled", "Value": "true" }));
    }
    let after = [storage::log_policy_dependency(b), &["VpcGatewayAttachment"]].concat();
    b.add(
        "LoadBalancer",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        json!({
            "Type": "application",
            "Scheme": "internet-facing",
            "Subnets": [r("PublicSubnetA"), r("PublicSubnetB")],
            "SecurityGroups": [r("LoadBalancerSecurityGroup")],
            "LoadBalancerAttributes": attributes
        }),
    )
    .depends_on(&after);
    b.add(
        "TargetGroup",
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        json!({
            "TargetType": "ip",
            "Protocol": "HTTP",
            "Port": f.container_port,
            "VpcId": r("Vpc"),
            "HealthCheckPath": f.health_check_path,
            "HealthCheckIntervalSeconds": 15,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 3,
            "Matcher": { "HttpCode": "200-399" },
            "TargetGroupAttributes": [{ "Key": "deregistration_delay.timeout_seconds", "Value": "30" }]
        }),
    );
    match certificate(b.plan, f) {
        Some(certificate) => {
            b.add(
                "HttpListener",
                "AWS::ElasticLoadBalancingV2::Listener",
                json!({
                    "LoadBalancerArn": r("LoadBalancer"),
                    "Port": 80,
                    "Protocol": "HTTP",
                    "DefaultActions": [{
                        "Type": "redirect",
                        "RedirectConfig": { "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301" }
                    }]
                }),
            );
            b.add(
                "HttpsListener",
                "AWS::ElasticLoadBalancingV2::Listener",
                json!({
                    "LoadBalancerArn": r("LoadBalancer"),
                    "Port": 443,
                    "Protocol": "HTTPS",
                    "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                    "Certificates": [{ "CertificateArn": certificate }],
                    "DefaultActions": [{ "Type": "forward", "TargetGroupArn": r("TargetGroup") }]
                }),
            );
        }
        None => {
            b.add(
                "HttpListener",
                "AWS::ElasticLoadBalancingV2::Listener",
                json!({
                    "LoadBalancerArn": r("LoadBalancer"),
                    "Port": 80,
                    "Protocol": "HTTP",
                    "DefaultActions": [{ "Type": "forward", "TargetGroupArn": r("TargetGroup") }]
                }),
            )
            .skip(
                "CKV_AWS_2",
                "the plan has no certificate: HTTP only, as the plan states",
            )
            .skip(
                "CKV_AWS_103",
                "the plan has no certificate: there is no TLS listener to configure",
            );
        }
    }
}

fn registry(b: &mut Builder<'_>) {
    let lifecycle = json!({ "rules": [{
        "rulePriority": 1,
        "description": format!("Keep the {ECR_IMAGES_KEPT} newest images"),
        "selection": { "tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": ECR_IMAGES_KEPT },
        "action": { "type": "expire" }
    }] });
    b.add(
        "Repository",
        "AWS::ECR::Repository",
        json!({
            "ImageTagMutability": "IMMUTABLE",
            "ImageScanningConfiguration": { "ScanOnPush": true },
            "EncryptionConfiguration": { "EncryptionType": "KMS" },
            "LifecyclePolicy": { "LifecyclePolicyText": lifecycle.to_string() }
        }),
    )
    .keep("Retain");
}

/// The database name inside PostgreSQL: the project name with `_` for `-`.
pub fn database_name(project: &str) -> String {
    project.replace('-', "_")
}

/// The database user the task may log in as with IAM (`rds-db:connect`), not the password
/// user `app`.
pub const DB_IAM_USER: &str = "app_iam";

/// The most storage a gp3 PostgreSQL instance takes.
const RDS_GP3_MAX_GIB: u32 = 65_536;

fn database(b: &mut Builder<'_>, db: &crate::plan::Database) {
    b.add(
        "DatabaseSubnetGroup",
        "AWS::RDS::DBSubnetGroup",
        json!({
            "DBSubnetGroupDescription": "Private subnets for PostgreSQL",
            "SubnetIds": [r("PrivateSubnetA"), r("PrivateSubnetB")]
        }),
    );
    // Storage autoscaling up to twice the allocation. RDS wants the ceiling at least 10% above
    // the allocation, and gp3 PostgreSQL goes to 65,536 GiB.
    let max_storage = (db.storage_gb * 2).min(RDS_GP3_MAX_GIB);
    let mut props = json!({
        "Engine": "postgres",
        "EngineVersion": POSTGRES_VERSION,
        "DBInstanceClass": db.instance_class.as_str(),
        "AllocatedStorage": db.storage_gb.to_string(),
        "MaxAllocatedStorage": max_storage,
        "StorageType": "gp3",
        "StorageEncrypted": true,
        "MultiAZ": db.multi_az,
        "BackupRetentionPeriod": db.backup_days,
        "DBName": database_name(&b.plan.project),
        "MasterUsername": "app",
        "ManageMasterUserPassword": true,
        "EnableIAMDatabaseAuthentication": true,
        "DBSubnetGroupName": r("DatabaseSubnetGroup"),
        "VPCSecurityGroups": [r("DatabaseSecurityGroup")],
        "PubliclyAccessible": false,
        "AutoMinorVersionUpgrade": true,
        "CopyTagsToSnapshot": true,
        "EnableCloudwatchLogsExports": ["postgresql", "upgrade"],
        "DeletionProtection": false
    });
    let governed = b.plan.governed;
    if governed {
        props["Port"] = json!(GOVERNED_DB_PORT.to_string());
        props["KmsKeyId"] = super::kms::key_arn();
        props["DeletionProtection"] = json!(true);
        props["MonitoringInterval"] = json!(ENHANCED_MONITORING_SECONDS);
        props["MonitoringRoleArn"] = att(MONITORING_ROLE, "Arn");
        monitoring_role(b);
    }
    let mut res = b
        .add("Database", "AWS::RDS::DBInstance", props)
        .keep("Snapshot");
    if !governed {
        res = res.skip(
            "CKV_AWS_118",
            "Enhanced Monitoring bills per instance through CloudWatch Logs; standard RDS metrics stay on",
        );
    }
    if !db.multi_az {
        res = res.skip(
            "CKV_AWS_157",
            "the plan chose a Single-AZ database to halve its cost",
        );
    }
    let _ = res;
}

/// How often a governed plan's database reports its OS metrics (Enhanced Monitoring).
pub const ENHANCED_MONITORING_SECONDS: u16 = 60;
const MONITORING_ROLE: &str = "DatabaseMonitoringRole";

/// The role RDS sends a governed database's OS metrics with: into the `RDSOSMetrics` log
/// group of this account and region, as AWS's `AmazonRDSEnhancedMonitoringRole` allows, but
/// inline, so the permissions boundary (made from the templates' own policies) holds it too.
fn monitoring_role(b: &mut Builder<'_>) {
    let group =
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:RDSOSMetrics";
    b.add(
        MONITORING_ROLE,
        "AWS::IAM::Role",
        json!({
            "Description": "Lets RDS write the database's OS metrics (Enhanced Monitoring) to CloudWatch Logs",
            "AssumeRolePolicyDocument": trust("monitoring.rds.amazonaws.com"),
            "Policies": [{ "PolicyName": "os-metrics", "PolicyDocument": policy_doc(vec![
                json!({
                    "Sid": "OsMetricsLogGroup",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogGroup", "logs:PutRetentionPolicy"],
                    "Resource": sub(group)
                }),
                json!({
                    "Sid": "OsMetricsLogStreams",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"],
                    "Resource": sub(format!("{group}:log-stream:*"))
                })
            ]) }]
        }),
    );
}

fn cache_cluster(b: &mut Builder<'_>, cache: &crate::plan::Cache) {
    b.add(
        "CacheSubnetGroup",
        "AWS::ElastiCache::SubnetGroup",
        json!({
            "Description": "Private subnets for Redis",
            "SubnetIds": [r("PrivateSubnetA"), r("PrivateSubnetB")]
        }),
    );
    let rbac = b.plan.governed;
    let secret_description = if rbac {
        "Password of the service's Redis user, read by the service through ECS secrets"
    } else {
        "Redis AUTH token, read by the service through ECS secrets"
    };
    b.add(
        "CacheAuthSecret",
        "AWS::SecretsManager::Secret",
        json!({
            "Description": secret_description,
            "GenerateSecretString": {
                "SecretStringTemplate": if rbac {
                    json!({ "username": REDIS_SERVICE_USER }).to_string()
                } else {
                    "{}".to_string()
                },
                "GenerateStringKey": "token",
                "PasswordLength": 64,
                "ExcludePunctuation": true
            }
        }),
    )
    .keep("Delete")
    .skip(
        "CKV_AWS_149",
        "encrypted with the AWS managed key aws/secretsmanager; a customer managed key adds cost and a key policy to run",
    );
    if rbac {
        cache_users(b);
    }
    let replicas = cache.nodes > 1;
    // Signing in: the user group under RBAC, else the AUTH token (in the same place either way).
    let (auth, credential) = if rbac {
        ("UserGroupIds", json!([r("CacheUserGroup")]))
    } else {
        ("AuthToken", sub(cache_password()))
    };
    let mut props = json!({
        "ReplicationGroupDescription": "Redis for the service",
        "Engine": "redis",
        "EngineVersion": REDIS_VERSION,
        "CacheNodeType": cache.node_type.as_str(),
        "NumCacheClusters": cache.nodes,
        "AutomaticFailoverEnabled": replicas,
        "MultiAZEnabled": replicas,
        "Port": REDIS_PORT,
        "CacheSubnetGroupName": r("CacheSubnetGroup"),
        "SecurityGroupIds": [r("CacheSecurityGroup")],
        "AtRestEncryptionEnabled": true,
        "TransitEncryptionEnabled": true,
        "SnapshotRetentionLimit": 1,
        "AutoMinorVersionUpgrade": true
    });
    if let Some(props) = props.as_object_mut() {
        props.insert_after("TransitEncryptionEnabled", auth, credential);
    }
    b.add("Cache", "AWS::ElastiCache::ReplicationGroup", props)
        .keep("Snapshot");
}

/// The generated secret's value, by dynamic reference: CloudFormation resolves it when it deploys.
fn cache_password() -> &'static str {
    "{{resolve:secretsmanager:${CacheAuthSecret}:SecretString:token}}"
}

/// The user name the service signs in to Redis with, under role-based access control.
pub const REDIS_SERVICE_USER: &str = "service";

/// Redis role-based access control (CT.ELASTICACHE.PR.8): the service's own user, with the
/// generated password, and a `default` user switched off, because every user group must hold a
/// user named `default` and whoever connects without signing in is that user. User and group
/// IDs are unique in the account and region, so they carry the stack's own ID.
fn cache_users(b: &mut Builder<'_>) {
    let id = |prefix: &str| {
        json!({ "Fn::Sub": [
            format!("{prefix}-${{StackUuid}}"),
            { "StackUuid": { "Fn::Select": [2, { "Fn::Split": ["/", r("AWS::StackId")] }] } }
        ] })
    };
    b.add(
        "CacheDefaultUser",
        "AWS::ElastiCache::User",
        json!({
            "UserId": id("off"),
            "UserName": "default",
            "Engine": "redis",
            "AccessString": "off -@all",
            "AuthenticationMode": { "Type": "no-password-required" }
        }),
    );
    b.add(
        "CacheServiceUser",
        "AWS::ElastiCache::User",
        json!({
            "UserId": id("svc"),
            "UserName": REDIS_SERVICE_USER,
            "Engine": "redis",
            "AccessString": "on ~* &* +@all",
            "AuthenticationMode": { "Type": "password", "Passwords": [sub(cache_password())] }
        }),
    );
    b.add(
        "CacheUserGroup",
        "AWS::ElastiCache::UserGroup",
        json!({
            "UserGroupId": id("grp"),
            "Engine": "redis",
            "UserIds": [r("CacheDefaultUser"), r("CacheServiceUser")]
        }),
    );
}

/// The ARN of a private ECR repository (see [`ecr_image`]); `None` for any other registry.
fn ecr_repository_arn(image: &str) -> Option<Node> {
    let (account, region, name) = ecr_image(image)?;
    Some(sub(format!(
        "arn:${{AWS::Partition}}:ecr:{region}:{account}:repository/{name}"
    )))
}

/// A private ECR repository's account, region and name, from an image named by one of its
/// registry's hosts followed by `/NAME`: `ACCOUNT.dkr.ecr.REGION.amazonaws.com`, its FIPS form
/// `dkr.ecr-fips`, or the dual-stack `ACCOUNT.dkr-ecr.REGION.on.aws` (and `dkr-ecr-fips`);
/// `None` for any other registry.
pub fn ecr_image(image: &str) -> Option<(&str, &str, &str)> {
    let (host, name) = image.split_once('/')?;
    let (account, rest) = host.split_once('.')?;
    let region = ["dkr.ecr.", "dkr.ecr-fips."]
        .iter()
        .find_map(|p| rest.strip_prefix(p)?.strip_suffix(".amazonaws.com"))
        .or_else(|| {
            ["dkr-ecr.", "dkr-ecr-fips."]
                .iter()
                .find_map(|p| rest.strip_prefix(p)?.strip_suffix(".on.aws"))
        })?;
    let is_account = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    let is_region = crate::environment::region_shaped(region);
    (is_account && is_region).then_some((account, region, name))
}

fn roles(b: &mut Builder<'_>, f: &Fargate) {
    let mut execution = vec![json!({
        "Sid": "WriteLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": att("LogGroup", "Arn")
    })];
    // The stack's own repository, or a private ECR repository the plan names (whose pulls need
    // the same grants; any other registry is pulled without them).
    let pull_from = match f.image.as_deref() {
        None => Some(att("Repository", "Arn")),
        Some(image) => ecr_repository_arn(image),
    };
    if let Some(repository) = pull_from {
        execution.push(json!({
            "Sid": "PullImage",
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Resource": repository
        }));
        execution.push(json!({
            "Sid": "RegistryLogin",
            "Effect": "Allow",
            "Action": "ecr:GetAuthorizationToken",
            "Resource": "*"
        }));
    }
    let mut secrets = Vec::new();
    if f.database.is_some() {
        secrets.push(att("Database", "MasterUserSecret.SecretArn"));
    }
    if f.cache.is_some() {
        secrets.push(r("CacheAuthSecret"));
    }
    // The plan's own references: read on exactly these secrets and parameters.
    let mut parameters = Vec::new();
    for var in &b.plan.environment {
        match var.source() {
            Some(EnvSource::Secret(s)) => {
                secrets.extend(environment::secret_arns(s).1.into_iter().map(settings::arn))
            }
            Some(EnvSource::Generated) => secrets.push(r(environment::generated_id(&var.name))),
            Some(EnvSource::SsmParameter(p)) => {
                parameters.push(settings::arn(environment::parameter_arn(p)))
            }
            Some(EnvSource::Value(_)) | None => {}
        }
    }
    if !parameters.is_empty() {
        // SecureStrings under the AWS managed key aws/ssm need no kms:Decrypt grant.
        execution.push(json!({
            "Sid": "ReadParameters",
            "Effect": "Allow",
            "Action": "ssm:GetParameters",
            "Resource": parameters
        }));
    }
    if !secrets.is_empty() {
        execution.push(json!({
            "Sid": "ReadSecrets",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": secrets
        }));
    }
    b.add(
        "TaskExecutionRole",
        "AWS::IAM::Role",
        json!({
            "Description": "Lets ECS pull the image, write logs and read the service's secrets",
            "AssumeRolePolicyDocument": trust("ecs-tasks.amazonaws.com"),
            "Policies": [{ "PolicyName": "task-execution", "PolicyDocument": policy_doc(execution) }]
        }),
    );
    let mut task = storage::app_bucket_statements();
    if f.database.is_some() {
        // RDS rotates the master password every 7 days, and a task's DB_PASSWORD is the one at
        // its start: the service reads the current one from the secret when a login fails.
        task.push(json!({
            "Sid": "ReadTheDatabaseSecret",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": att("Database", "MasterUserSecret.SecretArn")
        }));
        // IAM login is for a user of its own (`app_iam`, which the service creates and grants
        // `rds_iam`): PostgreSQL refuses the password of a user granted `rds_iam`, so the
        // password user `app` must never be the IAM one.
        task.push(json!({
            "Sid": "DatabaseIamAuth",
            "Effect": "Allow",
            "Action": "rds-db:connect",
            "Resource": sub(format!("arn:${{AWS::Partition}}:rds-db:${{AWS::Region}}:${{AWS::AccountId}}:dbuser:${{Database.DbiResourceId}}/{DB_IAM_USER}"))
        }));
    }
    b.add(
        "TaskRole",
        "AWS::IAM::Role",
        json!({
            "Description": "The application's own permissions: its bucket and its database, and the database's secret",
            "AssumeRolePolicyDocument": trust("ecs-tasks.amazonaws.com"),
            "Policies": [{ "PolicyName": "app", "PolicyDocument": policy_doc(task) }]
        }),
    );
}

/// A container's environment variable: a name of Stackplan's own is borrowed, a plan's is moved.
fn env(name: impl Into<super::Text>, value: Node) -> Node {
    json!({ "Name": Node::String(name.into()), "Value": value })
}

fn service(b: &mut Builder<'_>, f: &Fargate) {
    let mut cluster =
        json!({ "ClusterSettings": [{ "Name": "containerInsights", "Value": "enabled" }] });
    if f.spot_percent > 0 {
        cluster["CapacityProviders"] = json!(["FARGATE", "FARGATE_SPOT"]);
    }
    b.add("Cluster", "AWS::ECS::Cluster", cluster);

    let image = match &f.image {
        None => sub("${Repository.RepositoryUri}:${ImageTag}"),
        Some(repo) => sub(format!("{repo}:${{ImageTag}}")),
    };
    let mut environment = vec![
        env("PORT", json!(f.container_port.to_string())),
        env("BUCKET_NAME", r(storage::APP_BUCKET)),
    ];
    let mut secrets = Vec::new();
    if f.database.is_some() {
        environment.push(env("DB_HOST", att("Database", "Endpoint.Address")));
        environment.push(env("DB_PORT", att("Database", "Endpoint.Port")));
        environment.push(env("DB_NAME", json!(database_name(&b.plan.project))));
        environment.push(env("DB_IAM_USER", json!(DB_IAM_USER)));
        environment.push(env(
            "DB_SECRET_ARN",
            att("Database", "MasterUserSecret.SecretArn"),
        ));
        for (name, key) in [("DB_USERNAME", "username"), ("DB_PASSWORD", "password")] {
            secrets.push(json!({
                "Name": name,
                "ValueFrom": sub(format!("${{Database.MasterUserSecret.SecretArn}}:{key}::"))
            }));
        }
    }
    if f.cache.is_some() {
        environment.push(env("REDIS_HOST", att("Cache", "PrimaryEndPoint.Address")));
        environment.push(env("REDIS_PORT", att("Cache", "PrimaryEndPoint.Port")));
        environment.push(env("REDIS_TLS", json!("true")));
        if b.plan.governed {
            secrets.push(json!({ "Name": "REDIS_USERNAME", "ValueFrom": sub("${CacheAuthSecret}:username::") }));
        }
        secrets.push(
            json!({ "Name": "REDIS_AUTH_TOKEN", "ValueFrom": sub("${CacheAuthSecret}:token::") }),
        );
    }
    for var in &b.plan.environment {
        match var.source() {
            Some(EnvSource::Value(v)) => environment.push(env(var.name.clone(), json!(&v))),
            Some(EnvSource::Secret(s)) => {
                let mut arn = environment::secret_arns(s).0;
                // ECS reads `<arn>:<json key>:<version stage>:<version id>`.
                if let Some(key) = &var.json_key {
                    arn.0.push_str(&format!(":{key}::"));
                }
                secrets.push(json!({ "Name": var.name, "ValueFrom": settings::arn(arn) }))
            }
            Some(EnvSource::SsmParameter(p)) => secrets.push(json!({
                "Name": var.name,
                "ValueFrom": settings::arn(environment::parameter_arn(p))
            })),
            Some(EnvSource::Generated) => secrets.push(json!({
                "Name": var.name,
                "ValueFrom": r(environment::generated_id(&var.name))
            })),
            None => {}
        }
    }
    let mut container = json!({
        "Name": CONTAINER,
        "Image": image,
        "Essential": true,
        // A hard memory limit: the task's memory (CT.ECS.PR.7).
        "Memory": f.memory_mib,
        "PortMappings": [{ "ContainerPort": f.container_port, "Protocol": "tcp" }],
        "ReadonlyRootFilesystem": f.readonly_root_filesystem,
        "LogConfiguration": {
            "LogDriver": "awslogs",
            "Options": {
                "awslogs-group": r("LogGroup"),
                "awslogs-region": r("AWS::Region"),
                "awslogs-stream-prefix": CONTAINER
            }
        },
        "Environment": environment
    });
    if !secrets.is_empty() {
        container["Secrets"] = json!(secrets);
    }
    if let Some(user) = &f.user {
        container["User"] = json!(user);
    }
    // A read-only root still needs somewhere to write (temporary files, pid files, caches):
    // `/tmp` is a bind mount on the task's ephemeral storage, which `ephemeral_storage_gib`
    // sizes. Without it that storage would back nothing the container can write.
    if f.readonly_root_filesystem {
        container["MountPoints"] = json!([{
            "SourceVolume": SCRATCH_VOLUME,
            "ContainerPath": "/tmp",
            "ReadOnly": false
        }]);
    }
    let mut task = json!({
        "Cpu": ((f.vcpu * 1024.0).round() as u32).to_string(),
        "Memory": f.memory_mib.to_string(),
        "NetworkMode": "awsvpc",
        "RequiresCompatibilities": ["FARGATE"],
        "RuntimePlatform": {
            "CpuArchitecture": match f.cpu_architecture { CpuArch::X86_64 => "X86_64", CpuArch::Arm64 => "ARM64" },
            "OperatingSystemFamily": "LINUX"
        },
        "ExecutionRoleArn": att("TaskExecutionRole", "Arn"),
        "TaskRoleArn": att("TaskRole", "Arn"),
        "ContainerDefinitions": [container]
    });
    if f.readonly_root_filesystem {
        task["Volumes"] = json!([{ "Name": SCRATCH_VOLUME }]);
    }
    if f.ephemeral_storage_gib > 20 {
        task["EphemeralStorage"] = json!({ "SizeInGiB": f.ephemeral_storage_gib });
    }
    b.add("TaskDefinition", "AWS::ECS::TaskDefinition", task);

    let mut svc = json!({
        "Cluster": r("Cluster"),
        "TaskDefinition": r("TaskDefinition"),
        "DesiredCount": tasks(f, f.desired_tasks),
        "NetworkConfiguration": { "AwsvpcConfiguration": {
            "AssignPublicIp": "DISABLED",
            "Subnets": [r("PrivateSubnetA"), r("PrivateSubnetB")],
            "SecurityGroups": [r("ServiceSecurityGroup")]
        } },
        "LoadBalancers": [{ "ContainerName": CONTAINER, "ContainerPort": f.container_port, "TargetGroupArn": r("TargetGroup") }],
        "HealthCheckGracePeriodSeconds": f.health_check_grace(),
        "DeploymentConfiguration": {
            "DeploymentCircuitBreaker": { "Enable": true, "Rollback": true },
            "MinimumHealthyPercent": 100,
            "MaximumPercent": 200
        },
        "PropagateTags": "SERVICE",
        "EnableECSManagedTags": true
    });
    if f.spot_percent == 0 {
        svc["LaunchType"] = json!("FARGATE");
    } else {
        let strategy: Vec<Node> = [
            ("FARGATE", 100 - f.spot_percent),
            ("FARGATE_SPOT", f.spot_percent),
        ]
        .into_iter()
        .filter(|(_, weight)| *weight > 0)
        .map(|(provider, weight)| json!({ "CapacityProvider": provider, "Weight": weight }))
        .collect();
        svc["CapacityProviderStrategy"] = json!(strategy);
    }
    let listener = if https_on(b.plan, f) {
        "HttpsListener"
    } else {
        "HttpListener"
    };
    b.add("Service", "AWS::ECS::Service", svc).depends_on(&[
        listener,
        "PrivateDefaultRouteA",
        "PrivateDefaultRouteB",
    ]);
}

fn scaling_and_alarms(b: &mut Builder<'_>, f: &Fargate) {
    b.add(
        "ScalableTarget",
        "AWS::ApplicationAutoScaling::ScalableTarget",
        json!({
            "ServiceNamespace": "ecs",
            "ScalableDimension": "ecs:service:DesiredCount",
            "ResourceId": sub("service/${Cluster}/${Service.Name}"),
            "MinCapacity": tasks(f, f.min_tasks),
            "MaxCapacity": tasks(f, f.max_tasks)
        }),
    );
    b.add(
        "CpuScalingPolicy",
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        json!({
            "PolicyName": sub("${AWS::StackName}-cpu-target"),
            "PolicyType": "TargetTrackingScaling",
            "ScalingTargetId": r("ScalableTarget"),
            "TargetTrackingScalingPolicyConfiguration": {
                "PredefinedMetricSpecification": { "PredefinedMetricType": "ECSServiceAverageCPUUtilization" },
                "TargetValue": f.cpu_target_percent,
                "ScaleInCooldown": 120,
                "ScaleOutCooldown": 60
            }
        }),
    );
    let mut topic = json!({ "DisplayName": format!("{} alarms", b.plan.project) });
    if b.plan.governed {
        // The stack's key lets CloudWatch publish this stack's alarms.
        topic["KmsMasterKeyId"] = r(super::kms::STACK_KEY);
        b.add("AlarmTopic", "AWS::SNS::Topic", topic);
    } else {
        b.add("AlarmTopic", "AWS::SNS::Topic", topic).skip(
            "CKV_AWS_26",
            "CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key; alarm notices carry no secrets",
        );
    }
    if let Some(email) = &f.alarm_email {
        b.add(
            "AlarmEmailSubscription",
            "AWS::SNS::Subscription",
            json!({ "TopicArn": r("AlarmTopic"), "Protocol": "email", "Endpoint": email }),
        );
    }
    for (id, metric, what) in ALARMS {
        let mut alarm = json!({
            "AlarmDescription": format!("Service {what} above 80% for 10 minutes"),
            "Namespace": "AWS/ECS",
            "MetricName": metric,
            "Dimensions": [
                { "Name": "ClusterName", "Value": r("Cluster") },
                { "Name": "ServiceName", "Value": att("Service", "Name") }
            ],
            "Statistic": "Average",
            "Period": 300,
            "EvaluationPeriods": 2,
            "Threshold": 80,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [r("AlarmTopic")],
            "OKActions": [r("AlarmTopic")]
        });
        // A governed stack's key lets exactly these alarms use it, by name.
        if b.plan.governed {
            alarm
                .as_object_mut()
                .expect("an alarm's properties are an object")
                .insert_after("AlarmDescription", "AlarmName", super::kms::alarm_name(id));
        }
        b.add(id, "AWS::CloudWatch::Alarm", alarm);
    }
}

/// The service's alarms: logical id, ECS metric, and what it measures in words.
const ALARMS: [(&str, &str, &str); 2] = [
    ("CpuAlarm", "CPUUtilization", "CPU"),
    ("MemoryAlarm", "MemoryUtilization", "memory"),
];

fn outputs(b: &mut Builder<'_>, f: &Fargate) {
    let url = match (&b.plan.domain, https_on(b.plan, f)) {
        (Some(d), _) => json!(format!("https://{}", d.name)),
        (None, true) => sub("https://${LoadBalancer.DNSName}"),
        (None, false) => sub("http://${LoadBalancer.DNSName}"),
    };
    b.output("ServiceUrl", "URL of the service", url);
    b.output("ClusterName", "ECS cluster", r("Cluster"));
    b.output("ServiceName", "ECS service", att("Service", "Name"));
    b.output(
        "RepositoryUri",
        if f.image.is_some() {
            "The stack's own repository; the service runs the image the plan names, not this one's"
        } else {
            "Push images here"
        },
        att("Repository", "RepositoryUri"),
    );
    b.output("LogGroupName", "Application logs", r("LogGroup"));
    b.output("BucketName", "Application bucket", r(storage::APP_BUCKET));
    b.output("AlarmTopicArn", "Alarm notifications", r("AlarmTopic"));
    if f.database.is_some() {
        b.output(
            "DatabaseEndpoint",
            "PostgreSQL host",
            att("Database", "Endpoint.Address"),
        );
        b.output(
            "DatabaseSecretArn",
            "PostgreSQL credentials (managed by RDS)",
            att("Database", "MasterUserSecret.SecretArn"),
        );
    }
    if f.cache.is_some() {
        b.output(
            "CacheEndpoint",
            "Redis primary endpoint (TLS)",
            att("Cache", "PrimaryEndPoint.Address"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::ecr_image;

    /// Every host form of a private ECR registry, in each region the planner offers; and the
    /// hosts and shapes that are not one (another registry, a look-alike, a wrong account).
    /// The pull grant each form gets is `a_named_private_ecr_image_can_be_pulled`
    /// (`shared/tests/templates.rs`).
    #[test]
    fn an_ecr_image_is_known_by_each_of_its_hosts_and_nothing_else() {
        for region in crate::plan::Region::ALL.map(|r| r.code()) {
            for host in [
                format!("123456789012.dkr.ecr.{region}.amazonaws.com"),
                format!("123456789012.dkr.ecr-fips.{region}.amazonaws.com"),
                format!("123456789012.dkr-ecr.{region}.on.aws"),
                format!("123456789012.dkr-ecr-fips.{region}.on.aws"),
            ] {
                for name in ["api", "team/api", "a/b/c-d_e.f"] {
                    let image = format!("{host}/{name}");
                    assert_eq!(
                        ecr_image(&image),
                        Some(("123456789012", region, name)),
                        "{image}"
                    );
                }
            }
        }
        for image in [
            "docker.io/library/nginx",
            "public.ecr.aws/nginx/nginx",
            "ghcr.io/someone/app",
            "nginx",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "12345678901.dkr.ecr.us-east-1.amazonaws.com/api",
            "1234567890123.dkr.ecr.us-east-1.amazonaws.com/api",
            "12345678901x.dkr.ecr.us-east-1.amazonaws.com/api",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example/api",
            "123456789012.dkr.ecr.us-east-1.on.aws/api",
            "123456789012.dkr-ecr.us-east-1.amazonaws.com/api",
            "123456789012.dkr.ecr-fips.us-east-1.on.aws/api",
            "123456789012.dkr.ecr.useast1.amazonaws.com/api",
            "123456789012.dkr.ecr..amazonaws.com/api",
            "123456789012.ecr.us-east-1.amazonaws.com/api",
            "evil.123456789012.dkr.ecr.us-east-1.amazonaws.com/api",
        ] {
            assert_eq!(ecr_image(image), None, "{image}");
        }
    }
}
