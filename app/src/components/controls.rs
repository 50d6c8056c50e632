//! AWS Control Tower's proactive controls on the plan: which the template fails, on which
//! resources, and what would satisfy each (with a one-click fix and its monthly cost where one
//! plan setting does it).

use leptos::prelude::*;
use shared::cost;
use shared::resources::controls::{self, Check, Holds};
use wasm_bindgen::JsCast;

use super::cost_summary::signed;
use crate::state::{Planner, ServerBook, use_planner, with_book};

#[component]
pub fn ControlsView() -> impl IntoView {
    let p = use_planner();
    let counts = move || {
        p.controls.with(|list| {
            let failed = list.iter().filter(|c| !c.passed()).count();
            (failed, list.len())
        })
    };
    // The list is built the first time it is opened: until then it costs nothing per edit.
    let open = RwSignal::new(false);
    view! {
        <section class="card controls-card" aria-labelledby="controls-title">
            <div class="card-head">
                <h2 id="controls-title">"AWS Control Tower"</h2>
                <span class="muted" data-testid="controls-count">{move || {
                    let (failed, all) = counts();
                    if all == 0 {
                        "judged once the plan is valid".to_string()
                    } else if failed == 0 {
                        format!("all {all} controls pass")
                    } else {
                        format!("{failed} of {all} controls fail")
                    }
                }}</span>
            </div>
            <p class="muted">"A governed account runs these proactive controls as CloudFormation hooks and blocks a template that fails one. Judged here as cfn-guard judges the template."</p>
            <details class="control-details" on:toggle=move |_| open.set(true)>
                <summary data-testid="controls-summary">"Show the controls"</summary>
                {move || open.get().then(|| view! { <ControlList /> })}
            </details>
        </section>
    }
}

/// Failed controls first, each with its resources and remedy; then the passing ones.
#[component]
fn ControlList() -> impl IntoView {
    let p = use_planner();
    move || {
        p.controls.with(|list| {
            let (failed, passed): (Vec<&Check>, Vec<&Check>) =
                list.iter().partition(|c| !c.passed());
            let pricer = Pricer::new(p);
            let failed = failed
                .into_iter()
                .map(|c| failed_item(p, &pricer, c))
                .collect_view();
            let passed_count = passed.len();
            let passed = passed
                .into_iter()
                .map(|c| view! { <li><span class="control-id">{c.control.id}</span>" "{c.control.title}</li> })
                .collect_view();
            view! {
                <p class="governed-note" data-testid="governed-note">{governed_note(&pricer)}</p>
                <ul class="control-list" data-testid="controls-failed">{failed}</ul>
                <details class="controls-passed">
                    <summary>{format!("{passed_count} passing")}</summary>
                    <ul class="control-list passed">{passed}</ul>
                </details>
            }
        })
    }
}

fn failed_item(p: Planner, pricer: &Pricer, c: &Check) -> impl IntoView + use<> {
    let control = c.control;
    let remedy = match control.holds {
        Holds::When {
            setting,
            fix: Some(fix),
            ..
        } => {
            let delta = pricer.price(fix);
            view! {
                <span class="remedy">{format!("Fix: {setting}")}</span>
                // Named with its control (the visible text first): ten "Apply" buttons read
                // alike in a list of buttons.
                <button type="button" class="secondary" data-control=control.id on:click=move |ev| apply(p, control.id, fix, ev.current_target())
                    aria-label=format!("Apply ({delta}) for {}: {}", control.id, control.title)>
                    {format!("Apply ({delta})")}
                </button>
            }
            .into_any()
        }
        Holds::When {
            setting, fix: None, ..
        } => view! { <span class="remedy">{format!("Needs {setting}")}</span> }.into_any(),
        Holds::Profile { what, except, why } => {
            // What still fails once the profile is on cannot be fixed by a setting.
            let inherent = c.failing.iter().all(|id| except.contains(&id.as_str()));
            let text = if inherent {
                why.to_string()
            } else {
                format!(
                    "Needs the governed-account profile (Project and region), which brings {what}"
                )
            };
            view! { <span class="remedy" class:why=inherent>{text}</span> }.into_any()
        }
        Holds::Always => ().into_any(),
    };
    view! {
        <li class="control failed" data-control=control.id>
            <div>
                <span class="control-id">{control.id}</span>" "<strong>{control.title}</strong>
                " — "<span class="resources">{c.failing.join(", ")}</span>
            </div>
            <div class="control-remedy">{remedy}</div>
        </li>
    }
}

/// Applies a control's fix. The list is rebuilt without that control, so the focus goes to the
/// Apply button now in its place (or the last one), or to the list's summary when none is left.
fn apply(
    p: Planner,
    id: &'static str,
    fix: fn(&mut shared::Plan),
    button: Option<web_sys::EventTarget>,
) {
    const APPLY: &str = "[data-testid=controls-failed] button[data-control]";
    let at = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector_all(APPLY).ok())
        .and_then(|list| {
            (0..list.length()).find(|&i| {
                list.item(i)
                    .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                    .and_then(|e| e.get_attribute("data-control"))
                    .as_deref()
                    == Some(id)
            })
        })
        .unwrap_or(0);
    p.plan.update(fix);
    crate::browser::refocus(
        button,
        Box::new(move |d| {
            let list = d.query_selector_all(APPLY).ok()?;
            let n = list.length();
            if n == 0 {
                return d.query_selector("[data-testid=controls-summary]").ok()?;
            }
            list.item(at.min(n - 1))?.dyn_into().ok()
        }),
    );
}

/// The governed-account profile: what turning it on costs, or that it is on.
fn governed_note(pricer: &Pricer) -> String {
    if pricer.governed {
        return "The governed-account profile is on: the plan must satisfy every control a setting can (the checks say what is missing).".into();
    }
    // Priced before the user gives what only they can (a certificate, a user), which costs
    // nothing.
    let delta = pricer.price(controls::govern);
    format!(
        "The governed-account profile (Project and region) brings the settings a governed account requires: {delta}."
    )
}

/// Prices changes to the plan as it stands, with the page's book and options. A governed plan
/// still missing what only the user can give (which costs nothing) is priced too; its estimate
/// is made once for all the changes of one rendering.
struct Pricer {
    /// Whether the plan is governed.
    governed: bool,
    plan: shared::Plan,
    options: cost::Options,
    /// The plan's estimate (`None`: the plan is invalid even without the profile's checks).
    before: Option<cost::Estimate>,
    server_book: Option<ServerBook>,
}

impl Pricer {
    /// Reads the plan, the book and the options tracked: the list follows every edit while it
    /// is open.
    fn new(p: Planner) -> Pricer {
        let options = cost::Options {
            free_tier: p.free_tier.get(),
        };
        let plan = p.plan.get();
        let governed = plan.governed;
        let mut pricer = Pricer {
            governed,
            plan,
            options,
            before: None,
            server_book: p.pricing.get(),
        };
        pricer.before = pricer.estimate(pricer.plan.clone());
        pricer
    }

    /// The estimate of a plan, governed or not: a governed one is priced while it still misses
    /// what only the user can give (which costs nothing).
    fn estimate(&self, plan: shared::Plan) -> Option<cost::Estimate> {
        let valid = shared::ValidPlan::as_it_stands(plan)?;
        Some(with_book(&self.server_book, valid.region.code(), |book| {
            cost::estimate(&valid, book, self.options)
        }))
    }

    /// What applying `fix` changes in the monthly total, "?" when either side is invalid.
    fn price(&self, fix: impl Fn(&mut shared::Plan)) -> String {
        let mut after = self.plan.clone();
        fix(&mut after);
        let (Some(a), Some(b)) = (&self.before, self.estimate(after)) else {
            return "?".into();
        };
        // Line by line: a price the book lacks that the fix brings makes the change a lower
        // bound, one it takes away an upper bound (a fix can swap one unknown line for
        // another, which a count of them would miss).
        let diff = cost::difference(a, &b);
        let change = signed(diff.delta_usd);
        match diff.change_bound {
            cost::Bound::Exact => format!("{change}/month"),
            cost::Bound::AtLeast => format!("{change}/month + unknown"),
            cost::Bound::AtMost => format!("at most {change}/month, less a price the book lacks"),
            cost::Bound::Withheld => {
                format!("{change}/month in the known prices, and prices the book lacks")
            }
        }
    }
}
