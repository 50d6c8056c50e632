//! Labelled form controls bound to a getter and a setter on the plan, each showing the core's
//! validation messages for its field path right under it.

use std::fmt::Display;
use std::str::FromStr;
use std::sync::Arc;

use leptos::prelude::*;

use crate::state::use_planner;

// Every control type-erases its getter and setter (`Arc<dyn Fn>`) and its view (`AnyView`)
// before rendering: a generic view per call site made the wasm 40% larger.
type GetFn<T> = Arc<dyn Fn() -> T + Send + Sync>;
type SetFn<T> = Arc<dyn Fn(T) + Send + Sync>;

/// The DOM id of a field path: `fargate.memory_mib` → `f-fargate-memory_mib`.
pub fn field_id(path: &str) -> String {
    format!("f-{}", path.replace(['.', '[', ']'], "-"))
}

/// The core's messages for one field path.
pub fn field_problems(path: impl Into<String>) -> AnyView {
    field_problems_dyn(path.into())
}

fn field_problems_dyn(path: String) -> AnyView {
    let planner = use_planner();
    let messages = move || {
        planner.problems.with(|ps| {
            ps.iter()
                .filter(|p| p.path == path)
                .map(|p| (p.severity, p.message.clone()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <For each=messages key=|m| m.1.clone() let((severity, message))>
            <p class=match severity {
                shared::Severity::Error => "field-msg error",
                shared::Severity::Warning => "field-msg warning",
            } role="status">{message}</p>
        </For>
    }
    .into_any()
}

/// A number box. What the user types stays as typed; the plan changes when it parses.
pub fn number_field<T>(
    path: impl Into<String>,
    label: &'static str,
    hint: &'static str,
    get: impl Fn() -> T + Send + Sync + 'static,
    set: impl Fn(T) + Send + Sync + 'static,
) -> AnyView
where
    T: FromStr + Display + PartialEq + Send + Sync + 'static,
{
    number_field_dyn(path.into(), label, hint, Arc::new(get), Arc::new(set))
}

fn number_field_dyn<T>(
    path: String,
    label: &'static str,
    hint: &'static str,
    get: GetFn<T>,
    set: SetFn<T>,
) -> AnyView
where
    T: FromStr + Display + PartialEq + Send + Sync + 'static,
{
    let id = field_id(&path);
    let text = RwSignal::new(get().to_string());
    let bad = RwSignal::new(false);
    Effect::new(move |_| {
        let value = get();
        if text.with_untracked(|t| t.trim().parse::<T>().ok() != Some(value)) {
            text.set(get().to_string());
            bad.set(false);
        }
    });
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                type="text"
                inputmode="decimal"
                autocomplete="off"
                prop:value=move || text.get()
                aria-invalid=move || bad.get().to_string()
                on:input=move |ev| {
                    let raw = event_target_value(&ev);
                    match raw.trim().parse::<T>() {
                        Ok(v) => {
                            bad.set(false);
                            text.set(raw);
                            set(v);
                        }
                        Err(_) => {
                            bad.set(true);
                            text.set(raw);
                        }
                    }
                }
            />
            {(!hint.is_empty()).then(|| view! { <span class="hint">{hint}</span> })}
            <Show when=move || bad.get()>
                <p class="field-msg error" role="status">"Enter a whole number within the allowed range; the plan keeps its last value."</p>
            </Show>
            {field_problems_dyn(path)}
        </div>
    }
    .into_any()
}

/// A slider with its value shown.
#[allow(clippy::too_many_arguments)]
pub fn slider<T>(
    path: impl Into<String>,
    label: &'static str,
    unit: &'static str,
    min: T,
    max: T,
    step: T,
    get: impl Fn() -> T + Send + Sync + 'static,
    set: impl Fn(T) + Send + Sync + 'static,
) -> AnyView
where
    T: FromStr + Display + Copy + Send + Sync + 'static,
{
    slider_dyn(
        path.into(),
        label,
        unit,
        [min.to_string(), max.to_string(), step.to_string()],
        Arc::new(get),
        Arc::new(set),
    )
}

fn slider_dyn<T>(
    path: String,
    label: &'static str,
    unit: &'static str,
    range: [String; 3],
    get: GetFn<T>,
    set: SetFn<T>,
) -> AnyView
where
    T: FromStr + Display + Copy + Send + Sync + 'static,
{
    let id = field_id(&path);
    let shown = get.clone();
    let [min, max, step] = range;
    view! {
        <div class="field">
            <label for=id.clone()>{label}<output>{move || format!("{}{unit}", shown())}</output></label>
            <input
                id=id
                type="range"
                min=min
                max=max
                step=step
                prop:value=move || get().to_string()
                on:input=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<T>() {
                        set(v);
                    }
                }
            />
            {field_problems_dyn(path)}
        </div>
    }
    .into_any()
}

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
    let id = field_id(&path);
    let current = get.clone();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id on:change=move |ev| set(event_target_value(&ev)) prop:value=move || current()>
                {move || {
                    let selected_value = get();
                    options()
                        .into_iter()
                        .map(|(value, text)| {
                            let selected = selected_value == value;
                            view! { <option value=value selected=selected>{text}</option> }
                        })
                        .collect_view()
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
    let id = field_id(&path);
    view! {
        <div class="field toggle">
            <input id=id.clone() type="checkbox" role="switch" prop:checked=move || get() on:change=move |ev| set(event_target_checked(&ev)) />
            <label for=id>{label}</label>
            {field_problems_dyn(path)}
        </div>
    }
    .into_any()
}

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
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id type="text" autocomplete="off" spellcheck="false" placeholder=placeholder
                prop:value=move || get() on:input=move |ev| set(event_target_value(&ev)) />
            {field_problems_dyn(path)}
        </div>
    }
    .into_any()
}

/// Options from `(value, label)` string pairs.
pub fn opts<I, A, B>(items: I) -> Vec<(String, String)>
where
    I: IntoIterator<Item = (A, B)>,
    A: ToString,
    B: ToString,
{
    items
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}
