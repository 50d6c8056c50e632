//! What the deploy panel reads from the planner: the plan, its template, the free-tier switch
//! and the server's price book. The panel's code is a chunk split from the planner's wasm,
//! loaded when its card comes near the view; the planner sets these signals
//! (`components/deploy_slot.rs`), with its verdict on the plan: the panel never checks or
//! prices a plan on an edit. The book is the planner's own signal, fetched once for both.

use leptos::prelude::*;
use shared::plan::Plan;

use crate::state::ServerBook;

/// Shared through context: signals and memos are `Copy`.
#[derive(Clone, Copy)]
pub struct Inputs {
    /// The plan as edited; it may be invalid.
    pub plan: RwSignal<Plan>,
    /// Whether the planner found the plan valid.
    pub valid: RwSignal<bool>,
    /// The last valid plan's template, as the planner shows it, and its number of resources.
    pub template: RwSignal<Option<(String, usize)>>,
    /// That template's `Parameters` section: each stack parameter's rules.
    pub parameter_rules: RwSignal<Option<shared::template::Node>>,
    /// Whether estimates count the free tier (the cost panel's switch).
    pub free_tier: RwSignal<bool>,
    /// The server's book for the plan's region, as the planner fetches it.
    pub server_book: RwSignal<Option<ServerBook>>,
    /// Where the plan came from if someone else may have written it ("a share link", "a plan
    /// file"): a deploy of a plan that uses anything beyond its stack is then confirmed first.
    pub opened_from: RwSignal<Option<String>>,
}

impl Inputs {
    /// The inputs for `plan`, with the planner's `server_book`.
    pub fn new(plan: Plan, server_book: RwSignal<Option<ServerBook>>) -> Inputs {
        let plan = RwSignal::new(plan);
        Inputs {
            plan,
            valid: RwSignal::new(false),
            template: RwSignal::new(None),
            parameter_rules: RwSignal::new(None),
            free_tier: RwSignal::new(true),
            server_book,
            opened_from: RwSignal::new(None),
        }
    }
}

pub fn use_inputs() -> Inputs {
    expect_context::<Inputs>()
}
