//! What the local sandbox cannot do with a template, said plainly before a deploy rather than
//! discovered as a cryptic failure after it. The template is never changed to suit the
//! sandbox: what real AWS gets is what the sandbox gets. Where moto lacked something, the
//! project's extensions (`sandbox/stackplan_sandbox`) add it, so for every plan Stackplan
//! generates today this finds nothing to refuse.

pub use shared::api::SandboxReport;
use shared::resources::{Sandbox, lookup};
use shared::template::Template;

/// What is true of every sandbox deploy, said once next to its result.
pub const RECORDS_NOTE: &str = "The sandbox creates every resource as a record in moto, with its \
    events and outputs, but nothing runs: no containers, functions, database or cache servers, \
    and the URLs in the outputs do not answer.";

/// The sandbox's view of a template: what would fail the stack, and what to know.
pub fn check(template: &Template) -> SandboxReport {
    let blockers = template
        .resource_types()
        .filter_map(|(id, ty)| match lookup(ty).map(|r| r.sandbox) {
            Some(Sandbox::Fails(why)) => Some(format!("{id} ({ty}): {why}")),
            _ => None,
        })
        .collect();
    SandboxReport {
        blockers,
        notes: vec![RECORDS_NOTE.to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::validate::ValidPlan;

    #[test]
    fn every_plan_of_the_matrix_deploys_in_the_sandbox() {
        for (name, plan) in shared::examples::matrix() {
            let template = shared::template::generate(&ValidPlan::new(plan).unwrap());
            let report = check(&template);
            assert_eq!(report.blockers, Vec::<String>::new(), "{name}");
            assert_eq!(report.notes, vec![RECORDS_NOTE.to_string()], "{name}");
        }
    }

    #[test]
    fn every_type_the_generator_emits_is_created_by_the_sandbox() {
        for r in shared::resources::REGISTRY {
            assert_eq!(r.sandbox, Sandbox::Creates, "{}", r.name);
        }
    }
}
