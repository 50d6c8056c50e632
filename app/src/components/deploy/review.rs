//! Before a stack changes: preparing the change set, the offer to update an existing stack,
//! the update's confirmation, and the list of changes.

use leptos::prelude::*;

use super::flow::{Deploy, Phase};

/// The banner of the phase before execution.
pub fn review(d: Deploy) -> AnyView {
    let view = {
        move || {
            match d.phase.get() {
            Phase::Preparing => Some(view! {
                <p class="muted" role="status">"Assuming the deploy role and preparing the change set…"</p>
            }.into_any()),
            Phase::Exists(message) => Some(view! {
                <div class="banner" role="alert" data-testid="stack-exists">
                    <span>{message}</span>
                    <button type="button" data-testid="review-update" on:click=move |_| d.review_update()>"Review the update"</button>
                </div>
            }.into_any()),
            Phase::Review(created) => {
                let n = created.change_set.changes.len();
                let name = created.stack_name.clone();
                Some(view! {
                    <div class="banner" role="alert" data-testid="confirm-update">
                        <span>{format!("Updating {name} changes {n} resource(s), listed below. Apply?")}</span>
                        <button type="button" data-testid="apply-update" on:click=move |_| {
                            d.execute(name.clone())
                        }>"Apply the update"</button>
                        <button type="button" class="secondary" on:click=move |_| d.phase.set(Phase::Idle)>"Cancel"</button>
                    </div>
                }.into_any())
            }
            _ => None,
        }
        }
    };
    view.into_any()
}

/// The change set's resource changes.
pub fn change_list(d: Deploy) -> AnyView {
    let view = {
        move || {
            (!d.changes.with(Vec::is_empty)).then(|| {
                view! {
                    <details class="changes">
                        <summary data-testid="change-count">{move || format!("Change set: {} change(s)", d.changes.with(Vec::len))}</summary>
                        <ul>
                            {move || d.changes.get().into_iter().map(|c| view! {
                                <li><span class="action">{c.action}</span>" "
                                    <code>{c.logical_id}</code>" "
                                    <span class="muted">{c.resource_type}</span></li>
                            }).collect_view()}
                        </ul>
                    </details>
                }
            })
        }
    };
    view.into_any()
}
