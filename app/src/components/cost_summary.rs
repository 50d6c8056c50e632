//! The monthly total, its range and the largest lines.

use leptos::prelude::*;

use crate::state::use_planner;

pub fn money(v: f64) -> String {
    let whole = v.trunc() as u64;
    let cents = ((v - v.trunc()) * 100.0).round() as u64;
    let (whole, cents) = if cents == 100 {
        (whole + 1, 0)
    } else {
        (whole, cents)
    };
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("${grouped}.{cents:02}")
}

/// An amount with "+" when it is only a lower bound (some price unknown).
pub fn at_least(usd: f64, lower_bound: bool) -> String {
    if lower_bound {
        format!("{}+", money(usd))
    } else {
        money(usd)
    }
}

/// A change of an amount: "+$1.00" or "−$1.00".
pub fn signed(usd: f64) -> String {
    format!("{}{}", if usd < 0.0 { "−" } else { "+" }, money(usd.abs()))
}

#[component]
pub fn CostSummary() -> impl IntoView {
    let p = use_planner();
    let body = move || {
        p.estimate.with(|e| {
            let Some((e, current)) = e else {
                return view! { <p class="empty">"Fix the plan's problems to see its cost."</p> }.into_any();
            };
            let top = e.largest_lines(5);
            let max = top.first().and_then(|l| l.monthly_usd).unwrap_or(1.0).max(0.01);
            let lines = top
                .into_iter()
                .map(|l| {
                    let v = l.monthly_usd.unwrap_or(0.0);
                    let width = format!("width: {:.1}%", v / max * 100.0);
                    view! {
                        <li>
                            <span class="line-name" title=l.formula.clone()>{format!("{}: {}", l.service, l.item)}</span>
                            <span class="bar" aria-hidden="true"><span style=width></span></span>
                            <span class="line-usd">{money(v)}</span>
                        </li>
                    }
                })
                .collect_view();
            let unknown = e.unknown.len();
            view! {
                <div class="total-row" class:stale=!*current>
                    <div>
                        <div class="total" data-testid="monthly-total">{at_least(e.monthly_usd, e.lower_bound)}</div>
                        <div class="total-label">"per month, typical"</div>
                    </div>
                    <div class="range" data-testid="cost-range">
                        <span>{format!("{} – {}", money(e.range.min), at_least(e.range.max, e.range.lower_bound))}</span>
                        <span class="total-label">"half – double the traffic, with the tasks each needs"</span>
                    </div>
                </div>
                {(!*current).then(|| view! { <p class="stale-note" role="status">"Showing the last valid plan's cost: fix the problems below to update it."</p> })}
                {e.capacity.and_then(|c| c.warning()).map(|w| view! { <p class="capacity-note" role="status" data-testid="over-capacity-note">{w}</p> })}
                {(unknown > 0).then(|| view! {
                    <p class="unknown-note" role="status">
                        {format!("Lower bound: {unknown} price(s) unknown for {} in the price book; the real total is higher (see the cost lines).", e.region)}
                    </p>
                })}
                <ol class="largest-lines" aria-label="Largest cost lines">{lines}</ol>
                <p class="book-note" data-testid="price-source">
                    {format!("{} lines · {} · {} h month", e.lines.len(), match e.price_book.origin {
                            shared::cost::Origin::Embedded => format!("embedded price book {} of {}", e.price_book.version, e.price_book.date),
                            shared::cost::Origin::Live => format!("live AWS prices published {}", e.price_book.date),
                        },
                        shared::cost::HOURS_PER_MONTH)}
                    {move || p.server_book.with(|b| b.as_ref().and_then(|b| {
                        let fetched = b.fetched_at.as_ref().map(|f| format!(" (fetched {f})")).unwrap_or_default();
                        b.note.clone().map(|n| format!(" · {n}{fetched}")).or_else(|| (!fetched.is_empty()).then_some(fetched))
                    }))}
                </p>
            }
            .into_any()
        })
    };
    view! {
        <section class="card cost" aria-labelledby="cost-title">
            <div class="card-head">
                <h2 id="cost-title">"Monthly cost"</h2>
                <label class="inline-toggle">
                    <input type="checkbox" prop:checked=move || p.free_tier.get() on:change=move |ev| p.free_tier.set(event_target_checked(&ev)) />
                    "Free tier"
                </label>
            </div>
            {body}
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn money_format() {
        assert_eq!(super::money(1234.5), "$1,234.50");
        assert_eq!(super::money(0.999), "$1.00");
    }
}
