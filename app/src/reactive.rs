//! Effects and memos whose closures are boxed before Leptos sees them.
//!
//! `Effect::new` and `Memo::new` are generic over their closure's type, so each call site gets
//! its own copy of Leptos's machinery: an effect's whole task (an async state machine, about
//! 1.2 KB of wasm), a memo's node and its update code. A boxed closure is one type for every
//! call site, so that machinery exists once per value type; each site keeps only its closure's
//! body and a small vtable. An indirect call per run is all it costs.

use leptos::prelude::*;

/// An effect, as `Effect::new(f)`: runs on the next tick, then whenever what it read changes.
/// `f` gets `None` on its first run and `Some(())` after.
pub fn effect(f: impl FnMut(Option<()>) + 'static) -> Effect<LocalStorage> {
    boxed_effect(Box::new(f))
}

#[inline(never)]
fn boxed_effect(mut f: Box<dyn FnMut(Option<()>)>) -> Effect<LocalStorage> {
    Effect::new(move |ran: Option<()>| f(ran))
}

/// A memo, as `Memo::new(f)`: `f` gets the memo's last value, if any.
pub fn memo<T>(f: impl Fn(Option<&T>) -> T + Send + Sync + 'static) -> Memo<T>
where
    T: PartialEq + Send + Sync + 'static,
{
    boxed_memo(Box::new(f))
}

/// A memo's closure, boxed.
type MemoFn<T> = Box<dyn Fn(Option<&T>) -> T + Send + Sync>;

#[inline(never)]
fn boxed_memo<T>(f: MemoFn<T>) -> Memo<T>
where
    T: PartialEq + Send + Sync + 'static,
{
    Memo::new(f)
}
