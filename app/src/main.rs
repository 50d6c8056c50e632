//! The browser planner's entry point.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
    // The page's "Loading the planner…" goes as the planner takes its place (in the same task,
    // so no frame shows both).
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
}
