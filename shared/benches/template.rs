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
        // The same work in its four steps, to see where the time goes.
        let parsed = shared::Plan::from_json(&json).expect("example parses");
        let valid = ValidPlan::new(parsed.clone()).expect("example is valid");
        let generated = template::generate(&valid);
        c.bench_function(&format!("{name}: 1 parse"), |b| {
            b.iter(|| shared::Plan::from_json(std::hint::black_box(&json)))
        });
        c.bench_function(&format!("{name}: 2 validate"), |b| {
            b.iter(|| ValidPlan::new(std::hint::black_box(parsed.clone())))
        });
        c.bench_function(&format!("{name}: 3 generate"), |b| {
            b.iter(|| template::generate(std::hint::black_box(&valid)))
        });
        c.bench_function(&format!("{name}: 4 render json"), |b| {
            b.iter(|| std::hint::black_box(&generated).to_json())
        });
    }
}

/// What an edit recomputes besides the template: the estimate, the diagram (with its hover
/// costs), the share link, the controls' checklist and the comparison curve.
fn derived(c: &mut Criterion) {
    let book = shared::cost::PriceBook::embedded();
    let options = shared::cost::Options { free_tier: true };
    for (name, plan) in [
        ("fargate", examples::fargate()),
        ("lambda", examples::lambda()),
    ] {
        let valid = ValidPlan::new(plan).expect("example is valid");
        let t = template::generate(&valid);
        let estimate = shared::cost::estimate(&valid, book, options);
        c.bench_function(&format!("{name}: estimate"), |b| {
            b.iter(|| shared::cost::estimate(std::hint::black_box(&valid), book, options))
        });
        c.bench_function(&format!("{name}: topology svg with hover costs"), |b| {
            b.iter(|| {
                shared::topology::build(std::hint::black_box(&t))
                    .to_svg(&|ty, n| shared::cost::node_cost_text(&estimate, ty, n))
            })
        });
        // Every template records its plan's link (and the address bar shows one per edit).
        c.bench_function(&format!("{name}: share link"), |b| {
            b.iter(|| shared::link::encode(std::hint::black_box(valid.plan())))
        });
        c.bench_function(&format!("{name}: controls checklist"), |b| {
            b.iter(|| shared::resources::controls::checklist(std::hint::black_box(&valid), &t))
        });
        c.bench_function(&format!("{name}: comparison"), |b| {
            b.iter(|| {
                shared::cost::compare(
                    std::hint::black_box(&valid),
                    book,
                    options,
                    shared::cost::Sides::default(),
                )
            })
        });
    }
}

criterion_group!(benches, plan_to_template, derived);
criterion_main!(benches);
