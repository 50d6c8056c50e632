//! Every cost line, grouped by service, each expandable to its formula; what is unknown, what
//! is not estimated, and every assumption.

use leptos::prelude::*;
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
    let body = move || {
        let changed = p.changed_lines.get();
        p.estimate.with(|e| {
            let Some((e, _)) = e else { return ().into_any() };
            // Lines whose live unit price differs from the embedded book's, by their text.
            let changed_items: std::collections::BTreeSet<(String, String)> = e
                .lines
                .iter()
                .zip(changed.iter())
                .filter(|(_, c)| **c)
                .map(|(l, _)| (l.service.clone(), l.item.clone()))
                .collect();
            let groups = e
                .by_service()
                .into_iter()
                .map(|(service, subtotal, lines)| {
                    let unknown = lines.iter().any(|l| l.monthly_usd.is_none());
                    view! {
                        <details class="cost-group">
                            <summary>
                                <span>{service.clone()}</span>
                                <span class="line-usd">{money(subtotal)}{unknown.then_some(" + unknown")}</span>
                            </summary>
                            <ul>
                                {lines.into_iter().map(|l| {
                                    let is_changed = changed_items.contains(&(l.service.clone(), l.item.clone()));
                                    view! {
                                    <li class:changed=is_changed>
                                        <details>
                                            <summary>
                                                <span>{l.item.clone()}{is_changed.then(|| view! { <span class="changed-badge" title="The live price differs from the embedded book's">"price changed"</span> })}{l.derived.then(|| view! { <span class="derived-badge" data-testid="derived-price" title="This unit price is derived from other prices (for example equal to another region's), not read from a price list">"derived price"</span> })}</span>
                                                <span class="line-usd">{l.monthly_usd.map(money).unwrap_or_else(|| "unknown".into())}</span>
                                            </summary>
                                            <p class="formula">{l.formula.clone()}</p>
                                        </details>
                                    </li>
                                }}).collect_view()}
                            </ul>
                        </details>
                    }
                })
                .collect_view();
            view! {
                <div class="cost-groups" data-testid="cost-groups">{groups}</div>
                {(!e.unknown.is_empty()).then(|| view! {
                    <h3>"Unknown prices"</h3>
                    <ul class="notes">{e.unknown.iter().map(|u| view! { <li>{u.clone()}</li> }).collect_view()}</ul>
                })}
                <h3>"Not estimated"</h3>
                <ul class="notes">{e.not_estimated.iter().map(|n| view! { <li>{format!("{} {}: {}", n.service, n.item, n.reason)}</li> }).collect_view()}</ul>
                <h3>"Assumptions"</h3>
                <ul class="notes">{e.assumptions.iter().map(|a| view! { <li>{a.clone()}</li> }).collect_view()}</ul>
            }
            .into_any()
        })
    };
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
            {body}
        </section>
    }
}
