//! What the CLI prints for people: tables of estimates, comparisons and price differences.

use shared::cost::{self, Estimate, PriceBook, fmt_qty, fmt_usd, fmt_usd_rate};

/// A table for terminals, like infracost's.
/// `ceiling`: the top of a Fargate plan's autoscaling band ([`cost::ceiling`]).
pub fn render_estimate(e: &Estimate, ceiling: Option<cost::Ceiling>) -> String {
    let mut out = String::new();
    let money = |v: Option<f64>| v.map(fmt_usd).unwrap_or_else(|| "unknown".into());
    out.push_str(&format!(
        "{} in {} — price book {} ({}, {:?})\n\n",
        e.architecture, e.region, e.price_book.version, e.price_book.date, e.price_book.origin
    ));
    // As wide as the widest quantity (four decimals of a billion GB-seconds are 18 wide).
    let qty_w = e
        .lines
        .iter()
        .map(|l| fmt_qty(l.quantity).chars().count())
        .max()
        .unwrap_or(0)
        .max(16);
    out.push_str(&format!(
        "{:<44} {:>qty_w$} {:<12} {:>14} {:>11}\n",
        "Item", "Quantity", "Unit", "Unit price", "Monthly"
    ));
    // A sum that left out an unknown price is marked as at least that much.
    let plus = |unknown: bool| if unknown { "+" } else { "" };
    for (service, subtotal, lines) in e.by_service() {
        let unknown = lines.iter().any(|l| l.monthly_usd.is_none());
        out.push_str(&format!(
            "{service}  ({}{})\n",
            fmt_usd(subtotal),
            plus(unknown)
        ));
        for l in lines {
            let unit_price = l
                .unit_usd
                // A derived price is marked, as the planner's badge marks it, the others
                // padded, so the column lines up.
                .map(|usd| format!("{}{}", fmt_usd_rate(usd), if l.derived { "*" } else { " " }))
                .unwrap_or_else(|| "unknown ".into());
            out.push_str(&format!(
                "  {:<42} {:>qty_w$} {:<12} {:>14} {:>11}\n",
                l.item,
                fmt_qty(l.quantity),
                l.unit,
                unit_price,
                money(l.monthly_usd)
            ));
            // No silent $0: a line that costs nothing says why (a free allowance, nothing
            // left over), as the planner's line does.
            if l.monthly_usd == Some(0.0) {
                out.push_str(&format!("      ({})\n", l.formula));
            }
        }
    }
    let bound = if e.lower_bound {
        " (lower bound: some prices unknown)"
    } else {
        ""
    };
    out.push_str(&format!(
        "\nMonthly total: {}{}{bound}   range {}{} – {}{}\n",
        fmt_usd(e.monthly_usd),
        plus(e.lower_bound),
        fmt_usd(e.range.min),
        plus(e.range.lower_bound),
        fmt_usd(e.range.max),
        plus(e.range.lower_bound)
    ));
    if e.lines.iter().any(|l| l.derived && l.unit_usd.is_some()) {
        out.push_str(
            "* derived price: not read as a unit price from this region's price list, but worked out from other figures, by a rule the price book states (such as Multi-AZ = 2 × Single-AZ, or a price found equal in every region checked) or from a monthly figure ÷ 730 hours\n",
        );
    }
    let left_out = e.not_in_total();
    if !left_out.is_empty() {
        out.push_str(&format!(
            "Not in the total (billed, not estimated): {}\n",
            left_out.join(", ")
        ));
    }
    if let Some(c) = ceiling {
        out.push_str(&format!(
            "Autoscaling maximum: {}{} with all {} tasks running all month at double the traffic\n",
            fmt_usd(c.usd),
            plus(c.lower_bound),
            c.tasks
        ));
    }
    if !e.unknown.is_empty() {
        out.push_str("\nUnknown prices:\n");
        for u in &e.unknown {
            out.push_str(&format!("  - {u}\n"));
        }
    }
    if !e.not_estimated.is_empty() {
        out.push_str("\nNot estimated:\n");
        for n in &e.not_estimated {
            out.push_str(&format!("  - {} {}: {}\n", n.service, n.item, n.reason));
        }
    }
    out.push_str("\nAssumptions:\n");
    for a in &e.assumptions {
        out.push_str(&format!("  - {a}\n"));
    }
    out
}

/// The comparison of both architectures, with the break-even and the assumptions.
pub fn render_comparison(c: &cost::Comparison) -> String {
    let total = |e: &cost::Estimate| {
        format!(
            "{}{}",
            fmt_usd(e.monthly_usd),
            if e.lower_bound {
                " or more (some prices unknown)"
            } else {
                ""
            }
        )
    };
    let mut out = String::new();
    let (fargate, lambda) = (total(&c.fargate), total(&c.lambda));
    // As wide as its widest cell, so the last column lines up.
    let head = "monthly (typical)";
    let w = [head, &fargate, &lambda]
        .map(str::len)
        .into_iter()
        .max()
        .unwrap_or(0);
    out.push_str(&format!("{:<10} {head:>w$}   largest line\n", ""));
    out.push_str(&format!(
        "{:<10} {fargate:>w$}   {}\n",
        "Fargate", c.dominant.fargate
    ));
    out.push_str(&format!(
        "{:<10} {lambda:>w$}   {}\n",
        "Lambda", c.dominant.lambda
    ));
    match (c.break_even_requests_per_month, &c.cheaper_above_break_even) {
        (Some(r), Some(cheaper)) => out.push_str(&format!(
            "\nBreak-even: {}{} requests/month; above it {} is cheaper.\n",
            match c.break_even_bound {
                cost::Bound::Exact => "",
                cost::Bound::AtLeast => "at least ",
                cost::Bound::AtMost => "at most ",
                cost::Bound::Withheld => "",
            },
            cost::fmt_qty(r),
            match cheaper.as_str() {
                "fargate" => "Fargate",
                "lambda" => "Lambda",
                other => other,
            }
        )),
        (None, Some(_)) => out.push_str("\nBreak-even: withheld.\n"),
        _ if c.break_even_bound == cost::Bound::Withheld => out.push_str(
            "\nIn the known prices, the two do not cross between 10^3 and 10^11 requests/month.\n",
        ),
        _ => out.push_str("\nThe two do not cross between 10^3 and 10^11 requests/month.\n"),
    }
    if let Some(note) = &c.break_even_note {
        out.push_str(&format!("{note}\n"));
    }
    out.push_str("\nAssumptions:\n");
    for a in &c.assumptions {
        out.push_str(&format!("  - {a}\n"));
    }
    out
}

/// What a change to a plan does to its monthly cost, line by line and in total.
pub fn render_difference(d: &cost::Difference) -> String {
    let money = |v: Option<f64>, unknown: bool| {
        if unknown {
            "unknown".to_string()
        } else {
            v.map_or_else(|| "—".to_string(), fmt_usd)
        }
    };
    let mut out = format!(
        "{:<58} {:>11} {:>11} {:>11}\n",
        "Line", "Before", "After", "Change"
    );
    for l in &d.lines {
        out.push_str(&format!(
            "{:<58} {:>11} {:>11} {:>11}\n",
            format!("{}: {}", l.service, l.item),
            money(l.before_usd, l.before_unknown),
            money(l.after_usd, l.after_unknown),
            l.delta().map_or_else(|| "?".to_string(), signed_usd)
        ));
    }
    if d.lines.is_empty() {
        out.push_str("(no line changes)\n");
    }
    let plus = |lb: bool| if lb { "+" } else { "" };
    out.push_str(&format!(
        "\nMonthly: {}{} -> {}{} ({}{}){}\n",
        fmt_usd(d.before_usd),
        plus(d.before_lower_bound),
        fmt_usd(d.after_usd),
        plus(d.after_lower_bound),
        match d.change_bound {
            cost::Bound::AtLeast => "at least ",
            cost::Bound::AtMost => "at most ",
            _ => "",
        },
        signed_usd(d.delta_usd),
        match d.change_bound {
            cost::Bound::Withheld => {
                "; both plans have unknown prices, so the change in total cannot be told exactly"
            }
            cost::Bound::AtLeast | cost::Bound::AtMost => {
                "; one plan has unknown prices (+: a lower bound)"
            }
            cost::Bound::Exact => "",
        }
    ));
    out
}

/// A change of dollars with its sign, rounded as every amount is (`+1,234.50`, `-0.23`).
fn signed_usd(v: f64) -> String {
    shared::cost::fmt_usd_signed(v).replacen('$', "", 1)
}

/// The differences between the embedded and a live book, one line each.
pub fn render_diff(live: &crate::prices::LiveBook) -> String {
    let differences = crate::prices::source::diff(live);
    let fmt = |v: Option<f64>| v.map_or_else(|| "unknown".to_string(), |v| format!("{v}"));
    let mut out = format!(
        "{} prices in {}: embedded {} ({}) vs live {} ({})\n",
        crate::prices::catalog::specs(&live.region).len(),
        live.region,
        PriceBook::embedded().version,
        PriceBook::embedded().date,
        live.book.version,
        live.book.date
    );
    if differences.is_empty() {
        out.push_str("no differences\n");
    }
    for d in &differences {
        let change = match (d.embedded, d.live) {
            (Some(e), Some(l)) if e > 0.0 => format!("{:+.1}%", (l - e) / e * 100.0),
            _ => String::new(),
        };
        out.push_str(&format!(
            "{:<48} {:>14} -> {:<14} {change}\n",
            d.key,
            fmt(d.embedded),
            fmt(d.live)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_change_has_its_sign_and_every_amounts_rounding() {
        for (v, text) in [
            (1234.5, "+1,234.50"),
            (-0.225, "-0.23"),
            (5.0 * 0.045, "+0.23"),
            (0.0, "+0.00"),
            (-0.001, "+0.00"),
            (-12_345.678, "-12,345.68"),
        ] {
            assert_eq!(super::signed_usd(v), text, "{v}");
        }
    }
}
