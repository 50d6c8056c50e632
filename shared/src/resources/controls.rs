//! AWS Control Tower's proactive controls, as the registry knows them: for each control that
//! applies to a resource type Stackplan generates, whether a plan's resource satisfies it and
//! which plan setting makes it do so.
//!
//! This is a table of what Stackplan's own templates do, not a copy of the rules: it says
//! "the database is Multi-AZ exactly when `fargate.database.multi_az` is on", where the rule
//! says "`MultiAZ` must be `true`". `tests/tests/judges.rs` holds it to the real judge (cfn-guard
//! with the Control Tower rules of `@cdklabs/cdk-validator-cfnguard`) on every matrix plan: a
//! control the table gets wrong, or one it lacks, fails that test.

use crate::plan::{Architecture, Plan};
use crate::template::Template;
use crate::template::{CODE_BUCKET, LOG_BUCKET};
use crate::validate::{Problem, Severity};

/// One resource of a plan's template, as a control sees it.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub plan: &'a Plan,
    /// The resource's logical id in the template.
    pub id: &'a str,
}

/// Whether a security group of Stackplan's templates has ingress rules: all but the function's.
fn has_ingress(s: &Subject<'_>) -> bool {
    s.id != "FunctionSecurityGroup"
}

/// Whether a plan's resources satisfy a control.
#[derive(Clone, Copy, Debug)]
pub enum Holds {
    /// Every Stackplan template satisfies it.
    Always,
    /// Satisfied when the plan says so.
    When {
        holds: fn(&Subject<'_>) -> bool,
        /// The field path of that setting, for the validator's message.
        path: fn(&Plan) -> &'static str,
        /// The plan setting that satisfies it, in words with its field path.
        setting: &'static str,
        /// Changes a plan so that the control holds (the page offers it and prices it), when
        /// one change can; `None` when it needs something only the user has (a certificate).
        fix: Option<fn(&mut Plan)>,
    },
    /// Satisfied by the governed-account profile (`governed`), which brings `what`; the
    /// resources in `except` (logical ids) cannot satisfy it even then, for `why`.
    Profile {
        what: &'static str,
        except: &'static [&'static str],
        why: &'static str,
    },
}

/// A Control Tower proactive control on one resource type.
#[derive(Clone, Copy, Debug)]
pub struct Control {
    /// `CT.S3.PR.8`.
    pub id: &'static str,
    /// The cfn-guard rule's name.
    pub rule: &'static str,
    /// What it requires, in a few words.
    pub title: &'static str,
    /// The CloudFormation type it judges (a type of the registry).
    pub resource_type: &'static str,
    /// Whether it judges this resource at all (`None`: every resource of the type).
    pub applies: Option<fn(&Subject<'_>) -> bool>,
    pub holds: Holds,
}

impl Control {
    fn applies_to(&self, s: &Subject<'_>) -> bool {
        self.applies.is_none_or(|f| f(s))
    }

    fn holds_for(&self, s: &Subject<'_>) -> bool {
        match self.holds {
            Holds::Always => true,
            Holds::When { holds, .. } => holds(s),
            Holds::Profile { except, .. } => s.plan.governed && !except.contains(&s.id),
        }
    }
}

/// A control's verdict on one plan.
#[derive(Clone, Debug)]
pub struct Check {
    pub control: &'static Control,
    /// The resources it judges (logical ids, template order).
    pub resources: Vec<String>,
    /// Those that fail it.
    pub failing: Vec<String>,
}

/// Equal when the same control judges the same resources the same way (a control is known by
/// its id: its functions are not compared).
impl PartialEq for Check {
    fn eq(&self, other: &Check) -> bool {
        self.control.id == other.control.id
            && self.resources == other.resources
            && self.failing == other.failing
    }
}

impl Check {
    pub fn passed(&self) -> bool {
        self.failing.is_empty()
    }
}

/// The verdict of every control that applies to the plan's template, failed ones first, each
/// group in control-id order.
pub fn checklist(plan: &Plan, template: &Template) -> Vec<Check> {
    let mut checks: Vec<Check> = Vec::new();
    // Read once: each control goes through every resource.
    let resources: Vec<(&str, &str)> = template.resource_types().collect();
    for control in CONTROLS {
        let mut check = Check {
            control,
            resources: Vec::new(),
            failing: Vec::new(),
        };
        for &(id, ty) in &resources {
            let s = Subject { plan, id };
            if ty == control.resource_type && control.applies_to(&s) {
                check.resources.push(id.to_string());
                if !control.holds_for(&s) {
                    check.failing.push(id.to_string());
                }
            }
        }
        if check.resources.is_empty() {
            continue;
        }
        // One control can judge several types: merge into the same entry.
        match checks.iter_mut().find(|c| c.control.id == control.id) {
            Some(c) => {
                c.resources.extend(check.resources);
                c.failing.extend(check.failing);
            }
            None => checks.push(check),
        }
    }
    // Each check's place read once, not at every comparison of the insertion sort.
    let mut placed: Vec<_> = checks
        .into_iter()
        .map(|c| ((c.passed(), control_order(c.control.id)), c))
        .collect();
    crate::sort::sort_small_by(&mut placed, |a, b| a.0 < b.0);
    placed.into_iter().map(|(_, c)| c).collect()
}

/// Turns the governed-account profile on, with every setting one change can make (longer log
/// retention, a Multi-AZ database, a week of backups, …). What only the user can give (a
/// certificate, a user the image can run as) the validator then asks for.
pub fn govern(plan: &mut Plan) {
    plan.governed = true;
    for control in CONTROLS {
        if let Holds::When { fix: Some(fix), .. } = control.holds {
            fix(plan);
        }
    }
}

/// What a governed plan (`governed`) still misses: one error for every control that fails and
/// that a plan setting would satisfy, at that setting's field path.
pub fn governed_problems(plan: &Plan, template: &Template) -> Vec<Problem> {
    checklist(plan, template)
        .into_iter()
        .filter(|c| !c.passed())
        .filter_map(|c| match c.control.holds {
            Holds::When { path, setting, .. } => Some(Problem {
                path: path(plan).into(),
                message: format!(
                    "a governed account blocks this: Control Tower's {} ({}) fails on {}; set {setting}",
                    c.control.id,
                    c.control.title,
                    c.failing.join(", ")
                ),
                severity: Severity::Error,
            }),
            _ => None,
        })
        .collect()
}

/// The checklist of a plan as it stands, judged by its own template even while a governed plan
/// still misses what only the user can give (`None`: the plan has other errors).
pub fn checklist_as_it_stands(plan: &Plan) -> Option<Vec<Check>> {
    let valid = crate::validate::ValidPlan::as_it_stands(plan.clone())?;
    Some(checklist(plan, &crate::template::generate(&valid)))
}

/// `CT.S3.PR.10` after `CT.S3.PR.9`: the service, then the number.
fn control_order(id: &str) -> (&str, u32) {
    match id.rsplit_once('.') {
        Some((head, n)) => (head, n.parse().unwrap_or(u32::MAX)),
        None => (id, 0),
    }
}

fn retention(s: &Subject<'_>) -> u16 {
    s.plan.architecture.log_retention_days()
}

fn set_retention(p: &mut Plan) {
    let days = p.architecture.log_retention_days_mut();
    *days = (*days).max(365);
}

fn https(s: &Subject<'_>) -> bool {
    s.plan
        .fargate()
        .is_some_and(|f| crate::template::fargate::https_on(s.plan, f))
}

fn db<'a>(s: &Subject<'a>) -> Option<&'a crate::plan::Database> {
    s.plan.fargate().and_then(|f| f.database.as_ref())
}

/// The governed profile's API: an HTTP API (`lambda.api`), which keeps the authorizer.
fn http_api(p: &mut Plan) {
    if let Architecture::Lambda(l) = &mut p.architecture {
        l.api = crate::plan::ApiType::Http;
    }
}

fn fargate_mut(p: &mut Plan) -> Option<&mut crate::plan::Fargate> {
    match &mut p.architecture {
        Architecture::Fargate(f) => Some(f),
        Architecture::Lambda(_) => None,
    }
}

macro_rules! controls {
    ($($id:literal $rule:ident on $ty:literal $(if ($applies:expr))?: $title:literal => $holds:expr;)+) => {
        /// Every Control Tower control that judges a type Stackplan generates.
        pub static CONTROLS: &[Control] = &[
            $(Control {
                id: $id,
                rule: stringify!($rule),
                title: $title,
                resource_type: $ty,
                applies: controls!(@applies $($applies)?),
                holds: $holds,
            }),+
        ];
    };
    (@applies) => { None };
    (@applies $f:expr) => { Some($f) };
}

use Holds::Always;

controls! {
    // API Gateway.
    "CT.APIGATEWAY.PR.1" api_gw_v1_execution_logging_enabled_check on "AWS::ApiGateway::Stage":
        "REST API execution logging" =>
        Holds::When {
            // Only a REST API's stage is judged, and it never has execution logs: they need the
            // account-wide API Gateway CloudWatch role, which a stack must not own.
            holds: |_| false,
            path: |_| "lambda.api",
            setting: "an HTTP API (lambda.api: http), which logs its access without the account-wide CloudWatch role a REST API's execution logs need",
            fix: Some(http_api),
        };
    "CT.APIGATEWAY.PR.2" api_gw_xray_enabled_check on "AWS::ApiGateway::Stage":
        "REST API X-Ray tracing" =>
        Holds::When {
            // X-Ray bills per trace, and the price book has no X-Ray prices.
            holds: |_| false,
            path: |_| "lambda.api",
            setting: "an HTTP API (lambda.api: http), which X-Ray tracing does not apply to; a REST API's traces are billed per trace, at prices the book does not have",
            fix: Some(http_api),
        };
    "CT.APIGATEWAY.PR.4" api_gw_v2_access_logs_enabled_check on "AWS::ApiGatewayV2::Stage":
        "HTTP API access logging" => Always;
    "CT.APIGATEWAY.PR.5" api_gw_v2_authorization_type_configured_check on "AWS::ApiGatewayV2::Route":
        "an authorizer on every HTTP API route" =>
        Holds::When {
            holds: |s| s.plan.lambda().is_some_and(|l| l.authorizer.is_some()),
            path: |_| "lambda.authorizer",
            setting: "an authorizer (lambda.authorizer: your identity provider's JWTs, or IAM)",
            // Who may call the API is the user's choice.
            fix: None,
        };
    "CT.APIGATEWAY.PR.6" api_gw_domain_tls_check on "AWS::ApiGateway::DomainName":
        "TLS 1.2 on the API's custom domain" => Always;
    // CloudWatch.
    "CT.CLOUDWATCH.PR.1" cloudwatch_alarm_action_check on "AWS::CloudWatch::Alarm":
        "an action on every alarm" => Always;
    "CT.CLOUDWATCH.PR.2" cloudwatch_log_group_retention_period_check on "AWS::Logs::LogGroup":
        "logs kept at least a year" =>
        Holds::When {
            holds: |s| retention(s) >= 365,
            path: |p| match p.architecture {
                Architecture::Fargate(_) => "fargate.log_retention_days",
                Architecture::Lambda(_) => "lambda.log_retention_days",
            },
            setting: "log retention of 365 days or more (log_retention_days)",
            fix: Some(set_retention),
        };
    "CT.CLOUDWATCH.PR.3" cloudwatch_log_group_encrypted_check on "AWS::Logs::LogGroup":
        "logs encrypted with a customer-managed KMS key" =>
        Holds::Profile {
            what: "the stack's own KMS key, whose policy lets CloudWatch Logs use it for the stack's log groups",
            except: &[],
            why: "",
        };
    "CT.CLOUDWATCH.PR.4" cloudwatch_alarm_action_enabled_check on "AWS::CloudWatch::Alarm":
        "alarm actions enabled" => Always;
    // DynamoDB.
    "CT.DYNAMODB.PR.1" dynamodb_table_pitr_enabled_check on "AWS::DynamoDB::Table":
        "point-in-time recovery" => Always;
    "CT.DYNAMODB.PR.2" dynamodb_table_encrypted_kms_check on "AWS::DynamoDB::Table":
        "tables encrypted with KMS" => Always;
    // EC2 and the VPC.
    "CT.EC2.PR.11" subnet_auto_assign_public_ip_disabled_check on "AWS::EC2::Subnet":
        "no public IPs assigned by subnets" => Always;
    // Both judge only groups with ingress rules: the function's group (governed Lambda) has none.
    "CT.EC2.PR.3" vpc_sg_open_only_to_authorized_ports_check on "AWS::EC2::SecurityGroup"
        if (has_ingress):
        "security groups open to the internet only on authorised ports" => Always;
    "CT.EC2.PR.4" vpc_sg_restricted_common_ports_check on "AWS::EC2::SecurityGroup"
        if (has_ingress):
        "no common admin ports open to the internet" => Always;
    // ECR.
    "CT.ECR.PR.1" ecr_private_lifecycle_policy_configured_check on "AWS::ECR::Repository":
        "an image lifecycle policy" => Always;
    "CT.ECR.PR.2" ecr_private_image_scanning_enabled_check on "AWS::ECR::Repository":
        "images scanned on push" => Always;
    "CT.ECR.PR.3" ecr_private_tag_immutability_enabled_check on "AWS::ECR::Repository":
        "immutable image tags" => Always;
    // ECS.
    "CT.ECS.PR.1" ecs_fargate_latest_platform_version_check on "AWS::ECS::Service"
        if (|s| s.plan.fargate().is_some_and(|f| f.spot_percent == 0)):
        "the latest Fargate platform version" => Always;
    "CT.ECS.PR.10" ecs_task_definition_pid_mode_check on "AWS::ECS::TaskDefinition":
        "no shared process namespace with the host" => Always;
    "CT.ECS.PR.11" ecs_containers_nonprivileged_check on "AWS::ECS::TaskDefinition":
        "no privileged containers" => Always;
    "CT.ECS.PR.12" ecs_no_environment_secrets_check on "AWS::ECS::TaskDefinition":
        "no credentials in environment variables" => Always;
    "CT.ECS.PR.2" ecs_container_insights_enabled_check on "AWS::ECS::Cluster":
        "Container Insights" => Always;
    "CT.ECS.PR.3" ecs_task_definition_nonroot_user_check on "AWS::ECS::TaskDefinition":
        "containers run as a non-root user" =>
        Holds::When {
            holds: |s| s.plan.fargate().is_some_and(|f| f.user.is_some()),
            path: |_| "fargate.user",
            setting: "a non-root user the image can run as (fargate.user, `1000` say)",
            // Only the user knows which user their image can run as.
            fix: None,
        };
    "CT.ECS.PR.4" ecs_awsvpc_networking_enabled_check on "AWS::ECS::TaskDefinition":
        "awsvpc networking" => Always;
    "CT.ECS.PR.5" ecs_task_definition_log_configuration_check on "AWS::ECS::TaskDefinition":
        "container logs configured" => Always;
    "CT.ECS.PR.6" ecs_containers_readonly_access_check on "AWS::ECS::TaskDefinition":
        "read-only root file systems" =>
        Holds::When {
            holds: |s| s.plan.fargate().is_some_and(|f| f.readonly_root_filesystem),
            path: |_| "fargate.readonly_root_filesystem",
            setting: "a read-only root file system (fargate.readonly_root_filesystem)",
            fix: Some(|p| if let Some(f) = fargate_mut(p) { f.readonly_root_filesystem = true }),
        };
    "CT.ECS.PR.7" ecs_task_definition_memory_hard_limit_check on "AWS::ECS::TaskDefinition":
        "a memory limit on every container" => Always;
    "CT.ECS.PR.9" ecs_service_assign_public_ip_disabled_check on "AWS::ECS::Service":
        "no public IPs on tasks" => Always;
    // ElastiCache.
    "CT.ELASTICACHE.PR.3" elasticache_repl_grp_auto_failover_enabled_check on "AWS::ElastiCache::ReplicationGroup":
        "automatic failover" =>
        Holds::When {
            holds: |s| s.plan.fargate().and_then(|f| f.cache.as_ref()).is_some_and(|c| c.nodes >= 2),
            path: |_| "fargate.cache.nodes",
            setting: "two cache nodes or more (fargate.cache.nodes)",
            fix: Some(|p| if let Some(c) = fargate_mut(p).and_then(|f| f.cache.as_mut()) { c.nodes = c.nodes.max(2) }),
        };
    "CT.ELASTICACHE.PR.4" elasticache_repl_grp_encrypted_at_rest_check on "AWS::ElastiCache::ReplicationGroup":
        "encryption at rest" => Always;
    "CT.ELASTICACHE.PR.5" elasticache_repl_grp_encrypted_in_transit_check on "AWS::ElastiCache::ReplicationGroup":
        "encryption in transit" => Always;
    "CT.ELASTICACHE.PR.8" elasticache_repl_grp_rbac_auth_enabled_check on "AWS::ElastiCache::ReplicationGroup":
        "Redis RBAC instead of an AUTH token" =>
        Holds::Profile {
            what: "Redis role-based access control: the service signs in as its own user (REDIS_USERNAME, with the password in REDIS_AUTH_TOKEN) and the default user is switched off",
            except: &[],
            why: "",
        };
    // Elastic Load Balancing.
    "CT.ELASTICLOADBALANCING.PR.1" alb_http_to_https_redirection_check on "AWS::ElasticLoadBalancingV2::Listener":
        "HTTP redirected to HTTPS" =>
        Holds::When {
            holds: https,
            path: |p| if p.domain.is_some() { "domain" } else { "fargate.https" },
            setting: "HTTPS: a certificate (fargate.https) or the service's own domain (domain)",
            fix: None,
        };
    "CT.ELASTICLOADBALANCING.PR.15" elbv2_target_group_cross_zone_check on "AWS::ElasticLoadBalancingV2::TargetGroup":
        "cross-zone load balancing" => Always;
    "CT.ELASTICLOADBALANCING.PR.2" elbv2_acm_certificate_required_check on "AWS::ElasticLoadBalancingV2::Listener"
        if (https):
        "an ACM certificate on HTTPS listeners" => Always;
    "CT.ELASTICLOADBALANCING.PR.3" alb_desync_mode_check on "AWS::ElasticLoadBalancingV2::LoadBalancer":
        "defensive or strictest desync mitigation" => Always;
    "CT.ELASTICLOADBALANCING.PR.4" alb_http_drop_invalid_header_enabled_check on "AWS::ElasticLoadBalancingV2::LoadBalancer":
        "invalid headers dropped" => Always;
    "CT.ELASTICLOADBALANCING.PR.5" elbv2_deletion_protection_enabled_check on "AWS::ElasticLoadBalancingV2::LoadBalancer":
        "deletion protection" =>
        Holds::Profile {
            what: "deletion protection on the load balancer: deleting the stack fails until an administrator lifts it",
            except: &[],
            why: "",
        };
    "CT.ELASTICLOADBALANCING.PR.6" elbv2_logging_enabled_check on "AWS::ElasticLoadBalancingV2::LoadBalancer":
        "access logs" => Always;
    // IAM.
    "CT.IAM.PR.1" iam_inline_policy_no_statements_with_admin_access_check on "AWS::IAM::Role":
        "no administrator access in inline policies" => Always;
    "CT.IAM.PR.5" iam_inline_policy_no_statements_with_full_access_check on "AWS::IAM::Role":
        "no full service access in inline policies" => Always;
    // KMS.
    "CT.KMS.PR.1" kms_key_rotation_enabled_check on "AWS::KMS::Key":
        "automatic key rotation" => Always;
    "CT.KMS.PR.3" kms_create_grant_aws_service_check on "AWS::KMS::Key":
        "grants only for AWS services' resources" => Always;
    // Lambda.
    "CT.LAMBDA.PR.2" lambda_function_public_access_prohibited_check on "AWS::Lambda::Permission":
        "invoke permissions scoped to a source" =>
        Holds::Profile {
            what: "API Gateway invokes the function through a role that may invoke only it, instead of a resource-based permission; the permission names its API and account with Fn::Sub and Ref, which the rule cannot read before deploy",
            except: &[],
            why: "",
        };
    "CT.LAMBDA.PR.3" lambda_inside_vpc_check on "AWS::Lambda::Function":
        "functions in a VPC" =>
        Holds::Profile {
            what: "a VPC of the stack's own for the function, with no route to the internet: it reaches its tables and bucket through free gateway endpoints",
            except: &[],
            why: "",
        };
    // RDS.
    "CT.RDS.PR.1" rds_instance_multi_az_support_check on "AWS::RDS::DBInstance":
        "Multi-AZ" =>
        Holds::When {
            holds: |s| db(s).is_some_and(|d| d.multi_az),
            path: |_| "fargate.database.multi_az",
            setting: "a Multi-AZ database (fargate.database.multi_az)",
            fix: Some(|p| if let Some(d) = fargate_mut(p).and_then(|f| f.database.as_mut()) { d.multi_az = true }),
        };
    "CT.RDS.PR.10" rds_instance_copy_tags_to_snapshots_enabled_check on "AWS::RDS::DBInstance":
        "tags copied to snapshots" => Always;
    "CT.RDS.PR.11" rds_instance_deployed_in_vpc_check on "AWS::RDS::DBInstance":
        "in a VPC" => Always;
    "CT.RDS.PR.13" rds_instance_deletion_protection_enabled_check on "AWS::RDS::DBInstance":
        "deletion protection" =>
        Holds::Profile {
            what: "deletion protection on the database: deleting the stack fails until an administrator lifts it",
            except: &[],
            why: "",
        };
    "CT.RDS.PR.14" rds_instance_logging_enabled_check on "AWS::RDS::DBInstance":
        "logs exported to CloudWatch" => Always;
    "CT.RDS.PR.15" rds_db_security_group_not_allowed_check on "AWS::RDS::DBInstance":
        "VPC security groups, not DB security groups" => Always;
    "CT.RDS.PR.2" rds_instance_enhanced_monitoring_enabled_check on "AWS::RDS::DBInstance":
        "enhanced monitoring" =>
        Holds::Profile {
            what: "Enhanced Monitoring every 60 seconds, with a role that lets RDS write OS metrics to CloudWatch Logs",
            except: &[],
            why: "",
        };
    "CT.RDS.PR.20" rds_instance_no_default_ports_check on "AWS::RDS::DBInstance":
        "not on the engine's default port" =>
        Holds::Profile {
            what: "the database on port 5433 (the service reads DB_PORT)",
            except: &[],
            why: "",
        };
    "CT.RDS.PR.22" rds_instance_default_admin_check on "AWS::RDS::DBInstance":
        "no default administrator name" => Always;
    "CT.RDS.PR.23" rds_instance_public_access_check on "AWS::RDS::DBInstance":
        "not publicly accessible" => Always;
    "CT.RDS.PR.24" rds_instance_storage_encrypted_check on "AWS::RDS::DBInstance":
        "encrypted storage" => Always;
    "CT.RDS.PR.30" rds_storage_encrypted_kms_key_check on "AWS::RDS::DBInstance":
        "storage encrypted with a customer-managed KMS key" =>
        Holds::Profile {
            what: "the stack's own KMS key for the database's storage",
            except: &[],
            why: "",
        };
    "CT.RDS.PR.5" rds_instance_automatic_minor_version_upgrade_enabled_check on "AWS::RDS::DBInstance":
        "automatic minor version upgrades" => Always;
    "CT.RDS.PR.7" rds_instance_iam_authentication_enabled_check on "AWS::RDS::DBInstance":
        "IAM database authentication" => Always;
    "CT.RDS.PR.8" rds_instance_backup_enabled_check on "AWS::RDS::DBInstance":
        "backups kept at least 7 days" =>
        Holds::When {
            holds: |s| db(s).is_some_and(|d| d.backup_days >= 7),
            path: |_| "fargate.database.backup_days",
            setting: "7 days of backups or more (fargate.database.backup_days)",
            fix: Some(|p| if let Some(d) = fargate_mut(p).and_then(|f| f.database.as_mut()) { d.backup_days = d.backup_days.max(7) }),
        };
    // S3.
    "CT.S3.PR.1" s3_bucket_level_public_access_prohibited_check on "AWS::S3::Bucket":
        "public access blocked" => Always;
    "CT.S3.PR.10" s3_bucket_default_encryption_kms_check on "AWS::S3::Bucket":
        "encrypted with KMS" =>
        Holds::When {
            // S3 delivers server access logs only into a bucket encrypted with S3-managed keys
            // (SSE-S3): a log bucket of the stack's own cannot pass.
            holds: |s| s.id != LOG_BUCKET,
            path: |_| "log_bucket",
            setting: "your own bucket for the access logs (log_bucket), so that the stack has no log bucket: S3 delivers access logs only into a bucket encrypted with S3-managed keys",
            fix: None,
        };
    "CT.S3.PR.11" s3_bucket_versioning_enabled_check on "AWS::S3::Bucket":
        "versioning" => Always;
    "CT.S3.PR.2" s3_bucket_logging_enabled_check on "AWS::S3::Bucket":
        "server access logging" =>
        Holds::When {
            // The stack's own log bucket does not log into itself, and a code bucket logs only
            // where there is a log bucket to log into: the user's.
            holds: |s| s.id != LOG_BUCKET && (s.id != CODE_BUCKET || s.plan.log_bucket.is_some()),
            path: |_| "log_bucket",
            setting: "your own bucket for the access logs (log_bucket): every bucket of the stack logs into it, and the stack has no log bucket, which could only log into itself",
            fix: None,
        };
    "CT.S3.PR.3" s3_version_lifecycle_policy_check on "AWS::S3::Bucket":
        "a lifecycle rule for old versions" => Always;
    "CT.S3.PR.4" s3_event_notifications_enabled_check on "AWS::S3::Bucket":
        "event notifications" =>
        Holds::Profile {
            what: "object events sent to the account's default EventBridge bus",
            except: &[],
            why: "",
        };
    "CT.S3.PR.5" s3_bucket_acl_prohibited_check on "AWS::S3::Bucket":
        "ACLs disabled" => Always;
    "CT.S3.PR.6" s3_lifecycle_policy_check on "AWS::S3::Bucket":
        "a lifecycle rule" => Always;
    "CT.S3.PR.8" s3_bucket_policy_ssl_requests_only_check on "AWS::S3::BucketPolicy":
        "TLS-only requests" => Always;
    "CT.S3.PR.9" s3_bucket_object_lock_enabled_check on "AWS::S3::Bucket":
        "S3 Object Lock" =>
        Holds::Profile {
            what: "Object Lock on the application and code buckets, with no default retention: objects stay deletable unless one is locked on purpose",
            except: &[LOG_BUCKET],
            why: "S3 delivers server access logs only into a bucket without Object Lock; with your own bucket for the access logs (log_bucket), the stack has no log bucket",
        };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_judges_a_type_of_the_registry_and_is_listed_once() {
        let mut seen = std::collections::BTreeSet::new();
        for c in CONTROLS {
            assert!(
                super::super::lookup(c.resource_type).is_some(),
                "{}: {} is not in the registry",
                c.id,
                c.resource_type
            );
            assert!(seen.insert((c.id, c.resource_type)), "{} twice", c.id);
            assert!(
                c.id.starts_with("CT.") && c.rule.ends_with("_check"),
                "{}",
                c.id
            );
            match c.holds {
                Holds::Profile { what, except, why } => assert!(
                    !what.is_empty() && except.is_empty() == why.is_empty(),
                    "{}: say what the profile brings, and why any resource cannot have it",
                    c.id
                ),
                Holds::Always | Holds::When { .. } => {}
            }
        }
    }

    /// Every fix the page offers makes its control hold (or not apply), and leaves a valid plan.
    #[test]
    fn every_fix_makes_its_control_hold_on_every_matrix_plan() {
        let mut fixed = 0;
        for (name, plan) in crate::examples::matrix() {
            let template = crate::template::generate(&crate::ValidPlan::new(plan.clone()).unwrap());
            for check in checklist(&plan, &template) {
                let Holds::When { fix: Some(fix), .. } = check.control.holds else {
                    continue;
                };
                if check.passed() {
                    continue;
                }
                let mut after = plan.clone();
                fix(&mut after);
                let valid = crate::ValidPlan::new(after.clone())
                    .unwrap_or_else(|p| panic!("{name}: {} leaves {p:?}", check.control.id));
                let t = crate::template::generate(&valid);
                // The fix makes the control pass, or (an HTTP API for a REST API's stage
                // controls) takes away what it judges.
                let again = checklist(&after, &t);
                match again.iter().find(|c| c.control.id == check.control.id) {
                    Some(c) => assert!(c.passed(), "{name}: {} still fails", c.control.id),
                    None => assert!(
                        ["CT.APIGATEWAY.PR.1", "CT.APIGATEWAY.PR.2"].contains(&check.control.id),
                        "{name}: {} no longer applies after its fix",
                        check.control.id
                    ),
                }
                fixed += 1;
            }
        }
        assert!(fixed >= 50, "only {fixed} fixes tried");
    }

    /// The validator holds a governed plan to every control a setting satisfies, at its field.
    #[test]
    fn a_governed_plan_must_give_what_only_the_user_can() {
        let mut plan = crate::examples::fargate();
        govern(&mut plan);
        let problems = crate::ValidPlan::new(plan.clone()).unwrap_err();
        let errors: Vec<&str> = problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| p.path.as_str())
            .collect();
        assert_eq!(
            errors,
            ["fargate.user", "fargate.https", "log_bucket", "log_bucket"],
            "{problems:#?}"
        );
        assert!(problems[2].message.contains("CT.S3.PR.2 "), "{problems:#?}");
        assert!(
            problems[3].message.contains("CT.S3.PR.10 "),
            "{problems:#?}"
        );
        assert!(
            problems[0].message.contains("CT.ECS.PR.3"),
            "{}",
            problems[0].message
        );
        let f = plan.fargate().unwrap();
        let db = f.database.as_ref().unwrap();
        assert!(f.log_retention_days >= 365 && db.multi_az && db.backup_days >= 7);
        // Not governed: the same plan is valid.
        plan.governed = false;
        assert!(crate::ValidPlan::new(plan).is_ok());
        // The Lambda example: who may call its API.
        let mut lambda = crate::examples::lambda();
        govern(&mut lambda);
        let problems = crate::ValidPlan::new(lambda).unwrap_err();
        assert_eq!(problems[0].path, "lambda.authorizer", "{problems:#?}");
        assert!(problems[0].message.contains("CT.APIGATEWAY.PR.5"));
    }

    /// While a governed plan still misses what only the user can give, it is judged by its
    /// own template: the profile's key and settings count, and the missing user still fails.
    #[test]
    fn a_governed_plan_is_judged_as_it_stands() {
        let mut plan = crate::examples::fargate();
        govern(&mut plan);
        assert!(crate::ValidPlan::new(plan.clone()).is_err());
        let list = checklist_as_it_stands(&plan).expect("only the profile's own checks fail");
        let verdict = |id: &str| list.iter().find(|c| c.control.id == id).map(Check::passed);
        assert_eq!(
            verdict("CT.KMS.PR.1"),
            Some(true),
            "the stack's key is judged"
        );
        assert_eq!(verdict("CT.RDS.PR.30"), Some(true));
        assert_eq!(verdict("CT.ECS.PR.3"), Some(false), "no user yet");
        // A plan with other errors is not judged.
        plan.project = String::new();
        assert!(checklist_as_it_stands(&plan).is_none());
    }

    #[test]
    fn failed_controls_come_first_in_id_order() {
        let plan = crate::examples::fargate();
        let t = crate::template::generate(&crate::ValidPlan::new(plan.clone()).unwrap());
        let list = checklist(&plan, &t);
        let first_pass = list.iter().position(Check::passed).unwrap();
        assert!(list[first_pass..].iter().all(Check::passed));
        let ids: Vec<&str> = list[..first_pass].iter().map(|c| c.control.id).collect();
        let s3 = ids.iter().position(|i| *i == "CT.S3.PR.9").unwrap();
        let s3_10 = ids.iter().position(|i| *i == "CT.S3.PR.10").unwrap();
        assert!(s3 < s3_10, "{ids:?}");
    }
}
