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
                prop:value={
                    let get = get.clone();
                    move || get()
                }
                on:input=move |ev| {
                    let typed = event_target_value(&ev);
                    set(typed.clone());
                    show_held(&ev, &typed, &untrack(|| get()));
                } />
            {field_problems_dyn(path)}
            {paths.into_iter().map(field_problems_dyn).collect_view()}
        </div>
    }
    .into_any()
}

/// When the plan holds what was typed otherwise (trimmed, or lower-cased), the box shows what
/// it holds at once, with the cursor where it was in the text: replacing a box's value puts the
/// cursor at its end, so a capital typed mid-word would send the next letter there.
fn show_held(ev: &leptos::ev::Event, typed: &str, held: &str) {
    use wasm_bindgen::JsCast;
    if typed == held {
        return;
    }
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let cursor = input.selection_start().ok().flatten().unwrap_or(0);
    let at = held_cursor(typed, held, cursor);
    input.set_value(held);
    let _ = input.set_selection_range(at, at);
}

/// Where a cursor at `cursor` (UTF-16 units, as the browser counts) in `typed` is in `held`:
/// moved back by the blanks trimmed before the text when `held` is the typed text trimmed (in
/// any case), and never past `held`'s end.
fn held_cursor(typed: &str, held: &str, cursor: u32) -> u32 {
    let units = |s: &str| u32::try_from(s.encode_utf16().count()).unwrap_or(u32::MAX);
    let lead = if held.eq_ignore_ascii_case(typed.trim()) {
        units(typed) - units(typed.trim_start())
    } else {
        0
    };
    cursor.saturating_sub(lead).min(units(held))
}

#[cfg(test)]
mod tests {
    use super::held_cursor;

    #[test]
    fn the_cursor_stays_in_the_text_it_was_in() {
        // A capital lowered mid-word: the cursor after it.
        assert_eq!(held_cursor("exAmple.com", "example.com", 3), 3);
        // Blanks trimmed before the text: the cursor moves back by them.
        assert_eq!(held_cursor("  shop", "shop", 4), 2);
        assert_eq!(held_cursor(" shop", "shop", 0), 0);
        // Trimmed after it: never past the end.
        assert_eq!(held_cursor("shop  ", "shop", 6), 4);
        // Counted as the browser counts (UTF-16).
        assert_eq!(held_cursor(" é😀x", "é😀x", 4), 3);
    }
}
