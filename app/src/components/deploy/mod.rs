//! The deploy panel: where deploys go, the stack name and the Deploy button, the change set,
//! a progress bar, the live event list, the outputs, the first failure, and Delete. Its state
//! and actions are in `flow.rs`; each part of the panel has its own file.

mod code;
mod connect;
mod flow;
mod form;
mod image;
pub mod inputs;
mod progress;
mod result;
mod review;
mod target;
mod watch;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::DeployTarget;

use crate::api::{ApiFailure, Client};
use flow::{Deploy, Phase};

/// A resource that holds data, as the server lists them, for the tests of what a delete or an
/// update leaves.
#[cfg(test)]
fn held(id: &str, kind: &str, policy: &str, protected: bool) -> shared::api::Held {
    shared::api::Held {
        logical_id: id.into(),
        resource_type: kind.into(),
        deletion_policy: policy.into(),
        protected,
    }
}

/// What the server said about deploying: `None` while asking.
pub type TargetAnswer = Option<Result<DeployTarget, ApiFailure>>;

#[component]
pub fn DeployPanel(host: Option<String>, embedded: bool) -> AnyView {
    let d = Deploy::new(host, embedded);
    let target = RwSignal::new(None::<Result<DeployTarget, ApiFailure>>);
    spawn_local(async move {
        target.set(Some(Client::of_page(None).deploy_target().await));
    });
    let enabled = move || matches!(target.get(), Some(Ok(ref t)) if t.enabled);
    // Once deploying is possible (a server that deploys, a token), the deployment this tab
    // followed before a reload is followed again; once per page.
    let resumed = StoredValue::new(false);
    crate::reactive::effect(move |_| {
        if !resumed.get_value() && enabled() && d.token.get().is_some() {
            resumed.set_value(true);
            d.resume();
        }
    });
    // A stack given up on when the server stopped taking the token (revoked, or the server
    // restarted with a new one) is followed again once the panel has a token again.
    crate::reactive::effect(move |_| {
        if d.token.get().is_some()
            && d.lost
                .with_untracked(|l| l.as_ref().is_some_and(|l| l.for_token))
        {
            d.reconnect();
        }
    });
    view! {
        <section class="card deploy" aria-labelledby="deploy-title" data-testid="deploy">
            <div class="card-head">
                <h2 id="deploy-title" tabindex="-1">"Deploy"</h2>
                <span class="muted" data-testid="deploy-target">{move || target::describe(&target.get())}</span>
            </div>
            {target::access(target, d)}
            {move || enabled().then(|| target::signed_in(d))}
            {move || (d.token.get().is_some() && enabled()).then(|| form::deploy_form(d))}
            {move || (d.token.get().is_some() && enabled()).then(|| connect::connect(d))}
            {move || d.error.get().map(|e| view! {
                <div class="banner error" role="alert" data-testid="deploy-error">
                    {e}
                    {plan_problems(d)}
                    {move || d.lost.with(|l| l.as_ref().is_some_and(|l| !l.for_token)).then(|| view! {
                        " "
                        <button type="button" data-testid="reconnect" on:click=move |ev| {
                            crate::browser::refocus_deploy(ev.target());
                            d.reconnect()
                        }>"Reconnect"</button>
                    })}
                </div>
            })}
            // The panel's one status region, there from the start (a region inserted with its
            // text is often not read): the notice, the step being prepared, the progress in
            // quarters (a line per resource would talk over everything), how it ended.
            <p class="sr-only" role="status" data-testid="deploy-spoken">{move || {
                // How it ended comes first (a notice left standing would hide it), with what
                // it left in the account.
                let phase = d.phase.get();
                if let Phase::Finished(s) = &phase {
                    return match s.left_behind.len() {
                        0 => format!("{} {}", s.stack_name, s.status),
                        n => format!("{} {}; {n} left in the account, listed below", s.stack_name, s.status),
                    };
                }
                if let Some(n) = d.notice.get() {
                    return n;
                }
                match phase {
                    Phase::Preparing => review::PREPARING.to_string(),
                    Phase::Running => {
                        let quarter = progress::percent(d.progress.get()) / 25 * 25;
                        format!("{} {quarter}% done", progress::what(d))
                    }
                    _ => String::new(),
                }
            }}</p>
            {move || d.notice.get().map(|n| view! { <div class="banner" data-testid="deploy-notice">{n}</div> })}
            {review::review(d)}
            {review::change_list(d)}
            {progress::progress_bar(d)}
            {progress::failing(d)}
            {move || match d.phase.get() {
                Phase::Finished(status) => Some(result::finished(d, *status)),
                _ => None,
            }}
            {progress::event_list(d)}
        </section>
    }
    .into_any()
}

/// The plan's problems a refused request named, each a link to its field in the planner (the
/// same page: the panel is only another chunk of its code).
fn plan_problems(d: Deploy) -> AnyView {
    let problems: Vec<(String, String)> = d.problems.with_untracked(|ps| {
        ps.iter()
            .filter_map(|p| Some((flow::plan_field(&p.path)?.to_string(), p.message.clone())))
            .collect()
    });
    (!problems.is_empty())
        .then(|| {
            view! {
                <ul class="plan-problems" data-testid="deploy-plan-problems">
                    {problems.into_iter().map(|(path, message)| {
                        let id = crate::components::fields::field_id(&path);
                        let href = format!("#{id}");
                        view! {
                            <li>
                                <a href=href on:click=move |ev| {
                                    ev.prevent_default();
                                    crate::browser::go_to(&id, true);
                                }><code>{path}</code></a>
                                {format!(": {message}")}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        })
        .into_any()
}
