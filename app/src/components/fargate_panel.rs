//! The Fargate settings: task size, scaling, network, data stores, HTTPS and alarms.

use leptos::prelude::*;
use shared::plan::{
    Cache, CacheNodeType, CpuArch, Database, DbInstanceClass, Fargate, Https, NatGateways,
};
use shared::validate::{FARGATE_VCPUS, LOG_RETENTION_DAYS, fargate_memory_options};

use super::fields::{
    dynamic_select, number_field, opts, select_field, slider, switch_section, text_field, toggle,
};
use crate::state::use_planner;

/// The CPU architecture switch, shared by both panels.
pub fn arch_options() -> Vec<(String, String)> {
    opts([
        ("x86_64", "x86_64 (Intel/AMD)"),
        ("arm64", "arm64 (Graviton, about 20% cheaper)"),
    ])
}

pub fn parse_arch(v: &str) -> CpuArch {
    if v == "arm64" {
        CpuArch::Arm64
    } else {
        CpuArch::X86_64
    }
}

pub fn retention_options() -> Vec<(String, String)> {
    opts(LOG_RETENTION_DAYS.iter().map(|d| {
        (
            d,
            crate::components::cost_summary::count(usize::from(*d), "day"),
        )
    }))
}

fn memory_label(mib: u32) -> String {
    if mib.is_multiple_of(1024) {
        format!("{} GB", mib / 1024)
    } else {
        format!(
            "{} GB",
            shared::decimal::Fixed::<1>(f64::from(mib) / 1024.0)
        )
    }
}

#[component]
pub fn FargatePanel() -> impl IntoView {
    let p = use_planner();
    let vcpu = move || p.read_fargate(|f| f.vcpu);
    let kept_https = p.kept.https;
    view! {
        <fieldset class="panel">
            <legend>"Tasks"</legend>
            <div class="grid two">
                {select_field(
                    "fargate.vcpu",
                    "vCPU per task",
                    opts(FARGATE_VCPUS.iter().map(|&v| (shared::decimal::Plain(v), format!("{} vCPU", shared::decimal::Plain(v))))),
                    move || shared::decimal::Plain(vcpu()).to_string(),
                    move |v| {
                        if let Some(v) = shared::decimal::parse_f64(&v) {
                            p.fargate(|f| {
                                f.vcpu = v;
                                // Keep the pair valid: the nearest memory this size allows.
                                if let Some(options) = fargate_memory_options(v)
                                    && !options.contains(&f.memory_mib)
                                {
                                    let m = f.memory_mib;
                                    f.memory_mib = *options.iter().min_by_key(|o| o.abs_diff(m)).unwrap_or(&options[0]);
                                }
                            });
                        }
                    },
                )}
                {dynamic_select(
                    "fargate.memory_mib",
                    "Memory per task",
                    move || {
                        let mut options = fargate_memory_options(vcpu()).unwrap_or_default();
                        let current = p.read_fargate(|f| f.memory_mib);
                        if !options.contains(&current) {
                            options.push(current);
                        }
                        options.into_iter().map(|m| (m.to_string(), memory_label(m))).collect()
                    },
                    move || p.read_fargate(|f| f.memory_mib).to_string(),
                    move |v| {
                        if let Ok(m) = v.parse() {
                            p.fargate(|f| f.memory_mib = m);
                        }
                    },
                )}
                {select_field(
                    "fargate.cpu_architecture",
                    "CPU architecture",
                    arch_options(),
                    move || p.read_fargate(|f| f.cpu_architecture.as_str().to_string()),
                    move |v| p.fargate(|f| f.cpu_architecture = parse_arch(&v)),
                )}
                {slider("fargate.ephemeral_storage_gib", "Ephemeral storage", " GiB", 20u16, 200, 10,
                    move || p.read_fargate(|f| f.ephemeral_storage_gib), move |v| p.fargate(|f| f.ephemeral_storage_gib = v))}
            </div>
        </fieldset>
        <fieldset class="panel">
            <legend>"Scaling"</legend>
            <div class="grid three">
                {number_field("fargate.min_tasks", "Minimum tasks", "", move || p.read_fargate(|f| f.min_tasks), move |v| p.fargate(|f| f.min_tasks = v))}
                {number_field("fargate.desired_tasks", "Desired tasks", "", move || p.read_fargate(|f| f.desired_tasks), move |v| p.fargate(|f| f.desired_tasks = v))}
                {number_field("fargate.max_tasks", "Maximum tasks", "", move || p.read_fargate(|f| f.max_tasks), move |v| p.fargate(|f| f.max_tasks = v))}
            </div>
            {slider("fargate.cpu_target_percent", "Scale to keep average CPU at", "%", 10u8, 90, 5,
                move || p.read_fargate(|f| f.cpu_target_percent), move |v| p.fargate(|f| f.cpu_target_percent = v))}
            {slider("fargate.spot_percent", "Tasks on Fargate Spot", "%", 0u8, 100, 10,
                move || p.read_fargate(|f| f.spot_percent), move |v| p.fargate(|f| f.spot_percent = v))}
        </fieldset>
        <fieldset class="panel">
            <legend>"Container"</legend>
            <div class="grid two">
                {text_field("fargate.image", "Image repository", "empty: the stack's own ECR repository",
                    move || p.read_fargate(|f| f.image.clone().unwrap_or_default()),
                    move |v| p.fargate(|f| f.image = (!v.trim().is_empty()).then(|| v.trim().to_string())))}
                {text_field("fargate.image_tag", "Image tag", "1.0.0", move || p.read_fargate(|f| f.image_tag.clone()), move |v| p.fargate(|f| f.image_tag = v))}
                {number_field("fargate.container_port", "Container port", "", move || p.read_fargate(|f| f.container_port), move |v| p.fargate(|f| f.container_port = v))}
                {text_field("fargate.health_check_path", "Health check path", "/health", move || p.read_fargate(|f| f.health_check_path.clone()), move |v| p.fargate(|f| f.health_check_path = v))}
                {number_field("fargate.health_check_grace_s", "Start-up grace, seconds",
                    "before health checks count; more for a slow start",
                    move || p.read_fargate(Fargate::health_check_grace),
                    move |v| p.fargate(|f| f.health_check_grace_s = (v != Fargate::DEFAULT_HEALTH_CHECK_GRACE_S).then_some(v)))}
                {text_field("fargate.user", "Run as user", "empty: the image's own (often root)",
                    move || p.read_fargate(|f| f.user.clone().unwrap_or_default()),
                    move |v| p.fargate(|f| f.user = (!v.trim().is_empty()).then(|| v.trim().to_string())))}
                {select_field("fargate.log_retention_days", "Keep logs for", retention_options(),
                    move || p.read_fargate(|f| f.log_retention_days.to_string()),
                    move |v| if let Ok(d) = v.parse() { p.fargate(|f| f.log_retention_days = d) })}
                {select_field("fargate.nat_gateways", "NAT gateways",
                    opts([("per_az", "One per AZ (resilient)"), ("single", "One shared (cheaper)")]),
                    move || p.read_fargate(|f| if f.nat_gateways == NatGateways::Single { "single" } else { "per_az" }.to_string()),
                    move |v| p.fargate(|f| f.nat_gateways = if v == "single" { NatGateways::Single } else { NatGateways::PerAz }))}
            </div>
            {toggle("fargate.readonly_root_filesystem", "Read-only root file system, /tmp writable (recommended)",
                move || p.read_fargate(|f| f.readonly_root_filesystem), move |v| p.fargate(|f| f.readonly_root_filesystem = v))}
        </fieldset>
        <DataStores />
        <fieldset class="panel">
            <legend>"HTTPS and alarms"</legend>
            {toggle("fargate.https", "HTTPS with an ACM certificate",
                move || p.read_fargate(|f| f.https.is_some()),
                move |on| p.fargate(|f| switch_section(on, &mut f.https, kept_https, || Https { certificate_arn: String::new() })))}
            <Show when=move || p.read_fargate(|f| f.https.is_some())>
                {text_field("fargate.https.certificate_arn", "Certificate ARN", "arn:aws:acm:REGION:ACCOUNT:certificate/ID",
                    move || p.read_fargate(|f| f.https.as_ref().map(|h| h.certificate_arn.clone()).unwrap_or_default()),
                    move |v| p.fargate(|f| f.https = Some(Https { certificate_arn: v.trim().to_string() })))}
            </Show>
            {text_field("fargate.alarm_email", "Alarm email", "ops@example.com",
                move || p.read_fargate(|f| f.alarm_email.clone().unwrap_or_default()),
                move |v| p.fargate(|f| f.alarm_email = (!v.trim().is_empty()).then(|| v.trim().to_string())))}
        </fieldset>
    }
}

#[component]
fn DataStores() -> impl IntoView {
    let p = use_planner();
    let db = move |read: fn(&Database) -> String| {
        move || p.read_fargate(|f| f.database.as_ref().map(read).unwrap_or_default())
    };
    // A store switched off and on again comes back as it was.
    let (kept_database, kept_cache) = (p.kept.database, p.kept.cache);
    view! {
        <fieldset class="panel">
            <legend>"Data stores"</legend>
            {toggle("fargate.database", "PostgreSQL (RDS)",
                move || p.read_fargate(|f| f.database.is_some()),
                move |on| p.fargate(|f| switch_section(on, &mut f.database, kept_database, || Database { instance_class: DbInstanceClass::T4gMicro, storage_gb: 20, multi_az: false, backup_days: 7 })))}
            <Show when=move || p.read_fargate(|f| f.database.is_some())>
                <div class="grid two nested">
                    {select_field("fargate.database.instance_class", "Instance class",
                        opts(DbInstanceClass::ALL.iter().map(|c| (c.as_str(), c.as_str()))),
                        db(|d| d.instance_class.as_str().to_string()),
                        move |v| if let Some(c) = DbInstanceClass::parse(&v) { p.fargate(|f| if let Some(d) = f.database.as_mut() { d.instance_class = c }) })}
                    {number_field("fargate.database.storage_gb", "Storage (GB)", "",
                        move || p.read_fargate(|f| f.database.as_ref().map(|d| d.storage_gb).unwrap_or(20)),
                        move |v| p.fargate(|f| if let Some(d) = f.database.as_mut() { d.storage_gb = v }))}
                    {slider("fargate.database.backup_days", "Keep backups for", " days", 1u8, 35, 1,
                        move || p.read_fargate(|f| f.database.as_ref().map(|d| d.backup_days).unwrap_or(7)),
                        move |v| p.fargate(|f| if let Some(d) = f.database.as_mut() { d.backup_days = v }))}
                    {toggle("fargate.database.multi_az", "Multi-AZ standby",
                        move || p.read_fargate(|f| f.database.as_ref().is_some_and(|d| d.multi_az)),
                        move |v| p.fargate(|f| if let Some(d) = f.database.as_mut() { d.multi_az = v }))}
                </div>
            </Show>
            {toggle("fargate.cache", "Redis (ElastiCache)",
                move || p.read_fargate(|f| f.cache.is_some()),
                move |on| p.fargate(|f| switch_section(on, &mut f.cache, kept_cache, || Cache { node_type: CacheNodeType::T4gMicro, nodes: 2 })))}
            <Show when=move || p.read_fargate(|f| f.cache.is_some())>
                <div class="grid two nested">
                    {select_field("fargate.cache.node_type", "Node type",
                        opts(CacheNodeType::ALL.iter().map(|c| (c.as_str(), c.as_str()))),
                        move || p.read_fargate(|f| f.cache.as_ref().map(|c| c.node_type.as_str().to_string()).unwrap_or_default()),
                        move |v| if let Some(t) = CacheNodeType::parse(&v) { p.fargate(|f| if let Some(c) = f.cache.as_mut() { c.node_type = t }) })}
                    {slider("fargate.cache.nodes", "Nodes (primary + replicas)", "", 1u8, 6, 1,
                        move || p.read_fargate(|f| f.cache.as_ref().map(|c| c.nodes).unwrap_or(1)),
                        move |v| p.fargate(|f| if let Some(c) = f.cache.as_mut() { c.nodes = v }))}
                </div>
            </Show>
        </fieldset>
    }
}
