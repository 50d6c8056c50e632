//! Runs one in-process step of the planner `n` times, for `scripts/count-instructions.sh`,
//! which counts its instructions under callgrind: figures this shared, noisy machine cannot
//! disturb, to compare a change with its parent beside criterion's times.
//!
//! `cargo run --release -p server --example steps -- <step> <n>`, where step is one of
//! `template` (parse + validate + generate + render), `generate`, `render`, `estimate`,
//! `link` or `comparison`, with `-lambda` for the Lambda example (Fargate's otherwise). It
//! lives with the server, the I/O shell: `shared` reads no command line.

use std::hint::black_box;
use std::process::ExitCode;

use shared::cost::{self, Options, PriceBook, Sides};
use shared::{Plan, ValidPlan, examples, link, template};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(step), Some(Ok(n))) = (args.first(), args.get(1).map(|n| n.parse::<usize>())) else {
        eprintln!("usage: steps <template|generate|render|estimate|link|comparison>[-lambda] <n>");
        return ExitCode::from(2);
    };
    let (name, plan) = match step.strip_suffix("-lambda") {
        Some(name) => (name, examples::lambda()),
        None => (step.as_str(), examples::fargate()),
    };
    let book = PriceBook::embedded();
    let options = Options { free_tier: true };
    let json = plan.to_json_pretty();
    let valid = ValidPlan::new(plan).expect("the examples are valid");
    let generated = template::generate(&valid);
    let run: Box<dyn Fn()> = match name {
        "template" => Box::new(|| {
            let plan = Plan::from_json(black_box(&json)).expect("the example parses");
            let valid = ValidPlan::new(plan).expect("the example is valid");
            black_box(template::generate(&valid).to_json());
        }),
        "generate" => Box::new(|| drop(black_box(template::generate(black_box(&valid))))),
        "render" => Box::new(|| drop(black_box(black_box(&generated).to_json()))),
        "estimate" => {
            Box::new(|| drop(black_box(cost::estimate(black_box(&valid), book, options))))
        }
        "link" => Box::new(|| drop(black_box(link::encode(black_box(valid.plan()))))),
        "comparison" => Box::new(|| {
            drop(black_box(cost::compare(
                black_box(&valid),
                book,
                options,
                Sides::default(),
            )))
        }),
        other => {
            eprintln!("no step {other:?}");
            return ExitCode::from(2);
        }
    };
    for _ in 0..n {
        run();
    }
    ExitCode::SUCCESS
}
