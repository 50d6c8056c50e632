//! Fargate against Lambda for the same workload: both estimates, the cost curve over traffic,
//! and where the two cross.

use serde::{Deserialize, Serialize};

use super::{
    Estimate, Options, PriceBook, SECONDS_PER_MONTH, Scenario, assume, estimate_plan, total_at,
};
use crate::examples;
use crate::plan::{Architecture, Plan};

/// Traffic range of the comparison, requests per month.
pub const CURVE_FROM: f64 = 1e3;
pub const CURVE_TO: f64 = 1e11;
const POINTS_PER_DECADE: usize = 8;

/// One point of the cost curve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    pub requests_per_month: f64,
    pub fargate_usd: f64,
    pub lambda_usd: f64,
    /// Fargate tasks needed at this traffic.
    pub fargate_tasks: f64,
}

/// Both architectures priced on the same workload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub fargate: Estimate,
    pub lambda: Estimate,
    /// Where the monthly costs cross, or `None` when they do not cross in 10^3–10^11.
    pub break_even_requests_per_month: Option<f64>,
    /// Which of the two is cheaper above the break-even.
    pub cheaper_above_break_even: Option<String>,
    pub dominant: Dominant,
    pub curve: Vec<CurvePoint>,
    pub assumptions: Vec<String>,
}

/// The largest line of each side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dominant {
    pub fargate: String,
    pub lambda: String,
}

/// The other architecture for the same project, region, tags and workload: the example's
/// settings of that architecture.
pub fn counterpart(plan: &Plan) -> Plan {
    let mut other = match plan.architecture {
        Architecture::Fargate(_) => examples::lambda(),
        Architecture::Lambda(_) => examples::fargate(),
    };
    other.project = plan.project.clone();
    other.region = plan.region;
    other.tags = plan.tags.clone();
    other.workload = plan.workload.clone();
    other
}

/// Tasks a Fargate plan needs for `requests` a month: each request keeps one vCPU busy for
/// [`assume::CPU_SHARE_OF_DURATION`] of its duration, and tasks run at the autoscaling target.
/// Never below `min_tasks`.
pub fn tasks_needed(plan: &Plan, requests: f64) -> f64 {
    let Architecture::Fargate(f) = &plan.architecture else {
        return 0.0;
    };
    let rps = requests / SECONDS_PER_MONTH;
    let cpu_ms = f64::from(plan.workload.avg_duration_ms) * assume::CPU_SHARE_OF_DURATION;
    let per_task = f.vcpu * f64::from(f.cpu_target_percent) / 100.0 * 1000.0 / cpu_ms;
    (rps / per_task).ceil().max(f64::from(f.min_tasks))
}

fn fargate_at(plan: &Plan, book: &PriceBook, o: Options, requests: f64) -> f64 {
    total_at(
        plan,
        book,
        o,
        Scenario {
            tasks: tasks_needed(plan, requests),
            requests,
        },
    )
}

fn lambda_at(plan: &Plan, book: &PriceBook, o: Options, requests: f64) -> f64 {
    total_at(
        plan,
        book,
        o,
        Scenario {
            tasks: 0.0,
            requests,
        },
    )
}

/// Prices both architectures for the plan's workload and finds where they cross.
pub fn compare(plan: &Plan, book: &PriceBook, o: Options) -> Comparison {
    let other = counterpart(plan);
    let (fp, lp) = match plan.architecture {
        Architecture::Fargate(_) => (plan, &other),
        Architecture::Lambda(_) => (&other, plan),
    };
    let decades = (CURVE_TO / CURVE_FROM).log10().round() as usize;
    let n = decades * POINTS_PER_DECADE;
    let curve: Vec<CurvePoint> = (0..=n)
        .map(|i| {
            let r = CURVE_FROM * 10f64.powf(i as f64 / POINTS_PER_DECADE as f64);
            CurvePoint {
                requests_per_month: r,
                fargate_usd: fargate_at(fp, book, o, r),
                lambda_usd: lambda_at(lp, book, o, r),
                fargate_tasks: tasks_needed(fp, r),
            }
        })
        .collect();
    let diff = |r: f64| fargate_at(fp, book, o, r) - lambda_at(lp, book, o, r);
    let mut break_even = None;
    let mut cheaper = None;
    for pair in curve.windows(2) {
        let (a, b) = (
            pair[0].fargate_usd - pair[0].lambda_usd,
            pair[1].fargate_usd - pair[1].lambda_usd,
        );
        if a.signum() != b.signum() && a != 0.0 {
            // Bisect in log space between the two points.
            let (mut lo, mut hi) = (
                pair[0].requests_per_month.ln(),
                pair[1].requests_per_month.ln(),
            );
            for _ in 0..60 {
                let mid = (lo + hi) / 2.0;
                if diff(mid.exp()).signum() == a.signum() {
                    lo = mid
                } else {
                    hi = mid
                }
            }
            break_even = Some(((lo + hi) / 2.0).exp().round());
            cheaper = Some(if b < 0.0 { "fargate" } else { "lambda" }.to_string());
            break;
        }
    }
    let fargate = estimate_plan(fp, book, o);
    let lambda = estimate_plan(lp, book, o);
    let top = |e: &Estimate| {
        e.largest_lines(1)
            .first()
            .map(|l| format!("{}: {}", l.service, l.item))
            .unwrap_or_default()
    };
    let dominant = Dominant {
        fargate: top(&fargate),
        lambda: top(&lambda),
    };
    let side = match plan.architecture {
        Architecture::Fargate(_) => {
            "the Lambda side uses the Lambda example's settings (512 MB Arm, HTTP API, two tables, a bucket)"
        }
        Architecture::Lambda(_) => {
            "the Fargate side uses the Fargate example's settings (0.5 vCPU, 1 GB, 2–10 tasks, PostgreSQL, Redis)"
        }
    };
    let assumptions = vec![
        format!("Both sides carry the same workload; {side}."),
        format!(
            "On the curve, Fargate runs as many tasks as the traffic needs: each request keeps one vCPU busy for {:.0}% of its duration (the rest waits on I/O, which Lambda bills and Fargate does not), tasks run at the autoscaling target, never fewer than the minimum.",
            assume::CPU_SHARE_OF_DURATION * 100.0
        ),
        format!(
            "The curve spans 10^3 to 10^11 requests a month, {POINTS_PER_DECADE} points a decade; a crossing is refined by bisection."
        ),
    ];
    Comparison {
        fargate,
        lambda,
        break_even_requests_per_month: break_even,
        cheaper_above_break_even: cheaper,
        dominant,
        curve,
        assumptions,
    }
}
