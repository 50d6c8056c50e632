//! Cost accuracy: AWS's own worked examples to the cent, the Pricing Calculator's Fargate
//! formula, and a price line (or a stated reason) for every billable resource of a template.

use shared::cost::{self, Billing, Options, Origin, Price, PriceBook};
use shared::plan::*;
use shared::resources::lookup;
use shared::{ValidPlan, examples, template};

fn price(usd: f64, unit: &str) -> Price {
    Price {
        usd,
        unit: unit.into(),
        derived: false,
        dimension: "test".into(),
        source: "test".into(),
    }
}

/// A book with only the Lambda and API Gateway prices of us-east-1, at a chosen GB-s rate.
fn lambda_book(gb_second: f64) -> PriceBook {
    let mut book = PriceBook::new("test", "2026-10-08", Origin::Embedded);
    book.insert(
        "lambda.requests_million",
        "us-east-1",
        price(0.20, "1M requests"),
    );
    book.insert(
        "lambda.gb_second.x86",
        "us-east-1",
        price(gb_second, "GB-second"),
    );
    book.insert(
        "lambda.free_requests",
        "global",
        price(1_000_000.0, "requests"),
    );
    book.insert(
        "lambda.free_gb_seconds",
        "global",
        price(400_000.0, "GB-seconds"),
    );
    book
}

/// A Lambda plan with the worked example's function settings; no API, tables or bucket costs
/// are counted (the example prices the function alone).
fn lambda_plan(memory_mb: u32, requests: u64, duration_ms: u32) -> Plan {
    let mut plan = examples::lambda();
    plan.workload = Workload {
        requests_per_month: requests,
        avg_duration_ms: duration_ms,
        avg_response_kb: 0,
        internet_egress_percent: 0,
        log_gb_per_month: 0.0,
    };
    let Architecture::Lambda(l) = &mut plan.architecture else {
        unreachable!()
    };
    l.memory_mb = memory_mb;
    l.architecture = CpuArch::X86_64;
    l.tables.clear();
    l.bucket = false;
    plan
}

/// The Lambda lines of an estimate (requests and duration).
fn lambda_cost(plan: Plan, book: &PriceBook, free_tier: bool) -> f64 {
    let e = cost::estimate(&ValidPlan::new(plan).unwrap(), book, Options { free_tier });
    let sum: f64 = e
        .lines
        .iter()
        .filter(|l| l.service == "Lambda")
        .map(|l| l.monthly_usd.unwrap())
        .sum();
    (sum * 100.0).round() / 100.0
}

#[test]
fn lambda_pricing_page_example_1_at_the_pages_rounded_rate() {
    // 512 MB, 3M requests of 1 s, free tier: the page's $18.74 uses $0.00001667/GB-s.
    assert_eq!(
        lambda_cost(
            lambda_plan(512, 3_000_000, 1000),
            &lambda_book(0.00001667),
            true
        ),
        18.74
    );
}

#[test]
fn lambda_pricing_page_example_1_at_the_price_list_rate() {
    // The price list's exact $0.0000166667/GB-s gives $18.73: 1.1M GB-s × rate + 2M × $0.20/M.
    assert_eq!(
        lambda_cost(
            lambda_plan(512, 3_000_000, 1000),
            &lambda_book(0.0000166667),
            true
        ),
        18.73
    );
}

#[test]
fn lambda_pricing_page_example_2() {
    // 128 MB, 30M requests of 200 ms, free tier: $11.63 at either rate.
    for rate in [0.00001667, 0.0000166667] {
        assert_eq!(
            lambda_cost(lambda_plan(128, 30_000_000, 200), &lambda_book(rate), true),
            11.63,
            "{rate}"
        );
    }
}

#[test]
fn lambda_without_free_tier_bills_everything() {
    // 3M × $0.20/M + 1.5M GB-s × $0.0000166667 = 0.60 + 25.00
    assert_eq!(
        lambda_cost(
            lambda_plan(512, 3_000_000, 1000),
            &lambda_book(0.0000166667),
            false
        ),
        25.60
    );
}

/// Fargate vCPU and GB lines for a plan sized `vcpu`/`memory_mib` with `tasks` fixed tasks.
fn fargate_compute(region: Region, arch: CpuArch, vcpu: f64, memory_mib: u32, tasks: u32) -> f64 {
    let mut plan = examples::fargate();
    plan.region = region;
    let Architecture::Fargate(f) = &mut plan.architecture else {
        unreachable!()
    };
    f.vcpu = vcpu;
    f.memory_mib = memory_mib;
    f.cpu_architecture = arch;
    (f.min_tasks, f.desired_tasks, f.max_tasks) = (tasks, tasks, tasks);
    let e = cost::estimate(
        &ValidPlan::new(plan).unwrap(),
        PriceBook::embedded(),
        Options::default(),
    );
    e.lines
        .iter()
        .filter(|l| l.service == "Fargate")
        .map(|l| l.monthly_usd.unwrap())
        .sum()
}

#[test]
fn fargate_matches_the_pricing_calculator_formula() {
    // Calculator: tasks × hours × (vCPU × vCPU rate + GB × GB rate), 730 hours.
    let cases = [
        (
            Region::UsEast1,
            CpuArch::X86_64,
            0.25,
            512,
            1,
            0.04048,
            0.004445,
        ),
        (
            Region::UsEast1,
            CpuArch::X86_64,
            2.0,
            8192,
            3,
            0.04048,
            0.004445,
        ),
        (
            Region::UsEast1,
            CpuArch::Arm64,
            1.0,
            2048,
            2,
            0.03238,
            0.00356,
        ),
        (
            Region::EuCentral1,
            CpuArch::X86_64,
            4.0,
            16384,
            5,
            0.04656,
            0.00511,
        ),
        (
            Region::ApNortheast1,
            CpuArch::Arm64,
            16.0,
            122880,
            1,
            0.04045,
            0.00442,
        ),
    ];
    for (region, arch, vcpu, mib, tasks, vcpu_rate, gb_rate) in cases {
        let gb = f64::from(mib) / 1024.0;
        let calculator = f64::from(tasks) * 730.0 * (vcpu * vcpu_rate + gb * gb_rate);
        let ours = fargate_compute(region, arch, vcpu, mib, tasks);
        assert!(
            (ours - calculator).abs() < 0.011,
            "{region} {vcpu} vCPU {mib} MiB ×{tasks}: {ours} vs {calculator}"
        );
    }
}

/// The Fargate example with every task on Spot, in `region`, on `arch`: its estimate.
fn all_spot(region: Region, arch: CpuArch) -> cost::Estimate {
    let mut plan = examples::fargate();
    plan.region = region;
    let Architecture::Fargate(f) = &mut plan.architecture else {
        unreachable!()
    };
    f.spot_percent = 100;
    f.cpu_architecture = arch;
    cost::estimate(
        &ValidPlan::new(plan).unwrap(),
        PriceBook::embedded(),
        Options::default(),
    )
}

/// A Spot share that does not split the running tasks into whole tasks is priced as shares,
/// and the estimate says that ECS places whole tasks.
#[test]
fn a_spot_share_of_part_of_a_task_says_so() {
    let estimate = |desired: u32, spot: u8| {
        let mut plan = examples::fargate();
        let Architecture::Fargate(f) = &mut plan.architecture else {
            unreachable!()
        };
        // Traffic the fewest tasks carry: the tasks running are the minimum.
        (f.min_tasks, f.desired_tasks, f.spot_percent) = (desired, desired, spot);
        f.max_tasks = f.max_tasks.max(desired);
        plan.workload.requests_per_month = 1_000;
        cost::estimate(
            &ValidPlan::new(plan).unwrap(),
            PriceBook::embedded(),
            Options::default(),
        )
    };
    let said = |e: &cost::Estimate| {
        e.assumptions
            .iter()
            .filter(|a| a.starts_with("Spot share:"))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        said(&estimate(1, 50)),
        [
            "Spot share: ECS places whole tasks, on-demand and on Spot by weight (50:50); the 1 task running is priced as 0.5 on-demand and 0.5 on Spot, which holds only on average: a task that does not split evenly runs wholly on one or the other."
        ]
    );
    assert_eq!(
        said(&estimate(3, 50)),
        [
            "Spot share: ECS places whole tasks, on-demand and on Spot by weight (50:50); the 3 tasks running are priced as 1.5 on-demand and 1.5 on Spot, which holds only on average: a task that does not split evenly runs wholly on one or the other."
        ]
    );
    // Whole tasks on each side, or all on one: nothing to say.
    for (desired, spot) in [(2, 50), (4, 25), (3, 0), (3, 100)] {
        assert_eq!(
            said(&estimate(desired, spot)),
            Vec::<String>::new(),
            "{desired} tasks, {spot}% Spot"
        );
    }
}

/// Spot lines, by region and architecture: the book's snapshot of the region's Spot rate when
/// it has one; else unknown (the total a lower bound), with the least it can cost in words:
/// the on-demand rate less AWS's stated maximum discount ("up to 70%"), which AWS states for
/// Fargate Spot on either architecture.
#[test]
fn spot_lines_by_region_and_architecture() {
    // (region, architecture, item, monthly, unit price, words in the formula). The example
    // runs 2 tasks × 730 h of 0.5 vCPU and 1 GB.
    type Case = (
        Region,
        CpuArch,
        &'static str,
        Option<f64>,
        Option<f64>,
        &'static str,
    );
    let cases: &[Case] = &[
        // fargate-spot-prices.json of 2026-09-28.
        (
            Region::UsEast1,
            CpuArch::X86_64,
            "x86 vCPU (Spot)",
            Some(9.41),
            Some(0.01288871),
            "snapshot",
        ),
        (
            Region::UsEast1,
            CpuArch::X86_64,
            "x86 memory (Spot)",
            Some(2.07),
            Some(0.00141527),
            "snapshot",
        ),
        // No Spot rate in the book: at least eu-central-1's 0.04656 × (1 − 0.70).
        (
            Region::EuCentral1,
            CpuArch::X86_64,
            "x86 vCPU (Spot)",
            None,
            None,
            "so it costs at least $0.013968 per vCPU-hour",
        ),
        // 730 vCPU-hours × 0.01030969; 1,460 GB-hours × 0.00113349.
        (
            Region::UsEast1,
            CpuArch::Arm64,
            "ARM vCPU (Spot)",
            Some(7.53),
            Some(0.01030969),
            "snapshot",
        ),
        (
            Region::UsEast1,
            CpuArch::Arm64,
            "ARM memory (Spot)",
            Some(1.65),
            Some(0.00113349),
            "snapshot",
        ),
        (
            Region::EuWest1,
            CpuArch::Arm64,
            "ARM vCPU (Spot)",
            Some(7.15),
            Some(0.00979124),
            "snapshot",
        ),
        (
            Region::EuWest1,
            CpuArch::Arm64,
            "ARM memory (Spot)",
            Some(1.57),
            Some(0.00107649),
            "snapshot",
        ),
        // No ARM Spot snapshot in these regions: at least the on-demand rate × (1 − 0.70), as
        // for x86.
        (
            Region::EuCentral1,
            CpuArch::Arm64,
            "ARM vCPU (Spot)",
            None,
            None,
            "so it costs at least $0.011175 per vCPU-hour",
        ),
        (
            Region::UsWest2,
            CpuArch::Arm64,
            "ARM memory (Spot)",
            None,
            None,
            "so it costs at least $0.001068 per GB-hour",
        ),
        (
            Region::ApNortheast1,
            CpuArch::Arm64,
            "ARM vCPU (Spot)",
            None,
            None,
            "so it costs at least $0.012135 per vCPU-hour",
        ),
    ];
    for &(region, arch, item, monthly, unit, words) in cases {
        let e = all_spot(region, arch);
        let case = format!("{region} {item}");
        let line = e
            .lines
            .iter()
            .find(|l| l.item == item)
            .unwrap_or_else(|| panic!("{case}: no line"));
        assert_eq!(line.monthly_usd, monthly, "{case}: {}", line.formula);
        match (line.unit_usd, unit) {
            (Some(got), Some(want)) => assert!((got - want).abs() < 1e-12, "{case}: {got}"),
            (got, want) => assert_eq!(got, want, "{case}"),
        }
        assert!(line.formula.contains(words), "{case}: {}", line.formula);
        if monthly.is_none() {
            assert!(e.lower_bound, "{case}");
            assert!(
                e.unknown
                    .iter()
                    .any(|u| u.starts_with(&format!("Fargate {item}: ")) && u.contains(words)),
                "{case}: {:?}",
                e.unknown
            );
        }
        // An unknown line is said, and makes the total a lower bound.
        assert_eq!(
            e.lower_bound,
            e.lines.iter().any(|l| l.monthly_usd.is_none()),
            "{case}"
        );
        // No on-demand line is left once every task is on Spot.
        assert!(
            !e.lines.iter().any(|l| l.item.ends_with("(on-demand)")),
            "{case}"
        );
    }
}

#[test]
fn every_billable_resource_has_a_line_or_a_reason() {
    // The matrix, and an image function with no application bucket: its code bucket is the
    // stack's only bucket, and empty.
    let mut image_only = examples::matrix()
        .into_iter()
        .find(|(name, _)| name == "lambda-image")
        .unwrap();
    image_only.0 = "lambda-image-no-bucket".into();
    let Architecture::Lambda(l) = &mut image_only.1.architecture else {
        unreachable!()
    };
    l.bucket = false;
    for (name, plan) in examples::matrix().into_iter().chain([image_only]) {
        let valid = ValidPlan::new(plan).unwrap();
        let t = template::generate(&valid);
        let e = cost::estimate(&valid, PriceBook::embedded(), Options::default());
        for (id, ty) in t.resource_types() {
            match lookup(ty).map(|r| r.billing) {
                None => panic!("{name}: {id} ({ty}) has no billing entry"),
                Some(Billing::Service(service)) => {
                    assert!(
                        e.lines.iter().any(|l| l.service == service)
                            || e.not_estimated.iter().any(|n| n.service == service),
                        "{name}: {id} ({ty}) is billed under {service}, but the estimate has no such line or reason"
                    );
                    // The hover names every line and every item left out of the service.
                    let hover = cost::node_cost_text(&e, ty, 1).unwrap();
                    assert!(!hover.contains("()"), "{name}: {id}: {hover}");
                    for n in e.not_estimated.iter().filter(|n| n.service == service) {
                        assert!(hover.contains(&n.item), "{name}: {id}: {hover}");
                    }
                }
                Some(Billing::NotEstimated(_)) => {
                    assert!(!e.not_estimated.is_empty(), "{name}: {id}")
                }
                Some(Billing::Free(_)) => {}
            }
        }
    }
}

/// What a template makes that is billed by volume the book cannot price is named beside the
/// total as billed, and the stack key's lines name only what the key encrypts in this stack.
#[test]
fn billed_by_volume_is_billed_and_the_key_names_what_it_encrypts() {
    let governed = examples::matrix().into_iter().map(|(name, mut plan)| {
        plan.governed = true;
        (format!("{name} (governed)"), plan)
    });
    let mut seen = 0;
    for (name, plan) in examples::matrix().into_iter().chain(governed) {
        let Ok(valid) = ValidPlan::new(plan) else {
            continue;
        };
        let t = template::generate(&valid).to_value();
        let e = cost::estimate(&valid, PriceBook::embedded(), Options::default());
        let resources = t["Resources"].as_object().unwrap();
        let has = |ty: &str, property: &str| {
            resources.values().any(|r| {
                r["Type"] == ty && (property.is_empty() || !r["Properties"][property].is_null())
            })
        };
        let billed = |item: &str| {
            e.not_estimated
                .iter()
                .find(|n| n.item == item)
                .map(|n| n.billed)
        };
        for (ty, property, item) in [
            ("AWS::EC2::FlowLog", "", "Flow logs to S3"),
            (
                "AWS::RDS::DBInstance",
                "MonitoringInterval",
                "Enhanced Monitoring OS metrics",
            ),
            ("AWS::KMS::Key", "", "Key requests"),
        ] {
            if has(ty, property) {
                seen += 1;
                assert_eq!(billed(item), Some(true), "{name}: {item}");
            }
        }
        if let Some(key) = e.lines.iter().find(|l| l.item == "Customer-managed key") {
            let requests = &e
                .not_estimated
                .iter()
                .find(|n| n.item == "Key requests")
                .unwrap()
                .reason;
            for (ty, what, who) in [
                ("AWS::RDS::DBInstance", "database", "RDS"),
                ("AWS::SNS::Topic", "alarm topic", "SNS"),
            ] {
                assert_eq!(
                    key.formula.contains(what),
                    has(ty, "KmsKeyId") || has(ty, "KmsMasterKeyId"),
                    "{name}: {}",
                    key.formula
                );
                assert_eq!(
                    requests.contains(who),
                    key.formula.contains(what),
                    "{name}: {requests}"
                );
            }
        }
    }
    assert!(seen >= 6, "{seen}");
}

#[test]
fn unknown_prices_say_unknown_and_make_a_lower_bound() {
    // The book has no ALB LCU price for eu-central-1.
    let mut plan = examples::fargate();
    plan.region = Region::EuCentral1;
    let e = cost::estimate(
        &ValidPlan::new(plan).unwrap(),
        PriceBook::embedded(),
        Options::default(),
    );
    let lcu = e.lines.iter().find(|l| l.item == "ALB LCUs").unwrap();
    assert_eq!(lcu.monthly_usd, None);
    assert!(lcu.formula.contains("unknown price"));
    assert!(e.lower_bound);
    assert!(
        e.unknown.iter().any(|u| u.contains("alb.lcu_hour")),
        "{:?}",
        e.unknown
    );
}

#[test]
fn estimates_work_in_every_region_and_ranges_hold() {
    for region in Region::ALL {
        for mut plan in [examples::fargate(), examples::lambda()] {
            plan.region = region;
            let e = cost::estimate(
                &ValidPlan::new(plan).unwrap(),
                PriceBook::embedded(),
                Options::default(),
            );
            assert!(e.monthly_usd > 0.0, "{region}");
            assert!(
                e.range.min <= e.monthly_usd && e.monthly_usd <= e.range.max,
                "{region}: {:?}",
                e.range
            );
            assert_eq!(e.price_book.date, "2026-10-08");
            let unknown_lines = e.lines.iter().filter(|l| l.monthly_usd.is_none()).count();
            assert_eq!(e.lower_bound, unknown_lines > 0, "{region}");
        }
    }
}

/// A line's quantity as written, times its unit price as written, is its amount as written,
/// on every line of every matrix plan in every region, with and without the free tier: what
/// the user reads multiplies out (a quantity used to be written whole from 100 up, so 182.5
/// vCPU-hours × $0.04048 read "183", which is $7.41, beside $7.39).
#[test]
fn every_line_multiplies_out_as_written() {
    let mut lines = 0;
    for (name, plan) in examples::matrix() {
        for region in Region::ALL {
            for free_tier in [true, false] {
                let mut plan = plan.clone();
                plan.region = region;
                // A plan whose ARNs name its own region is valid there only.
                let Ok(valid) = ValidPlan::new(plan) else {
                    continue;
                };
                let e = cost::estimate(&valid, PriceBook::embedded(), Options { free_tier });
                for l in &e.lines {
                    let (Some(unit), Some(monthly)) = (l.unit_usd, l.monthly_usd) else {
                        continue;
                    };
                    let written: f64 = cost::fmt_qty(l.quantity).replace(',', "").parse().unwrap();
                    let rate: f64 = cost::fmt_usd_rate(unit)[1..].parse().unwrap();
                    assert_eq!(
                        cost::fmt_usd(written * rate),
                        cost::fmt_usd(monthly),
                        "{name} in {region}: {} {}: {}",
                        l.service,
                        l.item,
                        l.formula
                    );
                    lines += 1;
                }
            }
        }
    }
    assert!(lines > 10_000, "{lines}");
}

/// `plan`'s estimate at `requests` a month.
fn estimate_at(plan: &shared::Plan, requests: f64, o: Options) -> cost::Estimate {
    let mut p = plan.clone();
    p.workload.requests_per_month = requests.round() as u64;
    cost::estimate(&ValidPlan::new(p).unwrap(), PriceBook::embedded(), o)
}

/// A lean Fargate service (no database, cache or second NAT, one task at least), which
/// crosses the Lambda example.
fn lean_fargate() -> shared::Plan {
    let mut plan = examples::fargate();
    let Architecture::Fargate(f) = &mut plan.architecture else {
        unreachable!()
    };
    f.database = None;
    f.cache = None;
    f.nat_gateways = NatGateways::Single;
    f.min_tasks = 1;
    f.desired_tasks = 1;
    plan
}

#[test]
fn comparison_crosses_where_the_curves_cross() {
    let plan = lean_fargate();
    let c = cost::compare(
        &plan,
        PriceBook::embedded(),
        Options::default(),
        cost::Sides::default(),
    );
    let r = c
        .break_even_requests_per_month
        .expect("a lean Fargate service crosses Lambda");
    let before = c.curve.iter().rfind(|p| p.requests_per_month < r).unwrap();
    let after = c.curve.iter().find(|p| p.requests_per_month > r).unwrap();
    assert!(
        before.fargate_usd > before.lambda_usd,
        "Lambda is cheaper at low traffic"
    );
    assert!(
        after.fargate_usd < after.lambda_usd,
        "Fargate is cheaper above the break-even"
    );
    assert_eq!(c.cheaper_above_break_even.as_deref(), Some("fargate"));
    // The one NAT gateway is reached across AZs by the other AZ's tasks, at a price the book
    // lacks: the crossing is a bound, and its note says why.
    assert_eq!(
        c.break_even_bound,
        cost::Bound::AtLeast,
        "{:?}",
        c.break_even_note
    );
    assert!(
        c.break_even_note
            .as_deref()
            .is_some_and(|n| n.contains("tasks to the shared NAT gateway")),
        "{:?}",
        c.break_even_note
    );
    assert!(c.curve.len() > 50);
}

#[test]
fn nothing_billable_is_not_unknown() {
    // ap-southeast-1 has no DynamoDB storage price, but two 1 GB tables stay within 25 GB free.
    let mut plan = examples::lambda();
    plan.region = Region::ApSoutheast1;
    let e = cost::estimate(
        &ValidPlan::new(plan).unwrap(),
        PriceBook::embedded(),
        Options::default(),
    );
    let storage = e.lines.iter().find(|l| l.item == "Table storage").unwrap();
    assert_eq!(
        (storage.quantity, storage.monthly_usd, storage.unit_usd),
        (0.0, Some(0.0), None)
    );
    assert!(
        !e.unknown
            .iter()
            .any(|u| u.contains("dynamodb.storage_gb_month")),
        "{:?}",
        e.unknown
    );
}

/// The stack's secrets are lines of their own; referenced secrets are billed where they are
/// kept (said as an assumption); SecureString decrypts are named as not estimated, with why.
#[test]
fn generated_secrets_are_billed_and_references_are_explained() {
    for (name, plan) in examples::matrix() {
        if !name.ends_with("-environment") {
            continue;
        }
        let base = examples::for_kind(plan.kind());
        let with = cost::estimate(
            &ValidPlan::new(plan.clone()).unwrap(),
            PriceBook::embedded(),
            Options::default(),
        );
        let without = cost::estimate(
            &ValidPlan::new(base).unwrap(),
            PriceBook::embedded(),
            Options::default(),
        );
        let secrets = |e: &cost::Estimate| {
            e.lines
                .iter()
                .find(|l| l.service == "Secrets Manager" && l.item == "Secrets")
                .map(|l| (l.quantity, l.formula.clone()))
        };
        let (after, formula) = secrets(&with).expect("a secrets line");
        let before = secrets(&without).map_or(0.0, |(q, _)| q);
        assert_eq!(
            after - before,
            1.0,
            "{name}: one generated secret (API_KEY)"
        );
        assert!(
            formula.contains("1 generated (API_KEY)"),
            "{name}: {formula}"
        );
        assert!(
            with.assumptions
                .iter()
                .any(|a| a.contains("billed where they are kept")),
            "{name}"
        );
        let kms = with.not_estimated.iter().any(|n| n.service == "KMS");
        assert_eq!(kms, plan.kind() == ArchitectureKind::Fargate, "{name}");
    }
}

/// Each new Fargate task is a step in its cost, so the curves can cross and cross back within
/// one cell of the curve's grid. Every crossing is found; the break-even is the last, above
/// which one side is cheaper all the way up, and the earlier ones are said.
#[test]
fn every_crossing_is_found_and_the_break_even_is_the_last() {
    let plan = lean_fargate();
    let o = Options::default();
    let c = cost::compare(&plan, PriceBook::embedded(), o, cost::Sides::default());
    let r = c.break_even_requests_per_month.expect("a break-even");
    assert_eq!(c.crossings_before.len(), 2, "{:?}", c.break_even_note);
    let at = |plan: &shared::Plan, r: f64| estimate_at(plan, r, o).monthly_usd;
    let fargate_cheaper = |r: f64| at(&c.fargate_plan, r) < at(&c.lambda_plan, r);
    let mut edges = c.crossings_before.clone();
    edges.push(r);
    // Lambda below the first crossing; then the cheaper side changes at every one.
    assert!(!fargate_cheaper(edges[0] * 0.99));
    for (i, pair) in edges.windows(2).enumerate() {
        let mid = (pair[0] + pair[1]) / 2.0;
        assert_eq!(fargate_cheaper(mid), i % 2 == 0, "between {pair:?}");
    }
    for above in [1.01, 2.0, 10.0] {
        assert!(fargate_cheaper(r * above), "{above} × the break-even");
    }
    assert_eq!(c.cheaper_above_break_even.as_deref(), Some("fargate"));
    assert!(
        c.break_even_note
            .as_deref()
            .is_some_and(|n| n.contains("Below it the curves also cross, near 29,090,782 (Fargate cheaper above), near 30,660,000 (Lambda cheaper above) requests a month; each new Fargate task is a step in its cost.")),
        "{:?}",
        c.break_even_note
    );
}

/// An unknown price both sides share in the same quantity (data transfer out beyond the
/// book's first tier, for the same responses) adds the same amount to both: it moves no
/// crossing, so it neither withholds the break-even nor is named as a reason.
#[test]
fn an_unknown_both_sides_share_moves_no_crossing() {
    let mut plan = examples::fargate();
    plan.workload.avg_response_kb = 250;
    let Architecture::Fargate(f) = &mut plan.architecture else {
        unreachable!()
    };
    f.max_tasks = 100;
    let o = Options::default();
    let c = cost::compare(&plan, PriceBook::embedded(), o, cost::Sides::default());
    let r = c.break_even_requests_per_month.expect("a break-even");
    let at = |plan: &shared::Plan| estimate_at(plan, r, o);
    let unknown = |e: &cost::Estimate| {
        e.lines
            .iter()
            .filter(|l| l.monthly_usd.is_none())
            .map(|l| (l.service.clone(), l.item.clone(), l.quantity))
            .collect::<Vec<_>>()
    };
    let (f_unknown, l_unknown) = (unknown(&at(&c.fargate_plan)), unknown(&at(&c.lambda_plan)));
    // Both sides lack the same transfer price, for the same gigabytes; only Fargate has more.
    assert!(!l_unknown.is_empty(), "{l_unknown:?}");
    for line in &l_unknown {
        assert!(f_unknown.contains(line), "{line:?} not on the Fargate side");
    }
    assert!(f_unknown.len() > l_unknown.len());
    assert_eq!(
        c.break_even_bound,
        cost::Bound::AtLeast,
        "{:?}",
        c.break_even_note
    );
    let note = c.break_even_note.unwrap();
    assert!(note.starts_with("The crossing is at least this traffic: Fargate has unknown prices"));
    for (service, item, _) in &l_unknown {
        assert!(!note.contains(&format!("{service} {item}")), "{note}");
    }
}

/// No crossing in the known prices, but the cheaper side has prices the book lacks (data
/// transfer beyond its priced tiers, at 2 MB a response): a crossing may be hidden, so the
/// answer is not "exact" but withheld, and the note names the cheaper side's unknown prices.
#[test]
fn no_crossing_that_unknown_prices_may_hide_is_withheld() {
    let mut plan = examples::lambda();
    if let Architecture::Lambda(l) = &mut plan.architecture {
        l.api = ApiType::Rest;
    }
    plan.workload.avg_response_kb = 2000;
    let plan = ValidPlan::new(plan).unwrap();
    let c = cost::compare(
        &plan,
        PriceBook::embedded(),
        Options::default(),
        cost::Sides::default(),
    );
    assert_eq!(c.break_even_requests_per_month, None);
    let note = c.break_even_note.as_deref().expect("a note");
    assert!(note.contains("so one may be hidden"), "{note}");
    assert_eq!(c.break_even_bound, cost::Bound::Withheld, "{note}");
}

/// The Lambda example's table storage names the allowance it takes from, and its API access
/// logs' line size is an assumption said with the others.
#[test]
fn table_storage_and_access_logs_say_what_they_assume() {
    for free_tier in [true, false] {
        let e = cost::estimate(
            &ValidPlan::new(examples::lambda()).unwrap(),
            PriceBook::embedded(),
            Options { free_tier },
        );
        let storage = e.lines.iter().find(|l| l.item == "Table storage").unwrap();
        let wanted = if free_tier {
            "2 tables × 1 GB − 2 GB of the always-free 25 GB = 0 GB-months"
        } else {
            "2 tables × 1 GB = 2 GB-months"
        };
        assert!(storage.formula.starts_with(wanted), "{}", storage.formula);
        assert!(
            e.assumptions.iter().any(|a| a.starts_with(
                "API Gateway writes one access-log line per request, about 300 bytes"
            )),
            "{:?}",
            e.assumptions
        );
    }
}
