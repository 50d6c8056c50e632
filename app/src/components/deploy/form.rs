//! The stack name, the Deploy button, and what a deploy will create.

use leptos::prelude::*;
use shared::api::CreateDeployment;

use super::flow::Deploy;
use crate::state::use_planner;

pub fn deploy_form(d: Deploy) -> AnyView {
    let view = {
        let p = use_planner();
        let default_name = move || {
            p.plan
                .with(|plan| format!("{}-{}", plan.project, plan.kind()))
        };
        let edited_name = RwSignal::new(None::<String>);
        let stack_name = move || edited_name.get().unwrap_or_else(default_name);
        let resources = move || {
            p.template
                .with(|t| t.as_ref().map(|(_, n, _)| *n).unwrap_or(0))
        };
        let region = move || p.plan.with(|plan| plan.region.code().to_string());
        // Inside another page's frame, a click could have been steered by that page: the
        // first click only asks, inside the frame, for a second one.
        let confirming = RwSignal::new(false);
        let deploy = move || {
            confirming.set(false);
            let Some(valid) = p.valid.get_untracked() else {
                d.error.set(Some(
                    "Fix the plan's problems first: only a valid plan can be deployed.".into(),
                ));
                return;
            };
            let template = p
                .template
                .with_untracked(|t| t.as_ref().map(|(text, _, _)| text.clone()));
            d.start(CreateDeployment {
                plan: valid.plan().clone(),
                stack_name: stack_name(),
                template,
                role_arn: None,
                update: false,
            });
        };
        let click = move |_| {
            if d.embedded {
                confirming.set(true);
            } else {
                deploy();
            }
        };
        view! {
            <div class="deploy-form">
                <label>
                    <span>"Stack name"</span>
                    <input type="text" data-testid="stack-name" prop:value=stack_name disabled=move || d.busy()
                        on:input=move |ev| edited_name.set(Some(event_target_value(&ev))) />
                </label>
                <button type="button" data-testid="deploy-button" disabled=move || d.busy() || p.valid.with(|v| v.is_none())
                    on:click=click>
                    {move || if d.busy() { "Deploying…" } else { "Deploy" }}
                </button>
            </div>
            <p class="muted deploy-summary">{move || format!("Creates {} resources in {} as stack {}.", resources(), region(), stack_name())}</p>
            {move || confirming.get().then(|| view! {
                <div class="banner confirm" role="alertdialog" aria-labelledby="embedded-confirm-text" data-testid="embedded-confirm">
                    <p id="embedded-confirm-text">{format!(
                        "This planner is inside another page. Deploy {} resources to your account in {} as stack {}?",
                        resources(), region(), stack_name()
                    )}</p>
                    <div class="actions">
                        <button type="button" data-testid="confirm-deploy" on:click=move |_| deploy()>"Deploy now"</button>
                        <button type="button" class="secondary" data-testid="cancel-deploy" on:click=move |_| confirming.set(false)>"Cancel"</button>
                    </div>
                </div>
            })}
        }
    };
    view.into_any()
}
