//! Where deploys go, and access to them: the server's answer, and the token form when the tab
//! has no token yet.

use leptos::prelude::*;
use shared::api::{DeployTarget, Target};

use super::TargetAnswer;
use super::flow::Deploy;
use crate::api;

/// One line saying where deploys go.
pub fn describe(target: &TargetAnswer) -> String {
    match target {
        None => "Asking the server…".to_string(),
        Some(Err(_)) => "No Stackplan server".to_string(),
        Some(Ok(DeployTarget { enabled: false, .. })) => "Deploying is off on this server".into(),
        Some(Ok(DeployTarget {
            target: Some(Target::Sandbox { endpoint }),
            ..
        })) => format!("Local sandbox (moto) at {endpoint}"),
        Some(Ok(_)) => "AWS".to_string(),
    }
}

/// Why the panel cannot deploy yet: no server, deploying off, or no token (then the form).
pub fn access(target: RwSignal<TargetAnswer>, d: Deploy) -> AnyView {
    let view = {
        let token_input = RwSignal::new(String::new());
        move || {
            match target.get() {
            Some(Err(e)) => Some(view! {
                <p class="empty">{format!("Deploying needs `stackplan serve` ({}). Planning works without it.", e.message)}</p>
            }.into_any()),
            Some(Ok(t)) if !t.enabled => Some(view! {
                <p class="empty">{t.reason.unwrap_or_else(|| "Deploying is off.".into())}</p>
            }.into_any()),
            Some(Ok(_)) if d.token.get().is_none() => Some(view! {
                <form class="token-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let t = token_input.get_untracked();
                    if !t.trim().is_empty() {
                        // The form goes with the focus in it: to the stack's name when the
                        // token is taken, back to the box when it is refused.
                        let focused = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
                        crate::browser::refocus(focused.map(Into::into), Box::new(|d| {
                            d.query_selector("[data-testid=stack-name], [data-testid=deploy-token]").ok().flatten()
                                .or_else(|| d.get_element_by_id("deploy-title"))
                        }));
                        api::set_token(&t);
                        // A refusal of the token before is not this one's.
                        d.error.set(None);
                        d.token.set(Some(t.trim().to_string()));
                    }
                }>
                    <p class="empty">"To deploy, open the login URL that "<code>"stackplan serve"</code>" printed, or paste its token:"</p>
                    <input type="password" aria-label="Deploy token" data-testid="deploy-token"
                        prop:value=move || token_input.get() on:input=move |ev| token_input.set(event_target_value(&ev)) />
                    <button type="submit">"Use token"</button>
                </form>
            }.into_any()),
            Some(Ok(_)) | None => None,
        }
        }
    };
    view.into_any()
}

/// Whom the tab's token deploys as (its tenant, on a shared server), and, for a token a login
/// URL brought, that it did, with a way to forget it: someone else's link would otherwise have
/// this tab deploy into their tenant without a word.
pub fn signed_in(d: Deploy) -> AnyView {
    let owner = RwSignal::new(None::<String>);
    // What the token's stack names must start with, if anything.
    let prefix = RwSignal::new(None::<String>);
    crate::reactive::effect(move |_| {
        owner.set(None);
        prefix.set(None);
        let (Some(sent), Some(client)) = (d.token.get(), d.client()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let answer = client.token_info().await;
            // An answer about a token the tab no longer has (forgotten, or another typed
            // meanwhile) says nothing of the one it has.
            if d.token.try_get_untracked().flatten().as_deref() != Some(sent.as_str()) {
                return;
            }
            match answer {
                Ok(info) => {
                    owner.try_set(info.owner);
                    prefix.try_set(info.stack_prefix);
                }
                // A token the server does not take is refused at once, as every refused call
                // refuses it: forgotten, with the server's reason, and asked for again.
                Err(f) if f.token_refused() => {
                    d.forget_token();
                    d.error.try_set(Some(f.explain()));
                }
                Err(_) => {}
            }
        });
    });
    let view = move || {
        d.token.get().map(|_| {
            let from_link = api::token_from_link();
            let who = owner.get();
            let names = prefix
                .get()
                .map(|p| format!(" Its stack names start with \"{p}\"."))
                .unwrap_or_default();
            (from_link || who.is_some() || !names.is_empty()).then(|| {
                // In a frame, the address (and its token) is the framing page's choice.
                let source = if d.embedded {
                    "the token the page around this planner gave it"
                } else {
                    "the token of the login link this tab was opened with"
                };
                let said = match (&who, from_link) {
                    (Some(o), true) => format!("Deploys as {o}, with {source}.{names}"),
                    (Some(o), false) => format!("Deploys as {o}.{names}"),
                    (None, true) => format!("Deploys with {source}.{names}"),
                    (None, false) => names.trim_start().to_string(),
                };
                view! {
                    <p class="muted deploy-as" data-testid="deploy-as">
                        {said}
                        {from_link.then(|| view! {
                            " "
                            <button type="button" class="secondary" data-testid="forget-token" on:click=move |ev| {
                                // Its form goes: the focus goes to the token's box that comes.
                                crate::browser::refocus(ev.target(), Box::new(|d| d.query_selector("[data-testid=deploy-token]").ok().flatten()));
                                d.forget_token();
                            }>"Not yours? Forget it"</button>
                        })}
                    </p>
                }
            })
        })
    };
    view.into_any()
}
