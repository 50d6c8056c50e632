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

/// The last of a run of calls wins: [`Pause::then`] runs its work once `delay` has passed with
/// no later call (edits that pause, a slider let go).
#[derive(Clone, Copy)]
pub struct Pause(StoredValue<u64>);

impl Pause {
    pub fn new() -> Self {
        Pause(StoredValue::new(0))
    }

    /// Runs `work` after `delay`, unless `then` (or `cancel`) is called again before.
    pub fn then(self, delay: std::time::Duration, work: impl FnOnce() + 'static) {
        self.cancel();
        let mine = self.0.get_value();
        set_timeout(
            move || {
                if self.0.get_value() == mine {
                    work();
                }
            },
            delay,
        );
    }
}

impl Pause {
    /// Makes the work waiting, if any, stand down.
    pub fn cancel(self) {
        self.0.update_value(|n| *n += 1);
    }
}

impl Default for Pause {
    fn default() -> Self {
        Pause::new()
    }
}

/// The words of a live region (`role="status"`, on the page from the start), said again when
/// they repeat: [`Spoken::say`] into a region that holds words empties it, then fills it a
/// moment later, once a screen reader has seen it empty (the same words set again are no
/// change, and not read).
#[derive(Clone, Copy)]
pub struct Spoken {
    text: RwSignal<String>,
    pause: Pause,
}

/// How long a region stays empty before its words come back.
const SAY_AFTER: std::time::Duration = std::time::Duration::from_millis(100);

impl Spoken {
    pub fn new() -> Self {
        Spoken {
            text: RwSignal::new(String::new()),
            pause: Pause::new(),
        }
    }

    /// Says `words` (nothing for ""): at once into an empty region, else after emptying it; a
    /// later `say` replaces it.
    pub fn say(self, words: impl Into<String>) {
        let words = words.into();
        let text = self.text;
        if words.is_empty() || text.with_untracked(String::is_empty) {
            // Nothing to say again: any pending words stand down.
            self.pause.cancel();
            text.set(words);
            return;
        }
        text.set(String::new());
        self.pause.then(SAY_AFTER, move || text.set(words));
    }

    /// The region's text.
    pub fn text(self) -> ReadSignal<String> {
        self.text.read_only()
    }
}

impl Default for Spoken {
    fn default() -> Self {
        Spoken::new()
    }
}
