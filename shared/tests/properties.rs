//! Property tests: for any valid plan, the template's references resolve, it stays under
//! CloudFormation's 51,200-byte inline limit, and its renderings read back as the same value.

use std::collections::BTreeMap;

use proptest::prelude::*;
use shared::plan::*;
use shared::validate::{FARGATE_VCPUS, LOG_RETENTION_DAYS, fargate_memory_options, limits};
use shared::{ValidPlan, template};

fn arch() -> impl Strategy<Value = CpuArch> {
    prop_oneof![Just(CpuArch::X86_64), Just(CpuArch::Arm64)]
}

fn retention() -> impl Strategy<Value = u16> {
    proptest::sample::select(LOG_RETENTION_DAYS.to_vec())
}

fn tags() -> impl Strategy<Value = BTreeMap<String, String>> {
    // Keys starting "aws:" or "stackplan:" (any case) are reserved: a plan with one is invalid.
    let key = "[A-Za-z][A-Za-z0-9_.:/=+@-]{0,63}".prop_filter("a reserved tag key", |k| {
        let k = k.to_ascii_lowercase();
        !(k.starts_with("aws:") || k.starts_with("stackplan:"))
    });
    proptest::collection::btree_map(key, "[A-Za-z0-9_.:/=+@ -]{0,128}", 0..=limits::MAX_TAGS)
}

fn workload() -> impl Strategy<Value = Workload> {
    (
        0u64..=limits::MAX_REQUESTS_PER_MONTH,
        1u32..=900_000,
        0u32..=10_240,
        0u8..=100,
        0.0f64..1_000_000.0,
    )
        .prop_map(
            |(
                requests_per_month,
                avg_duration_ms,
                avg_response_kb,
                internet_egress_percent,
                log_gb_per_month,
            )| Workload {
                requests_per_month,
                avg_duration_ms,
                avg_response_kb,
                internet_egress_percent,
                log_gb_per_month,
            },
        )
}

fn fargate() -> impl Strategy<Value = Fargate> {
    let size = proptest::sample::select(FARGATE_VCPUS.to_vec()).prop_flat_map(|vcpu| {
        let options = fargate_memory_options(vcpu).unwrap();
        (Just(vcpu), proptest::sample::select(options))
    });
    let tasks = (1u32..=limits::MAX_TASKS)
        .prop_flat_map(|min| (Just(min), min..=limits::MAX_TASKS))
        .prop_flat_map(|(min, max)| (Just(min), min..=max, Just(max)));
    let database = proptest::option::of(
        (
            proptest::sample::select(DbInstanceClass::ALL),
            20u32..=6144,
            any::<bool>(),
            1u8..=35,
        )
            .prop_map(
                |(instance_class, storage_gb, multi_az, backup_days)| Database {
                    instance_class,
                    storage_gb,
                    multi_az,
                    backup_days,
                },
            ),
    );
    let cache = proptest::option::of(
        (proptest::sample::select(CacheNodeType::ALL), 1u8..=6)
            .prop_map(|(node_type, nodes)| Cache { node_type, nodes }),
    );
    let image = proptest::option::of("[a-z0-9]{1,20}(/[a-z0-9]{1,20}){0,2}");
    (
        size,
        arch(),
        image,
        "[A-Za-z0-9_][A-Za-z0-9_.-]{0,40}",
        (
            1u16..=65535,
            "/[a-z0-9/]{0,30}",
            any::<bool>(),
            20u16..=200,
            proptest::option::of(0u16..=3600),
        ),
        tasks,
        (10u8..=90, 0u8..=100, any::<bool>(), retention()),
        database,
        cache,
        (
            any::<bool>(),
            proptest::option::of("[a-z]{1,10}@[a-z]{1,10}\\.com"),
            proptest::option::of("u[a-z0-9]{0,10}(:[0-9]{1,5})?"),
        ),
    )
        .prop_map(
            |(
                (vcpu, memory_mib),
                cpu_architecture,
                image,
                image_tag,
                (
                    container_port,
                    health_check_path,
                    readonly_root_filesystem,
                    ephemeral_storage_gib,
                    health_check_grace_s,
                ),
                (min_tasks, desired_tasks, max_tasks),
                (cpu_target_percent, spot, per_az, log_retention_days),
                database,
                cache,
                (https, alarm_email, user),
            )| Fargate {
                user,
                vcpu,
                memory_mib,
                cpu_architecture,
                image,
                image_tag,
                container_port,
                health_check_path,
                health_check_grace_s,
                readonly_root_filesystem,
                ephemeral_storage_gib,
                desired_tasks,
                min_tasks,
                max_tasks,
                cpu_target_percent,
                spot_percent: spot,
                nat_gateways: if per_az {
                    NatGateways::PerAz
                } else {
                    NatGateways::Single
                },
                log_retention_days,
                database,
                cache,
                // The region is fixed below; the certificate must match it.
                https: https.then(|| Https {
                    certificate_arn: String::new(),
                }),
                alarm_email,
            },
        )
}

fn table() -> impl Strategy<Value = Table> {
    let key = (
        "[a-z][a-z0-9_]{0,20}",
        prop_oneof![Just(KeyType::S), Just(KeyType::N), Just(KeyType::B)],
    )
        .prop_map(|(name, kind)| Key { name, kind });
    (
        key,
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(pk, sort, ttl)| Table {
            name: String::new(),
            sort_key: sort.map(|_| Key {
                name: format!("{}_sk", pk.name),
                kind: KeyType::S,
            }),
            ttl_attribute: ttl.map(|_| format!("{}_ttl", pk.name)),
            partition_key: pk,
        })
}

fn lambda() -> impl Strategy<Value = Lambda> {
    (
        (
            128u32..=10_240,
            arch(),
            1u32..=900,
            proptest::sample::select(Runtime::ALL),
        ),
        "[a-z][a-z0-9_]{0,20}\\.[a-z][a-z0-9_]{0,20}",
        prop_oneof![Just(ApiType::Http), Just(ApiType::Rest)],
        proptest::collection::vec(table(), 0..=limits::MAX_TABLES),
        any::<bool>(),
        proptest::option::of(1u32..=limits::MAX_RESERVED_CONCURRENCY),
        retention(),
        (0..3u8, proptest::option::of((1u32..=10_000, 1u32..=5_000))),
    )
        .prop_map(
            |(
                (memory_mb, architecture, timeout_s, runtime),
                handler,
                api,
                tables,
                bucket,
                reserved_concurrency,
                log_retention_days,
                (auth, throttle),
            )| {
                let tables = tables
                    .into_iter()
                    .enumerate()
                    .map(|(i, t)| Table {
                        name: format!("t{i}"),
                        ..t
                    })
                    .collect();
                Lambda {
                    memory_mb,
                    architecture,
                    timeout_s,
                    runtime,
                    handler,
                    // Image plans are in the matrix, which the link tests round-trip.
                    image: None,
                    api,
                    // A JWT authorizer needs an HTTP API.
                    authorizer: match (auth, api) {
                        (1, _) => Some(Authorizer::Iam),
                        (2, ApiType::Http) => Some(shared::examples::jwt()),
                        _ => None,
                    },
                    throttling: throttle.map(|(rate_per_second, burst)| Throttling {
                        rate_per_second,
                        burst,
                    }),
                    tables,
                    bucket,
                    reserved_concurrency,
                    log_retention_days,
                }
            },
        )
}

/// Up to six variables of every source a Fargate plan takes (names prefixed `APP_`, so never
/// reserved; SecureStrings are dropped for Lambda below).
fn environment() -> impl Strategy<Value = Vec<EnvVar>> {
    let var = ("[A-Z][A-Z0-9_]{0,20}", 0..4u8, "[A-Za-z0-9 ._/-]{0,40}").prop_map(
        |(name, kind, text)| {
            let name = format!("APP_{name}");
            let reference = format!(
                "prod/{}",
                text.replace([' ', '/'], "x").trim_end_matches(['-', '.'])
            );
            match kind {
                0 => EnvVar {
                    name,
                    value: Some(text),
                    ..EnvVar::default()
                },
                1 => EnvVar {
                    name,
                    secret: Some(format!("{reference}_s")),
                    ..EnvVar::default()
                },
                2 => EnvVar {
                    name,
                    ssm_parameter: Some(format!("/{reference}_s")),
                    ..EnvVar::default()
                },
                _ => EnvVar {
                    name,
                    generate: true,
                    ..EnvVar::default()
                },
            }
        },
    );
    proptest::collection::vec(var, 0..6).prop_map(|vars| {
        // Unique names, and unique generated-secret ids.
        let mut seen = std::collections::BTreeSet::new();
        vars.into_iter()
            .filter(|v| seen.insert(shared::environment::generated_id(&v.name)))
            .collect()
    })
}

fn domain() -> impl Strategy<Value = Option<Domain>> {
    proptest::option::of(
        ("[a-z][a-z0-9-]{0,20}[a-z0-9]", "Z[A-Z0-9]{5,20}").prop_map(|(label, zone)| Domain {
            name: format!("{label}.example.com"),
            hosted_zone_id: zone,
        }),
    )
}

fn plan() -> impl Strategy<Value = Plan> {
    let architecture = prop_oneof![
        fargate().prop_map(Architecture::Fargate),
        lambda().prop_map(Architecture::Lambda)
    ];
    (
        "[a-z][a-z0-9]{2,12}(-[a-z0-9]{1,10})?",
        proptest::sample::select(Region::ALL.to_vec()),
        tags(),
        workload(),
        architecture,
        environment(),
        domain(),
    )
        .prop_map(
            |(project, region, tags, workload, mut architecture, mut environment, domain)| {
                if let Architecture::Fargate(f) = &mut architecture
                    && f.https.is_some()
                {
                    f.https = Some(Https {
                        certificate_arn: shared::examples::certificate_arn(region),
                    });
                }
                if matches!(architecture, Architecture::Lambda(_)) {
                    environment.retain(|v| v.ssm_parameter.is_none());
                }
                Plan {
                    project,
                    region,
                    tags,
                    workload,
                    architecture,
                    environment,
                    domain,
                    governed: false,
                    log_bucket: None,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_valid_plan_gives_a_sound_template(plan in plan()) {
        let valid = ValidPlan::new(plan.clone());
        prop_assert!(valid.is_ok(), "generated plan is invalid: {:?}", valid.err());
        let t = template::generate(&valid.unwrap());
        prop_assert_eq!(template::refs::dangling(&t), Vec::<String>::new());
        let json = t.to_json();
        prop_assert!(json.len() < 51_200, "{} bytes", json.len());
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, t.to_value());
        let yaml: serde_json::Value = serde_yaml::from_str(&t.to_yaml()).unwrap();
        prop_assert_eq!(yaml, t.to_value());
        prop_assert_eq!(Plan::from_json(&plan.to_json_pretty()).unwrap(), plan.clone());
        prop_assert_eq!(shared::link::decode(&shared::link::link(&plan, "https://x/")).unwrap(), plan);
    }
}
