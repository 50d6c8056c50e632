//! The line builder: quantities times the book's prices (tiered where AWS tiers), with the
//! formula in words; a price the book lacks makes the line unknown, never $0.

use std::collections::BTreeMap;

use super::{Line, NotEstimated, PriceBook};
use crate::decimal::{Fixed, Plain};

/// Builds lines against a price book, collecting unknown prices.
pub(crate) struct Pricer<'b> {
    book: &'b PriceBook,
    region: &'static str,
    pub lines: Vec<Line>,
    pub unknown: Vec<String>,
    pub not_estimated: Vec<NotEstimated>,
    /// What is left of each free allowance (by book key) that several lines share.
    allowances: BTreeMap<&'static str, f64>,
    /// What the lines say besides their numbers.
    words: Words,
}

/// What a pricer's lines say besides their numbers: the comparison prices each architecture at
/// some 80 points and up to 22 more to find a crossing, and reads only the totals, then which
/// prices are unknown near the crossing.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Words {
    /// Names, formulas and unknown prices: an estimate.
    All,
    /// Names and the messages of unknown prices, no formulas (the comparison's unknowns).
    Unknowns,
    /// Numbers only: no names, formulas or messages (the comparison's curve).
    None,
}

/// Formats a quantity for formulas: thousands separators, at most 4 significant decimals.
pub fn fmt_qty(q: f64) -> String {
    // Four decimals at any size, so that a line's quantity times its unit price is its amount
    // as shown (182.5 vCPU-hours, not 183); past 1e11 (requests, bytes) only whole units.
    let rounded = if q.abs() >= 1e11 {
        q.round()
    } else {
        (q * 10_000.0).round() / 10_000.0
    };
    group_digits(&Plain(rounded).to_string())
}

/// A decimal number's text with its whole part in groups of three: `-1234567.5` →
/// `-1,234,567.5`, `+1234.00` → `+1,234.00`.
pub fn group_digits(text: &str) -> String {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let (sign, digits) = match int.as_bytes().first() {
        Some(b'-' | b'+') => int.split_at(1),
        _ => ("", int),
    };
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// The whole cents of `usd`, rounded as by hand: half a cent away from zero, on the decimal
/// amount the float stands for. A product of book prices lands a hair off its half cent in
/// binary (5 GB × $0.045 is 0.22499999999999998, 10 × $0.1415 is 1.4149999999999998), so the
/// amount is first taken to the nearest billionth of a dollar (far finer than any price in
/// the book, far coarser than the float's error), then to the cent: $0.23 and $1.42, as a
/// user's calculator says, not the float's $0.22 and $1.41. Every line's amount is rounded so
/// ([`super::round_cents`]), and every amount written ([`fmt_usd`]).
pub fn whole_cents(usd: f64) -> f64 {
    if !usd.is_finite() || usd.abs() >= 1e12 {
        // Past where billionths and cents stay exact in an f64 (no plan comes near).
        return (usd * 100.0).round();
    }
    // Whole billionths are exact in an f64 below 2^53, and a half cent of them divided by 1e7
    // is exactly k + 0.5, which `round` takes away from zero; anything else is at least 1e-7
    // from a half. (In floats: u128 arithmetic would cost the browser 2 KB of code.)
    ((usd.abs() * 1e9).round() / 1e7).round().copysign(usd)
}

/// An amount of dollars to the cent, its whole dollars grouped: `$1,234.56` (`-$5.00` below
/// zero), rounded by [`whole_cents`].
pub fn fmt_usd(v: f64) -> String {
    let (below_zero, text) = usd_parts(v);
    format!("{}${text}", if below_zero { "-" } else { "" })
}

/// A change of dollars with its sign, rounded as [`fmt_usd`] rounds: `+$1,234.50`, `-$0.23`;
/// a change that rounds to nothing is `+$0.00`. The CLI writes it without the `$`, the planner
/// with a minus sign for the hyphen; the sign is decided here only.
pub fn fmt_usd_signed(v: f64) -> String {
    let (below_zero, text) = usd_parts(v);
    format!("{}${text}", if below_zero { "-" } else { "+" })
}

/// Whether `v` is written below zero (negative and not $0.00 once rounded), and its digits.
fn usd_parts(v: f64) -> (bool, String) {
    if !v.is_finite() || v.abs() >= 1e12 {
        // The float's own digits (no plan comes near).
        return (v < 0.0, group_digits(&Fixed::<2>(v.abs()).to_string()));
    }
    let cents = whole_cents(v.abs()) as u64;
    let text = group_digits(&format!("{}.{:02}", cents / 100, cents % 100));
    (v < 0.0 && cents != 0, text)
}

/// A unit as one of it, for "per …": `hours` → `hour`, `GB-months` → `GB-month`; a count of
/// requests or a plain unit stays as it is (`1M requests`, `GB`).
pub(super) fn one(unit: &str) -> &str {
    if ["hours", "months", "seconds"]
        .iter()
        .any(|u| unit.ends_with(u))
    {
        unit.strip_suffix('s').unwrap_or(unit)
    } else {
        unit
    }
}

/// Formats a unit price: to the cent at least, and enough decimals to show it exactly. The book's prices have at most
/// 10 decimals; an effective rate of tiers (a total divided by a quantity) is rounded to 12,
/// so that float noise (3.7000000000000006) is not shown as a price.
pub fn fmt_usd_rate(usd: f64) -> String {
    let text = Fixed::<12>(usd).to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    // To the cent at least, as a price is written ($0.20, not $0.2); finer only as the price is.
    format!("${whole}.{:0<2}", fraction.trim_end_matches('0'))
}

impl<'b> Pricer<'b> {
    pub fn new(book: &'b PriceBook, region: &'static str) -> Self {
        Pricer {
            book,
            region,
            lines: Vec::new(),
            unknown: Vec::new(),
            not_estimated: Vec::new(),
            allowances: BTreeMap::new(),
            words: Words::All,
        }
    }

    /// A pricer whose lines carry the same numbers and no words.
    pub fn numbers_only(book: &'b PriceBook, region: &'static str) -> Self {
        Pricer {
            words: Words::None,
            ..Pricer::new(book, region)
        }
    }

    /// A pricer whose lines carry the same numbers and names, and which says what each
    /// unknown price is, word for word as an estimate says it, without the lines' formulas.
    pub fn unknowns_only(book: &'b PriceBook, region: &'static str) -> Self {
        Pricer {
            words: Words::Unknowns,
            ..Pricer::new(book, region)
        }
    }

    /// Whether lines carry formulas (not [`Pricer::numbers_only`] nor
    /// [`Pricer::unknowns_only`]): a note worth formatting.
    pub(crate) fn wants_words(&self) -> bool {
        self.words == Words::All
    }

    /// Whether the messages of unknown prices are wanted (a note that goes into one is worth
    /// formatting).
    pub(crate) fn says_unknowns(&self) -> bool {
        self.words != Words::None
    }

    /// A line's name, service or unit, which numbers-only lines leave empty (no one reads
    /// them: only their amounts are summed).
    fn word(&self, text: &str) -> String {
        if self.words == Words::None {
            String::new()
        } else {
            text.to_owned()
        }
    }

    /// Says that the book has no price for `service`'s `item`, and why when the book's source
    /// said (a live price it withheld: returned as ": {reason}", else empty, for the line's
    /// formula); `note` says what is known of it (Spot's floor).
    fn unknown_price(
        &mut self,
        service: &str,
        item: &str,
        unit: &str,
        key: &str,
        note: Option<&str>,
    ) -> String {
        let why = self
            .book
            .withheld(key, self.region)
            .map_or_else(String::new, |why| format!(": {why}"));
        self.unknown.push(format!(
            "{service} {item}: the price book has no price per {} in {} (book key {key}){why}{}",
            one(unit),
            self.region,
            note.map_or_else(String::new, |n| format!(". {n}"))
        ));
        why
    }

    pub fn price(&self, key: &str) -> Option<f64> {
        self.book.get(key, self.region).map(|p| p.usd)
    }

    /// `true` when the book's row for `key` here is derived from other rows, not read.
    fn derived(&self, key: &str) -> bool {
        self.book.get(key, self.region).is_some_and(|p| p.derived)
    }

    /// Takes up to `wanted` from the free allowance `key` (a book fact, shared by every line
    /// that draws on it, in the order they ask); returns what was taken. With `enabled` off
    /// (the free tier switched off) nothing is free.
    pub fn take_free(&mut self, key: &'static str, wanted: f64, enabled: bool) -> f64 {
        if !enabled {
            return 0.0;
        }
        let total = self.price(key).unwrap_or(0.0);
        let left = self.allowances.entry(key).or_insert(total);
        // As `wanted.clamp(0.0, *left)` (`left` is never below 0), without the assertion
        // whose message would bring Rust's float formatter into the wasm (`decimal::Plain`).
        let taken = if wanted < 0.0 {
            0.0
        } else if wanted > *left {
            *left
        } else {
            wanted
        };
        *left -= taken;
        taken
    }

    /// A price from another region, for a deliberate, stated fallback.
    pub fn book_price_in(&self, key: &str, region: &str) -> Option<f64> {
        self.book.get(key, region).map(|p| p.usd)
    }

    /// A line of `quantity` × the price of `key`; `explain` says how the quantity was found. It
    /// is called only when the line's formula is wanted ([`Pricer::wants_words`]). A
    /// `&dyn Fn`, not a generic: one copy of the pricing code, not one per call site.
    pub fn add(
        &mut self,
        service: &str,
        item: &str,
        quantity: f64,
        unit: &str,
        key: &str,
        explain: &dyn Fn() -> String,
    ) {
        let price = self.book.get(key, self.region).map(|p| p.usd);
        self.push(service, item, quantity, unit, price, key, explain, None);
    }

    /// Like [`Pricer::add`] with a price already looked up (tiers, fallbacks); `note` is added
    /// to the formula.
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        service: &str,
        item: &str,
        quantity: f64,
        unit: &str,
        price: Option<f64>,
        key: &str,
        explain: &dyn Fn() -> String,
        note: Option<&str>,
    ) {
        // Nothing billable costs nothing, whether or not the book knows the price.
        let monthly = price
            .map(|p| quantity * p)
            .or((quantity == 0.0).then_some(0.0));
        let (formula, derived) = if self.words != Words::All {
            if price.is_none() && quantity != 0.0 && self.says_unknowns() {
                self.unknown_price(service, item, unit, key, note);
            }
            (String::new(), false)
        } else {
            let explain = explain();
            let formula = match price {
                Some(p) => format!(
                    "{explain} = {} {unit} × {} per {}",
                    fmt_qty(quantity),
                    fmt_usd_rate(p),
                    one(unit)
                ),
                None if quantity == 0.0 => format!(
                    "{explain} = 0 {unit}: nothing billable; the book has no price per {} in {} (book key {key})",
                    one(unit),
                    self.region
                ),
                None => {
                    let why = self.unknown_price(service, item, unit, key, note);
                    format!(
                        "{explain} = {} {unit} × unknown price (the book has none per {} in {}{why})",
                        fmt_qty(quantity),
                        one(unit),
                        self.region,
                    )
                }
            };
            let formula = match note {
                Some(n) => format!("{formula}. {n}"),
                None => formula,
            };
            (formula, price.is_some() && self.derived(key))
        };
        self.lines.push(Line {
            service: self.word(service),
            item: self.word(item),
            quantity,
            unit: self.word(unit),
            unit_usd: price,
            monthly_usd: monthly,
            formula,
            derived,
        });
    }

    /// A billable quantity no price can be put on, for `reason` (not a price the book lacks:
    /// a billing rule AWS leaves open). The line is unknown, so the total says "at least".
    pub fn unpriced(
        &mut self,
        service: &str,
        item: &str,
        quantity: f64,
        unit: &str,
        explain: &dyn Fn() -> String,
        reason: &str,
    ) {
        if self.says_unknowns() {
            self.unknown.push(format!("{service} {item}: {reason}"));
        }
        let formula = if self.wants_words() {
            format!(
                "{} = {} {unit} × no price: {reason}",
                explain(),
                fmt_qty(quantity)
            )
        } else {
            String::new()
        };
        self.lines.push(Line {
            service: self.word(service),
            item: self.word(item),
            quantity,
            unit: self.word(unit),
            unit_usd: None,
            monthly_usd: None,
            formula,
            derived: false,
        });
    }

    /// Prices `quantity` across tiers `[(tier size, key)]` (the last tier unbounded); one line.
    #[allow(clippy::too_many_arguments)]
    pub fn tiered(
        &mut self,
        service: &str,
        item: &str,
        quantity: f64,
        unit: &str,
        tiers: &[(f64, &str)],
        explain: &dyn Fn() -> String,
    ) {
        let mut left = quantity;
        let mut total = 0.0;
        let mut parts = Vec::new();
        let mut missing = None;
        let mut derived_tier = None;
        for (i, (size, key)) in tiers.iter().enumerate() {
            if left <= 0.0 {
                break;
            }
            let last = i + 1 == tiers.len();
            let here = if last { left } else { left.min(*size) };
            match self.price(key) {
                Some(p) => {
                    if self.derived(key) {
                        derived_tier = Some(*key);
                    }
                    total += here * p;
                    parts.push(if !self.wants_words() {
                        String::new()
                    } else {
                        format!("{} × {}", fmt_qty(here), fmt_usd_rate(p))
                    });
                }
                None => {
                    missing = Some(*key);
                    break;
                }
            }
            left -= here;
        }
        let priced = quantity - left;
        let key = derived_tier.unwrap_or(tiers[0].1);
        let note = (parts.len() > 1 && self.wants_words())
            .then(|| format!("Tiered: {}", parts.join(" + ")));
        match missing {
            // One tier (or nothing billed): its own rate; several: the effective rate.
            None => {
                let price = if parts.len() > 1 {
                    Some(total / quantity)
                } else {
                    self.price(tiers[0].1)
                };
                self.push(
                    service,
                    item,
                    quantity,
                    unit,
                    price,
                    key,
                    explain,
                    note.as_deref(),
                );
            }
            // Not even the first tier is priced: one unknown line.
            Some(missing) if priced <= 0.0 => {
                self.push(service, item, quantity, unit, None, missing, explain, None);
            }
            // The tiers the book prices make a known line; the rest is unknown, so the total
            // stays a true lower bound instead of dropping the whole line.
            Some(missing) => {
                self.push(
                    service,
                    item,
                    priced,
                    unit,
                    Some(total / priced),
                    key,
                    &|| format!("{}; the tiers the book prices", explain()),
                    note.as_deref(),
                );
                self.push(
                    service,
                    &format!("{item} (beyond the priced tiers)"),
                    left,
                    unit,
                    None,
                    missing,
                    &|| {
                        format!(
                            "{} {unit} billed − {} {unit} in the tiers the book prices",
                            fmt_qty(quantity),
                            fmt_qty(priced)
                        )
                    },
                    None,
                );
            }
        }
    }

    /// Something the estimate leaves out that costs nothing here: free within its allowance,
    /// or billed elsewhere (an image in another registry).
    pub fn not_estimated(&mut self, service: &str, item: &str, reason: &str) {
        self.left_out(service, item, reason, false);
    }

    /// Something billed for this plan that the estimate cannot price (no price in the book, or
    /// no volume to price): said beside the total, which does not include it.
    pub fn not_priced(&mut self, service: &str, item: &str, reason: &str) {
        self.left_out(service, item, reason, true);
    }

    fn left_out(&mut self, service: &str, item: &str, reason: &str, billed: bool) {
        self.not_estimated.push(NotEstimated {
            service: service.into(),
            item: item.into(),
            reason: reason.into(),
            billed,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::{fmt_usd, fmt_usd_signed, group_digits};

    #[test]
    fn a_change_is_signed_once_rounded() {
        for (v, text) in [
            (1234.5, "+$1,234.50"),
            (-0.225, "-$0.23"),
            (5.0 * 0.045, "+$0.23"),
            (0.0, "+$0.00"),
            (-0.0, "+$0.00"),
            (-0.004_999, "+$0.00"),
            (-0.005, "-$0.01"),
            (-2.5e12, "-$2,500,000,000,000.00"),
            (2.5e12, "+$2,500,000,000,000.00"),
        ] {
            assert_eq!(fmt_usd_signed(v), text, "{v}");
            // The same digits as the amount's, and the same sign below zero.
            assert_eq!(fmt_usd_signed(v)[1..], fmt_usd(v.abs())[..], "{v}");
            assert_eq!(
                fmt_usd_signed(v).starts_with('-'),
                fmt_usd(v).starts_with('-'),
                "{v}"
            );
        }
    }

    #[test]
    fn dollars_are_grouped_by_thousands_and_rounded_as_by_hand() {
        for (v, text) in [
            (0.0, "$0.00"),
            (0.004, "$0.00"),
            (-0.001, "$0.00"),
            (207.02, "$207.02"),
            (999.995, "$1,000.00"),
            (1234.5, "$1,234.50"),
            (1_234_567.891, "$1,234,567.89"),
            (-5.0, "-$5.00"),
            (-12_345.0, "-$12,345.00"),
            (-0.005, "-$0.01"),
            // Products of book prices at a half cent, a hair below it in binary.
            (5.0 * 0.045, "$0.23"),
            (10.0 * 0.1415, "$1.42"),
            (10.0 * 0.1425, "$1.43"),
            (1.005, "$1.01"),
            // Not a half cent: as `{:.2}`.
            (0.224_999_99, "$0.22"),
            (f64::INFINITY, "$inf"),
            (1e16, "$10,000,000,000,000,000.00"),
            (-2.5e12, "-$2,500,000,000,000.00"),
        ] {
            assert_eq!(fmt_usd(v), text, "{v}");
        }
        // Across every thousands boundary up to $2,000: grouping never changes a digit, a
        // half cent rounds up, and an amount off the half cent rounds as `{:.2}` does.
        for cents in 0..200_000u32 {
            let at_half = f64::from(cents) / 100.0 + 0.005;
            let up = format!("{}.{:02}", (cents + 1) / 100, (cents + 1) % 100);
            assert_eq!(fmt_usd(at_half).replace([',', '$'], ""), up, "{at_half}");
            for off in [0.001, 0.0049, 0.0051, 0.009] {
                let v = f64::from(cents) / 100.0 + off;
                assert_eq!(fmt_usd(v).replace([',', '$'], ""), format!("{v:.2}"), "{v}");
            }
        }
        for (text, grouped) in [
            ("+1234.56", "+1,234.56"),
            ("-1234567", "-1,234,567"),
            ("123", "123"),
            ("0.5", "0.5"),
        ] {
            assert_eq!(group_digits(text), grouped);
        }
    }
}
