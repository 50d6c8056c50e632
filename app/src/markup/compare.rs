//! The comparison's read-only parts as markup: the two totals, the cost by component, the
//! verdict, the chart and its legend. Pure, so they are tested natively.
//!
//! These parts are always rebuilt whole when a new comparison arrives, and nothing in them
//! takes input, so the page sets it as one string of inner HTML, as it does the topology diagram.
//! Written as `view!`s, they were 12.5 KB of the planner's gzipped wasm. Every text from the comparison is escaped.

use std::fmt::Write;

use shared::cost::{Bound, Comparison, Component, ComponentTotal, CurvePoint, Estimate};

use super::chart;
use super::{attribute, escape};
use crate::components::cost_summary::{at_least, signed};

/// The sentence under the table: where the two cross, and which is cheaper above; then, when
/// a side cannot carry the traffic at the chart's right, from where (the most it carries,
/// as the estimate's capacity counts it): "cheaper above" is not a side that cannot serve the
/// traffic.
fn verdict(c: &Comparison) -> String {
    let mut said = crossing(c);
    for (limits, over, plan) in [
        (
            "the Fargate side's maximum tasks no longer carry",
            c.curve.iter().any(|p| p.fargate_over_capacity),
            &c.fargate_plan,
        ),
        (
            "the Lambda side's concurrency or throttling limits no longer carry",
            c.curve.iter().any(|p| p.lambda_over_capacity),
            &c.lambda_plan,
        ),
    ] {
        if let Some(most) = shared::cost::carried_requests(plan).filter(|_| over) {
            let _ = write!(
                said,
                " Above {} requests a month, {limits} the traffic.",
                shared::cost::fmt_qty(most)
            );
        }
    }
    said
}

/// Where the two cross, and which is cheaper above.
fn crossing(c: &Comparison) -> String {
    let name = |s: &str| if s == "fargate" { "Fargate" } else { "Lambda" };
    match (c.break_even_requests_per_month, &c.cheaper_above_break_even) {
        (Some(r), Some(cheaper)) => format!(
            "They {}cross at {}{} requests a month{}; above that, {} is cheaper.",
            if c.crossings_before.is_empty() {
                ""
            } else {
                "last "
            },
            if c.break_even_bound == Bound::Exact {
                "about "
            } else {
                ""
            },
            shared::cost::fmt_qty(r),
            match c.break_even_bound {
                Bound::AtLeast => " or more",
                Bound::AtMost => " or fewer",
                Bound::Exact | Bound::Withheld => "",
            },
            name(cheaper)
        ),
        (None, Some(_)) => "Where they cross is withheld: see why below.".to_string(),
        // No crossing in the known prices, but unknown ones may hide one (the note says which).
        _ if c.break_even_bound == Bound::Withheld => {
            "In the known prices, the two do not cross between 1 thousand and 100 billion requests a month.".to_string()
        }
        _ => {
            "The two do not cross between 1 thousand and 100 billion requests a month.".to_string()
        }
    }
}

fn component_id(c: Component) -> &'static str {
    match c {
        Component::Compute => "compute",
        Component::Network => "network",
        Component::Data => "data",
        Component::Observability => "observability",
    }
}

/// A cell with its services as the tooltip.
fn cell(out: &mut String, total: &ComponentTotal) {
    out.push_str("<td title=\"");
    attribute(out, &total.services.join(", "));
    out.push_str("\">");
    escape(out, &at_least(total.usd, total.lower_bound));
    out.push_str("</td>");
}

/// Fargate's subtotal less Lambda's. A lower bound (some price unknown) can only rise: a
/// difference whose sign that cannot turn is written with "+" after it ("+$90.16+": at least
/// that much more; "−$5.00+": at least that much less); one it could turn is "?".
fn difference(f: &ComponentTotal, l: &ComponentTotal) -> String {
    let d = f.usd - l.usd;
    // The sign as written: a difference that rounds to $0.00 has none to keep.
    let cents = shared::cost::whole_cents(d);
    match (f.lower_bound, l.lower_bound) {
        (false, false) => signed(d),
        // Only Fargate's may rise: the difference may only grow.
        (true, false) if cents > 0.0 => format!("{}+", signed(d)),
        // Only Lambda's may rise: the difference may only fall.
        (false, true) if cents < 0.0 => format!("{}+", signed(d)),
        _ => "?".into(),
    }
}

/// Both sides' subtotals by component, and the difference.
fn components(out: &mut String, f: &Estimate, l: &Estimate) {
    out.push_str(
        "<table class=\"components\" data-testid=\"compare-components\">\
         <caption>Where the money goes</caption><thead><tr><th scope=\"col\">Component</th>\
         <th scope=\"col\">Fargate</th><th scope=\"col\">Lambda</th>\
         <th scope=\"col\">Fargate − Lambda</th></tr></thead><tbody>",
    );
    for (fc, lc) in f.by_component().iter().zip(&l.by_component()) {
        let _ = write!(
            out,
            "<tr data-testid=\"component-{}\"><th scope=\"row\">{}</th>",
            component_id(fc.component),
            fc.component.label()
        );
        cell(out, fc);
        cell(out, lc);
        out.push_str("<td class=\"diff\">");
        escape(out, &difference(fc, lc));
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table>");
}

/// The two totals, the user's side marked.
pub fn sides(c: &Comparison, fargate_mine: bool) -> String {
    let mut out = String::with_capacity(512);
    for (name, id, e, dominant, mine) in [
        (
            "Fargate",
            "fargate",
            &c.fargate,
            &c.dominant.fargate,
            fargate_mine,
        ),
        (
            "Lambda",
            "lambda",
            &c.lambda,
            &c.dominant.lambda,
            !fargate_mine,
        ),
    ] {
        let _ = write!(
            out,
            "<div class=\"compare-side{}\" data-testid=\"compare-{id}\"><div class=\"compare-name\">\
             {name}{}</div><div class=\"compare-total\">{}</div><div class=\"muted\">largest: ",
            if mine { " mine" } else { "" },
            if mine { " (your plan)" } else { "" },
            at_least(e.monthly_usd, e.lower_bound)
        );
        escape(&mut out, dominant);
        out.push_str("</div></div>");
    }
    out
}

/// The samples the chart's text reads out: the one nearest each half decade of traffic (1, 3.2,
/// 10, 32… thousand), in order, each once.
fn half_decades(curve: &[CurvePoint]) -> Vec<&CurvePoint> {
    let (Some(first), Some(last)) = (curve.first(), curve.last()) else {
        return Vec::new();
    };
    let log = |p: &CurvePoint| p.requests_per_month.log10();
    let mut rows: Vec<&CurvePoint> = Vec::new();
    let mut half = (log(first) * 2.0 - 1e-9).ceil() as i32;
    while f64::from(half) / 2.0 <= log(last) + 1e-9 {
        let target = f64::from(half) / 2.0;
        let nearest = curve
            .iter()
            .min_by(|a, b| (log(a) - target).abs().total_cmp(&(log(b) - target).abs()));
        if let Some(p) = nearest
            && !rows.last().is_some_and(|l| std::ptr::eq(*l, p))
        {
            rows.push(p);
        }
        half += 1;
    }
    rows
}

/// Which side is cheaper at a sample, as the chart's text says it: a side over its capacity
/// cannot carry the traffic, so it is not the cheaper one; a side that is only a lower bound
/// (some price unknown) is not known to be cheaper.
fn cheaper_at(p: &CurvePoint) -> &'static str {
    match (p.fargate_over_capacity, p.lambda_over_capacity) {
        (true, true) => return "neither carries it",
        (true, false) => return "only Lambda carries it",
        (false, true) => return "only Fargate carries it",
        (false, false) => {}
    }
    if p.fargate_usd < p.lambda_usd && !p.fargate_lower_bound {
        "Fargate"
    } else if p.lambda_usd < p.fargate_usd && !p.lambda_lower_bound {
        "Lambda"
    } else if p.fargate_usd == p.lambda_usd && !(p.fargate_lower_bound || p.lambda_lower_bound) {
        "the same"
    } else {
        "unknown"
    }
}

/// The chart as a table, its text alternative (the page puts it in a disclosure of its own, kept
/// open across comparisons): both curves at each half decade of traffic, which side is cheaper
/// there, and where a side is a lower bound or over its capacity, as the chart draws them.
pub fn chart_text(c: &Comparison) -> String {
    let rows = half_decades(&c.curve);
    let mut out = String::with_capacity(2048);
    if rows.is_empty() {
        return out;
    }
    out.push_str(
        "<table class=\"components\"><caption>Monthly cost at each traffic, read from the curves</caption>\
         <thead><tr><th scope=\"col\">Requests a month</th><th scope=\"col\">Fargate</th>\
         <th scope=\"col\">Lambda</th><th scope=\"col\">Cheaper</th></tr></thead><tbody>",
    );
    for p in rows {
        let mut fargate = at_least(p.fargate_usd, p.fargate_lower_bound);
        if p.fargate_over_capacity {
            let _ = write!(
                fargate,
                " (over the plan's {} tasks)",
                shared::decimal::Plain(p.fargate_tasks)
            );
        }
        let mut lambda = at_least(p.lambda_usd, p.lambda_lower_bound);
        if p.lambda_over_capacity {
            lambda.push_str(" (over Lambda's limits)");
        }
        let cheaper = cheaper_at(p);
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td>",
            shared::cost::fmt_qty(p.requests_per_month.round())
        );
        escape(&mut out, &fargate);
        out.push_str("</td><td>");
        escape(&mut out, &lambda);
        let _ = write!(out, "</td><td>{cheaper}</td></tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The body of the comparison card for `c`.
pub fn body(c: &Comparison) -> String {
    let mut out = String::with_capacity(8192);
    components(&mut out, &c.fargate, &c.lambda);
    let _ = write!(
        out,
        "<p class=\"verdict\" data-testid=\"break-even\" data-bound=\"{:?}\">",
        c.break_even_bound
    );
    escape(&mut out, &verdict(c));
    out.push_str("</p>");
    if let Some(note) = &c.break_even_note {
        out.push_str("<p class=\"unknown-note\" data-testid=\"break-even-note\">");
        escape(&mut out, note);
        out.push_str("</p>");
    }
    // The traffic of the plan that was priced (both sides share its workload), not of the plan
    // being edited: the view changes with the comparison.
    let user = c.fargate_plan.workload.requests_per_month as f64;
    if let Some(g) = chart::layout(&c.curve, c.break_even_requests_per_month, user) {
        out.push_str(&g.to_svg());
        out.push_str(
            "<div class=\"legend\"><span class=\"swatch fargate\"></span>Fargate\
             <span class=\"swatch lambda\"></span>Lambda",
        );
        if c.curve
            .iter()
            .any(|p| p.fargate_lower_bound || p.lambda_lower_bound)
        {
            out.push_str(
                "<span class=\"swatch lower-bound\"></span>dashed: a lower bound, some prices unknown",
            );
        }
        if g.over_capacity_x.is_some() {
            out.push_str(
                "<span class=\"swatch over-capacity\"></span>shaded: over the plan's maximum tasks",
            );
        }
        if g.lambda_over_capacity_x.is_some() {
            out.push_str(
                "<span class=\"swatch over-capacity lambda-over\"></span>shaded: over Lambda's concurrency or throttling",
            );
        }
        out.push_str("</div>");
    }
    out
}

#[cfg(test)]
mod tests {
    use shared::cost::{self, Options, PriceBook, Sides};
    use shared::{ValidPlan, examples};

    use super::*;

    fn comparison(plan: shared::Plan) -> Comparison {
        let plan = ValidPlan::new(plan).unwrap();
        cost::compare(
            &plan,
            PriceBook::embedded(),
            Options::default(),
            Sides::default(),
        )
    }

    /// A difference is signed when the lower bounds cannot turn its sign, else "?".
    #[test]
    fn a_difference_is_signed_when_its_sign_is_known() {
        let total = |usd: f64, lower_bound: bool| ComponentTotal {
            component: Component::Network,
            usd,
            lower_bound,
            services: Vec::new(),
        };
        for ((f, flb), (l, llb), said) in [
            ((123.56, false), (33.40, false), "+$90.16"),
            // Fargate's may only rise, and is already above.
            ((123.56, true), (33.40, false), "+$90.16+"),
            // Fargate's may rise past Lambda's.
            ((10.0, true), (33.40, false), "?"),
            // Lambda's may only rise, and is already above.
            ((10.0, false), (15.0, true), "−$5.00+"),
            ((20.0, false), (15.0, true), "?"),
            ((20.0, true), (15.0, true), "?"),
            ((15.0, true), (15.0, false), "?"),
            // Below zero by less than half a cent: no sign to keep.
            ((15.0, false), (15.004, true), "?"),
            ((15.004, true), (15.0, false), "?"),
        ] {
            assert_eq!(difference(&total(f, flb), &total(l, llb)), said);
        }
    }

    /// Every part the page's tests and styles look for, with the comparison's own figures.
    #[test]
    fn the_body_shows_the_table_the_verdict_and_the_chart() {
        let c = comparison(examples::fargate());
        let html = body(&c);
        for id in ["compute", "network", "data", "observability"] {
            assert!(
                html.contains(&format!("<tr data-testid=\"component-{id}\">")),
                "{id}"
            );
        }
        let compute = &c.fargate.by_component()[0];
        assert!(html.contains(&format!(
            "<th scope=\"row\">Compute</th><td title=\"{}\">{}</td>",
            compute.services.join(", "),
            at_least(compute.usd, compute.lower_bound)
        )));
        assert!(html.contains(&format!(
            "<p class=\"verdict\" data-testid=\"break-even\" data-bound=\"{:?}\">{}</p>",
            c.break_even_bound,
            verdict(&c)
        )));
        assert!(html.contains("data-testid=\"compare-chart\""));
        assert!(html.contains("<div class=\"legend\">"));
        assert_eq!(
            html.matches("<tr").count(),
            5,
            "a head row and four components"
        );
        assert_eq!(
            c.break_even_note.is_some(),
            html.contains("break-even-note")
        );
        // The chart as text: a head row and a row a half decade, 1 thousand to 100 billion.
        let text = chart_text(&c);
        assert_eq!(text.matches("<tr").count(), 1 + 17, "{text}");
    }

    /// The cheaper side, by the rules the chart's text states, on samples made for each case.
    #[test]
    fn the_cheaper_side_is_one_that_carries_the_traffic_at_a_known_price() {
        // (Fargate $, Lambda $, Fargate a lower bound, Lambda a lower bound, Fargate over
        // capacity, Lambda over capacity) → what the table says.
        let cases = [
            ((10.0, 20.0, false, false, false, false), "Fargate"),
            ((30.0, 20.0, false, false, false, false), "Lambda"),
            ((20.0, 20.0, false, false, false, false), "the same"),
            // Fargate's $10 is only a lower bound: it may be above Lambda's $20.
            ((10.0, 20.0, true, false, false, false), "unknown"),
            ((30.0, 20.0, false, true, false, false), "unknown"),
            ((20.0, 20.0, true, false, false, false), "unknown"),
            // A lower bound above the other side's exact price is above it.
            ((10.0, 20.0, false, true, false, false), "Fargate"),
            // Over its capacity, a side's price is not a cheaper one (it cannot be had).
            (
                (10.0, 20.0, false, false, true, false),
                "only Lambda carries it",
            ),
            (
                (30.0, 20.0, false, false, false, true),
                "only Fargate carries it",
            ),
            ((10.0, 20.0, false, false, true, true), "neither carries it"),
        ];
        for ((f, l, flb, llb, fo, lo), said) in cases {
            let p = CurvePoint {
                requests_per_month: 1e6,
                fargate_usd: f,
                lambda_usd: l,
                fargate_tasks: 2.0,
                fargate_lower_bound: flb,
                lambda_lower_bound: llb,
                fargate_over_capacity: fo,
                lambda_over_capacity: lo,
            };
            assert_eq!(cheaper_at(&p), said, "{p:?}");
        }
    }

    /// The chart's text reads the curves at each half decade, with their bounds and capacity,
    /// and which side is cheaper there, as the curves say.
    #[test]
    fn the_chart_as_text_reads_the_curves_at_each_half_decade() {
        let c = comparison(examples::fargate());
        let rows = half_decades(&c.curve);
        let traffic: Vec<String> = rows
            .iter()
            .map(|p| shared::cost::fmt_qty(p.requests_per_month.round()))
            .collect();
        assert_eq!(traffic.first().map(String::as_str), Some("1,000"));
        assert_eq!(traffic.last().map(String::as_str), Some("100,000,000,000"));
        for pair in rows.windows(2) {
            let ratio = pair[1].requests_per_month / pair[0].requests_per_month;
            assert!((2.5..4.0).contains(&ratio), "half a decade apart: {ratio}");
        }
        let text = chart_text(&c);
        for p in &rows {
            let cheaper = cheaper_at(p);
            let row = format!(
                "<tr><th scope=\"row\">{}</th><td>{}",
                shared::cost::fmt_qty(p.requests_per_month.round()),
                at_least(p.fargate_usd, p.fargate_lower_bound)
            );
            assert!(text.contains(&row), "{row} in {text}");
            {
                let tail = format!("</td><td>{cheaper}</td></tr>");
                let at = text.find(&row).unwrap();
                let end = text[at..].find("</tr>").unwrap() + at + 5;
                assert!(text[at..end].ends_with(&tail), "{}", &text[at..end]);
            }
        }
        // Beyond the plan's 10 tasks, Fargate's cell says so, and it is not the cheaper side.
        assert!(text.contains("(over the plan's 10 tasks)"), "{text}");
        assert!(rows.iter().any(|p| p.fargate_over_capacity));
        assert!(
            rows.iter()
                .filter(|p| p.fargate_over_capacity)
                .all(|p| cheaper_at(p) != "Fargate")
        );
        // Below the break-even Lambda is cheaper, above it Fargate, as the verdict says.
        let r = c.break_even_requests_per_month.unwrap();
        assert!(
            rows.iter()
                .filter(|p| p.requests_per_month < r / 2.0)
                .all(|p| p.lambda_usd < p.fargate_usd)
        );
    }

    #[test]
    fn the_sides_mark_the_users_plan() {
        let c = comparison(examples::lambda());
        let html = sides(&c, false);
        assert!(html.starts_with("<div class=\"compare-side\" data-testid=\"compare-fargate\">"));
        assert!(html.contains(&format!(
            "<div class=\"compare-side mine\" data-testid=\"compare-lambda\"><div class=\"compare-name\">\
             Lambda (your plan)</div><div class=\"compare-total\">{}</div><div class=\"muted\">largest: {}</div></div>",
            at_least(c.lambda.monthly_usd, c.lambda.lower_bound),
            c.dominant.lambda
        )));
        assert_eq!(html.matches("(your plan)").count(), 1);
    }

    /// The verdict in words, literally: where the curves (last) cross and who is cheaper above.
    #[test]
    fn the_verdict_says_where_they_last_cross() {
        let mut c = comparison(examples::fargate());
        // The Fargate example's 10 tasks carry some hundreds of millions of requests a month:
        // the verdict says how many, as the estimate's capacity counts them (not the chart's
        // first sample over it): just below, the plan is within capacity; just above, over.
        let over = c
            .curve
            .iter()
            .find(|p| p.fargate_over_capacity)
            .expect("Fargate over its capacity on the chart")
            .requests_per_month;
        let most = shared::cost::carried_requests(&c.fargate_plan).unwrap();
        assert!(most < over && (1e8..1e10).contains(&most), "{most} {over}");
        assert!(!shared::cost::capacity(&c.fargate_plan, most).over());
        assert!(shared::cost::capacity(&c.fargate_plan, most + 1.0).over());
        assert!(
            verdict(&c).contains(&format!(
                ". Above {} requests a month, the Fargate side's maximum tasks no longer carry the traffic.",
                shared::cost::fmt_qty(most)
            )),
            "{}",
            verdict(&c)
        );
        // Lambda's: its concurrency or its API's rate, whichever ends first.
        let lambda = shared::cost::carried_requests(&c.lambda_plan).unwrap();
        assert!(!shared::cost::capacity(&c.lambda_plan, lambda).over());
        assert!(shared::cost::capacity(&c.lambda_plan, lambda + 1.0).over());
        for p in &mut c.curve {
            p.fargate_over_capacity = false;
            p.lambda_over_capacity = false;
        }
        c.break_even_requests_per_month = Some(1_234_567.0);
        c.break_even_bound = Bound::Exact;
        c.cheaper_above_break_even = Some("lambda".into());
        c.crossings_before = Vec::new();
        assert_eq!(
            verdict(&c),
            "They cross at about 1,234,567 requests a month; above that, Lambda is cheaper."
        );
        c.crossings_before = vec![900_000.0, 1_000_000.0];
        c.break_even_bound = Bound::AtLeast;
        assert_eq!(
            verdict(&c),
            "They last cross at 1,234,567 requests a month or more; above that, Lambda is cheaper."
        );
        c.break_even_bound = Bound::AtMost;
        assert!(verdict(&c).starts_with("They last cross at 1,234,567 requests a month or fewer;"));
        // No crossing: in the known prices only, when unknown ones may hide one.
        c.break_even_requests_per_month = None;
        c.cheaper_above_break_even = None;
        c.break_even_bound = Bound::Exact;
        assert_eq!(
            verdict(&c),
            "The two do not cross between 1 thousand and 100 billion requests a month."
        );
        c.break_even_bound = Bound::Withheld;
        assert_eq!(
            verdict(&c),
            "In the known prices, the two do not cross between 1 thousand and 100 billion requests a month."
        );
    }

    /// Text from the comparison cannot become markup.
    #[test]
    fn text_is_escaped() {
        let mut c = comparison(examples::lambda());
        c.break_even_note = Some("<b>a & b</b>".into());
        let html = body(&c);
        assert!(html.contains(">&lt;b&gt;a &amp; b&lt;/b&gt;</p>"));
    }
}
