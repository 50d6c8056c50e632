//! Selects and toggles.

use std::sync::Arc;

use leptos::prelude::*;

use super::{GetFn, SetFn, field_id, field_problems_dyn, has_error, messages_id};

/// A select of `(value, label)` options.
pub fn select_field(
    path: impl Into<String>,
    label: &'static str,
    options: Vec<(String, String)>,
    get: impl Fn() -> String + Send + Sync + 'static,
    set: impl Fn(String) + Send + Sync + 'static,
) -> AnyView {
    let options: GetFn<Vec<(String, String)>> = Arc::new(move || options.clone());
    select_dyn(path.into(), label, options, Arc::new(get), Arc::new(set))
}

/// A select whose options change with the plan (e.g. memory for a vCPU size).
pub fn dynamic_select(
    path: impl Into<String>,
    label: &'static str,
    options: impl Fn() -> Vec<(String, String)> + Send + Sync + 'static,
    get: impl Fn() -> String + Send + Sync + 'static,
    set: impl Fn(String) + Send + Sync + 'static,
) -> AnyView {
    select_dyn(
        path.into(),
        label,
        Arc::new(options),
        Arc::new(get),
        Arc::new(set),
    )
}

fn select_dyn(
    path: String,
    label: &'static str,
    options: GetFn<Vec<(String, String)>>,
    get: GetFn<String>,
    set: SetFn<String>,
) -> AnyView {
    super::named(&path, label);
    let id = field_id(&path);
    // The value and the options as memos: the `<option>` views are built again only when either
    // changes, not on every edit of the plan that the getter reads. Fixed options are computed
    // once; only the value is read again on an edit.
    let value = crate::reactive::memo(move |_| get());
    let options = crate::reactive::memo(move |_| options());
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id on:change=move |ev| set(event_target_value(&ev)) prop:value=move || value.get()
                aria-describedby=messages_id(&path) aria-invalid={ let invalid = has_error(&path); move || invalid().to_string() }>
                {move || {
                    value.with(|selected_value| options.with(|options| {
                        options
                            .iter()
                            .map(|(value, text)| {
                                let selected = selected_value == value;
                                view! { <option value=value.clone() selected=selected>{text.clone()}</option> }
                            })
                            .collect_view()
                    }))
                }}
            </select>
            {field_problems_dyn(path)}
        </div>
    }
    .into_any()
}

/// A checkbox styled as a switch.
pub fn toggle(
    path: impl Into<String>,
    label: &'static str,
    get: impl Fn() -> bool + Send + Sync + 'static,
    set: impl Fn(bool) + Send + Sync + 'static,
) -> AnyView {
    toggle_dyn(path.into(), label, Arc::new(get), Arc::new(set))
}

fn toggle_dyn(path: String, label: &'static str, get: GetFn<bool>, set: SetFn<bool>) -> AnyView {
    super::named(&path, label);
    let id = field_id(&path);
    view! {
        <div class="field toggle">
            <input id=id.clone() type="checkbox" role="switch" prop:checked=move || get() on:change=move |ev| set(event_target_checked(&ev))
                aria-describedby=messages_id(&path) aria-invalid={ let invalid = has_error(&path); move || invalid().to_string() } />
            <label for=id>{label}</label>
            {field_problems_dyn(path)}
        </div>
    }
    .into_any()
}
