//! Fargate and Lambda side by side for the same workload: totals, the cost by component, the
//! cost curve and the break-even (a bound when a price is unknown).

use leptos::prelude::*;
use shared::cost::{Bound, Comparison, Component, Estimate};
use shared::plan::{Architecture, CpuArch};
use shared::validate::limits;
use wasm_bindgen::JsCast;

use super::cost_summary::{at_least, signed};
use crate::chart::{self, BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH};
use crate::state::use_planner;

fn verdict(c: &Comparison) -> String {
    let name = |s: &str| if s == "fargate" { "Fargate" } else { "Lambda" };
    match (c.break_even_requests_per_month, &c.cheaper_above_break_even) {
        (Some(r), Some(cheaper)) => format!(
            "They cross at {}{} requests a month; above that, {} is cheaper.",
            match c.break_even_bound {
                Bound::Exact => "about ",
                Bound::AtLeast => "at least ",
                Bound::AtMost => "at most ",
                Bound::Withheld => "",
            },
            shared::cost::fmt_qty(r),
            name(cheaper)
        ),
        (None, Some(_)) => "Where they cross is withheld: see why below.".to_string(),
        _ => {
            "The two do not cross between 1 thousand and 100 billion requests a month.".to_string()
        }
    }
}

/// Both sides' subtotals by component, and the difference.
fn components(f: &Estimate, l: &Estimate) -> impl IntoView + use<> {
    let rows = f
        .by_component()
        .into_iter()
        .zip(l.by_component())
        .map(|(fc, lc)| {
            let diff = fc.usd - lc.usd;
            let services = |c: &shared::cost::ComponentTotal| c.services.join(", ");
            view! {
                <tr data-testid=format!("component-{}", component_id(fc.component))>
                    <th scope="row">{fc.component.label()}</th>
                    <td title=services(&fc)>{at_least(fc.usd, fc.lower_bound)}</td>
                    <td title=services(&lc)>{at_least(lc.usd, lc.lower_bound)}</td>
                    <td class="diff">{if fc.lower_bound || lc.lower_bound { "?".to_string() } else { signed(diff) }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="components" data-testid="compare-components">
            <caption>"Where the money goes"</caption>
            <thead><tr><th scope="col">"Component"</th><th scope="col">"Fargate"</th><th scope="col">"Lambda"</th><th scope="col">"Fargate − Lambda"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

fn component_id(c: Component) -> &'static str {
    match c {
        Component::Compute => "compute",
        Component::Network => "network",
        Component::Data => "data",
        Component::Observability => "observability",
    }
}

/// The Lambda side's memory and CPU, following the Fargate task unless changed.
#[component]
fn LambdaSide() -> impl IntoView {
    let p = use_planner();
    // Memos: a new comparison (another edit, or the live price book arriving) sets the boxes
    // only when the priced memory or CPU changed, never under the user's typing.
    let priced = Memo::new(move |_| {
        p.comparison.with(|c| {
            c.as_ref().and_then(|c| match &c.lambda_plan.architecture {
                Architecture::Lambda(l) => Some((l.memory_mb, l.architecture)),
                Architecture::Fargate(_) => None,
            })
        })
    });
    let memory = Memo::new(move |_| priced.get().map(|(m, _)| m.to_string()).unwrap_or_default());
    let arm = Memo::new(move |_| priced.get().is_some_and(|(_, a)| a == CpuArch::Arm64));
    let following = move || {
        p.sides
            .with(|s| s.lambda_memory_mb.is_none() && s.lambda_architecture.is_none())
    };
    view! {
        <div class="lambda-side" data-testid="lambda-side">
            <label>"Lambda memory (MB) "
                <input type="number" min=limits::MIN_LAMBDA_MEMORY_MB max=limits::MAX_LAMBDA_MEMORY_MB step="64" id="compare-lambda-memory"
                    prop:value=memory
                    on:change=move |ev| {
                        // Within Lambda's range, as the comparison takes it; the box shows what
                        // is priced (the memo does not change when the clamped value is the
                        // one already priced).
                        let Ok(v) = event_target_value(&ev).parse::<u32>() else { return };
                        let v = v.clamp(limits::MIN_LAMBDA_MEMORY_MB, limits::MAX_LAMBDA_MEMORY_MB);
                        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                            input.set_value(&v.to_string());
                        }
                        p.sides.update(|s| s.lambda_memory_mb = Some(v));
                    } />
            </label>
            <label class="inline-toggle">
                <input type="checkbox" id="compare-lambda-arm" prop:checked=arm
                    on:change=move |ev| {
                        let arch = if event_target_checked(&ev) { CpuArch::Arm64 } else { CpuArch::X86_64 };
                        p.sides.update(|s| s.lambda_architecture = Some(arch));
                    } />
                "Arm"
            </label>
            <Show when=move || !following() fallback=|| view! { <span class="muted">"follows the Fargate task"</span> }>
                <button type="button" class="link" on:click=move |_| p.sides.set(Default::default())>"Follow the Fargate task"</button>
            </Show>
        </div>
    }
}

#[component]
pub fn CompareView() -> impl IntoView {
    let p = use_planner();
    // The user's side's totals, then the Lambda side's settings (outside the rebuilt parts, so
    // a new comparison never rebuilds the boxes being typed in), then the rest.
    let sides = move || {
        p.comparison.with(|c| {
            let c = c.as_ref()?;
            let side = |name: &'static str, e: &Estimate, dominant: &str, mine: bool| {
                view! {
                    <div class="compare-side" class:mine=mine data-testid=format!("compare-{}", name.to_lowercase())>
                        <div class="compare-name">{name}{mine.then_some(" (your plan)")}</div>
                        <div class="compare-total">{at_least(e.monthly_usd, e.lower_bound)}</div>
                        <div class="muted">{format!("largest: {dominant}")}</div>
                    </div>
                }
            };
            let fargate_mine = p.compared_kind.get() == shared::ArchitectureKind::Fargate;
            Some(view! {
                <div class="compare-sides">
                    {side("Fargate", &c.fargate, &c.dominant.fargate, fargate_mine)}
                    {side("Lambda", &c.lambda, &c.dominant.lambda, !fargate_mine)}
                </div>
            })
        })
    };
    let lambda_side = move || {
        p.comparison.with(Option::is_some)
            && p.compared_kind.get() == shared::ArchitectureKind::Fargate
    };
    let body = move || {
        p.comparison.with(|c| {
            let Some(c) = c else {
                let text = if p.comparing.get() {
                    "Pricing both architectures…"
                } else {
                    "Fix the plan's problems to compare the two architectures."
                };
                return view! { <p class="empty">{text}</p> }.into_any();
            };
            // The traffic and the side of the plan that was priced (both sides share its
            // workload), not of the plan being edited: the view changes with the comparison.
            let user = c.fargate_plan.workload.requests_per_month as f64;
            let geometry = chart::layout(&c.curve, c.break_even_requests_per_month, user);
            let any_lower_bound = c.curve.iter().any(|p| p.fargate_lower_bound || p.lambda_lower_bound);
            view! {
                {components(&c.fargate, &c.lambda)}
                <p class="verdict" data-testid="break-even" data-bound=format!("{:?}", c.break_even_bound)>{verdict(c)}</p>
                {c.break_even_note.clone().map(|n| view! { <p class="unknown-note" data-testid="break-even-note">{n}</p> })}
                {geometry.map(|g| view! {
                    <svg class="chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img"
                        aria-label="Monthly cost against requests per month, log scales" data-testid="compare-chart">
                        {g.over_capacity_x.map(|x| view! {
                            <rect class="over-capacity" data-testid="over-capacity" x=x y=TOP width=(WIDTH - RIGHT - x).max(0.0) height=HEIGHT - TOP - BOTTOM>
                                <title>"Fargate needs more tasks than the plan's maximum here"</title>
                            </rect>
                        })}
                        {g.y_ticks.iter().map(|(y, label)| view! {
                            <line class="grid" x1=LEFT x2=WIDTH - RIGHT y1=*y y2=*y />
                            <text class="tick" x=LEFT - 6.0 y=*y + 4.0 text-anchor="end">{label.clone()}</text>
                        }).collect_view()}
                        {g.x_ticks.iter().map(|(x, label)| view! {
                            <text class="tick" x=*x y=HEIGHT - BOTTOM + 16.0 text-anchor="middle">{label.clone()}</text>
                        }).collect_view()}
                        <text class="axis" x=(LEFT + WIDTH - RIGHT) / 2.0 y=HEIGHT - 4.0 text-anchor="middle">"requests per month"</text>
                        <path class="fargate" d=g.fargate_path.clone() />
                        <path class="lambda" d=g.lambda_path.clone() />
                        <path class="lower-bound" data-testid="fargate-lower-bound" d=g.fargate_lower_bound_path.clone() />
                        <path class="lower-bound" data-testid="lambda-lower-bound" d=g.lambda_lower_bound_path.clone() />
                        {g.break_even_x.map(|x| view! {
                            <line class="break-even" data-testid="break-even-marker" data-x=format!("{x:.1}") x1=x x2=x y1=TOP y2=HEIGHT - BOTTOM />
                            <text class="marker-label" x=x + 4.0 y=TOP + 10.0>"break-even"</text>
                        })}
                        {g.user_x.map(|x| view! {
                            <line class="you" data-testid="traffic-marker" data-x=format!("{x:.1}") x1=x x2=x y1=TOP y2=HEIGHT - BOTTOM />
                            <text class="marker-label" x=x + 4.0 y=TOP + 24.0>"your traffic"</text>
                        })}
                    </svg>
                    <div class="legend">
                        <span class="swatch fargate"></span>"Fargate"<span class="swatch lambda"></span>"Lambda"
                        {any_lower_bound.then(|| view! { <span class="swatch lower-bound"></span>"dashed: a lower bound, some prices unknown" })}
                        {g.over_capacity_x.is_some().then(|| view! { <span class="swatch over-capacity"></span>"shaded: over the plan's maximum tasks" })}
                    </div>
                })}
            }
            .into_any()
        })
    };
    view! {
        <section class="card compare" aria-labelledby="compare-title" class:stale=move || p.comparing.get() aria-busy=move || p.comparing.get().to_string()>
            <div class="card-head">
                <h2 id="compare-title">"Fargate or Lambda?"</h2>
                <span class="muted">{move || if p.comparing.get() { "updating…" } else { "same workload" }}</span>
            </div>
            {sides}
            <Show when=lambda_side>
                <LambdaSide />
            </Show>
            {body}
            // Outside the rebuilt parts, so that an opened list stays open as the comparison
            // follows the edits.
            <Show when=move || p.comparison.with(Option::is_some)>
                <details class="assumptions">
                    <summary>"How the comparison is made"</summary>
                    <ul>{move || p.comparison.with(|c| c.as_ref().map(|c| c.assumptions.clone()).unwrap_or_default()).into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}</ul>
                </details>
            </Show>
        </section>
    }
}
