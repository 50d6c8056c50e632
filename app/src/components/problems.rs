//! Every problem of the plan, each linking to its field.

use leptos::prelude::*;
use shared::Severity;

use super::fields::field_id;
use crate::state::use_planner;

#[component]
pub fn ProblemList() -> impl IntoView {
    let p = use_planner();
    let problems = move || p.problems.get();
    let errors = move || {
        p.problems
            .with(|ps| ps.iter().filter(|p| p.severity == Severity::Error).count())
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
            <Show when=move || !problems().is_empty() fallback=|| view! { <p class="empty">"No problems: the template below is ready to deploy."</p> }>
                <ul class="problem-list">
                    <For each=problems key=|p| format!("{}{}", p.path, p.message) let(problem)>
                        {
                            let target = field_id(&problem.path);
                            let class = if problem.severity == Severity::Error { "problem error" } else { "problem warning" };
                            view! {
                                <li class=class>
                                    <a href=format!("#{target}") on:click=move |ev| {
                                        ev.prevent_default();
                                        if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(&target)) {
                                            el.scroll_into_view();
                                            if let Ok(html) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                                                let _ = html.focus();
                                            }
                                        }
                                    }>
                                        <code>{problem.path.clone()}</code>
                                    </a>
                                    " "
                                    <span>{problem.message.clone()}</span>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </Show>
        </section>
    }
}
