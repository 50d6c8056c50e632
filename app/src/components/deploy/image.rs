//! A service waiting for its first image: the repository, the commands that build and push
//! the image, a watch on the repository (`GET /api/deployments/{id}/image` every few
//! seconds) and "Start the service", the update that runs it at the planned task count.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::ImageWait;

use super::flow::{Deploy, Phase};

/// How often the page asks whether the image is there.
const CHECK_EVERY_MS: u32 = 4000;

/// What the page knows of the image.
#[derive(Clone, Debug, PartialEq)]
enum Seen {
    Looking,
    Missing,
    Pushed,
    Failed(String),
}

pub fn waiting(d: Deploy, wait: ImageWait) -> AnyView {
    let seen = RwSignal::new(Seen::Looking);
    // The watch ends when this part of the panel goes (a new deploy, a delete).
    let alive = Arc::new(AtomicBool::new(true));
    let flag = alive.clone();
    on_cleanup(move || flag.store(false, Ordering::Relaxed));
    watch_repository(d, seen, alive);
    let copied = RwSignal::new(false);
    let script = wait.commands.join("\n");
    let copy = move |_| {
        let text = script.clone();
        spawn_local(async move {
            copied.set(crate::browser::copy(text).await);
        });
    };
    let view = view! {
        <div class="image-wait" data-testid="image-wait">
            <h3>"The service waits for its image"</h3>
            <p>"The stack's repository was empty, so the service was created with no task: starting it on an image that is not there would have failed and rolled the whole stack back. Push "
                <code>{format!("{}:{}", wait.repository_uri, wait.image_tag)}</code>
                {format!(" ({}), then start the service.", wait.platform)}</p>
            <pre class="commands" data-testid="push-commands">{wait.commands.join("\n")}</pre>
            <div class="actions">
                <button type="button" class="secondary" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy the commands" }}
                </button>
                // A button's new label is not reliably read; a live region there from the
                // start is.
                <span class="sr-only" role="status">{move || if copied.get() { "The commands are copied" } else { "" }}</span>
            </div>
            {wait.sandbox_command.map(|c| view! {
                <p class="muted">"The local sandbox has no Docker registry: this records an image with that tag in its repository instead."</p>
                <pre class="commands" data-testid="sandbox-push-command">{c}</pre>
            })}
            // A live region there from the start holds only what changes after it: the first
            // look is shown but not said.
            <p class="muted" hidden=move || seen.get() != Seen::Looking>"Looking for the image…"</p>
            <p role="status" data-testid="image-state">{move || match seen.get() {
                Seen::Looking => String::new(),
                Seen::Missing => format!("Not pushed yet; looking again every {} seconds.", CHECK_EVERY_MS / 1000),
                Seen::Pushed => "The image is in the repository.".to_string(),
                Seen::Failed(why) => format!("Cannot look at the repository: {why}"),
            }}</p>
            <button type="button" data-testid="start-service" disabled=move || seen.get() != Seen::Pushed
                on:click=move |ev| {
                    crate::browser::refocus_deploy(ev.target());
                    d.review_update()
                }>"Start the service"</button>
        </div>
    };
    view.into_any()
}

/// Asks whether the image is there until it is, the answer is a refusal, or the panel moves
/// on; a failure to reach the server waits longer each time.
fn watch_repository(d: Deploy, seen: RwSignal<Seen>, alive: Arc<AtomicBool>) {
    let (Some(client), Some(id)) = (d.client(), d.id.get_untracked()) else {
        seen.set(Seen::Failed("no deployment".into()));
        return;
    };
    spawn_local(async move {
        let mut wait = CHECK_EVERY_MS;
        loop {
            let here = alive.load(Ordering::Relaxed)
                && d.id.try_get_untracked().flatten().as_deref() == Some(id.as_str())
                && matches!(d.phase.try_get_untracked(), Some(Phase::Finished(ref s)) if s.waiting_for_image.is_some());
            if !here {
                return;
            }
            match client.image(&id).await {
                Ok(check) if check.pushed => {
                    seen.try_set(Seen::Pushed);
                    return;
                }
                Ok(_) => {
                    seen.try_set(Seen::Missing);
                    wait = CHECK_EVERY_MS;
                }
                // The server refused (the deployment is gone, the token is not allowed): asking
                // again would not change the answer.
                Err(f) if (400..500).contains(&f.status) => {
                    seen.try_set(Seen::Failed(f.explain()));
                    return;
                }
                Err(f) => {
                    seen.try_set(Seen::Failed(f.explain()));
                    wait = (wait * 2).min(60_000);
                }
            }
            crate::browser::sleep_ms(wait).await;
        }
    });
}
