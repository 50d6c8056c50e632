//! The few browser APIs the planner uses: downloads, the clipboard, performance marks.

use wasm_bindgen::JsCast;

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "cannot make a file")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "cannot make a download link")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "no anchor")?
        .dyn_into()
        .map_err(|_| "no anchor")?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Copies `text` to the clipboard; resolves to whether it worked.
pub async fn copy(text: String) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(&text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// A `performance.mark`, for the measurement script.
pub fn mark(name: &str) {
    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
        let _ = perf.mark(name);
    }
}

/// Finds an element of the page ([`refocus`]).
pub type FindElement = Box<dyn Fn(&web_sys::Document) -> Option<web_sys::Element>>;

/// Puts the focus back after a change that rebuilds the part of the page holding it (a tag
/// renamed, a control's fix applied): when, within the next half second, the element that had
/// the focus when this was called is taken out of the page (or disabled) and the focus falls to
/// the page's body, it goes to the element `find` gives. The rebuild comes a task or a few after the
/// change (the template and what reads it follow the plan on later tasks), hence the short
/// watch rather than one look. `origin` is the element the change came from (the event's
/// target): while it is in the page nothing is done, and a focus the user moved to another
/// element is left alone. Boxed, so that the code exists once.
pub fn refocus(origin: Option<web_sys::EventTarget>, find: FindElement) {
    let Some(origin) = origin.and_then(|o| o.dyn_into::<web_sys::Element>().ok()) else {
        return;
    };
    watch_focus(std::rc::Rc::new(find), origin, 30);
}

/// Puts the focus back after a deploy step's button leaves the page with its step (Apply,
/// Cancel, Delete, Deploy now): on the progress bar once it shows, else the panel's heading.
pub fn refocus_deploy(origin: Option<web_sys::EventTarget>) {
    refocus(
        origin,
        Box::new(|d| {
            d.query_selector("[data-testid=deploy-progress]")
                .ok()
                .flatten()
                .or_else(|| d.get_element_by_id("deploy-title"))
        }),
    );
}

/// Puts the focus back after a list's row is removed by its own button (`origin`, one of the
/// buttons `[data-remove=<list>]`): on the button that took its place, else the one before it,
/// else the list's add button (`[data-add=<list>]`). See [`refocus`].
pub fn refocus_row(origin: Option<web_sys::EventTarget>, list: &'static str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let removers = format!("[data-remove={list}]");
    let Some(index) = origin
        .as_ref()
        .and_then(|o| o.dyn_ref::<web_sys::Node>())
        .and_then(|button| {
            let all = document.query_selector_all(&removers).ok()?;
            (0..all.length()).find(|&i| all.get(i).is_some_and(|n| n.is_same_node(Some(button))))
        })
    else {
        return;
    };
    refocus(
        origin,
        Box::new(move |d| {
            let all = d.query_selector_all(&removers).ok()?;
            let left = all.length();
            let row = if index < left {
                Some(index)
            } else {
                left.checked_sub(1)
            };
            row.and_then(|i| all.get(i))
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                .or_else(|| {
                    d.query_selector(&format!("[data-add={list}]"))
                        .ok()
                        .flatten()
                })
        }),
    );
}

fn is_body(element: &web_sys::Element) -> bool {
    element.tag_name().eq_ignore_ascii_case("body")
}

fn watch_focus(find: std::rc::Rc<FindElement>, origin: web_sys::Element, tries: u32) {
    leptos::prelude::set_timeout(
        move || {
            let Some(document) = web_sys::window().and_then(|w| w.document()) else {
                return;
            };
            let active = document.active_element();
            let lost = active.as_ref().is_none_or(is_body);
            // The element left the page, or stayed but was disabled (a busy Deploy): either
            // way the browser dropped the focus to the body.
            if lost && (!origin.is_connected() || origin.has_attribute("disabled")) {
                if let Some(element) =
                    find(&document).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = element.focus();
                }
                return;
            }
            // Still on the element (the rebuild is yet to come), or on its way: watch on. On
            // another element: the user moved it.
            let moved = active.is_some_and(|a| !is_body(&a) && a != origin);
            if !moved && tries > 1 {
                watch_focus(find, origin, tries - 1);
            }
        },
        std::time::Duration::from_millis(16),
    );
}

/// Whether the focus is on nothing (the page's body) or inside the element `within` selects:
/// where a step of that element's work may move it without taking it from the user.
pub fn focus_is_idle_in(within: &str) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    document
        .active_element()
        .is_none_or(|a| is_body(&a) || a.closest(within).ok().flatten().is_some())
}

/// Scrolls to the element `id` (and focuses it when `focus`), as an in-page link would, but
/// without a history entry: the page's address carries the plan, and going Back to an older
/// address would put its plan back. A field id with no element (an item of a list typed in one
/// box, a row as a whole) goes to the nearest enclosing path that has one: `f-a-b-0-`, then
/// `f-a-b-0`, `f-a-b`, `f-a`.
pub fn go_to(id: &str, focus: bool) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let mut id = id;
    let el = loop {
        if let Some(el) = document.get_element_by_id(id) {
            break el;
        }
        match id.rsplit_once('-') {
            Some((parent, _)) if parent.len() > 2 && id.starts_with("f-") => id = parent,
            _ => return,
        }
    };
    el.scroll_into_view();
    if focus && let Ok(html) = el.dyn_into::<web_sys::HtmlElement>() {
        let _ = html.focus();
    }
}

/// `location.hash`, if any.
pub fn location_hash() -> Option<String> {
    web_sys::window()?
        .location()
        .hash()
        .ok()
        .filter(|h| !h.is_empty())
}

/// Goes to `fragment` (`plan=…`) even when the address is already there: a counter after it
/// (`&n=…`, which the plan's reader ignores, as the embed element's) makes it a new fragment,
/// so the page hears the change and opens the plan over any edits. It replaces the history
/// entry: Back must not reopen that plan over later edits.
pub fn open_fragment_again(fragment: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w
            .location()
            .replace(&format!("#{fragment}&n={}", js_sys::Date::now() as u64));
    }
}

/// The page's address without its fragment.
pub fn page_base() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|href| href.split('#').next().unwrap_or(&href).to_string())
        .unwrap_or_default()
}

/// The address share links start with: the page's, without how a host console framed it
/// ([`shared::link::share_base`]).
pub fn share_base() -> String {
    shared::link::share_base(&page_base())
}

/// The page's origin (`scheme://host:port`), where its server's API is.
pub fn page_origin() -> String {
    page_base().split('/').take(3).collect::<Vec<_>>().join("/")
}

/// A `hashchange` event's `oldURL` or `newURL`.
pub fn event_url(event: &web_sys::Event, key: &str) -> Option<String> {
    js_sys::Reflect::get(event, &wasm_bindgen::JsValue::from_str(key))
        .ok()?
        .as_string()
}

/// Puts `fragment` in the address bar without a navigation or a history entry.
pub fn replace_fragment(fragment: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(fragment));
    }
}

/// Resolves after `ms` milliseconds (a `setTimeout`).
pub async fn sleep_ms(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                i32::try_from(ms).unwrap_or(1000),
            );
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// This tab's session storage (the token, the deployment followed, the drafts, the settled
/// operations told to a host).
pub fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The address bar's fragment when it holds a share link's plan (`#plan=…`).
pub fn plan_fragment() -> Option<String> {
    location_hash().filter(|hash| hash.contains(shared::link::FRAGMENT_KEY))
}

/// Focuses the text box with `id`, its text selected, once the page has it (the edit that adds
/// it renders a frame or so later): a new row's first box, typed over at once.
pub fn focus_new(id: String) {
    leptos::task::spawn_local(async move {
        for _ in 0..20 {
            sleep_ms(16).await;
            let found = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&id))
                .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
            if let Some(input) = found {
                let _ = input.focus();
                input.select();
                return;
            }
        }
    });
}
