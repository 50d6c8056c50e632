//! Every problem of the plan, each linking to its field (the items are markup:
//! [`crate::markup::problems`]).

use leptos::prelude::*;
use shared::Severity;
use wasm_bindgen::JsCast;

use crate::markup;
use crate::state::use_planner;

#[component]
pub fn ProblemList() -> impl IntoView {
    let p = use_planner();
    let errors = move || {
        p.problems
            .with(|ps| ps.iter().filter(|p| p.severity == Severity::Error).count())
    };
    let items = crate::reactive::memo(move |_| {
        p.labels.with(|labels| {
            p.untyped.with(|held| {
                p.problems.with(|ps| {
                    markup::problems::items(
                        ps,
                        &|path| {
                            labels
                                .get(path)
                                .copied()
                                .or_else(|| markup::problems::place_name(path))
                                .map(str::to_string)
                        },
                        // A box's own text is quoted in its message as typed: no code spans.
                        &|path| held.iter().any(|u| u.path == path),
                    )
                })
            })
        })
    });
    let items = move || items.get();
    // A problem's link goes to its field: scrolled to and focused.
    let focus = move |ev: leptos::ev::MouseEvent| {
        let Some(link) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a[href^='#']").ok().flatten())
        else {
            return;
        };
        ev.prevent_default();
        let href = link.get_attribute("href").unwrap_or_default();
        if let Some(id) = href.strip_prefix('#') {
            crate::browser::go_to(id, true);
        }
    };
    view! {
        <section class="card problems" aria-labelledby="problems-title" data-testid="problems">
            <div class="card-head">
                <h2 id="problems-title">"Checks"</h2>
                <span class="badge" class:bad=move || { errors() > 0 }>
                    {move || match errors() {
                        0 => "valid".to_string(),
                        1 => "1 error".to_string(),
                        n => format!("{n} errors"),
                    }}
                </span>
            </div>
            <Show when=move || !p.problems.with(Vec::is_empty) fallback=|| view! { <p class="empty">"No problems: the template below is ready to deploy."</p> }>
                <ul class="problem-list" on:click=focus inner_html=items></ul>
            </Show>
        </section>
    }
}
