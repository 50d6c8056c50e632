//! The cost of a change: two estimates of the same stack (the deployed plan and the new one),
//! line by line and in total.

use serde::{Deserialize, Serialize};

use super::{Estimate, round_cents};

/// One line that differs between the two estimates (or exists in only one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LineChange {
    pub service: String,
    pub item: String,
    /// `None`: no such line before, or its price is unknown (see `before_unknown`).
    pub before_usd: Option<f64>,
    pub after_usd: Option<f64>,
    /// The line exists and its price is unknown.
    pub before_unknown: bool,
    pub after_unknown: bool,
}

impl LineChange {
    /// The monthly difference, when both sides are known.
    pub fn delta(&self) -> Option<f64> {
        if self.before_unknown || self.after_unknown {
            return None;
        }
        Some(round_cents(
            self.after_usd.unwrap_or(0.0) - self.before_usd.unwrap_or(0.0),
        ))
    }
}

/// What a change does to the monthly cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    pub before_usd: f64,
    pub after_usd: f64,
    /// `after − before` of the known lines.
    pub delta_usd: f64,
    /// The deployed plan's total is a lower bound (some price unknown).
    pub before_lower_bound: bool,
    /// The new plan's total is a lower bound.
    pub after_lower_bound: bool,
    /// How far `delta_usd` can be trusted. An unknown line billed the same on both sides
    /// cancels out; the others decide.
    pub change_bound: super::Bound,
    /// Only the lines that change, in the new estimate's order, then removed lines.
    pub lines: Vec<LineChange>,
}

/// Compares the estimate of the deployed plan with the new plan's.
pub fn difference(before: &Estimate, after: &Estimate) -> Difference {
    let key = |l: &super::Line| (l.service.clone(), l.item.clone());
    let mut lines = Vec::new();
    for a in &after.lines {
        let b = before.lines.iter().find(|b| key(b) == key(a));
        let change = LineChange {
            service: a.service.clone(),
            item: a.item.clone(),
            before_usd: b.and_then(|b| b.monthly_usd),
            after_usd: a.monthly_usd,
            before_unknown: b.is_some_and(|b| b.monthly_usd.is_none()),
            after_unknown: a.monthly_usd.is_none(),
        };
        // Two unknown prices are "the same" only if nothing billed changed either.
        let same = b.is_some_and(|b| {
            b.monthly_usd == a.monthly_usd && (a.monthly_usd.is_some() || b.quantity == a.quantity)
        });
        if !same && change.delta() != Some(0.0) {
            lines.push(change);
        }
    }
    for b in &before.lines {
        if !after.lines.iter().any(|a| key(a) == key(b)) && b.monthly_usd != Some(0.0) {
            lines.push(LineChange {
                service: b.service.clone(),
                item: b.item.clone(),
                before_usd: b.monthly_usd,
                after_usd: None,
                before_unknown: b.monthly_usd.is_none(),
                after_unknown: false,
            });
        }
    }
    Difference {
        before_usd: before.monthly_usd,
        after_usd: after.monthly_usd,
        delta_usd: round_cents(after.monthly_usd - before.monthly_usd),
        before_lower_bound: before.lower_bound,
        after_lower_bound: after.lower_bound,
        change_bound: change_bound(before, after),
        lines,
    }
}

/// Unknown prices only in the new plan make the real change larger ("at least"), only in the
/// deployed one smaller ("at most"); in both, it cannot be told. An unknown line with the same
/// item and quantity on both sides costs the same on both, so it does not count.
fn change_bound(before: &Estimate, after: &Estimate) -> super::Bound {
    let open = |this: &Estimate, other: &Estimate| {
        this.lines.iter().any(|l| {
            l.monthly_usd.is_none()
                && !other.lines.iter().any(|o| {
                    o.monthly_usd.is_none()
                        && o.service == l.service
                        && o.item == l.item
                        && o.quantity == l.quantity
                })
        })
    };
    match (open(before, after), open(after, before)) {
        (false, false) => super::Bound::Exact,
        (false, true) => super::Bound::AtLeast,
        (true, false) => super::Bound::AtMost,
        (true, true) => super::Bound::Withheld,
    }
}
