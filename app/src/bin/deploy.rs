//! The deploy panel as its own WebAssembly module. The page loads it after its first render
//! (`components/deploy_slot.rs`), so planning never waits for the deploy code to download;
//! Trunk builds it beside the planner (`app/index.html`, `data-type="worker"`: built, not
//! started).
//!
//! Its exports are the page's only way in: `mount` once, then `update` on every change of the
//! plan, its template or the free-tier switch.

use std::cell::OnceCell;

use app::components::deploy::DeployPanel;
use app::components::deploy::inputs::Inputs;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
}

thread_local! {
    static INPUTS: OnceCell<Inputs> = const { OnceCell::new() };
}

/// Puts the panel into `slot` (once; a second call does nothing), for `plan` (JSON).
/// `host`: the embedding page's origin, if any; `embedded`: inside another page's frame.
#[wasm_bindgen]
pub fn mount(
    slot: web_sys::HtmlElement,
    plan: &str,
    host: Option<String>,
    embedded: bool,
) -> Result<(), JsError> {
    if INPUTS.with(|i| i.get().is_some()) {
        return Ok(());
    }
    let plan = shared::Plan::from_json(plan).map_err(|e| JsError::new(&e.to_string()))?;
    leptos::mount::mount_to(slot, move || {
        let inputs = Inputs::new(plan);
        INPUTS.with(|i| i.set(inputs).ok());
        provide_context(inputs);
        view! { <DeployPanel host embedded /> }
    })
    .forget();
    Ok(())
}

/// The planner's state the panel reads: the plan (JSON) and whether the planner found it valid,
/// the last valid plan's template as the page shows it and its number of resources, and the
/// free-tier switch.
#[wasm_bindgen]
pub fn update(
    plan: &str,
    valid: bool,
    template: Option<String>,
    resources: u32,
    free_tier: bool,
) -> Result<(), JsError> {
    let plan = shared::Plan::from_json(plan).map_err(|e| JsError::new(&e.to_string()))?;
    INPUTS.with(|i| {
        let Some(inputs) = i.get() else {
            return Err(JsError::new("the deploy panel is not mounted"));
        };
        if inputs.plan.with_untracked(|p| *p != plan) {
            inputs.plan.set(plan);
        }
        if inputs.valid.get_untracked() != valid {
            inputs.valid.set(valid);
        }
        let template = template.map(|t| (t, resources as usize));
        if inputs.template.with_untracked(|t| *t != template) {
            inputs.template.set(template);
        }
        if inputs.free_tier.get_untracked() != free_tier {
            inputs.free_tier.set(free_tier);
        }
        Ok(())
    })
}
