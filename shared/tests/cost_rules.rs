//! Each billing rule the estimator follows, stated with the published rate or rule it comes
//! from, on the embedded book (us-east-1 unless a test says otherwise).

use shared::cost::{self, Estimate, Line, Options};
use shared::plan::*;
use shared::{ValidPlan, examples};

fn estimate(plan: Plan, free_tier: bool) -> Estimate {
    cost::estimate(
        &ValidPlan::new(plan).unwrap(),
        cost::PriceBook::embedded(),
        Options { free_tier },
    )
}

fn fargate(change: impl FnOnce(&mut Plan, &mut Fargate)) -> Plan {
    let mut plan = examples::fargate();
    let Architecture::Fargate(mut f) = plan.architecture.clone() else {
        unreachable!()
    };
    change(&mut plan, &mut f);
    plan.architecture = Architecture::Fargate(f);
    plan
}

fn lambda(change: impl FnOnce(&mut Plan, &mut Lambda)) -> Plan {
    let mut plan = examples::lambda();
    let Architecture::Lambda(mut l) = plan.architecture.clone() else {
        unreachable!()
    };
    change(&mut plan, &mut l);
    plan.architecture = Architecture::Lambda(l);
    plan
}

fn line<'e>(e: &'e Estimate, item: &str) -> &'e Line {
    e.lines
        .iter()
        .find(|l| l.item == item)
        .unwrap_or_else(|| panic!("no line {item:?} in {:#?}", e.lines))
}

#[test]
fn target_tracking_alarms_are_billed_beside_the_templates_two() {
    // CloudWatch: $0.10 per standard-resolution alarm-month. CPU and memory alarms, plus the
    // high and low alarms that a target-tracking policy creates: 4 alarms, $0.40.
    let e = estimate(examples::fargate(), false);
    let alarms = line(&e, "Alarms");
    assert_eq!((alarms.quantity, alarms.monthly_usd), (4.0, Some(0.40)));
}

#[test]
fn cloudwatch_always_free_allowances_apply_with_the_free_tier() {
    // Always free: 10 alarms, 10 metrics, 5 GB of log data a month.
    let e = estimate(examples::fargate(), true);
    assert_eq!(line(&e, "Alarms").monthly_usd, Some(0.0));
    // 5 GB of application logs: all within the free 5 GB.
    assert_eq!(line(&e, "Application log ingestion").quantity, 0.0);
    // Lambda: function, platform and access logs share one 5 GB allowance.
    let e = estimate(examples::lambda(), true);
    let ingested: f64 = e
        .lines
        .iter()
        .filter(|l| l.item.ends_with("log ingestion"))
        .map(|l| l.quantity)
        .sum();
    let off = estimate(examples::lambda(), false);
    let written: f64 = off
        .lines
        .iter()
        .filter(|l| l.item.ends_with("log ingestion"))
        .map(|l| l.quantity)
        .sum();
    assert!(
        (written - ingested - 5.0).abs() < 1e-9,
        "{written} {ingested}"
    );
}

#[test]
fn container_insights_metrics_bill_as_custom_metrics() {
    // Container Insights (standard) for ECS: 11 cluster metrics less ContainerInstanceCount
    // (EC2 capacity only; the cluster is Fargate's) + 13 service + 8 task-family metrics,
    // billed as custom metrics at $0.30 per metric-month; 10 are free with the free tier.
    let off = estimate(examples::fargate(), false);
    let ci = line(&off, "Container Insights metrics");
    assert_eq!((ci.quantity, ci.monthly_usd), (31.0, Some(9.30)));
    let on = estimate(examples::fargate(), true);
    assert_eq!(
        line(&on, "Container Insights metrics").monthly_usd,
        Some(6.30)
    );
}

#[test]
fn ecr_stores_what_the_lifecycle_rule_keeps() {
    // The repository keeps its 30 newest images: 30 × 0.5 GB × $0.10 per GB-month.
    let e = estimate(examples::fargate(), true);
    let ecr = line(&e, "Image storage");
    assert_eq!((ecr.quantity, ecr.monthly_usd), (15.0, Some(1.50)));
}

#[test]
fn log_storage_counts_the_calculators_month() {
    // 730 h = 30.4167 days: 5 GB/month kept 30 days is 4.93 GB-months stored, not 5.
    let e = estimate(examples::fargate(), true);
    let stored = line(&e, "Application log storage").quantity;
    assert!(
        (stored - 5.0 * 30.0 / (730.0 / 24.0)).abs() < 1e-9,
        "{stored}"
    );
}

/// The range's maximum prices a burstable database's surplus CPU credits, and the
/// assumptions say so; a class that does not burst has neither.
#[test]
fn the_ranges_surplus_cpu_credits_are_said() {
    let said = |e: &Estimate| {
        e.assumptions.iter().any(|a| {
            a.contains("the range's maximum also prices") && a.contains("surplus CPU credits")
        })
    };
    let burstable = estimate(examples::fargate(), true);
    assert!(said(&burstable), "{:?}", burstable.assumptions);
    let steady = estimate(
        fargate(|_, f| f.database.as_mut().unwrap().instance_class = DbInstanceClass::M6gLarge),
        true,
    );
    assert!(!said(&steady), "{:?}", steady.assumptions);
}

#[test]
fn rds_backup_within_the_allocated_size_is_free() {
    // RDS: backup storage up to 100% of the provisioned storage is free. 20 GB allocated, half
    // of it data, 2% of that changing a day, kept 35 days: 10 + 10 × 0.02 × 35 = 17 GB of
    // backups, within the 20 GB: nothing billed.
    let e = estimate(
        fargate(|_, f| f.database.as_mut().unwrap().backup_days = 35),
        true,
    );
    let backup = line(&e, "Backup storage beyond the free allowance");
    assert_eq!((backup.quantity, backup.monthly_usd), (0.0, Some(0.0)));
    assert!(
        backup
            .formula
            .contains("= 17 GB of backups) − 20 GB allocated, which is free"),
        "{}",
        backup.formula
    );
}

#[test]
fn burstable_database_surplus_credits_are_in_the_range_maximum() {
    // RDS T4g/T3 unlimited mode: surplus CPU credits at $0.075 per vCPU-hour. The maximum of
    // the range runs 0.25 vCPU above the baseline all month: 0.25 × 730 × 0.075 = $13.69.
    let burstable = estimate(examples::fargate(), true);
    let steady = estimate(
        fargate(|_, f| f.database.as_mut().unwrap().instance_class = DbInstanceClass::M6gLarge),
        true,
    );
    let instance_gap = (0.159 - 0.016) * 730.0;
    let burst_extra = burstable.range.max - burstable.monthly_usd;
    let steady_extra = steady.range.max - steady.monthly_usd;
    assert!(
        (burst_extra - steady_extra - 13.69).abs() < 0.02,
        "{burst_extra} vs {steady_extra} (instances differ by {instance_gap})"
    );
    assert!(
        !burstable
            .lines
            .iter()
            .any(|l| l.item.starts_with("Surplus CPU credits")),
        "the typical month runs within the baseline"
    );
}

#[test]
fn s3_traffic_and_image_pulls_take_the_free_gateway_endpoint_not_the_nat() {
    // NAT: $0.045 per GB processed. Only the 5 GB of logs go through it: the app's 10M ×
    // (0.01 PUT + 0.1 GET) × 20 KB = 22 GB of S3 traffic and 2 tasks × 4 deploys × 0.5 GB of
    // image pulls (ECR serves layers from S3) take the gateway endpoint, which has no charge:
    // (22 + 4) × 0.045 = $1.17 saved.
    let e = estimate(examples::fargate(), true);
    let nat = line(&e, "Data processed");
    assert!((nat.quantity - 5.0).abs() < 1e-9, "{}", nat.formula);
    assert!(
        nat.formula
            .contains("gateway endpoint instead (saving $1.17)"),
        "{}",
        nat.formula
    );
    let t = shared::template::generate(&ValidPlan::new(examples::fargate()).unwrap());
    assert!(
        t.resource_types()
            .any(|(id, ty)| id == "S3GatewayEndpoint" && ty == "AWS::EC2::VPCEndpoint")
    );
}

#[test]
fn lambda_arm_duration_has_three_tiers() {
    // Arm: $0.0000133334 for 7.5B GB-s, $0.0000120001 for the next 11.25B, $0.0000106667
    // above 18.75B. 10 GB × 1 s × 2e9 requests = 20B GB-s (free tier off).
    let plan = lambda(|p, l| {
        l.memory_mb = 10_240;
        p.workload.requests_per_month = 2_000_000_000;
        p.workload.avg_duration_ms = 1000;
    });
    let e = estimate(plan, false);
    let d = line(&e, "Duration (Arm)");
    let expected = 7.5e9 * 0.0000133334 + 11.25e9 * 0.0000120001 + 1.25e9 * 0.0000106667;
    assert!(
        (d.monthly_usd.unwrap() - expected).abs() < 0.01,
        "{} vs {expected}",
        d.formula
    );
}

#[test]
fn dynamodb_free_storage_follows_the_free_tier_switch() {
    // 25 GB of table storage a month are free; without the free tier, 2 tables × 1 GB bill.
    let on = estimate(examples::lambda(), true);
    assert_eq!(line(&on, "Table storage").quantity, 0.0);
    let off = estimate(examples::lambda(), false);
    let storage = line(&off, "Table storage");
    assert_eq!((storage.quantity, storage.monthly_usd), (2.0, Some(0.5)));
}

#[test]
fn lambda_platform_log_lines_are_counted() {
    // START, END and REPORT: about 350 bytes an invocation, 10M invocations = 3.5 GB.
    let e = estimate(examples::lambda(), false);
    let platform = line(&e, "Lambda platform log ingestion");
    assert!((platform.quantity - 3.5).abs() < 1e-9);
    assert_eq!(platform.monthly_usd, Some(1.75));
}

#[test]
fn transfer_out_above_ten_terabytes_is_unknown_not_the_first_tier() {
    // The book holds the first 10 TB tier only ($0.09/GB); above it the price is unknown.
    let within = estimate(examples::lambda(), false);
    assert!(line(&within, "Out to the internet").monthly_usd.is_some());
    let plan = lambda(|p, _| p.workload.requests_per_month = 1_000_000_000);
    let above = estimate(plan, false);
    // 1e9 requests × 40 KB × 90% = 36,000 GB: 10,240 GB priced at $0.09, the rest unknown.
    let first = line(&above, "Out to the internet");
    assert_eq!((first.quantity, first.monthly_usd), (10_240.0, Some(921.6)));
    let rest = line(&above, "Out to the internet (beyond the priced tiers)");
    assert_eq!(
        (rest.quantity, rest.monthly_usd),
        (25_760.0, None),
        "{}",
        rest.formula
    );
    assert!(above.lower_bound);
    assert!(above.unknown.iter().any(|u| u.contains("dto.gb.tier2")));
}

#[test]
fn the_free_transfer_out_is_part_of_the_first_ten_terabytes() {
    // AWS's tiers count from the first byte: 0–100 GB free, then $0.09 up to 10 TB. With the
    // free tier, 36,000 GB out leave 35,900 billed, of which 10,140 GB in the first tier.
    let plan = lambda(|p, _| p.workload.requests_per_month = 1_000_000_000);
    let e = estimate(plan, true);
    let first = line(&e, "Out to the internet");
    assert_eq!(
        (first.quantity, first.monthly_usd),
        (10_140.0, Some(912.6)),
        "{}",
        first.formula
    );
    let rest = line(&e, "Out to the internet (beyond the priced tiers)");
    assert_eq!((rest.quantity, rest.monthly_usd), (25_760.0, None));
}

/// Transfer out is tiered at 10 TB, the next 40 TB, the next 100 TB, then above 150 TB; a
/// book with the first three tiers (as a live book has them) prices no GB beyond 150 TB at the
/// third tier's rate.
#[test]
fn transfer_out_above_150_terabytes_is_not_priced_at_the_third_tier() {
    let mut book = cost::PriceBook::embedded().clone();
    let first = book.get("dto.gb", "us-east-1").unwrap().clone();
    for (key, usd) in [("dto.gb.tier2", 0.085), ("dto.gb.tier3", 0.07)] {
        book.insert(
            key,
            "us-east-1",
            cost::Price {
                usd,
                ..first.clone()
            },
        );
    }
    let plan = lambda(|p, _| {
        p.workload.requests_per_month = 1_000_000_000;
        p.workload.avg_response_kb = 200;
    });
    // 1e9 requests × 200 KB × 90% = 180,000 GB.
    let e = cost::estimate(
        &ValidPlan::new(plan).unwrap(),
        &book,
        Options { free_tier: false },
    );
    let priced = line(&e, "Out to the internet");
    assert_eq!(
        priced.quantity,
        10_240.0 + 40_960.0 + 102_400.0,
        "{}",
        priced.formula
    );
    let usd = 10_240.0 * 0.09 + 40_960.0 * 0.085 + 102_400.0 * 0.07;
    assert!(
        (priced.monthly_usd.unwrap() - usd).abs() < 0.01,
        "{:?} != {usd}",
        priced.monthly_usd
    );
    let rest = line(&e, "Out to the internet (beyond the priced tiers)");
    assert_eq!(
        (rest.quantity, rest.monthly_usd),
        (180_000.0 - 153_600.0, None)
    );
    assert!(
        rest.formula
            .starts_with("180,000 GB billed − 153,600 GB in the tiers the book prices = 26,400 GB"),
        "{}",
        rest.formula
    );
    // A rate is per one unit: "per hour", "per GB-month", but "per 1,000 requests".
    let fargate = estimate(examples::fargate(), true);
    for (item, per) in [
        ("NAT hours", "per hour"),
        ("ALB LCUs", "per LCU-hour"),
        ("Secrets", "per secret-month"),
        ("GET requests", "per 1,000 requests"),
    ] {
        let f = &line(&fargate, item).formula;
        assert!(f.ends_with(per), "{item}: {f}");
    }
    // The effective rate of several tiers is a price, not float noise.
    // A price is written to the cent at least, finer only as far as it goes.
    for (usd, written) in [
        (3.7000000000000006, "$3.70"),
        (0.0000166667, "$0.0000166667"),
        (2.0, "$2.00"),
        (0.2, "$0.20"),
        (0.045, "$0.045"),
        (1.25, "$1.25"),
        (0.0, "$0.00"),
    ] {
        assert_eq!(cost::fmt_usd_rate(usd), written);
    }
    assert!(
        e.unknown.iter().any(|u| u.contains("dto.gb.tier4")),
        "{:?}",
        e.unknown
    );
}

#[test]
fn cross_az_traffic_is_counted_and_its_missing_price_said() {
    let e = estimate(examples::fargate(), true);
    let x = line(&e, "Between AZs (tasks to database and cache)");
    // 10M × 10 KB × 50% × 2 directions = 100 GB.
    assert!((x.quantity - 100.0).abs() < 1e-9);
    assert_eq!(x.monthly_usd, None);
    assert!(e.lower_bound);
    // With one of them, the line names that one alone.
    let database_only = estimate(fargate(|_, f| f.cache = None), true);
    let x = line(&database_only, "Between AZs (tasks to database)");
    assert!(
        x.formula.contains("KB of database traffic"),
        "{}",
        x.formula
    );
    assert!(
        database_only
            .assumptions
            .iter()
            .all(|a| !a.contains("cache")),
        "{:?}",
        database_only.assumptions
    );
    line(
        &estimate(fargate(|_, f| f.database = None), true),
        "Between AZs (tasks to cache)",
    );
    // Without a database or cache, nothing crosses.
    let lean = estimate(
        fargate(|_, f| {
            f.database = None;
            f.cache = None;
        }),
        true,
    );
    assert!(
        lean.lines
            .iter()
            .all(|l| !l.item.starts_with("Between AZs"))
    );
}

#[test]
fn derived_book_rows_mark_their_lines() {
    // us-west-2's S3 request prices are derived ("us-west-2 equals us-east-1").
    let mut plan = examples::lambda();
    plan.region = Region::UsWest2;
    let e = estimate(plan, true);
    assert!(line(&e, "GET requests").derived);
    let e = estimate(examples::lambda(), true);
    assert!(!line(&e, "GET requests").derived);
}

#[test]
fn over_capacity_is_said_not_priced() {
    // 0.25 vCPU at 70% with 30 ms of CPU a request carries ~5.8 requests/s per task; 1e9
    // requests a month is ~380/s: far more than 3 tasks can serve.
    let plan = fargate(|p, f| {
        p.workload.requests_per_month = 1_000_000_000;
        f.vcpu = 0.25;
        f.memory_mib = 512;
        (f.min_tasks, f.desired_tasks, f.max_tasks) = (1, 1, 3);
    });
    let e = estimate(plan, true);
    let Some(cost::Capacity::Fargate(cap)) = e.capacity else {
        panic!("{:?}", e.capacity)
    };
    assert!(cap.over() && cap.needed > 3 && cap.tasks == 3, "{cap:?}");
    assert!(
        e.assumptions.iter().any(|a| a.starts_with("Over capacity")),
        "{:?}",
        e.assumptions
    );
    let vcpu = line(&e, "x86 vCPU (on-demand)");
    assert!((vcpu.quantity - 3.0 * 730.0 * 0.25).abs() < 1e-9);
}

#[test]
fn a_missing_first_tier_is_one_unknown_line_under_its_own_name() {
    // eu-central-1 has no HTTP API price at all.
    let mut plan = examples::lambda();
    plan.region = Region::EuCentral1;
    let e = estimate(plan, true);
    let api = line(&e, "HTTP API requests");
    assert_eq!(
        (api.quantity, api.monthly_usd),
        (10.0, None),
        "{}",
        api.formula
    );
    assert!(
        !e.lines
            .iter()
            .any(|l| l.item.contains("beyond the priced tiers"))
    );
}

#[test]
fn an_unknown_line_billed_alike_on_both_sides_cancels_in_the_cost_of_a_change() {
    // Traffic between AZs has no price, but a bigger task does not change it: the change in
    // total is exact. More traffic changes it: the change is then "at least".
    let before = estimate(examples::fargate(), true);
    let bigger = estimate(
        fargate(|_, f| {
            f.vcpu = 1.0;
            f.memory_mib = 2048;
        }),
        true,
    );
    let d = cost::difference(&before, &bigger);
    assert_eq!(d.change_bound, cost::Bound::Exact);
    assert!((d.delta_usd - (29.55 + 6.49)).abs() < 0.011, "{d:?}");
    let busier = estimate(fargate(|p, _| p.workload.requests_per_month *= 2), true);
    let d = cost::difference(&before, &busier);
    assert_eq!(
        d.change_bound,
        cost::Bound::Withheld,
        "unknown on both sides, changed"
    );
    assert!(
        d.lines
            .iter()
            .any(|l| l.item.starts_with("Between AZs") && l.before_unknown && l.after_unknown),
        "a changed unknown line is listed: {:?}",
        d.lines
    );
}

/// Lambda's limits, by the average a month's traffic keeps up (a lower bound on its peaks):
/// concurrency (requests/s × duration) against the reserved concurrency, else the account's
/// default quota of 1,000; requests/s against the API stage's throttling rate. Over either, the
/// estimate says so (as a Fargate plan over its maximum tasks does) and still prices every
/// request; within both, it says nothing.
#[test]
fn lambda_over_its_limits_is_said() {
    let served = " The estimate prices every request as if served.";
    // (case, requests a month, edit, the warning).
    type Edit = fn(&mut Lambda);
    let cases: &[(&str, u64, Edit, Option<String>)] = &[
        ("the example", 10_000_000, |_| {}, None),
        (
            "reserved 900",
            10_000_000,
            |l| l.reserved_concurrency = Some(900),
            None,
        ),
        // 5e9 ÷ 2,628,000 s = 1,902.6 requests/s × 0.12 s = 228.3 executions at once.
        (
            "reserved 10",
            5_000_000_000,
            |l| l.reserved_concurrency = Some(10),
            Some(format!(
                "Over capacity: the traffic needs at least 228 concurrent executions (its average: 1,902 requests/s × 0.12 s; peaks need more), but the function's reserved concurrency is 10; invocations beyond it are throttled (429).{served}"
            )),
        ),
        (
            "reserved 900 at 5e9",
            5_000_000_000,
            |l| l.reserved_concurrency = Some(900),
            None,
        ),
        // 5e10: 19,025.9 requests/s × 0.12 s = 2,283.1.
        (
            "the account's quota",
            50_000_000_000,
            |_| {},
            Some(format!(
                "Over capacity: the traffic needs at least 2,283 concurrent executions (its average: 19,025 requests/s × 0.12 s; peaks need more), but the account's default quota is 1,000 concurrent executions per region, shared by all its functions (AWS raises it on request); invocations beyond it are throttled (429).{served}"
            )),
        ),
        // 1e9: 380.5 requests/s.
        (
            "throttled below the average",
            1_000_000_000,
            |l| {
                l.throttling = Some(Throttling {
                    rate_per_second: 100,
                    burst: 50,
                })
            },
            Some(format!(
                "Over capacity: even on average the API receives 380 requests/s, more than its throttling rate of 100 requests/s; requests beyond it are refused (429 Too Many Requests).{served}"
            )),
        ),
        (
            "throttled above the average",
            1_000_000_000,
            |l| {
                l.throttling = Some(Throttling {
                    rate_per_second: 381,
                    burst: 50,
                })
            },
            None,
        ),
        (
            "a REST API's default stage throttling",
            5_000_000_000,
            |l| l.api = ApiType::Rest,
            Some(format!(
                "Over capacity: even on average the API receives 1,902 requests/s, more than the REST API stage's default throttling rate of 1,000 requests/s (lambda.throttling sets another); requests beyond it are refused (429 Too Many Requests).{served}"
            )),
        ),
        (
            "both",
            1_000_000_000,
            |l| {
                l.reserved_concurrency = Some(10);
                l.throttling = Some(Throttling {
                    rate_per_second: 100,
                    burst: 50,
                });
            },
            Some(format!(
                "Over capacity: the traffic needs at least 45 concurrent executions (its average: 380 requests/s × 0.12 s; peaks need more), but the function's reserved concurrency is 10; invocations beyond it are throttled (429). Also, even on average the API receives 380 requests/s, more than its throttling rate of 100 requests/s; requests beyond it are refused (429 Too Many Requests).{served}"
            )),
        ),
    ];
    for (case, requests, edit, warning) in cases {
        let plan = lambda(|p, l| {
            p.workload.requests_per_month = *requests;
            edit(l);
        });
        let e = estimate(plan, true);
        let said = e.capacity.and_then(|c| c.warning());
        assert_eq!(said.as_ref(), warning.as_ref(), "{case}");
        // The CLI lists it with the assumptions; the estimate's lines are those of a plan
        // without the limit.
        let listed: Vec<&String> = e
            .assumptions
            .iter()
            .filter(|a| a.starts_with("Over capacity"))
            .collect();
        assert_eq!(listed, warning.iter().collect::<Vec<_>>(), "{case}");
        let unlimited = lambda(|p, l| {
            p.workload.requests_per_month = *requests;
            edit(l);
            l.reserved_concurrency = None;
            l.throttling = None;
        });
        assert_eq!(e.lines, estimate(unlimited, true).lines, "{case}");
    }
}

#[test]
fn an_image_kept_elsewhere_is_not_stored_by_the_stack_and_is_pulled_by_its_own_way() {
    let own = estimate(examples::fargate(), true);
    let logs = examples::fargate().workload.log_gb_per_month;
    // The stack's own repository: 30 images stored, pulls through the S3 gateway endpoint.
    assert!(own.lines.iter().any(|l| l.item == "Image storage"));
    assert_eq!(line(&own, "Data processed").quantity, logs);

    // ECR of the plan's region: layers from S3 there, through the endpoint; the repository
    // is billed where it is kept, and the stack's own stays empty.
    let regional = estimate(
        fargate(|_, f| f.image = Some("123456789012.dkr.ecr.us-east-1.amazonaws.com/shop".into())),
        true,
    );
    assert!(!regional.lines.iter().any(|l| l.item == "Image storage"));
    let said = regional
        .not_estimated
        .iter()
        .find(|n| n.item == "Image storage")
        .expect("said, not a silent $0");
    assert!(said.reason.contains("stays empty"), "{}", said.reason);
    assert_eq!(line(&regional, "Data processed").quantity, logs);

    // Any other registry (or another region's ECR): the pulls cross the NAT gateway, billed
    // per GB processed: 2 tasks × 4 deploys × 0.5 GB.
    for image in [
        "docker.io/library/nginx",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop",
    ] {
        let elsewhere = estimate(fargate(|_, f| f.image = Some(image.into())), true);
        let nat = line(&elsewhere, "Data processed");
        assert_eq!(nat.quantity, logs + 4.0, "{image}");
        assert!(
            nat.formula.contains("from a registry outside"),
            "{}",
            nat.formula
        );
        assert!(
            elsewhere
                .assumptions
                .iter()
                .any(|a| a.contains("image pulls") && a.contains("through NAT")),
            "{image}"
        );
    }
}

#[test]
fn one_shared_nat_gateway_is_reached_across_azs_by_half_the_tasks() {
    // No database and no cache: the only traffic between AZs is the other AZ's tasks reaching
    // the one NAT gateway. Its price is not in the book, so the total says "at least".
    let shared_nat = estimate(
        fargate(|_, f| {
            f.database = None;
            f.cache = None;
            f.nat_gateways = NatGateways::Single;
        }),
        true,
    );
    let nat_gb = line(&shared_nat, "Data processed").quantity;
    let crossing = line(&shared_nat, "Between AZs (tasks to the shared NAT gateway)");
    assert_eq!(crossing.quantity, nat_gb);
    assert_eq!(crossing.monthly_usd, None);
    assert!(shared_nat.lower_bound);
    // One gateway per AZ: nothing crosses, and nothing is unknown.
    let per_az = estimate(
        fargate(|_, f| {
            f.database = None;
            f.cache = None;
            f.nat_gateways = NatGateways::PerAz;
        }),
        true,
    );
    assert!(
        !per_az
            .lines
            .iter()
            .any(|l| l.item.starts_with("Between AZs"))
    );
    assert!(!per_az.lower_bound, "{:?}", per_az.unknown);
}

/// HTTP API requests are metered in 512 KB increments; AWS does not say whether a response's
/// bytes count. Responses above 512 KB add the further increments as a line with no price, so
/// the estimate is a lower bound instead of a guess either way.
#[test]
fn http_api_responses_over_512_kb_are_increments_at_no_known_price() {
    let item = "HTTP API requests: 512 KB increments beyond the first";
    let with = |kb: u32, api: ApiType| {
        let mut plan = lambda(|_, l| l.api = api);
        plan.workload.avg_response_kb = kb;
        estimate(plan, true)
    };
    for kb in [40, 512] {
        let e = with(kb, ApiType::Http);
        assert!(e.lines.iter().all(|l| l.item != item), "{kb} KB");
    }
    let e = with(1100, ApiType::Http);
    let extra = line(&e, item);
    // 1,100 KB is three increments: two beyond the first, for every request.
    let requests = examples::lambda().workload.requests_per_month as f64;
    assert_eq!(extra.quantity, requests * 2.0 / 1e6);
    assert_eq!(extra.monthly_usd, None);
    assert!(e.lower_bound && e.range.lower_bound);
    assert!(
        e.unknown
            .iter()
            .any(|u| u.contains("does not say whether response bytes count")),
        "{:?}",
        e.unknown
    );
    // A REST API has no such metering.
    let rest = with(1100, ApiType::Rest);
    assert!(rest.lines.iter().all(|l| l.item != item));
}

/// What is billed for the plan but has no price or volume to price it by is named beside the
/// total, never silently in it; what is free within its allowance, or billed elsewhere, is not.
#[test]
fn billed_items_left_out_of_the_total_are_named() {
    let lambda = estimate(examples::lambda(), true);
    assert_eq!(
        lambda.not_in_total(),
        [
            "Point-in-time recovery (DynamoDB)",
            "Application bucket access logs (S3)"
        ],
        "{:?}",
        lambda.not_estimated
    );
    let fargate = estimate(examples::fargate(), true);
    assert_eq!(
        fargate.not_in_total(),
        [
            "PostgreSQL log export (CloudWatch)",
            "Container Insights performance log events (CloudWatch)",
            "Flow logs to S3 (VPC)",
            "Application bucket access logs (S3)",
        ],
        "{:?}",
        fargate.not_estimated
    );
    // Free within their allowances: said as not estimated, not as left out of the total.
    for free in ["Alarm notifications", "Backup storage"] {
        assert!(
            fargate
                .not_estimated
                .iter()
                .any(|n| n.item == free && !n.billed),
            "{free}: {:?}",
            fargate.not_estimated
        );
    }
}

/// A price the book lacks is said in the line's own unit, with the key a book of one's own would
/// give it under; a line with nothing billable says the same without being unknown.
#[test]
fn an_unknown_price_is_said_in_its_unit_with_its_book_key() {
    let e = estimate(lambda(|p, _| p.region = Region::ApSoutheast1), true);
    assert!(
        e.unknown.contains(
            &"DynamoDB On-demand reads: the price book has no price per 1M RRU in ap-southeast-1 (book key dynamodb.rru_million)"
                .to_string()
        ),
        "{:?}",
        e.unknown
    );
    assert!(
        line(&e, "On-demand reads").formula.ends_with(
            "= 10 1M RRU × unknown price (the book has none per 1M RRU in ap-southeast-1)"
        ),
        "{}",
        line(&e, "On-demand reads").formula
    );
    assert!(
        line(&e, "Table storage").formula.ends_with(
            "= 0 GB-months: nothing billable; the book has no price per GB-month in ap-southeast-1 (book key dynamodb.storage_gb_month)"
        ),
        "{}",
        line(&e, "Table storage").formula
    );
}
