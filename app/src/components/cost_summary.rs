//! The monthly total, its range and the largest lines.

use leptos::prelude::*;

use shared::cost::Estimate;

use crate::state::use_planner;

/// An amount as the CLI writes it (`$1,234.50`): one formatter for the planner and the CLI,
/// so the two never differ by a cent.
pub use shared::cost::fmt_usd as money;

/// An amount with "+" when it is only a lower bound (some price unknown).
pub fn at_least(usd: f64, lower_bound: bool) -> String {
    if lower_bound {
        format!("{}+", money(usd))
    } else {
        money(usd)
    }
}

/// "1 price", "2 prices": a count and its noun (one that takes an "s").
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// A change of an amount: "+$1.00" or "−$1.00" (a minus sign; one that rounds to $0.00 is
/// "+$0.00", as the CLI writes it).
pub fn signed(usd: f64) -> String {
    shared::cost::fmt_usd_signed(usd).replacen('-', "−", 1)
}

/// The summary's elements are built once; only their text follows the estimate (an edit used
/// to rebuild the whole summary, setting every attribute again). Every reactive text is a
/// `Signal<String>`, one type, so its view code exists once; the largest lines are one markup
/// string ([`crate::markup::cost_lines::largest`]).
#[component]
pub fn CostSummary() -> impl IntoView {
    let p = use_planner();
    let text = move |f: fn(&Estimate, bool) -> String| {
        Signal::derive(move || {
            p.estimate
                .with(|e| e.as_ref().map(|(e, c)| f(e, *c)).unwrap_or_default())
        })
    };
    // The optional notes: empty text, no note.
    let note = move |f: fn(&Estimate, bool) -> String| {
        let t = text(f);
        move || {
            let t = t.get();
            (!t.is_empty()).then_some(t)
        }
    };
    let stale = text(|_, current| {
        if current {
            String::new()
        } else {
            "stale".into()
        }
    });
    let capacity = note(|e, _| e.capacity.and_then(|c| c.warning()).unwrap_or_default());
    // The top of the autoscaling band (Fargate): every task the plan allows, all month.
    // Like the estimate, it stays the last valid plan's while the plan has problems.
    let ceiling = crate::reactive::memo(move |last: Option<&Option<shared::cost::Ceiling>>| {
        let options = shared::cost::Options {
            free_tier: p.free_tier.get(),
        };
        p.pricing.with(|sb| {
            p.valid.with(|v| match v {
                Some(v) => crate::state::with_book(sb, v.region.code(), |b| {
                    shared::cost::ceiling(v, b, options)
                }),
                None => last.copied().flatten(),
            })
        })
    });
    let unknown = note(|e, _| match e.unknown.len() {
        0 => String::new(),
        n => format!(
            "Lower bound: {} unknown for {} in the price book; the real total is higher (see the cost lines).",
            count(n, "price"),
            e.region
        ),
    });
    // Billed, but not in the total: said beside it, never a silent part of it.
    let not_in_total = note(|e, _| {
        let items = e.not_in_total();
        if items.is_empty() {
            String::new()
        } else {
            format!(
                "Not in this total, billed but not estimated: {} (see Not estimated, under the cost lines).",
                items.join(", ")
            )
        }
    });
    // The largest lines are markup, one string per estimate (sorting the lines once).
    let largest = crate::reactive::memo(move |_| {
        p.estimate.with(|e| {
            e.as_ref()
                .map(|(e, _)| crate::markup::cost_lines::largest(e, 5))
                .unwrap_or_default()
        })
    });
    let body = move || {
        view! {
            <div class="total-row" class:stale=move || !stale.with(String::is_empty)>
                <div>
                    <div class="total" data-testid="monthly-total">{text(|e, _| at_least(e.monthly_usd, e.lower_bound))}</div>
                    <div class="total-label">"per month, typical"</div>
                </div>
                <div class="range" data-testid="cost-range">
                    <span>{text(|e, _| format!("{} – {}", at_least(e.range.min, e.range.lower_bound), at_least(e.range.max, e.range.lower_bound)))}</span>
                    <span class="total-label">{move || if p.plan.with(|p| p.fargate().is_some()) {
                        "half – double the traffic, with the tasks each needs"
                    } else {
                        "half – double the traffic"
                    }}</span>
                    {move || ceiling.get().map(|c| view! {
                        <span class="total-label" data-testid="cost-ceiling">{format!(
                            "{} with all {} tasks running all month at double the traffic: the autoscaling maximum",
                            at_least(c.usd, c.lower_bound),
                            c.tasks
                        )}</span>
                    })}
                </div>
            </div>
            // These notes are read with the card, not announced: they come and go as the plan does,
            // and the total's paused sentence is what is said.
            {move || (!stale.with(String::is_empty)).then(|| view! { <p class="stale-note">"Showing the last valid plan's cost: fix the problems below to update it."</p> })}
            // Not a live region: its numbers change at each keystroke in the traffic fields; it
            // is read with the cost card.
            {move || capacity().map(|w| view! { <p class="capacity-note" data-testid="over-capacity-note">{w}</p> })}
            {move || unknown().map(|u| view! { <p class="unknown-note">{u}</p> })}
            {move || not_in_total().map(|u| view! { <p class="unknown-note" data-testid="not-in-total">{u}</p> })}
            <ol class="largest-lines" aria-label="Largest cost lines" inner_html=move || largest.get()></ol>
            {move || linked_book_note(p).map(|n| view! { <p class="unknown-note" data-testid="linked-book">{n}</p> })}
            <p class="book-note" data-testid="price-source">
                {text(|e, _| format!("{} lines · {} · {} h month", e.lines.len(),
                    book_words(e.price_book.origin, &e.price_book.version, &e.price_book.date),
                    shared::cost::HOURS))}
                // The live book's note is about its own region: after a region change it says
                // nothing until the new region's answer comes.
                {move || p.server_book.with(|b| b.as_ref().filter(|b| p.plan.with(|plan| plan.region.code() == b.region)).and_then(|b| {
                    let fetched = b.fetched_at.as_ref().map(|f| format!(" (fetched {f})")).unwrap_or_default();
                    b.note.clone().map(|n| format!(" · {n}{fetched}")).or_else(|| (!fetched.is_empty()).then_some(fetched))
                }))}
            </p>
        }
    };
    let has = move || p.estimate.with(Option::is_some);
    let spoken = spoken_total(p);
    view! {
        <section class="card cost" aria-labelledby="cost-title">
            <div class="card-head">
                <h2 id="cost-title">"Monthly cost"</h2>
                <label class="inline-toggle">
                    <input type="checkbox" prop:checked=move || p.free_tier.get() on:change=move |ev| p.free_tier.set(event_target_checked(&ev)) />
                    "Free tier"
                </label>
            </div>
            // Read out once the edits pause, not at every keystroke: the visible total changes
            // at each one.
            <p class="sr-only" aria-live="polite" data-testid="spoken-total">{spoken}</p>
            <Show when=has fallback=|| view! { <p class="empty">"Fix the plan's problems to see its cost."</p> }>
                {body()}
            </Show>
        </section>
    }
}

/// How long the total must stay the same before a screen reader hears it.
const SPEAK_AFTER: std::time::Duration = std::time::Duration::from_millis(1500);

/// What a screen reader last heard of the plan, or first settled on: the total (at the last
/// valid plan), the plan's errors and the first of them, and the capacity warning.
#[derive(Clone, Debug, Default, PartialEq)]
struct Heard {
    total: String,
    errors: usize,
    first_error: Option<String>,
    over: Option<String>,
}

/// The sentence a screen reader hears once the edits paused, if what it heard has changed:
/// "Monthly cost now $X, was $Y"; the plan's errors when they appear or change (their messages
/// sit at fields the user may have left, and the total stops following the plan); that the
/// plan is valid again; and the capacity warning when the traffic first goes beyond what the
/// plan can serve (the warning's own box is not a live region: its numbers change at each
/// keystroke), and when it is back within it.
fn sentence(now: &Heard, before: &Heard) -> Option<String> {
    let mut said = Vec::new();
    if now.errors > 0 {
        if (now.errors, &now.first_error) != (before.errors, &before.first_error) {
            let first = now
                .first_error
                .as_ref()
                .map(|f| format!(", the first at {f}"))
                .unwrap_or_default();
            said.push(format!(
                "{} in the plan{first}. The cost shown is the last valid plan's",
                if now.errors == 1 {
                    "1 error".to_string()
                } else {
                    format!("{} errors", now.errors)
                }
            ));
        }
        return (!said.is_empty()).then(|| said.join(". "));
    }
    if before.errors > 0 {
        said.push("The plan is valid again".to_string());
    }
    if now.total != before.total && !before.total.is_empty() {
        said.push(speak(&now.total, &before.total));
    } else if before.errors > 0 || now.total != before.total {
        said.push(format!("Monthly cost {}", words(&now.total)));
    }
    match (&now.over, &before.over) {
        (Some(warning), None) => said.push(warning.clone()),
        (None, Some(_)) => said.push("The plan can serve the traffic again".to_string()),
        _ => {}
    }
    (!said.is_empty()).then(|| said.join(". "))
}

fn spoken_total(p: crate::state::Planner) -> ReadSignal<String> {
    let (spoken, set_spoken) = signal(String::new());
    let heard = StoredValue::new(None::<Heard>);
    // A later change makes a pending sentence stand down.
    let pause = crate::reactive::Pause::new();
    crate::reactive::effect(move |_| {
        // A page that opens on an invalid plan has no total yet ("" here), and its errors are
        // still said.
        let (total, over) = p
            .estimate
            .with(|e| {
                e.as_ref().map(|(e, _)| {
                    (
                        at_least(e.monthly_usd, e.lower_bound),
                        e.capacity.and_then(|c| c.warning()),
                    )
                })
            })
            .unwrap_or_default();
        let (errors, first_error) = p.problems.with(|problems| {
            let mut errors = problems
                .iter()
                .filter(|p| p.severity == shared::Severity::Error);
            let first = errors.next().map(|p| format!("{}: {}", p.path, p.message));
            (usize::from(first.is_some()) + errors.count(), first)
        });
        let now = Heard {
            total,
            errors,
            first_error,
            over,
        };
        pause.then(SPEAK_AFTER, move || {
            // What first settles (the page's prices may still arrive after the first render)
            // is read with the page, not announced.
            if let Some(sentence) = heard.get_value().and_then(|before| sentence(&now, &before)) {
                set_spoken.set(sentence);
            }
            heard.set_value(Some(now));
        });
    });
    spoken
}

/// A total as said: "+" reads as "plus", so it says what it means.
fn words(total: &str) -> String {
    match total.strip_suffix('+') {
        Some(t) => format!("at least {t}"),
        None => total.to_string(),
    }
}

fn speak(total: &str, before: &str) -> String {
    format!("Monthly cost now {}, was {}", words(total), words(before))
}

/// A price book in words: the embedded one by version and date, a live one by its date.
fn book_words(origin: shared::cost::Origin, version: &str, date: &str) -> String {
    match origin {
        shared::cost::Origin::Embedded => format!("embedded price book {version} of {date}"),
        shared::cost::Origin::Live => format!("live AWS prices published {date}"),
    }
}

/// When the share link the page opened was priced with another book than the page's, while
/// the page shows the link's plan.
fn linked_book_note(p: crate::state::Planner) -> Option<String> {
    p.linked_book.with(|linked| {
        let (plan, version, date) = linked.as_ref()?;
        if !p.plan.with(|current| current == plan) {
            return None;
        }
        p.estimate.with(|e| {
            let (e, _) = e.as_ref()?;
            // A link records only the book's version and date; a live book's version says so.
            let origin = if version.starts_with("live-") {
                shared::cost::Origin::Live
            } else {
                shared::cost::Origin::Embedded
            };
            (e.price_book.version != *version).then(|| {
                format!(
                    "This link was priced with {}; this page prices it with {}, so its figures may differ from the sharer's.",
                    book_words(origin, version, date),
                    book_words(e.price_book.origin, &e.price_book.version, &e.price_book.date)
                )
            })
        })
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn spoken_totals() {
        assert_eq!(
            super::speak("$210.40", "$207.32"),
            "Monthly cost now $210.40, was $207.32"
        );
        assert_eq!(
            super::speak("$228.73+", "$207.32"),
            "Monthly cost now at least $228.73, was $207.32"
        );
    }

    /// Errors are said when they appear or change, and once they are gone; the capacity
    /// warning when the traffic first goes beyond the plan and when it is back within it.
    #[test]
    fn what_a_screen_reader_hears_after_a_pause() {
        use super::{Heard, sentence};
        let at = |total: &str| Heard {
            total: total.into(),
            ..Heard::default()
        };
        let valid = at("$207.02");
        assert_eq!(sentence(&valid, &valid), None);
        assert_eq!(
            sentence(&at("$210.40"), &valid).as_deref(),
            Some("Monthly cost now $210.40, was $207.02")
        );
        let broken = Heard {
            errors: 2,
            first_error: Some("fargate.min_tasks: 20 is above the maximum".into()),
            ..valid.clone()
        };
        assert_eq!(
            sentence(&broken, &valid).as_deref(),
            Some(
                "2 errors in the plan, the first at fargate.min_tasks: 20 is above the maximum. The cost shown is the last valid plan's"
            )
        );
        assert_eq!(
            sentence(&broken, &broken),
            None,
            "the same errors: nothing new"
        );
        let one = Heard {
            errors: 1,
            ..broken.clone()
        };
        assert!(
            sentence(&one, &broken)
                .unwrap()
                .starts_with("1 error in the plan, the first at")
        );
        assert_eq!(
            sentence(&valid, &broken).as_deref(),
            Some("The plan is valid again. Monthly cost $207.02")
        );
        assert_eq!(
            sentence(&at("$300.00+"), &broken).as_deref(),
            Some("The plan is valid again. Monthly cost now at least $300.00, was $207.02")
        );
        let over = Heard {
            over: Some("Over capacity: 33 tasks".into()),
            ..at("$400.00")
        };
        assert_eq!(
            sentence(&over, &valid).as_deref(),
            Some("Monthly cost now $400.00, was $207.02. Over capacity: 33 tasks")
        );
        let still = Heard {
            over: Some("Over capacity: 40 tasks".into()),
            ..at("$450.00")
        };
        assert_eq!(
            sentence(&still, &over).as_deref(),
            Some("Monthly cost now $450.00, was $400.00"),
            "said once, not at each pause"
        );
        // A page opened on an invalid plan had no total: the first one is said as it is.
        let opened_broken = Heard {
            total: String::new(),
            ..broken.clone()
        };
        assert_eq!(
            sentence(&valid, &opened_broken).as_deref(),
            Some("The plan is valid again. Monthly cost $207.02")
        );
        assert_eq!(
            sentence(&valid, &still).as_deref(),
            Some("Monthly cost now $207.02, was $450.00. The plan can serve the traffic again")
        );
    }

    #[test]
    fn money_format() {
        assert_eq!(super::money(1234.5), "$1,234.50");
        assert_eq!(super::money(0.999), "$1.00");
    }
}
