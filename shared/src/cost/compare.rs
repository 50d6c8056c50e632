//! Fargate against Lambda for the same workload: both estimates, the cost curve over traffic
//! (the same cost model as the estimate), and where the two cross, as a bound when a price is
//! unknown.

use serde::{Deserialize, Serialize};

use super::{Capacity, Estimate, Options, PriceBook, assume, capacity, estimate_plan, total_at};
use crate::examples;
use crate::plan::{Architecture, ArchitectureKind, CpuArch, EnvSource, EnvVar, Plan};
use crate::resources::controls;
use crate::validate::limits;

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
    /// Fargate tasks priced at this traffic (capped at the plan's maximum).
    pub fargate_tasks: f64,
    /// `true` when a Fargate price at this traffic is unknown: the real cost is higher.
    #[serde(default)]
    pub fargate_lower_bound: bool,
    /// `true` when a Lambda price at this traffic is unknown.
    #[serde(default)]
    pub lambda_lower_bound: bool,
    /// `true` when the traffic needs more tasks than the Fargate plan's maximum.
    #[serde(default)]
    pub fargate_over_capacity: bool,
    /// `true` when even the average traffic is over the Lambda function's concurrency or its
    /// API's throttling rate.
    #[serde(default)]
    pub lambda_over_capacity: bool,
}

/// How sure the break-even is (and, in `diff.rs`, the cost of a change).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// Every price around the crossing is known.
    Exact,
    /// An unknown price can only move the crossing to higher traffic.
    AtLeast,
    /// An unknown price can only move the crossing to lower traffic.
    AtMost,
    /// It cannot be told (unknown prices on both sides, or the Fargate plan cannot carry the
    /// traffic there); the note says why.
    Withheld,
}

/// Settings of the other side that the user can change; `None` follows the plan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sides {
    /// The Lambda side's memory; by default the Fargate task's memory (within 128–10,240 MB).
    pub lambda_memory_mb: Option<u32>,
    /// The Lambda side's CPU architecture; by default the Fargate task's.
    pub lambda_architecture: Option<CpuArch>,
}

/// Both architectures priced on the same workload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The two plans priced: the user's and its counterpart.
    pub fargate_plan: Plan,
    pub lambda_plan: Plan,
    pub fargate: Estimate,
    pub lambda: Estimate,
    /// Where the monthly costs cross, or `None` when they do not cross in 10^3–10^11 or the
    /// crossing cannot be told (see `break_even_note`).
    pub break_even_requests_per_month: Option<f64>,
    /// How sure the crossing is; `withheld` also when there is none in the known prices but
    /// the cheaper side's unknown prices may hide one.
    pub break_even_bound: Bound,
    /// Why the crossing is a bound or withheld, naming the unknown prices.
    pub break_even_note: Option<String>,
    /// Which of the two is cheaper above the break-even: the last crossing, so all the way up.
    pub cheaper_above_break_even: Option<String>,
    /// Where the curves also cross below the break-even (each new Fargate task is a step in
    /// its cost), in order; `break_even_note` says which side is cheaper above each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crossings_before: Vec<f64>,
    pub dominant: Dominant,
    /// The costs over 10^3–10^11 requests a month: a log grid, and both sides of each Fargate
    /// task step within it, in order of traffic.
    pub curve: Vec<CurvePoint>,
    pub assumptions: Vec<String>,
}

/// The largest line of each side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dominant {
    pub fargate: String,
    pub lambda: String,
}

/// The other architecture for the same plan: what both kinds share (project, region, tags,
/// workload, environment, domain, the governed-account profile, the access-log bucket, the
/// log retention) carries over, and the data layer is mirrored ([`mirror`]). A Lambda counterpart takes the Fargate
/// task's memory and CPU architecture (like for like) unless `sides` says otherwise, and the
/// Lambda example's function and API; a Fargate counterpart is the Fargate example's service.
pub fn counterpart(plan: &Plan, sides: Sides) -> Plan {
    let mut other = match &plan.architecture {
        Architecture::Fargate(f) => {
            let mut l = examples::lambda();
            if let Architecture::Lambda(lambda) = &mut l.architecture {
                lambda.memory_mb = sides
                    .lambda_memory_mb
                    .unwrap_or(f.memory_mib)
                    .clamp(limits::MIN_LAMBDA_MEMORY_MB, limits::MAX_LAMBDA_MEMORY_MB);
                lambda.architecture = sides.lambda_architecture.unwrap_or(f.cpu_architecture);
                // The same requests, run to their end: the example's timeout, raised to the
                // workload's duration (at most Lambda's 15 minutes).
                lambda.timeout_s = lambda
                    .timeout_s
                    .max(plan.workload.avg_duration_ms.div_ceil(1000))
                    .min(limits::MAX_LAMBDA_TIMEOUT_S);
                // Tables for a database, none for none. The cache has no Lambda counterpart,
                // and a Fargate service always has its bucket.
                if f.database.is_none() {
                    lambda.tables.clear();
                }
                lambda.bucket = true;
            }
            l
        }
        Architecture::Lambda(lambda) => {
            let mut f = examples::fargate();
            if let Architecture::Fargate(fargate) = &mut f.architecture {
                // The example's database for tables, none for none; no cache, which Lambda
                // does not have. A Fargate service has its bucket whatever the plan says.
                if lambda.tables.is_empty() {
                    fargate.database = None;
                }
                fargate.cache = None;
            }
            f
        }
    };
    other.project = plan.project.clone();
    other.region = plan.region;
    other.tags = plan.tags.clone();
    other.workload = plan.workload.clone();
    other.environment = plan
        .environment
        .iter()
        .filter(|v| left_out(&other, v).is_none())
        .cloned()
        .collect();
    other.domain = plan.domain.clone();
    other.log_bucket = plan.log_bucket.clone();
    // Logs are kept as long on both sides: their storage is compared like for like.
    *other.architecture.log_retention_days_mut() = plan.architecture.log_retention_days();
    if plan.governed {
        // What the profile asks that a setting gives (log retention, a Multi-AZ database, an
        // HTTP API…); what only the user can give changes no price.
        controls::govern(&mut other);
    }
    other
}

/// Why the counterpart `other` cannot take the plan's variable `v`, if it cannot: a function
/// takes no SSM SecureString parameter, and a name the other kind's template sets itself (or
/// AWS reserves) is its own.
fn left_out(other: &Plan, v: &EnvVar) -> Option<String> {
    if other.kind() == ArchitectureKind::Lambda && is_parameter(v) {
        return Some(format!(
            "{} is an SSM SecureString parameter: a function cannot take one in its environment, and would read it in its code",
            v.name
        ));
    }
    crate::environment::reserved(other, &v.name)
        .map(|why| why.trim_end_matches("; choose another name").to_string())
}

/// An environment variable read from an SSM SecureString parameter (ECS Fargate only).
fn is_parameter(v: &EnvVar) -> bool {
    matches!(v.source(), Some(EnvSource::SsmParameter(_)))
}

/// What the comparison says about how the counterpart mirrors the plan, one assumption each.
fn mirror(plan: &Plan, fp: &Plan, lp: &Plan) -> Vec<String> {
    let (Some(f), Some(l)) = (fp.fargate(), lp.lambda()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match plan.kind() {
        ArchitectureKind::Fargate => {
            out.push(format!(
                "Both sides carry the same workload; the Lambda side gives each request {} MB on {} (by default the Fargate task's memory and CPU; the comparison's Lambda memory and architecture settings change them), with the Lambda example's {}.",
                l.memory_mb,
                l.architecture.as_str(),
                l.api.label()
            ));
            let example = examples::lambda().lambda().map_or(0, |e| e.timeout_s);
            if l.timeout_s != example {
                out.push(format!(
                    "Timeout: the Lambda side's function may run {} s (the example's is {example} s), so that requests averaging {} ms run to their end.",
                    l.timeout_s,
                    super::fmt_qty(f64::from(plan.workload.avg_duration_ms))
                ));
            }
            out.push(if f.database.is_some() {
                format!(
                    "Data: the Fargate side's PostgreSQL database becomes the Lambda example's {} DynamoDB tables (on demand).",
                    number_word(l.tables.len())
                )
            } else {
                "Data: the Fargate side has no database, so the Lambda side has no DynamoDB tables.".into()
            });
            out.push(match &f.cache {
                Some(c) => format!(
                    "Cache: Lambda has no cache: the Lambda side leaves out the Redis cache ({} × {}), and its figures have nothing in its place.",
                    c.nodes, c.node_type
                ),
                None => "Cache: no cache on either side.".into(),
            });
            out.push(
                "Files: both sides have an application S3 bucket (a Fargate service always has one).".into(),
            );
        }
        ArchitectureKind::Lambda => {
            out.push(format!(
                "Both sides carry the same workload; the Fargate side uses the Fargate example's service ({} vCPU, {} GB, {}–{} tasks).",
                crate::decimal::Plain(f.vcpu),
                crate::decimal::Plain(f64::from(f.memory_mib) / 1024.0),
                f.min_tasks,
                f.max_tasks
            ));
            out.push(match &f.database {
                Some(d) => format!(
                    "Data: the Lambda plan's DynamoDB tables become the Fargate example's PostgreSQL database ({}, {} GB).",
                    d.instance_class, d.storage_gb
                ),
                None => "Data: the Lambda plan has no DynamoDB tables, so the Fargate side has no database.".into(),
            });
            out.push("Cache: no cache on either side.".into());
            out.push(if l.bucket {
                "Files: both sides have an application S3 bucket.".into()
            } else {
                "Files: the Lambda plan has no application bucket, but a Fargate service always has one: the Fargate side's figures include it.".into()
            });
        }
    }
    let (other, other_kind) = match plan.kind() {
        ArchitectureKind::Fargate => (lp, "Lambda"),
        ArchitectureKind::Lambda => (fp, "Fargate"),
    };
    let dropped: Vec<String> = plan
        .environment
        .iter()
        .filter_map(|v| left_out(other, v))
        .collect();
    if !dropped.is_empty() {
        out.push(format!(
            "Environment: the {other_kind} side leaves out {}.",
            dropped.join("; ")
        ));
    }
    let mut shared = vec!["project", "region", "tags", "environment", "log retention"];
    if plan.domain.is_some() {
        shared.push("domain");
    }
    if plan.log_bucket.is_some() {
        shared.push("access-log bucket");
    }
    if plan.governed {
        shared.push("governed-account profile");
    }
    out.push(format!(
        "The other side keeps the plan's {}.",
        crate::words::and_list(&shared)
    ));
    if plan.governed {
        out.push(
            "Governed account: the other side takes the profile's settings; what only you can give there (who may call the API, the container's user, a certificate) changes no price.".into(),
        );
    }
    out
}

/// Small counts in words, as the assumptions read.
fn number_word(n: usize) -> String {
    match n {
        1 => "one".into(),
        2 => "two".into(),
        3 => "three".into(),
        4 => "four".into(),
        5 => "five".into(),
        n => n.to_string(),
    }
}

/// The traffic at which a Fargate plan's task count steps up, within the curve's span: its
/// `k` tasks are full at `k × per task` ([`task_capacity`]'s rule), from its minimum to one
/// below its maximum.
fn task_steps(plan: &Plan) -> Vec<f64> {
    let Architecture::Fargate(f) = &plan.architecture else {
        return Vec::new();
    };
    let Some(per_task) = super::requests_per_task(plan, f) else {
        return Vec::new();
    };
    (f.min_tasks.max(1)..f.max_tasks)
        .map(|k| f64::from(k) * per_task)
        .filter(|r| (CURVE_FROM..CURVE_TO).contains(r))
        .collect()
}

/// A side's lines and what its unknown prices are ([`super::unknowns`]).
type Unknowns = (Vec<super::Line>, Vec<String>);

/// Each side's unknown prices that the other side does not share: an unknown line of the same
/// service, item and quantity on both sides is the same amount added to both.
fn only_theirs(fargate: &Unknowns, lambda: &Unknowns) -> (Vec<String>, Vec<String>) {
    let unknown = |(lines, _): &Unknowns| {
        lines
            .iter()
            .filter(|l| l.monthly_usd.is_none())
            .map(|l| (l.service.clone(), l.item.clone(), l.quantity))
            .collect::<Vec<_>>()
    };
    let (fu, lu) = (unknown(fargate), unknown(lambda));
    let same = |a: &(String, String, f64), b: &(String, String, f64)| {
        a.0 == b.0 && a.1 == b.1 && (a.2 - b.2).abs() <= 1e-9 * a.2.abs().max(1.0)
    };
    let keep =
        |(_, said): &Unknowns, mine: &[(String, String, f64)], theirs: &[(String, String, f64)]| {
            let apart: Vec<_> = mine
                .iter()
                .filter(|x| !theirs.iter().any(|y| same(x, y)))
                .collect();
            said.iter()
                .filter(|m| {
                    apart
                        .iter()
                        .any(|(service, item, _)| m.starts_with(&format!("{service} {item}:")))
                })
                .cloned()
                .collect::<Vec<_>>()
        };
    (keep(fargate, &fu, &lu), keep(lambda, &lu, &fu))
}

/// Where a continuous difference changes sign between `lo` and `hi` (natural logs of requests
/// a month), to the whole request: `lo_side(ln_r)` says whether the difference at `ln_r` has
/// `lo`'s sign. Each halving keeps the crossing inside `[lo, hi]`; once both ends round to the
/// same whole number, so does every point between them, so further halvings (up to 60) could
/// not change the answer and are not made.
fn bisect(mut lo: f64, mut hi: f64, mut lo_side: impl FnMut(f64) -> bool) -> f64 {
    for _ in 0..60 {
        if lo.exp().round() == hi.exp().round() {
            break;
        }
        let mid = (lo + hi) / 2.0;
        if lo_side(mid) { lo = mid } else { hi = mid }
    }
    ((lo + hi) / 2.0).exp().round()
}

/// The break-even between two curve points where the difference changes sign.
#[derive(Clone, Copy)]
struct Crossing {
    requests: f64,
    /// The two samples around it.
    between: (f64, f64),
    fargate_cheaper_above: bool,
    fargate_lower_bound: bool,
    lambda_lower_bound: bool,
    over_capacity: bool,
}

/// Prices both architectures for the plan's workload and finds where they cross.
pub fn compare(plan: &Plan, book: &PriceBook, o: Options, sides: Sides) -> Comparison {
    let other = counterpart(plan, sides);
    let (fp, lp) = match plan.architecture {
        Architecture::Fargate(_) => (plan, &other),
        Architecture::Lambda(_) => (&other, plan),
    };
    let point = |r: f64| {
        let f = total_at(fp, book, o, r);
        let l = total_at(lp, book, o, r);
        let cap = capacity(fp, r);
        CurvePoint {
            requests_per_month: r,
            fargate_usd: f.usd,
            lambda_usd: l.usd,
            fargate_tasks: cap.tasks().map_or(0.0, f64::from),
            fargate_lower_bound: f.lower_bound,
            lambda_lower_bound: l.lower_bound,
            fargate_over_capacity: cap.over(),
            lambda_over_capacity: capacity(lp, r).over(),
        }
    };
    let decades = (CURVE_TO / CURVE_FROM).log10().round() as usize;
    let n = decades * POINTS_PER_DECADE;
    let grid: Vec<CurvePoint> = (0..=n)
        .map(|i| point(CURVE_FROM * 10f64.powf(i as f64 / POINTS_PER_DECADE as f64)))
        .collect();
    // Every crossing, in order. Each new Fargate task is a step up in its cost, so the curves
    // can cross and cross back inside one grid cell: the difference is also read just below
    // and just above each step (a step's own traffic may round to either side of it).
    let mut samples = grid;
    samples.extend(
        task_steps(fp)
            .into_iter()
            .flat_map(|r| [point(r * (1.0 - 1e-9)), point(r * (1.0 + 1e-9))]),
    );
    samples.sort_by(|a, b| a.requests_per_month.total_cmp(&b.requests_per_month));
    // The curve is every sample, so the chart draws each step where it is.
    let curve = samples;
    let crossings: Vec<Crossing> = curve
        .windows(2)
        .filter_map(|pair| {
            let (a, b) = (
                pair[0].fargate_usd - pair[0].lambda_usd,
                pair[1].fargate_usd - pair[1].lambda_usd,
            );
            if a.signum() == b.signum() || a == 0.0 {
                return None;
            }
            // Across a step the crossing is the step; elsewhere both curves are continuous:
            // bisect in log space between the two points.
            let across_step = pair[1].fargate_tasks > pair[0].fargate_tasks
                && pair[1].requests_per_month <= pair[0].requests_per_month * (1.0 + 1e-8);
            let requests = if across_step {
                ((pair[0].requests_per_month + pair[1].requests_per_month) / 2.0).round()
            } else {
                bisect(
                    pair[0].requests_per_month.ln(),
                    pair[1].requests_per_month.ln(),
                    |ln_r| {
                        let r = ln_r.exp();
                        let d = total_at(fp, book, o, r).usd - total_at(lp, book, o, r).usd;
                        d.signum() == a.signum()
                    },
                )
            };
            Some(Crossing {
                between: (pair[0].requests_per_month, pair[1].requests_per_month),
                requests,
                fargate_cheaper_above: b < 0.0,
                fargate_lower_bound: pair.iter().any(|p| p.fargate_lower_bound),
                lambda_lower_bound: pair.iter().any(|p| p.lambda_lower_bound),
                over_capacity: pair.iter().any(|p| p.fargate_over_capacity),
            })
        })
        .collect();
    let fargate = estimate_plan(fp, book, o);
    let lambda = estimate_plan(lp, book, o);
    // The unknown prices that matter are those near the crossing, not at the plan's traffic,
    // and only those one side has: the same item in the same quantity on both sides (data
    // transfer out beyond the book's tiers, say) adds the same unknown amount to both, and
    // moves no crossing.
    let unknown_apart = |r: f64| {
        let at = |plan: &Plan| {
            let mut at = plan.clone();
            at.workload.requests_per_month = r.round() as u64;
            super::unknowns(&at, book, o)
        };
        only_theirs(&at(fp), &at(lp))
    };
    // The break-even is the last crossing: above it, one side is cheaper all the way up. Its
    // bounds and the unknowns its note names come from the same three readings: at the
    // crossing, and at the samples around it.
    let last = crossings.last().map(|c| {
        let [below, at, above] = [c.between.0, c.requests, c.between.1].map(unknown_apart);
        let crossing = Crossing {
            fargate_lower_bound: [&below, &at, &above].iter().any(|(f, _)| !f.is_empty()),
            lambda_lower_bound: [&below, &at, &above].iter().any(|(_, l)| !l.is_empty()),
            ..*c
        };
        // Those at the crossing first, then those only around it.
        let (mut f, mut l) = at;
        for (fe, le) in [below, above] {
            for m in fe {
                if !f.contains(&m) {
                    f.push(m);
                }
            }
            for m in le {
                if !l.contains(&m) {
                    l.push(m);
                }
            }
        }
        (crossing, (f, l))
    });
    let (crossing, near) = match last {
        Some((c, near)) => (Some(c), near),
        None => (None, (fargate.unknown.clone(), lambda.unknown.clone())),
    };
    let (break_even, bound, mut note) = break_even(crossing.as_ref(), &curve, &near);
    // Crossings below the break-even, where a new Fargate task tips the balance back.
    let earlier = &crossings[..crossings.len().saturating_sub(1)];
    let crossings_before: Vec<f64> = if break_even.is_some() {
        earlier.iter().map(|c| c.requests).collect()
    } else {
        Vec::new()
    };
    if !crossings_before.is_empty() {
        let back = earlier
            .iter()
            .map(|c| {
                // Unknown prices or a side over capacity there make it approximate.
                let sure = !(c.fargate_lower_bound || c.lambda_lower_bound || c.over_capacity);
                format!(
                    "{} {} ({} cheaper above)",
                    if sure { "at about" } else { "near" },
                    super::fmt_qty(c.requests),
                    if c.fargate_cheaper_above {
                        "Fargate"
                    } else {
                        "Lambda"
                    }
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let again = format!(
            "Below it the curves also cross, {back} requests a month; each new Fargate task is a step in its cost."
        );
        note = Some(match note {
            Some(n) => format!("{n} {again}"),
            None => again,
        });
    }
    // Lambda's curve prices every request as served, so a crossing where the function is over
    // its limits stands, but says so: the function could not carry that traffic as planned.
    if let Some(r) = break_even
        && let Capacity::Lambda(cap) = capacity(lp, r)
        && cap.over()
    {
        let over = format!(
            "Where the curves cross, the Lambda side is over capacity: {}; its curve prices every request as if served.",
            cap.reasons().join("; also, ")
        );
        note = Some(match note {
            Some(n) => format!("{n} {over}"),
            None => over,
        });
    }
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
    let mut assumptions = mirror(plan, fp, lp);
    assumptions.extend([
        format!(
            "The curve and the headline are one model: Fargate runs as many tasks as the traffic needs (each request keeps one vCPU busy for {}% of its duration; the rest waits on I/O, which Lambda bills and Fargate does not), at the autoscaling target, between the plan's minimum and maximum.",
            crate::decimal::Fixed::<0>(assume::CPU_SHARE_OF_DURATION * 100.0)
        ),
        format!(
            "The curve spans 10^3 to 10^11 requests a month, {POINTS_PER_DECADE} points a decade, and is also read on both sides of each Fargate task step; a crossing is refined by bisection, and the break-even is the last one."
        ),
    ]);
    Comparison {
        fargate_plan: fp.clone(),
        lambda_plan: lp.clone(),
        fargate,
        lambda,
        break_even_requests_per_month: break_even,
        break_even_bound: bound,
        break_even_note: note,
        crossings_before,
        cheaper_above_break_even: crossing.as_ref().map(|c| {
            if c.fargate_cheaper_above {
                "fargate"
            } else {
                "lambda"
            }
            .to_string()
        }),
        dominant,
        curve,
        assumptions,
    }
}

/// The break-even as the prices allow it to be told: exact, a bound, or withheld with the
/// reason. Shown totals are lower bounds where a price is unknown, so an unknown on one side
/// moves the real crossing in one known direction; unknowns on both sides leave it open.
fn break_even(
    c: Option<&Crossing>,
    curve: &[CurvePoint],
    (fargate_unknown, lambda_unknown): &(Vec<String>, Vec<String>),
) -> (Option<f64>, Bound, Option<String>) {
    let unknown_on = |u: &Vec<String>| {
        if u.is_empty() {
            "prices unknown at higher traffic".to_string()
        } else {
            u.join("; ")
        }
    };
    let Some(c) = c else {
        let f_lb = curve.iter().any(|p| p.fargate_lower_bound);
        let l_lb = curve.iter().any(|p| p.lambda_lower_bound);
        // Without a crossing, the side that is dearer everywhere stays dearer if only its own
        // prices are missing; a missing price on the cheaper side may hide a crossing.
        let fargate_dearer = curve.first().is_some_and(|p| p.fargate_usd > p.lambda_usd);
        let hidden = if fargate_dearer { l_lb } else { f_lb };
        let note = hidden.then(|| {
            format!(
                "No crossing in the known prices, but {} has unknown prices ({}), so one may be hidden.",
                if fargate_dearer { "Lambda" } else { "Fargate" },
                unknown_on(if fargate_dearer {
                    lambda_unknown
                } else {
                    fargate_unknown
                })
            )
        });
        // A crossing the unknown prices may hide cannot be ruled out: not "exact".
        let bound = if hidden {
            Bound::Withheld
        } else {
            Bound::Exact
        };
        return (None, bound, note);
    };
    if c.over_capacity {
        return (
            None,
            Bound::Withheld,
            Some("Withheld: where the curves cross, the traffic needs more Fargate tasks than the plan's maximum, so the Fargate side could not carry it; raise max_tasks to compare there.".to_string()),
        );
    }
    match (c.fargate_lower_bound, c.lambda_lower_bound) {
        (false, false) => (Some(c.requests), Bound::Exact, None),
        (true, true) => (
            None,
            Bound::Withheld,
            Some(format!(
                "Withheld: both sides have unknown prices near the crossing (Fargate: {}; Lambda: {}), so where they cross cannot be told.",
                unknown_on(fargate_unknown),
                unknown_on(lambda_unknown)
            )),
        ),
        (f_lb, _) => {
            // A lower bound raises that side's real curve. If Fargate is cheaper above the
            // crossing, a higher Fargate curve crosses later; a higher Lambda curve earlier.
            let later = f_lb == c.fargate_cheaper_above;
            let (bound, word) = if later {
                (Bound::AtLeast, "at least")
            } else {
                (Bound::AtMost, "at most")
            };
            let (side, u) = if f_lb {
                ("Fargate", fargate_unknown)
            } else {
                ("Lambda", lambda_unknown)
            };
            (
                Some(c.requests),
                bound,
                Some(format!(
                    "The crossing is {word} this traffic: {side} has unknown prices ({}), which can only raise its cost.",
                    unknown_on(u)
                )),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stopping once the ends round alike gives what 60 halvings give, for crossings anywhere
    /// on the curve's span, in cells up to a grid cell wide; and it stops well before 60.
    #[test]
    fn bisection_stops_early_with_the_answer_of_every_halving() {
        let all_halvings = |mut lo: f64, mut hi: f64, at: f64| {
            for _ in 0..60 {
                let mid = (lo + hi) / 2.0;
                if mid < at { lo = mid } else { hi = mid }
            }
            ((lo + hi) / 2.0).exp().round()
        };
        let mut next = crate::test_rng::xorshift(16);
        let mut unit = move || (next() >> 11) as f64 / (1u64 << 53) as f64;
        let (from, to) = (CURVE_FROM.ln(), CURVE_TO.ln());
        let cell = 10f64.ln() / POINTS_PER_DECADE as f64;
        let (mut tries, mut readings) = (0, 0);
        for _ in 0..20_000 {
            let lo = from + unit() * (to - from);
            let hi = lo + unit() * cell;
            let at = lo + unit() * (hi - lo);
            let got = bisect(lo, hi, |x| {
                readings += 1;
                x < at
            });
            assert_eq!(got, all_halvings(lo, hi, at), "{lo} {hi} {at}");
            tries += 1;
        }
        let mean = readings as f64 / f64::from(tries);
        assert!(mean < 45.0, "{mean} readings a crossing");
    }
}
