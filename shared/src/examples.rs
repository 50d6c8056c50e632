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
            health_check_grace_s: None,
            readonly_root_filesystem: true,
            user: None,
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
        environment: Vec::new(),
        domain: None,
        governed: false,
        log_bucket: None,
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
            image: None,
            api: ApiType::Http,
            authorizer: None,
            throttling: None,
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
        environment: Vec::new(),
        domain: None,
        governed: false,
        log_bucket: None,
    }
}

/// The example of an architecture.
pub fn for_kind(kind: ArchitectureKind) -> Plan {
    match kind {
        ArchitectureKind::Fargate => fargate(),
        ArchitectureKind::Lambda => lambda(),
    }
}

/// A tag set at every limit, in ASCII: the most characters tags can add to a template (a tag in
/// another script adds more bytes; the template-size and link-length checks still bound it).
pub fn max_tags() -> BTreeMap<String, String> {
    use crate::validate::limits::{MAX_TAG_KEY, MAX_TAG_VALUE, MAX_TAGS};
    (0..MAX_TAGS)
        .map(|i| {
            (
                format!("{i:0>width$}", width = MAX_TAG_KEY),
                format!("{i:v>width$}", width = MAX_TAG_VALUE),
            )
        })
        .collect()
}

/// A certificate ARN in a region (well-formed; the account and id are examples).
pub fn certificate_arn(region: Region) -> String {
    format!("arn:aws:acm:{region}:123456789012:certificate/0b2c4d6e-8a1b-4c3d-9e5f-7a9b1c3d5e7f")
}

/// An example of the user's own bucket for access logs (`log_bucket`).
pub fn log_bucket(region: Region) -> String {
    format!("shop-access-logs-{region}")
}

/// An example JWT authorizer: an Amazon Cognito user pool's issuer and an app client id.
pub fn jwt() -> Authorizer {
    Authorizer::Jwt(Jwt {
        issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1".into(),
        audience: vec!["4f1example2client3id5".into()],
    })
}

/// An example function image: a repository in the sandbox's account, in `region` (a user
/// names their own).
pub fn function_image(region: Region) -> String {
    format!("123456789012.dkr.ecr.{region}.amazonaws.com/shop-api")
}

/// Named plans covering both architectures, every option on and off, every region, every
/// size class and the boundary sizes. The template judges (cfn-lint, checkov) run on all.
pub fn matrix() -> Vec<(String, Plan)> {
    let mut out: Vec<(String, Plan)> = Vec::new();
    let mut push = |name: String, plan: Plan| out.push((name, plan));

    let fargate_with = |edit: &dyn Fn(&mut Plan, &mut Fargate)| {
        let mut plan = fargate();
        let mut f = plan.fargate().expect("fargate example").clone();
        edit(&mut plan, &mut f);
        plan.architecture = Architecture::Fargate(f);
        plan
    };
    let lambda_with = |edit: &dyn Fn(&mut Plan, &mut Lambda)| {
        let mut plan = lambda();
        let mut l = plan.lambda().expect("lambda example").clone();
        edit(&mut plan, &mut l);
        plan.architecture = Architecture::Lambda(l);
        plan
    };

    for region in Region::ALL {
        push(
            format!("fargate-{region}"),
            fargate_with(&|p, _| p.region = region),
        );
        push(
            format!("fargate-{region}-https"),
            fargate_with(&|p, f| {
                p.region = region;
                f.https = Some(Https {
                    certificate_arn: certificate_arn(region),
                });
            }),
        );
        push(
            format!("lambda-{region}"),
            lambda_with(&|p, _| p.region = region),
        );
    }
    push(
        "fargate-bare".into(),
        fargate_with(&|_, f| {
            f.database = None;
            f.cache = None;
            f.alarm_email = None;
        }),
    );
    push(
        "fargate-no-db".into(),
        fargate_with(&|_, f| f.database = None),
    );
    push(
        "fargate-no-cache".into(),
        fargate_with(&|_, f| f.cache = None),
    );
    push(
        "fargate-spot-50".into(),
        fargate_with(&|_, f| f.spot_percent = 50),
    );
    push(
        "fargate-spot-100".into(),
        fargate_with(&|_, f| f.spot_percent = 100),
    );
    push(
        "fargate-arm64".into(),
        fargate_with(&|_, f| f.cpu_architecture = CpuArch::Arm64),
    );
    push(
        "fargate-arm64-spot-50".into(),
        fargate_with(&|_, f| {
            f.cpu_architecture = CpuArch::Arm64;
            f.spot_percent = 50;
        }),
    );
    push(
        "fargate-single-nat".into(),
        fargate_with(&|_, f| f.nat_gateways = NatGateways::Single),
    );
    push(
        "fargate-domain".into(),
        fargate_with(&|p, _| p.domain = Some(domain())),
    );
    push(
        "fargate-domain-own-certificate".into(),
        fargate_with(&|p, f| {
            p.domain = Some(domain());
            f.https = Some(Https {
                certificate_arn: certificate_arn(p.region),
            });
        }),
    );
    push(
        "fargate-environment".into(),
        fargate_with(&|p, _| p.environment = environment(ArchitectureKind::Fargate)),
    );
    push(
        "fargate-public-image".into(),
        fargate_with(&|_, f| f.image = Some("public.ecr.aws/nginx/nginx".into())),
    );
    push(
        "fargate-writable-root".into(),
        fargate_with(&|_, f| f.readonly_root_filesystem = false),
    );
    push(
        "fargate-ephemeral-200".into(),
        fargate_with(&|_, f| f.ephemeral_storage_gib = 200),
    );
    push(
        "fargate-multi-az-db".into(),
        fargate_with(&|_, f| {
            if let Some(db) = f.database.as_mut() {
                db.multi_az = true;
                db.storage_gb = 6144;
                db.backup_days = 35;
            }
        }),
    );
    push(
        "fargate-db-min".into(),
        fargate_with(&|_, f| {
            if let Some(db) = f.database.as_mut() {
                db.storage_gb = 20;
                db.backup_days = 1;
            }
        }),
    );
    push(
        "fargate-cache-1".into(),
        fargate_with(&|_, f| {
            f.cache = Some(Cache {
                node_type: CacheNodeType::T4gMicro,
                nodes: 1,
            })
        }),
    );
    push(
        "fargate-cache-6".into(),
        fargate_with(&|_, f| {
            f.cache = Some(Cache {
                node_type: CacheNodeType::M6gLarge,
                nodes: 6,
            })
        }),
    );
    for class in DbInstanceClass::ALL {
        push(
            format!("fargate-{class}"),
            fargate_with(&|_, f| {
                if let Some(db) = f.database.as_mut() {
                    db.instance_class = *class;
                }
            }),
        );
    }
    for node in CacheNodeType::ALL {
        push(
            format!("fargate-{node}"),
            fargate_with(&|_, f| {
                if let Some(c) = f.cache.as_mut() {
                    c.node_type = *node;
                }
            }),
        );
    }
    for (vcpu, memory) in [
        (0.25, 512),
        (0.25, 2048),
        (1.0, 8192),
        (4.0, 30720),
        (8.0, 16384),
        (16.0, 122880),
    ] {
        push(
            format!("fargate-{vcpu}vcpu-{memory}mib"),
            fargate_with(&|_, f| {
                f.vcpu = vcpu;
                f.memory_mib = memory;
            }),
        );
    }
    push(
        "fargate-one-task".into(),
        fargate_with(&|_, f| {
            f.min_tasks = 1;
            f.desired_tasks = 1;
            f.max_tasks = 1;
            f.cpu_target_percent = 10;
        }),
    );
    push(
        "fargate-100-tasks".into(),
        fargate_with(&|_, f| {
            f.min_tasks = 100;
            f.desired_tasks = 100;
            f.max_tasks = 100;
            f.cpu_target_percent = 90;
        }),
    );
    push(
        "fargate-retention-1".into(),
        fargate_with(&|_, f| f.log_retention_days = 1),
    );
    push(
        "fargate-retention-3653".into(),
        fargate_with(&|_, f| f.log_retention_days = 3653),
    );
    push(
        "fargate-no-tags".into(),
        fargate_with(&|p, _| p.tags.clear()),
    );
    push(
        "fargate-max".into(),
        fargate_with(&|p, f| {
            p.project = "a-very-long-project-name".into();
            p.tags = max_tags();
            f.https = Some(Https {
                certificate_arn: certificate_arn(p.region),
            });
            f.spot_percent = 30;
            f.ephemeral_storage_gib = 200;
            f.image = Some("registry.example.com:5000/team/a-service-with-a-long-name".into());
            f.cache = Some(Cache {
                node_type: CacheNodeType::M6gLarge,
                nodes: 6,
            });
            if let Some(db) = f.database.as_mut() {
                db.multi_az = true;
            }
        }),
    );

    // The governed-account profile: everything it asks for given.
    let mut governed = fargate_with(&|p, f| {
        f.https = Some(Https {
            certificate_arn: certificate_arn(p.region),
        });
        f.user = Some("1000:1000".into());
        p.log_bucket = Some(log_bucket(p.region));
    });
    crate::resources::controls::govern(&mut governed);
    push("fargate-governed".into(), governed);
    // Without data stores and with HTTPS through the domain.
    let mut governed = fargate_with(&|p, f| {
        f.database = None;
        f.cache = None;
        f.alarm_email = None;
        f.user = Some("app".into());
        p.domain = Some(domain());
        p.log_bucket = Some(log_bucket(p.region));
    });
    crate::resources::controls::govern(&mut governed);
    push("fargate-governed-bare".into(), governed);
    let mut governed = lambda_with(&|p, l| {
        l.authorizer = Some(jwt());
        p.log_bucket = Some(log_bucket(p.region));
    });
    crate::resources::controls::govern(&mut governed);
    push("lambda-governed".into(), governed);
    // IAM-signed requests, and the app bucket (so an S3 endpoint in the VPC). A REST API
    // turns into an HTTP API when the profile is on.
    let mut governed = lambda_with(&|p, l| {
        l.api = ApiType::Rest;
        l.authorizer = Some(Authorizer::Iam);
        l.bucket = true;
        p.log_bucket = Some(log_bucket(p.region));
    });
    crate::resources::controls::govern(&mut governed);
    push("lambda-governed-iam".into(), governed);
    // Who may call the API, and how fast.
    push(
        "lambda-jwt".into(),
        lambda_with(&|_, l| {
            l.authorizer = Some(jwt());
            l.throttling = Some(Throttling {
                rate_per_second: 200,
                burst: 100,
            });
        }),
    );
    push(
        "lambda-rest-iam".into(),
        lambda_with(&|_, l| {
            l.api = ApiType::Rest;
            l.authorizer = Some(Authorizer::Iam);
            l.throttling = Some(Throttling {
                rate_per_second: 50,
                burst: 20,
            });
        }),
    );
    push(
        "lambda-iam".into(),
        lambda_with(&|_, l| l.authorizer = Some(Authorizer::Iam)),
    );
    push(
        "lambda-domain".into(),
        lambda_with(&|p, _| p.domain = Some(domain())),
    );
    push(
        "lambda-rest-domain".into(),
        lambda_with(&|p, l| {
            p.domain = Some(domain());
            l.api = ApiType::Rest;
        }),
    );
    push(
        "lambda-image".into(),
        lambda_with(&|p, l| l.image = Some(function_image(p.region))),
    );
    push(
        "lambda-environment".into(),
        lambda_with(&|p, _| p.environment = environment(ArchitectureKind::Lambda)),
    );
    push(
        "lambda-rest".into(),
        lambda_with(&|_, l| l.api = ApiType::Rest),
    );
    push(
        "lambda-no-tables".into(),
        lambda_with(&|_, l| l.tables.clear()),
    );
    push(
        "lambda-no-bucket".into(),
        lambda_with(&|_, l| l.bucket = false),
    );
    push(
        "lambda-bare".into(),
        lambda_with(&|_, l| {
            l.tables.clear();
            l.bucket = false;
        }),
    );
    push(
        "lambda-five-tables".into(),
        lambda_with(&|_, l| l.tables = five_tables()),
    );
    push(
        "lambda-x86".into(),
        lambda_with(&|_, l| l.architecture = CpuArch::X86_64),
    );
    push(
        "lambda-reserved-1".into(),
        lambda_with(&|_, l| l.reserved_concurrency = Some(1)),
    );
    push(
        "lambda-reserved-900".into(),
        lambda_with(&|_, l| l.reserved_concurrency = Some(900)),
    );
    push(
        "lambda-memory-min".into(),
        lambda_with(&|_, l| {
            l.memory_mb = 128;
            l.timeout_s = 1;
        }),
    );
    push(
        "lambda-memory-max".into(),
        lambda_with(&|_, l| {
            l.memory_mb = 10_240;
            l.timeout_s = 900;
        }),
    );
    for runtime in Runtime::ALL {
        push(
            format!("lambda-{runtime}"),
            lambda_with(&|_, l| l.runtime = *runtime),
        );
        push(
            format!("lambda-rest-{runtime}"),
            lambda_with(&|_, l| {
                l.runtime = *runtime;
                l.api = ApiType::Rest;
            }),
        );
    }
    push(
        "lambda-retention-3653".into(),
        lambda_with(&|_, l| l.log_retention_days = 3653),
    );
    push(
        "lambda-max".into(),
        lambda_with(&|p, l| {
            p.project = "a-very-long-project-name".into();
            p.tags = max_tags();
            l.tables = five_tables();
            l.api = ApiType::Rest;
            l.reserved_concurrency = Some(900);
        }),
    );
    out
}

fn five_tables() -> Vec<Table> {
    (0..crate::validate::limits::MAX_TABLES)
        .map(|i| Table {
            name: format!("table{i}WithALongerName"),
            partition_key: Key {
                name: format!("pk{i}"),
                kind: [KeyType::S, KeyType::N, KeyType::B][i % 3],
            },
            sort_key: (i % 2 == 0).then(|| Key {
                name: format!("sk{i}"),
                kind: KeyType::S,
            }),
            ttl_attribute: (i % 2 == 1).then(|| "expires_at".to_string()),
        })
        .collect()
}

/// An environment with every kind of variable the architecture takes: plain settings, an
/// existing secret by name and by ARN (one key of its JSON), a SecureString parameter (ECS Fargate only) and a
/// generated API key.
pub fn environment(kind: ArchitectureKind) -> Vec<EnvVar> {
    let var = |name: &str| EnvVar {
        name: name.into(),
        ..EnvVar::default()
    };
    let mut out = vec![
        EnvVar {
            value: Some("production".into()),
            ..var("PRSM_ENV")
        },
        EnvVar {
            value: Some("info".into()),
            ..var("LOG_LEVEL")
        },
        EnvVar {
            secret: Some("stackplan/shop/stripe".into()),
            ..var("STRIPE_KEY")
        },
        EnvVar {
            secret: Some(
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:stackplan/shop/mail-AbCdEf"
                    .into(),
            ),
            json_key: Some("password".into()),
            ..var("MAIL_PASSWORD")
        },
        EnvVar {
            generate: true,
            ..var("API_KEY")
        },
    ];
    if kind == ArchitectureKind::Fargate {
        out.push(EnvVar {
            ssm_parameter: Some("/stackplan/shop/session-key".into()),
            ..var("SESSION_KEY")
        });
    }
    out
}

/// An example domain: a name in a hosted zone (the zone's id is made up; a user gives their own).
pub fn domain() -> Domain {
    Domain {
        name: "shop.example.com".into(),
        hosted_zone_id: "Z0123456789EXAMPLE".into(),
    }
}
