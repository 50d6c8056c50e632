//! The function's own code, for a Lambda stack: choose a zip, upload it to the stack's code
//! bucket (`PUT /api/deployments/{id}/code`, checked there against the plan's handler), then
//! review and apply the update that runs it.

use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;

use shared::decimal::Fixed;

use super::flow::Deploy;

/// Where an upload is.
#[derive(Clone, Debug, PartialEq)]
enum Upload {
    Idle,
    Sending(String),
    Failed(String),
}

/// `placeholder`: the function runs the placeholder handler, not code of the user's yet.
pub fn upload(d: Deploy, handler: String, placeholder: bool) -> AnyView {
    let input = NodeRef::<Input>::new();
    let state = RwSignal::new(Upload::Idle);
    let send = move |_| {
        let Some(file) = input
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|files| files.get(0))
        else {
            state.set(Upload::Failed("Choose a zip first.".into()));
            return;
        };
        let (Some(client), Some(id)) = (d.client(), d.id.get_untracked()) else {
            return;
        };
        state.set(Upload::Sending(format!(
            "Uploading {} ({})…",
            file.name(),
            size(file.size())
        )));
        spawn_local(async move {
            match client.upload_code(&id, file).await {
                Ok(upload) => {
                    state.set(Upload::Idle);
                    d.update_with(upload.parameters);
                }
                Err(f) => state.set(Upload::Failed(f.explain())),
            }
        });
    };
    let view = view! {
        <div class="code-upload" data-testid="code-upload">
            <h3>"Your code"</h3>
            <p class="muted">{if placeholder {
                format!(
                    "The function runs a placeholder until its code is uploaded: a zip holding the module of its handler, {handler}, at its top level (at most 50 MB). It goes to the stack's code bucket, then the update that runs it is shown for review."
                )
            } else {
                format!(
                    "The function runs your code. To replace it, upload a zip holding the module of its handler, {handler}, at its top level (at most 50 MB). It goes to the stack's code bucket, then the update that runs it is shown for review."
                )
            }}</p>
            <div class="actions">
                <input type="file" accept=".zip,application/zip" node_ref=input data-testid="code-file"
                    aria-label="The function's code: a zip file"
                    disabled=move || d.busy() />
                <button type="button" data-testid="upload-code" disabled=move || d.busy() || matches!(state.get(), Upload::Sending(_))
                    on:click=send>"Upload and review"</button>
            </div>
            // Said by a region there from the start; a failure is an alert of its own.
            <p class="sr-only" role="status">{move || match state.get() { Upload::Sending(text) => text, _ => String::new() }}</p>
            {move || match state.get() {
                Upload::Idle => None,
                Upload::Sending(text) => Some(view! { <p data-testid="code-state">{text}</p> }.into_any()),
                Upload::Failed(text) => Some(view! { <p class="field-error" role="alert" data-testid="code-error">{text}</p> }.into_any()),
            }}
        </div>
    };
    view.into_any()
}

fn size(bytes: f64) -> String {
    if bytes >= 1_048_576.0 {
        format!("{} MB", Fixed::<1>(bytes / 1_048_576.0))
    } else {
        format!("{} KB", Fixed::<1>(bytes / 1024.0))
    }
}
