//! The cost estimator: every billable thing a plan's template creates, as lines that each give a
//! quantity, a unit price from the price book and the formula with its assumptions. A price the
//! book lacks is "unknown" (the total is then a lower bound), never $0.

pub mod book;
mod compare;
mod diff;
mod fargate;
mod lambda;
mod pricer;
mod settings;

use serde::{Deserialize, Serialize};

pub use crate::resources::Billing;
pub use book::{BookRef, Origin, Price, PriceBook, Withheld};
pub use compare::{Bound, Comparison, CurvePoint, Sides, compare, counterpart};
pub use diff::{Difference, LineChange, difference};
pub(crate) use pricer::Pricer;
pub use pricer::{fmt_qty, fmt_usd, fmt_usd_rate, fmt_usd_signed, group_digits, whole_cents};

use crate::plan::{Architecture, Fargate, Lambda, Plan};
use crate::validate::{ValidPlan, limits};

/// Hours in a month, as AWS's Pricing Calculator counts them.
pub const HOURS_PER_MONTH: f64 = 730.0;
/// [`HOURS_PER_MONTH`] as a formula or the page writes it (`730`).
pub const HOURS: crate::decimal::Plain = crate::decimal::Plain(HOURS_PER_MONTH);
/// Seconds in that month.
pub const SECONDS_PER_MONTH: f64 = HOURS_PER_MONTH * 3600.0;
/// Days in that month (730 h ÷ 24): log retention is stored for days ÷ this many months.
pub const DAYS_PER_MONTH: f64 = HOURS_PER_MONTH / 24.0;

/// Usage the plan does not state, assumed and said on every estimate.
pub mod assume {
    /// Where the book has AWS's stated maximum Fargate Spot discount ("up to 70%"), which gives
    /// the least a Spot hour can cost in a region the book has no Spot rate for.
    pub const SPOT_DISCOUNT_FALLBACK_REGION: &str = "us-east-1";
    /// Container image size, GB.
    pub const IMAGE_GB: f64 = 0.5;
    /// Deployments per month (each pulls the image once per task through NAT).
    pub const DEPLOYS_PER_MONTH: f64 = 4.0;
    /// Function code zips in a Lambda stack's code bucket, GB: every upload has its own key
    /// and is kept (a rollback may need an older one).
    pub const FUNCTION_CODE_GB: f64 = 0.1;
    /// Objects stored in the application bucket, GB.
    pub const S3_STORAGE_GB: f64 = 10.0;
    /// S3 PUT/LIST per HTTP request.
    pub const S3_PUTS_PER_REQUEST: f64 = 0.01;
    /// S3 GET per HTTP request.
    pub const S3_GETS_PER_REQUEST: f64 = 0.1;
    /// Size of an object the application reads or writes in S3, KB.
    pub const S3_OBJECT_KB: f64 = 20.0;
    /// Database and cache traffic per HTTP request, both directions together, KB.
    pub const DATA_KB_PER_REQUEST: f64 = 10.0;
    /// Share of a single-AZ database's or cache primary's traffic that crosses AZs: the tasks
    /// are spread over two AZs, so half of them talk to the other AZ.
    pub const CROSS_AZ_SHARE: f64 = 0.5;
    /// In the range's maximum, a burstable database runs this share of a vCPU above its
    /// baseline all month, paid as surplus CPU credits (unlimited mode, RDS's default for T4g
    /// and T3).
    pub const DB_SURPLUS_VCPU_AT_PEAK: f64 = 0.25;
    /// Share of the database's allocated storage holding data (drives backup size).
    pub const DB_USED_SHARE: f64 = 0.5;
    /// Bytes of Lambda's own log lines per invocation (START, END and REPORT).
    pub const LAMBDA_PLATFORM_LOG_BYTES: f64 = 350.0;
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
    /// `true` when the unit price comes from a book row that is derived from other prices
    /// (for example Multi-AZ = 2 × Single-AZ), not read from a price list.
    #[serde(default)]
    pub derived: bool,
}

/// A billable thing the estimate does not price, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotEstimated {
    pub service: String,
    pub item: String,
    pub reason: String,
    /// Billed to this stack's account for this plan, and left out of the total, which does not
    /// say "at least" for it (nearly every plan has such an item, so every comparison's
    /// verdict would be "unknown"): it is named beside the total instead.
    /// `false`: free within its allowance, or billed elsewhere.
    #[serde(default)]
    pub billed: bool,
}

impl Estimate {
    /// What is billed but left out of the total: "Point-in-time recovery (DynamoDB)", ….
    pub fn not_in_total(&self) -> Vec<String> {
        self.not_estimated
            .iter()
            .filter(|n| n.billed)
            .map(|n| format!("{} ({})", n.item, n.service))
            .collect()
    }
}

/// Monthly cost at the low and high ends.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Range {
    pub min: f64,
    pub max: f64,
    /// `true` when either end has a line whose price is unknown: the real figures are higher.
    #[serde(default)]
    pub lower_bound: bool,
}

/// What the plan's traffic needs against what the plan can carry.
///
/// In JSON, a Fargate plan's is `{needed, tasks, max_tasks}`; a Lambda plan's names its
/// concurrency and request rate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Capacity {
    Fargate(TaskCapacity),
    Lambda(LambdaCapacity),
}

impl Capacity {
    /// `true` when the traffic needs more than the plan allows.
    pub fn over(&self) -> bool {
        match self {
            Capacity::Fargate(c) => c.over(),
            Capacity::Lambda(c) => c.over(),
        }
    }

    /// What the estimate says when the plan cannot carry its traffic.
    pub fn warning(&self) -> Option<String> {
        match self {
            Capacity::Fargate(c) => c.warning(),
            Capacity::Lambda(c) => c.warning(),
        }
    }

    /// Fargate tasks priced (`None` for Lambda).
    pub fn tasks(&self) -> Option<u32> {
        match self {
            Capacity::Fargate(c) => Some(c.tasks),
            Capacity::Lambda(_) => None,
        }
    }
}

/// How many Fargate tasks the plan's traffic needs, and how many the plan can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskCapacity {
    /// Tasks the traffic needs at the autoscaling target (never below `min_tasks`).
    pub needed: u32,
    /// Tasks priced: `needed`, capped at `max_tasks`.
    pub tasks: u32,
    pub max_tasks: u32,
}

impl TaskCapacity {
    /// `true` when the traffic needs more tasks than the plan allows.
    pub fn over(&self) -> bool {
        self.needed > self.max_tasks
    }

    /// What the estimate says when the plan cannot carry its traffic.
    pub fn warning(&self) -> Option<String> {
        self.over().then(|| {
            format!(
                "Over capacity: the traffic needs {} tasks, but the plan allows at most {}; the estimate prices {} tasks, and requests beyond their capacity would be slow or fail.",
                self.needed, self.max_tasks, self.tasks
            )
        })
    }
}

/// A Lambda plan's traffic, averaged over the month, against the function's concurrency and
/// the API's throttling rate. The average is a lower bound on the peaks: over a limit on
/// average, the plan is over it for certain.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LambdaCapacity {
    /// Requests per second: the month's requests ÷ its seconds.
    pub requests_per_second: f64,
    /// Average duration of a request, in seconds.
    pub duration_s: f64,
    /// Concurrent executions: requests per second × duration.
    pub concurrency: f64,
    /// The most executions the function runs at once.
    pub concurrency_limit: ConcurrencyLimit,
    /// The API stage's steady request rate, when it has one.
    pub rate_limit: Option<RateLimit>,
}

/// Where a function's concurrency ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConcurrencyLimit {
    /// The function's reserved concurrency.
    Reserved(u32),
    /// The account's default quota per region, shared by all its functions
    /// ([`limits::ACCOUNT_CONCURRENCY`]); AWS raises it on request.
    AccountDefault(u32),
}

impl ConcurrencyLimit {
    pub fn executions(self) -> u32 {
        match self {
            ConcurrencyLimit::Reserved(n) | ConcurrencyLimit::AccountDefault(n) => n,
        }
    }
}

/// An API stage's throttling rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateLimit {
    /// The plan's `lambda.throttling`, requests per second.
    Plan(u32),
    /// A REST API stage's rate when the plan sets none.
    RestDefault(u32),
}

impl RateLimit {
    pub fn requests_per_second(self) -> u32 {
        match self {
            RateLimit::Plan(n) | RateLimit::RestDefault(n) => n,
        }
    }
}

impl LambdaCapacity {
    fn concurrency_over(&self) -> bool {
        self.concurrency > f64::from(self.concurrency_limit.executions())
    }

    fn rate_over(&self) -> bool {
        self.rate_limit
            .is_some_and(|r| self.requests_per_second > f64::from(r.requests_per_second()))
    }

    /// `true` when even the average traffic is above a limit.
    pub fn over(&self) -> bool {
        self.concurrency_over() || self.rate_over()
    }

    /// Each limit the average traffic is above, in words.
    pub fn reasons(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.concurrency_over() {
            let limit = self.concurrency_limit.executions();
            let whose = match self.concurrency_limit {
                ConcurrencyLimit::Reserved(n) => {
                    format!(
                        "the function's reserved concurrency is {}",
                        fmt_qty(f64::from(n))
                    )
                }
                ConcurrencyLimit::AccountDefault(n) => format!(
                    "the account's default quota is {} concurrent executions per region, shared by all its functions (AWS raises it on request)",
                    fmt_qty(f64::from(n))
                ),
            };
            out.push(format!(
                "the traffic needs at least {} concurrent executions (its average: {} requests/s × {} s; peaks need more), but {whose}; invocations beyond it are throttled (429)",
                floor_above(self.concurrency, f64::from(limit)),
                floor_above(self.requests_per_second, 0.0),
                fmt_qty(self.duration_s)
            ));
        }
        if let Some(rate) = self.rate_limit.filter(|_| self.rate_over()) {
            let n = rate.requests_per_second();
            let whose = match rate {
                RateLimit::Plan(_) => format!(
                    "its throttling rate of {} requests/s",
                    fmt_qty(f64::from(n))
                ),
                RateLimit::RestDefault(_) => format!(
                    "the REST API stage's default throttling rate of {} requests/s (lambda.throttling sets another)",
                    fmt_qty(f64::from(n))
                ),
            };
            out.push(format!(
                "even on average the API receives {} requests/s, more than {whose}; requests beyond it are refused (429 Too Many Requests)",
                floor_above(self.requests_per_second, f64::from(n))
            ));
        }
        out
    }

    /// What the estimate says when the function cannot carry its traffic.
    pub fn warning(&self) -> Option<String> {
        let reasons = self.reasons();
        (!reasons.is_empty()).then(|| {
            format!(
                "Over capacity: {}. The estimate prices every request as if served.",
                reasons.join(". Also, ")
            )
        })
    }
}

/// `x` rounded down, with as few decimals (up to 3) as keep it above `limit`: the figure an
/// "at least" can say.
fn floor_above(x: f64, limit: f64) -> String {
    let mut decimals = 0;
    let mut scale = 1.0;
    let mut floored = x.floor();
    while floored <= limit && decimals < 3 {
        decimals += 1;
        scale *= 10.0;
        floored = (x * scale).floor() / scale;
    }
    let whole = floored.trunc();
    if decimals == 0 {
        return fmt_qty(whole);
    }
    let fraction = ((floored - whole) * scale).round() as u64;
    format!("{}.{fraction:0decimals$}", fmt_qty(whole))
}

/// A monthly estimate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub currency: String,
    pub architecture: String,
    pub region: String,
    /// The typical month: the stated traffic, with the Fargate tasks it needs.
    pub monthly_usd: f64,
    /// Half and double the stated traffic, each with the tasks it needs; the maximum also spends
    /// a burstable database's surplus CPU credits.
    pub range: Range,
    /// `true` when some price is unknown: the real total is higher.
    pub lower_bound: bool,
    pub lines: Vec<Line>,
    pub assumptions: Vec<String>,
    /// Items whose price the book lacks for this region.
    pub unknown: Vec<String>,
    pub not_estimated: Vec<NotEstimated>,
    pub price_book: BookRef,
    /// The traffic against the plan's limits. Fargate: always (the tasks the traffic needs and
    /// the tasks priced). Lambda: only when even the average traffic is over the function's
    /// concurrency or the API's throttling rate (within them, there is nothing to say).
    #[serde(default)]
    pub capacity: Option<Capacity>,
}

impl Estimate {
    /// The `n` most expensive lines.
    pub fn largest_lines(&self, n: usize) -> Vec<&Line> {
        let mut lines: Vec<&Line> = self
            .lines
            .iter()
            .filter(|l| l.monthly_usd.is_some())
            .collect();
        // Largest first; equal amounts keep the estimate's order.
        crate::sort::sort_small_by(&mut lines, |a, b| {
            a.monthly_usd.partial_cmp(&b.monthly_usd) == Some(std::cmp::Ordering::Greater)
        });
        lines.truncate(n);
        lines
    }

    /// Subtotals by component (compute, network, data, observability), every component listed:
    /// the service groups of [`Estimate::by_service`], gathered by component.
    pub fn by_component(&self) -> Vec<ComponentTotal> {
        let groups = self.by_service();
        Component::ALL
            .iter()
            .map(|&component| {
                let mine: Vec<_> = groups
                    .iter()
                    .filter(|(service, _, _)| Component::of(service) == component)
                    .collect();
                ComponentTotal {
                    component,
                    usd: round_cents(mine.iter().map(|(_, subtotal, _)| subtotal).sum()),
                    lower_bound: mine
                        .iter()
                        .any(|(_, _, lines)| lines.iter().any(|l| l.monthly_usd.is_none())),
                    services: mine.iter().map(|(service, _, _)| service.clone()).collect(),
                }
            })
            .collect()
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

/// The part of a stack a cost line belongs to, for side-by-side comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    Compute,
    Network,
    Data,
    Observability,
}

impl Component {
    pub const ALL: [Component; 4] = [
        Component::Compute,
        Component::Network,
        Component::Data,
        Component::Observability,
    ];

    /// The component of a line, by its service.
    pub fn of(service: &str) -> Component {
        match service {
            "Fargate" | "Lambda" => Component::Compute,
            "Load balancer" | "NAT gateway" | "VPC" | "Data transfer" | "API Gateway" => {
                Component::Network
            }
            "CloudWatch" | "SNS" => Component::Observability,
            _ => Component::Data,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Component::Compute => "Compute",
            Component::Network => "Network",
            Component::Data => "Data and storage",
            Component::Observability => "Observability",
        }
    }
}

/// One component's share of an estimate.
#[derive(Clone, Debug, PartialEq)]
pub struct ComponentTotal {
    pub component: Component,
    pub usd: f64,
    /// Some line of it has an unknown price.
    pub lower_bound: bool,
    /// Its services, in order of first appearance.
    pub services: Vec<String>,
}

/// What a month looks like for one estimate point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Scenario {
    /// Running Fargate tasks (average over the month).
    pub tasks: f64,
    pub requests: f64,
    /// The high end of the range: burstable databases spend surplus CPU credits.
    pub peak: bool,
}

impl Scenario {
    /// The one cost model's month at `requests`: Fargate tasks from [`capacity`].
    pub(crate) fn at(plan: &Plan, requests: f64) -> Scenario {
        Scenario {
            tasks: plan
                .fargate()
                .map_or(0.0, |f| f64::from(task_capacity(plan, f, requests).tasks)),
            requests,
            peak: false,
        }
    }

    /// The top of the estimate's range: double the stated traffic, with its tasks, and a
    /// burstable database spending surplus CPU credits.
    pub(crate) fn range_top(plan: &Plan) -> Scenario {
        Scenario {
            peak: true,
            ..Scenario::at(plan, plan.workload.requests_per_month as f64 * 2.0)
        }
    }
}

/// What `requests` a month need of the plan, against what it can carry: see [`TaskCapacity`]
/// and [`LambdaCapacity`].
pub fn capacity(plan: &Plan, requests: f64) -> Capacity {
    match &plan.architecture {
        Architecture::Fargate(f) => Capacity::Fargate(task_capacity(plan, f, requests)),
        Architecture::Lambda(l) => Capacity::Lambda(lambda_capacity(plan, l, requests)),
    }
}

/// The most requests a month the plan carries on average: beyond it, [`capacity`] says the
/// plan is over (its maximum tasks at the autoscaling target; a function's concurrency limit
/// or its API's throttling rate, whichever is lower). `None` when no limit is a number.
pub fn carried_requests(plan: &Plan) -> Option<f64> {
    let per_second = match &plan.architecture {
        Architecture::Fargate(f) => Some(task_rps(plan, f) * f64::from(f.max_tasks)),
        Architecture::Lambda(l) => {
            let c = lambda_capacity(plan, l, 0.0);
            let by_concurrency = f64::from(c.concurrency_limit.executions()) / c.duration_s;
            let by_rate = c.rate_limit.map(|r| f64::from(r.requests_per_second()));
            Some(by_rate.map_or(by_concurrency, |r| r.min(by_concurrency)))
        }
    };
    let most = per_second
        .map(|r| (r * SECONDS_PER_MONTH).floor())
        .filter(|r| r.is_finite() && *r > 0.0 && *r < 9e15)?;
    // Whole requests, as `capacity` counts them: the division it makes may land a float's
    // step above the limit this multiplication found.
    (0..16)
        .map(|step| most - f64::from(step))
        .find(|r| *r > 0.0 && !capacity(plan, *r).over())
}

/// Tasks a Fargate plan runs for `requests` a month: each request keeps one vCPU busy for
/// [`assume::CPU_SHARE_OF_DURATION`] of its duration, and tasks run at the autoscaling target;
/// never below `min_tasks`, never above `max_tasks` (the capacity says when the traffic needs
/// more).
fn task_capacity(plan: &Plan, f: &Fargate, requests: f64) -> TaskCapacity {
    let rps = requests / SECONDS_PER_MONTH;
    let per_task = task_rps(plan, f);
    let needed = (rps / per_task).ceil().clamp(0.0, f64::from(u32::MAX)) as u32;
    let needed = needed.max(f.min_tasks);
    TaskCapacity {
        needed,
        tasks: needed.min(f.max_tasks),
        max_tasks: f.max_tasks,
    }
}

/// Requests a second one task carries at the autoscaling target.
fn task_rps(plan: &Plan, f: &Fargate) -> f64 {
    let cpu_ms = f64::from(plan.workload.avg_duration_ms) * assume::CPU_SHARE_OF_DURATION;
    f.vcpu * f64::from(f.cpu_target_percent) / 100.0 * 1000.0 / cpu_ms.max(1.0)
}

/// Requests a month one task carries at the autoscaling target, when that is a number.
pub(crate) fn requests_per_task(plan: &Plan, f: &Fargate) -> Option<f64> {
    Some(task_rps(plan, f) * SECONDS_PER_MONTH).filter(|r| r.is_finite() && *r > 0.0)
}

/// A Lambda plan's average concurrency (requests per second × duration) and request rate for
/// `requests` a month, against its reserved concurrency (else the account's default quota)
/// and its API stage's throttling rate.
fn lambda_capacity(plan: &Plan, l: &Lambda, requests: f64) -> LambdaCapacity {
    let requests_per_second = requests / SECONDS_PER_MONTH;
    let (duration_s, _) = lambda::run_seconds(plan, l);
    LambdaCapacity {
        requests_per_second,
        duration_s,
        concurrency: requests_per_second * duration_s,
        concurrency_limit: match l.reserved_concurrency {
            Some(n) => ConcurrencyLimit::Reserved(n),
            None => ConcurrencyLimit::AccountDefault(limits::ACCOUNT_CONCURRENCY),
        },
        rate_limit: l.stage_throttling().map(|t| match l.throttling {
            Some(_) => RateLimit::Plan(t.rate_per_second),
            None => RateLimit::RestDefault(t.rate_per_second),
        }),
    }
}

/// `x` to the cent, as by hand ([`pricer::whole_cents`]): every line's amount, subtotal, range
/// and change.
fn round_cents(x: f64) -> f64 {
    pricer::whole_cents(x) / 100.0
}

/// The assumptions a pricing states, in words. A numbers-only pricing (the comparison's curve,
/// hundreds of totals a comparison) keeps none, and formats none: its text is never made.
pub(super) struct Notes {
    list: Vec<String>,
    on: bool,
}

impl Notes {
    fn new(on: bool) -> Notes {
        Notes {
            list: Vec::new(),
            on,
        }
    }

    /// Whether the words are kept: text built ahead of [`Notes::say`] is worth building.
    pub(super) fn wanted(&self) -> bool {
        self.on
    }

    /// States `text` unless it was said already (built only when [`Notes::wanted`]).
    pub(super) fn say_once(&mut self, text: String) {
        if self.on && !self.list.contains(&text) {
            self.list.push(text);
        }
    }

    /// States an assumption (written only when the words are kept).
    pub(super) fn say(&mut self, text: std::fmt::Arguments<'_>) {
        if self.on {
            self.list.push(text.to_string());
        }
    }
}

/// Prices one scenario of a plan: the lines, the assumptions in words.
fn price<'b>(
    plan: &Plan,
    book: &'b PriceBook,
    options: Options,
    s: Scenario,
) -> (Pricer<'b>, Vec<String>) {
    price_with(Pricer::new(book, plan.region.code()), plan, options, s)
}

/// A scenario's total alone: the same lines, without their words.
fn total_of(plan: &Plan, book: &PriceBook, options: Options, s: Scenario) -> Total {
    let pricer = Pricer::numbers_only(book, plan.region.code());
    total(&price_with(pricer, plan, options, s).0)
}

/// The lines of `plan` at its own traffic, named, and what each unknown price among them is,
/// in an estimate's words: what [`estimate_plan`] gives of them, without formulas, assumptions
/// or the range (the comparison reads which prices are unknown around a crossing).
fn unknowns(plan: &Plan, book: &PriceBook, options: Options) -> (Vec<Line>, Vec<String>) {
    let s = Scenario::at(plan, plan.workload.requests_per_month as f64);
    let pricer = Pricer::unknowns_only(book, plan.region.code());
    let (p, _) = price_with(pricer, plan, options, s);
    (p.lines, p.unknown)
}

fn price_with<'b>(
    mut p: Pricer<'b>,
    plan: &Plan,
    options: Options,
    s: Scenario,
) -> (Pricer<'b>, Vec<String>) {
    let mut assumptions = Notes::new(p.wants_words());
    assumptions.say(format_args!(
        "A month is {HOURS} hours, as AWS's Pricing Calculator counts it."
    ));
    match &plan.architecture {
        Architecture::Fargate(f) => fargate::lines(&mut p, &mut assumptions, plan, f, options, s),
        Architecture::Lambda(l) => lambda::lines(&mut p, &mut assumptions, plan, l, options, s),
    }
    (p, assumptions.list)
}

/// A month's total, and whether it is only a lower bound (some line's price is unknown).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Total {
    pub usd: f64,
    pub lower_bound: bool,
}

/// Sums the lines as the estimate shows them (each rounded to the cent), so a curve point and
/// the headline at the same traffic are the same number.
fn total(p: &Pricer<'_>) -> Total {
    Total {
        usd: round_cents(
            p.lines
                .iter()
                .filter_map(|l| l.monthly_usd)
                .map(round_cents)
                .sum(),
        ),
        lower_bound: p.lines.iter().any(|l| l.monthly_usd.is_none()),
    }
}

/// The monthly estimate of a valid plan.
pub fn estimate(plan: &ValidPlan, book: &PriceBook, options: Options) -> Estimate {
    estimate_plan(plan.plan(), book, options)
}

/// The top of a Fargate plan's autoscaling band: its month with every one of `max_tasks`
/// running all month, at the range's top (double the traffic, the database spending surplus
/// CPU credits). What the service can cost once scaling has run to its bound, beside the
/// range (whose tasks follow the traffic), so never below the range.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Ceiling {
    pub tasks: u32,
    pub usd: f64,
    /// Some line's price is unknown: the real figure is higher.
    pub lower_bound: bool,
}

/// See [`Ceiling`]; `None` for Lambda, which has no task bound, and when the range's top
/// runs every task already (it is then the ceiling, and says so).
pub fn ceiling(plan: &ValidPlan, book: &PriceBook, options: Options) -> Option<Ceiling> {
    let plan = plan.plan();
    let f = plan.fargate()?;
    let top = Scenario::range_top(plan);
    if top.tasks >= f64::from(f.max_tasks) {
        return None;
    }
    let scenario = Scenario {
        tasks: f64::from(f.max_tasks),
        ..top
    };
    let t = total_of(plan, book, options, scenario);
    Some(Ceiling {
        tasks: f.max_tasks,
        usd: t.usd,
        lower_bound: t.lower_bound,
    })
}

pub(crate) fn estimate_plan(plan: &Plan, book: &PriceBook, options: Options) -> Estimate {
    let r = plan.workload.requests_per_month as f64;
    let typical = Scenario::at(plan, r);
    let low = Scenario::at(plan, r / 2.0);
    let high = Scenario::range_top(plan);
    let (p, mut assumptions) = price(plan, book, options, typical);
    let min = total_of(plan, book, options, low);
    let max = total_of(plan, book, options, high);
    // A Lambda plan within its limits says nothing of them.
    let capacity =
        Some(capacity(plan, r)).filter(|c| matches!(c, Capacity::Fargate(_)) || c.over());
    let range_text = match &plan.architecture {
        Architecture::Fargate(f) => format!(
            "Tasks follow the traffic: as many as it needs at the {}% CPU target (each request keeps a vCPU busy for {}% of its duration), never fewer than {} or more than {}. Range: half and double the stated requests, with the tasks each needs.",
            f.cpu_target_percent,
            crate::decimal::Fixed::<0>(assume::CPU_SHARE_OF_DURATION * 100.0),
            f.min_tasks,
            f.max_tasks
        ),
        Architecture::Lambda(_) => "Range: half and double the stated requests.".to_string(),
    };
    assumptions.push(range_text);
    if let Some(w) = capacity.and_then(|c| c.warning()) {
        assumptions.push(w);
    }
    let typical = total(&p);
    let mut lines = p.lines;
    for line in &mut lines {
        line.monthly_usd = line.monthly_usd.map(round_cents);
    }
    Estimate {
        currency: "USD".into(),
        architecture: plan.kind().as_str().into(),
        region: plan.region.code().into(),
        monthly_usd: typical.usd,
        range: Range {
            min: round_cents(min.usd),
            max: round_cents(max.usd),
            lower_bound: min.lower_bound || max.lower_bound,
        },
        lower_bound: typical.lower_bound,
        lines,
        assumptions,
        unknown: p.unknown,
        not_estimated: p.not_estimated,
        price_book: book.reference(),
        capacity,
    }
}

/// Total at `requests` a month by the one cost model (the comparison curve).
pub(crate) fn total_at(plan: &Plan, book: &PriceBook, options: Options, requests: f64) -> Total {
    total_of(plan, book, options, Scenario::at(plan, requests))
}

/// What a diagram node's hover says about cost: its service's lines, and what of the service
/// is not estimated (all of it, when it has no line: never a bare "$0.00"). `alike`: how many
/// resources the diagram shows under that service ([`crate::topology::Topology::billed_alike`]);
/// more than one, the text says the cost is theirs together, so that no one adds it up twice.
pub fn node_cost_text(estimate: &Estimate, resource_type: &str, alike: usize) -> Option<String> {
    match crate::resources::lookup(resource_type)?.billing {
        Billing::Service(service) => {
            let lines: Vec<&Line> = estimate
                .lines
                .iter()
                .filter(|l| l.service == service)
                .collect();
            let not_estimated = estimate
                .not_estimated
                .iter()
                .filter(|n| n.service == service);
            if lines.is_empty() {
                let why = not_estimated
                    .map(|n| format!("{}: {}", n.item, n.reason))
                    .collect::<Vec<_>>();
                return (!why.is_empty())
                    .then(|| format!("{service}: not estimated ({})", why.join("; ")));
            }
            let known: f64 = lines.iter().filter_map(|l| l.monthly_usd).sum();
            let unknown = lines.iter().any(|l| l.monthly_usd.is_none());
            let items = lines
                .iter()
                .map(|l| l.item.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let left_out = not_estimated
                .map(|n| n.item.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            Some(format!(
                "{service}{}: {}/month{} ({items}){}",
                match alike {
                    0 | 1 => String::new(),
                    2 => ", both shown together".to_string(),
                    n => format!(", all {n} shown together"),
                },
                fmt_usd(known),
                if unknown { " + unknown" } else { "" },
                if left_out.is_empty() {
                    String::new()
                } else {
                    format!("; not estimated: {left_out}")
                }
            ))
        }
        Billing::Free(reason) => Some(format!("free: {reason}")),
        Billing::NotEstimated(reason) => Some(format!("not estimated: {reason}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The comparison reads a side's unknown prices through [`unknowns`], without formulas: the
    /// same lines (names, quantities, which are unknown) and the same messages, word for word,
    /// as the estimate's, in every region, with and without the free tier, with Spot (whose
    /// unknown rate carries a note) and at traffic from the curve's start to its end.
    #[test]
    fn the_unknowns_without_formulas_are_the_estimates() {
        let book = PriceBook::embedded();
        let mut spot = crate::examples::fargate();
        if let Architecture::Fargate(f) = &mut spot.architecture {
            f.spot_percent = 50;
        }
        let mut checked = 0;
        let mut said = 0;
        let mut spot_notes = 0;
        for base in [crate::examples::fargate(), crate::examples::lambda(), spot] {
            for region in crate::plan::Region::ALL {
                for requests in [1_000, 50_000_000, 3_000_000_000, 100_000_000_000] {
                    for free_tier in [true, false] {
                        let mut plan = base.clone();
                        plan.region = region;
                        plan.workload.requests_per_month = requests;
                        let o = Options { free_tier };
                        let e = estimate_plan(&plan, book, o);
                        let (lines, unknown) = unknowns(&plan, book, o);
                        let names = |l: &Line| {
                            (
                                l.service.clone(),
                                l.item.clone(),
                                l.quantity,
                                l.monthly_usd.is_none(),
                            )
                        };
                        assert_eq!(
                            lines.iter().map(names).collect::<Vec<_>>(),
                            e.lines.iter().map(names).collect::<Vec<_>>(),
                        );
                        assert_eq!(unknown, e.unknown);
                        assert!(lines.iter().all(|l| l.formula.is_empty()));
                        said += unknown.len();
                        spot_notes += unknown
                            .iter()
                            .filter(|m| m.contains("Spot prices float"))
                            .count();
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 3 * 6 * 4 * 2);
        assert!(said > 50, "{said} unknown prices said");
        assert!(spot_notes > 0, "no unknown Spot rate with its note");
    }

    /// The Fargate example runs 2 tasks at double its traffic and may scale to 10: its ceiling
    /// is the range's top with 10 all month, the difference being 8 tasks' compute. Lambda has
    /// none, nor a plan whose range's top needs every task already.
    #[test]
    fn the_ceiling_runs_every_task_the_plan_allows() {
        let book = PriceBook::embedded();
        let o = Options::default();
        let plan = ValidPlan::new(crate::examples::fargate()).unwrap();
        let e = estimate(&plan, book, o);
        let c = ceiling(&plan, book, o).unwrap();
        assert_eq!(c.tasks, 10);
        let per_task: f64 = e
            .lines
            .iter()
            .filter(|l| l.service == "Fargate")
            .filter_map(|l| l.monthly_usd)
            .sum::<f64>()
            / 2.0;
        assert!(
            (c.usd - e.range.max - 8.0 * per_task).abs() < 0.05,
            "{c:?} vs {} + 8 × {per_task}",
            e.range.max
        );
        assert_eq!(c.lower_bound, e.range.lower_bound);
        let lambda = ValidPlan::new(crate::examples::lambda()).unwrap();
        assert_eq!(ceiling(&lambda, book, o), None);
        let mut fixed = crate::examples::fargate();
        if let Architecture::Fargate(f) = &mut fixed.architecture {
            (f.min_tasks, f.desired_tasks, f.max_tasks) = (3, 3, 3);
        }
        assert_eq!(ceiling(&ValidPlan::new(fixed).unwrap(), book, o), None);
        // Traffic whose double needs all 10 tasks: the range's top is the ceiling already.
        let mut busy = crate::examples::fargate();
        busy.workload.requests_per_month = 400_000_000;
        let busy = ValidPlan::new(busy).unwrap();
        assert_eq!(
            capacity(busy.plan(), 800_000_000.0).tasks(),
            Some(10),
            "the range's top runs every task"
        );
        assert_eq!(ceiling(&busy, book, o), None);
    }

    /// A function stops at its timeout: requests that would outlast it are billed for the
    /// timeout, not for their whole average duration, and the assumption says so.
    #[test]
    fn a_request_past_the_timeout_is_billed_for_the_timeout() {
        let book = PriceBook::embedded();
        let o = Options::default();
        let with = |duration_ms: u32, timeout_s: u32| {
            let mut plan = crate::examples::lambda();
            plan.workload.avg_duration_ms = duration_ms;
            if let Architecture::Lambda(l) = &mut plan.architecture {
                l.timeout_s = timeout_s;
            }
            estimate(&ValidPlan::new(plan).unwrap(), book, o)
        };
        let duration = |e: &Estimate| {
            e.lines
                .iter()
                .find(|l| l.item.starts_with("Duration"))
                .map(|l| (l.quantity, l.monthly_usd))
                .unwrap()
        };
        let cut = with(5_000, 1);
        assert_eq!(duration(&cut), duration(&with(1_000, 1)));
        // A stopped request holds its execution until the timeout, no longer.
        let mut plan = crate::examples::lambda();
        plan.workload.avg_duration_ms = 20_000;
        if let Architecture::Lambda(l) = &mut plan.architecture {
            l.timeout_s = 10;
        }
        let Capacity::Lambda(c) = capacity(&plan, 1e6) else {
            unreachable!()
        };
        assert_eq!(c.duration_s, 10.0);
        assert!(duration(&cut).0 < duration(&with(5_000, 10)).0);
        assert!(
            cut.assumptions
                .iter()
                .any(|a| a.contains("past the function's 1 s timeout")),
            "{:?}",
            cut.assumptions
        );
    }

    /// A Fargate plan's capacity reads as it always did in JSON; both kinds read back.
    #[test]
    fn capacity_json_keeps_its_fargate_shape_and_reads_back() {
        let fargate = capacity(&crate::examples::fargate(), 1e7);
        assert_eq!(
            serde_json::to_string(&fargate).unwrap(),
            r#"{"needed":2,"tasks":2,"max_tasks":10}"#
        );
        let mut plan = crate::examples::lambda();
        if let Architecture::Lambda(l) = &mut plan.architecture {
            l.reserved_concurrency = Some(10);
        }
        let lambda = capacity(&plan, 5e9);
        for c in [fargate, lambda] {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(
                serde_json::from_str::<Capacity>(&json).unwrap(),
                c,
                "{json}"
            );
        }
    }

    /// The comparison curve and the estimate's range price without words: the totals must be
    /// the worded estimate's, for every plan of the matrix, with and without the free tier,
    /// from no traffic to far past the curve.
    #[test]
    fn totals_without_words_are_the_worded_totals() {
        let book = PriceBook::embedded();
        let mut compared = 0;
        for (name, plan) in crate::examples::matrix() {
            for free_tier in [true, false] {
                let options = Options { free_tier };
                for requests in [0.0, 1.0, 12_345.0, 3.2e6, 7.7e8, 4.1e10] {
                    for peak in [false, true] {
                        let s = Scenario {
                            peak,
                            ..Scenario::at(&plan, requests)
                        };
                        let worded = total(&price(&plan, book, options, s).0);
                        assert_eq!(
                            total_of(&plan, book, options, s),
                            worded,
                            "{name}, free tier {free_tier}, {requests} requests, peak {peak}"
                        );
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 100, "the matrix has plans");
    }
}
