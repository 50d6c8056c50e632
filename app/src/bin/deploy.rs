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
    let plan = read(plan).unwrap_or_else(shared::examples::fargate);
    leptos::mount::mount_to(slot, move || {
        let inputs = Inputs::new(plan);
        INPUTS.with(|i| i.set(inputs).ok());
        provide_context(inputs);
        view! { <DeployPanel host embedded /> }
    })
    .forget();
    Ok(())
}

/// The planner's plan, which it wrote: whether it reads is all the panel needs to know, not
/// what is wrong with it (serde's own reading, without the errors' words and paths).
fn read(plan: &str) -> Option<shared::Plan> {
    serde_json::from_str(plan).ok()
}

/// Runs `f` with the mounted panel's inputs.
fn with_inputs(f: impl FnOnce(&Inputs)) -> Result<(), JsError> {
    INPUTS.with(|i| match i.get() {
        Some(inputs) => {
            f(inputs);
            Ok(())
        }
        None => Err(JsError::new("the deploy panel is not mounted")),
    })
}

/// Sets `signal` only to a different value, so that nothing follows an equal one.
fn set_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|v| *v != value) {
        signal.set(value);
    }
}

/// The planner's state the panel reads: the plan (JSON), whether the planner found it valid,
/// the free-tier switch, and where the plan came from if someone else may have written it
/// ("a share link", "a plan file").
#[wasm_bindgen]
pub fn update(
    plan: &str,
    valid: bool,
    free_tier: bool,
    opened_from: Option<String>,
) -> Result<(), JsError> {
    // A plan the panel cannot read keeps the last one, and cannot be deployed.
    let plan = read(plan);
    with_inputs(|inputs| {
        let readable = plan.is_some();
        if let Some(plan) = plan {
            set_changed(inputs.plan, plan);
        }
        set_changed(inputs.valid, valid && readable);
        set_changed(inputs.free_tier, free_tier);
        set_changed(inputs.opened_from, opened_from);
    })
}

/// The last valid plan's template as the page shows it (JSON or YAML), its number of
/// resources, and its `Parameters` section as JSON (the rules the form checks values against).
#[wasm_bindgen]
pub fn set_template(
    template: Option<String>,
    resources: u32,
    parameters: Option<String>,
) -> Result<(), JsError> {
    // Rules that cannot be read check nothing here; the server still checks every value.
    let rules = parameters
        .and_then(|p| serde_json::from_str::<serde_json::Value>(&p).ok())
        .map(shared::template::Node::from);
    with_inputs(|inputs| {
        set_changed(inputs.template, template.map(|t| (t, resources as usize)));
        set_changed(inputs.parameter_rules, rules);
    })
}
