//! Fargate and Lambda side by side for the same workload: totals, the cost by component, the
//! cost curve and the break-even (a bound when a price is unknown). The read-only parts are
//! markup from [`crate::markup::compare`]; the Lambda side's settings are a view.

use leptos::prelude::*;
use shared::plan::{Architecture, CpuArch};
use shared::validate::limits;
use wasm_bindgen::JsCast;

use crate::markup::compare as compare_html;
use crate::state::use_planner;

/// The Lambda side's memory and CPU, following the Fargate task unless changed.
#[component]
fn LambdaSide() -> impl IntoView {
    let p = use_planner();
    // Memos: a new comparison (another edit, or the live price book arriving) sets the boxes
    // only when the priced memory or CPU changed, never under the user's typing.
    let priced = crate::reactive::memo(move |_| {
        p.comparison.with(|c| {
            c.as_ref().and_then(|c| match &c.lambda_plan.architecture {
                Architecture::Lambda(l) => Some((l.memory_mb, l.architecture)),
                Architecture::Fargate(_) => None,
            })
        })
    });
    let memory = crate::reactive::memo(move |_| {
        priced.get().map(|(m, _)| m.to_string()).unwrap_or_default()
    });
    let arm =
        crate::reactive::memo(move |_| priced.get().is_some_and(|(_, a)| a == CpuArch::Arm64));
    // What the box did to what was typed, said beside it: a value is never changed silently.
    let said = RwSignal::new(None::<String>);
    let following = move || {
        p.sides
            .with(|s| s.lambda_memory_mb.is_none() && s.lambda_architecture.is_none())
    };
    view! {
        <div class="lambda-side" data-testid="lambda-side">
            <label>"Lambda memory (MB) "
                <input type="number" min=limits::MIN_LAMBDA_MEMORY_MB max=limits::MAX_LAMBDA_MEMORY_MB step="1" id="compare-lambda-memory" aria-describedby="compare-lambda-memory-said"
                    prop:value=memory
                    // What was said of the value before goes as another is typed.
                    on:input=move |_| said.set(None)
                    on:change=move |ev| {
                        // Whole MB within Lambda's range, as the comparison takes it; the box
                        // shows what is priced (the memo does not change when the value is the
                        // one already priced). What is no number (empty, or a fraction is
                        // rounded) gives the box back the memory priced.
                        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
                        let text = event_target_value(&ev);
                        let typed = text.trim();
                        let Some(v) = shared::decimal::parse_f64(typed).filter(|v| v.is_finite()) else {
                            // The memory asked for last, which the comparison prices once
                            // edits settle; else what it priced.
                            let asked = p.sides.with_untracked(|s| s.lambda_memory_mb).map(|m| m.to_string());
                            said.set((!typed.is_empty()).then(|| format!("“{typed}” is not a number of MB: the memory priced is kept.")));
                            input.set_value(&asked.unwrap_or_else(|| memory.get_untracked()));
                            return;
                        };
                        // (A float's cast saturates: below 0 is 0, past the type's top its top.)
                        let whole = v.round() as u32;
                        let priced = whole.clamp(limits::MIN_LAMBDA_MEMORY_MB, limits::MAX_LAMBDA_MEMORY_MB);
                        said.set(if priced != whole {
                            Some(format!("Lambda takes {} to {} MB: {typed} is priced at {priced} MB.", limits::MIN_LAMBDA_MEMORY_MB, limits::MAX_LAMBDA_MEMORY_MB))
                        } else if v.fract() != 0.0 {
                            Some(format!("Lambda takes whole MB: {typed} is priced at {priced} MB."))
                        } else {
                            None
                        });
                        input.set_value(&priced.to_string());
                        p.sides.update(|s| s.lambda_memory_mb = Some(priced));
                    } />
            </label>
            <span class="muted" id="compare-lambda-memory-said" role="status" data-testid="lambda-memory-said">{move || said.get()}</span>
            <label class="inline-toggle">
                <input type="checkbox" id="compare-lambda-arm" prop:checked=arm
                    on:change=move |ev| {
                        let arch = if event_target_checked(&ev) { CpuArch::Arm64 } else { CpuArch::X86_64 };
                        p.sides.update(|s| s.lambda_architecture = Some(arch));
                    } />
                "Arm"
            </label>
            <Show when=move || !following() fallback=|| view! { <span class="muted">"follows the Fargate task"</span> }>
                <button type="button" class="link" on:click=move |ev| {
                    // The button gives way to words: the focus goes to the box before it.
                    crate::browser::refocus(ev.target(), Box::new(|d| d.get_element_by_id("compare-lambda-arm")));
                    said.set(None);
                    p.sides.set(Default::default())
                }>"Follow the Fargate task"</button>
            </Show>
        </div>
    }
}

#[component]
pub fn CompareView() -> impl IntoView {
    let p = use_planner();
    // The markup, as memos: a new comparison that reads the same (the server's copy of the
    // embedded book arriving, say) leaves the page as it is.
    let sides = crate::reactive::memo(move |_| {
        let fargate_mine = p.compared_kind.get() == shared::ArchitectureKind::Fargate;
        p.comparison
            .with(|c| c.as_ref().map(|c| compare_html::sides(c, fargate_mine)))
    });
    let body =
        crate::reactive::memo(move |_| p.comparison.with(|c| c.as_ref().map(compare_html::body)));
    let chart_text = crate::reactive::memo(move |_| {
        p.comparison
            .with(|c| c.as_ref().map(compare_html::chart_text))
    });
    let compared = move || p.comparison.with(Option::is_some);
    let lambda_side =
        move || compared() && p.compared_kind.get() == shared::ArchitectureKind::Fargate;
    // The last valid plan's comparison while the plan has problems, as the cost card says
    // of its total.
    let outdated = move || p.valid.with(Option::is_none) && compared();
    let empty = move || {
        let text = if p.comparing.get() {
            "Pricing both architectures…"
        } else {
            "Fix the plan's problems to compare the two architectures."
        };
        view! { <p class="empty">{text}</p> }
    };
    view! {
        <section class="card compare" aria-labelledby="compare-title" class:stale=move || p.comparing.get() || outdated() aria-busy=move || p.comparing.get().to_string()>
            <div class="card-head">
                <h2 id="compare-title">"Fargate or Lambda?"</h2>
                <span class="muted">{move || if p.comparing.get() { "updating…" } else { "same workload" }}</span>
            </div>
            // The user's side's totals, then the Lambda side's settings (apart from the markup,
            // so a new comparison never rebuilds the boxes being typed in), then the rest.
            <Show when=compared fallback=empty>
                {move || outdated().then(|| view! { <p class="stale-note" data-testid="compare-stale">"Comparing the last valid plan: fix the plan's problems to update it."</p> })}
                <div class="compare-sides" inner_html=move || sides.get().unwrap_or_default()></div>
                <Show when=lambda_side>
                    <LambdaSide />
                </Show>
                <div class="compare-body" inner_html=move || body.get().unwrap_or_default()></div>
            </Show>
            // Outside the rebuilt parts, so that an opened list stays open as the comparison
            // follows the edits.
            <Show when=compared>
                // The chart's text alternative.
                <details class="chart-text" data-testid="chart-text">
                    <summary>"The chart as text"</summary>
                    <div inner_html=move || chart_text.get().unwrap_or_default()></div>
                </details>
                <details class="assumptions">
                    <summary>"How the comparison is made"</summary>
                    <ul>{move || p.comparison.with(|c| c.as_ref().map(|c| c.assumptions.clone()).unwrap_or_default()).into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}</ul>
                </details>
            </Show>
        </section>
    }
}
