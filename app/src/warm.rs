//! The edit path's code, warmed while the page is idle after its first render.
//!
//! V8 first runs a wasm function as Liftoff's baseline code, and compiles it with TurboFan once
//! it has run enough. So the first edits after a load ran the template, the estimate and the
//! diagram in the baseline tier, and took up to twice as long as later ones. Once the first
//! render is painted, this runs the pure part of an edit on the page's own plan a few times,
//! one run per task (so that a click or a keystroke waits for one run at most), and drops what
//! it made. It changes no signal, so no view, link or host page hears of it.

use std::hint::black_box;

use shared::cost::{self, PriceBook};
use shared::plan::Plan;
use shared::{ValidPlan, template};

use crate::markup::cost_lines::{self, Lines};

/// Runs of the edit path.
const RUNS: u32 = 6;

/// Warms the edit path on `plan`, one run per task, starting on the next one.
pub fn start(plan: Plan) {
    leptos::task::spawn_local(async move {
        for _ in 0..RUNS {
            crate::browser::sleep_ms(0).await;
            black_box(run(&plan));
        }
    });
}

/// What an edit computes: the validation, the template and its text, the estimate, the
/// diagram with its hover costs and the cost lines' markup. Returns their sizes.
fn run(plan: &Plan) -> usize {
    let Ok(valid) = ValidPlan::new(plan.clone()) else {
        return 0;
    };
    let t = template::generate(&valid);
    let text = t.to_json();
    let estimate = cost::estimate(&valid, PriceBook::embedded(), cost::Options::default());
    let svg = shared::topology::build(&t).to_svg(&|ty, n| cost::node_cost_text(&estimate, ty, n));
    let lines = cost_lines::html(&Lines::of(&estimate, &[]), &|_, _| false);
    let colours: usize = text
        .lines()
        .take(40)
        .map(|l| crate::highlight::json_line(l).len())
        .sum();
    text.len() + svg.len() + lines.len() + colours
}

#[cfg(test)]
mod tests {
    /// A run does the edit's whole work on a valid plan (a 40 KB template, a diagram, the cost
    /// lines), and nothing on an invalid one.
    #[test]
    fn a_run_makes_what_an_edit_makes() {
        let plan = shared::examples::fargate();
        let valid = shared::ValidPlan::new(plan.clone()).unwrap();
        let text = shared::template::generate(&valid).to_json();
        assert!(super::run(&plan) > text.len() + 10_000);
        let mut invalid = plan;
        invalid.project = String::new();
        assert_eq!(super::run(&invalid), 0);
    }
}
