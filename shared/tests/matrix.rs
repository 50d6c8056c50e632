//! Every plan of the example matrix is valid and gives a template within CloudFormation's limits.

use shared::{ValidPlan, examples, template};

#[test]
fn matrix_is_large_and_every_plan_is_valid() {
    let matrix = examples::matrix();
    assert!(matrix.len() >= 60, "the matrix has {} plans", matrix.len());
    let mut names = std::collections::BTreeSet::new();
    for (name, plan) in matrix {
        assert!(names.insert(name.clone()), "duplicate matrix name {name}");
        let valid = ValidPlan::new(plan).unwrap_or_else(|p| panic!("{name} is invalid: {p:?}"));
        let json = template::generate(&valid).to_json();
        println!("{name}: {} bytes", json.len());
        assert!(json.len() < 51_200, "{name}: {} bytes", json.len());
    }
}
