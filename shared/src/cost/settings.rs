//! Cost lines of the service's secrets, for either architecture: the secrets the stack keeps
//! (its own and the generated ones) are billed here; the ones it refers to are billed where
//! they are kept.

use super::{Notes, Pricer};
use crate::plan::{ArchitectureKind, EnvSource, Plan};

/// Adds the "Secrets Manager: Secrets" line for the stack's own secrets (`own`: what each of
/// the template's built-in secrets is) plus the plan's generated ones, and says what the
/// references cost.
pub(super) fn secrets(p: &mut Pricer<'_>, a: &mut Notes, plan: &Plan, own: &[&str]) {
    let generated = plan.environment.iter().filter(|v| v.generate).count();
    let mut parts: Vec<String> = own.iter().map(|s| format!("1 {s}")).collect();
    if generated > 0 {
        parts.push(format!(
            "{generated} generated ({})",
            plan.environment
                .iter()
                .filter(|v| v.generate)
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let count = own.len() + generated;
    if count > 0 {
        p.add(
            "Secrets Manager",
            "Secrets",
            count as f64,
            "secret-months",
            "secrets.secret_month",
            &|| parts.join(" + "),
        );
    }
    let referenced = plan
        .environment
        .iter()
        .filter(|v| matches!(v.source(), Some(EnvSource::Secret(_))))
        .count();
    let parameters = plan
        .environment
        .iter()
        .filter(|v| matches!(v.source(), Some(EnvSource::SsmParameter(_))))
        .count();
    if referenced + parameters > 0 {
        a.say(format_args!(
            "Secrets and parameters the plan refers to ({}) already exist: they are billed where they are kept, not here.",
            referenced + parameters
        ));
    }
    match plan.kind() {
        ArchitectureKind::Fargate if count + referenced > 0=> a.say(format_args!(
            "Secrets Manager: tasks read their secrets once at start; those API calls cost well under a cent."
        )        ),
        ArchitectureKind::Lambda if generated + referenced > 0=> a.say(format_args!(
            "Secrets Manager: CloudFormation reads the function's secrets once per deploy; the function itself makes no call."
        )        ),
        _ => {}
    }
    if parameters > 0 {
        p.not_estimated(
            "KMS",
            "SecureString decrypts",
            "each task start decrypts each SecureString parameter once through KMS; KMS request prices are not in the price book",
        );
    }
}

/// What the service's own domain costs: the certificate is free, and the hosted zone is the
/// user's, billed where it is kept; neither Route 53 price is in the book, so both are named.
pub(super) fn domain(p: &mut Pricer<'_>, a: &mut Notes, plan: &Plan) {
    let Some(d) = &plan.domain else {
        return;
    };
    p.not_estimated(
        "Route 53",
        "Hosted zone",
        &format!(
            "the zone {} exists before the stack and is billed there; Route 53 prices are not in the price book",
            d.hosted_zone_id
        ),
    );
    p.not_estimated(
        "Route 53",
        "DNS queries",
        "queries to an alias record that points at an AWS load balancer or API carry no charge",
    );
    a.say(format_args!(
        "{}: the ACM certificate is public and carries no charge; CloudFormation validates it through a DNS record in the zone.",
        d.name
    ));
}

/// What the governed-account profile brings that the book cannot price: the stack's own KMS
/// key (an unknown line: the book has no KMS prices) and its requests, and the buckets' events
/// to EventBridge.
pub(super) fn governed(p: &mut Pricer<'_>, a: &mut Notes, plan: &Plan) {
    if !plan.governed {
        return;
    }
    p.add(
        "KMS",
        "Customer-managed key",
        1.0,
        "key-months",
        "kms.key_month",
        &|| format!("1 key: the stack's own, for {}", key_uses(plan)),
    );
    p.not_priced(
        "KMS",
        "Key requests",
        &format!(
            "{} ask the key for data keys, which they cache; billed per request past KMS's free 20,000 a month, and KMS request prices are not in the price book",
            key_users(plan)
        ),
    );
    p.not_estimated(
        "EventBridge",
        "S3 object events",
        "the buckets send object events to the account's default event bus; EventBridge prices are not in the price book",
    );
    if let Some(l) = plan.lambda() {
        if l.bucket || plan.log_bucket.is_some() {
            p.not_priced(
                "VPC",
                "Flow logs to S3",
                "billed per GB of flow records, which depends on connection counts; the book has no vended-log price",
            );
        }
        a.say(format_args!(
            "Lambda: the function runs in a VPC of the stack's own with no route to the internet; it reaches DynamoDB and S3 through gateway endpoints, which are free. Other AWS APIs or the internet would need interface endpoints or a NAT gateway, which the plan does not have."
        )        );
    }
    if plan.fargate().is_some_and(|f| f.database.is_some()) {
        p.not_priced(
            "CloudWatch",
            "Enhanced Monitoring OS metrics",
            "RDS writes the database's OS metrics every 60 seconds into the RDSOSMetrics log group, billed as CloudWatch Logs; AWS does not state their volume, so the book cannot price it",
        );
        a.say(format_args!(
            "KMS: the stack's key is kept when the stack is deleted, since the database's final snapshot is encrypted with it; it is billed until you schedule its deletion."
        )        );
    }
}

/// What the governed stack's key encrypts: its log groups always; a Fargate stack's alarm
/// topic, and its database when it has one.
fn key_parts(plan: &Plan) -> Vec<(&'static str, &'static str)> {
    let mut parts = vec![("its logs", "CloudWatch Logs")];
    if let Some(f) = plan.fargate() {
        if f.database.is_some() {
            parts.push(("its database", "RDS"));
        }
        parts.push(("its alarm topic", "SNS"));
    }
    parts
}

/// "its logs, its database and its alarm topic".
fn key_uses(plan: &Plan) -> String {
    let what: Vec<&str> = key_parts(plan).iter().map(|(what, _)| *what).collect();
    crate::words::and_list(&what)
}

/// "CloudWatch Logs, RDS and SNS".
fn key_users(plan: &Plan) -> String {
    let who: Vec<&str> = key_parts(plan).iter().map(|(_, who)| *who).collect();
    crate::words::and_list(&who)
}
