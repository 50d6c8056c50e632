//! The sandbox's own unit tests (`sandbox/tests/test_models.py`) deploy the product's example
//! templates from `sandbox/tests/fixtures`, since they run under Python alone. This keeps those
//! copies byte-identical to what the generator makes today; to refresh them:
//! `STACKPLAN_UPDATE_FIXTURES=1 cargo test -p stackplan-tests --test sandbox_fixtures`.

use shared::{Format, ValidPlan, examples, template};
use stackplan_tests::workspace_root;

#[test]
fn the_sandbox_fixtures_are_the_generated_example_templates() {
    for (name, plan) in [
        ("fargate", examples::fargate()),
        ("lambda", examples::lambda()),
    ] {
        let generated = template::generate(&ValidPlan::new(plan).expect("examples are valid"))
            .render(Format::Json);
        let path = workspace_root().join(format!("sandbox/tests/fixtures/{name}-example.json"));
        if std::env::var_os("STACKPLAN_UPDATE_FIXTURES").is_some() {
            std::fs::write(&path, &generated).expect("write fixture");
        }
        let fixture = std::fs::read_to_string(&path).expect("read fixture");
        assert!(
            fixture == generated,
            "{} differs from the generated {name} example template; refresh it (see this file's header)",
            path.display()
        );
    }
}
