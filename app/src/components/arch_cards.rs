//! The architecture choice: two cards, each saying when it fits.

use leptos::prelude::*;
use shared::ArchitectureKind;

use crate::keys::{arrow_step, tab_stop};
use crate::state::use_planner;

/// The cards in their order on the page.
const KINDS: [ArchitectureKind; 2] = [ArchitectureKind::Fargate, ArchitectureKind::Lambda];

/// A radio group: one Tab stop (the chosen card); the arrow keys choose and focus the other.
#[component]
pub fn ArchCards() -> impl IntoView {
    let planner = use_planner();
    let buttons: [NodeRef<leptos::html::Button>; 2] = [NodeRef::new(), NodeRef::new()];
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        let at = KINDS
            .iter()
            .position(|k| *k == planner.kind.get_untracked())
            .unwrap_or(0);
        if let Some(next) = arrow_step(&ev.key(), at, KINDS.len()) {
            ev.prevent_default();
            planner.switch(KINDS[next]);
            if let Some(button) = buttons[next].get_untracked() {
                let _ = button.focus();
            }
        }
    };
    let card = move |kind: ArchitectureKind,
                     title: &'static str,
                     fits: &'static str,
                     parts: &'static str| {
        let checked = move || planner.kind.get() == kind;
        let at = KINDS.iter().position(|k| *k == kind).unwrap_or(0);
        view! {
            <button
                type="button"
                role="radio"
                class="arch-card"
                node_ref=buttons[at]
                class:selected=checked
                aria-checked=move || checked().to_string()
                tabindex=move || tab_stop(checked())
                data-arch=kind.as_str()
                on:click=move |_| planner.switch(kind)
            >
                <span class="arch-title">{title}</span>
                <span class="arch-fits">{fits}</span>
                <span class="arch-parts">{parts}</span>
            </button>
        }
    };
    view! {
        <div class="arch-cards" role="radiogroup" aria-label="Architecture" on:keydown=keydown>
            {card(
                ArchitectureKind::Fargate,
                "ECS Fargate",
                "Fits steady traffic, long requests and a relational database: containers that are always on.",
                "VPC · ALB · Fargate service · RDS PostgreSQL · Redis · ECR · S3",
            )}
            {card(
                ArchitectureKind::Lambda,
                "Lambda",
                "Fits spiky or low traffic and short requests: pay per request, nothing runs when idle.",
                "API Gateway · Lambda · DynamoDB · S3",
            )}
        </div>
    }
}
