//! What the deploy panel reads from the planner: the plan, its template and the free-tier
//! switch. The panel is its own WebAssembly module (`app/src/bin/deploy.rs`), loaded when its
//! card comes near the view, so the planner pushes these to it (`components/deploy_slot.rs`),
//! with its verdict on the plan: the panel never checks or prices a plan on an edit. The price
//! book is fetched here as the planner fetches its own.

use leptos::prelude::*;
use shared::plan::Plan;

use crate::state::{ServerBook, follow_book};

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
    pub fn new(plan: Plan) -> Inputs {
        let plan = RwSignal::new(plan);
        let server_book = RwSignal::new(None::<ServerBook>);
        follow_book(plan, server_book);
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
