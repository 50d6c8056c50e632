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
    list_text_field(path, 0, label, placeholder, get, set)
}

/// A text box that holds a list (`a, b`): its messages are the list's and each item's
/// (`path[0]` … `path[items - 1]`), all describing the box, which is invalid when any of them
/// is an error.
pub fn list_text_field(
    path: impl Into<String>,
    items: usize,
    label: &'static str,
    placeholder: &'static str,
    get: impl Fn() -> String + Send + Sync + 'static,
    set: impl Fn(String) + Send + Sync + 'static,
) -> AnyView {
    text_dyn(
        path.into(),
        items,
        label,
        placeholder,
        Arc::new(get),
        Arc::new(set),
    )
}

fn text_dyn(
    path: String,
    items: usize,
    label: &'static str,
    placeholder: &'static str,
    get: GetFn<String>,
    set: SetFn<String>,
) -> AnyView {
    super::named(&path, label);
    let id = field_id(&path);
    let paths: Vec<String> = (0..items).map(|i| format!("{path}[{i}]")).collect();
    let described = std::iter::once(messages_id(&path))
        .chain(paths.iter().map(|p| messages_id(p)))
        .collect::<Vec<_>>()
        .join(" ");
    let checks: Vec<_> = std::iter::once(&path)
        .chain(&paths)
        .map(|p| has_error(p))
        .collect();
    let invalid = move || checks.iter().any(|check| check());
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id type="text" autocomplete="off" spellcheck="false" placeholder=placeholder
                aria-describedby=described aria-invalid=move || invalid().to_string()
                prop:value=move || get() on:input=move |ev| set(event_target_value(&ev)) />
            {field_problems_dyn(path)}
            {paths.into_iter().map(field_problems_dyn).collect_view()}
        </div>
    }
    .into_any()
}
