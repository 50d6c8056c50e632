//! What the local sandbox (moto) cannot do with a template, said plainly before a deploy
//! rather than discovered as a cryptic failure after it. The template is never changed to suit
//! the sandbox: what real AWS gets is what the sandbox gets.
//!
//! Facts measured with moto 5.2.5 (see `ARCHITECTURE.md`, "The sandbox").

use serde::Serialize;
use shared::template::Template;
use shared::template::refs::{RefKind, references};

/// Resource types moto's CloudFormation accepts but does not create.
pub const NOT_CREATED: &[&str] = &[
    "AWS::ElastiCache::SubnetGroup",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::CloudWatch::Alarm",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Stage",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::S3::BucketPolicy",
    "AWS::SecretsManager::Secret",
];

/// `Fn::GetAtt` attributes moto does not implement on resources it does create.
const MISSING_ATTRIBUTES: &[(&str, &str)] = &[
    ("AWS::RDS::DBInstance", "MasterUserSecret.SecretArn"),
    ("AWS::RDS::DBInstance", "DbiResourceId"),
];

/// Resource types moto fails on, failing the whole stack with an HTTP 500.
const CRASHES: &[(&str, &str)] = &[(
    "AWS::EC2::FlowLog",
    "moto cannot create a flow log that writes to an S3 key prefix (it reads `bucket/vpc/` as the bucket name, finds no such bucket and fails with HTTP 500)",
)];

/// What is true of every sandbox deploy, said next to its result.
pub const OUTPUTS_NOTE: &str = "moto does not compute stack outputs for stacks made through change sets, so the sandbox reports none; on AWS they appear here";

/// The sandbox's view of a template.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SandboxReport {
    /// Resources moto will skip: the stack still completes, but they do not exist.
    pub skipped: Vec<String>,
    /// Why moto would fail the whole stack; empty when it can deploy.
    pub blockers: Vec<String>,
    /// Other differences from AWS the user should know.
    pub notes: Vec<String>,
}

pub fn check(template: &Template) -> SandboxReport {
    let types: std::collections::BTreeMap<&str, &str> = template.resource_types().collect();
    let mut report = SandboxReport::default();
    for (id, ty) in &types {
        if NOT_CREATED.contains(ty) {
            report.skipped.push(format!("{id} ({ty})"));
        }
    }
    let mut blocked = std::collections::BTreeSet::new();
    for (id, ty) in &types {
        if let Some((_, why)) = CRASHES.iter().find(|(t, _)| t == ty) {
            blocked.insert(format!("{id} ({ty}): {why}"));
        }
        let named = template.resources()[*id]["Properties"]
            .get("RepositoryName")
            .is_some();
        if *ty == "AWS::ECR::Repository" && !named {
            blocked.insert(format!(
                "{id} ({ty}): moto names a repository after its logical id, in capitals its own ECR then rejects; CloudFormation on AWS generates a lowercase name"
            ));
        }
    }
    let doc = template.as_value();
    // Only resources count: moto computes a change-set stack's Outputs before any resource
    // exists and never again, so an output that reads a skipped resource does not fail.
    for (user, value) in template.resources() {
        for reference in references(value) {
            let Some(target_type) = types.get(reference.target.as_str()) else {
                continue;
            };
            let attribute = match &reference.kind {
                RefKind::GetAtt(a) => Some(a.as_str()),
                RefKind::Sub(Some(a)) => Some(a.as_str()),
                _ => None,
            };
            let Some(attribute) = attribute else { continue };
            if NOT_CREATED.contains(target_type) {
                blocked.insert(format!(
                    "{user} reads {}.{attribute}, but the sandbox cannot create {} ({target_type})",
                    reference.target, reference.target
                ));
            } else if MISSING_ATTRIBUTES.contains(&(*target_type, attribute)) {
                blocked.insert(format!(
                    "{user} reads {}.{attribute}, which the sandbox does not implement for {target_type}",
                    reference.target
                ));
            }
        }
    }
    report.blockers = blocked.into_iter().collect();
    if doc
        .get("Outputs")
        .is_some_and(|o| o.as_object().is_some_and(|o| !o.is_empty()))
    {
        report.notes.push(OUTPUTS_NOTE.to_string());
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::examples;
    use shared::validate::ValidPlan;

    fn report(kind: shared::plan::ArchitectureKind) -> SandboxReport {
        check(&shared::template::generate(
            &ValidPlan::new(examples::for_kind(kind)).unwrap(),
        ))
    }

    #[test]
    fn the_lambda_example_deploys_with_its_http_api_skipped() {
        let r = report(shared::plan::ArchitectureKind::Lambda);
        assert_eq!(r.blockers, Vec::<String>::new());
        assert!(
            r.skipped
                .iter()
                .any(|s| s.contains("AWS::ApiGatewayV2::Api")),
            "{r:?}"
        );
        assert_eq!(r.notes, vec![OUTPUTS_NOTE.to_string()]);
    }

    #[test]
    fn the_fargate_example_is_refused_with_every_reason() {
        let r = report(shared::plan::ArchitectureKind::Fargate);
        let all = r.blockers.join("\n");
        assert!(all.contains("AWS::EC2::FlowLog"), "{all}");
        assert!(all.contains("MasterUserSecret.SecretArn"), "{all}");
        assert!(all.contains("AWS::ElastiCache::ReplicationGroup"), "{all}");
    }
}
