//! Where the deploy panel goes. The panel's code is a chunk of its own, split from the
//! planner's wasm at [`mount_panel`] (`scripts/build-wasm.mjs`): a page that is only used to
//! plan never downloads it. It is fetched when its card comes within a screen's height of the
//! view (of the window, or of the results column where that scrolls on its own), so it is
//! usually there by the time it is scrolled to. The chunk shares the planner's memory and
//! reactive graph: the slot sets the panel's inputs (signals) on every change. Until it is there
//! the card says it is loading; if it cannot load, the card says so and planning goes on.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;

use crate::components::deploy::inputs::Inputs;
use crate::state::use_planner;

#[wasm_bindgen(inline_js = r#"
export function when_near(el, f) {
  let done = false;
  const observers = [];
  const fire = () => {
    if (done) return;
    done = true;
    for (const o of observers) o.disconnect();
    f();
  };
  if (typeof IntersectionObserver !== "function") { fire(); return; }
  // Within a screen's height of the view: the window's, and that of the scrolling box the card
  // is in (the results column scrolls on its own on wide screens). Looked for after the first
  // paint: reading a computed style while the page is being built forces a style pass over the
  // whole page, which the first paint then does again (in a startup profile on this machine,
  // 24–29 ms of this function's own time, mostly that pass).
  const watch = () => {
    const roots = [null];
    for (let box = el.parentElement; box; box = box.parentElement) {
      if (/(auto|scroll)/.test(getComputedStyle(box).overflowY)) { roots.push(box); break; }
    }
    for (const root of roots) {
      const o = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) fire();
      }, { root, rootMargin: "100% 0px" });
      observers.push(o);
      o.observe(el);
    }
  };
  requestAnimationFrame(() => setTimeout(watch, 0));
}
"#)]
extern "C" {
    /// Calls `f` once, when `el` comes within a screen's height of the view (at once without
    /// `IntersectionObserver`).
    fn when_near(el: &web_sys::Element, f: JsValue);
}

#[derive(Clone, Debug, PartialEq)]
enum Module {
    Loading,
    Failed(String),
    Mounted,
}

#[component]
pub fn DeploySlot(host: Option<String>, embedded: bool) -> impl IntoView {
    let p = use_planner();
    let area = NodeRef::<leptos::html::Div>::new();
    let slot = NodeRef::<leptos::html::Div>::new();
    let state = RwSignal::new(Module::Loading);
    let inputs = StoredValue::new_local(None::<Inputs>);
    let load = move || {
        spawn_local(async move {
            let Some(el) = slot.get_untracked() else {
                state.set(Module::Failed("the page has no place for it".into()));
                return;
            };
            let plan = p.plan.get_untracked();
            match mount_panel(el.into(), plan, p.server_book, host, embedded).await {
                Ok(i) => {
                    inputs.set_value(Some(i));
                    state.set(Module::Mounted);
                }
                Err(_) => state.set(Module::Failed("its code could not be fetched".into())),
            }
        });
    };
    area.on_load(move |el| when_near(&el, Closure::once_into_js(load)));
    crate::reactive::effect(move |_| {
        if state.get() != Module::Mounted {
            return;
        }
        let plan = p.plan.get();
        let valid = p.valid.with(Option::is_some) && p.untyped.with(Vec::is_empty);
        let free_tier = p.free_tier.get();
        let opened_from = p.opened_from.get().map(String::from);
        if let Some(i) = inputs.get_value() {
            set_changed(i.plan, plan);
            set_changed(i.valid, valid);
            set_changed(i.free_tier, free_tier);
            set_changed(i.opened_from, opened_from);
        }
    });
    crate::reactive::effect(move |_| {
        if state.get() != Module::Mounted {
            return;
        }
        let template = p
            .template
            .with(|t| t.as_ref().map(|(text, n, _)| (text.clone(), *n)));
        let rules = p.template_parameters.get();
        if let Some(i) = inputs.get_value() {
            set_changed(i.template, template);
            set_changed(i.parameter_rules, rules);
        }
    });
    view! {
        <div class="deploy-area" node_ref=area>
        <div class="deploy-slot" node_ref=slot hidden=move || matches!(state.get(), Module::Failed(_))></div>
        {move || match state.get() {
            Module::Mounted => None,
            Module::Loading => Some(view! {
                <section class="card deploy" aria-busy="true" aria-labelledby="deploy-loading-title" data-testid="deploy">
                    <div class="card-head">
                        <h2 id="deploy-loading-title">"Deploy"</h2>
                        <span class="muted">"Loading the deploy panel…"</span>
                    </div>
                </section>
            }.into_any()),
            Module::Failed(why) => Some(view! {
                <section class="card deploy" aria-labelledby="deploy-failed-title" data-testid="deploy-unavailable">
                    <div class="card-head"><h2 id="deploy-failed-title">"Deploy"</h2></div>
                    <p class="empty" role="alert">{format!("The deploy panel could not load ({why}). Planning works without it; reload the page to try again.")}</p>
                </section>
            }.into_any()),
        }}
        </div>
    }
}

/// Sets `signal` only to a different value, so that nothing follows an equal one.
fn set_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|v| *v != value) {
        signal.set(value);
    }
}

/// Mounts the deploy panel into `slot`, for `plan` and with the planner's `server_book`, and
/// returns the inputs the page sets. The split point: this function and all that only it
/// reaches (the panel's views, the API types' serde code, the event stream, the uploads) are
/// the `deploy` chunk, fetched and instantiated at the first call. `Err` when the chunk cannot
/// be fetched (a failed load is retried at the next call).
#[wasm_split_helpers::wasm_split(deploy, fallible)]
fn mount_panel(
    slot: web_sys::HtmlElement,
    plan: shared::Plan,
    server_book: RwSignal<Option<crate::state::ServerBook>>,
    host: Option<String>,
    embedded: bool,
) -> Result<Inputs, wasm_split_helpers::SplitLoaderError> {
    let made = std::rc::Rc::new(std::cell::Cell::new(None));
    let keep = made.clone();
    leptos::mount::mount_to(slot, move || {
        let inputs = Inputs::new(plan, server_book);
        keep.set(Some(inputs));
        provide_context(inputs);
        view! { <crate::components::deploy::DeployPanel host embedded /> }
    })
    .forget();
    Ok(made.get().expect("mount_to runs its view function at once"))
}
