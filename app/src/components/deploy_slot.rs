//! Where the deploy panel goes. The panel's code is a chunk of its own, split from the
//! planner's wasm at [`mount_panel`] (`scripts/build-wasm.mjs`): a page that is only used to
//! plan never downloads it. It is fetched when its card comes within a screen's height of the
//! view (of the window, or of the results column where that scrolls on its own), so it is
//! usually there by the time it is scrolled to. The chunk shares the planner's memory and
//! reactive graph: the panel reads the planner's signals ([`Inputs`]). Until it is there
//! the card says it is loading; if it cannot load, the card says so, planning goes on, and its
//! "Try again" fetches the chunk afresh.

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
    /// `trying`: asked to try again, and trying.
    Failed {
        why: &'static str,
        trying: bool,
    },
    Mounted,
}

#[component]
pub fn DeploySlot(host: Option<String>, embedded: bool) -> impl IntoView {
    let p = use_planner();
    let area = NodeRef::<leptos::html::Div>::new();
    let slot = NodeRef::<leptos::html::Div>::new();
    let state = RwSignal::new(Module::Loading);
    let host = StoredValue::new(host);
    // Fetches the chunk and mounts the panel. A failed fetch is not remembered (by the loader,
    // nor by `wasm_split`), so "Try again" calls this again for a fresh attempt.
    let load = move || {
        spawn_local(async move {
            let Some(el) = slot.get_untracked() else {
                state.set(Module::Failed {
                    why: "the page has no place for it",
                    trying: false,
                });
                return;
            };
            let mounted = mount_panel(el.clone().into(), p, host.get_value(), embedded).await;
            let retried = matches!(state.get_untracked(), Module::Failed { .. });
            match mounted {
                Ok(()) => {
                    // The card whose button was pressed goes; the keyboard's place goes to the
                    // panel that took its place, not back to the page's start.
                    let had_focus = area.get_untracked().is_some_and(|a| {
                        document()
                            .active_element()
                            .is_some_and(|f| a.contains(Some(&f)))
                    });
                    state.set(Module::Mounted);
                    if retried && had_focus {
                        // Once the slot is shown: the state's effects run after this task.
                        request_animation_frame(move || {
                            let _ = el.focus();
                        });
                    }
                }
                Err(_) => state.set(Module::Failed {
                    why: "its code could not be fetched",
                    trying: false,
                }),
            }
        });
    };
    let retry = move || {
        if let Module::Failed { why, trying: false } = state.get_untracked() {
            state.set(Module::Failed { why, trying: true });
            load();
        }
    };
    area.on_load(move |el| when_near(&el, Closure::once_into_js(load)));
    view! {
        <div class="deploy-area" node_ref=area>
        <div class="deploy-slot" tabindex="-1" node_ref=slot hidden=move || matches!(state.get(), Module::Failed { .. })></div>
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
            Module::Failed { why, trying } => Some(view! {
                <section class="card deploy" aria-busy=trying.then_some("true") aria-labelledby="deploy-failed-title" data-testid="deploy-unavailable">
                    <div class="card-head"><h2 id="deploy-failed-title">"Deploy"</h2></div>
                    <p class="empty" role="alert">{format!("The deploy panel could not load ({why}). Planning works without it.")}</p>
                    // Not `disabled` while trying: a disabled button drops the keyboard's focus.
                    <button type="button" data-testid="deploy-retry" aria-disabled=trying.then_some("true") on:click=move |_| retry()>
                        {if trying { "Trying again…" } else { "Try again" }}
                    </button>
                </section>
            }.into_any()),
        }}
        </div>
    }
}

/// Mounts the deploy panel into `slot`, reading planner `p`. The split point: this function
/// and all that only it reaches (the panel's views, the API types' serde code, the event
/// stream, the uploads) are the `deploy` chunk, fetched and instantiated at the first call.
/// `Err` when the chunk cannot be fetched (a failed load is retried at the next call).
#[wasm_split_helpers::wasm_split(deploy, fallible)]
fn mount_panel(
    slot: web_sys::HtmlElement,
    p: crate::state::Planner,
    host: Option<String>,
    embedded: bool,
) -> Result<(), wasm_split_helpers::SplitLoaderError> {
    leptos::mount::mount_to(slot, move || {
        provide_context(Inputs::of(p));
        view! { <crate::components::deploy::DeployPanel host embedded /> }
    })
    .forget();
    Ok(())
}
