//! Every cost line, grouped by service, each expandable to its formula; what is unknown, what
//! is not estimated, and every assumption.

use leptos::prelude::*;
use shared::cost::Line;
use shared::plan::{Architecture, CpuArch};

use super::cost_summary::money;
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
    // The groups' services and their lines (index in the estimate, item): the elements are
    // built again only when these change (another architecture, a feature on or off), so an
    // edit changes text only and an opened line stays open. Every reactive text is a
    // `Signal<String>` read straight from the estimate, one type, so its view code exists once.
    let shape = Memo::new(move |_| {
        p.estimate.with(|e| {
            let Some((e, _)) = e else { return Vec::new() };
            let mut groups: Vec<(String, Vec<(usize, String)>)> = Vec::new();
            for (i, l) in e.lines.iter().enumerate() {
                let line = (i, l.item.clone());
                match groups.iter_mut().find(|(s, _)| *s == l.service) {
                    Some(g) => g.1.push(line),
                    None => groups.push((l.service.clone(), vec![line])),
                }
            }
            groups
        })
    });
    let line = move |i: usize, f: fn(&Line) -> String| {
        Signal::derive(move || {
            p.estimate.with(|e| {
                e.as_ref()
                    .and_then(|(e, _)| e.lines.get(i))
                    .map(f)
                    .unwrap_or_default()
            })
        })
    };
    let subtotal = move |lines: Vec<usize>| {
        Signal::derive(move || {
            p.estimate.with(|e| {
                let Some((e, _)) = e else {
                    return String::new();
                };
                let lines = lines.iter().filter_map(|i| e.lines.get(*i));
                let unknown = lines.clone().any(|l| l.monthly_usd.is_none());
                let usd: f64 = lines.map(|l| l.monthly_usd.unwrap_or(0.0)).sum();
                format!("{}{}", money(usd), if unknown { " + unknown" } else { "" })
            })
        })
    };
    let changed =
        move |i: usize| move || p.changed_lines.with(|c| c.get(i).copied().unwrap_or(false));
    let derived = move |i: usize| {
        move || {
            p.estimate.with(|e| {
                e.as_ref()
                    .and_then(|(e, _)| e.lines.get(i))
                    .is_some_and(|l| l.derived)
            })
        }
    };
    let rows = move || {
        shape.with(|shape| {
            shape
                .iter()
                .map(|(service, items)| {
                    let lines = items
                        .iter()
                        .map(|(i, item)| {
                            let i = *i;
                            view! {
                                <li class:changed=changed(i)>
                                    <details>
                                        <summary>
                                            <span>{item.clone()}{move || changed(i)().then(|| view! { <span class="changed-badge" title="The live price differs from the embedded book's">"price changed"</span> })}{move || derived(i)().then(|| view! { <span class="derived-badge" data-testid="derived-price" title="This unit price is derived from other prices (for example equal to another region's), not read from a price list">"derived price"</span> })}</span>
                                            <span class="line-usd">{line(i, |l| l.monthly_usd.map(money).unwrap_or_else(|| "unknown".into()))}</span>
                                        </summary>
                                        <p class="formula">{line(i, |l| l.formula.clone())}</p>
                                    </details>
                                </li>
                            }
                        })
                        .collect_view();
                    view! {
                        <details class="cost-group">
                            <summary>
                                <span>{service.clone()}</span>
                                <span class="line-usd">{subtotal(items.iter().map(|(i, _)| *i).collect())}</span>
                            </summary>
                            <ul>{lines}</ul>
                        </details>
                    }
                })
                .collect_view()
        })
    };
    let list = move |f: fn(&shared::cost::Estimate) -> Vec<String>| {
        Memo::new(move |_| {
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
            <div class="cost-groups" data-testid="cost-groups">{rows}</div>
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
                                on:input=move |ev| if let Ok(v) = event_target_value(&ev).parse() { p.fargate(|f| f.spot_percent = v) } />
                            <output>{move || format!("{}%", p.read_fargate(|f| f.spot_percent))}</output>
                        </label>
                    </Show>
                </div>
            </div>
            <Show when=has>{body()}</Show>
        </section>
    }
}
