//! The cost estimator: every billable thing a plan's template creates, as lines that each give a
//! quantity, a unit price from the price book and the formula with its assumptions. A price the
//! book lacks is "unknown" (the total is then a lower bound), never $0.

pub mod book;
mod compare;
mod fargate;
mod lambda;
mod pricer;

use serde::{Deserialize, Serialize};

pub use crate::resources::Billing;
pub use book::{BookRef, Origin, Price, PriceBook};
pub use compare::{Comparison, CurvePoint, compare, counterpart};
pub(crate) use pricer::Pricer;
pub use pricer::{fmt_qty, fmt_usd_rate};

use crate::plan::{Architecture, Plan};
use crate::validate::ValidPlan;

/// Hours in a month, as AWS's Pricing Calculator counts them.
pub const HOURS_PER_MONTH: f64 = 730.0;
/// Seconds in that month.
pub const SECONDS_PER_MONTH: f64 = HOURS_PER_MONTH * 3600.0;

/// Usage the plan does not state, assumed and said on every estimate.
pub mod assume {
    /// Fargate Spot is modelled at AWS's stated maximum discount ("up to 70%").
    pub const SPOT_DISCOUNT_FALLBACK_REGION: &str = "us-east-1";
    /// Container image size, GB.
    pub const IMAGE_GB: f64 = 0.5;
    /// Images kept in ECR.
    pub const IMAGES_STORED: f64 = 10.0;
    /// Deployments per month (each pulls the image once per task through NAT).
    pub const DEPLOYS_PER_MONTH: f64 = 4.0;
    /// Objects stored in the application bucket, GB.
    pub const S3_STORAGE_GB: f64 = 10.0;
    /// S3 PUT/LIST per HTTP request.
    pub const S3_PUTS_PER_REQUEST: f64 = 0.01;
    /// S3 GET per HTTP request.
    pub const S3_GETS_PER_REQUEST: f64 = 0.1;
    /// DynamoDB read request units per HTTP request, over all tables.
    pub const DDB_READS_PER_REQUEST: f64 = 1.0;
    /// DynamoDB write request units per HTTP request, over all tables.
    pub const DDB_WRITES_PER_REQUEST: f64 = 0.25;
    /// Data per DynamoDB table, GB.
    pub const DDB_GB_PER_TABLE: f64 = 1.0;
    /// Load balancer and API access-log bytes per request.
    pub const ACCESS_LOG_BYTES: f64 = 300.0;
    /// Daily change of the database, as a share of its storage (drives backup size).
    pub const DB_DAILY_CHANGE: f64 = 0.02;
    /// Share of a request's duration spent on CPU (the rest waits on I/O): sizes the Fargate
    /// tasks a traffic level needs on the comparison curve.
    pub const CPU_SHARE_OF_DURATION: f64 = 0.25;
    /// New TCP connections per request at the load balancer (no keep-alive: the worst case).
    pub const NEW_CONNECTIONS_PER_REQUEST: f64 = 1.0;
}

/// Switches the user can flip in the cost panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Options {
    /// Apply the always-free allowances (Lambda 1M requests and 400,000 GB-s; 100 GB out).
    pub free_tier: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { free_tier: true }
    }
}

/// One billable item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub service: String,
    pub item: String,
    pub quantity: f64,
    pub unit: String,
    /// `None`: the price book has no price for this item in this region.
    pub unit_usd: Option<f64>,
    /// `None` when the unit price is unknown.
    pub monthly_usd: Option<f64>,
    /// How the amount is computed, with its assumptions, in words.
    pub formula: String,
}

/// A billable thing the estimate does not price, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotEstimated {
    pub service: String,
    pub item: String,
    pub reason: String,
}

/// Monthly cost at the low and high ends.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

/// A monthly estimate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub currency: String,
    pub architecture: String,
    pub region: String,
    /// The typical month: desired tasks, stated traffic.
    pub monthly_usd: f64,
    /// Minimum (minimum tasks, half the traffic) and maximum (maximum tasks, double the traffic).
    pub range: Range,
    /// `true` when some price is unknown: the real total is higher.
    pub lower_bound: bool,
    pub lines: Vec<Line>,
    pub assumptions: Vec<String>,
    /// Items whose price the book lacks for this region.
    pub unknown: Vec<String>,
    pub not_estimated: Vec<NotEstimated>,
    pub price_book: BookRef,
}

impl Estimate {
    /// The `n` most expensive lines.
    pub fn largest_lines(&self, n: usize) -> Vec<&Line> {
        let mut lines: Vec<&Line> = self
            .lines
            .iter()
            .filter(|l| l.monthly_usd.is_some())
            .collect();
        lines.sort_by(|a, b| {
            b.monthly_usd
                .partial_cmp(&a.monthly_usd)
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        lines.truncate(n);
        lines
    }

    /// Lines grouped by service, in order of first appearance, with each group's subtotal.
    pub fn by_service(&self) -> Vec<(String, f64, Vec<&Line>)> {
        let mut groups: Vec<(String, f64, Vec<&Line>)> = Vec::new();
        for line in &self.lines {
            match groups.iter_mut().find(|(s, _, _)| *s == line.service) {
                Some(group) => {
                    group.1 += line.monthly_usd.unwrap_or(0.0);
                    group.2.push(line);
                }
                None => groups.push((
                    line.service.clone(),
                    line.monthly_usd.unwrap_or(0.0),
                    vec![line],
                )),
            }
        }
        groups
    }
}

/// What a month looks like for one estimate point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Scenario {
    /// Running Fargate tasks (average over the month).
    pub tasks: f64,
    pub requests: f64,
}

fn round_cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Prices one scenario of a plan: the lines, the assumptions in words.
fn price<'b>(
    plan: &Plan,
    book: &'b PriceBook,
    options: Options,
    s: Scenario,
) -> (Pricer<'b>, Vec<String>) {
    let mut p = Pricer::new(book, plan.region.code());
    let mut assumptions = vec![format!(
        "A month is {HOURS_PER_MONTH} hours, as AWS's Pricing Calculator counts it."
    )];
    match &plan.architecture {
        Architecture::Fargate(f) => fargate::lines(&mut p, &mut assumptions, plan, f, options, s),
        Architecture::Lambda(l) => lambda::lines(&mut p, &mut assumptions, plan, l, options, s),
    }
    (p, assumptions)
}

fn total(p: &Pricer<'_>) -> f64 {
    p.lines.iter().filter_map(|l| l.monthly_usd).sum()
}

/// The scenarios of a plan: (minimum, typical, maximum).
fn scenarios(plan: &Plan) -> [Scenario; 3] {
    let r = plan.workload.requests_per_month as f64;
    match &plan.architecture {
        Architecture::Fargate(f) => [
            Scenario {
                tasks: f.min_tasks as f64,
                requests: r / 2.0,
            },
            Scenario {
                tasks: f.desired_tasks as f64,
                requests: r,
            },
            Scenario {
                tasks: f.max_tasks as f64,
                requests: r * 2.0,
            },
        ],
        Architecture::Lambda(_) => [
            Scenario {
                tasks: 0.0,
                requests: r / 2.0,
            },
            Scenario {
                tasks: 0.0,
                requests: r,
            },
            Scenario {
                tasks: 0.0,
                requests: r * 2.0,
            },
        ],
    }
}

/// The monthly estimate of a valid plan.
pub fn estimate(plan: &ValidPlan, book: &PriceBook, options: Options) -> Estimate {
    estimate_plan(plan.plan(), book, options)
}

pub(crate) fn estimate_plan(plan: &Plan, book: &PriceBook, options: Options) -> Estimate {
    let [low, typical, high] = scenarios(plan);
    let (p, mut assumptions) = price(plan, book, options, typical);
    let min = total(&price(plan, book, options, low).0);
    let max = total(&price(plan, book, options, high).0);
    let range_text = match &plan.architecture {
        Architecture::Fargate(f) => format!(
            "Range: minimum = {} tasks at half the traffic; maximum = {} tasks at double the traffic.",
            f.min_tasks, f.max_tasks
        ),
        Architecture::Lambda(_) => "Range: half and double the stated requests.".to_string(),
    };
    assumptions.push(range_text);
    let mut lines = p.lines;
    for line in &mut lines {
        line.monthly_usd = line.monthly_usd.map(round_cents);
    }
    Estimate {
        currency: "USD".into(),
        architecture: plan.kind().as_str().into(),
        region: plan.region.code().into(),
        monthly_usd: round_cents(lines.iter().filter_map(|l| l.monthly_usd).sum()),
        range: Range {
            min: round_cents(min),
            max: round_cents(max),
        },
        lower_bound: !p.unknown.is_empty(),
        lines,
        assumptions,
        unknown: p.unknown,
        not_estimated: p.not_estimated,
        price_book: book.reference(),
    }
}

/// Total for an arbitrary scenario (the comparison curve).
pub(crate) fn total_at(plan: &Plan, book: &PriceBook, options: Options, s: Scenario) -> f64 {
    total(&price(plan, book, options, s).0)
}

/// What a diagram node's hover says about cost: its service's lines, or why it has none.
pub fn node_cost_text(estimate: &Estimate, resource_type: &str) -> Option<String> {
    match crate::resources::lookup(resource_type)?.billing {
        Billing::Service(service) => {
            let lines: Vec<&Line> = estimate
                .lines
                .iter()
                .filter(|l| l.service == service)
                .collect();
            let known: f64 = lines.iter().filter_map(|l| l.monthly_usd).sum();
            let unknown = lines.iter().any(|l| l.monthly_usd.is_none());
            let items = lines
                .iter()
                .map(|l| l.item.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            Some(format!(
                "{service}: ${known:.2}/month{} ({items})",
                if unknown { " + unknown" } else { "" }
            ))
        }
        Billing::Free(reason) => Some(format!("free: {reason}")),
        Billing::NotEstimated(reason) => Some(format!("not estimated: {reason}")),
    }
}
