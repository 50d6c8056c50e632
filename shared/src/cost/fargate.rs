//! Cost lines of the Fargate architecture.

use super::HOURS;
use super::Notes;
use super::pricer::one;
use super::{
    DAYS_PER_MONTH, HOURS_PER_MONTH, Options, Pricer, SECONDS_PER_MONTH, Scenario, assume, fmt_qty,
    fmt_usd, fmt_usd_rate,
};
use crate::decimal::{Fixed, Plain};
use crate::plan::{CpuArch, Fargate, NatGateways, Plan};
use crate::template::{ECR_IMAGES_KEPT, LOG_EXPIRATION_DAYS, LOG_OLD_VERSION_DAYS};

/// KB to GB (decimal, as AWS bills data).
const KB_PER_GB: f64 = 1_000_000.0;
/// The first transfer-out tier: 10 TB a month.
const DTO_FIRST_TIER_GB: f64 = 10_240.0;
/// The second: the next 40 TB.
const DTO_SECOND_TIER_GB: f64 = 40_960.0;
/// The third: the next 100 TB (above 150 TB in all, the fourth tier's price applies).
const DTO_THIRD_TIER_GB: f64 = 102_400.0;

pub(super) fn lines(
    p: &mut Pricer<'_>,
    a: &mut Notes,
    plan: &Plan,
    f: &Fargate,
    o: Options,
    s: Scenario,
) {
    compute(p, a, f, s);
    network(p, a, plan, f, o, s);
    data(p, a, plan, f, s);
    monitoring(p, a, plan, f, o, s);
}

/// "1 task", "2 tasks", "1.5 tasks".
fn count_tasks(tasks: f64) -> String {
    let written = fmt_qty(tasks);
    let plural = if written == "1" { "" } else { "s" };
    format!("{written} task{plural}")
}

/// Whether `tasks` running with `spot` of them on Spot split into whole tasks on neither side.
fn share_is_split(tasks: f64, spot: f64) -> bool {
    let on_spot = tasks * spot;
    spot > 0.0 && spot < 1.0 && (on_spot - on_spot.round()).abs() > 1e-9
}

fn compute(p: &mut Pricer<'_>, a: &mut Notes, f: &Fargate, s: Scenario) {
    let (arch, arch_label) = match f.cpu_architecture {
        CpuArch::X86_64 => ("x86", "x86"),
        CpuArch::Arm64 => ("arm", "ARM"),
    };
    let task_hours = s.tasks * HOURS_PER_MONTH;
    let spot = f64::from(f.spot_percent) / 100.0;
    let gb = f64::from(f.memory_mib) / 1024.0;
    let parts = [("on-demand", 1.0 - spot), ("Spot", spot)];
    let discount = p
        .price("fargate.spot_discount_max")
        .map(|d| (d, false))
        .or_else(|| {
            p.book_price_in(
                "fargate.spot_discount_max",
                assume::SPOT_DISCOUNT_FALLBACK_REGION,
            )
            .map(|d| (d, true))
        });
    // ECS places whole tasks by the strategy's weights; a share of tasks that is not whole is
    // what the month averages to, not what each hour runs.
    if share_is_split(s.tasks, spot) && a.wanted() {
        let said = format!(
            "Spot share: ECS places whole tasks, on-demand and on Spot by weight ({}:{}); the {} {} running {} priced as {} on-demand and {} on Spot, which holds only on average: a task that does not split evenly runs wholly on one or the other.",
            100 - f.spot_percent,
            f.spot_percent,
            fmt_qty(s.tasks),
            if s.tasks == 1.0 { "task" } else { "tasks" },
            if s.tasks == 1.0 { "is" } else { "are" },
            fmt_qty(s.tasks * (1.0 - spot)),
            fmt_qty(s.tasks * spot),
        );
        a.say_once(said);
    }
    for (kind, share) in parts {
        if share == 0.0 {
            continue;
        }
        let hours = task_hours * share;
        let explain_tasks = || {
            format!(
                "{} × {HOURS} h × {}% {kind}",
                count_tasks(s.tasks),
                Fixed::<0>(share * 100.0)
            )
        };
        for (what, per_task, key, unit) in [
            (
                "vCPU",
                f.vcpu,
                format!("fargate.vcpu_hour.{arch}"),
                "vCPU-hours",
            ),
            ("memory", gb, format!("fargate.gb_hour.{arch}"), "GB-hours"),
        ] {
            let item = format!("{arch_label} {what} ({kind})");
            let explain = || {
                format!(
                    "{} × {} {}",
                    explain_tasks(),
                    fmt_qty(per_task),
                    if what == "vCPU" { "vCPU" } else { "GB" }
                )
            };
            let on_demand = p.price(&key);
            if kind == "on-demand" {
                p.push(
                    "Fargate",
                    &item,
                    hours * per_task,
                    unit,
                    on_demand,
                    &key,
                    &explain,
                    None,
                );
                continue;
            }
            // Spot: the book's snapshot of the region's Spot rate, else unknown, with the
            // least it can cost (AWS's stated maximum discount off the on-demand rate, stated
            // for Fargate Spot, x86 and ARM alike) in words: a rate, which does not depend on
            // the traffic, so the comparison's notes name it once.
            let spot_key = key.replacen("fargate.", "fargate.spot.", 1);
            if let Some(rate) = p.price(&spot_key) {
                p.push(
                    "Fargate",
                    &item,
                    hours * per_task,
                    unit,
                    Some(rate),
                    &spot_key,
                    &explain,
                    Some(
                        "Spot at the book's snapshot of this region's Spot rate; Spot prices float",
                    ),
                );
                continue;
            }
            // No Spot rate for this region: unknown, as any price the book lacks. AWS states
            // Spot only as "up to" a discount off on-demand, so that gives the least a Spot
            // hour can cost, not its price: the floor is said, and the total is a lower bound.
            let floor = match (on_demand, discount) {
                _ if !p.says_unknowns() => String::new(),
                (Some(rate), Some((d, fallback))) => format!(
                    "Spot prices float; AWS states Fargate Spot at up to {}% off on-demand{}, so it costs at least {} per {}",
                    Fixed::<0>(d * 100.0),
                    if fallback {
                        format!(
                            " (a figure the book has for {}, and AWS states for every region)",
                            assume::SPOT_DISCOUNT_FALLBACK_REGION
                        )
                    } else {
                        String::new()
                    },
                    fmt_usd_rate(rate * (1.0 - d)),
                    one(unit)
                ),
                _ => "Spot prices float".to_string(),
            };
            p.push(
                "Fargate",
                &item,
                hours * per_task,
                unit,
                None,
                &spot_key,
                &explain,
                Some(&floor),
            );
        }
    }
    if f.ephemeral_storage_gib > 20 {
        let extra = f64::from(f.ephemeral_storage_gib - 20);
        p.add(
            "Fargate",
            "Ephemeral storage above 20 GB",
            task_hours * extra,
            "GB-hours",
            "fargate.ephemeral_gb_hour",
            &|| {
                format!(
                    "{} × {HOURS} h × ({} − 20 included) GB",
                    count_tasks(s.tasks),
                    f.ephemeral_storage_gib
                )
            },
        );
    } else {
        a.say(format_args!(
            "Fargate: 20 GB of ephemeral storage per task is included at no charge."
        ));
    }
}

fn network(p: &mut Pricer<'_>, a: &mut Notes, plan: &Plan, f: &Fargate, o: Options, s: Scenario) {
    let w = &plan.workload;
    let rps = s.requests / SECONDS_PER_MONTH;
    p.add(
        "Load balancer",
        "ALB hours",
        HOURS_PER_MONTH,
        "hours",
        "alb.hour",
        &|| format!("1 ALB × {HOURS} h"),
    );
    let new_conn = rps * assume::NEW_CONNECTIONS_PER_REQUEST / 25.0;
    let bytes_gb_per_hour = s.requests * f64::from(w.avg_response_kb) / KB_PER_GB / HOURS_PER_MONTH;
    let lcus = new_conn.max(bytes_gb_per_hour);
    p.add(
        "Load balancer",
        "ALB LCUs",
        lcus * HOURS_PER_MONTH,
        "LCU-hours",
        "alb.lcu_hour",
        &|| {
            format!(
                "max({} new connections/s ÷ 25, {} GB processed/h ÷ 1) LCU × {HOURS} h",
                fmt_qty(rps * assume::NEW_CONNECTIONS_PER_REQUEST),
                fmt_qty(bytes_gb_per_hour)
            )
        },
    );
    a.say(format_args!(
        "Load balancer: traffic is spread evenly over the month; each request opens {} new connection (no keep-alive), and the single forward rule stays within the 10 free rule evaluations. The bytes processed are the responses' (the plan states no request size; request bodies add to them).",
        Plain(assume::NEW_CONNECTIONS_PER_REQUEST)
    ));
    let nats = f64::from(f.nat_gateways.count());
    let nat_label = match f.nat_gateways {
        NatGateways::Single => "1 shared NAT gateway",
        NatGateways::PerAz => "2 NAT gateways (one per AZ)",
    };
    p.add(
        "NAT gateway",
        "NAT hours",
        nats * HOURS_PER_MONTH,
        "hours",
        "nat.hour",
        &|| format!("{nat_label} × {HOURS} h"),
    );
    // ECR keeps image layers in S3, so pulls from a repository of the plan's region take the
    // S3 gateway endpoint too (only the registry's API calls, a few KB a pull, cross the NAT);
    // pulls from any other registry, or another region's, go through the NAT.
    let pulls = s.tasks * assume::DEPLOYS_PER_MONTH * assume::IMAGE_GB;
    let from_s3 = pulls_through_s3(plan, f);
    let s3_gb = s3_app_gb(s.requests);
    let nat_pulls = if from_s3 { 0.0 } else { pulls };
    let nat_gb = w.log_gb_per_month + nat_pulls;
    let endpoint_gb = s3_gb + if from_s3 { pulls } else { 0.0 };
    let saving = p
        .price("nat.gb")
        .map(|rate| format!(" (saving {})", fmt_usd(endpoint_gb * rate)))
        .unwrap_or_default();
    p.add(
        "NAT gateway",
        "Data processed",
        nat_gb,
        "GB",
        "nat.gb",
        &|| {
            let image_pulls = format!(
                "{} GB of image pulls ({} × {} deploys × {} GB",
                fmt_qty(pulls),
                count_tasks(s.tasks),
                Plain(assume::DEPLOYS_PER_MONTH),
                Plain(assume::IMAGE_GB)
            );
            let app = format!(
                "the app's {} GB of S3 traffic ({} requests × {} objects × {} KB)",
                fmt_qty(s3_gb),
                fmt_qty(s.requests),
                Plain(assume::S3_PUTS_PER_REQUEST + assume::S3_GETS_PER_REQUEST),
                Plain(assume::S3_OBJECT_KB)
            );
            if from_s3 {
                format!(
                    "{} GB of logs; {app} and {image_pulls}, layers served from S3) take the free S3 gateway endpoint instead{saving}",
                    fmt_qty(w.log_gb_per_month)
                )
            } else {
                format!(
                    "{} GB of logs + {image_pulls}, from a registry outside the plan's region's ECR); {app} takes the free S3 gateway endpoint instead{saving}",
                    fmt_qty(w.log_gb_per_month)
                )
            }
        },
    );
    if from_s3 {
        a.say(format_args!(
            "NAT: tasks send their logs through NAT; their S3 traffic ({} KB objects) and image pulls ({} GB, {} times a month; ECR serves layers from S3) take the S3 gateway endpoint, and responses go out through the load balancer.",
            Plain(assume::S3_OBJECT_KB),
            Plain(assume::IMAGE_GB),
            Plain(assume::DEPLOYS_PER_MONTH)
        ));
    } else {
        a.say(format_args!(
            "NAT: tasks send their logs and their image pulls ({} GB, {} times a month, from a registry outside the plan's region's ECR) through NAT; their S3 traffic ({} KB objects) takes the S3 gateway endpoint, and responses go out through the load balancer. The image's registry may bill its own transfer.",
            Plain(assume::IMAGE_GB),
            Plain(assume::DEPLOYS_PER_MONTH),
            Plain(assume::S3_OBJECT_KB)
        ));
    }
    cross_az(p, a, f, s, nat_gb);
    let ips = 2.0 + nats;
    p.add(
        "VPC",
        "Public IPv4 addresses",
        ips * HOURS_PER_MONTH,
        "IP-hours",
        "vpc.ipv4_hour",
        &|| format!("(2 ALB addresses, one per AZ + {} NAT EIP + 0 tasks, which run in private subnets) × {HOURS} h", Plain(nats)),
    );
    data_transfer_out(p, a, plan, o, s);
}

/// The application's S3 traffic a month, GB: every PUT and GET moves one object.
fn s3_app_gb(requests: f64) -> f64 {
    requests * (assume::S3_PUTS_PER_REQUEST + assume::S3_GETS_PER_REQUEST) * assume::S3_OBJECT_KB
        / KB_PER_GB
}

/// Traffic between AZs: tasks in one AZ talking to a single-AZ database or the cache's
/// primary in the other, and, with one shared NAT gateway, the other AZ's tasks reaching it
/// (`nat_gb` a month through NAT in all), billed per GB in each direction. The load
/// balancer's cross-zone traffic to its targets is free for an ALB, and Multi-AZ replication
/// is not billed.
fn cross_az(p: &mut Pricer<'_>, a: &mut Notes, f: &Fargate, s: Scenario, nat_gb: f64) {
    if f.nat_gateways == NatGateways::Single && nat_gb > 0.0 {
        p.add(
            "Data transfer",
            "Between AZs (tasks to the shared NAT gateway)",
            nat_gb * assume::CROSS_AZ_SHARE * 2.0,
            "GB",
            "vpc.cross_az_gb",
            &|| format!(
                "{} GB through NAT × {}% from the AZ without the gateway × 2 (billed leaving one AZ and entering the other)",
                fmt_qty(nat_gb),
                Fixed::<0>(assume::CROSS_AZ_SHARE * 100.0)
            ),
        );
    }
    let stores = f.database.iter().count() + f.cache.iter().count();
    if stores == 0 {
        return;
    }
    let gb = s.requests * assume::DATA_KB_PER_REQUEST / KB_PER_GB * assume::CROSS_AZ_SHARE;
    let what = match (f.database.is_some(), f.cache.is_some()) {
        (true, true) => "database and cache",
        (true, false) => "database",
        _ => "cache",
    };
    p.add(
        "Data transfer",
        &format!("Between AZs (tasks to {what})"),
        gb * 2.0,
        "GB",
        "vpc.cross_az_gb",
        &|| format!(
            "{} requests × {} KB of {what} traffic × {}% from the other AZ × 2 (billed leaving one AZ and entering the other)",
            fmt_qty(s.requests),
            Plain(assume::DATA_KB_PER_REQUEST),
            Fixed::<0>(assume::CROSS_AZ_SHARE * 100.0)
        ),
    );
    a.say(format_args!(
        "Between AZs: each request moves {} KB to and from the {what}; half the tasks run in the other AZ.",
        Plain(assume::DATA_KB_PER_REQUEST)
    ));
}

/// Data transfer out to the internet, after the free 100 GB when the free tier is on.
pub(super) fn data_transfer_out(
    p: &mut Pricer<'_>,
    a: &mut Notes,
    plan: &Plan,
    o: Options,
    s: Scenario,
) {
    let w = &plan.workload;
    let out_gb = s.requests * f64::from(w.avg_response_kb) / KB_PER_GB
        * f64::from(w.internet_egress_percent)
        / 100.0;
    let free = if o.free_tier {
        p.price("dto.free_gb").unwrap_or(0.0)
    } else {
        0.0
    };
    let billable = (out_gb - free).max(0.0);
    p.tiered(
        "Data transfer",
        "Out to the internet",
        billable,
        "GB",
        // The free 100 GB are the first tier's first: the 10 TB count from the first byte.
        &[
            (DTO_FIRST_TIER_GB - free, "dto.gb"),
            (DTO_SECOND_TIER_GB, "dto.gb.tier2"),
            (DTO_THIRD_TIER_GB, "dto.gb.tier3"),
            (f64::INFINITY, "dto.gb.tier4"),
        ],
        &|| {
            format!(
                "{} requests × {} KB × {}% leaving AWS = {} GB − {} GB free",
                fmt_qty(s.requests),
                w.avg_response_kb,
                w.internet_egress_percent,
                fmt_qty(out_gb),
                fmt_qty(free)
            )
        },
    );
    if !o.free_tier {
        let mut allowances = vec![
            "100 GB/month of data transfer out",
            "CloudWatch's free log ingestion",
        ];
        if plan.fargate().is_some() {
            allowances.push("CloudWatch's free alarms and metrics");
        }
        if plan.lambda().is_some_and(|l| !l.tables.is_empty()) {
            allowances.push("DynamoDB's free storage");
        }
        a.say(format_args!(
            "Free tier off: the always-free allowances ({}) are assumed used by other workloads.",
            allowances.join(", ")
        ));
    }
}

fn data(p: &mut Pricer<'_>, a: &mut Notes, plan: &Plan, f: &Fargate, s: Scenario) {
    if let Some(db) = &f.database {
        let az = if db.multi_az { "multi" } else { "single" };
        let az_label = if db.multi_az { "Multi-AZ" } else { "Single-AZ" };
        let class = db.instance_class.as_str();
        p.add(
            "RDS PostgreSQL",
            &format!("{class} {az_label} instance"),
            HOURS_PER_MONTH,
            "instance-hours",
            &format!("rds.instance_hour.{class}.{az}"),
            &|| format!("1 instance × {HOURS} h"),
        );
        let storage = f64::from(db.storage_gb);
        p.add(
            "RDS PostgreSQL",
            &format!("gp3 storage ({az_label})"),
            storage,
            "GB-months",
            &format!("rds.storage_gb_month.gp3.{az}"),
            &|| format!("{} GB allocated", db.storage_gb),
        );
        let used = storage * assume::DB_USED_SHARE;
        let backups = used + used * assume::DB_DAILY_CHANGE * f64::from(db.backup_days);
        p.add(
            "RDS PostgreSQL",
            "Backup storage beyond the free allowance",
            (backups - storage).max(0.0),
            "GB-months",
            "rds.backup_gb_month",
            &|| format!(
                "({} GB of data + {}% daily change × {} days kept = {} GB of backups) − {} GB allocated, which is free",
                fmt_qty(used),
                Fixed::<0>(assume::DB_DAILY_CHANGE * 100.0),
                db.backup_days,
                fmt_qty(backups),
                db.storage_gb
            ),
        );
        a.say(format_args!(
            "RDS: the data fills {}% of the allocated storage; backup storage up to the allocated size is free.",
            Fixed::<0>(assume::DB_USED_SHARE * 100.0)
        ));
        if class.starts_with("db.t") {
            a.say(format_args!(
                "RDS: a burstable class runs in unlimited mode; the range's maximum also prices {} vCPU of surplus CPU credits above the baseline all month.",
                Plain(assume::DB_SURPLUS_VCPU_AT_PEAK)
            ));
        }
        if class.starts_with("db.t") && s.peak {
            // Every burstable class offered has 2 vCPUs.
            let vcpu_hours = assume::DB_SURPLUS_VCPU_AT_PEAK * HOURS_PER_MONTH;
            p.add(
                "RDS PostgreSQL",
                "Surplus CPU credits (unlimited mode)",
                vcpu_hours,
                "vCPU-hours",
                "rds.cpu_credit_vcpu_hour",
                &|| {
                    format!(
                        "{} vCPU above the baseline × {HOURS} h (the range's maximum only)",
                        Plain(assume::DB_SURPLUS_VCPU_AT_PEAK)
                    )
                },
            );
        }
    }
    if let Some(cache) = &f.cache {
        let node = cache.node_type.as_str();
        p.add(
            "ElastiCache",
            &format!("{node} Redis nodes"),
            f64::from(cache.nodes) * HOURS_PER_MONTH,
            "node-hours",
            &format!("elasticache.node_hour.{node}.redis"),
            &|| format!("{} nodes × {HOURS} h", cache.nodes),
        );
        p.not_estimated(
            "ElastiCache",
            "Backup storage",
            "one daily snapshot is kept; ElastiCache backup storage is free up to the cluster's size for one snapshot",
        );
    }
    let mut own = Vec::new();
    if f.database.is_some() {
        own.push("RDS-managed master password");
    }
    if f.cache.is_some() {
        own.push("Redis AUTH token");
    }
    super::settings::secrets(p, a, plan, &own);
    super::settings::domain(p, a, plan);
    super::settings::governed(p, a, plan);
    if let Some(image) = &f.image {
        p.not_estimated(
            "ECR",
            "Image storage",
            &format!(
                "the image {image} is kept in a registry of its own, billed there; the stack's own repository stays empty (an empty repository costs nothing)"
            ),
        );
        return;
    }
    let images = f64::from(ECR_IMAGES_KEPT);
    p.add(
        "ECR",
        "Image storage",
        images * assume::IMAGE_GB,
        "GB-months",
        "ecr.storage_gb_month",
        &|| {
            format!(
                "{} images (the lifecycle rule keeps the newest {ECR_IMAGES_KEPT}) × {} GB",
                fmt_qty(images),
                Plain(assume::IMAGE_GB)
            )
        },
    );
}

/// Whether the service's image layers come from S3 in the plan's region (the stack's own ECR
/// repository, or another ECR repository of that region), through the S3 gateway endpoint.
fn pulls_through_s3(plan: &Plan, f: &Fargate) -> bool {
    f.image.as_deref().is_none_or(|image| {
        crate::template::fargate::ecr_image(image)
            .is_some_and(|(_, region, _)| region == plan.region.code())
    })
}

/// Cluster metrics of Container Insights that only EC2 capacity has (ContainerInstanceCount).
const EC2_ONLY_CLUSTER_METRICS: f64 = 1.0;

/// Container Insights (standard) metrics, billed as custom metrics: the book's counts per
/// cluster (less what only EC2 capacity reports), service, task family and task, less
/// CloudWatch's always-free 10 metrics.
fn container_insights(p: &mut Pricer<'_>, a: &mut Notes, o: Options) {
    let counts = [
        "container_insights.metrics_per_cluster",
        "container_insights.metrics_per_service",
        "container_insights.metrics_per_task_family",
    ];
    let known: Vec<f64> = counts.iter().filter_map(|k| p.price(k)).collect();
    if known.len() < counts.len() {
        p.push(
            "CloudWatch",
            "Container Insights metrics",
            1.0,
            "metric-months",
            None,
            counts[0],
            &|| "the book lacks Container Insights' metric counts".into(),
            None,
        );
        return;
    }
    // The book counts the cluster's metrics as AWS lists them, ContainerInstanceCount
    // included, which counts EC2 container instances: a Fargate-only cluster has none.
    let cluster = known[0] - EC2_ONLY_CLUSTER_METRICS;
    let metrics = cluster + known[1] + known[2];
    let free = p.take_free("cloudwatch.free_metrics", metrics, o.free_tier);
    p.tiered(
        "CloudWatch",
        "Container Insights metrics",
        metrics - free,
        "metric-months",
        &[
            (10_000.0, "cloudwatch.metric_month"),
            (f64::INFINITY, "cloudwatch.metric_month.tier2"),
        ],
        &|| format!(
            "({} per cluster (ContainerInstanceCount is EC2's) + {} per service + {} per task family, 1 of each) − {} of the always-free 10",
            fmt_qty(cluster),
            fmt_qty(known[1]),
            fmt_qty(known[2]),
            fmt_qty(free)
        ),
    );
    a.say(format_args!("Container Insights (standard) metrics bill as custom metrics; per-task metrics come only with enhanced observability, which the template does not turn on."));
}

/// S3 lines of the application bucket (both architectures).
pub(super) fn app_bucket(p: &mut Pricer<'_>, a: &mut Notes, s: Scenario) {
    p.add(
        "S3",
        "Application bucket storage",
        assume::S3_STORAGE_GB,
        "GB-months",
        "s3.storage_gb_month",
        &|| {
            format!(
                "{} GB stored (assumed: the plan does not state it)",
                Plain(assume::S3_STORAGE_GB)
            )
        },
    );
    p.add(
        "S3",
        "PUT/LIST requests",
        s.requests * assume::S3_PUTS_PER_REQUEST / 1000.0,
        "1,000 requests",
        "s3.put_thousand",
        &|| {
            format!(
                "{} requests × {} PUT each ÷ 1,000",
                fmt_qty(s.requests),
                Plain(assume::S3_PUTS_PER_REQUEST)
            )
        },
    );
    p.add(
        "S3",
        "GET requests",
        s.requests * assume::S3_GETS_PER_REQUEST / 1000.0,
        "1,000 requests",
        "s3.get_thousand",
        &|| {
            format!(
                "{} requests × {} GET each ÷ 1,000",
                fmt_qty(s.requests),
                Plain(assume::S3_GETS_PER_REQUEST)
            )
        },
    );
    // The stack turns on the bucket's server access logs, into its log bucket.
    p.not_priced(
        "S3",
        "Application bucket access logs",
        "one log record per request to the bucket, stored in the log bucket; log delivery is free, and the records' storage is billed per GB-month, but AWS does not state a record's size",
    );
    a.say(format_args!(
        "S3: {} GB stored, {} PUT and {} GET per request (the plan does not state bucket usage).",
        Plain(assume::S3_STORAGE_GB),
        Plain(assume::S3_PUTS_PER_REQUEST),
        Plain(assume::S3_GETS_PER_REQUEST)
    ));
}

/// CloudWatch Logs ingestion and storage for `gb` per month kept `days`. With the free tier
/// on, CloudWatch's always-free 5 GB of log data a month is taken off ingestion, shared by
/// every log line of the plan.
pub(super) fn logs(p: &mut Pricer<'_>, o: Options, what: &str, gb: f64, days: u16) {
    let free = p.take_free("logs.free_gb", gb, o.free_tier);
    p.add(
        "CloudWatch",
        &format!("{what} log ingestion"),
        gb - free,
        "GB",
        "logs.ingest_gb",
        &|| {
            format!(
                "{} GB/month written − {} GB of the always-free 5 GB",
                fmt_qty(gb),
                fmt_qty(free)
            )
        },
    );
    let stored = gb * (f64::from(days) / DAYS_PER_MONTH);
    p.add(
        "CloudWatch",
        &format!("{what} log storage"),
        stored,
        "GB-months",
        "logs.storage_gb_month",
        &|| {
            format!(
                "{} GB/month × {days} days kept ÷ {} days a month (steady state)",
                fmt_qty(gb),
                fmt_qty(DAYS_PER_MONTH)
            )
        },
    );
}

/// Standard-resolution alarms, after CloudWatch's always-free 10 when the free tier is on.
fn alarms(p: &mut Pricer<'_>, o: Options, item: &str, count: f64, what: &str) {
    let free = p.take_free("cloudwatch.free_alarms", count, o.free_tier);
    p.add(
        "CloudWatch",
        item,
        count - free,
        "alarm-months",
        "cloudwatch.alarm_month",
        &|| {
            format!(
                "{} standard-resolution alarms ({what}) − {} of the always-free 10",
                fmt_qty(count),
                fmt_qty(free)
            )
        },
    );
}

fn monitoring(
    p: &mut Pricer<'_>,
    a: &mut Notes,
    plan: &Plan,
    f: &Fargate,
    o: Options,
    s: Scenario,
) {
    logs(
        p,
        o,
        "Application",
        plan.workload.log_gb_per_month,
        f.log_retention_days,
    );
    alarms(
        p,
        o,
        "Alarms",
        4.0,
        "CPU and memory, plus the 2 that CPU target tracking creates",
    );
    container_insights(p, a, o);
    if f.database.is_some() {
        p.not_priced(
            "CloudWatch",
            "PostgreSQL log export",
            "the volume of PostgreSQL and upgrade logs depends on the database's log settings",
        );
    }
    p.not_priced(
        "CloudWatch",
        "Container Insights performance log events",
        "Container Insights also writes performance log events per task and container; their volume depends on task churn",
    );
    p.not_priced("VPC", "Flow logs to S3", "billed per GB of flow records, which depends on connection counts; the book has no vended-log price");
    app_bucket(p, a, s);
    let access_gb = s.requests * assume::ACCESS_LOG_BYTES / 1e9;
    // The stack's log bucket expires a log after 90 days; versioned, it keeps the expired
    // log as an old version 7 days more, billed as any stored byte.
    let kept = LOG_EXPIRATION_DAYS + LOG_OLD_VERSION_DAYS;
    if let Some(bucket) = &plan.log_bucket {
        a.say(format_args!(
            "S3: the access logs go to your bucket {bucket}, in this account: its lifecycle decides how long they stay; the estimate keeps them {kept} days, as the stack's own log bucket would."
        ));
    }
    p.add(
        "S3",
        &format!("Load balancer access logs ({kept} days kept)"),
        access_gb * f64::from(kept) / DAYS_PER_MONTH,
        "GB-months",
        "s3.storage_gb_month",
        &|| {
            format!(
                "{} requests × {} bytes × ({LOG_EXPIRATION_DAYS} days until expiry + {LOG_OLD_VERSION_DAYS} as an old version) ÷ {} days a month",
                fmt_qty(s.requests),
                Plain(assume::ACCESS_LOG_BYTES),
                fmt_qty(DAYS_PER_MONTH)
            )
        },
    );
    p.not_estimated(
        "SNS",
        "Alarm notifications",
        "the first 1,000 email notifications a month are free",
    );
}
