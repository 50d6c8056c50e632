//! Text boxes.

use std::sync::Arc;

use leptos::prelude::*;

use super::{GetFn, SetFn, field_id, field_problems_dyn, has_error, messages_id};

/// A one-line text box.
pub fn text_field(
    path: impl Into<String>,
    label: &'static str,
    placeholder: &'static str,
    get: impl Fn() -> String + Send + Sync + 'static,
    set: impl Fn(String) + Send + Sync + 'static,
) -> AnyView {
    text_dyn(
        path.into(),
        label,
        placeholder,
        Arc::new(get),
        Arc::new(set),
    )
}

fn text_dyn(
    path: String,
    label: &'static str,
    placeholder: &'static str,
    get: GetFn<String>,
    set: SetFn<String>,
) -> AnyView {
    let id = field_id(&path);
    let invalid = has_error(&path);
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id type="text" autocomplete="off" spellcheck="false" placeholder=placeholder
                aria-describedby=messages_id(&path) aria-invalid=move || invalid().to_string()
                prop:value=move || get() on:input=move |ev| set(event_target_value(&ev)) />
            {field_problems_dyn(path)}
        </div>
    }
    .into_any()
}
