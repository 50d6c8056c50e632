//! Keyboard rules shared by the page's single-choice groups (the architecture cards, a radio
//! group; the template's format tabs, a tab list), as WAI-ARIA's authoring practices give them:
//! the group is one Tab stop (its chosen item), and the arrow keys, Home and End move the
//! choice and the focus within it, wrapping at the ends.

/// Which arrow keys move within a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrows {
    /// All four (a radio group).
    Both,
    /// Left and right only (a horizontal tab list: up and down still scroll the page).
    Horizontal,
}

/// The item the key moves to from item `at` of `len`, or `None` when the key is not one of
/// the group's (the browser then does what it does with it).
pub fn arrow_step(key: &str, arrows: Arrows, at: usize, len: usize) -> Option<usize> {
    if len == 0 {
        return None;
    }
    let at = at.min(len - 1);
    let both = arrows == Arrows::Both;
    match key {
        "ArrowRight" => Some((at + 1) % len),
        "ArrowDown" if both => Some((at + 1) % len),
        "ArrowLeft" => Some((at + len - 1) % len),
        "ArrowUp" if both => Some((at + len - 1) % len),
        "Home" => Some(0),
        "End" => Some(len - 1),
        _ => None,
    }
}

/// A key pressed in a group whose items are the children of the element listening
/// (`current_target`), item `at` of `len` chosen: when the key moves the choice, `choose` is
/// called with the new item's index, the item is focused and the key's default (scrolling) is
/// prevented. A key with Alt, Control or Meta is the browser's (Alt+Left goes back). One
/// function, not one per group, to keep the wasm small.
pub fn group_key(
    ev: &web_sys::KeyboardEvent,
    arrows: Arrows,
    at: usize,
    len: usize,
    choose: &dyn Fn(usize),
) {
    use wasm_bindgen::JsCast;
    if ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
        return;
    }
    let Some(next) = arrow_step(&ev.key(), arrows, at, len) else {
        return;
    };
    ev.prevent_default();
    choose(next);
    let item = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|group| group.children().item(next as u32))
        .and_then(|item| item.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(item) = item {
        let _ = item.focus();
    }
}

/// The `tabindex` of an item: only the chosen one is a Tab stop.
pub fn tab_stop(chosen: bool) -> &'static str {
    if chosen { "0" } else { "-1" }
}

#[cfg(test)]
mod tests {
    use super::Arrows::{Both, Horizontal};
    use super::arrow_step;

    #[test]
    fn arrows_wrap_and_home_end_jump() {
        assert_eq!(arrow_step("ArrowRight", Both, 0, 2), Some(1));
        assert_eq!(arrow_step("ArrowDown", Both, 1, 2), Some(0));
        assert_eq!(arrow_step("ArrowLeft", Both, 0, 2), Some(1));
        assert_eq!(arrow_step("ArrowUp", Both, 2, 3), Some(1));
        assert_eq!(arrow_step("Home", Both, 2, 3), Some(0));
        assert_eq!(arrow_step("End", Both, 0, 3), Some(2));
        for key in ["Tab", "Enter", " ", "a", "Escape"] {
            assert_eq!(arrow_step(key, Both, 0, 2), None, "{key}");
        }
        assert_eq!(arrow_step("ArrowRight", Both, 0, 0), None);
        // A horizontal tab list leaves up and down to the page.
        assert_eq!(arrow_step("ArrowRight", Horizontal, 0, 2), Some(1));
        assert_eq!(arrow_step("ArrowDown", Horizontal, 0, 2), None);
        assert_eq!(arrow_step("ArrowUp", Horizontal, 1, 2), None);
    }
}
