//! Least privilege over the whole matrix: for every plan, the deploy and read sessions' policies
//! act on the plan's stack alone, with no `iam:*`, no `<service>:*` and nothing on `*`.

use server::deploy::policy::{Access, Scope, session_policy, too_wide};
use shared::examples;

#[test]
fn no_session_policy_of_any_plan_is_wider_than_its_stack() {
    let mut checked = 0;
    for (name, plan) in examples::matrix() {
        let stack_name = format!("{}-{}", plan.project, plan.kind());
        let scope = Scope {
            partition: "aws",
            region: plan.region.code(),
            account: "111122223333",
            stack_name: &stack_name,
        };
        for access in [Access::Read, Access::Deploy] {
            let policy = session_policy(
                access,
                &scope,
                Some("arn:aws:iam::111122223333:role/stackplan-execution"),
            );
            assert_eq!(too_wide(&policy), None, "{name} {access:?}: {policy}");
            assert!(
                policy.contains(&format!(":stack/{stack_name}/*")),
                "{name}: {policy}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 140, "{checked}");
}
