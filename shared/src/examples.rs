//! Complete, valid example plans: the starting point in the app and `stackplan example`.

use std::collections::BTreeMap;

use crate::plan::*;

fn tags() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("env".to_string(), "prod".to_string()),
        ("team".to_string(), "web".to_string()),
    ])
}

/// The reference ECS Fargate architecture.
pub fn fargate() -> Plan {
    Plan {
        project: "shop".into(),
        region: Region::UsEast1,
        tags: tags(),
        workload: Workload {
            requests_per_month: 10_000_000,
            avg_duration_ms: 120,
            avg_response_kb: 40,
            internet_egress_percent: 90,
            log_gb_per_month: 5.0,
        },
        architecture: Architecture::Fargate(Fargate {
            vcpu: 0.5,
            memory_mib: 1024,
            cpu_architecture: CpuArch::X86_64,
            image: None,
            image_tag: "1.0.0".into(),
            container_port: 8000,
            health_check_path: "/health".into(),
            readonly_root_filesystem: true,
            ephemeral_storage_gib: 20,
            desired_tasks: 2,
            min_tasks: 2,
            max_tasks: 10,
            cpu_target_percent: 70,
            spot_percent: 0,
            nat_gateways: NatGateways::PerAz,
            log_retention_days: 30,
            database: Some(Database {
                instance_class: DbInstanceClass::T4gMicro,
                storage_gb: 20,
                multi_az: false,
                backup_days: 7,
            }),
            cache: Some(Cache {
                node_type: CacheNodeType::T4gMicro,
                nodes: 2,
            }),
            https: None,
            alarm_email: Some("ops@example.com".into()),
        }),
    }
}

/// The reference Lambda architecture.
pub fn lambda() -> Plan {
    Plan {
        project: "shop".into(),
        region: Region::UsEast1,
        tags: tags(),
        workload: Workload {
            requests_per_month: 10_000_000,
            avg_duration_ms: 120,
            avg_response_kb: 40,
            internet_egress_percent: 90,
            log_gb_per_month: 5.0,
        },
        architecture: Architecture::Lambda(Lambda {
            memory_mb: 512,
            architecture: CpuArch::Arm64,
            timeout_s: 10,
            runtime: Runtime::Python313,
            handler: "app.handler".into(),
            api: ApiType::Http,
            tables: vec![
                Table {
                    name: "queries".into(),
                    partition_key: Key {
                        name: "user_id".into(),
                        kind: KeyType::S,
                    },
                    sort_key: Some(Key {
                        name: "query_id".into(),
                        kind: KeyType::S,
                    }),
                    ttl_attribute: None,
                },
                Table {
                    name: "sessions".into(),
                    partition_key: Key {
                        name: "session_id".into(),
                        kind: KeyType::S,
                    },
                    sort_key: None,
                    ttl_attribute: Some("ttl".into()),
                },
            ],
            bucket: true,
            reserved_concurrency: None,
            log_retention_days: 30,
        }),
    }
}

/// The example of an architecture.
pub fn for_kind(kind: ArchitectureKind) -> Plan {
    match kind {
        ArchitectureKind::Fargate => fargate(),
        ArchitectureKind::Lambda => lambda(),
    }
}
