//! What the local sandbox (moto) cannot do with a template, said plainly before a deploy
//! rather than discovered as a cryptic failure after it. The template is never changed to suit
//! the sandbox: what real AWS gets is what the sandbox gets.
//!
//! Facts measured with moto 5.2.5 (see `ARCHITECTURE.md`, "The sandbox").

pub use shared::api::SandboxReport;
use shared::resources::{Sandbox, lookup};
use shared::template::Template;
use shared::template::refs::{RefKind, references};

/// What is true of every sandbox deploy, said next to its result.
pub const OUTPUTS_NOTE: &str = "moto does not compute stack outputs for stacks made through change sets, so the sandbox reports none; on AWS they appear here";

/// What the sandbox does with a type (the registry's word; a type outside it is created).
fn sandbox(ty: &str) -> Sandbox {
    lookup(ty).map_or(Sandbox::Creates, |r| r.sandbox)
}

/// The sandbox's view of a template: what it skips, what would fail the stack, and notes.
pub fn check(template: &Template) -> SandboxReport {
    let types: std::collections::BTreeMap<&str, &str> = template.resource_types().collect();
    let mut report = SandboxReport::default();
    let mut blocked = std::collections::BTreeSet::new();
    for (id, ty) in &types {
        match sandbox(ty) {
            Sandbox::Records => report.skipped.push(format!("{id} ({ty})")),
            Sandbox::Fails(why) => {
                blocked.insert(format!("{id} ({ty}): {why}"));
            }
            Sandbox::FailsWithout { property, reason }
                if template.resources()[*id]["Properties"]
                    .get(property)
                    .is_none() =>
            {
                blocked.insert(format!("{id} ({ty}): {reason}"));
            }
            _ => {}
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
            match sandbox(target_type) {
                Sandbox::Records => {
                    blocked.insert(format!(
                        "{user} reads {}.{attribute}, but the sandbox cannot create {} ({target_type})",
                        reference.target, reference.target
                    ));
                }
                Sandbox::CreatesWithout(missing) if missing.contains(&attribute) => {
                    blocked.insert(format!(
                        "{user} reads {}.{attribute}, which the sandbox does not implement for {target_type}",
                        reference.target
                    ));
                }
                _ => {}
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
