//! Number boxes and sliders.

use std::fmt::Display;
use std::sync::Arc;

use leptos::prelude::*;

use super::{GetFn, SetFn, field_id, field_problems_dyn, has_error, messages_id};

/// A number a field edits, read from what the user typed.
pub trait Number: Display + PartialEq + Copy + Send + Sync + 'static {
    /// What a box of this type takes, for its message: "a whole number", "a number".
    const KIND: &'static str;
    fn read(text: &str) -> Option<Self>;
}

macro_rules! whole_numbers {
    ($($t:ty),*) => {$(
        impl Number for $t {
            const KIND: &'static str = "a whole number";
            fn read(text: &str) -> Option<Self> {
                text.parse().ok()
            }
        }
    )*};
}
whole_numbers!(u8, u16, u32, u64);

/// Read as Rust reads an `f64`, without its float parser in the wasm
/// ([`shared::decimal::parse_f64`]).
impl Number for f64 {
    const KIND: &'static str = "a number";
    fn read(text: &str) -> Option<Self> {
        shared::decimal::parse_f64(text)
    }
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
    T: Number,
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
    T: Number,
{
    let id = field_id(&path);
    // Untracked: a field built inside a reactive view (a `Show`) must not make that view
    // depend on the plan, or every edit builds the field again.
    let text = RwSignal::new(untrack(|| get().to_string()));
    let bad = RwSignal::new(false);
    // `get` reads the plan, so this runs on every edit. Only a change of this field's value
    // made elsewhere (a fix, a loaded plan) replaces the box's text: an edit of another field
    // leaves what was typed here, even when it is not a number yet.
    Effect::new(move |last: Option<T>| {
        let value = get();
        if last.is_some_and(|last| last != value)
            && text.with_untracked(|t| !finite(t) || T::read(t.trim()) != Some(value))
        {
            text.set(value.to_string());
            bad.set(false);
        }
        value
    });
    let invalid = has_error(&path);
    // A prefix, as for every id derived from a field's (see `messages_id`).
    let typed_id = format!("t{id}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                type="text"
                inputmode="decimal"
                autocomplete="off"
                prop:value=move || text.get()
                aria-describedby=format!("{typed_id} {}", messages_id(&path))
                aria-invalid=move || (bad.get() || invalid()).to_string()
                on:input=move |ev| {
                    let raw = event_target_value(&ev);
                    match T::read(raw.trim()) {
                        // Rust reads "inf", "NaN" and "1e999" as floats; a plan holds finite
                        // numbers only (JSON has no others).
                        Some(v) if finite(&raw) => {
                            bad.set(false);
                            text.set(raw);
                            set(v);
                        }
                        _ => {
                            bad.set(true);
                            text.set(raw);
                        }
                    }
                }
            />
            {(!hint.is_empty()).then(|| view! { <span class="hint">{hint}</span> })}
            <Show when=move || bad.get()>
                <p class="field-msg error" id=typed_id.clone()>{format!("Enter {} within the allowed range; the plan keeps its last value.", T::KIND)}</p>
            </Show>
            {field_problems_dyn(path)}
        </div>
    }
    .into_any()
}

/// Whether `raw` is a finite number (every number type's text also reads as an `f64`).
fn finite(raw: &str) -> bool {
    shared::decimal::parse_f64(raw.trim()).is_some()
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
    T: Number,
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
    T: Number,
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
                aria-describedby=messages_id(&path)
                min=min
                max=max
                step=step
                prop:value=move || get().to_string()
                on:input=move |ev| {
                    if let Some(v) = T::read(&event_target_value(&ev)) {
                        set(v);
                    }
                }
            />
            {field_problems_dyn(path)}
        </div>
    }
    .into_any()
}
