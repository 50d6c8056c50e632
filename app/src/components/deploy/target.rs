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
                        api::set_token(&t);
                        d.token.set(Some(t.trim().to_string()));
                    }
                }>
                    <p class="empty">"To deploy, open the login URL that `stackplan serve` printed, or paste its token:"</p>
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
