//! What the deploy panel reads from the planner: the plan, its verdict on it, its template, the
//! free-tier switch and the server's price book. The panel's code is a chunk split from the
//! planner's wasm (`components/deploy_slot.rs`), in the same reactive graph, so it reads the
//! planner's signals themselves: the panel never checks or prices a plan on an edit, and the
//! book is fetched once for both.

use leptos::prelude::*;
use shared::plan::Plan;

use crate::state::{Planner, ServerBook};

/// Shared through context: signals and memos are `Copy`. The planner's own signals, read-only,
/// and two memos over them: the panel reads the planner's state, it never keeps a copy.
#[derive(Clone, Copy)]
pub struct Inputs {
    /// The plan as edited; it may be invalid.
    pub plan: ReadSignal<Plan>,
    /// Whether the planner found the plan valid, with every box's text in it: a box whose text
    /// is not a number holds the deploy back too (the plan has its last value, not what the
    /// user sees).
    pub valid: Memo<bool>,
    /// The last valid plan's template, as the planner shows it, its number of resources, and
    /// whether it is the current plan's.
    pub template: Memo<Option<(String, usize, bool)>>,
    /// That template's `Parameters` section: each stack parameter's rules.
    pub parameter_rules: Memo<Option<shared::template::Node>>,
    /// Whether estimates count the free tier (the cost panel's switch).
    pub free_tier: ReadSignal<bool>,
    /// The server's book for the plan's region, as the planner fetches it.
    pub server_book: ReadSignal<Option<ServerBook>>,
    /// Where the plan came from if someone else may have written it ("a share link", "a plan
    /// file"): a deploy of a plan that uses anything beyond its stack is then confirmed first.
    pub opened_from: ReadSignal<Option<&'static str>>,
}

impl Inputs {
    /// What the panel reads of planner `p`.
    pub fn of(p: Planner) -> Inputs {
        Inputs {
            plan: p.plan.read_only(),
            valid: crate::reactive::memo(move |_| {
                p.valid.with(Option::is_some) && p.untyped.with(Vec::is_empty)
            }),
            template: p.template,
            parameter_rules: p.template_parameters,
            free_tier: p.free_tier.read_only(),
            server_book: p.server_book.read_only(),
            opened_from: p.opened_from.read_only(),
        }
    }
}

pub fn use_inputs() -> Inputs {
    expect_context::<Inputs>()
}
