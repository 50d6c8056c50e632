//! Number boxes and sliders.

use std::fmt::Display;
use std::str::FromStr;
use std::sync::Arc;

use leptos::prelude::*;

use super::{GetFn, SetFn, field_id, field_problems_dyn};

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
        if text.with_untracked(|t| !finite(t) || t.trim().parse::<T>().ok() != Some(value)) {
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
                        // Rust reads "inf", "NaN" and "1e999" as floats; a plan holds finite
                        // numbers only (JSON has no others).
                        Ok(v) if finite(&raw) => {
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
                <p class="field-msg error" role="status">"Enter a whole number within the allowed range; the plan keeps its last value."</p>
            </Show>
            {field_problems_dyn(path)}
        </div>
    }
    .into_any()
}

/// Whether `raw` is a finite number (every number type's text also reads as an `f64`).
fn finite(raw: &str) -> bool {
    raw.trim().parse::<f64>().is_ok_and(f64::is_finite)
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
