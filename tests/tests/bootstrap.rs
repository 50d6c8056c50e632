//! The account bootstrap's execution role is derived from AWS's own data: the IAM actions in
//! `server/data/iam-actions.tsv` are exactly what `scripts/iam-actions.py` reads from the
//! resource provider schemas (as cfn-lint bundles them) for the registry's types.

use stackplan_tests::{venv_tool, workspace_root};

#[test]
fn the_execution_roles_actions_are_the_schemas_handler_permissions() {
    let types: Vec<&str> = shared::resources::REGISTRY.iter().map(|r| r.name).collect();
    let out = std::process::Command::new(venv_tool("python"))
        .arg(workspace_root().join("scripts/iam-actions.py"))
        .args(&types)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fresh = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        fresh,
        server::bootstrap::IAM_ACTIONS,
        "server/data/iam-actions.tsv is stale: regenerate it with scripts/iam-actions.py and the registry's types"
    );
    // Every action the execution role gets is there for a resource type.
    let actions = server::bootstrap::execution_actions();
    assert!(actions.values().all(|types| !types.is_empty()));
    println!(
        "execution role: {} actions for {} resource types",
        actions.len(),
        types.len()
    );
}

/// Runs `scripts/iam-resource-tags.py` on `action=ResourceType` pairs: (success, stdout, stderr).
fn resource_tags(pairs: &[String]) -> (bool, String, String) {
    let out = std::process::Command::new(venv_tool("python"))
        .arg(workspace_root().join("scripts/iam-resource-tags.py"))
        .args(pairs)
        .output()
        .expect("python runs");
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The execution role denies attaching to resources not tagged as Stackplan's. By AWS's policy
/// reference, IAM decides each of those actions on the target's tags alone, and CloudFormation
/// tags each target type as it creates it; the script refuses an action IAM decides on two
/// resources. And the matrix's templates attach only to resources of their own stack, so the
/// deny never refuses Stackplan's own deploys.
#[test]
fn attachments_are_denied_by_the_targets_tag_and_templates_attach_only_to_their_own() {
    let pairs: Vec<String> = server::bootstrap::TAGGED_TARGETS
        .iter()
        .map(|(action, target)| format!("{action}={target}"))
        .collect();
    let (ok, stdout, stderr) = resource_tags(&pairs);
    assert!(ok, "{stdout}{stderr}");
    assert_eq!(
        stdout.lines().filter(|l| l.ends_with("\tok")).count(),
        pairs.len(),
        "{stdout}"
    );
    // What the script refuses: a security group's egress rule is authorised on the group and
    // on the new rule, which has no tags yet.
    let (ok, stdout, _) =
        resource_tags(&["ec2:AuthorizeSecurityGroupEgress=AWS::EC2::SecurityGroup".into()]);
    assert!(!ok && stdout.contains("not one"), "{stdout}");
    // Nor an action paired with another service's type.
    let (ok, stdout, _) = resource_tags(&["sns:Subscribe=AWS::Lambda::Function".into()]);
    assert!(!ok && stdout.contains("not an action on"), "{stdout}");

    // The resource that attaches, the property naming its target, the target's type.
    let attaching = [
        (
            "AWS::Lambda::Permission",
            "FunctionName",
            "AWS::Lambda::Function",
        ),
        ("AWS::EC2::Route", "RouteTableId", "AWS::EC2::RouteTable"),
        ("AWS::SNS::Subscription", "TopicArn", "AWS::SNS::Topic"),
    ];
    for (_, target) in server::bootstrap::TAGGED_TARGETS {
        assert!(attaching.iter().any(|(_, _, t)| *t == target), "{target}");
    }
    let mut seen = std::collections::BTreeMap::new();
    for (name, doc) in matrix_templates() {
        let resources = doc["Resources"].as_object().unwrap();
        for (id, r) in resources {
            let Some((ty, property, target)) = attaching.iter().find(|(ty, _, _)| r["Type"] == *ty)
            else {
                continue;
            };
            let value = &r["Properties"][*property];
            let named = value["Ref"]
                .as_str()
                .or_else(|| value["Fn::GetAtt"][0].as_str())
                .unwrap_or_else(|| panic!("{name}: {id}.{property} is not its stack's: {value}"));
            assert_eq!(
                resources[named]["Type"], *target,
                "{name}: {id}.{property} names {named}"
            );
            *seen.entry(*ty).or_insert(0) += 1;
        }
    }
    // Each kind occurs in the matrix, so the check above is not empty.
    assert_eq!(seen.len(), attaching.len(), "{seen:?}");
    println!("attachments to the stack's own resources in the matrix: {seen:?}");
}

/// The execution role is refused what copies or joins something that already exists (a
/// database's snapshot, a cluster, a table import…), each through properties no generated
/// template sets. Checked against AWS's data as cfn-lint bundles it: every property is one of
/// the type's, every action is one the role is granted for that type (and, denied on every
/// resource, for no other type), and a deny scoped to an ARN pattern names the resource IAM
/// authorises the action on, in its ARN format. Not checked, because AWS's data cannot tell:
/// that the handlers call these actions only when one of the properties is set.
#[test]
fn what_exists_is_never_copied_and_templates_never_ask_to() {
    let out = std::process::Command::new(venv_tool("python"))
        .args([
            "-c",
            "import cfnlint, os; print(os.path.join(os.path.dirname(cfnlint.__file__), 'data'))",
        ])
        .output()
        .expect("python runs");
    let data = std::path::PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
    let read = |path: std::path::PathBuf| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    };
    let policies = read(data.join("AdditionalSpecs/Policies.json"));
    // The resource schemas are stored by hash: found by their `typeName`.
    let wanted: std::collections::BTreeSet<&str> = server::bootstrap::NEVER_GENERATED
        .iter()
        .map(|n| n.resource_type)
        .collect();
    let mut schemas = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(data.join("schemas/resources")).unwrap() {
        let doc = read(entry.unwrap().path());
        if let Some(name) = doc["typeName"].as_str().filter(|t| wanted.contains(t)) {
            schemas.insert(name.to_string(), doc);
        }
    }
    // The properties no generated template may set: those the denies are tied to, and ways to
    // what exists that IAM cannot refuse (README lists them as not covered).
    let uncovered = [
        // An existing cache cluster as the group's primary: a deny on `cluster:*` would refuse
        // the group's own new nodes.
        ("AWS::ElastiCache::ReplicationGroup", "PrimaryClusterId"),
        // `.rdb` files in S3, which ElastiCache reads with the bucket's grant.
        ("AWS::ElastiCache::ReplicationGroup", "SnapshotArns"),
    ];
    let forbidden: Vec<(&str, &str)> = server::bootstrap::NEVER_GENERATED
        .iter()
        .flat_map(|n| n.properties.iter().map(|p| (n.resource_type, *p)))
        .chain(uncovered)
        .collect();
    for (ty, p) in &forbidden {
        assert!(
            schemas[*ty]["properties"].get(*p).is_some(),
            "{ty}: no property {p}"
        );
    }
    let granted = server::bootstrap::execution_actions();
    for n in &server::bootstrap::NEVER_GENERATED {
        for action in n.actions {
            let types = granted.get(action).map(Vec::as_slice).unwrap_or_default();
            assert!(
                types.contains(&n.resource_type),
                "{}: {action} is not granted for it",
                n.sid
            );
            // Denied everywhere, it must be no other type's: a type added later that needs it
            // would be refused by a deny meant for this one.
            if n.on == "*" {
                assert_eq!(types, [n.resource_type], "{}: {action}", n.sid);
            }
            let (service, name) = action.split_once(':').unwrap();
            let spec = &policies[service];
            let on = spec["Actions"][name.to_lowercase()]["Resources"]
                .as_array()
                .unwrap_or_else(|| panic!("IAM has no action {action}"));
            if n.on != "*" {
                // `arn:${AWS::Partition}:rds:*:${AWS::AccountId}:cluster:*` → `cluster`.
                let kind = n.on.rsplit(':').nth(1).unwrap();
                assert!(
                    on.iter().any(|r| r == kind),
                    "{action} is not authorised on {kind}: {on:?}"
                );
                let format = spec["Resources"][kind]["ARNFormats"][0].as_str().unwrap();
                let ours =
                    n.on.replace("${AWS::Partition}", "${Partition}")
                        .replace("${AWS::AccountId}", "${Account}")
                        .replacen(":*:", ":${Region}:", 1)
                        .replace(":*", ":.*");
                assert_eq!(ours, format, "{}", n.sid);
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for (name, doc) in matrix_templates() {
        for (id, r) in doc["Resources"].as_object().unwrap() {
            for (ty, p) in forbidden.iter().filter(|(ty, _)| r["Type"] == *ty) {
                seen.insert(*ty);
                assert!(
                    r["Properties"].get(*p).is_none(),
                    "{name}: {id} sets {p}, which no generated template may set"
                );
            }
        }
    }
    // Each type occurs in the matrix, so the check above is not empty.
    assert_eq!(seen, wanted);
}

/// The template of every valid plan of the matrix, as JSON, by the plan's name.
fn matrix_templates() -> Vec<(String, serde_json::Value)> {
    shared::examples::matrix()
        .into_iter()
        .filter_map(|(name, plan)| {
            let valid = shared::ValidPlan::new(plan).ok()?;
            let json = shared::template::generate(&valid).to_json();
            Some((name, serde_json::from_str(&json).unwrap()))
        })
        .collect()
}

/// Every policy document Stackplan writes with each `${AWS::…}` and the execution role's ARN
/// written out, as `scripts/iam-grants.py` reads them: the bootstrap's roles and boundary (with two
/// settings prefixes and a hosted zone, so their statements are there too), and the server's session policies.
fn written_policies() -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value;
    fn written(v: &Value) -> Value {
        match v {
            Value::Object(o) => match (o.get("Fn::Sub"), o.get("Fn::GetAtt"), o.get("Ref")) {
                (Some(Value::String(s)), _, _) => Value::String(
                    s.replace("${AWS::Partition}", "aws")
                        .replace("${AWS::AccountId}", "123456789012"),
                ),
                (_, Some(att), _) => Value::String(format!(
                    "arn:aws:iam::123456789012:role/{}",
                    att[0].as_str().unwrap()
                )),
                (_, _, Some(Value::String(r))) => Value::String(r.clone()),
                _ => Value::Object(o.iter().map(|(k, x)| (k.clone(), written(x))).collect()),
            },
            Value::Array(a) => Value::Array(a.iter().map(written).collect()),
            other => other.clone(),
        }
    }
    let options = server::bootstrap::Options {
        settings_prefixes: vec!["stackplan/".into(), "shop.prod-".into()],
        hosted_zone_ids: vec![shared::examples::domain().hosted_zone_id],
    };
    let t = server::bootstrap::template(&options);
    let mut out = serde_json::Map::new();
    for (name, r) in t["Resources"].as_object().unwrap() {
        if r["Type"] == "AWS::IAM::ManagedPolicy" {
            out.insert(name.clone(), written(&r["Properties"]["PolicyDocument"]));
        }
        for p in r["Properties"]["Policies"].as_array().into_iter().flatten() {
            let key = format!("{name}/{}", p["PolicyName"].as_str().unwrap());
            out.insert(key, written(&p["PolicyDocument"]));
        }
    }
    use server::deploy::policy::{self, Access, Scope};
    let scope = Scope {
        partition: "aws",
        region: "eu-west-1",
        account: "123456789012",
        stack_name: "shop-lambda",
    };
    let execution = Some("arn:aws:iam::123456789012:role/stackplan-execution");
    for (name, text) in [
        (
            "session/deploy",
            policy::session_policy(Access::Deploy, &scope, execution),
        ),
        (
            "session/read",
            policy::session_policy(Access::Read, &scope, execution),
        ),
        (
            "session/code",
            policy::code_policy(&scope, "stackplan-code-0f1e"),
        ),
        (
            "session/images",
            policy::images_policy(&scope, "shop-lambda-repo"),
        ),
        (
            "session/stores",
            policy::stores_policy(&scope, &options.settings_prefixes),
        ),
    ] {
        out.insert(name.into(), serde_json::from_str(&text).unwrap());
    }
    out
}

/// Runs `scripts/iam-grants.py` on policy documents: (success, stdout, stderr).
fn grants(policies: &serde_json::Map<String, serde_json::Value>) -> (bool, String, String) {
    let file = std::env::temp_dir().join(format!("stackplan-grants-{}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_string(policies).unwrap()).unwrap();
    let out = std::process::Command::new(venv_tool("python"))
        .arg(workspace_root().join("scripts/iam-grants.py"))
        .arg(&file)
        .output()
        .expect("python runs");
    let _ = std::fs::remove_file(&file);
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every grant Stackplan writes can take effect: by AWS's policy reference, each action of a
/// statement is authorised on a resource the statement names, and each resource it names is
/// one an action of it is authorised on. A grant that cannot (a change set's ARN, where IAM
/// authorises change-set actions on the stack; `iam:ListRoles` on a role, where IAM authorises it
/// on `*` only) reads as a permission and is none.
#[test]
fn every_grant_stackplan_writes_can_take_effect() {
    let policies = written_policies();
    let (ok, stdout, stderr) = grants(&policies);
    assert!(ok, "{stdout}{stderr}");
    let statements = stdout.lines().filter(|l| l.ends_with("\tok")).count();
    assert_eq!(statements, stdout.lines().count(), "{stdout}");
    assert!(statements >= 35, "{stdout}");
    println!(
        "{statements} statements in {} policies, every grant can take effect",
        policies.len()
    );

    // What the script refuses: the two grants above, and an action IAM does not have.
    let dead = serde_json::json!({"Statement": [
        {"Sid": "ChangeSetArn", "Effect": "Allow", "Action": ["cloudformation:DescribeStacks"],
         "Resource": ["arn:aws:cloudformation:*:123456789012:stack/*/*", "arn:aws:cloudformation:*:123456789012:changeSet/stackplan-*/*"]},
        {"Sid": "ListOnARole", "Effect": "Allow", "Action": ["iam:GetRole", "iam:ListRoles"],
         "Resource": "arn:aws:iam::123456789012:role/stackplan/*"},
        {"Sid": "NoSuchAction", "Effect": "Allow", "Action": "cloudformation:DescribeStack", "Resource": "*"}
    ]});
    let (ok, stdout, _) = grants(&serde_json::Map::from_iter([("dead".to_string(), dead)]));
    assert!(!ok, "{stdout}");
    for (sid, why) in [
        (
            "ChangeSetArn",
            "changeSet/stackplan-*/* names nothing any of its actions is authorised on",
        ),
        ("ListOnARole", "iam:ListRoles is authorised on `*` only"),
        (
            "NoSuchAction",
            "IAM has no action cloudformation:DescribeStack",
        ),
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&format!("dead/{sid}\t")) && l.contains(why)),
            "{sid}: {stdout}"
        );
    }
}
