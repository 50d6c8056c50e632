//! The comparison chart: monthly cost against requests per month, both on log axes. Its
//! geometry and its SVG markup are pure, so they are tested natively; the markup is part of
//! the comparison's body ([`super::compare`]).

use std::fmt::Write;

use shared::cost::CurvePoint;
use shared::decimal::{Fixed, Plain};

pub const WIDTH: f64 = 560.0;
pub const HEIGHT: f64 = 260.0;
pub const LEFT: f64 = 56.0;
pub const RIGHT: f64 = 12.0;
pub const TOP: f64 = 12.0;
pub const BOTTOM: f64 = 34.0;
/// The room a marker's label takes right of its line, past which it goes left of it.
const LABEL_ROOM: f64 = 96.0;

/// Everything the SVG needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub fargate_path: String,
    pub lambda_path: String,
    /// `(x, label)` of each decade on the traffic axis.
    pub x_ticks: Vec<(f64, String)>,
    /// `(y, label)` of each decade on the cost axis.
    pub y_ticks: Vec<(f64, String)>,
    pub break_even_x: Option<f64>,
    pub user_x: Option<f64>,
    /// The user's traffic is off the chart: `Some(true)` above its range, `Some(false)` below.
    pub user_beyond: Option<bool>,
    /// The stretches where a side's cost is only a lower bound (some price unknown), drawn
    /// dashed over its line.
    pub fargate_lower_bound_path: String,
    pub lambda_lower_bound_path: String,
    /// From where the traffic needs more Fargate tasks than the plan's maximum.
    pub over_capacity_x: Option<f64>,
    /// From where even the average traffic is over the Lambda side's limits.
    pub lambda_over_capacity_x: Option<f64>,
}

fn short(v: f64) -> String {
    let units = [(1e9, "B"), (1e6, "M"), (1e3, "K")];
    for (size, suffix) in units {
        if v >= size {
            return format!("{}{suffix}", Plain((v / size).round()));
        }
    }
    Plain(v.round()).to_string()
}

fn money_short(v: f64) -> String {
    if v < 1.0 {
        format!("${}", Plain(v))
    } else {
        format!("${}", short(v))
    }
}

/// Lays the curve out; `None` when there is nothing to draw.
pub fn layout(curve: &[CurvePoint], break_even: Option<f64>, user_requests: f64) -> Option<Chart> {
    let first = curve.first()?;
    let last = curve.last()?;
    let (x0, x1) = (
        first.requests_per_month.log10(),
        last.requests_per_month.log10(),
    );
    let costs = curve
        .iter()
        .flat_map(|p| [p.fargate_usd, p.lambda_usd])
        .filter(|v| *v > 0.0);
    let (lo, hi) = costs.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() || hi <= 0.0 {
        return None;
    }
    let (y0, y1) = (
        lo.log10().floor(),
        hi.log10().ceil().max(lo.log10().floor() + 1.0),
    );
    let px = |r: f64| LEFT + (r.log10() - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT);
    let py = |usd: f64| {
        let v = usd.max(10f64.powf(y0)).log10();
        HEIGHT - BOTTOM - (v - y0) / (y1 - y0) * (HEIGHT - TOP - BOTTOM)
    };
    let path = |pick: fn(&CurvePoint) -> f64| {
        curve
            .iter()
            .enumerate()
            .map(|(i, p)| {
                format!(
                    "{}{},{}",
                    if i == 0 { "M" } else { "L" },
                    Fixed::<1>(px(p.requests_per_month)),
                    Fixed::<1>(py(pick(p)))
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    // Segments between neighbouring points where either end is a lower bound.
    let marked = |pick: fn(&CurvePoint) -> f64, flag: fn(&CurvePoint) -> bool| {
        curve
            .windows(2)
            .filter(|w| flag(&w[0]) || flag(&w[1]))
            .map(|w| {
                format!(
                    "M{},{} L{},{}",
                    Fixed::<1>(px(w[0].requests_per_month)),
                    Fixed::<1>(py(pick(&w[0]))),
                    Fixed::<1>(px(w[1].requests_per_month)),
                    Fixed::<1>(py(pick(&w[1])))
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let in_range = |r: f64| r >= first.requests_per_month && r <= last.requests_per_month;
    Some(Chart {
        fargate_path: path(|p| p.fargate_usd),
        lambda_path: path(|p| p.lambda_usd),
        x_ticks: (x0.ceil() as i32..=x1.floor() as i32)
            .map(|d| (px(10f64.powi(d)), short(10f64.powi(d))))
            .collect(),
        y_ticks: (y0 as i32..=y1 as i32)
            .map(|d| (py(10f64.powi(d)), money_short(10f64.powi(d))))
            .collect(),
        break_even_x: break_even.filter(|r| in_range(*r)).map(px),
        user_x: (user_requests > 0.0 && in_range(user_requests)).then(|| px(user_requests)),
        user_beyond: (user_requests > 0.0 && !in_range(user_requests))
            .then_some(user_requests > last.requests_per_month),
        fargate_lower_bound_path: marked(|p| p.fargate_usd, |p| p.fargate_lower_bound),
        lambda_lower_bound_path: marked(|p| p.lambda_usd, |p| p.lambda_lower_bound),
        over_capacity_x: curve
            .iter()
            .find(|p| p.fargate_over_capacity)
            .map(|p| px(p.requests_per_month)),
        lambda_over_capacity_x: curve
            .iter()
            .find(|p| p.lambda_over_capacity)
            .map(|p| px(p.requests_per_month)),
    })
}

impl Chart {
    /// The chart as an `<svg>` element, with the test ids the page's tests look for.
    pub fn to_svg(&self) -> String {
        let mut out = String::with_capacity(4096);
        let (plot_bottom, plot_right) = (HEIGHT - BOTTOM, WIDTH - RIGHT);
        let _ = write!(
            out,
            "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" \
             aria-label=\"Monthly cost against requests per month, log scales\" \
             data-testid=\"compare-chart\" xmlns=\"http://www.w3.org/2000/svg\">",
            Plain(WIDTH),
            Plain(HEIGHT)
        );
        for (x, class, id, title) in [
            (
                self.over_capacity_x,
                "over-capacity",
                "over-capacity",
                "Fargate needs more tasks than the plan's maximum here",
            ),
            (
                self.lambda_over_capacity_x,
                "over-capacity lambda-over",
                "lambda-over-capacity",
                "Lambda's traffic is over its concurrency or throttling limit here",
            ),
        ] {
            let Some(x) = x else { continue };
            let _ = write!(
                out,
                "<rect class=\"{class}\" data-testid=\"{id}\" x=\"{x}\" y=\"{TOP}\" \
                 width=\"{}\" height=\"{}\"><title>{title}</title></rect>",
                Plain((plot_right - x).max(0.0)),
                Plain(plot_bottom - TOP),
                x = Plain(x),
                TOP = Plain(TOP)
            );
        }
        for (y, label) in &self.y_ticks {
            let _ = write!(
                out,
                "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{plot_right}\" y1=\"{y}\" y2=\"{y}\"></line>\
                 <text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">",
                Plain(LEFT - 6.0),
                Plain(y + 4.0),
                LEFT = Plain(LEFT),
                plot_right = Plain(plot_right),
                y = Plain(*y)
            );
            super::escape(&mut out, label);
            out.push_str("</text>");
        }
        for (x, label) in &self.x_ticks {
            let _ = write!(
                out,
                "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">",
                Plain(*x),
                Plain(plot_bottom + 16.0)
            );
            super::escape(&mut out, label);
            out.push_str("</text>");
        }
        let _ = write!(
            out,
            "<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">requests per month</text>",
            Plain((LEFT + plot_right) / 2.0),
            Plain(HEIGHT - 4.0)
        );
        // Paths are made of numbers, `M`, `L`, commas and spaces: nothing to escape.
        for (class, test_id, d) in [
            ("fargate", None, &self.fargate_path),
            ("lambda", None, &self.lambda_path),
            (
                "lower-bound",
                Some("fargate-lower-bound"),
                &self.fargate_lower_bound_path,
            ),
            (
                "lower-bound",
                Some("lambda-lower-bound"),
                &self.lambda_lower_bound_path,
            ),
        ] {
            let _ = write!(out, "<path class=\"{class}\"");
            if let Some(id) = test_id {
                let _ = write!(out, " data-testid=\"{id}\"");
            }
            let _ = write!(out, " d=\"{d}\"></path>");
        }
        for (x, class, test_id, label, dy) in [
            (
                self.break_even_x,
                "break-even",
                "break-even-marker",
                "break-even",
                10.0,
            ),
            (self.user_x, "you", "traffic-marker", "your traffic", 24.0),
        ] {
            if let Some(x) = x {
                // A label that would run past the plot's right edge ends at its line instead
                // (at the small screens' 14 units, "your traffic" is about 85 wide).
                let (label_x, anchor) = if x + LABEL_ROOM > WIDTH - RIGHT {
                    (x - 4.0, " text-anchor=\"end\"")
                } else {
                    (x + 4.0, "")
                };
                let _ = write!(
                    out,
                    "<line class=\"{class}\" data-testid=\"{test_id}\" data-x=\"{x1}\" x1=\"{x}\" \
                     x2=\"{x}\" y1=\"{TOP}\" y2=\"{plot_bottom}\"></line><text class=\"marker-label\" \
                     x=\"{label_x}\" y=\"{}\"{anchor}>{label}</text>",
                    Plain(TOP + dy),
                    x1 = Fixed::<1>(x),
                    x = Plain(x),
                    TOP = Plain(TOP),
                    plot_bottom = Plain(plot_bottom),
                    label_x = Plain(label_x)
                );
            }
        }
        // Traffic off the chart is said at the edge it is beyond.
        if let Some(above) = self.user_beyond {
            let _ = write!(
                out,
                "<text class=\"marker-label\" data-testid=\"traffic-off-chart\" x=\"{}\" y=\"{}\"{}>{}</text>",
                Plain(if above { WIDTH - RIGHT } else { LEFT + 4.0 }),
                Plain(TOP + 24.0),
                if above { " text-anchor=\"end\"" } else { "" },
                if above {
                    "your traffic is beyond →"
                } else {
                    "← your traffic is below"
                }
            );
        }
        out.push_str("</svg>");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(r: f64, f: f64, l: f64) -> CurvePoint {
        CurvePoint {
            requests_per_month: r,
            fargate_usd: f,
            lambda_usd: l,
            fargate_tasks: 1.0,
            fargate_lower_bound: r > 1e9,
            lambda_lower_bound: false,
            fargate_over_capacity: r >= 1e10,
            lambda_over_capacity: r >= 1e11,
        }
    }

    #[test]
    fn axes_and_markers_fall_inside_the_plot() {
        let curve: Vec<_> = (3..=11)
            .map(|d| point(10f64.powi(d), 100.0 + 10f64.powi(d - 6), 10f64.powi(d - 5)))
            .collect();
        let c = layout(&curve, Some(1e7), 1e6).unwrap();
        assert_eq!(c.x_ticks.len(), 9);
        assert_eq!(c.x_ticks[0], (LEFT, "1K".into()));
        let be = c.break_even_x.unwrap();
        let user = c.user_x.unwrap();
        assert!(LEFT < user && user < be && be < WIDTH - RIGHT);
        assert!(c.fargate_path.starts_with("M56.0,"));
        // Two segments touch a lower-bound point (1e9–1e10, 1e10–1e11); none on Lambda.
        assert_eq!(c.fargate_lower_bound_path.matches('M').count(), 2);
        assert!(c.lambda_lower_bound_path.is_empty());
        let over = c.over_capacity_x.unwrap();
        assert!(be < over && over < WIDTH - RIGHT);
        assert_eq!(c.lambda_over_capacity_x, Some(WIDTH - RIGHT));
    }

    /// The markup holds every part the page's tests and styles look for, well formed.
    #[test]
    fn the_svg_has_every_part_and_escapes_its_labels() {
        let curve: Vec<_> = (3..=11)
            .map(|d| point(10f64.powi(d), 100.0 + 10f64.powi(d - 6), 10f64.powi(d - 5)))
            .collect();
        let mut c = layout(&curve, Some(1e7), 1e6).unwrap();
        let svg = c.to_svg();
        assert!(svg.starts_with("<svg class=\"chart\" viewBox=\"0 0 560 260\""));
        assert!(svg.ends_with("</svg>"));
        for part in [
            "data-testid=\"compare-chart\"",
            "<path class=\"fargate\" d=\"M56.0,",
            "<path class=\"lambda\" d=\"M56.0,",
            "<path class=\"lower-bound\" data-testid=\"fargate-lower-bound\" d=\"M",
            "<path class=\"lower-bound\" data-testid=\"lambda-lower-bound\" d=\"\"",
            "data-testid=\"over-capacity\"",
            "data-testid=\"lambda-over-capacity\"",
            "<text class=\"tick\" x=\"56\" y=\"242\" text-anchor=\"middle\">1K</text>",
            "requests per month</text>",
        ] {
            assert!(svg.contains(part), "{part} in {svg}");
        }
        let marker = |id: &str| {
            let at = svg
                .find(&format!("data-testid=\"{id}\" data-x=\""))
                .unwrap();
            svg[at..].split('"').nth(3).unwrap().parse::<f64>().unwrap()
        };
        assert_eq!(
            marker("break-even-marker"),
            (c.break_even_x.unwrap() * 10.0).round() / 10.0
        );
        assert_eq!(
            marker("traffic-marker"),
            (c.user_x.unwrap() * 10.0).round() / 10.0
        );
        // Every element opened is closed.
        for tag in ["svg", "rect", "line", "text", "path", "title"] {
            assert_eq!(
                svg.matches(&format!("<{tag} ")).count() + svg.matches(&format!("<{tag}>")).count(),
                svg.matches(&format!("</{tag}>")).count(),
                "{tag}"
            );
        }
        c.y_ticks[0].1 = "<$1&2>".into();
        assert!(c.to_svg().contains(">&lt;$1&amp;2&gt;</text>"));
        // No over-capacity stretch, no markers: none drawn.
        let c = layout(&curve[..3], None, 0.0).unwrap();
        let svg = c.to_svg();
        for absent in ["over-capacity", "break-even", "traffic-marker"] {
            assert!(!svg.contains(absent), "{absent}");
        }
    }

    #[test]
    fn markers_outside_the_range_are_not_drawn() {
        let curve = vec![point(1e3, 10.0, 1.0), point(1e11, 1e5, 1e6)];
        let c = layout(&curve, None, 1e12).unwrap();
        assert_eq!((c.break_even_x, c.user_x), (None, None));
        // The user's traffic off the chart is said at the edge it is beyond.
        assert_eq!(c.user_beyond, Some(true));
        assert!(c.to_svg().contains(">your traffic is beyond →</text>"));
        let c = layout(&curve, None, 100.0).unwrap();
        assert_eq!(c.user_beyond, Some(false));
        assert!(c.to_svg().contains(">← your traffic is below</text>"));
        let c = layout(&curve, None, 1e6).unwrap();
        assert_eq!(c.user_beyond, None);
        assert!(!c.to_svg().contains("traffic-off-chart"));
    }

    /// A marker near the right edge has its label left of its line, inside the plot.
    #[test]
    fn a_label_near_the_right_edge_ends_at_its_line() {
        let curve = vec![point(1e3, 10.0, 1.0), point(1e11, 1e5, 1e6)];
        let svg = layout(&curve, None, 1e11).unwrap().to_svg();
        let x = WIDTH - RIGHT;
        assert!(
            svg.contains(&format!(
                "<text class=\"marker-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">your traffic</text>",
                x - 4.0,
                TOP + 24.0
            )),
            "{svg}"
        );
        let svg = layout(&curve, None, 1e5).unwrap().to_svg();
        assert!(!svg.contains("text-anchor=\"end\">your traffic<"), "{svg}");
    }
}
