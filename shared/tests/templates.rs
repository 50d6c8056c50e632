//! Templates: snapshots of both examples, and the security properties every matrix plan keeps.

use serde_json::Value;
use shared::resources::{TagStyle, lookup};
use shared::template::{self, Node, refs};
use shared::{Template, ValidPlan, examples};

fn template_of(plan: shared::Plan) -> Template {
    template::generate(&ValidPlan::new(plan).expect("valid plan"))
}

fn matrix_templates() -> Vec<(String, Template)> {
    examples::matrix()
        .into_iter()
        .map(|(name, plan)| (name, template_of(plan)))
        .collect()
}

/// Storage autoscaling: the ceiling is at least 10% above the allocation (RDS refuses less),
/// for the smallest and the largest storage a plan may have.
#[test]
fn database_storage_can_grow_at_every_size() {
    for gb in [20, 3_000, 5_600, 6_144] {
        let mut plan = examples::fargate();
        let shared::plan::Architecture::Fargate(f) = &mut plan.architecture else {
            unreachable!()
        };
        f.database.as_mut().unwrap().storage_gb = gb;
        let t = template_of(plan);
        let db = &t.resources()["Database"]["Properties"];
        let allocated: f64 = db["AllocatedStorage"].as_str().unwrap().parse().unwrap();
        let max = db["MaxAllocatedStorage"].as_f64().unwrap();
        assert!(max >= allocated * 1.1 && max <= 65_536.0, "{gb} GB: {max}");
    }
}

/// A service running an image from a private ECR repository the plan names may pull it (the
/// task would otherwise fail with CannotPullContainerError); an image from any other registry
/// gets no ECR grants.
#[test]
fn a_named_private_ecr_image_can_be_pulled() {
    let with_image = |image: &str| {
        let mut plan = examples::fargate();
        let shared::plan::Architecture::Fargate(f) = &mut plan.architecture else {
            unreachable!()
        };
        f.image = Some(image.into());
        let t = template_of(plan);
        let policies = t.resources()["TaskExecutionRole"]["Properties"]["Policies"].to_value();
        serde_json::to_string(&policies).unwrap()
    };
    // The registry's IPv4 host, its FIPS host, and both dual-stack hosts.
    for host in [
        "111122223333.dkr.ecr.eu-west-1.amazonaws.com",
        "111122223333.dkr.ecr-fips.eu-west-1.amazonaws.com",
        "111122223333.dkr-ecr.eu-west-1.on.aws",
        "111122223333.dkr-ecr-fips.eu-west-1.on.aws",
    ] {
        let private = with_image(&format!("{host}/team/api"));
        assert!(
            private.contains(r#""Sid":"PullImage""#)
                && private.contains(
                    "arn:${AWS::Partition}:ecr:eu-west-1:111122223333:repository/team/api"
                )
                && private.contains("ecr:GetAuthorizationToken"),
            "{host}: {private}"
        );
    }
    for other in [
        "public.ecr.aws/nginx/nginx",
        "registry.example.com:5000/team/api",
        "111122223333.dkr.ecr.eu-west-1.amazonaws.com.example.com/team/api",
        "111122223333.dkr-ecr.eu-west-1.amazonaws.com/team/api",
        "11112222333.dkr.ecr.eu-west-1.amazonaws.com/team/api",
    ] {
        let policies = with_image(other);
        assert!(!policies.contains("ecr:"), "{other}: {policies}");
    }
}

#[test]
fn fargate_example_snapshot() {
    insta::assert_snapshot!(
        "fargate.template.json",
        template_of(examples::fargate()).to_json()
    );
}

#[test]
fn lambda_example_snapshot() {
    insta::assert_snapshot!(
        "lambda.template.json",
        template_of(examples::lambda()).to_json()
    );
}

#[test]
fn fargate_example_yaml_snapshot() {
    insta::assert_snapshot!(
        "fargate.template.yaml",
        template_of(examples::fargate()).to_yaml()
    );
}

#[test]
fn output_is_deterministic_and_yaml_equals_json() {
    for (name, plan) in examples::matrix() {
        let a = template_of(plan.clone());
        let b = template_of(plan);
        assert_eq!(
            a.to_json(),
            b.to_json(),
            "{name}: JSON differs between runs"
        );
        assert_eq!(
            a.to_yaml(),
            b.to_yaml(),
            "{name}: YAML differs between runs"
        );
        let from_json: Value = serde_json::from_str(&a.to_json()).unwrap();
        let from_yaml: Value = serde_yaml::from_str(&a.to_yaml()).unwrap();
        assert_eq!(from_json, a.to_value(), "{name}: JSON does not read back");
        assert_eq!(from_yaml, a.to_value(), "{name}: YAML does not read back");
        // The tree compares key order too (a `Value` map does not).
        assert_eq!(
            template::Node::from(from_json),
            *a.tree(),
            "{name}: JSON key order"
        );
        assert_eq!(
            template::Node::from(from_yaml),
            *a.tree(),
            "{name}: YAML key order"
        );
    }
}

#[test]
fn every_reference_resolves() {
    for (name, t) in matrix_templates() {
        assert_eq!(refs::dangling(&t), Vec::<String>::new(), "{name}");
    }
}

fn props(resource: &Node) -> &Node {
    &resource["Properties"]
}

#[test]
fn everything_taggable_is_tagged() {
    for (name, t) in matrix_templates() {
        for (id, resource) in t.resources() {
            let ty = resource["Type"].as_str().unwrap();
            let style = lookup(ty)
                .unwrap_or_else(|| panic!("{name}: {ty} is not in the resource registry"))
                .tags;
            let tags = &props(resource)["Tags"];
            let project = match style {
                TagStyle::Untaggable => {
                    assert!(tags.is_null(), "{name}: {id} ({ty}) cannot take tags");
                    continue;
                }
                TagStyle::Map => tags[template::PROJECT_TAG].clone(),
                TagStyle::List | TagStyle::ListWithName => tags
                    .as_array()
                    .and_then(|list| list.iter().find(|t| t["Key"] == template::PROJECT_TAG))
                    .map(|t| t["Value"].clone())
                    .unwrap_or(Node::Null),
            };
            assert!(
                project.is_string(),
                "{name}: {id} ({ty}) lacks the project tag"
            );
        }
        let stack_tags = &t.to_value()["Metadata"]["Stackplan"]["StackTags"];
        assert!(
            stack_tags[template::PROJECT_TAG].is_string(),
            "{name}: no stack tags"
        );
    }
}

/// Every string in a value, with the key it stands under.
fn strings<'a>(value: &'a Node, key: &str, out: &mut Vec<(String, &'a str)>) {
    match value {
        Node::String(s) => out.push((key.to_string(), s)),
        Node::Array(items) => items.iter().for_each(|v| strings(v, key, out)),
        Node::Object(map) => map.iter().for_each(|(k, v)| strings(v, k, out)),
        _ => {}
    }
}

#[test]
fn no_secret_in_plain_text() {
    for (name, t) in matrix_templates() {
        let mut all = Vec::new();
        strings(t.tree(), "", &mut all);
        for (key, value) in &all {
            let k = key.to_ascii_lowercase();
            if k.ends_with("password") || k == "authtoken" || k == "secretstring" {
                assert!(
                    value.starts_with("{{resolve:secretsmanager:"),
                    "{name}: {key} is a literal"
                );
            }
        }
        for (id, resource) in t.resources() {
            let p = props(resource);
            if resource["Type"] == "AWS::RDS::DBInstance" {
                assert_eq!(p["ManageMasterUserPassword"], true, "{name}: {id}");
                assert!(p.get("MasterUserPassword").is_none(), "{name}: {id}");
            }
            if resource["Type"] == "AWS::ECS::TaskDefinition" {
                for env in p["ContainerDefinitions"][0]["Environment"]
                    .as_array()
                    .unwrap()
                {
                    let var = env["Name"].as_str().unwrap();
                    // A secret's ARN, from the stack's own resource, names the secret; it is
                    // not one.
                    let names_a_secret =
                        var.ends_with("_ARN") && env["Value"]["Fn::GetAtt"].is_array();
                    assert!(
                        names_a_secret
                            || !["PASSWORD", "SECRET", "TOKEN", "USERNAME"]
                                .iter()
                                .any(|s| var.contains(s)),
                        "{name}: {var} must come through ECS secrets"
                    );
                }
            }
        }
    }
}

#[test]
fn encryption_public_access_retention_and_policies() {
    const STATEFUL: [&str; 7] = [
        "AWS::RDS::DBInstance",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::S3::Bucket",
        "AWS::DynamoDB::Table",
        "AWS::Logs::LogGroup",
        "AWS::SecretsManager::Secret",
        "AWS::ECR::Repository",
    ];
    for (name, t) in matrix_templates() {
        for (id, resource) in t.resources() {
            let ty = resource["Type"].as_str().unwrap();
            let p = props(resource);
            if STATEFUL.contains(&ty) {
                assert!(
                    resource["DeletionPolicy"].is_string(),
                    "{name}: {id} DeletionPolicy"
                );
                assert!(
                    resource["UpdateReplacePolicy"].is_string(),
                    "{name}: {id} UpdateReplacePolicy"
                );
            }
            match ty {
                "AWS::S3::Bucket" => {
                    let block = &p["PublicAccessBlockConfiguration"];
                    for k in [
                        "BlockPublicAcls",
                        "BlockPublicPolicy",
                        "IgnorePublicAcls",
                        "RestrictPublicBuckets",
                    ] {
                        assert_eq!(block[k], true, "{name}: {id} {k}");
                    }
                    assert_eq!(
                        p["VersioningConfiguration"]["Status"], "Enabled",
                        "{name}: {id}"
                    );
                    assert!(
                        p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
                            ["SSEAlgorithm"]
                            .is_string(),
                        "{name}: {id} encryption"
                    );
                }
                "AWS::Logs::LogGroup" => {
                    assert!(p["RetentionInDays"].is_u64(), "{name}: {id} retention")
                }
                "AWS::RDS::DBInstance" => {
                    assert_eq!(p["StorageEncrypted"], true, "{name}: {id}");
                    assert_eq!(p["PubliclyAccessible"], false, "{name}: {id}");
                }
                "AWS::ElastiCache::ReplicationGroup" => {
                    assert_eq!(p["AtRestEncryptionEnabled"], true, "{name}: {id}");
                    assert_eq!(p["TransitEncryptionEnabled"], true, "{name}: {id}");
                }
                "AWS::DynamoDB::Table" => {
                    assert_eq!(p["SSESpecification"]["SSEEnabled"], true, "{name}: {id}")
                }
                _ => {}
            }
        }
    }
}

fn subnet_refs(value: &Node) -> Vec<String> {
    refs::references(value)
        .into_iter()
        .map(|r| r.target)
        .filter(|t| t.contains("Subnet"))
        .collect()
}

#[test]
fn tasks_and_data_stores_live_in_private_subnets() {
    // Found by type, not by logical id, so a renamed resource is still checked; every kind is
    // met somewhere in the matrix.
    let mut checked = std::collections::BTreeSet::new();
    for (name, t) in matrix_templates() {
        for (id, resource) in t.resources() {
            let subnets = match resource["Type"].as_str() {
                Some("AWS::ECS::Service") => {
                    let net =
                        &resource["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"];
                    assert_eq!(net["AssignPublicIp"], "DISABLED", "{name} {id}");
                    &net["Subnets"]
                }
                Some("AWS::RDS::DBSubnetGroup") => &resource["Properties"]["SubnetIds"],
                Some("AWS::ElastiCache::SubnetGroup") => &resource["Properties"]["SubnetIds"],
                _ => continue,
            };
            checked.insert(resource["Type"].as_str().unwrap_or_default().to_string());
            assert_eq!(
                subnet_refs(subnets),
                ["PrivateSubnetA", "PrivateSubnetB"],
                "{name} {id}"
            );
        }
    }
    assert_eq!(
        checked.into_iter().collect::<Vec<_>>(),
        [
            "AWS::ECS::Service",
            "AWS::ElastiCache::SubnetGroup",
            "AWS::RDS::DBSubnetGroup"
        ]
    );
}

/// Every flow the security groups allow, as `(from, to, port)`; `Internet` and `Anywhere` for
/// CIDR 0.0.0.0/0 sources and destinations.
fn flows(t: &Template) -> Vec<(String, String, u64)> {
    let mut out = Vec::new();
    let name = |v: &Node| refs::references(v).first().map(|r| r.target.clone());
    for (id, resource) in t.resources() {
        let p = props(resource);
        match resource["Type"].as_str().unwrap() {
            "AWS::EC2::SecurityGroup" => {
                for rule in p["SecurityGroupIngress"].as_array().into_iter().flatten() {
                    let from = if rule["CidrIp"] == "0.0.0.0/0" {
                        "Internet".into()
                    } else {
                        name(&rule["SourceSecurityGroupId"]).unwrap()
                    };
                    out.push((from, id.to_string(), rule["FromPort"].as_u64().unwrap()));
                }
                for rule in p["SecurityGroupEgress"].as_array().into_iter().flatten() {
                    match rule["CidrIp"].as_str() {
                        Some("255.255.255.255/32") => {}
                        Some("0.0.0.0/0") => out.push((
                            id.to_string(),
                            "Anywhere".into(),
                            rule["FromPort"].as_u64().unwrap(),
                        )),
                        other => panic!("unexpected egress {other:?} on {id}"),
                    }
                }
            }
            "AWS::EC2::SecurityGroupEgress" => out.push((
                name(&p["GroupId"]).unwrap(),
                name(&p["DestinationSecurityGroupId"]).unwrap(),
                p["FromPort"].as_u64().unwrap(),
            )),
            _ => {}
        }
    }
    out.sort();
    out
}

#[test]
fn security_groups_allow_only_the_diagram_flows() {
    let t = template_of(examples::fargate());
    let f = |a: &str, b: &str, p: u64| (a.to_string(), b.to_string(), p);
    assert_eq!(
        flows(&t),
        vec![
            f("Internet", "LoadBalancerSecurityGroup", 80),
            f("LoadBalancerSecurityGroup", "ServiceSecurityGroup", 8000),
            f("LoadBalancerSecurityGroup", "ServiceSecurityGroup", 8000),
            f("ServiceSecurityGroup", "Anywhere", 443),
            f("ServiceSecurityGroup", "CacheSecurityGroup", 6379),
            f("ServiceSecurityGroup", "CacheSecurityGroup", 6379),
            f("ServiceSecurityGroup", "DatabaseSecurityGroup", 5432),
            f("ServiceSecurityGroup", "DatabaseSecurityGroup", 5432),
        ],
        "each inner flow appears twice: as the sender's egress and the receiver's ingress"
    );
    let bare = template_of(
        examples::matrix()
            .into_iter()
            .find(|(n, _)| n == "fargate-bare")
            .unwrap()
            .1,
    );
    // Without a database or a cache, no flow touches either, at either end.
    let touches = |g: &str| g.contains("Database") || g.contains("Cache");
    let bare_flows = flows(&bare);
    assert!(
        bare_flows
            .iter()
            .any(|(_, b, _)| b == "ServiceSecurityGroup")
    );
    assert!(
        bare_flows
            .iter()
            .all(|(a, b, _)| !touches(a) && !touches(b)),
        "{bare_flows:?}"
    );
}

#[test]
fn iam_is_scoped_to_the_plans_resources() {
    for (name, t) in matrix_templates() {
        for (id, resource) in t.resources() {
            if resource["Type"] != "AWS::IAM::Role" {
                continue;
            }
            for policy in props(resource)["Policies"].as_array().unwrap() {
                for st in policy["PolicyDocument"]["Statement"].as_array().unwrap() {
                    let actions: Vec<&str> = match &st["Action"] {
                        Node::String(a) => vec![&**a],
                        Node::Array(a) => a.iter().map(|v| v.as_str().unwrap()).collect(),
                        other => panic!("{other}"),
                    };
                    assert!(
                        actions.iter().all(|a| !a.ends_with('*')),
                        "{name}: {id} wildcard action"
                    );
                    // A Deny takes away; only what is allowed must be scoped.
                    if st["Resource"] == "*" && st["Effect"] == "Allow" {
                        // Actions IAM cannot scope to a resource: the registry login, and
                        // describing network interfaces (a function in a VPC).
                        assert!(
                            actions == ["ecr:GetAuthorizationToken"]
                                || actions == ["ec2:DescribeNetworkInterfaces"],
                            "{name}: {id}: {actions:?} account-wide"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn outputs_name_what_a_deployer_needs() {
    let keys = |t: &Template| {
        t.to_value()["Outputs"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    let fargate = keys(&template_of(examples::fargate()));
    for k in [
        "ServiceUrl",
        "ClusterName",
        "DatabaseEndpoint",
        "CacheEndpoint",
        "RepositoryUri",
    ] {
        assert!(fargate.contains(&k.to_string()), "{k}");
    }
    let lambda = keys(&template_of(examples::lambda()));
    for k in [
        "ApiUrl",
        "FunctionName",
        "QueriesTableName",
        "SessionsTableName",
        "BucketName",
    ] {
        assert!(lambda.contains(&k.to_string()), "{k}");
    }
}

#[test]
fn file_names() {
    let plan = examples::lambda();
    assert_eq!(
        template::file_name(&plan, shared::Format::Yaml),
        "shop-lambda.template.yaml"
    );
}

#[test]
fn every_template_records_the_plan_it_came_from() {
    for (name, plan) in shared::examples::matrix() {
        let t = shared::template::generate(&shared::ValidPlan::new(plan.clone()).unwrap());
        let (code, read) = shared::template::recorded_plan(&t.to_value())
            .unwrap_or_else(|| panic!("{name}: no recorded plan"));
        assert_eq!(read, plan, "{name}");
        assert_eq!(code, shared::link::encode(&plan), "{name}");
    }
}

/// A downloaded template opens as the plan it records, in either format, a tag named `Plan`
/// and a BOM included; a template Stackplan did not write, or one whose recorded plan was cut,
/// says so; and any other text keeps the plan's own error.
#[test]
fn a_template_opens_as_the_plan_it_records() {
    for (name, mut plan) in shared::examples::matrix() {
        if plan.tags.len() < shared::validate::limits::MAX_TAGS {
            plan.tags.insert("Plan".into(), "not the plan".into());
        }
        let t = shared::template::generate(&shared::ValidPlan::new(plan.clone()).unwrap());
        for text in [t.to_json(), t.to_yaml(), format!("\u{feff}{}", t.to_yaml())] {
            assert_eq!(shared::Plan::from_file(&text).as_ref(), Ok(&plan), "{name}");
        }
    }
    let plan = examples::fargate();
    let t = template_of(plan.clone());
    assert_eq!(
        shared::Plan::from_file(&plan.to_json_pretty()),
        Ok(plan.clone())
    );
    let code = shared::link::encode(&plan);
    // Re-saved by another YAML tool, with the value single-quoted.
    let requoted = t
        .to_yaml()
        .replace(&format!("Plan: \"{code}\""), &format!("Plan: '{code}'"));
    assert_ne!(requoted, t.to_yaml());
    assert_eq!(shared::Plan::from_file(&requoted), Ok(plan.clone()));
    for text in [t.to_json(), t.to_yaml()] {
        // The recorded plan cut short.
        let cut = text.replace(&code, &code[..code.len() / 2]);
        let err = shared::Plan::from_file(&cut).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "the template's recorded plan (Metadata.Stackplan.Plan) could not be read: the record is damaged"
            ),
            "{err}"
        );
        // The reader opened a file: no link to go and copy again.
        assert!(!err.contains("link"), "{err}");
        // A record edited into something that is no code at all.
        let edited = text.replace(&code, "xyz");
        let err = shared::Plan::from_file(&edited).unwrap_err().to_string();
        assert!(err.ends_with("could not be read: the record is not a plan's code (was it edited?); open the plan file, or download the template again"), "{err}");
        // No recorded plan.
        let foreign = text.replace("Plan", "Plot");
        let err = shared::Plan::from_file(&foreign).unwrap_err().to_string();
        assert!(
            err.starts_with("this is a CloudFormation template, but not one Stackplan wrote"),
            "{err}"
        );
    }
    for text in [
        r#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}"#,
        "AWSTemplateFormatVersion: 2010-09-09\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n",
        "Resources:\n  Plan:\n    Type: AWS::S3::Bucket\n",
    ] {
        assert_eq!(
            shared::Plan::from_file(text),
            Err(shared::plan::ParseError::ForeignTemplate),
            "{text}"
        );
    }
    // Not a template: the plan's own error.
    for text in ["", "{\"fargate\": 3}", "region: us-east-1\n"] {
        assert_eq!(
            shared::Plan::from_file(text),
            shared::Plan::from_json(text),
            "{text}"
        );
    }
}

fn pretty(value: Value) -> String {
    serde_json::to_string_pretty(&value).unwrap()
}

fn plan_named(name: &str) -> shared::Plan {
    examples::matrix()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} is in the matrix"))
        .1
}

#[test]
fn the_environment_reaches_the_task_and_reads_only_its_secrets() {
    let t = template_of(plan_named("fargate-environment"));
    let task = props(&t.resources()["TaskDefinition"]);
    let container = &task["ContainerDefinitions"][0];
    let role = props(&t.resources()["TaskExecutionRole"]);
    let statements = &role["Policies"][0]["PolicyDocument"]["Statement"];
    let statement = |sid: &str| {
        statements
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == sid)
            .cloned()
            .unwrap_or_else(|| panic!("no {sid}"))
    };
    insta::assert_snapshot!(
        "fargate-environment",
        pretty(serde_json::json!({
            "Environment": container["Environment"],
            "Secrets": container["Secrets"],
            "ReadSecrets": statement("ReadSecrets"),
            "ReadParameters": statement("ReadParameters"),
            "GeneratedApiKeySecret": t.resources()["GeneratedApiKeySecret"],
        }))
    );
    // Nothing else in the template may read a secret or a parameter, but the task itself,
    // its database's secret alone (its password rotates).
    let text = t.to_json();
    assert_eq!(text.matches("secretsmanager:GetSecretValue").count(), 2);
    let task_role = serde_json::to_value(&t.resources()["TaskRole"]).unwrap();
    let reads: Vec<_> = task_role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Action"] == "secretsmanager:GetSecretValue")
        .map(|s| s["Resource"].clone())
        .collect();
    assert_eq!(
        reads,
        [serde_json::json!({"Fn::GetAtt": ["Database", "MasterUserSecret.SecretArn"]})]
    );
    assert_eq!(text.matches("ssm:GetParameters").count(), 1);
}

#[test]
fn the_function_gets_its_secrets_by_dynamic_reference_and_no_read_permission() {
    let t = template_of(plan_named("lambda-environment"));
    let function = props(&t.resources()["Function"]);
    insta::assert_snapshot!(
        "lambda-environment",
        pretty(serde_json::json!({
            "Variables": function["Environment"]["Variables"],
            "GeneratedApiKeySecret": t.resources()["GeneratedApiKeySecret"],
        }))
    );
    let role = serde_json::to_string(&t.resources()["FunctionRole"]).unwrap();
    assert!(!role.contains("secretsmanager"), "{role}");
    // Plain values as given; secrets as references to where they are kept.
    for (key, value) in [
        (
            "STRIPE_KEY",
            "{{resolve:secretsmanager:stackplan/shop/stripe:SecretString}}",
        ),
        ("PRSM_ENV", "production"),
    ] {
        assert_eq!(function["Environment"]["Variables"][key], value);
    }
}

/// A container-image function runs its image at the deploy's tag: no runtime, handler or code
/// parameters, and the zip function is unchanged beside it. The stack keeps its code bucket
/// (retained under a fixed name, it must stay for a move back to a zip) without naming it.
#[test]
fn an_image_function_runs_its_image_at_the_deploys_tag() {
    let t = template_of(plan_named("lambda-image"));
    let function = props(&t.resources()["Function"]);
    insta::assert_snapshot!(
        "lambda-image",
        pretty(serde_json::json!({
            "Parameters": t.to_value()["Parameters"]["ImageTag"],
            "Function": {
                "PackageType": function["PackageType"],
                "Code": function["Code"],
                "Runtime": function.get("Runtime"),
                "Handler": function.get("Handler"),
            },
        }))
    );
    assert_eq!(
        t.resources()["CodeBucket"].to_value(),
        template_of(plan_named("lambda-us-east-1")).resources()["CodeBucket"].to_value()
    );
    assert!(t.to_value()["Parameters"].get("CodeS3Bucket").is_none());
    assert!(t.to_value()["Outputs"].get("CodeBucketName").is_none());
    let zip = template_of(plan_named("lambda-us-east-1"));
    let zip_function = props(&zip.resources()["Function"]);
    assert!(zip_function.get("PackageType").is_none());
    assert_eq!(zip_function["Runtime"], "python3.13");
    assert!(zip.resources().contains_key("CodeBucket"));
}

/// A domain brings its certificate (unless the plan brings one), HTTPS with port 80
/// redirecting, and the alias record to what serves it; the URL output is the domain's.
#[test]
fn a_domain_gets_its_certificate_https_and_an_alias_record() {
    let pick = |t: &Template, ids: &[&str]| -> Value {
        ids.iter()
            .map(|id| (id.to_string(), t.resources()[*id].to_value()))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let f = template_of(plan_named("fargate-domain"));
    insta::assert_snapshot!(
        "fargate-domain",
        pretty(pick(
            &f,
            &[
                "Certificate",
                "DomainRecord",
                "HttpListener",
                "HttpsListener"
            ]
        ))
    );
    let own = template_of(plan_named("fargate-domain-own-certificate"));
    assert!(!own.resources().contains_key("Certificate"));
    assert_eq!(
        props(&own.resources()["HttpsListener"])["Certificates"][0]["CertificateArn"],
        examples::certificate_arn(shared::Region::UsEast1)
    );
    for t in [&f, &own] {
        assert!(t.to_json().contains("\"https://shop.example.com\""));
    }
    for (name, ids) in [
        (
            "lambda-domain",
            ["Certificate", "ApiDomainName", "ApiMapping", "DomainRecord"],
        ),
        (
            "lambda-rest-domain",
            ["Certificate", "ApiDomainName", "ApiMapping", "DomainRecord"],
        ),
    ] {
        let t = template_of(plan_named(name));
        insta::assert_snapshot!(name, pretty(pick(&t, &ids)));
        assert!(
            t.to_json().contains("\"https://shop.example.com\""),
            "{name}"
        );
    }
}

/// The names the template gives the service itself are exactly the ones the validator
/// reserves (`environment::template_names`), for every plan: a variable the template adds is
/// never one a plan could also set.
#[test]
fn the_reserved_template_names_are_the_ones_the_template_sets() {
    for (name, plan) in shared::examples::matrix() {
        let t = template_of(plan.clone());
        let user: std::collections::BTreeSet<String> =
            plan.environment.iter().map(|v| v.name.clone()).collect();
        let mut set = std::collections::BTreeSet::new();
        for r in t.resources().values() {
            match r["Type"].as_str() {
                Some("AWS::ECS::TaskDefinition") => {
                    for c in r["Properties"]["ContainerDefinitions"].as_array().unwrap() {
                        for key in ["Environment", "Secrets"] {
                            for e in c[key].as_array().into_iter().flatten() {
                                set.insert(e["Name"].as_str().unwrap().to_string());
                            }
                        }
                    }
                }
                Some("AWS::Lambda::Function") => {
                    if let Some(vars) = r["Properties"]["Environment"]["Variables"].as_object() {
                        set.extend(vars.keys().map(String::from));
                    }
                }
                _ => {}
            }
        }
        let by_template: std::collections::BTreeSet<String> =
            set.difference(&user).cloned().collect();
        let reserved: std::collections::BTreeSet<String> =
            shared::environment::template_names(&plan)
                .into_iter()
                .map(|(n, _)| n)
                .collect();
        assert_eq!(by_template, reserved, "{name}");
    }
}

/// checkov's CKV_AWS_173 (a customer managed key for a function's environment) is skipped with
/// a reason that says what the environment holds: secrets resolved into it, when the plan has
/// any, are readable by whoever may read the function's configuration.
#[test]
fn the_function_environment_skip_says_whether_it_holds_secrets() {
    let mut checked = [0, 0];
    for (name, t) in matrix_templates() {
        let Some(function) = t.resources().get("Function") else {
            continue;
        };
        let vars = function["Properties"]["Environment"]["Variables"]
            .as_object()
            .expect("variables");
        let secrets = vars
            .values()
            .any(|v| template::format::compact(v).contains("{{resolve:secretsmanager:"));
        let reason = function["Metadata"]["checkov"]["skip"]
            .as_array()
            .expect("skips")
            .iter()
            .find(|s| s["id"] == "CKV_AWS_173")
            .and_then(|s| s["comment"].as_str())
            .expect("CKV_AWS_173 is skipped");
        assert_eq!(reason.contains("reads them"), secrets, "{name}: {reason}");
        assert!(!reason.contains("no secrets"), "{name}: {reason}");
        checked[usize::from(secrets)] += 1;
    }
    assert!(checked[0] > 0 && checked[1] > 0, "{checked:?}");
}

/// A function attached to the VPC needs its role to manage the account's network interfaces
/// (Lambda does it with the role), but the function's own code must not: every statement that
/// grants an interface-changing action is matched by a Deny of it for calls that carry
/// `lambda:SourceFunctionArn`, which Lambda adds to the code's calls and not to its own.
#[test]
fn a_functions_code_cannot_change_the_accounts_network_interfaces() {
    const CHANGING: [&str; 4] = [
        "ec2:AssignPrivateIpAddresses",
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:UnassignPrivateIpAddresses",
    ];
    let actions = |st: &Value| -> Vec<String> {
        match &st["Action"] {
            Value::String(a) => vec![a.clone()],
            Value::Array(l) => l
                .iter()
                .filter_map(|a| a.as_str().map(String::from))
                .collect(),
            _ => vec![],
        }
    };
    let mut checked = 0;
    for (name, t) in matrix_templates() {
        for (id, resource) in t.to_value()["Resources"].as_object().unwrap() {
            if resource["Type"] != "AWS::IAM::Role" {
                continue;
            }
            let statements: Vec<Value> = resource["Properties"]["Policies"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|p| {
                    p["PolicyDocument"]["Statement"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                })
                .collect();
            let granted: Vec<String> = statements
                .iter()
                .filter(|st| st["Effect"] == "Allow")
                .flat_map(actions)
                .filter(|a| CHANGING.contains(&a.as_str()))
                .collect();
            if granted.is_empty() {
                continue;
            }
            let denied = statements.iter().any(|st| {
                st["Effect"] == "Deny"
                    && st["Resource"] == "*"
                    && st["Condition"]["Null"]["lambda:SourceFunctionArn"] == "false"
                    && granted.iter().all(|a| actions(st).contains(a))
            });
            assert!(
                denied,
                "{name}: {id} lets the function's code use {granted:?}"
            );
            checked += 1;
        }
    }
    assert!(
        checked > 0,
        "no template grants interface actions: the test tests nothing"
    );
}

/// A governed stack's key outlives the stack in every plan, with a database or without one:
/// an update that took the database out (or replaced it) left a final snapshot encrypted with
/// the key, and a key deleted with the stack would leave it unreadable for good.
#[test]
fn a_governed_key_is_kept_whatever_the_plan_holds_today() {
    let (mut with_db, mut without_db, mut lambda) = (0, 0, 0);
    for (name, t) in matrix_templates() {
        let v = t.to_value();
        let Some(key) = v["Resources"].get("StackKey") else {
            continue;
        };
        assert_eq!(key["DeletionPolicy"], "Retain", "{name}");
        assert_eq!(key["UpdateReplacePolicy"], "Retain", "{name}");
        let resources = v["Resources"].as_object().unwrap();
        let has = |kind: &str| resources.values().any(|r| r["Type"] == kind);
        if has("AWS::Lambda::Function") {
            lambda += 1;
        } else if has("AWS::RDS::DBInstance") {
            with_db += 1;
        } else {
            without_db += 1;
        }
    }
    assert!(
        with_db > 0 && without_db > 0 && lambda > 0,
        "the matrix must hold governed plans of each kind: {with_db} with a database, {without_db} without, {lambda} Lambda"
    );
}

/// A governed stack's key lets CloudWatch use it for exactly the stack's own alarms: each alarm
/// has a name of the stack's, and the key's policy lists those names without a wildcard (a
/// prefix `<stack>-*` also matched the alarms of a stack whose name starts with this one's).
#[test]
fn a_governed_key_serves_exactly_the_stacks_own_alarms() {
    let mut checked = 0;
    for (name, t) in matrix_templates() {
        let v = t.to_value();
        let Some(key) = v["Resources"].get("StackKey") else {
            continue;
        };
        let Some(st) = key["Properties"]["KeyPolicy"]["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|st| st["Sid"] == "CloudWatchAlarmsPublishToTheStacksTopic")
        else {
            continue;
        };
        assert!(st["Condition"].get("ArnLike").is_none(), "{name}: {st}");
        let allowed: Vec<String> = st["Condition"]["ArnEquals"]["aws:SourceArn"]
            .as_array()
            .expect("a list of alarm ARNs")
            .iter()
            .map(|a| a["Fn::Sub"].as_str().unwrap().to_string())
            .collect();
        let alarms: Vec<String> = v["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Type"] == "AWS::CloudWatch::Alarm")
            .map(|r| {
                let named = r["Properties"]["AlarmName"]["Fn::Sub"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name}: an alarm without a name: {r}"));
                format!(
                    "arn:${{AWS::Partition}}:cloudwatch:${{AWS::Region}}:${{AWS::AccountId}}:alarm:{named}"
                )
            })
            .collect();
        assert!(!alarms.is_empty(), "{name}");
        assert_eq!(allowed, alarms, "{name}");
        assert!(allowed.iter().all(|a| !a.contains('*')), "{name}");
        checked += 1;
    }
    assert!(checked > 0, "no governed Fargate template in the matrix");
}

/// Fargate Spot on either architecture: the cluster offers FARGATE_SPOT, the service splits
/// its tasks by weight, and the task keeps its CPU architecture. FARGATE_SPOT takes ARM64
/// tasks from platform version 1.4.0; the service pins no version, so it runs on LATEST, which
/// is 1.4.0 on Linux.
#[test]
fn spot_takes_tasks_of_either_architecture() {
    use serde_json::json;
    use shared::plan::{Architecture, CpuArch};
    let split = |on_demand: u8, spot: u8| {
        let mut s = Vec::new();
        if on_demand > 0 {
            s.push(json!({"CapacityProvider": "FARGATE", "Weight": on_demand}));
        }
        s.push(json!({"CapacityProvider": "FARGATE_SPOT", "Weight": spot}));
        Value::Array(s)
    };
    let cases = [
        (CpuArch::X86_64, 0, None, "X86_64"),
        (CpuArch::Arm64, 0, None, "ARM64"),
        (CpuArch::X86_64, 50, Some(split(50, 50)), "X86_64"),
        (CpuArch::Arm64, 50, Some(split(50, 50)), "ARM64"),
        (CpuArch::Arm64, 100, Some(split(0, 100)), "ARM64"),
    ];
    for (arch, spot, strategy, runtime_arch) in cases {
        let mut plan = examples::fargate();
        let Architecture::Fargate(f) = &mut plan.architecture else {
            unreachable!()
        };
        f.cpu_architecture = arch;
        f.spot_percent = spot;
        let t = template_of(plan).to_value();
        let r = &t["Resources"];
        let service = &r["Service"]["Properties"];
        let case = format!("{arch:?} with {spot}% Spot");
        match &strategy {
            Some(s) => {
                assert_eq!(&service["CapacityProviderStrategy"], s, "{case}");
                assert_eq!(service.get("LaunchType"), None, "{case}");
                assert_eq!(
                    r["Cluster"]["Properties"]["CapacityProviders"],
                    json!(["FARGATE", "FARGATE_SPOT"]),
                    "{case}"
                );
            }
            None => {
                assert_eq!(service["LaunchType"], json!("FARGATE"), "{case}");
                assert_eq!(service.get("CapacityProviderStrategy"), None, "{case}");
            }
        }
        assert_eq!(service.get("PlatformVersion"), None, "{case}: LATEST");
        assert_eq!(
            r["TaskDefinition"]["Properties"]["RuntimePlatform"],
            json!({"CpuArchitecture": runtime_arch, "OperatingSystemFamily": "LINUX"}),
            "{case}"
        );
    }
}

/// A REST API's stage serves the snapshot its deployment took when it was created, so every
/// change to what the API does (its methods, or the function they call being replaced by a new
/// package type) comes with a new deployment, and nothing else does.
#[test]
fn a_rest_api_is_deployed_again_exactly_when_what_it_serves_changes() {
    let deployment = |edit: &dyn Fn(&mut shared::plan::Lambda)| {
        let mut plan = examples::lambda();
        let shared::plan::Architecture::Lambda(l) = &mut plan.architecture else {
            panic!("a Lambda plan")
        };
        l.api = shared::plan::ApiType::Rest;
        edit(l);
        let t = template_of(plan);
        let ids: Vec<String> = t
            .resources()
            .iter()
            .filter(|(_, r)| r["Type"] == "AWS::ApiGateway::Deployment")
            .map(|(id, _)| id.to_string())
            .collect();
        assert_eq!(ids.len(), 1, "{ids:?}");
        let stage = t
            .resources()
            .values()
            .find(|r| r["Type"] == "AWS::ApiGateway::Stage")
            .expect("a stage")
            .to_value();
        assert_eq!(stage["Properties"]["DeploymentId"]["Ref"], ids[0].as_str());
        ids[0].clone()
    };
    let first = deployment(&|_| {});
    assert!(first.starts_with("RestDeployment"), "{first}");
    assert_eq!(
        deployment(&|_| {}),
        first,
        "the same plan, the same deployment"
    );
    assert_eq!(
        deployment(&|l| l.memory_mb = 1024),
        first,
        "the API is unchanged"
    );
    let iam = deployment(&|l| l.authorizer = Some(shared::plan::Authorizer::Iam));
    assert_ne!(iam, first, "who may call changed");
    let image = deployment(&|l| {
        l.image = Some("123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api".into())
    });
    assert_ne!(image, first, "the function is replaced");
    assert_ne!(image, iam);
}

/// What an update's review reads of the deployed template: every resource that holds data
/// with its deletion policy, and deletion protection where the governed profile turns it on
/// (the database's, and the load balancer's, which has no policy of its own).
#[test]
fn a_deployed_template_tells_what_holds_data_and_what_is_protected() {
    let held = |governed: bool| {
        let plan = if governed {
            let (_, plan) = examples::matrix()
                .into_iter()
                .find(|(name, _)| name == "fargate-governed")
                .expect("the matrix's governed Fargate plan");
            plan
        } else {
            examples::fargate()
        };
        let v = template_of(plan).to_value();
        template::held(&v)
            .into_iter()
            .map(|h| (h.logical_id, h.deletion_policy, h.protected))
            .collect::<Vec<_>>()
    };
    let find = |all: &[(String, String, bool)], id: &str| {
        all.iter()
            .find(|(i, _, _)| i == id)
            .map(|(_, p, protected)| (p.clone(), *protected))
    };
    let plain = held(false);
    assert_eq!(find(&plain, "Database"), Some(("Snapshot".into(), false)));
    assert_eq!(find(&plain, "AppBucket"), Some(("Retain".into(), false)));
    assert_eq!(find(&plain, "LoadBalancer"), None, "{plain:?}");
    assert_eq!(find(&plain, "Service"), None, "holds no data: {plain:?}");
    let governed = held(true);
    assert_eq!(find(&governed, "Database"), Some(("Snapshot".into(), true)));
    assert_eq!(
        find(&governed, "LoadBalancer"),
        Some(("Delete".into(), true))
    );
    assert_eq!(find(&governed, "StackKey"), Some(("Retain".into(), false)));
    assert_eq!(template::held(&serde_json::json!({})), vec![]);
}
