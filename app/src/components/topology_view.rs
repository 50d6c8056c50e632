//! The topology diagram, derived from the template; hover a node for its type, id and cost.

use leptos::html::Div;
use leptos::prelude::*;

use crate::browser;
use crate::state::use_planner;
use crate::svg_parts::{Change, changes};

/// Shows `new` in `div`, which shows `old`: only the diagram's changed parts are replaced.
fn show(div: &web_sys::HtmlDivElement, old: &str, new: &str) {
    let parts = match changes(old, new) {
        Change::None => return,
        Change::Parts(parts) => parts,
        Change::Whole => return div.set_inner_html(new),
    };
    let children = div.first_element_child().map(|svg| svg.children());
    for (i, part) in parts {
        // Parsed in the context of the `<svg>`, the part's elements are SVG elements.
        match children.as_ref().and_then(|c| c.item(i as u32)) {
            Some(child) => child.set_outer_html(part),
            None => return div.set_inner_html(new),
        }
    }
}

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
    let diagram = NodeRef::<Div>::new();
    // Fitted to the card, the diagram's labels are small (about 60% of their size on a
    // laptop); at full size they are as drawn, and the card scrolls both ways.
    let full = RwSignal::new(false);
    let shown = StoredValue::new(String::new());
    crate::reactive::effect(move |_| {
        let svg = p.topology.get().unwrap_or_default();
        if let Some(div) = diagram.get() {
            shown.update_value(|old| {
                show(&div, old, &svg);
                *old = svg;
            });
        }
    });
    view! {
        <section class="card topology-card" aria-labelledby="topology-title">
            <div class="card-head">
                <h2 id="topology-title">"Topology"</h2>
                <div class="actions">
                    <span class="muted">"from the template · hover for cost, or read it as text below"</span>
                    <button type="button" class="secondary" data-testid="diagram-full-size"
                        aria-pressed=move || full.get().to_string()
                        on:click=move |_| full.update(|f| *f = !*f)>"Full size"</button>
                    <button type="button" class="secondary" data-testid="export-svg" on:click=export
                        disabled=move || p.topology.with(Option::is_none)
                        title=move || p.topology.with(Option::is_none).then_some("No diagram yet: fix the errors under Checks first")>"Export SVG"</button>
                </div>
            </div>
            // Wider than a narrow column, so it scrolls: a Tab stop, for arrow keys to scroll it.
            <div class="diagram" class:full=move || full.get() data-testid="topology" node_ref=diagram tabindex="0" role="group"
                aria-label="Topology diagram (scrolls)"></div>
            // The picture's text alternative: its resources with their costs, and its
            // connections (the picture itself is one image to assistive technology).
            <details class="topology-text" data-testid="topology-text"
                on:toggle=move |ev| p.topology_text_open.set(event_target::<web_sys::HtmlDetailsElement>(&ev).open())>
                <summary>"The diagram as text"</summary>
                <div inner_html=move || p.topology_text.get().unwrap_or_default()></div>
            </details>
        </section>
    }
}
