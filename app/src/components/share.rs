//! The Share button: the whole plan in a link, copied to the clipboard.

use leptos::prelude::*;
use leptos::task::spawn_local;

use shared::cost::fmt_qty;

use crate::browser;
use crate::state::use_planner;

#[component]
pub fn ShareButton() -> impl IntoView {
    let p = use_planner();
    // The link, whether it was copied, and what it leaves out (boxes whose text the plan does
    // not take: the link carries the values the plan kept).
    let shared_link = RwSignal::new(None::<(String, bool, String)>);
    // A plan whose link no reader would take (over the length a link may have): neither put
    // in the address bar, where a reload would lose the plan, nor copied. How long it would be.
    let too_long = RwSignal::new(None::<usize>);
    // What the live region says: said again when Share is pressed again.
    let spoken = crate::reactive::Spoken::new();
    // Closing a box (its button, or Escape within it) hands the focus back to Share.
    let close = move |target: Option<web_sys::EventTarget>| {
        crate::browser::refocus(
            target,
            Box::new(|d| d.query_selector("[data-testid=share]").ok().flatten()),
        );
        too_long.set(None);
        shared_link.set(None);
        spoken.say("");
    };
    let share = move |_| {
        if let Some(chars) = p.plan.with(shared::link::too_long) {
            shared_link.set(None);
            too_long.set(Some(chars));
            spoken.say("No link: the plan is too long for one");
            return;
        }
        too_long.set(None);
        let url = p.share_link();
        let held = p
            .held_note("link")
            .map(|note| format!(" · {note}"))
            .unwrap_or_default();
        // The page's own link now: it is priced with the page's book.
        p.linked_book.set(None);
        if let Some((_, fragment)) = url.split_once('#') {
            // The draft of a link the address held goes with it; an address without a link
            // keeps its own, for going back to it.
            p.move_address(&format!("#{fragment}"));
        }
        spawn_local(async move {
            let copied = browser::copy(url.clone()).await;
            shared_link.set(Some((url, copied, held)));
            spoken.say(if copied {
                "Link copied"
            } else {
                "The link is below, to copy"
            });
        });
    };
    view! {
        // Escape closes an open box, as its Close button does, from the box or from Share.
        <div class="share" on:keydown=move |ev| {
            if ev.key() == "Escape" && (shared_link.with_untracked(Option::is_some) || too_long.with_untracked(Option::is_some)) {
                close(ev.target())
            }
        }>
            <button type="button" data-testid="share" on:click=share>"Share"</button>
            // Said by a region there from the start (one inserted with its text is often not read).
            <span class="sr-only" role="status" data-testid="share-spoken">{spoken.text()}</span>
            {move || too_long.get().map(|chars| view! {
                <div class="share-result" data-testid="share-too-long">
                    <span>{format!(
                        "This plan takes {} characters in a link, over the {} a link has room for, so no link was made: the address stays as it was. Shorten its longest values (variables, tags, the JWT issuer and audiences), or keep the plan as a file with Save plan.",
                        fmt_qty(chars as f64),
                        fmt_qty(shared::link::FRAGMENT_ROOM as f64)
                    )}</span>
                    <button type="button" class="icon" aria-label="Close" on:click=move |ev| close(ev.target())>"×"</button>
                </div>
            })}
            {move || shared_link.get().map(|(url, copied, held)| view! {
                <div class="share-result">
                    <span>{if copied { "Link copied" } else { "Copy this link" }}{format!(" · {} characters, the whole plan and how it is priced, no server storage{held}", fmt_qty(url.chars().count() as f64))}</span>
                    <input type="text" readonly data-testid="share-link" aria-label="Share link" prop:value=url />
                    <button type="button" class="icon" aria-label="Close" on:click=move |ev| close(ev.target())>"×"</button>
                </div>
            })}
        </div>
    }
}
