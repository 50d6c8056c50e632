//! What the deploy panel reads from the planner: the plan, its template and the free-tier
//! switch. The panel is its own WebAssembly module (`app/src/bin/deploy.rs`), loaded after the
//! page's first render, so the planner pushes these to it (`components/deploy_slot.rs`); the
//! valid plan and the price book are derived here, as the planner derives its own.

use leptos::prelude::*;
use shared::ValidPlan;
use shared::plan::Plan;

use crate::state::{ServerBook, fetch_book};

/// Shared through context: signals and memos are `Copy`.
#[derive(Clone, Copy)]
pub struct Inputs {
    /// The plan as edited; it may be invalid.
    pub plan: RwSignal<Plan>,
    /// The plan, if it is valid (the same check as the planner's).
    pub valid: Memo<Option<ValidPlan>>,
    /// The last valid plan's template, as the planner shows it, and its number of resources.
    pub template: RwSignal<Option<(String, usize)>>,
    /// Whether estimates count the free tier (the cost panel's switch).
    pub free_tier: RwSignal<bool>,
    /// The server's book for the plan's region, as the planner fetches it.
    pub server_book: RwSignal<Option<ServerBook>>,
}

impl Inputs {
    pub fn new(plan: Plan) -> Inputs {
        let plan = RwSignal::new(plan);
        let valid = Memo::new(move |_| ValidPlan::new(plan.get()).ok());
        let server_book = RwSignal::new(None::<ServerBook>);
        let region = Memo::new(move |_| plan.with(|p| p.region.code().to_string()));
        Effect::new(move |_| {
            let region = region.get();
            leptos::task::spawn_local(async move {
                if let Some(book) = fetch_book(&region).await {
                    server_book.set(Some(book));
                }
            });
        });
        Inputs {
            plan,
            valid,
            template: RwSignal::new(None),
            free_tier: RwSignal::new(true),
            server_book,
        }
    }
}

pub fn use_inputs() -> Inputs {
    expect_context::<Inputs>()
}
