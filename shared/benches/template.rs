//! plan → validated → template (JSON), for both example plans. Prints the time per plan.

use criterion::{Criterion, criterion_group, criterion_main};
use shared::{ValidPlan, examples, template};

fn plan_to_template(c: &mut Criterion) {
    for (name, plan) in [
        ("fargate", examples::fargate()),
        ("lambda", examples::lambda()),
    ] {
        let json = plan.to_json_pretty();
        c.bench_function(&format!("{name}: parse + validate + template json"), |b| {
            b.iter(|| {
                let plan =
                    shared::Plan::from_json(std::hint::black_box(&json)).expect("example parses");
                let valid = ValidPlan::new(plan).expect("example is valid");
                template::generate(&valid).to_json()
            })
        });
    }
}

criterion_group!(benches, plan_to_template);
criterion_main!(benches);
