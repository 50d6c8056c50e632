//! The browser planner. Built for wasm32 by Trunk; see the browser-planner issue.
fn main() {
    let example = shared::examples::fargate();
    let _ = shared::validate::check(&example);
}
