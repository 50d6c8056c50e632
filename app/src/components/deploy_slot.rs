//! Where the deploy panel goes. The panel is a WebAssembly module of its own
//! (`app/src/bin/deploy.rs`, built into `dist/deploy/`): a page that is only used to plan
//! never downloads it. It is imported when its card comes within a screen's height of the
//! view (of the window, or of the results column where that scrolls on its own), so it is
//! usually there by the time it is scrolled to; the page then pushes the planner's state to
//! it on every change. Until it is there the card says it is loading; if
//! it cannot load, the card says so and planning goes on.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::state::use_planner;

/// Where Trunk puts the panel's module (`data-target-path` in `app/index.html`), from the
/// site's root like the planner's own files (`public_url` in `Trunk.toml`).
const MODULE_URL: &str = "/deploy/deploy.js";

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
export function load_module(url) {
  return import(url).then(async (m) => { await m.default(); return m; });
}
"#)]
extern "C" {
    /// Calls `f` once, when `el` comes within a screen's height of the view (at once without
    /// `IntersectionObserver`).
    fn when_near(el: &web_sys::Element, f: JsValue);
    /// Imports a wasm-bindgen module (`--target web`) and instantiates its WebAssembly.
    #[wasm_bindgen(catch)]
    async fn load_module(url: &str) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// The panel module's exports (`app/src/bin/deploy.rs`).
    type DeployModule;
    #[wasm_bindgen(method, catch)]
    fn mount(
        this: &DeployModule,
        build: &str,
        slot: &web_sys::HtmlElement,
        plan: &str,
        host: Option<String>,
        embedded: bool,
    ) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn update(
        this: &DeployModule,
        plan: &str,
        valid: bool,
        free_tier: bool,
        opened_from: Option<String>,
    ) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn set_template(
        this: &DeployModule,
        template: Option<String>,
        resources: u32,
        parameters: Option<String>,
    ) -> Result<(), JsValue>;
}

#[derive(Clone, Debug, PartialEq)]
enum Module {
    Loading,
    Failed(String),
    Mounted,
}

/// What a failed import or mount says, in one line.
fn reason(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

#[component]
pub fn DeploySlot(host: Option<String>, embedded: bool) -> impl IntoView {
    let p = use_planner();
    let area = NodeRef::<leptos::html::Div>::new();
    let slot = NodeRef::<leptos::html::Div>::new();
    let state = RwSignal::new(Module::Loading);
    let module = StoredValue::new_local(None::<DeployModule>);
    let plan_json = move || {
        p.plan
            .with(|plan| serde_json::to_string(plan).unwrap_or_default())
    };
    let load = move || {
        spawn_local(async move {
            let mounted = async {
                let m: DeployModule = load_module(MODULE_URL).await?.unchecked_into();
                let Some(el) = slot.get_untracked() else {
                    return Err(JsValue::from_str("the page has no place for it"));
                };
                m.mount(crate::BUILD, &el, &plan_json(), host, embedded)?;
                Ok::<_, JsValue>(m)
            };
            match mounted.await {
                Ok(m) => {
                    module.set_value(Some(m));
                    state.set(Module::Mounted);
                }
                Err(e) => state.set(Module::Failed(reason(&e))),
            }
        });
    };
    area.on_load(move |el| when_near(&el, Closure::once_into_js(load)));
    // Once mounted, every change the panel reads is pushed to it: the plan, its validity and
    // the free-tier switch on every edit, the template only when it changes. A panel that
    // refuses what it is given is taken off the page rather than left deploying an old plan.
    let push = move |call: &dyn Fn(&DeployModule) -> Result<(), JsValue>| {
        module.with_value(|m| {
            if let Some(m) = m
                && let Err(e) = call(m)
            {
                state.set(Module::Failed(reason(&e)));
            }
        });
    };
    crate::reactive::effect(move |_| {
        if state.get() != Module::Mounted {
            return;
        }
        let plan = plan_json();
        // A box whose text is not a number holds the deploy back too: the plan has its last
        // value, not what the user sees.
        let valid = p.valid.with(Option::is_some) && p.untyped.with(Vec::is_empty);
        let free_tier = p.free_tier.get();
        let opened_from = p.opened_from.get();
        push(&|m| m.update(&plan, valid, free_tier, opened_from.map(String::from)));
    });
    crate::reactive::effect(move |_| {
        if state.get() != Module::Mounted {
            return;
        }
        let (template, resources) = p.template.with(|t| match t {
            Some((text, n, _)) => (Some(text.clone()), *n as u32),
            None => (None, 0),
        });
        let parameters = p.template_parameters.get();
        push(&|m| m.set_template(template.clone(), resources, parameters.clone()));
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
