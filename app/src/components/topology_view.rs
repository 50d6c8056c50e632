//! The topology diagram, derived from the template; hover a node for its type, id and cost.

use leptos::prelude::*;

use crate::browser;
use crate::state::use_planner;

#[component]
pub fn TopologyView() -> impl IntoView {
    let p = use_planner();
    let export = move |_| {
        if let Some(svg) = p.topology.get_untracked() {
            let name = p
                .plan
                .with_untracked(|plan| format!("{}-{}.topology.svg", plan.project, plan.kind()));
            let _ = browser::download(&name, "image/svg+xml", &svg);
        }
    };
    view! {
        <section class="card topology-card" aria-labelledby="topology-title">
            <div class="card-head">
                <h2 id="topology-title">"Topology"</h2>
                <div class="actions">
                    <span class="muted">"from the template · hover for cost"</span>
                    <button type="button" class="secondary" data-testid="export-svg" on:click=export>"Export SVG"</button>
                </div>
            </div>
            <div class="diagram" data-testid="topology" inner_html=move || p.topology.get().unwrap_or_default()></div>
        </section>
    }
}
