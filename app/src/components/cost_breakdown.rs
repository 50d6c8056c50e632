//! Every cost line, grouped by service, each expandable to its formula; what is unknown, what
//! is not estimated, and every assumption.

use leptos::prelude::*;
use shared::plan::{Architecture, CpuArch};
use web_sys::Element;

use crate::markup::cost_lines::{Change, Lines, html};
use crate::state::use_planner;

#[component]
pub fn CostBreakdown() -> impl IntoView {
    let p = use_planner();
    let is_arm = move || {
        p.plan.with(|plan| match &plan.architecture {
            Architecture::Fargate(f) => f.cpu_architecture == CpuArch::Arm64,
            Architecture::Lambda(l) => l.architecture == CpuArch::Arm64,
        })
    };
    let set_arm = move |on: bool| {
        let arch = if on { CpuArch::Arm64 } else { CpuArch::X86_64 };
        p.plan.update(|plan| match &mut plan.architecture {
            Architecture::Fargate(f) => f.cpu_architecture = arch,
            Architecture::Lambda(l) => l.architecture = arch,
        });
    };
    let is_fargate = move || p.kind.get() == shared::ArchitectureKind::Fargate;
    // The groups are markup ([`markup::cost_lines`]): built again only when the lines' names
    // change (another architecture, a feature on or off), keeping what the user opened;
    // otherwise an edit writes only the texts that differ, in one pass.
    let groups = NodeRef::<leptos::html::Div>::new();
    let shown = StoredValue::new_local(None::<(web_sys::Element, Lines)>);
    crate::reactive::effect(move |_| {
        let Some(el) = groups.get() else { return };
        let Some(new) = p.estimate.with(|e| {
            p.changed_lines
                .with(|c| e.as_ref().map(|(e, _)| Lines::of(e, c)))
        }) else {
            return;
        };
        let el: web_sys::Element = el.into();
        shown.update_value(|shown| show(&el, shown, new));
    });
    let list = move |f: fn(&shared::cost::Estimate) -> Vec<String>| {
        crate::reactive::memo(move |_| {
            p.estimate
                .with(|e| e.as_ref().map(|(e, _)| f(e)).unwrap_or_default())
        })
    };
    let unknown = list(|e| e.unknown.clone());
    let not_estimated = list(|e| {
        e.not_estimated
            .iter()
            .map(|n| format!("{} {}: {}", n.service, n.item, n.reason))
            .collect()
    });
    let assumptions = list(|e| e.assumptions.clone());
    let items = |l: Memo<Vec<String>>| {
        move || {
            l.get()
                .into_iter()
                .map(|a| view! { <li>{a}</li> })
                .collect_view()
        }
    };
    let body = move || {
        view! {
            <div class="cost-groups" data-testid="cost-groups" node_ref=groups></div>
            {move || (!unknown.with(Vec::is_empty)).then(|| view! {
                <h3>"Unknown prices"</h3>
                <ul class="notes">{items(unknown)}</ul>
            })}
            <h3>"Not estimated"</h3>
            <ul class="notes">{items(not_estimated)}</ul>
            <h3>"Assumptions"</h3>
            <ul class="notes">{items(assumptions)}</ul>
        }
    };
    let has = move || p.estimate.with(Option::is_some);
    view! {
        <section class="card breakdown" aria-labelledby="breakdown-title">
            <div class="card-head">
                <h2 id="breakdown-title">"Cost lines"</h2>
                <div class="cost-toggles">
                    <label class="inline-toggle"><input type="checkbox" id="cost-arm" prop:checked=is_arm on:change=move |ev| set_arm(event_target_checked(&ev)) />"ARM (Graviton)"</label>
                    <Show when=is_fargate>
                        <label class="inline-toggle">"Spot"
                            <input type="range" id="cost-spot" min="0" max="100" step="10" aria-label="Share of tasks on Spot"
                                prop:value=move || p.read_fargate(|f| f.spot_percent).to_string()
                                aria-valuetext=move || format!("{}% of tasks on Spot", p.read_fargate(|f| f.spot_percent))
                                on:input=move |ev| if let Ok(v) = event_target_value(&ev).parse() { p.fargate(|f| f.spot_percent = v) } />
                            <output aria-hidden="true">{move || format!("{}%", p.read_fargate(|f| f.spot_percent))}</output>
                        </label>
                    </Show>
                </div>
            </div>
            <Show when=has>{body()}</Show>
        </section>
    }
}

/// Puts `new` on the page in `el`, where `shown` was: its changed texts only when the lines
/// are the same, else all of it, with the groups and lines that were open still open.
fn show(el: &Element, shown: &mut Option<(Element, Lines)>, new: Lines) {
    match shown {
        Some((on, old)) if on == el && old.same_shape(&new) => {
            for change in old.changes(&new) {
                apply(el, change);
            }
        }
        _ => {
            let open = match shown {
                Some((on, old)) if on == el => open_now(el, old),
                _ => Vec::new(),
            };
            el.set_inner_html(&html(&new, &|service, item| {
                open.iter()
                    .any(|(s, i)| s == service && i.as_deref() == item)
            }));
        }
    }
    *shown = Some((el.clone(), new));
}

/// The `i`-th element child (of the list: the `i`-th group's `<details>`).
fn child(el: &Element, i: usize) -> Option<Element> {
    el.children().item(i as u32)
}

/// The `l`-th line's `<details>` in the `g`-th group.
fn line(el: &Element, g: usize, l: usize) -> Option<Element> {
    child(&child(el, g)?.last_element_child()?, l)?.first_element_child()
}

fn apply(el: &Element, change: Change) {
    let summary_part = |details: Option<Element>, first: bool| {
        let summary = details?.first_element_child()?;
        if first {
            summary.first_element_child()
        } else {
            summary.last_element_child()
        }
    };
    match change {
        Change::Subtotal { group: g, text } => {
            if let Some(s) = summary_part(child(el, g), false) {
                s.set_text_content(Some(text));
            }
        }
        Change::Usd {
            group: g,
            line: l,
            text,
        } => {
            if let Some(s) = summary_part(line(el, g, l), false) {
                s.set_text_content(Some(text));
            }
        }
        Change::Formula {
            group: g,
            line: l,
            text,
        } => {
            if let Some(p) = line(el, g, l).and_then(|d| d.last_element_child()) {
                p.set_text_content(Some(text));
            }
        }
        Change::Head {
            group: g,
            line: l,
            html,
            changed,
        } => {
            let details = line(el, g, l);
            if let Some(li) = details.as_ref().and_then(|d| d.parent_element()) {
                let _ = if changed {
                    li.set_attribute("class", "changed")
                } else {
                    li.remove_attribute("class")
                };
            }
            if let Some(s) = summary_part(details, true) {
                s.set_inner_html(&html);
            }
        }
    }
}

/// The groups (`None`) and lines of `shown` that are open on the page.
fn open_now(el: &Element, shown: &Lines) -> Vec<(String, Option<String>)> {
    let mut open = Vec::new();
    for (g, grp) in shown.0.iter().enumerate() {
        if child(el, g).is_some_and(|d| d.has_attribute("open")) {
            open.push((grp.service.clone(), None));
        }
        for (l, item) in grp.lines.iter().enumerate() {
            if line(el, g, l).is_some_and(|d| d.has_attribute("open")) {
                open.push((grp.service.clone(), Some(item.item.clone())));
            }
        }
    }
    open
}
