//! Validation, data-driven: an edit of an example plan, and the exact lines it must produce.

use serde_json::{Value, json};
use shared::{Plan, Severity, examples};

/// Merges `patch` into `base` (objects merge, anything else replaces; null removes).
fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    b.remove(k);
                } else {
                    merge(b.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

/// serde_json ends its messages with the position; the path says more in these tests.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The example of `kind` as JSON, with `patch` applied.
fn patched(kind: &str, patch: &Value) -> String {
    let example = if kind == "fargate" {
        examples::fargate()
    } else {
        examples::lambda()
    };
    let mut doc = serde_json::to_value(&example).unwrap();
    merge(&mut doc, patch);
    doc.to_string()
}

/// Applies `patch` to the example of `kind` and compares all error lines with `expect`.
#[track_caller]
fn check(kind: &str, patch: Value, expect: &[&str]) {
    let lines: Vec<String> = match Plan::from_json(&patched(kind, &patch)) {
        Err(e) => vec![without_position(&e.to_string())],
        Ok(plan) => shared::check(&plan)
            .into_iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| p.to_string())
            .collect(),
    };
    assert_eq!(lines, expect, "patch {patch}");
}

#[test]
fn examples_are_valid() {
    check("fargate", json!({}), &[]);
    check("lambda", json!({}), &[]);
}

#[test]
fn fargate_sizes() {
    check(
        "fargate",
        json!({"fargate": {"vcpu": 0.25, "memory_mib": 8192}}),
        &["fargate.memory_mib: 8192 MiB is not allowed with 0.25 vCPU (allowed: 512–2048)"],
    );
    check(
        "fargate",
        json!({"fargate": {"vcpu": 0.25, "memory_mib": 1536}}),
        &[
            "fargate.memory_mib: 1536 MiB is not allowed with 0.25 vCPU (allowed: 512, 1024 or 2048)",
        ],
    );
    check(
        "fargate",
        json!({"fargate": {"vcpu": 2, "memory_mib": 5000}}),
        &[
            "fargate.memory_mib: 5000 MiB is not allowed with 2 vCPU (allowed: 4096–16384 in steps of 1024)",
        ],
    );
    check(
        "fargate",
        json!({"fargate": {"vcpu": 3, "memory_mib": 4096}}),
        &["fargate.vcpu: 3 vCPU is not a Fargate size (allowed: 0.25, 0.5, 1, 2, 4, 8, 16)"],
    );
    check(
        "fargate",
        json!({"fargate": {"vcpu": 16, "memory_mib": 122880}}),
        &[],
    );
    check(
        "fargate",
        json!({"fargate": {"vcpu": 8, "memory_mib": 20480}}),
        &[],
    );
}

#[test]
fn every_problem_at_once() {
    check(
        "fargate",
        json!({
            "project": "Shop",
            "fargate": {"min_tasks": 5, "desired_tasks": 3, "max_tasks": 4, "spot_percent": 20,
                        "cpu_architecture": "arm64", "log_retention_days": 10, "health_check_path": "health"}
        }),
        &[
            "project: \"Shop\" may contain only lowercase letters, digits and hyphens",
            "fargate.health_check_path: \"health\" must be a URL path starting with / (no spaces, at most 1024 characters)",
            "fargate.min_tasks: min_tasks (5) is above max_tasks (4)",
            "fargate.log_retention_days: 10 days is not a CloudWatch Logs retention period (allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
        ],
    );
}

/// A desired count outside bounds that hold is its own problem; bounds that contradict each
/// other are said once, at the minimum, since no count fits them. A name is measured in the
/// characters its message counts.
#[test]
fn each_problem_is_said_once_and_in_its_own_units() {
    check(
        "fargate",
        json!({"fargate": {"min_tasks": 2, "desired_tasks": 5, "max_tasks": 4}}),
        &["fargate.desired_tasks: 5 tasks is outside the autoscaling bounds 2–4"],
    );
    check(
        "fargate",
        json!({"project": "ééééééééééééé"}),
        &["project: \"ééééééééééééé\" may contain only lowercase letters, digits and hyphens"],
    );
}

/// A Lambda plan's workload is checked against the function that would serve it: requests
/// longer than its timeout, or than the API waits, and responses larger than a function
/// returns.
#[test]
fn a_lambda_workload_the_function_cannot_serve_is_said() {
    let warned = |kind: &str, patch: Value, expect: &[&str]| {
        let mut doc = serde_json::to_value(if kind == "fargate" {
            examples::fargate()
        } else {
            examples::lambda()
        })
        .unwrap();
        merge(&mut doc, &patch);
        let plan = Plan::from_json(&doc.to_string()).unwrap();
        let lines: Vec<String> = shared::check(&plan)
            .into_iter()
            .filter(|p| p.path.starts_with("workload") || p.path == "lambda.timeout_s")
            .map(|p| p.to_string())
            .collect();
        assert_eq!(lines, expect, "patch {patch}");
    };
    warned(
        "lambda",
        json!({"lambda": {"timeout_s": 10}, "workload": {"avg_duration_ms": 12000}}),
        &[
            "workload.avg_duration_ms: warning: requests average 12,000 ms, longer than the function's 10 s timeout: they would time out, each billed for the whole timeout. Raise lambda.timeout_s, or shorten the requests",
        ],
    );
    warned(
        "lambda",
        json!({"lambda": {"timeout_s": 29}, "workload": {"avg_duration_ms": 29000}}),
        &[],
    );
    warned(
        "lambda",
        json!({"lambda": {"timeout_s": 60, "api": "http"}, "workload": {"avg_duration_ms": 45000}}),
        // One warning, not two about the same 504: the requests themselves outlast the API.
        &[
            "workload.avg_duration_ms: warning: requests average 45,000 ms, longer than the HTTP API waits (30 s): callers would get a 504 while the function runs on",
        ],
    );
    warned(
        "lambda",
        json!({"lambda": {"timeout_s": 60, "api": "http"}, "workload": {"avg_duration_ms": 1000}}),
        &[
            "lambda.timeout_s: warning: the HTTP API stops waiting after 30 s: requests running longer get a 504 while the function runs on",
        ],
    );
    warned(
        "lambda",
        json!({"workload": {"avg_response_kb": 6145}}),
        &[
            "workload.avg_response_kb: warning: a function invoked by API Gateway returns at most 6 MB (6,144 KB): larger responses fail. Serve large files from S3 (a presigned URL) instead",
        ],
    );
    warned(
        "lambda",
        json!({"workload": {"avg_response_kb": 6144}}),
        &[],
    );
    // Fargate serves long requests and large responses.
    warned(
        "fargate",
        json!({"workload": {"avg_duration_ms": 60000, "avg_response_kb": 8000}}),
        &[],
    );
}

/// A JWT authorizer takes up to 50 audiences (API Gateway's HTTP API quota).
#[test]
fn a_jwt_authorizer_takes_up_to_fifty_audiences() {
    let audiences = |n: usize| -> Vec<String> { (1..=n).map(|i| format!("client{i}")).collect() };
    let jwt = |n: usize| {
        json!({"lambda": {"api": "http", "authorizer": {"jwt": {
            "issuer": "https://id.example.com/", "audience": audiences(n)}}}})
    };
    check("lambda", jwt(11), &[]);
    check("lambda", jwt(50), &[]);
    check(
        "lambda",
        jwt(51),
        &[
            "lambda.authorizer.jwt.audience: 51 audiences: give 1–50 (the tokens' aud, or your app client's id)",
        ],
    );
    // Each once.
    check(
        "lambda",
        json!({"lambda": {"api": "http", "authorizer": {"jwt": {
            "issuer": "https://id.example.com/", "audience": ["app", "web", "app"]}}}}),
        &[
            "lambda.authorizer.jwt.audience[2]: \"app\" is already given at lambda.authorizer.jwt.audience[0]",
        ],
    );
}

/// Fargate Spot runs Linux tasks of either architecture: X86_64 on platform version 1.3.0 or
/// later, ARM64 on 1.4.0 or later (the template leaves the version at LATEST, 1.4.0 on Linux).
#[test]
fn fargate_spot_on_either_architecture() {
    for arch in ["x86_64", "arm64"] {
        for spot in [0, 30, 100] {
            check(
                "fargate",
                json!({"fargate": {"cpu_architecture": arch, "spot_percent": spot}}),
                &[],
            );
        }
    }
    check(
        "fargate",
        json!({"fargate": {"cpu_architecture": "arm64", "spot_percent": 101}}),
        &["fargate.spot_percent: 101% is out of range (allowed: 0–100%)"],
    );
}

#[test]
fn fargate_options() {
    check(
        "fargate",
        json!({"fargate": {"https": {"certificate_arn": examples::certificate_arn(shared::Region::EuWest1)}}}),
        &[
            "fargate.https.certificate_arn: the certificate is in eu-west-1, but a load balancer in us-east-1 needs a certificate from its own region",
        ],
    );
    check(
        "fargate",
        json!({"fargate": {"https": {"certificate_arn": "arn:aws:acm:us-east-1:1:certificate/x"}}}),
        &[
            "fargate.https.certificate_arn: \"arn:aws:acm:us-east-1:1:certificate/x\" is not an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)",
        ],
    );
    check(
        "fargate",
        json!({"fargate": {"image": "nginx:1.27", "image_tag": "-x", "alarm_email": "ops", "container_port": 0}}),
        &[
            "fargate.image: \"nginx:1.27\" must name a repository without tag or digest: put the tag in `fargate.image_tag` (the Image tag field)",
            "fargate.image_tag: \"-x\" is not an image tag (1–128 letters, digits, _ . -; not starting with . or -)",
            "fargate.container_port: 0 is not a port (allowed: 1–65535)",
            "fargate.alarm_email: \"ops\" is not an email address",
        ],
    );
    // An ECR image's repository name is held to ECR's own rule (it would fail the deploy's
    // look-up of the image, not a field); other registries' names are theirs to judge.
    for name in ["a:b/c", "shop--api", "shop/-api", "x"] {
        check(
            "fargate",
            json!({"fargate": {"image": format!("123456789012.dkr.ecr.us-east-1.amazonaws.com/{name}")}}),
            &[&format!(
                "fargate.image: \"{name}\" is not an ECR repository name: 2–256 characters: lowercase letters and digits, one . _ or - between two of them, and / between parts"
            )],
        );
    }
    check(
        "fargate",
        json!({"fargate": {"image": "ghcr.io/acme/shop--api"}}),
        &[],
    );
    // A name too long is said to be too long, and quoted only in part.
    check(
        "fargate",
        json!({"fargate": {"image": "a".repeat(300), "image_tag": "b".repeat(200)}}),
        &[
            &format!(
                "fargate.image: \"{}…\" (300 characters) is too long for an image repository: at most 255 characters",
                "a".repeat(48)
            ),
            &format!(
                "fargate.image_tag: \"{}…\" (200 characters) is not an image tag (1–128 letters, digits, _ . -; not starting with . or -)",
                "b".repeat(48)
            ),
        ],
    );
    check(
        "fargate",
        json!({"fargate": {"user": "root:root"}}),
        &[
            "fargate.user: root is what the container runs as without a user: name a non-root user or uid (`1000`), or leave it out",
        ],
    );
    check(
        "fargate",
        json!({"fargate": {"user": "1000:"}}),
        &[
            "fargate.user: \"1000:\" is not a user: a name or uid, optionally `:group` (at most 64 letters, digits, _ . -)",
        ],
    );
    check(
        "fargate",
        json!({"fargate": {"user": "000:0"}}),
        &[
            "fargate.user: root is what the container runs as without a user: name a non-root user or uid (`1000`), or leave it out",
        ],
    );
    check("fargate", json!({"fargate": {"user": "app:1000"}}), &[]);
    check("fargate", json!({"fargate": {"user": "1000:0"}}), &[]);
    check(
        "fargate",
        json!({"fargate": {"database": {"storage_gb": 10, "backup_days": 0}, "cache": {"nodes": 7}, "ephemeral_storage_gib": 10}}),
        &[
            "fargate.ephemeral_storage_gib: 10 GiB is out of range (allowed: 20–200 GiB)",
            "fargate.database.storage_gb: 10 GB is out of range (allowed: 20–6144 GB)",
            "fargate.database.backup_days: 0 days is out of range (allowed: 1–35 days)",
            "fargate.cache.nodes: 7 is out of range (allowed: 1–6)",
        ],
    );
}

#[test]
fn lambda_options() {
    check(
        "lambda",
        json!({"lambda": {"memory_mb": 64, "timeout_s": 901, "handler": "main", "reserved_concurrency": 0}}),
        &[
            "lambda.memory_mb: 64 MB is out of range (allowed: 128–10240 MB)",
            "lambda.timeout_s: 901 s is out of range (allowed: 1–900 s)",
            "lambda.handler: \"main\" is not a handler: use file.function, e.g. app.handler",
            "lambda.reserved_concurrency: 0 is out of range (allowed: 1–900)",
        ],
    );
    check(
        "lambda",
        json!({"lambda": {"tables": [
            {"name": "orders", "partition_key": {"name": "id", "type": "S"}, "sort_key": {"name": "id", "type": "N"}, "ttl_attribute": "id"},
            {"name": "Orders", "partition_key": {"name": "a b", "type": "S"}}
        ]}}),
        &[
            "lambda.tables[0].sort_key.name: the sort key must differ from the partition key",
            "lambda.tables[0].ttl_attribute: the TTL attribute cannot be a key attribute",
            "lambda.tables[1].partition_key.name: \"a b\" is not an attribute name (1–255 letters, digits, _ . -)",
            "lambda.tables[1].name: the table name \"Orders\" is used twice",
        ],
    );
}

#[test]
fn function_images() {
    let ok = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/api";
    check("lambda", json!({"lambda": {"image": ok}}), &[]);
    // The image brings its handler: the plan's is not the function's then.
    check(
        "lambda",
        json!({"lambda": {"image": ok, "handler": "main"}}),
        &[],
    );
    for (image, expect) in [
        (
            "nginx",
            "lambda.image: \"nginx\" is not an Amazon ECR repository (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME): Lambda runs images only from ECR",
        ),
        (
            "public.ecr.aws/nginx/nginx",
            "lambda.image: \"public.ecr.aws/nginx/nginx\" is not an Amazon ECR repository (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME): Lambda runs images only from private ECR repositories, not Docker Hub or ECR Public",
        ),
        (
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api",
            "lambda.image: the repository is in eu-west-1, the function in us-east-1: Lambda pulls images only from its own region (replicate the repository to us-east-1)",
        ),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.0",
            "lambda.image: \"123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.0\" must name a repository without tag or digest: the tag is the deploy's Image tag (its `ImageTag` parameter)",
        ),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/Shop//api",
            "lambda.image: \"Shop//api\" is not an ECR repository name: 2–256 characters: lowercase letters and digits, one . _ or - between two of them, and / between parts",
        ),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop--api",
            "lambda.image: \"shop--api\" is not an ECR repository name: 2–256 characters: lowercase letters and digits, one . _ or - between two of them, and / between parts",
        ),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-/api",
            "lambda.image: \"shop-/api\" is not an ECR repository name: 2–256 characters: lowercase letters and digits, one . _ or - between two of them, and / between parts",
        ),
    ] {
        check("lambda", json!({"lambda": {"image": image}}), &[expect]);
    }
}

#[test]
fn tags_and_workload() {
    check(
        "lambda",
        json!({"tags": {"aws:owner": "x", "ok": "bad\u{7}value"}, "workload": {"internet_egress_percent": 101, "avg_duration_ms": 0, "log_gb_per_month": -1.0}}),
        &[
            "tags.aws:owner: tag keys starting with \"aws:\" or \"stackplan:\" are reserved",
            "tags.ok: a tag value may contain letters (Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic, Georgian, kana, CJK, Hangul), digits, spaces and _ . : / = + - @",
            "workload.avg_duration_ms: 0 ms is out of range (allowed: 1–900000 ms)",
            "workload.internet_egress_percent: 101% is out of range (allowed: 0–100%)",
            "workload.log_gb_per_month: -1 GB is out of range (allowed: 0–1000000 GB)",
        ],
    );
}

/// A huge number is written back with an exponent, not as hundreds of digits.
#[test]
fn huge_numbers_are_written_short() {
    check(
        "fargate",
        json!({"workload": {"log_gb_per_month": -1.5e300}, "fargate": {"vcpu": 1e20}}),
        &[
            "workload.log_gb_per_month: -1.5e300 GB is out of range (allowed: 0–1000000 GB)",
            "fargate.vcpu: 1e20 vCPU is not a Fargate size (allowed: 0.25, 0.5, 1, 2, 4, 8, 16)",
        ],
    );
    check(
        "fargate",
        json!({"workload": {"log_gb_per_month": 1234567890123456.0}, "fargate": {"vcpu": 12.5}}),
        &[
            "workload.log_gb_per_month: 1.234567890123456e15 GB is out of range (allowed: 0–1000000 GB)",
            "fargate.vcpu: 12.5 vCPU is not a Fargate size (allowed: 0.25, 0.5, 1, 2, 4, 8, 16)",
        ],
    );
}

/// Tag text takes the letters of the common scripts, counted in characters, not bytes; a mark
/// that combines with a letter (which IAM refuses on the stack's roles) is refused here.
#[test]
fn tags_in_other_scripts() {
    let key = "é".repeat(shared::validate::limits::MAX_TAG_KEY);
    check(
        "lambda",
        json!({"tags": {"owner": "Müller", "city": "東京", "country": "Ελλάδα", "town": "Москва", "kind": "カード", "team": "한국", key.clone(): "ok"}}),
        &[],
    );
    check(
        "lambda",
        json!({"tags": {"hanoi": "Hà Nội", "yerevan": "Երևան", "telaviv": "תל אביב", "cairo": "القاهرة", "tbilisi": "თბილისი"}}),
        &[],
    );
    let long = format!("{key}é");
    check(
        "lambda",
        json!({"tags": {long.clone(): "x", "team": "a\u{2028}b", "lang": "हिंदी", "mark": "e\u{301}"}}),
        &[
            "tags.lang: a tag value may contain letters (Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic, Georgian, kana, CJK, Hangul), digits, spaces and _ . : / = + - @",
            "tags.mark: a tag value may contain letters (Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic, Georgian, kana, CJK, Hangul), digits, spaces and _ . : / = + - @",
            "tags.team: a tag value may contain letters (Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic, Georgian, kana, CJK, Hangul), digits, spaces and _ . : / = + - @",
            &format!("tags.{long}: a tag key must be 1–64 characters"),
        ],
    );
}

/// Tag keys that read alike but are not the same key: one that differs from another only in
/// case is refused (IAM compares the roles' tag keys without case, and refuses the pair at
/// create time), in any script; a space at an end is a warning (AWS takes it).
#[test]
fn tag_keys_that_read_alike() {
    let plan = Plan::from_json(&patched(
        "lambda",
        &json!({"tags": {"team ": "a", "Env": "b", "env": "c", "owner": "d", "Äpfel": "e", "äpfel": "f", "Site ": "g", "site ": "h"}}),
    ))
    .unwrap();
    // Errors first, then warnings.
    let tags: Vec<String> = shared::check(&plan)
        .iter()
        .filter(|p| p.path.starts_with("tags."))
        .map(|p| p.to_string())
        .collect();
    assert_eq!(
        tags,
        [
            "tags.env: \"env\" and \"Env\" differ only in case: IAM takes them for the same key and would refuse the stack's roles; keep one",
            "tags.site : \"site \" and \"Site \" differ only in case: IAM takes them for the same key and would refuse the stack's roles; keep one",
            "tags.äpfel: \"äpfel\" and \"Äpfel\" differ only in case: IAM takes them for the same key and would refuse the stack's roles; keep one",
            "tags.Site : warning: the key \"Site \" has a space at its start or end: AWS keeps it, so it is not the key \"Site\" that cost reports and tag policies look for; remove the space",
            "tags.site : warning: the key \"site \" has a space at its start or end: AWS keeps it, so it is not the key \"site\" that cost reports and tag policies look for; remove the space",
            "tags.team : warning: the key \"team \" has a space at its start or end: AWS keeps it, so it is not the key \"team\" that cost reports and tag policies look for; remove the space",
        ]
    );
}

#[test]
fn a_plan_is_one_json_object_and_nothing_after_it() {
    let plan = examples::lambda().to_json_pretty();
    assert!(
        Plan::from_json(&format!("{plan}\n\n")).is_ok(),
        "white space after is fine"
    );
    // A UTF-8 file saved with a byte order mark (some Windows editors) reads as the plan.
    assert_eq!(
        Plan::from_json(&format!("\u{feff}{plan}")).unwrap(),
        examples::lambda()
    );
    for after in [" x", "\n{}", ",", " // a comment"] {
        let err = Plan::from_json(&format!("{plan}{after}")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the plan is not valid JSON: trailing characters"),
            "{after:?}: {err}"
        );
    }
}

#[test]
fn parse_errors_name_the_field() {
    check(
        "fargate",
        json!({"fargate": {"memroy_mib": 512}}),
        &[
            "fargate.memroy_mib: unknown field `memroy_mib`, expected one of `vcpu`, `memory_mib`, `cpu_architecture`, `image`, `image_tag`, `container_port`, `health_check_path`, `health_check_grace_s`, `readonly_root_filesystem`, `user`, `ephemeral_storage_gib`, `desired_tasks`, `min_tasks`, `max_tasks`, `cpu_target_percent`, `spot_percent`, `nat_gateways`, `log_retention_days`, `database`, `cache`, `https`, `alarm_email`",
        ],
    );
    check(
        "fargate",
        json!({"fargate": {"memory_mib": "lots"}}),
        &[
            "fargate.memory_mib: invalid type: string \"lots\", expected a whole number from 0 to 4294967295",
        ],
    );
    // The kind of value a field takes, not its Rust type.
    check(
        "fargate",
        json!({"fargate": {"desired_tasks": -1}}),
        &[
            "fargate.desired_tasks: invalid value: integer `-1`, expected a whole number from 0 to 4294967295",
        ],
    );
    check(
        "fargate",
        json!({"fargate": {"vcpu": "abc"}}),
        &["fargate.vcpu: invalid type: string \"abc\", expected a number"],
    );
    check(
        "fargate",
        json!({"region": "mars-1"}),
        &[
            "region: unknown variant `mars-1`, expected one of `us-east-1`, `us-west-2`, `eu-west-1`, `eu-central-1`, `ap-southeast-1`, `ap-northeast-1`",
        ],
    );
    check(
        "fargate",
        json!({"lambda": examples::lambda().lambda()}),
        &["plan: a plan has one architecture: give `fargate` or `lambda`, not both"],
    );
    check(
        "fargate",
        json!({"fargate": null}),
        &["plan: a plan needs an architecture: add a `fargate` or a `lambda` section"],
    );
    check(
        "fargate",
        json!({"version": 9}),
        &["version: plan version 9 is not supported by this build (it reads version 1)"],
    );
    for (text, expect) in [
        (
            "",
            "the plan is empty: expected a JSON object (try `stackplan example fargate`)",
        ),
        (
            "  \n",
            "the plan is empty: expected a JSON object (try `stackplan example fargate`)",
        ),
        ("not json", "the plan is not valid JSON: expected ident"),
        (
            "{\"project\": ",
            "the plan is not valid JSON: EOF while parsing a value",
        ),
        (
            "[]",
            "the plan must be a JSON object {…}, with a `fargate` or a `lambda` section",
        ),
        (
            "42",
            "the plan must be a JSON object {…}, with a `fargate` or a `lambda` section",
        ),
    ] {
        assert_eq!(
            without_position(&Plan::from_json(text).unwrap_err().to_string()),
            expect,
            "{text:?}"
        );
    }
}

#[test]
fn warnings_do_not_block() {
    let plan = examples::fargate();
    let valid = shared::ValidPlan::new(plan).unwrap();
    let lines: Vec<String> = valid.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "fargate.https: warning: no certificate: the load balancer serves plain HTTP on port 80, unencrypted"
        ]
    );
}

/// Lambda refuses a reservation that leaves fewer than 100 executions unreserved in the
/// account's region: the plan cannot know the account's quota, so it says what it needs.
#[test]
fn a_reservation_says_the_account_quota_it_needs() {
    let mut plan = examples::lambda();
    let shared::plan::Architecture::Lambda(l) = &mut plan.architecture else {
        unreachable!()
    };
    l.reserved_concurrency = Some(250);
    let valid = shared::ValidPlan::new(plan).unwrap();
    let said: Vec<String> = valid
        .warnings()
        .iter()
        .filter(|p| p.path == "lambda.reserved_concurrency")
        .map(|p| p.message.clone())
        .collect();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].contains("at least 350 plus"), "{}", said[0]);
}

#[test]
fn plan_json_round_trips() {
    for plan in [examples::fargate(), examples::lambda()] {
        let back = Plan::from_json(&plan.to_json_pretty()).unwrap();
        assert_eq!(back, plan);
    }
}

#[test]
fn domains() {
    let zone = "Z0123456789EXAMPLE";
    for kind in ["fargate", "lambda"] {
        check(
            kind,
            json!({"domain": {"name": "shop.example.com", "hosted_zone_id": zone}}),
            &[],
        );
    }
    check(
        "lambda",
        json!({"domain": {"name": "Shop.Example.com", "hosted_zone_id": zone}}),
        &[
            "domain.name: \"Shop.Example.com\" is not a host name: lowercase labels of letters, digits and hyphens, separated by dots, like api.example.com (no trailing dot, no wildcard)",
        ],
    );
    check(
        "lambda",
        json!({"domain": {"name": "*.example.com", "hosted_zone_id": zone}}),
        &[
            "domain.name: \"*.example.com\" is not a host name: lowercase labels of letters, digits and hyphens, separated by dots, like api.example.com (no trailing dot, no wildcard)",
        ],
    );
    check(
        "fargate",
        json!({"domain": {"name": "10.0.0.1", "hosted_zone_id": zone}}),
        &["domain.name: \"10.0.0.1\" is an address, not a host name"],
    );
    check(
        "fargate",
        json!({"domain": {"name": "shop.example.com", "hosted_zone_id": "/hostedzone/Z123"}}),
        &[
            "domain.hosted_zone_id: \"/hostedzone/Z123\" is not a Route 53 hosted zone id: Z followed by capital letters and digits (give only the part after /hostedzone/)",
        ],
    );
    let long = format!("{}.example.com", "a".repeat(60));
    check(
        "lambda",
        json!({"domain": {"name": long, "hosted_zone_id": zone}}),
        &[&format!(
            "domain.name: \"{long}\" is 72 characters; ACM certifies names of at most 64, so the stack cannot make its certificate"
        )],
    );
    check(
        "fargate",
        json!({"domain": {"name": "shop.example.com"}}),
        &["domain: missing field `hosted_zone_id`"],
    );
}

#[test]
fn log_buckets() {
    for kind in ["fargate", "lambda"] {
        check(
            kind,
            json!({"log_bucket": "acme-access-logs.us-east-1"}),
            &[],
        );
    }
    for (name, message) in [
        ("ab", "has 2 characters; S3 bucket names have 3 to 63"),
        (
            "Acme-Logs",
            "is not an S3 bucket name: lowercase letters, digits, dots and hyphens only",
        ),
        (
            "acme_logs",
            "is not an S3 bucket name: lowercase letters, digits, dots and hyphens only",
        ),
        (
            "-acme-logs",
            "is not an S3 bucket name: it starts and ends with a letter or a digit",
        ),
        (
            "acme-logs.",
            "is not an S3 bucket name: it starts and ends with a letter or a digit",
        ),
        (
            "acme..logs",
            "is not an S3 bucket name: no two dots in a row",
        ),
        (
            "192.168.5.4",
            "is an IP address, which S3 does not take as a bucket name",
        ),
        ("xn--acme-logs", "starts with \"xn--\", which S3 reserves"),
        (
            "acme-logs-s3alias",
            "ends with \"-s3alias\", which S3 reserves",
        ),
    ] {
        check(
            "fargate",
            json!({ "log_bucket": name }),
            &[&format!("log_bucket: \"{name}\" {message}")],
        );
    }
    let long = "a".repeat(64);
    check(
        "lambda",
        json!({ "log_bucket": long }),
        &[&format!(
            "log_bucket: \"{long}\" has 64 characters; S3 bucket names have 3 to 63"
        )],
    );
}

/// CloudFormation resolves a dynamic reference (`{{resolve:…}}`) in any property, so a plan's
/// free text holding one would put a secret's value into a setting (a health-check path, an
/// authorizer's audience) or send it out (an alarm's email address). Every string of every
/// matrix plan is tried with one: the plan must not validate, and the problem is named at that
/// string's own path (an environment variable's value has its own message; a field whose
/// format already refuses braces is refused by that format).
#[test]
fn no_string_of_a_plan_may_hold_a_dynamic_reference() {
    fn strings(value: &Value, path: String, out: &mut Vec<String>) {
        match value {
            Value::String(_) => out.push(path),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    strings(item, format!("{path}[{i}]"), out);
                }
            }
            Value::Object(map) => {
                for (k, v) in map {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    strings(v, p, out);
                }
            }
            _ => {}
        }
    }
    fn set(value: &mut Value, path: &str, text: &str) {
        let mut at = value;
        for part in path.split('.') {
            let (key, index) = match part.split_once('[') {
                Some((k, i)) => (k, Some(i.trim_end_matches(']').parse::<usize>().unwrap())),
                None => (part, None),
            };
            at = &mut at[key];
            if let Some(i) = index {
                at = &mut at[i];
            }
        }
        *at = Value::String(text.into());
    }
    let mut tried = std::collections::BTreeSet::new();
    // As CloudFormation writes it, and as someone slipping it past an exact match would.
    for reference in [
        "{{resolve:secretsmanager:other:SecretString}}",
        "{{RESOLVE:ssm:/other}}",
        "{{ resolve:ssm:/other}}",
        "{{\tResolve :ssm:/other}}",
    ] {
        for (name, plan) in shared::examples::matrix() {
            let json: Value = serde_json::to_value(&plan).unwrap();
            let mut paths = Vec::new();
            strings(&json, String::new(), &mut paths);
            for path in paths {
                if path == "version" || path == "region" {
                    continue;
                }
                let original = json
                    .pointer(&format!(
                        "/{}",
                        path.replace(['.', '['], "/").replace(']', "")
                    ))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                // Keep a URL's or an address's shape, so that only the reference is at fault.
                let text = if original.starts_with('/') || original.starts_with("https://") {
                    format!("{original}{reference}")
                } else if let Some((user, domain)) = original.split_once('@') {
                    format!("{user}{reference}@{domain}")
                } else {
                    reference.to_string()
                };
                let mut tampered = json.clone();
                set(&mut tampered, &path, &text);
                let Ok(parsed) = Plan::from_json(&tampered.to_string()) else {
                    continue; // an enum's value: refused when read
                };
                let problems = shared::validate::check(&parsed);
                let at = problems
                    .iter()
                    .any(|p| p.severity == shared::Severity::Error && p.path == path);
                assert!(at, "{name}: {path} = {text:?} is accepted: {problems:?}");
                tried.insert(path);
            }
        }
    }
    for free_text in [
        "fargate.health_check_path",
        "fargate.alarm_email",
        "lambda.handler",
        "lambda.authorizer.jwt.issuer",
        "lambda.authorizer.jwt.audience[0]",
        "environment[0].value",
        "tags.team",
    ] {
        assert!(
            tried.contains(free_text),
            "{free_text} was not tried: {tried:?}"
        );
    }
}

/// The database is named after the project: a word PostgreSQL reserves would fail the stack
/// at its database, after the network and the load balancer were made.
#[test]
fn a_database_is_not_named_with_a_word_postgresql_reserves() {
    check(
        "fargate",
        json!({"project": "user"}),
        &[
            "project: the database is named after the project, and \"user\" is a word PostgreSQL reserves, which RDS refuses as a database name: choose another project name",
        ],
    );
    check(
        "fargate",
        json!({"project": "current-user"}),
        &[
            "project: the database is named after the project, and \"current_user\" is a word PostgreSQL reserves, which RDS refuses as a database name: choose another project name",
        ],
    );
    check(
        "fargate",
        json!({"project": "user", "fargate": {"database": null}}),
        &[],
    );
    check("fargate", json!({"project": "users"}), &[]);
    check("lambda", json!({"project": "order"}), &[]);
}

/// An image the plan names starts at the first deploy, unchecked: the warning says what that
/// asks of the user, and where the image comes from.
#[test]
fn a_named_image_says_where_it_comes_from() {
    let warnings = |image: &str| {
        let mut plan = examples::fargate();
        if let shared::plan::Architecture::Fargate(f) = &mut plan.architecture {
            f.image = Some(image.into());
        }
        shared::check(&plan)
            .into_iter()
            .filter(|p| p.severity == Severity::Warning && p.path == "fargate.image")
            .map(|p| p.message)
            .collect::<Vec<_>>()
    };
    // Every host of a private ECR registry, as the template reads them (FIPS, dual-stack).
    for ecr in [
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop",
        "123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/shop",
        "123456789012.dkr-ecr.us-east-1.on.aws/shop",
    ] {
        assert_eq!(
            warnings(ecr),
            [
                "the service starts with this image at the first deploy: push the tag first, and let this account pull it if the repository is in another account"
            ],
            "{ecr}"
        );
    }
    for (image, from) in [
        ("nginx", "Docker Hub"),
        ("someone/app", "Docker Hub"),
        ("ghcr.io/someone/app", "ghcr.io"),
        ("public.ecr.aws/nginx/nginx", "public.ecr.aws"),
        (
            "registry.example.com:5000/team/app",
            "registry.example.com:5000",
        ),
    ] {
        let got = warnings(image);
        assert_eq!(got.len(), 1, "{image}: {got:?}");
        assert!(
            got[0].starts_with(&format!("\"{image}\" is pulled from {from}, outside your account: its tasks start at the first deploy with the service's settings and secrets")),
            "{image}: {}",
            got[0]
        );
    }
}

/// A governed plan without variables, every value at its longest (ten tags, a long health
/// check path, image and domain) has a template over CloudFormation's inline limit: refused
/// before a deploy, at its own path, not by CloudFormation after. The same plan, ungoverned,
/// fits; with variables, and without the tags, it is refused at `environment`.
#[test]
fn a_template_over_the_inline_limit_is_refused() {
    let plan: Plan =
        serde_json::from_str(include_str!("fixtures/governed-long-values.json")).unwrap();
    let problems = shared::ValidPlan::new(plan.clone()).unwrap_err();
    assert_eq!(problems[0].path, "tags", "{problems:?}");
    assert!(
        problems[0]
            .message
            .contains("bytes CloudFormation takes inline"),
        "{}",
        problems[0].message
    );
    let mut ungoverned = plan.clone();
    ungoverned.governed = false;
    assert!(shared::ValidPlan::new(ungoverned).is_ok());
    let mut variables = plan;
    variables.tags.clear();
    variables.environment = (0..8)
        .map(|i| {
            serde_json::from_value(json!({"name": format!("VALUE_{i}"), "value": "x".repeat(1000)}))
                .unwrap()
        })
        .collect();
    let problems = shared::ValidPlan::new(variables).unwrap_err();
    assert_eq!(problems[0].path, "environment", "{problems:?}");
    assert!(
        problems[0].message.contains("shorten or remove variables"),
        "{problems:?}"
    );
}

/// The warnings `patch` brings to the example of `kind`, as lines.
fn warnings(kind: &str, patch: Value) -> Vec<String> {
    let plan = Plan::from_json(&patched(kind, &patch)).unwrap();
    shared::check(&plan)
        .into_iter()
        .filter(|p| p.severity == Severity::Warning)
        .map(|p| p.to_string())
        .collect()
}

/// What AWS would refuse only after minutes of a deploy is refused, or said, in the plan: a
/// table whose id is the route table's, a database named like one RDS has already, a request
/// the load balancer cuts, an image function deployed before its image is pushed.
#[test]
fn what_aws_refuses_late_is_said_early() {
    let table_errors = |governed: bool, name: &str| -> Vec<String> {
        let mut plan = examples::lambda();
        plan.governed = governed;
        if let shared::plan::Architecture::Lambda(l) = &mut plan.architecture {
            l.tables[0].name = name.into();
        }
        shared::check(&plan)
            .into_iter()
            .filter(|p| p.severity == Severity::Error && p.path == "lambda.tables[0].name")
            .map(|p| p.message)
            .collect()
    };
    assert_eq!(
        table_errors(true, "functionRoute"),
        [
            "the table \"functionRoute\" would take the id FunctionRouteTable, which the function's route table has in a governed account: choose another name"
        ]
    );
    // Without the governed profile there is no route table; a name of other case is another id.
    assert!(table_errors(false, "functionRoute").is_empty());
    assert!(table_errors(true, "functionroute").is_empty());
    for project in ["rdsadmin", "template1"] {
        check(
            "fargate",
            json!({ "project": project }),
            &[&format!(
                "project: the database is named after the project, and every RDS PostgreSQL instance already has a database \"{project}\": choose another project name"
            )],
        );
    }
    let slow = warnings("fargate", json!({"workload": {"avg_duration_ms": 90000}}));
    assert!(
        slow.iter().any(|w| w.starts_with(
            "workload.avg_duration_ms: warning: requests average 90 s, longer than the load balancer's 60-second idle timeout"
        )),
        "{slow:?}"
    );
    assert!(
        !warnings("fargate", json!({"workload": {"avg_duration_ms": 60000}}))
            .iter()
            .any(|w| w.contains("idle timeout"))
    );
    let image = warnings(
        "lambda",
        json!({"lambda": {"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/api"}}),
    );
    assert!(
        image
            .iter()
            .any(|w| w.starts_with("lambda.image: warning: Lambda creates the function from the image, so push its tag (the deploy's image tag, \"latest\"")),
        "{image:?}"
    );
    // An image the plan refuses gets its error alone.
    let elsewhere = warnings(
        "lambda",
        json!({"lambda": {"image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api"}}),
    );
    assert!(
        !elsewhere.iter().any(|w| w.starts_with("lambda.image")),
        "{elsewhere:?}"
    );
}

/// A slow-starting service takes a grace period of its own, in the template; past an hour is
/// refused at its field.
#[test]
fn the_health_check_grace_period_is_the_plans() {
    check(
        "fargate",
        json!({"fargate": {"health_check_grace_s": 300}}),
        &[],
    );
    let lines: Vec<String> = {
        let doc = patched(
            "fargate",
            &json!({"fargate": {"health_check_grace_s": 3601}}),
        );
        shared::check(&Plan::from_json(&doc).unwrap())
            .into_iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| p.path)
            .collect()
    };
    assert_eq!(lines, ["fargate.health_check_grace_s"]);
    let mut plan = examples::fargate();
    if let shared::plan::Architecture::Fargate(f) = &mut plan.architecture {
        f.health_check_grace_s = Some(300);
    }
    let t = shared::template::generate(&shared::ValidPlan::new(plan.clone()).unwrap()).to_value();
    assert_eq!(
        t["Resources"]["Service"]["Properties"]["HealthCheckGracePeriodSeconds"],
        300
    );
    // The plan's link carries it.
    let back = shared::link::decode(&shared::link::encode(&plan)).unwrap();
    assert_eq!(back, plan);
    // Absent, the example's template and link are as they were.
    let example = shared::template::generate(&shared::ValidPlan::new(examples::fargate()).unwrap())
        .to_value();
    assert_eq!(
        example["Resources"]["Service"]["Properties"]["HealthCheckGracePeriodSeconds"],
        60
    );
    assert!(
        !serde_json::to_string(&examples::fargate())
            .unwrap()
            .contains("grace")
    );
}
