//! The Stackplan planner: one page, all planning in WebAssembly through `shared`.

pub mod api;
pub mod browser;
pub mod code_lines;
pub mod components;
pub mod draft;
pub mod embed;
pub mod highlight;
pub mod keys;
pub mod markup;
pub mod reactive;
pub mod state;
pub mod svg_parts;
pub mod warm;

use leptos::prelude::*;

use components::{
    arch_cards::ArchCards, compare_view::CompareView, controls::ControlsView,
    cost_breakdown::CostBreakdown, cost_summary::CostSummary, deploy_slot::DeploySlot,
    fargate_panel::FargatePanel, lambda_panel::LambdaPanel, plan_panel::PlanPanel,
    problems::ProblemList, share::ShareButton, template_viewer::TemplateViewer,
    topology_view::TopologyView,
};
use state::Planner;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    // A login URL's token leaves the address bar at once (into this tab's session storage),
    // before an edit rewrites the fragment and whether or not the deploy panel is ever loaded.
    let _ = api::token();
    // So does one opened in this tab later: only the fragment changes, and the page stays.
    // The address goes back to the one before it, where the tab's plan is.
    let _ = window_event_listener_untyped("hashchange", |event| {
        let back_to = browser::event_url(&event, "oldURL").unwrap_or_else(browser::page_base);
        let _ = api::take_token(&back_to);
    });
    let planner = Planner::new();
    provide_context(planner);
    let mode = embed::EmbedMode::from_location();
    embed::connect(planner, &mode);
    if !mode.embedded {
        planner.address_follows_plan();
    }
    if mode.embedded
        && let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
    {
        let _ = body.class_list().add_1("embedded");
    }
    let is_fargate = move || planner.kind.get() == shared::ArchitectureKind::Fargate;
    // The total shown is the last valid plan's (the plan has problems, or a box holds text it
    // does not take).
    let outdated = move || {
        planner
            .estimate
            .with(|e| e.as_ref().is_some_and(|(_, current)| !current))
    };
    // Marks the first complete render for the measurement script: in the frame that first
    // shows an estimate, once every view's effects have run (the template's text, the diagram
    // and the cost lines are written by effects), just before it is painted. Once marked, the
    // effect reads nothing: the first edit runs it once more, and nothing after. Then the edit
    // path is warmed on the tasks after that frame (`warm`).
    let marked = StoredValue::new(false);
    crate::reactive::effect(move |_| {
        if !marked.get_value() && planner.estimate.with(|e| e.is_some()) {
            marked.set_value(true);
            let plan = planner.plan.get_untracked();
            request_animation_frame(move || {
                browser::mark("stackplan-rendered");
                warm::start(plan);
            });
        }
    });
    view! {
        // The first Tab stop: past the plan's fifty-odd fields to what they make. Not a history
        // entry nor a fragment: the address carries the plan.
        <a class="skip-link" href="#results" on:click=move |ev| {
            ev.prevent_default();
            browser::go_to("results", true);
        }>"Skip to the results"</a>
        <header class="topbar">
            <div class="brand">
                <span class="logo" aria-hidden="true">"◆"</span>
                <h1 class="name">"Stackplan"</h1>
                <span class="tagline">"Plan, price and template a web service on AWS"</span>
            </div>
            <div class="top-actions">
                // While the plan has problems, the total is the last valid plan's, and says so
                // (as the cost card does).
                <a class="top-total" href="#cost-title" data-testid="top-total"
                    class:stale=outdated
                    title=move || if outdated() {
                        "Monthly cost of the last valid plan: fix the plan's problems to update it"
                    } else {
                        "Monthly cost, typical"
                    }
                    on:click=move |ev| {
                    // Not a history entry: Back would bring back an older plan's address. A
                    // modified click scrolls too: a new tab would open the bare fragment, with
                    // the example plan instead of this one.
                    ev.prevent_default();
                    browser::go_to("cost-title", false);
                }>
                    {move || planner.estimate.with(|e| e.as_ref().map(|(e, _)| {
                        format!("{}{}/mo", components::cost_summary::money(e.monthly_usd), if e.lower_bound { "+" } else { "" })
                    }))}
                    {move || outdated().then(|| view! { <span class="sr-only">" (the last valid plan's)"</span> })}
                </a>
                <div class="status" title="Planning runs in your browser: no server needed">"Runs in your browser"</div>
                <ShareButton />
            </div>
        </header>
        {move || planner.link_error.get().map(|message| banner("error", "alert", "", "link-error", view! { <span>{message}</span> }, move || planner.link_error.set(None)))}
        {opened_banner(planner)}
        <main class="layout">
            <section class="controls" aria-label="Plan">
                <ArchCards />
                <PlanPanel />
                <Show when=is_fargate fallback=|| view! { <LambdaPanel /> }>
                    <FargatePanel />
                </Show>
            </section>
            <section class="results" id="results" tabindex="-1" aria-label="Results">
                <CostSummary />
                <ProblemList />
                <TopologyView />
                <CompareView />
                <CostBreakdown />
                <ControlsView />
                <TemplateViewer />
                {(!mode.hide_deploy).then(|| view! { <DeploySlot host=mode.host.clone() embedded=mode.embedded /> })}
            </section>
        </main>
    }
}

/// What the page says of the plan file the user opened last, while its plan (or the one it
/// replaced, put back) is the last one opened, with the button that swaps the two
/// ([`state::Opened`]). Built once while it shows, so a swap keeps the focus on its button.
fn opened_banner(p: Planner) -> impl IntoView {
    let shown = reactive::memo(move |_| {
        p.opened.with(|o| {
            o.as_ref()
                .is_some_and(|o| o.at == p.loaded.get())
                .then(|| o.as_ref().is_some_and(|o| o.away.is_some()))
        })
    });
    let said = move || {
        p.opened.with(|o| {
            o.as_ref().map_or_else(String::new, |o| match (o.file_shown, o.away.is_some()) {
                (true, true) => format!("Opened {}, in place of the plan you had.", o.name),
                (true, false) => format!("Opened {}: it holds the plan you had.", o.name),
                (false, _) => format!(
                    "The plan you had before opening {} is back; the file's plan, with your edits to it, is kept.",
                    o.name
                ),
            })
        })
    };
    let note = move || {
        p.opened.with(|o| {
            o.as_ref()
                .filter(|o| o.file_shown)
                .and_then(|o| o.note.clone())
        })
    };
    let label = move || {
        p.opened.with(|o| match o {
            Some(o) if o.file_shown => "Put back the plan you had".to_string(),
            Some(o) => format!("Back to {}'s plan", o.name),
            None => String::new(),
        })
    };
    // Read out from a live region that is on the page from the start (one inserted with its
    // text is often not read), without the buttons' names; the banner itself is not live. At
    // each opening or swap it is emptied first, so the same file opened again is said again.
    let spoken = reactive::Spoken::new();
    reactive::effect(move |_| {
        p.opened.track();
        let text = shown.get().map_or_else(String::new, |swap| {
            let mut text = said();
            if let Some(note) = note() {
                text = format!("{text} {note}");
            }
            if swap {
                text.push_str(" Its button at the top of the page swaps the two plans.");
            }
            text
        });
        spoken.say(text);
    });
    let banner_view = move || {
        shown.get().map(|swap| {
            let body = view! {
                <span>
                    <span data-testid="opened-said">{said}</span>
                    {move || note().map(|n| view! { " " <span data-testid="opened-note">{n}</span> })}
                    {swap.then(|| view! {
                        " " <button type="button" class="secondary" data-testid="opened-swap" on:click=move |_| p.swap_opened()>{label}</button>
                    })}
                </span>
            };
            banner("note", "group", "Opened file", "opened-file", body, move || p.opened.set(None))
        })
    };
    view! {
        <p class="sr-only" role="status" data-testid="opened-spoken">{spoken.text()}</p>
        {banner_view}
    }
}

/// A banner over the page, with its Dismiss button: `kind` is its class (`error`, `note`),
/// `role` how it is read (`alert`, or `group` for one a live region elsewhere says), `label`
/// its name ("" for none).
fn banner(
    kind: &'static str,
    role: &'static str,
    label: &'static str,
    testid: &'static str,
    body: impl IntoView + 'static,
    dismiss: impl Fn() + 'static,
) -> AnyView {
    view! {
        <div class=format!("banner {kind}") role=role aria-label=(!label.is_empty()).then_some(label) data-testid=testid>
            {body}
            <button type="button" class="icon" aria-label="Dismiss" on:click=move |ev| {
                // The banner goes: the focus goes on to the plan's first control.
                browser::refocus(ev.target(), Box::new(|d| d.query_selector("[data-arch][tabindex='0']").ok().flatten()));
                dismiss()
            }>"×"</button>
        </div>
    }
    .into_any()
}
