//! One cost model with no silent gaps: for every region, both examples and the comparison,
//! an unknown price always makes the figure it touches a lower bound, the headline equals the
//! curve at the same traffic, and a break-even next to an unknown price is a bound or withheld.

use shared::cost::{self, Bound, Comparison, Estimate, Options, PriceBook, Sides};
use shared::plan::*;
use shared::{ValidPlan, examples};

fn estimate(plan: &Plan, o: Options) -> Estimate {
    cost::estimate(
        &ValidPlan::new(plan.clone()).unwrap(),
        PriceBook::embedded(),
        o,
    )
}

fn cases() -> Vec<(String, Plan, Options)> {
    let mut out = Vec::new();
    for region in Region::ALL {
        for (name, plan) in [
            ("fargate", examples::fargate()),
            ("lambda", examples::lambda()),
        ] {
            for free_tier in [true, false] {
                let mut plan = plan.clone();
                plan.region = region;
                out.push((
                    format!("{name} {region} free_tier={free_tier}"),
                    plan,
                    Options { free_tier },
                ));
            }
        }
    }
    out
}

/// The estimate's flags agree with its lines.
fn check_estimate(name: &str, e: &Estimate) {
    let unknown_lines = e.lines.iter().filter(|l| l.monthly_usd.is_none()).count();
    assert_eq!(e.lower_bound, unknown_lines > 0, "{name}");
    assert_eq!(e.unknown.len(), unknown_lines, "{name}: {:?}", e.unknown);
    let known: f64 = e.lines.iter().filter_map(|l| l.monthly_usd).sum();
    assert!((e.monthly_usd - known).abs() < 0.005, "{name}");
    for l in &e.lines {
        if l.monthly_usd.is_none() {
            assert!(
                l.quantity > 0.0,
                "{name}: {} is unknown with nothing billed",
                l.item
            );
            assert!(l.formula.contains("unknown"), "{name}: {}", l.formula);
        }
    }
    if e.lower_bound {
        assert!(
            e.range.lower_bound,
            "{name}: the typical month is a lower bound, the range must say so"
        );
    }
}

/// Every curve point at a whole decade equals the headline estimate of the same plan at that
/// traffic, to the cent and in its lower-bound flag.
fn check_curve(name: &str, c: &Comparison, o: Options) {
    let (fp, lp) = sides(c);
    // More traffic never costs less: an unknown price must not make a total drop.
    for w in c.curve.windows(2) {
        assert!(
            w[1].fargate_usd >= w[0].fargate_usd && w[1].lambda_usd >= w[0].lambda_usd,
            "{name}: the curve falls between {:?} and {:?}",
            w[0],
            w[1]
        );
    }
    for p in &c.curve {
        let r = p.requests_per_month;
        let decade = r.log10();
        if (decade - decade.round()).abs() > 1e-9 {
            continue;
        }
        for (plan, usd, lb, side) in [
            (&fp, p.fargate_usd, p.fargate_lower_bound, "fargate"),
            (&lp, p.lambda_usd, p.lambda_lower_bound, "lambda"),
        ] {
            let mut at = plan.clone();
            at.workload.requests_per_month = r.round() as u64;
            let e = estimate(&at, o);
            check_estimate(&format!("{name} {side} at {r}"), &e);
            assert_eq!(
                e.monthly_usd, usd,
                "{name}: {side} headline vs curve at {r}"
            );
            assert_eq!(e.lower_bound, lb, "{name}: {side} lower bound at {r}");
        }
        let cost::Capacity::Fargate(cap) = cost::capacity(&fp, r) else {
            panic!("{name}: the Fargate side has tasks")
        };
        assert_eq!(p.fargate_over_capacity, cap.over(), "{name} at {r}");
        assert!(p.fargate_tasks <= f64::from(cap.max_tasks), "{name} at {r}");
    }
}

/// The two plans the comparison priced, rebuilt from its estimates' architectures.
fn sides(c: &Comparison) -> (Plan, Plan) {
    (c.fargate_plan.clone(), c.lambda_plan.clone())
}

/// A break-even that an unknown price could move is a bound or withheld, never exact.
fn check_break_even(name: &str, c: &Comparison, o: Options) {
    let (fp, lp) = sides(c);
    let Some(r) = c.break_even_requests_per_month else {
        // A crossing that is not given is withheld with its reason.
        if c.cheaper_above_break_even.is_some() {
            assert_eq!(c.break_even_bound, Bound::Withheld, "{name}");
            assert!(c.break_even_note.is_some(), "{name}");
        }
        return;
    };
    let lb = |plan: &Plan| {
        let mut at = plan.clone();
        at.workload.requests_per_month = r as u64;
        estimate(&at, o).lower_bound
    };
    let (f, l) = (lb(&fp), lb(&lp));
    assert!(
        !(f && l),
        "{name}: both sides unknown at {r}, yet a crossing is given"
    );
    if f || l {
        assert_ne!(c.break_even_bound, Bound::Exact, "{name} at {r}");
        assert!(c.break_even_note.is_some(), "{name}");
    }
    // The totals at the break-even agree within 1%.
    let total = |plan: &Plan| {
        let mut at = plan.clone();
        at.workload.requests_per_month = r as u64;
        estimate(&at, o).monthly_usd
    };
    let (ft, lt) = (total(&fp), total(&lp));
    assert!(
        (ft - lt).abs() <= 0.01 * ft.max(lt),
        "{name}: at the break-even {r}, Fargate {ft} vs Lambda {lt}"
    );
}

#[test]
fn no_unknown_price_is_ever_counted_as_a_number() {
    for (name, plan, o) in cases() {
        check_estimate(&name, &estimate(&plan, o));
        let c = cost::compare(&plan, PriceBook::embedded(), o, Sides::default());
        check_estimate(&format!("{name} comparison fargate"), &c.fargate);
        check_estimate(&format!("{name} comparison lambda"), &c.lambda);
        check_curve(&name, &c, o);
        check_break_even(&name, &c, o);
    }
}

#[test]
fn a_lean_service_crosses_exactly_and_the_totals_agree_there() {
    // Without a database or cache, nothing on either side is unknown around the crossing.
    let mut plan = examples::fargate();
    let Architecture::Fargate(f) = &mut plan.architecture else {
        unreachable!()
    };
    f.database = None;
    f.cache = None;
    let o = Options::default();
    let c = cost::compare(&plan, PriceBook::embedded(), o, Sides::default());
    assert!(c.break_even_requests_per_month.is_some());
    assert_eq!(c.break_even_bound, Bound::Exact, "{:?}", c.break_even_note);
    check_break_even("lean", &c, o);
}

#[test]
fn an_unknown_fargate_price_makes_the_crossing_a_lower_bound() {
    // The example's database and cache traffic between AZs has no price in the book: the real
    // Fargate curve is higher, so it crosses the Lambda curve later, if Fargate wins above.
    let c = cost::compare(
        &examples::fargate(),
        PriceBook::embedded(),
        Options::default(),
        Sides::default(),
    );
    c.break_even_requests_per_month
        .expect("the example crosses the Lambda example");
    assert_eq!(c.cheaper_above_break_even.as_deref(), Some("fargate"));
    assert_eq!(c.break_even_bound, Bound::AtLeast);
    assert!(
        c.break_even_note
            .as_deref()
            .unwrap()
            .contains("vpc.cross_az_gb")
    );
}

#[test]
fn a_crossing_beyond_the_maximum_tasks_is_withheld() {
    // One small task at most: Fargate's capped cost would "win" at traffic it cannot carry.
    let mut plan = examples::fargate();
    let Architecture::Fargate(f) = &mut plan.architecture else {
        unreachable!()
    };
    f.database = None;
    f.cache = None;
    f.vcpu = 0.25;
    f.memory_mib = 512;
    (f.min_tasks, f.desired_tasks, f.max_tasks) = (1, 1, 1);
    f.nat_gateways = NatGateways::Single;
    let c = cost::compare(
        &plan,
        PriceBook::embedded(),
        Options::default(),
        Sides::default(),
    );
    assert_eq!(
        c.break_even_requests_per_month, None,
        "{:?}",
        c.break_even_note
    );
    assert_eq!(c.break_even_bound, Bound::Withheld);
    assert!(c.break_even_note.unwrap().contains("maximum"));
}

#[test]
fn the_lambda_side_follows_the_fargate_task_unless_told() {
    let mut plan = examples::fargate();
    let Architecture::Fargate(f) = &mut plan.architecture else {
        unreachable!()
    };
    f.memory_mib = 2048;
    f.cpu_architecture = CpuArch::Arm64;
    let l = |sides| match cost::counterpart(&plan, sides).architecture {
        Architecture::Lambda(l) => (l.memory_mb, l.architecture),
        Architecture::Fargate(_) => unreachable!(),
    };
    assert_eq!(l(Sides::default()), (2048, CpuArch::Arm64));
    assert_eq!(
        l(Sides {
            lambda_memory_mb: Some(256),
            lambda_architecture: Some(CpuArch::X86_64)
        }),
        (256, CpuArch::X86_64)
    );
}

#[test]
fn components_split_the_whole_estimate() {
    for (name, plan, o) in cases() {
        let e = estimate(&plan, o);
        let parts = e.by_component();
        assert_eq!(parts.len(), 4);
        let sum: f64 = parts.iter().map(|c| c.usd).sum();
        assert!(
            (sum - e.monthly_usd).abs() < 0.02,
            "{name}: {sum} vs {}",
            e.monthly_usd
        );
        assert_eq!(parts.iter().any(|c| c.lower_bound), e.lower_bound, "{name}");
        let services: usize = parts.iter().map(|c| c.services.len()).sum();
        assert_eq!(services, e.by_service().len(), "{name}");
    }
}

/// A plan's data layer, as the comparison's two sides have it.
#[derive(Debug, PartialEq)]
struct Data {
    database: bool,
    cache: bool,
    tables: usize,
    bucket: bool,
}

fn data(plan: &Plan) -> Data {
    match &plan.architecture {
        Architecture::Fargate(f) => Data {
            database: f.database.is_some(),
            cache: f.cache.is_some(),
            tables: 0,
            // A Fargate service always has its application bucket.
            bucket: true,
        },
        Architecture::Lambda(l) => Data {
            database: false,
            cache: false,
            tables: l.tables.len(),
            bucket: l.bucket,
        },
    }
}

fn matrix_plan(name: &str) -> Plan {
    examples::matrix()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no matrix plan {name}"))
        .1
}

/// The counterpart has the plan's data layer: a database for tables and tables for a
/// database (the other example's), none for none; a cache only where Fargate had one, which
/// Lambda cannot (the comparison says it leaves it out); a bucket for a bucket.
#[test]
fn the_counterpart_mirrors_the_data_layer() {
    let data_of = |database, cache, tables, bucket| Data {
        database,
        cache,
        tables,
        bucket,
    };
    // (the plan, its counterpart's data layer, words the comparison's assumptions must hold).
    let cases: &[(&str, Data, &[&str])] = &[
        (
            "lambda-bare",
            data_of(false, false, 0, true),
            &[
                "no DynamoDB tables, so the Fargate side has no database",
                "a Fargate service always has one",
            ],
        ),
        (
            "lambda-no-tables",
            data_of(false, false, 0, true),
            &["no DynamoDB tables, so the Fargate side has no database"],
        ),
        (
            "lambda-no-bucket",
            data_of(true, false, 0, true),
            &[
                "DynamoDB tables become the Fargate example's PostgreSQL database (db.t4g.micro, 20 GB)",
            ],
        ),
        (
            "lambda-us-east-1",
            data_of(true, false, 0, true),
            &[
                "DynamoDB tables become the Fargate example's PostgreSQL database",
                "no cache on either side",
            ],
        ),
        (
            "fargate-no-db",
            data_of(false, false, 0, true),
            &[
                "no database, so the Lambda side has no DynamoDB tables",
                "Lambda has no cache: the Lambda side leaves out the Redis cache",
            ],
        ),
        (
            "fargate-bare",
            data_of(false, false, 0, true),
            &[
                "no database, so the Lambda side has no DynamoDB tables",
                "no cache on either side",
            ],
        ),
        (
            "fargate-no-cache",
            data_of(false, false, 2, true),
            &["PostgreSQL database becomes the Lambda example's two DynamoDB tables"],
        ),
        (
            "fargate-us-east-1",
            data_of(false, false, 2, true),
            &[
                "PostgreSQL database becomes the Lambda example's two DynamoDB tables",
                "leaves out the Redis cache",
            ],
        ),
    ];
    let book = PriceBook::embedded();
    for (name, want, words) in cases {
        let plan = matrix_plan(name);
        let other = cost::counterpart(&plan, Sides::default());
        assert_ne!(other.kind(), plan.kind(), "{name}");
        assert_eq!(&data(&other), want, "{name}");
        // A database is the other example's, at its size.
        if let Some(f) = other.fargate() {
            let example = examples::fargate();
            let example = example.fargate().unwrap();
            assert_eq!(f.database.as_ref().is_some(), want.database, "{name}");
            if want.database {
                assert_eq!(f.database, example.database, "{name}");
            }
        }
        // The estimate prices what the counterpart has, and nothing it lacks.
        let c = cost::compare(&plan, book, Options::default(), Sides::default());
        let other_estimate = if plan.kind() == ArchitectureKind::Fargate {
            &c.lambda
        } else {
            &c.fargate
        };
        for (service, present) in [
            ("RDS PostgreSQL", want.database),
            ("ElastiCache", want.cache),
            ("DynamoDB", want.tables > 0),
        ] {
            assert_eq!(
                other_estimate.lines.iter().any(|l| l.service == service),
                present,
                "{name}: {service}"
            );
        }
        let said = c.assumptions.join(" ");
        for w in *words {
            assert!(said.contains(w), "{name}: {w:?} not in {said}");
        }
    }
}

/// What both plan kinds share carries over to the counterpart: project, region, tags,
/// workload, environment (but an SSM parameter, which a Lambda function cannot take), domain,
/// the governed profile, the access-log bucket and the log retention.
#[test]
fn the_counterpart_keeps_what_both_kinds_share() {
    let retention = |p: &Plan| match &p.architecture {
        Architecture::Fargate(f) => f.log_retention_days,
        Architecture::Lambda(l) => l.log_retention_days,
    };
    for (name, plan) in examples::matrix() {
        let other = cost::counterpart(&plan, Sides::default());
        assert_eq!(retention(&other), retention(&plan), "{name}");
        assert_eq!(other.project, plan.project, "{name}");
        assert_eq!(other.region, plan.region, "{name}");
        assert_eq!(other.tags, plan.tags, "{name}");
        assert_eq!(other.workload, plan.workload, "{name}");
        assert_eq!(other.domain, plan.domain, "{name}");
        assert_eq!(other.governed, plan.governed, "{name}");
        assert_eq!(other.log_bucket, plan.log_bucket, "{name}");
        let kept: Vec<&EnvVar> = plan
            .environment
            .iter()
            .filter(|v| other.kind() == ArchitectureKind::Fargate || v.ssm_parameter.is_none())
            .filter(|v| shared::environment::reserved(&other, &v.name).is_none())
            .collect();
        assert_eq!(other.environment.iter().collect::<Vec<_>>(), kept, "{name}");
        // A counterpart is a plan the user could take, but for what only they can give in a
        // governed account (who may call the API, the container's user, a certificate).
        let problems: Vec<_> = shared::check(&other)
            .into_iter()
            .filter(|p| p.severity == shared::Severity::Error)
            .collect();
        for p in &problems {
            assert!(
                other.governed && p.message.contains("a governed account blocks this"),
                "{name}: {p}"
            );
        }
    }
}

/// A variable whose name the other kind's template sets itself stays on the plan's side: the
/// counterpart stays a valid plan, and the comparison says what it left out.
#[test]
fn the_counterpart_leaves_out_the_names_its_template_sets() {
    for plan in [examples::fargate(), examples::lambda()] {
        let plain = cost::counterpart(&plan, Sides::default());
        let (taken, _) = shared::environment::template_names(&plain)
            .into_iter()
            .find(|(n, _)| shared::environment::reserved(&plan, n).is_none())
            .expect("the other side's template sets a name this side may use");
        let mut with = plan.clone();
        with.environment.push(EnvVar {
            name: taken.clone(),
            value: Some("mine".into()),
            ssm_parameter: None,
            secret: None,
            json_key: None,
            generate: false,
        });
        assert!(ValidPlan::new(with.clone()).is_ok(), "{taken}");
        let other = cost::counterpart(&with, Sides::default());
        assert!(other.environment.iter().all(|v| v.name != taken), "{taken}");
        assert!(ValidPlan::new(other).is_ok(), "{taken}");
        let c = cost::compare(
            &with,
            PriceBook::embedded(),
            Options::default(),
            Sides::default(),
        );
        assert!(
            c.assumptions
                .iter()
                .any(|a| a.starts_with("Environment: the")
                    && a.contains(&format!("{taken} is set by the template itself"))),
            "{taken}: {:?}",
            c.assumptions
        );
    }
}

/// The app opens on the Fargate example: its comparison is the one it always was (its
/// counterpart is the Lambda example with the task's memory and CPU).
#[test]
fn the_default_comparison_is_unchanged() {
    let plan = examples::fargate();
    let mut want = examples::lambda();
    let Architecture::Lambda(l) = &mut want.architecture else {
        unreachable!()
    };
    l.memory_mb = 1024;
    l.architecture = CpuArch::X86_64;
    assert_eq!(cost::counterpart(&plan, Sides::default()), want);
    let c = cost::compare(
        &plan,
        PriceBook::embedded(),
        Options::default(),
        Sides::default(),
    );
    assert_eq!(
        (c.fargate.monthly_usd, c.lambda.monthly_usd),
        // 207.03 since amounts round as by hand (its NAT's 5 GB × $0.045 is $0.23, not the
        // float's $0.22); 207.04 since the load balancer's access logs are kept 97 days (90,
        // then 7 as old versions: $0.22), not 3 months.
        (207.04, 56.06)
    );
    assert_eq!(c.break_even_requests_per_month, Some(53_342_857.0));
    assert_eq!(c.break_even_bound, Bound::AtLeast);
}

/// A change that takes away a line the book cannot price is an upper bound ("at most"), not
/// an exact figure: the REST API's price in Singapore is not in the book, so moving the Lambda
/// example there from REST to HTTP saves that unknown amount and adds the HTTP API's.
#[test]
fn a_change_that_removes_an_unknown_price_is_at_most() {
    let mut rest = examples::lambda();
    rest.region = Region::ApSoutheast1;
    let Architecture::Lambda(l) = &mut rest.architecture else {
        unreachable!()
    };
    l.api = ApiType::Rest;
    let mut http = rest.clone();
    let Architecture::Lambda(l) = &mut http.architecture else {
        unreachable!()
    };
    l.api = ApiType::Http;
    let o = Options::default();
    let (before, after) = (estimate(&rest, o), estimate(&http, o));
    assert!(before.lower_bound && before.unknown.len() >= after.unknown.len());
    let diff = cost::difference(&before, &after);
    assert_eq!(diff.change_bound, Bound::AtMost, "{diff:?}");
    assert!(
        diff.delta_usd > 0.0,
        "the known lines alone add the HTTP API: {diff:?}"
    );
    // And back: at least.
    let back = cost::difference(&after, &before);
    assert_eq!(back.change_bound, Bound::AtLeast, "{back:?}");
}

/// A slow Fargate workload is compared with a function that runs its requests to their end:
/// the Lambda side's timeout is raised to the workload's duration, the comparison says so, and
/// slower requests cost more on it (a timeout would stop them, billed as failures).
#[test]
fn the_lambda_side_runs_slow_requests_to_their_end() {
    let lambda_usd = |duration_ms: u32| {
        let mut plan = examples::fargate();
        plan.workload.avg_duration_ms = duration_ms;
        let c = cost::compare(
            &plan,
            PriceBook::embedded(),
            Options::default(),
            Sides::default(),
        );
        let timeout = c.lambda_plan.lambda().unwrap().timeout_s;
        (timeout, c.lambda.monthly_usd, c.assumptions)
    };
    let example = examples::lambda().lambda().unwrap().timeout_s;
    let (t10, usd10, said10) = lambda_usd(10_000);
    let (t20, usd20, said20) = lambda_usd(20_500);
    assert_eq!((t10, t20), (example.max(10), 21));
    assert!(usd20 > usd10, "{usd20} <= {usd10}");
    assert!(
        said20
            .iter()
            .any(|a| a.starts_with("Timeout: the Lambda side's function may run 21 s")),
        "{said20:?}"
    );
    assert_eq!(
        said10.iter().any(|a| a.starts_with("Timeout:")),
        t10 != example,
        "{said10:?}"
    );
    // At most Lambda's 15 minutes.
    assert_eq!(lambda_usd(1_000_000).0, 900);
}

/// A line whose decimal amount is a half cent rounds up, as by hand, though its float is a
/// hair below: the Fargate example's NAT processes 5 GB at $0.045, $0.225.
#[test]
fn a_line_at_a_half_cent_rounds_up() {
    let e = estimate(&examples::fargate(), Options::default());
    let line = e
        .lines
        .iter()
        .find(|l| l.item == "Data processed")
        .expect("the NAT's data line");
    assert_eq!(5.0 * 0.045, 0.224_999_999_999_999_98);
    assert_eq!(
        (line.quantity, line.unit_usd),
        (5.0, Some(0.045)),
        "{line:?}"
    );
    assert_eq!(line.monthly_usd, Some(0.23), "{line:?}");
}
