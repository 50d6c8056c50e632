//! Labelled form controls bound to a getter and a setter on the plan, each showing the core's
//! validation messages for its field path right under it.

mod choice;
mod number;
mod text;

use std::sync::Arc;

use leptos::prelude::*;

pub use choice::{dynamic_select, select_field, toggle};
pub use number::{number_field, slider};
pub use text::{list_text_field, text_field};

use crate::state::use_planner;

// Every control type-erases its getter and setter (`Arc<dyn Fn>`) and its view (`AnyView`)
// before rendering: a generic view per call site made the wasm 40% larger.
pub(crate) type GetFn<T> = Arc<dyn Fn() -> T + Send + Sync>;
pub(crate) type SetFn<T> = Arc<dyn Fn(T) + Send + Sync>;

/// Switches an optional section of the plan (`slot`) on or off without losing what it held:
/// switched off, its settings wait in `kept`; switched on again, they come back. Only the first
/// switch-on takes `fresh()`.
pub fn switch_section<T: Send + Sync + 'static>(
    on: bool,
    slot: &mut Option<T>,
    kept: StoredValue<Option<T>>,
    fresh: impl FnOnce() -> T,
) {
    if on {
        if slot.is_none() {
            let mut back = None;
            kept.update_value(|k| back = k.take());
            *slot = Some(back.unwrap_or_else(fresh));
        }
    } else if let Some(held) = slot.take() {
        kept.set_value(Some(held));
    }
}

/// Tells the planner the label its form shows for the field at `path`: the checks name a
/// field by it. Set when the field is built, so a problem of a field on the page is named by
/// it however the page came to show it (a link, a draft, another architecture).
pub(crate) fn named(path: &str, label: &'static str) {
    let labels = use_planner().labels;
    if labels.with_untracked(|l| l.get(path).copied() != Some(label)) {
        labels.update(|l| {
            l.insert(path.to_string(), label);
        });
    }
}

/// The DOM id of a field path: `fargate.memory_mib` → `f-fargate-memory_mib`. The path's
/// separators (`.`, `[`, `]`) become `-`; any other character but letters, digits and `_` (a tag
/// key's `-` or space, say) becomes `.` and its UTF-8 bytes in hex. So two paths never share an
/// id (the tags `a.b` and `a-b`), and an id holds no space (`aria-describedby` is a list split
/// at spaces).
pub fn field_id(path: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(path.len() + 2);
    id.push_str("f-");
    for ch in path.chars() {
        match ch {
            '.' | '[' | ']' => id.push('-'),
            c if c.is_ascii_alphanumeric() || c == '_' => id.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    id.push('.');
                    id.push(char::from(HEX[usize::from(b >> 4)]));
                    id.push(char::from(HEX[usize::from(b & 0xf)]));
                }
            }
        }
    }
    id
}

/// The core's messages for one field path.
pub fn field_problems(path: impl Into<String>) -> AnyView {
    field_problems_dyn(path.into())
}

pub(crate) fn field_problems_dyn(path: String) -> AnyView {
    let planner = use_planner();
    let id = messages_id(&path);
    let messages = move || {
        planner.problems.with(|ps| {
            ps.iter()
                .filter(|p| p.path == path)
                .map(|p| (p.severity, p.message.clone()))
                .collect::<Vec<_>>()
        })
    };
    // The messages describe their control (its `aria-describedby`), so a screen reader reads
    // them with the field; they are not live regions, which spoke at every keystroke.
    view! {
        <div class="field-msgs" id=id>
            <For each=messages key=|m| m.1.clone() let((severity, message))>
                <p class=match severity {
                    shared::Severity::Error => "field-msg error",
                    shared::Severity::Warning => "field-msg warning",
                }>{message}</p>
            </For>
        </div>
    }
    .into_any()
}

/// The id of the element holding a field's messages: its control's `aria-describedby`. Ids
/// derived from a field's id take a prefix (`m`), never a suffix: every field id starts `f-`,
/// so no field's id can equal another's messages id (with a suffix, the tag `x.msg`'s box
/// would have had the id of the messages of tag `x`).
pub fn messages_id(path: &str) -> String {
    format!("m{}", field_id(path))
}

/// Whether the plan has an error at `path`: its control's `aria-invalid`.
pub(crate) fn has_error(path: &str) -> impl Fn() -> bool + Send + Sync + Clone + use<> {
    let path = path.to_string();
    has_error_at(move || path.clone())
}

/// [`has_error`] for a control whose path changes (a variable's value box, named after the
/// source it holds).
pub(crate) fn has_error_at(
    path: impl Fn() -> String + Send + Sync + Clone + 'static,
) -> impl Fn() -> bool + Send + Sync + Clone + 'static {
    let planner = use_planner();
    move || {
        let path = path();
        planner.problems.with(|ps| {
            ps.iter()
                .any(|p| p.path == path && p.severity == shared::Severity::Error)
        })
    }
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

#[cfg(test)]
mod tests {
    use super::{field_id, messages_id};

    #[test]
    fn a_fields_messages_id_is_never_another_fields_id() {
        let paths = ["tags.x", "tags.x.msg", "tags.x-msg", "tags.mf", "tags.m"];
        let mut ids: Vec<String> = paths.iter().map(|p| field_id(p)).collect();
        ids.extend(paths.iter().map(|p| messages_id(p)));
        for (i, id) in ids.iter().enumerate() {
            assert!(ids[..i].iter().all(|other| other != id), "{id} twice");
        }
    }

    #[test]
    fn field_ids_are_distinct_and_hold_no_space() {
        assert_eq!(field_id("fargate.memory_mib"), "f-fargate-memory_mib");
        assert_eq!(field_id("environment[2].name"), "f-environment-2--name");
        let paths = [
            "tags.a.b",
            "tags.a-b",
            "tags.a b",
            "tags.a_b",
            "tags.a.2db",
            "tags.é",
            "tags.cost center",
        ];
        let ids: Vec<String> = paths.iter().map(|p| field_id(p)).collect();
        for (i, id) in ids.iter().enumerate() {
            assert!(!id.contains(char::is_whitespace), "{id}");
            assert!(
                ids[..i].iter().all(|other| other != id),
                "{} and another path share {id}",
                paths[i]
            );
        }
        assert_eq!(field_id("tags.cost center"), "f-tags-cost.20center");
    }
}
