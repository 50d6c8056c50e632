//! The deploy panel as its own WebAssembly module. The page imports it when the panel's card
//! comes near the view (`components/deploy_slot.rs`), so a page used only to plan never
//! downloads it; Trunk builds it beside the planner (`app/index.html`, `data-type="worker"`:
//! built, not started).
//!
//! Its exports are the page's only way in: `mount` once, then `update` on every change of the
//! plan, its validity or the free-tier switch, and `set_template` on every new template.

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
/// `build`: the page's [`app::BUILD`], which must be the panel's; `host`: the embedding page's
/// origin, if any; `embedded`: inside another page's frame.
#[wasm_bindgen]
pub fn mount(
    build: &str,
    slot: web_sys::HtmlElement,
    plan: &str,
    host: Option<String>,
    embedded: bool,
) -> Result<(), JsError> {
    if build != app::BUILD {
        return Err(JsError::new(
            "the server has a newer planner than this page; reload the page to deploy",
        ));
    }
    if INPUTS.with(|i| i.get().is_some()) {
        return Ok(());
    }
    // A plan the panel cannot read (none should reach it: the page's fields take finite
    // numbers only) waits for the next `update`; it is not valid until then.
    let plan = shared::Plan::from_json(plan).unwrap_or_else(|_| shared::examples::fargate());
    leptos::mount::mount_to(slot, move || {
        let inputs = Inputs::new(plan);
        INPUTS.with(|i| i.set(inputs).ok());
        provide_context(inputs);
        view! { <DeployPanel host embedded /> }
    })
    .forget();
    Ok(())
}

/// The planner's state the panel reads: the plan (JSON), whether the planner found it valid,
/// and the free-tier switch.
#[wasm_bindgen]
pub fn update(plan: &str, valid: bool, free_tier: bool) -> Result<(), JsError> {
    INPUTS.with(|i| {
        let Some(inputs) = i.get() else {
            return Err(JsError::new("the deploy panel is not mounted"));
        };
        // A plan the panel cannot read keeps the last one, and cannot be deployed.
        let plan = shared::Plan::from_json(plan).ok();
        let valid = valid && plan.is_some();
        if let Some(plan) = plan
            && inputs.plan.with_untracked(|p| *p != plan)
        {
            inputs.plan.set(plan);
        }
        if inputs.valid.get_untracked() != valid {
            inputs.valid.set(valid);
        }
        if inputs.free_tier.get_untracked() != free_tier {
            inputs.free_tier.set(free_tier);
        }
        Ok(())
    })
}

/// The last valid plan's template as the page shows it, and its number of resources.
#[wasm_bindgen]
pub fn set_template(template: Option<String>, resources: u32) -> Result<(), JsError> {
    INPUTS.with(|i| {
        let Some(inputs) = i.get() else {
            return Err(JsError::new("the deploy panel is not mounted"));
        };
        let template = template.map(|t| (t, resources as usize));
        if inputs.template.with_untracked(|t| *t != template) {
            inputs.template.set(template);
        }
        Ok(())
    })
}
