//! Number boxes and sliders.

use std::fmt::Display;
use std::sync::Arc;

use leptos::prelude::*;

use super::{GetFn, SetFn, field_id, field_problems_dyn, has_error, messages_id};

/// A number a field edits, read from what the user typed.
pub trait Number: Display + PartialEq + Copy + Send + Sync + 'static {
    /// What a box of this type takes, for its message, with an example.
    fn kind() -> String;
    /// Why `text` (which [`Number::read`] refused) is not one: "is not a whole number, such
    /// as 1000 or 1,000"; a whole number the type cannot hold is said to be below 0 or too
    /// large, not "not a whole number".
    fn refused(_text: &str) -> String {
        format!("is not {}", Self::kind())
    }
    /// Reads the digits of [`ungrouped`] text.
    fn read_digits(text: &str) -> Option<Self>;
    /// The value as the box shows it, as `{}` writes it.
    fn text(self) -> String {
        self.to_string()
    }
    /// Reads what the user typed: thousands may be grouped (`10,000,000`, `10 000 000`,
    /// `10_000_000`), and only finite numbers read.
    fn read(text: &str) -> Option<Self> {
        let digits = ungrouped(text.trim())?;
        // Rust reads "inf", "NaN" and "1e999" as floats; a plan holds finite numbers only
        // (JSON has no others).
        shared::decimal::parse_f64(&digits)?;
        Self::read_digits(&digits)
    }
}

/// Why a whole-number box refuses `text`: a whole number below 0 or over `max` is said to be
/// so; anything else is not `kind`.
fn whole_refused(text: &str, kind: &str, max: u64) -> String {
    let digits = ungrouped(text.trim()).unwrap_or_default();
    let (negative, magnitude) = match digits.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, digits.strip_prefix('+').unwrap_or(&digits)),
    };
    if magnitude.is_empty() || !magnitude.bytes().all(|b| b.is_ascii_digit()) {
        format!("is not {kind}")
    } else if negative {
        if magnitude.bytes().all(|b| b == b'0') {
            // "-0": write it as 0.
            format!("is not {kind}")
        } else {
            "is below 0: the box takes a whole number from 0 up".to_string()
        }
    } else {
        format!(
            "is over {}, the largest number the box takes",
            shared::cost::group_digits(&max.to_string())
        )
    }
}

macro_rules! whole_numbers {
    ($($t:ty),*) => {$(
        impl Number for $t {
            fn kind() -> String {
                "a whole number, such as 1000 or 1,000".into()
            }
            fn refused(text: &str) -> String {
                whole_refused(text, &Self::kind(), u64::from(<$t>::MAX))
            }
            fn read_digits(text: &str) -> Option<Self> {
                text.parse().ok()
            }
        }
    )*};
}
whole_numbers!(u8, u16, u32);

impl Number for u64 {
    fn kind() -> String {
        "a whole number, such as 10000000 or 10,000,000".into()
    }
    fn refused(text: &str) -> String {
        whole_refused(text, &Self::kind(), u64::MAX)
    }
    fn read_digits(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

/// Read as Rust reads an `f64`, without its float parser in the wasm
/// ([`shared::decimal::parse_f64`]).
impl Number for f64 {
    fn kind() -> String {
        "a number, such as 0.25 or 1,500".into()
    }
    fn read_digits(text: &str) -> Option<Self> {
        shared::decimal::parse_f64(text)
    }
    /// Without Rust's float formatter in the wasm ([`shared::decimal::Plain`]).
    fn text(self) -> String {
        shared::decimal::Plain(self).to_string()
    }
}

/// `text` without the separators a person may put between thousands: `,`, `_` and spaces
/// (plain, no-break, narrow no-break), each only between groups of three digits of the whole
/// part (`1,500.5`, `10 000 000`). `None` for a separator anywhere else: `0,5` is not read as 5
/// nor as a half, `1 5` not as 15.
fn ungrouped(text: &str) -> Option<String> {
    let separator = |c: char| matches!(c, ',' | '_' | ' ' | '\u{a0}' | '\u{202f}');
    if !text.contains(separator) {
        return Some(text.to_string());
    }
    let end = text.find(['.', 'e', 'E']).unwrap_or(text.len());
    let (whole, rest) = text.split_at(end);
    if rest.contains(separator) {
        return None;
    }
    let mut groups = whole.trim_start_matches(['+', '-']).split(separator);
    let first = groups.next()?;
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    (matches!(first.len(), 1..=3) && digits(first) && groups.all(|g| g.len() == 3 && digits(g)))
        .then(|| text.chars().filter(|&c| !separator(c)).collect())
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
    super::named(&path, label);
    let id = field_id(&path);
    let planner = crate::state::use_planner();
    let (untyped, loaded) = (planner.untyped, planner.loaded);
    // The box is the planner's to report while its text is not a number: an error in the
    // checks, with Deploy held back, until it reads, its value is set elsewhere, or the box
    // leaves the page (its section switched off, its row removed).
    let settled = {
        let path = path.clone();
        move || {
            // `try_`: at the page's end the planner may be gone before its fields.
            if untyped
                .try_with_untracked(|u| u.iter().any(|u| u.path == path))
                .unwrap_or(false)
            {
                untyped.try_update(|u| u.retain(|u| u.path != path));
            }
        }
    };
    on_cleanup({
        let settled = settled.clone();
        move || settled()
    });
    // Untracked: a field built inside a reactive view (a `Show`) must not make that view
    // depend on the plan, or every edit builds the field again.
    let text = RwSignal::new(untrack(|| get().text()));
    // `get` reads the plan, so this runs on every edit. Only a change of this field's value
    // made elsewhere (a fix) replaces the box's text, and a plan opened whole (a link, a file)
    // always does: an edit of another field leaves what was typed here, even when it is not a
    // number yet.
    Effect::new({
        let settled = settled.clone();
        let get = get.clone();
        move |last: Option<(T, u64)>| {
            let now = (get(), loaded.get());
            let changed = last.is_some_and(|(value, opened)| {
                opened != now.1
                    || (value != now.0 && text.with_untracked(|t| T::read(t) != Some(now.0)))
            });
            if changed {
                text.set(now.0.text());
                settled();
            }
            now
        }
    });
    let invalid = has_error(&path);
    let problem_path = path.clone();
    // The hint describes the box too, after its messages (a prefix, as `messages_id`'s: no
    // field's id can be a hint's).
    let hint_id = format!("h{id}");
    let described = if hint.is_empty() {
        messages_id(&path)
    } else {
        format!("{} {hint_id}", messages_id(&path))
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                type="text"
                inputmode="decimal"
                autocomplete="off"
                prop:value=move || text.get()
                aria-describedby=described
                aria-invalid=move || invalid().to_string()
                on:input=move |ev| {
                    let raw = event_target_value(&ev);
                    text.set(raw.clone());
                    match T::read(&raw) {
                        Some(v) => {
                            settled();
                            set(v);
                        }
                        None => {
                            let why = T::refused(&raw);
                            let entry = crate::state::Untyped::number(
                                problem_path.clone(),
                                raw,
                                &why,
                                &untrack(|| get()).text(),
                            );
                            untyped.update(|u| crate::state::Untyped::note(u, entry));
                        }
                    }
                }
            />
            {(!hint.is_empty()).then(|| view! { <span class="hint" id=hint_id>{hint}</span> })}
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
    T: Number,
{
    slider_dyn(
        path.into(),
        label,
        unit,
        [min.text(), max.text(), step.text()],
        Arc::new(get),
        Arc::new(set),
    )
}

/// A slider's value with its unit, as written: "1 day", not "1 days".
fn with_unit(value: String, unit: &str) -> String {
    match (value.as_str(), unit) {
        ("1", " days") => "1 day".into(),
        _ => format!("{value}{unit}"),
    }
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
    super::named(&path, label);
    let id = field_id(&path);
    let shown = get.clone();
    let [min, max, step] = range;
    view! {
        <div class="field">
            // The value is shown beside the label, and read out with the slider (its
            // `aria-valuetext`, with the unit), not as part of its name.
            <label for=id.clone()>{label}<output aria-hidden="true">{move || with_unit(shown().text(), unit)}</output></label>
            <input
                id=id
                type="range"
                aria-valuetext={
                    let get = get.clone();
                    move || with_unit(get().text(), unit)
                }
                aria-describedby=messages_id(&path)
                min=min
                max=max
                step=step
                prop:value=move || get().text()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A refused whole number says why: not one, below 0, or over what the box holds.
    #[test]
    fn a_refused_number_says_why() {
        let not_whole = "is not a whole number, such as 1000 or 1,000";
        let below = "is below 0: the box takes a whole number from 0 up";
        for (text, why) in [
            ("3x", not_whole),
            ("", not_whole),
            ("1.5", not_whole),
            ("-5", below),
        ] {
            assert_eq!(u32::refused(text), why, "{text}");
        }
        assert_eq!(u64::refused("-1,000"), below);
        assert_eq!(
            u64::refused("99999999999999999999"),
            "is over 18,446,744,073,709,551,615, the largest number the box takes"
        );
        assert_eq!(
            u8::refused("300"),
            "is over 255, the largest number the box takes"
        );
        // "-0" is no whole number a box takes, nor below 0.
        assert_eq!(u32::read("-0"), None);
        assert_eq!(
            u32::refused("-0"),
            "is not a whole number, such as 1000 or 1,000"
        );
        assert_eq!(
            f64::refused("2,5"),
            "is not a number, such as 0.25 or 1,500"
        );
    }

    #[test]
    fn thousands_may_be_grouped_and_nothing_else_is_guessed() {
        assert_eq!(u64::read("10,000,000"), Some(10_000_000));
        assert_eq!(u64::read(" 10 000 000 "), Some(10_000_000));
        assert_eq!(u64::read("10_000_000"), Some(10_000_000));
        assert_eq!(u64::read("10\u{202f}000"), Some(10_000));
        assert_eq!(
            u64::read("1 5"),
            None,
            "a space is no more a guess than a comma"
        );
        assert_eq!(u64::read("1_0000"), None);
        assert_eq!(u64::read("1 000_000"), Some(1_000_000));
        assert_eq!(u64::read("1,5"), None, "not a thousands group");
        assert_eq!(u64::read("1,0000"), None);
        assert_eq!(u64::read("1000,000"), None);
        assert_eq!(u64::read(",100"), None);
        assert_eq!(u64::read("1.5"), None);
        assert_eq!(u64::read("-1"), None);
        assert_eq!(u64::read(""), None);
        assert_eq!(u8::read("256"), None, "out of its type's range");
        assert_eq!(f64::read("1,500.25"), Some(1500.25));
        assert_eq!(f64::read("0,5"), None, "a decimal comma is not read as 5");
        assert_eq!(f64::read("1.000,5"), None);
        assert_eq!(f64::read("-2,500"), Some(-2500.0));
        assert_eq!(f64::read("1e3"), Some(1000.0));
        for not_finite in ["inf", "NaN", "1e999", "infinity"] {
            assert_eq!(f64::read(not_finite), None, "{not_finite}");
        }
    }
}
