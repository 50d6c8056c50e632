//! The architecture choice: two cards, each saying when it fits.

use leptos::prelude::*;
use shared::ArchitectureKind;

use crate::keys::{Arrows, group_key, tab_stop};
use crate::state::use_planner;

/// The cards in their order on the page.
const KINDS: [ArchitectureKind; 2] = [ArchitectureKind::Fargate, ArchitectureKind::Lambda];

/// A radio group: one Tab stop (the chosen card); the arrow keys choose and focus the other
/// (the cards are the group's only children, in `KINDS`' order).
#[component]
pub fn ArchCards() -> impl IntoView {
    let planner = use_planner();
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        let at = KINDS
            .iter()
            .position(|k| *k == planner.kind.get_untracked())
            .unwrap_or(0);
        group_key(&ev, Arrows::Both, at, KINDS.len(), &|next| {
            planner.switch(KINDS[next])
        });
    };
    let card = move |kind: ArchitectureKind,
                     title: &'static str,
                     fits: &'static str,
                     parts: &'static str| {
        let checked = move || planner.kind.get() == kind;
        // Named by its title, described by the rest: a radio's name is what is read at each
        // arrow key.
        let id = kind.as_str();
        view! {
            <button
                type="button"
                role="radio"
                class="arch-card"
                class:selected=checked
                aria-checked=move || checked().to_string()
                tabindex=move || tab_stop(checked())
                data-arch=kind.as_str()
                aria-labelledby=format!("arch-{id}-title")
                aria-describedby=format!("arch-{id}-fits arch-{id}-parts")
                on:click=move |_| planner.switch(kind)
            >
                <span class="arch-title" id=format!("arch-{id}-title")>{title}</span>
                <span class="arch-fits" id=format!("arch-{id}-fits")>{fits}</span>
                <span class="arch-parts" id=format!("arch-{id}-parts")>{parts}</span>
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
