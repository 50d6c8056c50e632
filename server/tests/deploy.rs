//! The deploy API, driven in-process against a scripted double of the STS and CloudFormation
//! ports.
//!
//! moto (the sandbox) creates stacks synchronously and records no per-resource events, no
//! CREATE_FAILED and no rollback; it also never throttles. So every test in this file runs
//! through the server's own CloudFormation port with a SCRIPTED DOUBLE fed event sequences of
//! the shape CloudFormation records (oldest first here; DescribeStackEvents returns them newest
//! first, and the SDK adapter reverses them). The same server code talks to moto in
//! `tests/tests/deploy_moto.rs`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use server::auth::Tokens;
use server::aws::{AwsError, Backoff};
use server::deploy::id::IdKey;
use server::deploy::service::{AccountRoles, DeployConfig, Deployer};
use server::{AppState, Config, app};
use shared::api::{DeployEvent, Target, sse};
use tower::ServiceExt;

mod support;

use support::doubles::*;

// ----- the harness ----------------------------------------------------------------------------

struct Harness {
    sts: Arc<StsDouble>,
    cfn: Arc<CfnDouble>,
    ecr: Arc<EcrDouble>,
    stores: Arc<StoresDouble>,
    deployer: Arc<Deployer>,
    state: AppState,
    /// Everything the server logged, in every test of this file.
    logs: Arc<Mutex<Vec<u8>>>,
    /// Every response body the tests saw, to search for secrets.
    seen: Arc<Mutex<Vec<String>>>,
}

/// The key every test server signs ids with (replicas of one deployment share it).
fn key() -> IdKey {
    IdKey::from_hex(&"5a".repeat(32)).unwrap()
}

const TEAM_ROLE: &str = "arn:aws:iam::444455556666:role/team-deployer";

fn roles(role: &str, account: &str) -> AccountRoles {
    AccountRoles {
        role_arn: role.into(),
        external_id: Some("stackplan-test".into()),
        execution_role_arn: Some(format!("arn:aws:iam::{account}:role/stackplan-execution")),
        permissions_boundary_arn: None,
        settings_prefixes: vec!["stackplan/".into()],
        hosted_zone_ids: vec!["ZALLOWED".into()],
    }
}

fn harness_with(
    cfn: Arc<CfnDouble>,
    sts: Arc<StsDouble>,
    tweak: impl FnOnce(&mut DeployConfig),
) -> Harness {
    let mut config = DeployConfig::new(Target::Aws, key());
    config.roles = vec![roles(ROLE, ACCOUNT), roles(TEAM_ROLE, "444455556666")];
    config.backoff = Backoff {
        base: Duration::from_millis(5),
        max: Duration::from_millis(20),
        attempts: 4,
    };
    tweak(&mut config);
    let logs = captured_logs();
    let ecr = Arc::new(EcrDouble::default());
    let stores = Arc::new(StoresDouble::default());
    let deployer = Arc::new(Deployer::new(
        config,
        sts.clone(),
        cfn.clone(),
        ecr.clone(),
        stores.clone(),
        Arc::new(CodeStoreDouble::default()),
    ));
    let state = AppState::new(Config {
        cors_origins: vec!["https://console.example.com".into()],
        ..Config::default()
    })
    .with_deployer(deployer.clone(), Tokens::from_list(TOKEN).unwrap());
    Harness {
        sts,
        cfn,
        ecr,
        stores,
        deployer,
        state,
        logs,
        seen: Arc::default(),
    }
}

/// A request to the app of `state` with `token`, and a JSON `body` if any: the answer's status
/// and JSON (`null` if it has none).
async fn send_as(
    state: AppState,
    token: &str,
    method: &str,
    uri: String,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(b) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let res = app(state).oneshot(req.body(body).unwrap()).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
    )
}

/// The server's log (tracing), captured for the whole test binary.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: std::sync::OnceLock<Arc<Mutex<Vec<u8>>>> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        tracing_subscriber::fmt()
            .with_writer(move || LogSink(sink.clone()))
            .with_ansi(false)
            .with_max_level(tracing::Level::DEBUG)
            .init();
        logs
    })
    .clone()
}

struct LogSink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn harness() -> Harness {
    let cfn = Arc::new(CfnDouble::default());
    cfn.script_success(&[
        ("FunctionRole", "AWS::IAM::Role"),
        ("Function", "AWS::Lambda::Function"),
        ("HttpApi", "AWS::ApiGatewayV2::Api"),
    ]);
    harness_with(cfn, Arc::new(StsDouble::default()), |_| {})
}

fn lambda_plan() -> Value {
    example_plan(shared::plan::ArchitectureKind::Lambda)
}

fn fargate_plan() -> Value {
    example_plan(shared::plan::ArchitectureKind::Fargate)
}

/// The example plan of `kind`, as the browser sends it.
fn example_plan(kind: shared::plan::ArchitectureKind) -> Value {
    serde_json::from_str(&shared::examples::for_kind(kind).to_json_pretty()).unwrap()
}

impl Harness {
    async fn send(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value, String) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let body = match body {
            Some(b) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        let res = app(self.state.clone())
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let head = format!("{:?}", res.headers());
        let bytes = tokio::time::timeout(Duration::from_secs(20), res.into_body().collect())
            .await
            .expect("response ends")
            .unwrap()
            .to_bytes();
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        self.seen.lock().unwrap().push(format!("{head}\n{text}"));
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        )
    }

    async fn create(&self, stack: &str, extra: Value) -> (StatusCode, Value) {
        self.create_as(TOKEN, stack, extra).await
    }

    /// `POST /api/deployments` of the example Lambda plan as `stack`, with `extra` fields, by
    /// `token`.
    async fn create_as(&self, token: &str, stack: &str, extra: Value) -> (StatusCode, Value) {
        let mut body = json!({ "plan": lambda_plan(), "stack_name": stack });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let (s, v, _) = self
            .send("POST", "/api/deployments", Some(token), Some(body), &[])
            .await;
        (s, v)
    }

    /// An update of `stack` by `token` is refused: the stack is not this token's.
    async fn refuses_update(&self, token: &str, stack: &str) {
        let (status, body) = self.create_as(token, stack, json!({"update": true})).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::CONFLICT, Some("stack_not_managed")),
            "{stack}: {body}"
        );
        // Nor is it given the stack's id, to follow or delete it.
        assert!(body.get("deployment").is_none(), "{stack}: {body}");
    }

    /// Every route of the deployment `id` answers `token` 404, as for one that never was.
    async fn refuses_deployment(&self, id: &str, token: &str) {
        for (method, uri) in [
            ("GET", format!("/api/deployments/{id}")),
            ("GET", format!("/api/deployments/{id}/image")),
            ("DELETE", format!("/api/deployments/{id}")),
            ("POST", format!("/api/deployments/{id}/execute")),
            ("GET", format!("/api/deployments/{id}/events")),
        ] {
            let (status, body, _) = self.send(method, &uri, Some(token), None, &[]).await;
            assert_eq!(
                (status, body["error"].as_str()),
                (StatusCode::NOT_FOUND, Some("unknown_deployment")),
                "{token}: {method} {uri}"
            );
        }
    }

    /// `GET /api/deployments/{id}` with the test's token.
    async fn status(&self, id: &str) -> (StatusCode, Value, String) {
        self.send(
            "GET",
            &format!("/api/deployments/{id}"),
            Some(TOKEN),
            None,
            &[],
        )
        .await
    }

    /// `POST /api/deployments/{id}/execute` with the test's token.
    async fn execute(&self, id: &str) -> (StatusCode, Value, String) {
        self.send(
            "POST",
            &format!("/api/deployments/{id}/execute"),
            Some(TOKEN),
            None,
            &[],
        )
        .await
    }

    /// Creates the example Lambda stack `stack` and follows it to the end: its deployment id.
    async fn deployed(&self, stack: &str) -> String {
        let (_, created) = self.create(stack, json!({})).await;
        let id = created["id"].as_str().unwrap().to_string();
        self.events(&id, None).await;
        id
    }

    /// Reads the whole event stream: `(event, id, data)` per message.
    async fn events(
        &self,
        id: &str,
        last_event_id: Option<&str>,
    ) -> Vec<(String, Option<String>, Value)> {
        let headers: Vec<(&str, &str)> = last_event_id
            .map(|l| vec![("last-event-id", l)])
            .unwrap_or_default();
        let (status, _, text) = self
            .send(
                "GET",
                &format!("/api/deployments/{id}/events"),
                Some(TOKEN),
                None,
                &headers,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{text}");
        parse_sse(&text)
    }

    fn assert_no_secrets(&self) {
        let logs = String::from_utf8_lossy(&self.logs.lock().unwrap()).to_string();
        let seen = self.seen.lock().unwrap().join("\n");
        for secret in [SECRET, SESSION_TOKEN] {
            assert!(!logs.contains(secret), "a log line holds a secret:\n{logs}");
            assert!(!seen.contains(secret), "a response holds a secret");
        }
    }
}

/// The stream's messages, read by the shared SSE parser: `(event, id, data)`. Each one must
/// also be a [`DeployEvent`] of the API contract.
fn parse_sse(text: &str) -> Vec<(String, Option<String>, Value)> {
    sse::parse(text)
        .into_iter()
        .map(|m| {
            DeployEvent::from_sse(&m).unwrap_or_else(|e| panic!("{e}: {m:?}"));
            (
                m.event_type().to_string(),
                m.id.clone(),
                serde_json::from_str(&m.data).unwrap(),
            )
        })
        .collect()
}

// ----- the tests ----------------------------------------------------------------------------

#[tokio::test]
async fn a_deploy_streams_in_progress_events_to_completion_with_outputs() {
    let h = harness();
    let (status, created) = h.create("shop-lambda", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    // A new stack is created at once (CreateStack), with its tags from the start: on AWS a
    // stack made by a CREATE change set has none until the change set runs, and the deployer
    // role runs change sets only on stacks with Stackplan's tag.
    assert!(created.get("change_set").is_none(), "{created}");
    assert_eq!(created["status"], "CREATE_IN_PROGRESS");
    {
        let calls = h.cfn.calls.lock().unwrap();
        assert!(calls.contains(&"create_stack"), "{calls:?}");
        assert!(!calls.contains(&"create_change_set"), "{calls:?}");
    }
    let id = created["id"].as_str().unwrap().to_string();
    let total = created["resources"].as_u64().unwrap();

    // STS was asked for the configured role, with the external id, a named session, a
    // duration within bounds and a session policy that acts on this stack alone and passes
    // only the execution role, to CloudFormation only.
    let call = h.sts.calls.lock().unwrap()[0].clone();
    assert_eq!(
        (call.role_arn.as_str(), call.external_id.as_deref()),
        (ROLE, Some("stackplan-test"))
    );
    assert_eq!(call.session_name, "stackplan-shop-lambda");
    assert!((900..=3600).contains(&call.duration_seconds));
    let policy: Value = serde_json::from_str(&call.session_policy).unwrap();
    let actions: Vec<&str> = policy["Statement"][0]["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"cloudformation:CreateStack")
            && actions.contains(&"cloudformation:CreateChangeSet")
            && actions
                .iter()
                .all(|a| a.starts_with("cloudformation:") && !a.ends_with('*')),
        "{actions:?}"
    );
    assert_eq!(
        policy["Statement"][0]["Resource"],
        format!("arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/shop-lambda/*")
    );
    assert_eq!(
        policy["Statement"][1]["Resource"],
        format!("arn:aws:iam::{ACCOUNT}:role/stackplan-execution")
    );
    assert_eq!(server::deploy::policy::too_wide(&call.session_policy), None);
    // The stack carries the reserved tag from its first moment.
    {
        let stacks = h.cfn.stacks.lock().unwrap();
        assert!(
            stacks[0]
                .tags
                .contains(&("stackplan:managed".to_string(), "true".to_string())),
            "{:?}",
            stacks[0].tags
        );
    }

    // There is nothing to execute: the stack is being created already.
    let (status, exec, _) = h
        .send(
            "POST",
            &format!("/api/deployments/{id}/execute"),
            Some(TOKEN),
            Some(json!({})),
            &[],
        )
        .await;
    assert_eq!(
        (status, exec["error"].as_str()),
        (StatusCode::CONFLICT, Some("no_change_set")),
        "{exec}"
    );
    assert!(!h.cfn.calls.lock().unwrap().contains(&"execute_change_set"));
    // The same create again (its answer lost) is answered with the stack it started; another
    // plan for the name waits until the stack settles.
    let (status, again) = h.create("shop-lambda", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["id"], created["id"]);
    // So is the same request sent twice at once: the second's CreateStack finds the name taken
    // (here the stack is not seen by its first look), and it is answered as the first.
    h.cfn.unseen_once.lock().unwrap().push("shop-lambda".into());
    let (status, raced) = h.create("shop-lambda", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{raced}");
    assert_eq!(raced["id"], created["id"]);
    // Parameters given first and left out again are not the same request either: left out,
    // they ask for the template's defaults.
    let code = json!({"parameters": {"CodeS3Bucket": "shop-artifacts", "CodeS3Key": "v2.zip"}});
    let (status, with_code) = h.create("shop-two", code.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{with_code}");
    let (status, busy) = h.create("shop-two", json!({})).await;
    assert_eq!(
        (status, busy["error"].as_str()),
        (StatusCode::CONFLICT, Some("stack_busy")),
        "{busy}"
    );
    // The stack being created is this token's: the refusal gives its id, to follow it.
    assert_eq!(busy["deployment"], with_code["id"], "{busy}");
    let (status, again) = h.create("shop-two", code).await;
    assert_eq!(
        (status, &again["id"]),
        (StatusCode::CREATED, &with_code["id"])
    );
    // An update asked of a stack being created waits, as for any busy stack.
    let (status, busy) = h.create("shop-two", json!({"update": true, "parameters": {"CodeS3Bucket": "shop-artifacts", "CodeS3Key": "v2.zip"}})).await;
    assert_eq!(busy["error"], "stack_busy", "{status} {busy}");
    let mut other = lambda_plan();
    other["lambda"]["memory_mb"] = json!(1024);
    for different in [
        json!({"plan": other}),
        json!({"parameters": {"CodeS3Bucket": "shop-artifacts", "CodeS3Key": "v2.zip"}}),
    ] {
        let (status, busy) = h.create("shop-lambda", different.clone()).await;
        assert_eq!(
            (status, busy["error"].as_str()),
            (StatusCode::CONFLICT, Some("stack_busy")),
            "{different}: {busy}"
        );
    }
    let creates = h
        .cfn
        .calls
        .lock()
        .unwrap()
        .iter()
        .filter(|c| **c == "create_stack")
        .count();
    assert_eq!(
        creates, 3,
        "the first, the one sent at once with it, and shop-two's"
    );

    let events = h.events(&id, None).await;
    let stack_events: Vec<_> = events.iter().filter(|e| e.0 == "stack").collect();
    // Starts at the operation: CREATE_IN_PROGRESS of the stack, then each resource.
    assert_eq!(stack_events[0].2["status"], "CREATE_IN_PROGRESS");
    assert!(
        stack_events
            .iter()
            .any(|e| e.2["status"] == "CREATE_IN_PROGRESS" && e.2["logical_id"] == "Function")
    );
    let percents: Vec<u64> = stack_events
        .iter()
        .map(|e| e.2["progress"]["percent"].as_u64().unwrap())
        .collect();
    assert!(
        percents.windows(2).all(|w| w[0] <= w[1]),
        "progress never goes back: {percents:?}"
    );
    assert!(
        percents.iter().any(|p| *p > 0 && *p < 100),
        "some in-progress percentage: {percents:?}"
    );
    let (kind, _, done) = events.last().unwrap();
    assert_eq!(kind, "done");
    assert_eq!(
        (done["status"].as_str(), done["succeeded"].as_bool()),
        (Some("CREATE_COMPLETE"), Some(true))
    );
    assert_eq!(done["progress"]["percent"], 100);
    assert_eq!(done["progress"]["total"], total);
    assert_eq!(done["outputs"][0]["key"], "ApiUrl");
    assert!(done["failure"].is_null());
    // Every event id is unique: nothing sent twice.
    let ids: std::collections::BTreeSet<_> =
        stack_events.iter().map(|e| e.1.clone().unwrap()).collect();
    assert_eq!(ids.len(), stack_events.len());

    let (status, got, _) = h.status(&id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["status"], "CREATE_COMPLETE");
    assert_eq!(
        got["outputs"][0]["value"],
        "https://abc123.execute-api.us-east-1.amazonaws.com/"
    );
    h.assert_no_secrets();
}

#[tokio::test]
async fn a_rollback_reports_the_first_failure_not_the_cancellations() {
    let h = harness();
    *h.cfn.plan.lock().unwrap() = vec![
        ("FunctionRole".into(), "AWS::IAM::Role".into(), "CREATE_IN_PROGRESS".into(), None),
        ("FunctionRole".into(), "AWS::IAM::Role".into(), "CREATE_COMPLETE".into(), None),
        ("Table".into(), "AWS::DynamoDB::Table".into(), "CREATE_IN_PROGRESS".into(), None),
        ("Function".into(), "AWS::Lambda::Function".into(), "CREATE_IN_PROGRESS".into(), None),
        ("Function".into(), "AWS::Lambda::Function".into(), "CREATE_FAILED".into(), Some("Resource handler returned message: \"Uploaded file must be a non-empty zip (Service: Lambda, Status Code: 400)\" (HandlerErrorCode: InvalidRequest)".into())),
        ("Table".into(), "AWS::DynamoDB::Table".into(), "CREATE_FAILED".into(), Some("Resource creation cancelled".into())),
    ];
    let (_, created) = h.create("shop-lambda", json!({})).await;
    let id = created["id"].as_str().unwrap().to_string();
    h.execute(&id).await;
    let events = h.events(&id, None).await;
    let statuses: Vec<&str> = events
        .iter()
        .filter(|e| e.0 == "stack")
        .map(|e| e.2["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains(&"ROLLBACK_IN_PROGRESS") && statuses.contains(&"CREATE_FAILED"),
        "{statuses:?}"
    );
    let done = &events.last().unwrap().2;
    assert_eq!(
        (done["status"].as_str(), done["succeeded"].as_bool()),
        (Some("ROLLBACK_COMPLETE"), Some(false))
    );
    assert_eq!(done["failure"]["logical_id"], "Function");
    assert!(
        done["failure"]["reason"]
            .as_str()
            .unwrap()
            .contains("non-empty zip")
    );
    assert!(done["outputs"].as_array().unwrap().is_empty());
    // An existing stack in ROLLBACK_COMPLETE cannot be updated: the user is told to delete it,
    // and is given the stack's id (it is this token's), so that a client that did not make it
    // in this session (another tab, a lost answer) can show it and delete it.
    for ask in [json!({"update": true}), json!({})] {
        let (status, body) = h.create("shop-lambda", ask).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::CONFLICT, Some("stack_not_updatable")),
            "{body}"
        );
        assert_eq!(body["deployment"], created["id"], "{body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .ends_with("delete it first"),
            "{body}"
        );
    }
    let path = format!("/api/deployments/{id}");
    let (status, shown, _) = h.send("GET", &path, Some(TOKEN), None, &[]).await;
    assert_eq!(
        (status, shown["status"].as_str()),
        (StatusCode::OK, Some("ROLLBACK_COMPLETE")),
        "{shown}"
    );
    let (status, _, text) = h.send("DELETE", &path, Some(TOKEN), None, &[]).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{text}");
    // Another token's refusal never carries the id (`Harness::refuses_update`: 409
    // stack_not_managed, before any status is looked at).
}

/// A stack whose update's rollback failed cannot be updated until the rollback is continued:
/// an update is refused before any change set is made, with what to do, and with the
/// stack's id to follow or delete it.
#[tokio::test]
async fn a_stack_whose_rollback_failed_is_not_offered_an_update() {
    let h = harness();
    let (_, created) = h.create("shop-lambda", json!({})).await;
    let id = created["id"].as_str().unwrap().to_string();
    h.execute(&id).await;
    h.events(&id, None).await;
    {
        // An update that failed, and whose rollback failed too.
        let mut stacks = h.cfn.stacks.lock().unwrap();
        let s = stacks.last_mut().unwrap();
        let n = s.events.len() + 1;
        let name = s.name.clone();
        let ty = "AWS::CloudFormation::Stack";
        s.events
            .push(event(n, &name, ty, "UPDATE_IN_PROGRESS", None));
        s.events
            .push(event(n + 1, &name, ty, "UPDATE_ROLLBACK_IN_PROGRESS", None));
        s.events.push(event(
            n + 2,
            &name,
            ty,
            "UPDATE_ROLLBACK_FAILED",
            Some("The following resource(s) failed to update: [Function]."),
        ));
    }
    h.cfn.calls.lock().unwrap().clear();
    let (status, body) = h.create("shop-lambda", json!({"update": true})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("stack_not_updatable")),
        "{body}"
    );
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("Continue update rollback") && message.ends_with("or delete the stack"),
        "{message}"
    );
    assert_eq!(body["deployment"], created["id"]);
    let calls = h.cfn.calls.lock().unwrap().clone();
    assert!(!calls.contains(&"create_change_set"), "{calls:?}");
}

/// An execute whose answer was lost (a timeout, a dropped connection) is sent again: it is
/// answered with the stack going on, and the change set runs once. Once that update has failed
/// and rolled back, the same request again (the image fixed under the same tag, say) makes a
/// change set of its own, which can run: not the executed one, found again by its name.
/// (The double keeps executed change sets with their `ExecutionStatus`, as AWS describes
/// them: `EXECUTE_IN_PROGRESS`, `EXECUTE_COMPLETE`, `EXECUTE_FAILED`.)
#[tokio::test]
async fn an_update_sent_again_after_it_ran_is_a_new_one_and_an_execute_sent_again_runs_once() {
    let h = harness();
    h.deployed("shop-lambda").await;
    let mut plan = lambda_plan();
    plan["lambda"]["memory_mb"] = json!(1024);
    let update = json!({"update": true, "plan": plan});
    // This update fails, and rolls back.
    *h.cfn.plan.lock().unwrap() = vec![
        (
            "Function".into(),
            "AWS::Lambda::Function".into(),
            "UPDATE_IN_PROGRESS".into(),
            None,
        ),
        (
            "Function".into(),
            "AWS::Lambda::Function".into(),
            "CREATE_FAILED".into(),
            Some("Resource handler returned message: \"Image not found\"".into()),
        ),
    ];
    let (status, first) = h.create("shop-lambda", update.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let first_id = first["id"].as_str().unwrap().to_string();
    let (status, _, text) = h.execute(&first_id).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{text}");
    // Sent again while it runs: the stack's status, and no second ExecuteChangeSet.
    let (status, again, text) = h.execute(&first_id).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{text}");
    assert_eq!(again["stack_name"], "shop-lambda");
    let executions = |h: &Harness| {
        h.cfn
            .calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| **c == "execute_change_set")
            .count()
    };
    assert_eq!(executions(&h), 1, "the update's, once");
    let events = h.events(&first_id, None).await;
    assert_eq!(
        events.last().unwrap().2["status"],
        "UPDATE_ROLLBACK_COMPLETE"
    );
    // The same request again, once the update ran and rolled back: a new change set, that can
    // run.
    let (status, second) = h.create("shop-lambda", update).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_ne!(
        second["id"], first["id"],
        "the executed change set was found again"
    );
    *h.cfn.plan.lock().unwrap() = vec![];
    let (status, _, text) = h.execute(second["id"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{text}");
    assert_eq!(executions(&h), 2);
    // The failed one is gone with the new one's execution: nothing more to run.
    let (status, refused, _) = h.execute(&first_id).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (StatusCode::CONFLICT, Some("no_change_set")),
        "{refused}"
    );
    assert_eq!(executions(&h), 2);
}

#[tokio::test]
async fn a_reconnect_with_last_event_id_resumes_without_duplicates() {
    let h = harness();
    let (_, created) = h.create("shop-lambda", json!({})).await;
    let id = created["id"].as_str().unwrap().to_string();
    h.execute(&id).await;
    let all = h.events(&id, None).await;
    let stack: Vec<_> = all.iter().filter(|e| e.0 == "stack").collect();
    let cut = stack[3].1.clone().unwrap();
    let resumed = h.events(&id, Some(&cut)).await;
    let resumed_ids: Vec<_> = resumed
        .iter()
        .filter(|e| e.0 == "stack")
        .map(|e| e.1.clone().unwrap())
        .collect();
    let expected: Vec<_> = stack[4..].iter().map(|e| e.1.clone().unwrap()).collect();
    assert_eq!(resumed_ids, expected);
    assert_eq!(resumed.last().unwrap().0, "done");
}

#[tokio::test]
async fn watchers_of_one_stack_share_one_poller() {
    let h = harness();
    let (_, created) = h.create("shop-lambda", json!({})).await;
    let id = created["id"].as_str().unwrap().to_string();
    h.execute(&id).await;
    let polls_before = h
        .cfn
        .calls
        .lock()
        .unwrap()
        .iter()
        .filter(|c| **c == "events")
        .count();
    let (a, b, c) = tokio::join!(
        h.events(&id, None),
        h.events(&id, None),
        h.events(&id, None)
    );
    assert_eq!(
        a.iter().filter(|e| e.0 == "stack").count(),
        b.iter().filter(|e| e.0 == "stack").count()
    );
    assert_eq!(b.last().unwrap().0, "done");
    assert_eq!(c.last().unwrap().0, "done");
    let polls = h
        .cfn
        .calls
        .lock()
        .unwrap()
        .iter()
        .filter(|c| **c == "events")
        .count()
        - polls_before;
    // 13 scripted events: one poller needs about 13 polls; three would need about 39.
    assert!(
        polls <= 20,
        "{polls} DescribeStackEvents calls for three watchers"
    );
    // The poller stops once the stack has settled.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(h.deployer.pollers(), 0);
}

#[tokio::test]
async fn sts_access_denied_is_a_clear_403() {
    let h = harness();
    *h.sts.deny.lock().unwrap() = true;
    let (status, body) = h.create("shop-lambda", json!({})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("access_denied")),
        "{body}"
    );
    // The answer says what to check, and names no principal and no account; the log has
    // AWS's own words.
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("deploy role"), "{message}");
    assert!(
        !message.contains(ACCOUNT) && !message.contains("arn:"),
        "{message}"
    );
    let logs = String::from_utf8_lossy(&h.logs.lock().unwrap()).to_string();
    assert!(logs.contains("not authorized to perform: sts:AssumeRole"));
}

/// A deployment id the server did not sign, or one that was altered, is refused before any
/// call to STS or CloudFormation.
#[tokio::test]
async fn a_forged_or_altered_id_makes_no_aws_call() {
    use base64::Engine;
    let h = harness();
    let foreign = format!("arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/someone-elses/1234");
    let unsigned = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&foreign);
    let other_key = server::deploy::id::Deployment {
        stack: server::deploy::StackArn::parse(&foreign).unwrap(),
        change_set: Some("stackplan-0123456789abcdef".into()),
    }
    .id(&IdKey::random().unwrap());
    for id in [
        unsigned.clone(),
        format!("{unsigned}.AAAAAAAAAAAAAAAAAAAAAA"),
        other_key,
        // Not text once decoded: no id either, in the API's own JSON.
        "%FF".into(),
    ] {
        h.refuses_deployment(&id, TOKEN).await;
    }
    assert!(h.sts.calls.lock().unwrap().is_empty(), "no STS call");
    assert!(
        h.cfn.calls.lock().unwrap().is_empty(),
        "no CloudFormation call"
    );
}

/// A stack Stackplan did not make (no reserved tag) is left alone: its name cannot be
/// updated through Stackplan, and a valid id for it answers 404 with no change made and
/// nothing of it read but the description that shows the tag missing.
#[tokio::test]
async fn a_stack_stackplan_did_not_make_is_left_alone() {
    let h = harness();
    let (_, created) = h.create("shop-lambda", json!({})).await;
    let id = created["id"].as_str().unwrap().to_string();
    // Someone else's stack of the same name: the reserved tag is gone.
    h.cfn.stacks.lock().unwrap()[0]
        .tags
        .retain(|(k, _)| k != "stackplan:managed");
    h.refuses_update(TOKEN, "shop-lambda").await;
    let before = h.cfn.calls.lock().unwrap().clone();
    h.refuses_deployment(&id, TOKEN).await;
    let after = h.cfn.calls.lock().unwrap().clone();
    let made: Vec<&&str> = after[before.len()..]
        .iter()
        .filter(|c| **c != "stack")
        .collect();
    // Nothing but the stack's own description is read before its tag is checked: not its
    // events, its template or a change set.
    assert!(
        made.is_empty(),
        "only reads of the stack, no change: {made:?}"
    );
}

/// The reserved tag alone proves nothing: anyone allowed to tag a stack can set it. A stack
/// whose proof tag is missing, made under another key, or copied from another stack is left
/// alone as one Stackplan did not make, and the update's refusal says how its operator can
/// prove it; the tag `stackplan prove-stack` prints is the one that does.
#[tokio::test]
async fn a_stack_without_this_servers_proof_is_left_alone() {
    const PROOF: &str = "stackplan:proof";
    let h = harness();
    let id = h.deployed("shop-lambda").await;
    h.create("other-lambda", json!({})).await;
    let proof_of = |i: usize| {
        h.cfn.stacks.lock().unwrap()[i]
            .tags
            .iter()
            .find(|(k, _)| k == PROOF)
            .map(|(_, v)| v.clone())
    };
    let own = proof_of(0).expect("a stack Stackplan makes carries its proof");
    let set_proof = |value: Option<String>| {
        let mut stacks = h.cfn.stacks.lock().unwrap();
        let tags = &mut stacks[0].tags;
        tags.retain(|(k, _)| k != PROOF);
        tags.extend(value.map(|v| (PROOF.to_string(), v)));
    };
    let (arn, created, role) = {
        let stacks = h.cfn.stacks.lock().unwrap();
        (
            stacks[0].arn.clone(),
            stacks[0].created,
            stacks[0].role.clone(),
        )
    };
    assert!(role.is_some(), "made to act as the execution role");
    let at = server::deploy::StackArn::parse(&arn).unwrap();
    let of = server::deploy::id::ProofOf {
        account: &at.account,
        region: &at.region,
        name: &at.name,
        owner: None,
        role: role.as_deref(),
    };
    // A stack of this name made by hand to act as another role, or as none, while this
    // server's stack was deleted within the proof's window: its proof copied onto it proves
    // nothing.
    for hand in [
        Some("arn:aws:iam::111122223333:role/mine".to_string()),
        None,
    ] {
        h.cfn.stacks.lock().unwrap()[0].role = hand.clone();
        let (status, body) = h.create("shop-lambda", json!({"update": true})).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::CONFLICT, Some("stack_not_managed")),
            "{hand:?}: {body}"
        );
        h.refuses_deployment(&id, TOKEN).await;
    }
    h.cfn.stacks.lock().unwrap()[0].role = role.clone();
    let other_key = IdKey::from_hex(&"a5".repeat(32)).unwrap();
    for forged in [
        None,
        Some("true".to_string()),
        // Copied from another stack of this server.
        proof_of(1),
        // This stack's, under another server's key.
        Some(other_key.stack_proof(&of, created)),
        // This server's for a stack of this name made an hour before (deleted since): a proof
        // copied from it onto this one.
        Some(key().stack_proof(&of, created - 3600)),
    ] {
        set_proof(forged.clone());
        let (status, body) = h.create("shop-lambda", json!({"update": true})).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::CONFLICT, Some("stack_not_managed")),
            "{forged:?}: {body}"
        );
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("stackplan prove-stack"), "{message}");
        assert!(!message.contains("arn:"), "{message}");
        h.refuses_deployment(&id, TOKEN).await;
    }
    // A stack without the reserved tag gets the plain refusal: nothing to prove there.
    h.cfn.stacks.lock().unwrap()[0]
        .tags
        .retain(|(k, _)| k != "stackplan:managed");
    let (_, body) = h.create("shop-lambda", json!({"update": true})).await;
    assert!(
        !body["message"].as_str().unwrap().contains("prove-stack"),
        "{body}"
    );
    h.cfn.stacks.lock().unwrap()[0]
        .tags
        .push(("stackplan:managed".into(), "true".into()));
    // The operator's command gives the tag back, and with it the stack is the server's again.
    let prove = |owner: Option<&str>| {
        server::cli::prove_stack(&server::cli::ProveStackArgs {
            stack_arn: arn.clone(),
            created: created.to_string(),
            stack_role_arn: role.clone(),
            no_stack_role: false,
            owner: owner.map(String::from),
            id_key: Some("5a".repeat(32)),
            data_dir: None,
        })
        .unwrap()
    };
    let printed = prove(None);
    let tag = printed
        .lines()
        .next()
        .unwrap()
        .strip_prefix("stackplan:proof=")
        .unwrap()
        .to_string();
    set_proof(Some(tag.clone()));
    let (status, body, _) = h
        .send(
            "GET",
            &format!("/api/deployments/{id}"),
            Some(TOKEN),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // An update keeps the proof the stack has (here one of a minute before its creation, which
    // no proof made anew would be): its change set carries it unchanged.
    let tag = key().stack_proof(&of, created - 60);
    set_proof(Some(tag.clone()));
    let (status, body) = h.create("shop-lambda", json!({"update": true})).await;
    assert!(status.is_success(), "{body}");
    let carried = h.cfn.stacks.lock().unwrap()[0]
        .change_set_tags
        .last()
        .and_then(|tags| tags.iter().find(|(k, _)| k == PROOF).cloned());
    assert_eq!(carried, Some((PROOF.to_string(), tag)));
    // A stack made to act as another execution role (an earlier bootstrap's), with the proof
    // of that role: the update gives it this server's role, and with it a proof of that role
    // and the same creation, so the stack stays the server's once the change set runs.
    let old_role = "arn:aws:iam::111122223333:role/stackplan-execution-before";
    let old = key().stack_proof(
        &server::deploy::id::ProofOf {
            role: Some(old_role),
            ..of
        },
        created - 30,
    );
    {
        let mut stacks = h.cfn.stacks.lock().unwrap();
        stacks[0].role = Some(old_role.into());
    }
    set_proof(Some(old.clone()));
    let (status, body) = h.create("shop-lambda", json!({"update": true})).await;
    assert!(status.is_success(), "{body}");
    let update = body["id"].as_str().unwrap().to_string();
    let carried = h.cfn.stacks.lock().unwrap()[0]
        .change_set_tags
        .last()
        .and_then(|tags| {
            tags.iter()
                .find(|(k, _)| k == PROOF)
                .map(|(_, v)| v.clone())
        })
        .unwrap();
    assert_ne!(carried, old);
    assert!(key().proves(&carried, &of, created), "{carried}");
    h.execute(&update).await;
    assert_eq!(
        h.cfn.stacks.lock().unwrap()[0].role.as_deref(),
        role.as_deref()
    );
    set_proof(Some(carried));
    let (status, body, _) = h
        .send(
            "GET",
            &format!("/api/deployments/{update}"),
            Some(TOKEN),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The server's own proof was of its request's time: the stack's creation followed it.
    let asked: i64 = own.split('.').nth(1).unwrap().parse().unwrap();
    assert!(
        asked <= created && created - asked <= 900,
        "{own} for a stack created at {created}"
    );
    // For another owner, another tag.
    assert_ne!(prove(Some("team-a")), printed);
}

/// A token bound to roles may use those roles only: not the server's default, and not a stack
/// in an account it has no role in.
#[tokio::test]
async fn a_token_may_use_only_its_own_roles() {
    let h = harness();
    let (_, created) = h.create("shop-lambda", json!({})).await;
    let id = created["id"].as_str().unwrap().to_string();
    let team_token = "team-token-0123456789abcdef";
    let file =
        json!({"tokens": [{"token": team_token, "roles": [roles(TEAM_ROLE, "444455556666")]}]});
    let mut state = h.state.clone();
    state.tokens = Arc::new(Tokens::from_file(&file.to_string()).unwrap());
    let send = |method: &'static str, uri: String, body: Option<Value>| {
        send_as(state.clone(), team_token, method, uri, body)
    };
    // The stack in 111122223333 is not this token's to see.
    let (status, _) = send("GET", format!("/api/deployments/{id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The server's own role is not this token's to use.
    let (status, body) = send(
        "POST",
        "/api/deployments".into(),
        Some(json!({"plan": lambda_plan(), "stack_name": "team-app", "role_arn": ROLE})),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("role_not_allowed")),
        "{body}"
    );
    // Its own role is, with its own ExternalId.
    let calls = h.sts.calls.lock().unwrap().len();
    let (status, body) = send(
        "POST",
        "/api/deployments".into(),
        Some(json!({"plan": lambda_plan(), "stack_name": "team-app"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(h.sts.calls.lock().unwrap()[calls].role_arn, TEAM_ROLE);
}

/// Two tenants may name the same deployer role with different ExternalIds (the confused
/// deputy the ExternalId exists for). One tenant's cached session, or its running event
/// stream, must never answer the other: each request assumes the role with its own
/// ExternalId, which STS (here: denying everything from then on) judges.
#[tokio::test]
async fn a_session_or_a_stream_is_never_shared_across_external_ids() {
    let h = harness_with(long_create(300), Arc::new(StsDouble::default()), |_| {});
    let id = started(&h).await;
    // Tenant A watches: its session is cached and its poller runs.
    let watching = open_stream(&h.state, &id).await;
    assert_eq!(watching.status(), StatusCode::OK);
    let other = "other-tenant-0123456789abcdef";
    let mut theirs = roles(ROLE, ACCOUNT);
    theirs.external_id = Some("other-tenant".into());
    let file = json!({"tokens": [{"token": other, "roles": [theirs]}]});
    let mut state = h.state.clone();
    state.tokens = Arc::new(Tokens::from_file(&file.to_string()).unwrap());
    *h.sts.deny.lock().unwrap() = true;
    let calls = h.sts.calls.lock().unwrap().len();
    let req = Request::get(format!("/api/deployments/{id}"))
        .header(header::AUTHORIZATION, format!("Bearer {other}"))
        .body(Body::empty())
        .unwrap();
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let stream = open_stream_as(&state, &id, &format!("Bearer {other}")).await;
    assert_eq!(stream.status(), StatusCode::FORBIDDEN);
    let asked: Vec<_> = h.sts.calls.lock().unwrap()[calls..]
        .iter()
        .map(|c| c.external_id.clone())
        .collect();
    assert_eq!(
        asked,
        vec![Some("other-tenant".to_string()); 2],
        "each request assumed the role with its own ExternalId"
    );
    drop(watching);
}

/// Tenants of a shared server (tokens file entries with an `owner`) may share one deployer
/// role, so IAM cannot keep them apart: the server does. Each stack carries its tenant's
/// `stackplan:owner` tag, and a token acts only on stacks naming its own owner (a token with
/// none, only on stacks with none): another tenant's stack of the same name is not updated,
/// and its deployment id, if it leaks, answers 404 on every route, a running event stream
/// included, before anything but the stack's description is read.
#[tokio::test]
async fn a_tenant_acts_only_on_its_own_stacks() {
    let mut h = harness_with(long_create(300), Arc::new(StsDouble::default()), |_| {});
    let (a, b) = ("team-a-token-0123456789", "team-b-token-0123456789");
    // One account, one role: each owner reaches settings and zones of its own.
    let tenant = |prefix: &str, zone: &str| AccountRoles {
        settings_prefixes: vec![prefix.into()],
        hosted_zone_ids: vec![zone.into()],
        ..roles(ROLE, ACCOUNT)
    };
    let file = json!({"tokens": [
        {"token": a, "owner": "team-a", "roles": [tenant("stackplan/team-a/", "ZA")]},
        {"token": b, "owner": "team-b", "roles": [tenant("stackplan/team-b/", "ZB")]},
        {"token": TOKEN, "roles": [tenant("stackplan/shared/", "ZS")]},
    ]});
    h.state.tokens = Arc::new(Tokens::from_file(&file.to_string()).unwrap());
    // Each token can ask whom it deploys as (a page says it, so that a token from someone
    // else's link is noticed), and nothing more.
    for (token, owner) in [
        (a, json!("team-a")),
        (b, json!("team-b")),
        (TOKEN, json!(null)),
    ] {
        let (status, body, _) = h
            .send("GET", "/api/deploy/token", Some(token), None, &[])
            .await;
        assert_eq!((status, body), (StatusCode::OK, json!({"owner": owner})));
    }
    let (status, _, _) = h.send("GET", "/api/deploy/token", None, None, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, created) = h.create_as(a, "shop", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let tags = || h.cfn.stacks.lock().unwrap()[0].tags.clone();
    assert!(
        tags().contains(&("stackplan:owner".into(), "team-a".into())),
        "{:?}",
        tags()
    );
    // Team A watches: its poller runs with the role both tenants share.
    let watching = open_stream_as(&h.state, &id, &format!("Bearer {a}")).await;
    assert_eq!(watching.status(), StatusCode::OK);

    let change_sets = h.cfn.request_stacks.lock().unwrap().len();
    let calls = h.cfn.calls.lock().unwrap().len();
    for other in [b, TOKEN] {
        h.refuses_update(other, "shop").await;
        h.refuses_deployment(&id, other).await;
    }
    assert_eq!(
        h.cfn.request_stacks.lock().unwrap().len(),
        change_sets,
        "no change set was made for another tenant"
    );
    let made: Vec<&str> = h.cfn.calls.lock().unwrap()[calls..]
        .iter()
        .copied()
        .filter(|c| *c != "stack")
        .collect();
    assert!(made.is_empty(), "only the stack was read: {made:?}");
    assert_eq!(h.deployer.pollers(), 1, "team A's poller alone");

    // Team B creating the name at the moment team A's stack appears: CloudFormation refuses
    // B's stack (the name is taken), and B learns nothing of A's but that it is not B's.
    h.cfn.unseen_once.lock().unwrap().push("shop".into());
    let (status, body) = h.create_as(b, "shop", json!({})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("stack_not_managed")),
        "{body}"
    );
    // Refused after CloudFormation was asked: the check after, not the one before.
    assert!(h.cfn.unseen_once.lock().unwrap().is_empty());
    assert_eq!(h.cfn.request_stacks.lock().unwrap().len(), change_sets + 1);
    // A stack made without an owner is not a tenant's either.
    let (status, body) = h.create("plain", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    h.refuses_update(a, "plain").await;

    // Team A's own token still sees its stack (its update keeping the owner is the sandbox
    // test's: CloudFormation's tags on an update are the change set's).
    let (status, _, text) = h
        .send("GET", &format!("/api/deployments/{id}"), Some(a), None, &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    drop(watching);
}

/// A watcher that comes with the same roles (role and ExternalId) as the stack's running
/// poller joins it without reading the stack again: the poller's own reads, with a session of
/// those roles, prove the stack is Stackplan's, and each reconnect of a page would otherwise
/// cost a DescribeStacks. (Roles that differ still read it: the test above.) Here the double's
/// DescribeStacks hangs once the first watcher is on, so a join that read it would never answer.
#[tokio::test(start_paused = true)]
async fn a_watcher_with_the_pollers_roles_joins_without_reading_the_stack_again() {
    let h = harness_with(long_create(300), Arc::new(StsDouble::default()), |_| {});
    let id = started(&h).await;
    let first = open_stream(&h.state, &id).await;
    assert_eq!(first.status(), StatusCode::OK);
    h.cfn.hang.lock().unwrap().push("stack");
    let second = tokio::time::timeout(Duration::from_secs(10), open_stream(&h.state, &id))
        .await
        .expect("the second watcher waited for a DescribeStacks");
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(h.deployer.pollers(), 1, "one poller for both");
    h.cfn.hang.lock().unwrap().clear();
    drop((first, second));
}

/// Each followed stack costs reads of the account every few seconds: the server follows a
/// bounded number at once, and a watcher of one more is told to retry (429, with
/// `Retry-After`) until a place is free.
#[tokio::test(start_paused = true)]
async fn the_server_follows_a_bounded_number_of_stacks_at_once() {
    let h = harness_with(long_create(300), Arc::new(StsDouble::default()), |c| {
        c.max_pollers = 1;
    });
    let settled = h.deployed("shop-settled").await;
    assert_eq!(h.deployer.pollers(), 0);
    let running = started(&h).await;
    let held = open_stream(&h.state, &running).await;
    assert_eq!(held.status(), StatusCode::OK);
    assert_eq!(h.deployer.pollers(), 1);
    let refused = open_stream(&h.state, &settled).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key(header::RETRY_AFTER));
    let body: Value =
        serde_json::from_slice(&refused.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["error"], "too_many_watchers", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("follows 1 stacks"),
        "{body}"
    );
    // The running stack's watcher leaves: its poller stops, and the place is free again.
    drop(held);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(h.deployer.pollers(), 0);
    let events = h.events(&settled, None).await;
    assert_eq!(events.last().unwrap().2["status"], "CREATE_COMPLETE");
}

/// A poller waiting out a long backoff (AWS failing its reads) frees its place as soon as its
/// last watcher leaves, not at the end of the wait.
#[tokio::test(start_paused = true)]
async fn a_poller_waiting_out_a_backoff_stops_when_its_last_watcher_leaves() {
    let h = harness_with(long_create(3), Arc::new(StsDouble::default()), |c| {
        c.backoff = Backoff {
            base: Duration::from_secs(1),
            max: Duration::from_secs(60),
            attempts: 1,
        };
    });
    let id = started(&h).await;
    let stream = open_stream(&h.state, &id).await;
    assert_eq!(stream.status(), StatusCode::OK);
    for _ in 0..12 {
        h.cfn
            .fail_next("stack", AwsError::Other("service unavailable".into()));
    }
    // Six failed reads in a row: the next wait is the backoff's longest, a minute.
    tokio::time::sleep(Duration::from_secs(70)).await;
    assert_eq!(h.deployer.pollers(), 1);
    let reads = h.cfn.calls.lock().unwrap().len();
    drop(stream);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        h.deployer.pollers(),
        0,
        "the place is held for the rest of the wait"
    );
    assert_eq!(
        h.cfn.calls.lock().unwrap().len(),
        reads,
        "no read after the watcher left"
    );
}

#[tokio::test]
async fn a_role_not_on_the_allowlist_is_refused_before_sts() {
    let h = harness();
    let (status, body) = h
        .create(
            "shop-lambda",
            json!({"role_arn": "arn:aws:iam::999999999999:role/admin"}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("role_not_allowed")),
        "{body}"
    );
    assert!(h.sts.calls.lock().unwrap().is_empty());
    let (status, _) = h
        .create(
            "shop-lambda",
            json!({"role_arn": "arn:aws:iam::444455556666:role/team-deployer"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        h.sts.calls.lock().unwrap()[0].role_arn,
        "arn:aws:iam::444455556666:role/team-deployer"
    );
}

#[tokio::test]
async fn an_existing_stack_is_offered_as_an_update_which_shows_its_changes() {
    let h = harness();
    let id = h.deployed("shop-lambda").await;
    let (status, body) = h.create("shop-lambda", json!({})).await;
    assert_eq!(
        (status, body["error"].as_str(), body["can_update"].as_bool()),
        (StatusCode::CONFLICT, Some("stack_exists"), Some(true)),
        "{body}"
    );
    // With the stack's deployment id, to show it, follow it or delete it instead.
    assert_eq!(body["deployment"].as_str(), Some(id.as_str()), "{body}");
    // The deployed template has a type the new one lacks (as when an update removes the
    // alarm's subscription): the update declares it too, for the resource it deletes.
    {
        let mut stacks = h.cfn.stacks.lock().unwrap();
        let deployed = stacks[0].deployed.as_mut().expect("the deployed template");
        let mut doc: Value = serde_json::from_str(deployed).unwrap();
        doc["Resources"]["Gone"] = json!({"Type": "AWS::SNS::Subscription", "Properties": {}});
        *deployed = doc.to_string();
    }
    let mut plan = lambda_plan();
    plan["lambda"]["memory_mb"] = json!(1024);
    let (status, body) = h
        .create("shop-lambda", json!({"update": true, "plan": plan}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["change_set"]["status"], "CREATE_COMPLETE");
    assert!(h.cfn.calls.lock().unwrap().contains(&"create_change_set"));
    let (sent, types) = h.cfn.request_types.lock().unwrap().last().cloned().unwrap();
    assert!(!sent.contains("AWS::SNS::Subscription"));
    assert!(
        types.contains(&"AWS::SNS::Subscription".to_string())
            && types.contains(&"AWS::Lambda::Function".to_string()),
        "{types:?}"
    );
    assert_eq!(body["change_set"]["changes"][0]["action"], "Modify");
    // The update's change set names the stack by the id whose tag was checked, so a stack of
    // the same name made since is not the one changed; the create named it by its name.
    let arn = h.cfn.stacks.lock().unwrap()[0].arn.clone();
    assert_eq!(
        *h.cfn.request_stacks.lock().unwrap(),
        vec!["shop-lambda".to_string(), arn.clone()]
    );
    // So is the template the deployed plan is read from.
    let summaries = h.cfn.summary_stacks.lock().unwrap().clone();
    assert!(
        !summaries.is_empty() && summaries.iter().all(|s| *s == arn),
        "a template was read by name: {summaries:?}"
    );
    // The update names the plan the stack was deployed from, read from its template, so the
    // page can show the cost of the change before it is applied.
    let deployed: shared::plan::Plan = serde_json::from_value(lambda_plan()).unwrap();
    assert_eq!(
        body["deployed_plan"].as_str(),
        Some(shared::link::encode(&deployed).as_str()),
        "{body}"
    );
    let (_, status_body, _) = h
        .send(
            "GET",
            &format!("/api/deployments/{id}"),
            Some(TOKEN),
            None,
            &[],
        )
        .await;
    assert_eq!(
        status_body["plan_link"].as_str(),
        body["deployed_plan"].as_str(),
        "the deployed plan's link stays available from the stack"
    );
    assert_ne!(
        body["id"].as_str(),
        Some(id.as_str()),
        "the id names the update's change set"
    );
    let (status, same, _) = h
        .send(
            "GET",
            &format!("/api/deployments/{}", body["id"].as_str().unwrap()),
            Some(TOKEN),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (status, same["stack_name"].as_str()),
        (StatusCode::OK, Some("shop-lambda")),
        "the same stack"
    );
    // The same request again finds the change set it made instead of making a second.
    let (status, again) = h
        .create("shop-lambda", json!({"update": true, "plan": plan}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert!(again["change_set"]["name"].is_string(), "{again}");
    assert_eq!(again["change_set"]["name"], body["change_set"]["name"]);
    assert_eq!(again["id"], body["id"], "the same deployment, the same id");
    assert_eq!(h.cfn.stacks.lock().unwrap()[0].change_sets.len(), 1);
}

/// moto never fails a change set, so CloudFormation's FAILED change set is scripted here.
/// The same request names the same change set, so before this a failure (an execution role
/// IAM had not yet propagated, say) was answered again on every retry until the plan changed.
#[tokio::test]
async fn a_request_whose_change_set_failed_can_be_tried_again() {
    let h = harness();
    h.deployed("shop-lambda").await;
    // An update whose change set CloudFormation fails.
    h.cfn
        .change_set_failures
        .lock()
        .unwrap()
        .push_back("The role is not authorized to perform: sts:AssumeRole".into());
    let mut plan = lambda_plan();
    plan["lambda"]["memory_mb"] = json!(1024);
    let request = json!({"plan": plan, "update": true});
    let (status, body) = h.create("shop-lambda", request.clone()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("change_set_failed")),
        "{body}"
    );
    assert!(h.cfn.deleted_change_sets.lock().unwrap().is_empty());
    let failed = h.cfn.failed_change_sets.lock().unwrap()[0].0.clone();
    // The same request again: the failed change set goes, and a new one is made.
    let (status, again) = h.create("shop-lambda", request.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["change_set"]["status"], "CREATE_COMPLETE", "{again}");
    assert_eq!(*h.cfn.deleted_change_sets.lock().unwrap(), [failed]);
    // Made again under its own request token: CloudFormation would take the first one's for
    // a retry of the request whose change set is gone.
    let tokens = h.cfn.request_tokens.lock().unwrap().clone();
    let (first, second) = (&tokens[tokens.len() - 2], &tokens[tokens.len() - 1]);
    assert_eq!(again["change_set"]["name"].as_str(), Some(first.as_str()));
    assert_ne!(first, second);
    assert!(
        second.len() <= 128
            && second
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-'),
        "{second}"
    );
    // A change set that failed only for having no changes is the answer, and it stays.
    h.cfn
        .change_set_failures
        .lock()
        .unwrap()
        .push_back("The submitted information didn't contain changes.".into());
    plan["lambda"]["memory_mb"] = json!(2048);
    let request = json!({"plan": plan, "update": true});
    for _ in 0..2 {
        let (status, body) = h.create("shop-lambda", request.clone()).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::CONFLICT, Some("no_changes")),
            "{body}"
        );
        // It names the stack's deployment, for a page that did not deploy it to show it.
        let id = body["deployment"].as_str().expect("a deployment id");
        let (status, shown, _) = h.status(id).await;
        assert_eq!(status, StatusCode::OK, "{shown}");
        assert_eq!(shown["stack_name"], "shop-lambda", "{shown}");
    }
    assert_eq!(h.cfn.deleted_change_sets.lock().unwrap().len(), 1);
}

/// ECR's answers are scripted here (moto's are in `tests/tests/deploy_moto.rs`): a running
/// service is never pointed at a tag that is not pushed, the check asks ECR about the stack's
/// own repository only, with a session that can do nothing else, and a stack without a
/// repository of its own is never looked up.
#[tokio::test]
async fn a_running_service_is_never_pointed_at_an_image_that_is_not_pushed() {
    let h = harness();
    let fargate = fargate_plan();
    let (status, created) = h
        .create(
            "shop-fargate",
            json!({"plan": fargate, "parameters": {"ImageTag": "1.0.0"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    // A new stack's repository is empty: the service is made waiting, with no ECR call.
    assert_eq!(
        h.cfn.stacks.lock().unwrap()[0].parameters,
        [
            ("ImageTag".to_string(), "1.0.0".to_string()),
            ("ImageReady".to_string(), "false".to_string())
        ]
    );
    assert!(h.ecr.calls.lock().unwrap().is_empty());
    let id = created["id"].as_str().unwrap().to_string();
    h.execute(&id).await;
    h.events(&id, None).await;

    // The stack as CloudFormation describes it once the service runs 1.0.0.
    let repository = "shop-fargate-repository-x1y2z3";
    {
        let mut stacks = h.cfn.stacks.lock().unwrap();
        stacks[0].parameters = vec![
            ("ImageTag".into(), "1.0.0".into()),
            ("ImageReady".into(), "true".into()),
        ];
        stacks[0].outputs.push(shared::api::Output {
            key: "RepositoryUri".into(),
            value: format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{repository}"),
            description: "Push images here".into(),
        });
    }
    h.ecr.repositories.lock().unwrap().push(repository.into());
    h.ecr
        .pushed
        .lock()
        .unwrap()
        .push((repository.into(), "1.0.0".into()));
    let (status, check, _) = h
        .send(
            "GET",
            &format!("/api/deployments/{id}/image"),
            Some(TOKEN),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{check}");
    assert_eq!(
        (check["pushed"].as_bool(), check["waiting"].as_bool()),
        (Some(true), Some(false))
    );

    let sets = h.cfn.stacks.lock().unwrap()[0].change_sets.len();
    let (status, refused) = h
        .create(
            "shop-fargate",
            json!({"plan": fargate, "update": true, "parameters": {"ImageTag": "2.0.0"}}),
        )
        .await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (StatusCode::CONFLICT, Some("image_not_pushed")),
        "{refused}"
    );
    assert_eq!(
        h.cfn.stacks.lock().unwrap()[0].change_sets.len(),
        sets,
        "no change set"
    );
    assert_eq!(
        h.ecr.calls.lock().unwrap().last().cloned(),
        Some((repository.to_string(), "2.0.0".to_string()))
    );
    // The session that asked ECR could ask nothing else, of no other repository.
    let policy = session_policy_with(&h, "ecr:");
    assert_eq!(
        policy["Statement"],
        json!([{
            "Sid": "StackplanRepository",
            "Effect": "Allow",
            "Action": ["ecr:DescribeImages"],
            "Resource": format!("arn:aws:ecr:us-east-1:{ACCOUNT}:repository/{repository}")
        }])
    );

    // An account bootstrapped before image checks: the refusal says what to do, names no ARN.
    *h.ecr.deny.lock().unwrap() = true;
    let (status, denied) = h
        .create(
            "shop-fargate",
            json!({"plan": fargate, "update": true, "parameters": {"ImageTag": "2.0.0"}}),
        )
        .await;
    assert_eq!(
        (status, denied["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("access_denied")),
        "{denied}"
    );
    let message = denied["message"].as_str().unwrap();
    assert!(
        message.contains("stackplan bootstrap") && !message.contains("arn:"),
        "{message}"
    );
    *h.ecr.deny.lock().unwrap() = false;

    // Pushed, the update goes ahead and keeps the service running.
    h.ecr
        .pushed
        .lock()
        .unwrap()
        .push((repository.into(), "2.0.0".into()));
    let (status, body) = h
        .create(
            "shop-fargate",
            json!({"plan": fargate, "update": true, "parameters": {"ImageTag": "2.0.0"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(
        h.cfn.stacks.lock().unwrap()[0]
            .parameters
            .contains(&("ImageReady".to_string(), "true".to_string()))
    );
    // A new tag in the plan itself is the one meant, not the stack's (an update keeps only
    // what the plan did not change).
    let mut retagged = fargate.clone();
    retagged["fargate"]["image_tag"] = json!("3.0.0");
    h.ecr
        .pushed
        .lock()
        .unwrap()
        .push((repository.into(), "3.0.0".into()));
    let (status, body) = h
        .create("shop-fargate", json!({"plan": retagged, "update": true}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(
        h.cfn.stacks.lock().unwrap()[0]
            .parameters
            .contains(&("ImageTag".to_string(), "3.0.0".to_string())),
        "{:?}",
        h.cfn.stacks.lock().unwrap()[0].parameters
    );

    // A Lambda stack has no repository: nothing to look up.
    let before = h.ecr.calls.lock().unwrap().len();
    let (_, lambda) = h.create("shop-lambda", json!({})).await;
    let lambda_id = lambda["id"].as_str().unwrap();
    let (status, answer, _) = h
        .send(
            "GET",
            &format!("/api/deployments/{lambda_id}/image"),
            Some(TOKEN),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::CONFLICT, Some("no_image_repository")),
        "{answer}"
    );
    assert_eq!(h.ecr.calls.lock().unwrap().len(), before);
}

#[tokio::test]
async fn throttling_is_retried_with_backoff_and_the_wait_is_shown() {
    let h = harness();
    for _ in 0..2 {
        h.cfn
            .fail_next("create_stack", AwsError::Throttled("Rate exceeded".into()));
    }
    let (status, created) = h.create("shop-lambda", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        h.cfn
            .calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| **c == "create_stack")
            .count(),
        3
    );
    let id = created["id"].as_str().unwrap().to_string();
    h.cfn.fail_next(
        "events",
        AwsError::Throttled("Rate exceeded aws-own-words".into()),
    );
    let events = h.events(&id, None).await;
    let notice = events
        .iter()
        .find(|e| e.0 == "notice")
        .expect("a notice of the wait");
    assert_eq!(notice.2["kind"], "throttled");
    assert!(notice.2["retry_in_ms"].as_u64().unwrap() > 0);
    // Stackplan's words: AWS's stay in the log.
    let message = notice.2["message"].as_str().unwrap();
    assert!(
        message.contains("retrying in") && !message.contains("aws-own-words"),
        "{message}"
    );
    assert_eq!(events.last().unwrap().2["status"], "CREATE_COMPLETE");
    // Throttled past the last attempt: a 503 that says so, with Retry-After.
    for _ in 0..4 {
        h.cfn
            .fail_next("stack", AwsError::Throttled("Rate exceeded".into()));
    }
    let (status, body, text) = h
        .send(
            "GET",
            &format!("/api/deployments/{id}"),
            Some(TOKEN),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("throttled"))
    );
    assert!(text.contains("throttling"));
}

#[tokio::test]
async fn a_cloudformation_validation_error_is_a_422_with_its_message() {
    let h = harness();
    h.cfn.fail_next("create_stack", AwsError::Validation("Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template".into()));
    let (status, body) = h.create("shop-lambda", json!({})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("cloudformation_validation")
        )
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Unresolved resource dependencies")
    );
}

/// Another stack's code bucket cannot be named as this stack's code: the execution role may
/// read every stack's code bucket, so the function would run code uploaded for that stack.
#[tokio::test]
async fn another_stacks_code_bucket_is_refused_before_any_change_set() {
    let h = harness();
    let (status, body) = h
        .create(
            "shop-lambda",
            json!({"parameters": {
                "CodeS3Bucket": "stackplan-code-99999999-aaaa-bbbb-cccc-1234567890ab",
                "CodeS3Key": "stackplan-code/0000000000000000000000000000000000000000000000000000000000000000.zip"
            }}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_parameters")),
        "{body}"
    );
    assert_eq!(
        body["problems"][0]["path"], "parameters.CodeS3Bucket",
        "{body}"
    );
    let calls = h.cfn.calls.lock().unwrap().clone();
    assert!(
        !calls.contains(&"create_change_set") && !calls.contains(&"create_stack"),
        "a stack or a change set was made: {calls:?}"
    );
    // A bucket of the user's own is theirs to name.
    let (status, body) = h
        .create(
            "shop-lambda",
            json!({"parameters": {"CodeS3Bucket": "cart-artifacts", "CodeS3Key": "api/v1.zip"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// A code key names a zip in a code bucket: without one the function would run the placeholder
/// and the key go unused.
#[tokio::test]
async fn a_code_key_without_a_bucket_is_refused_rather_than_deploying_the_placeholder() {
    let h = harness();
    let key_only = json!({"parameters": {"CodeS3Key": "builds/app-9.zip"}});
    let (status, body) = h.create("shop-lambda", key_only.clone()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_parameters")),
        "{body}"
    );
    assert_eq!(
        body["problems"][0]["path"], "parameters.CodeS3Bucket",
        "{body}"
    );
    assert!(
        body["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("placeholder"),
        "{body}"
    );
    assert!(
        h.cfn.stacks.lock().unwrap().is_empty(),
        "nothing was created"
    );
    // With the bucket, or on a stack that keeps one it runs code from, the key alone is a new
    // zip in that bucket.
    let (status, body) = h
        .create(
            "shop-lambda",
            json!({"parameters": {"CodeS3Bucket": "my-code", "CodeS3Key": "builds/app-9.zip"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    h.events(&id, None).await;
    h.cfn.stacks.lock().unwrap()[0].parameters = vec![
        ("CodeS3Bucket".into(), "my-code".into()),
        ("CodeS3Key".into(), "builds/app-9.zip".into()),
    ];
    let mut update = json!({"update": true, "parameters": {"CodeS3Key": "builds/app-10.zip"}});
    let (status, body) = h.create("shop-lambda", update.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Unless the request empties the bucket itself.
    update["parameters"]["CodeS3Bucket"] = json!("");
    let (status, body) = h.create("shop-lambda", update).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["problems"][0]["path"], "parameters.CodeS3Bucket",
        "{body}"
    );
}

/// An update may name the stack's own code bucket (`stackplan-code-` and its id's last part,
/// as its template names it) once the stack has it, by its deployed template or its output:
/// it gets its update whatever the output says, or without one; another stack's bucket is
/// refused; a stack without the bucket yet, and a new stack, are told so.
#[tokio::test]
async fn an_update_names_the_stacks_own_code_bucket_by_its_id() {
    let h = harness();
    h.deployed("shop-lambda").await;
    let arn = h.cfn.stacks.lock().unwrap()[0].arn.clone();
    let own = format!("stackplan-code-{}", arn.split('/').nth(2).unwrap());
    let update = json!({"update": true, "parameters": {
        "CodeS3Bucket": own,
        "CodeS3Key": "stackplan-code/0000000000000000000000000000000000000000000000000000000000000000.zip"
    }});
    // Whatever the output says, and without one (a stack whose function ran an image keeps
    // the bucket, and its zips, without naming it): the bucket is the one its id names.
    h.cfn.stacks.lock().unwrap()[0]
        .outputs
        .retain(|o| o.key != "CodeBucketName");
    let (status, body) = h.create("shop-lambda", update.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut other = update.clone();
    other["parameters"]["CodeS3Bucket"] =
        json!("stackplan-code-00000000-0000-0000-0000-000000000000");
    let (status, body) = h.create("shop-lambda", other.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["problems"][0]["path"], "parameters.CodeS3Bucket",
        "{body}"
    );
    // A stack without the bucket yet (deployed before image functions kept it) gets it from
    // the update, empty: its own name is refused as the code's place until then.
    {
        let mut stacks = h.cfn.stacks.lock().unwrap();
        let mut doc: Value = serde_json::from_str(stacks[0].deployed.as_deref().unwrap()).unwrap();
        doc["Resources"]
            .as_object_mut()
            .unwrap()
            .remove("CodeBucket");
        stacks[0].deployed = Some(doc.to_string());
    }
    // Nor has a new stack.
    other["update"] = json!(false);
    for (stack, request) in [("shop-lambda", update), ("shop-new", other)] {
        let (status, body) = h.create(stack, request).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{stack}: {body}");
        assert!(
            body["problems"][0]["message"]
                .as_str()
                .unwrap()
                .contains("has none yet"),
            "{stack}: {body}"
        );
    }
}

/// What the server cannot read as sent is refused for that, not for what it then looks like:
/// two tokens (neither is taken, in either order) and a compressed body.
#[tokio::test]
async fn two_tokens_or_a_compressed_body_are_refused_as_such() {
    let h = harness();
    let good = format!("Bearer {TOKEN}");
    for (token, other) in [(TOKEN, "Bearer bad"), ("bad", good.as_str())] {
        let (status, body, _) = h
            .send(
                "GET",
                "/api/deploy/token",
                Some(token),
                None,
                &[("authorization", other)],
            )
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_token")),
            "{body}"
        );
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("more than one Authorization header"),
            "{body}"
        );
    }
    // A compressed body is refused for its encoding; `identity` is no encoding.
    for (coding, refused) in [("gzip", true), ("identity", false)] {
        let (status, body, _) = h
            .send(
                "POST",
                "/api/deployments",
                Some(TOKEN),
                Some(json!({"stack_name": "shop-lambda"})),
                &[("content-encoding", coding)],
            )
            .await;
        assert_eq!(
            status == StatusCode::UNSUPPORTED_MEDIA_TYPE,
            refused,
            "{coding}: {body}"
        );
        if refused {
            assert_eq!(body["error"], "unsupported_media_type", "{body}");
            assert!(
                body["message"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("`Content-Encoding: {coding}`")),
                "{body}"
            );
        }
    }
}

/// A name that could never be a resource's is said so at its place, whatever the stack is
/// doing (here it is well, so the request would be refused for its state after that).
#[tokio::test]
async fn keep_and_skip_names_are_checked_before_the_stacks_state() {
    let h = harness();
    let id = h.deployed("shop-lambda").await;
    for (route, field) in [("delete-keeping", "keep"), ("continue-rollback", "skip")] {
        let (status, body, _) = h
            .send(
                "POST",
                &format!("/api/deployments/{id}/{route}"),
                Some(TOKEN),
                Some(json!({ field: ["Table", "a-b"] })),
                &[],
            )
            .await;
        assert_eq!(
            (
                status,
                body["error"].as_str(),
                body["problems"][0]["path"].as_str()
            ),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(format!("invalid_{field}").as_str()),
                Some(format!("{field}[1]").as_str())
            ),
            "{body}"
        );
        let (status, body, _) = h
            .send(
                "POST",
                &format!("/api/deployments/{id}/{route}"),
                Some(TOKEN),
                Some(json!({ field: ["Table"] })),
                &[],
            )
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::CONFLICT, Some("wrong_stack_state")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn tokens_are_required_on_every_deploy_endpoint() {
    let h = harness();
    let id = "YXJuOmF3czpjbG91ZGZvcm1hdGlvbjp1cy1lYXN0LTE6MTExMTIyMjIzMzMzOnN0YWNrL3Nob3AvMDAwMC0w";
    for (method, uri) in [
        ("POST", "/api/deployments".to_string()),
        ("GET", format!("/api/deployments/{id}")),
        ("DELETE", format!("/api/deployments/{id}")),
        ("POST", format!("/api/deployments/{id}/execute")),
        ("GET", format!("/api/deployments/{id}/events")),
    ] {
        let (status, body, _) = h.send(method, &uri, None, Some(json!({})), &[]).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("missing_token")),
            "{method} {uri}"
        );
        assert!(
            h.seen
                .lock()
                .unwrap()
                .last()
                .unwrap()
                .contains("\"www-authenticate\": \"Bearer")
        );
        let (status, body, _) = h
            .send(method, &uri, Some("wrong-token"), Some(json!({})), &[])
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_token")),
            "{method} {uri}"
        );
    }
    assert!(h.sts.calls.lock().unwrap().is_empty());
}

#[tokio::test]
async fn only_the_generated_template_is_ever_deployed() {
    let h = harness();
    let valid = shared::validate::ValidPlan::new(shared::examples::for_kind(
        shared::plan::ArchitectureKind::Lambda,
    ))
    .unwrap();
    let template = shared::template::generate(&valid);
    let tampered = template
        .to_json()
        .replace("\"MemorySize\": 512", "\"MemorySize\": 10240");
    assert_ne!(tampered, template.to_json());
    let (status, body) = h.create("shop-lambda", json!({"template": tampered})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("template_mismatch")),
        "{body}"
    );
    // The template as generated is deployed, and the same template in YAML is the same
    // request: it is answered with the stack the first one started.
    let (status, first) = h
        .create("shop-lambda", json!({"template": template.to_json()}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, again) = h
        .create("shop-lambda", json!({"template": template.to_yaml()}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["id"], first["id"]);
    // Each change set (all of them new stacks here) declares exactly its template's resource
    // types (`ResourceTypes`): CloudFormation refuses any other type in it, and the deployer
    // role refuses a request without them.
    let made = h.cfn.request_types.lock().unwrap().clone();
    assert!(!made.is_empty());
    for (body, types) in made {
        let doc: Value = serde_json::from_str(&body).unwrap();
        let declared: std::collections::BTreeSet<&str> = doc["Resources"]
            .as_object()
            .unwrap()
            .values()
            .map(|r| r["Type"].as_str().unwrap())
            .collect();
        assert_eq!(types, declared.into_iter().collect::<Vec<_>>());
    }
}

/// A plan may name only the account's settings and zones its bootstrap allows (here the
/// prefix `stackplan/` and the zone `ZALLOWED`); the rest is refused before STS, each at its
/// field, and the same plan within them deploys.
#[tokio::test]
async fn secrets_and_zones_beyond_the_bootstrap_are_refused_before_any_aws_call() {
    let h = harness();
    let mut plan = lambda_plan();
    plan["environment"] = json!([
        {"name": "OK_SECRET", "secret": "stackplan/shop/stripe"},
        {"name": "OTHER_APP", "secret": "prod/billing/db"},
        {"name": "OTHER_ACCOUNT", "secret": "arn:aws:secretsmanager:us-east-1:999999999999:secret:stackplan/x-AbCdEf"},
        {"name": "API_KEY", "generate": true}
    ]);
    plan["domain"] = json!({"name": "api.example.com", "hosted_zone_id": "ZOTHER"});
    let (status, body) = h.create("shop-lambda", json!({"plan": plan})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("beyond_bootstrap")),
        "{body}"
    );
    let paths = problem_paths(&body);
    assert_eq!(
        paths,
        [
            "plan.environment[1].secret",
            "plan.environment[2].secret",
            "plan.domain.hosted_zone_id"
        ],
        "{body}"
    );
    assert!(h.sts.calls.lock().unwrap().is_empty());
    plan["environment"] = json!([
        {"name": "OK_SECRET", "secret": "stackplan/shop/stripe"},
        {"name": "API_KEY", "generate": true}
    ]);
    plan["domain"]["hosted_zone_id"] = json!("ZALLOWED");
    let (status, body) = h.create("shop-lambda", json!({"plan": plan})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// A plan that reads many values (scripted stores that answer only once the look-ups started
/// with them have started): they are asked a few at a time, not in one burst that Systems
/// Manager would throttle, and still several at once.
#[tokio::test]
async fn many_values_are_looked_up_a_few_at_a_time() {
    let h = harness();
    let mut plan = fargate_plan();
    plan["environment"] = (0..20)
        .map(|i| json!({"name": format!("SETTING_{i}"), "ssm_parameter": format!("/stackplan/shop/setting-{i}")}))
        .collect();
    let (status, body) = h.create("shop-fargate", json!({"plan": plan})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(h.stores.calls.lock().unwrap().len(), 20);
    let (now, most) = *h.stores.in_flight.lock().unwrap();
    assert_eq!(now, 0);
    assert!((2..=4).contains(&most), "{most} look-ups at once");
}
/// The secrets and parameters a plan reads are looked up before anything is created (Secrets
/// Manager and Parameter Store scripted with DescribeSecret's and ListTagsForResource's
/// answers): each missing one, or a secret scheduled for deletion, is refused at its field; a
/// reference by ARN is asked in its own region, a value two variables read once; the session
/// that asks can ask nothing else.
#[tokio::test]
async fn secrets_and_parameters_that_are_not_there_are_refused_before_any_stack() {
    let h = harness();
    let other_region =
        "arn:aws:secretsmanager:eu-west-1:111122223333:secret:stackplan/shop/mail-AbCdEf";
    h.stores.missing.lock().unwrap().extend([
        "stackplan/shop/stripe".to_string(),
        "/stackplan/shop/db".to_string(),
        other_region.to_string(),
    ]);
    h.stores
        .deleting
        .lock()
        .unwrap()
        .push("stackplan/shop/old".into());
    let mut plan = fargate_plan();
    plan["environment"] = json!([
        {"name": "STRIPE_KEY", "secret": "stackplan/shop/stripe"},
        {"name": "STRIPE_KEY_AGAIN", "secret": "stackplan/shop/stripe"},
        {"name": "DB_URL", "ssm_parameter": "stackplan/shop/db"},
        {"name": "OLD", "secret": "stackplan/shop/old"},
        {"name": "MAIL", "secret": other_region},
        {"name": "THERE", "ssm_parameter": "/stackplan/shop/flag"},
        {"name": "API_KEY", "generate": true}
    ]);
    let (status, body) = h.create("shop-fargate", json!({"plan": plan})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("missing_values")),
        "{body}"
    );
    assert_eq!(
        problem_paths(&body),
        [
            "plan.environment[0].secret",
            "plan.environment[1].secret",
            "plan.environment[2].ssm_parameter",
            "plan.environment[3].secret",
            "plan.environment[4].secret"
        ],
        "{body}"
    );
    let messages: Vec<&str> = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap())
        .collect();
    assert!(
        messages[0].contains("no secret stackplan/shop/stripe in us-east-1"),
        "{}",
        messages[0]
    );
    assert!(
        messages[2].contains("no parameter /stackplan/shop/db in us-east-1"),
        "{}",
        messages[2]
    );
    assert!(
        messages[3].contains("scheduled for deletion"),
        "{}",
        messages[3]
    );
    assert!(messages[4].contains("in eu-west-1"), "{}", messages[4]);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("the account does not have what the plan reads (5 problems): Secrets Manager has no secret stackplan/shop/stripe"),
        "{body}"
    );
    assert!(h.cfn.stacks.lock().unwrap().is_empty(), "nothing created");
    let calls = h.stores.calls.lock().unwrap().clone();
    assert_eq!(
        calls
            .iter()
            .filter(|(_, id, _)| id == "stackplan/shop/stripe")
            .count(),
        1,
        "asked once for two variables: {calls:?}"
    );
    assert!(calls.contains(&("secret", other_region.to_string(), "eu-west-1".to_string())));
    assert!(calls.contains(&(
        "parameter",
        "/stackplan/shop/flag".to_string(),
        "us-east-1".to_string()
    )));
    let policy = session_policy_with(&h, "secretsmanager:");
    assert_eq!(
        policy["Statement"],
        json!([{
            "Sid": "StackplanSecretsExist",
            "Effect": "Allow",
            "Action": ["secretsmanager:DescribeSecret"],
            "Resource": [format!("arn:aws:secretsmanager:*:{ACCOUNT}:secret:stackplan/*")]
        }, {
            "Sid": "StackplanParametersExist",
            "Effect": "Allow",
            "Action": ["ssm:ListTagsForResource"],
            "Resource": [format!("arn:aws:ssm:*:{ACCOUNT}:parameter/stackplan/*")]
        }])
    );

    // A region the ARN names whose store does not answer (a typo of a region): said at the
    // field, not as the server's trouble reaching AWS.
    h.stores
        .unreachable
        .lock()
        .unwrap()
        .push("eu-west-1".into());
    let (status, body) = h.create("shop-fargate", json!({"plan": plan})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["problems"][4]["message"],
        "Secrets Manager in eu-west-1, the region the ARN names, did not answer the look-up: check the ARN's region, and that the region is enabled in this account",
        "{body}"
    );
    h.stores.unreachable.lock().unwrap().clear();

    // Everything there: the stack is created.
    h.stores.missing.lock().unwrap().clear();
    h.stores.deleting.lock().unwrap().clear();
    let request = json!({"plan": plan});
    let (status, created) = h.create("shop-fargate", request.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    // The same create sent again (its answer lost) while its stack is made is answered with
    // that stack, whatever the stores say now: it is not a new deploy.
    h.stores
        .missing
        .lock()
        .unwrap()
        .push("stackplan/shop/stripe".into());
    let (status, again) = h.create("shop-fargate", request).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["id"], created["id"]);
}

/// An image the plan runs from the account's own ECR is looked up before anything is made (ECR
/// scripted with DescribeImages' answers): a repository that is not there is said at the
/// image, a tag that is not pushed where the tag was given; the repository is asked in the
/// region its URI names; another account's image is not asked.
#[tokio::test]
async fn an_image_of_the_accounts_ecr_that_is_not_pushed_is_refused_before_any_stack() {
    let h = harness();
    let mut plan = fargate_plan();
    plan["fargate"]["image"] = json!(format!(
        "{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/team/shop-api"
    ));
    plan["fargate"]["image_tag"] = json!("1.4.2");
    let refused = |body: &Value| {
        (
            body["error"].as_str().map(String::from),
            body["problems"][0]["path"].as_str().map(String::from),
            body["problems"][0]["message"].as_str().map(String::from),
        )
    };
    let (status, body) = h.create("shop-fargate", json!({"plan": plan})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        refused(&body),
        (
            Some("missing_values".into()),
            Some("plan.fargate.image".into()),
            Some("this account's ECR has no repository team/shop-api in eu-west-1: create it and push the image, or correct the image".into())
        )
    );
    h.ecr
        .repositories
        .lock()
        .unwrap()
        .push("team/shop-api".into());
    let (_, body) = h.create("shop-fargate", json!({"plan": plan})).await;
    assert_eq!(
        refused(&body),
        (
            Some("missing_values".into()),
            Some("plan.fargate.image_tag".into()),
            Some("ECR has no image tagged 1.4.2 in the repository team/shop-api (eu-west-1): push it first, or give a tag it has".into())
        )
    );
    // A tag the request gives is said at the request's parameter.
    let (_, body) = h
        .create(
            "shop-fargate",
            json!({"plan": plan, "parameters": {"ImageTag": "2.0.0"}}),
        )
        .await;
    assert_eq!(
        refused(&body).1.as_deref(),
        Some("parameters.ImageTag"),
        "{body}"
    );
    assert!(h.cfn.stacks.lock().unwrap().is_empty(), "nothing created");
    // The session that asked could ask nothing else, of no other repository or region.
    let policy = session_policy_with(&h, "ecr:");
    assert_eq!(
        policy["Statement"][0]["Resource"],
        format!("arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/team/shop-api")
    );
    // Pushed: the stack is created.
    h.ecr
        .pushed
        .lock()
        .unwrap()
        .push(("team/shop-api".into(), "1.4.2".into()));
    let (status, body) = h.create("shop-fargate", json!({"plan": plan})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        h.ecr.regions.lock().unwrap().last().map(String::as_str),
        Some("eu-west-1"),
        "asked in the region the image's address names"
    );
    // Another account's image cannot be asked, and is not.
    let asked = h.ecr.calls.lock().unwrap().len();
    plan["fargate"]["image"] = json!("999999999999.dkr.ecr.eu-west-1.amazonaws.com/theirs");
    let (status, body) = h.create("other-fargate", json!({"plan": plan})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(h.ecr.calls.lock().unwrap().len(), asked);

    // A function's image at the template's default tag, not pushed: said at the image.
    let mut function = lambda_plan();
    function["lambda"]["image"] =
        json!(format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop-fn"));
    h.ecr.repositories.lock().unwrap().push("shop-fn".into());
    let (status, body) = h.create("shop-lambda", json!({"plan": function})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        refused(&body),
        (
            Some("missing_values".into()),
            Some("plan.lambda.image".into()),
            Some("ECR has no image tagged latest, the template's default tag, in the repository shop-fn (us-east-1): push it first, or give the image tag to deploy".into())
        )
    );
    // An account bootstrapped before the look-up: its deployer role sees only Stackplan's
    // repositories, so the deploy goes ahead as it did then, and the log says why.
    *h.ecr.deny.lock().unwrap() = true;
    let (status, body) = h.create("shop-lambda", json!({"plan": function})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let logs = String::from_utf8(h.logs.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("ECR refused the image look-up, so the deploy goes ahead without it"),
        "{logs}"
    );
}

/// An update that keeps the image and the tag the stack runs does not ask for them again (it
/// starts no task from anything new, so a tag since deleted from ECR does not stop it); one
/// that moves the service to another repository does.
#[tokio::test]
async fn an_update_asks_for_the_image_only_when_the_image_or_tag_changes() {
    let h = harness();
    let mut plan = fargate_plan();
    plan["fargate"]["image"] = json!(format!(
        "{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/team/shop-api"
    ));
    plan["fargate"]["image_tag"] = json!("1.4.2");
    h.ecr
        .repositories
        .lock()
        .unwrap()
        .extend(["team/shop-api".to_string(), "team/shop-worker".to_string()]);
    h.ecr
        .pushed
        .lock()
        .unwrap()
        .push(("team/shop-api".into(), "1.4.2".into()));
    let (status, created) = h.create("shop-fargate", json!({"plan": plan})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    h.events(&id, None).await;
    // As CloudFormation describes the stack: every parameter, defaults too.
    h.cfn.stacks.lock().unwrap()[0].parameters = vec![("ImageTag".into(), "1.4.2".into())];
    let asked = h.ecr.calls.lock().unwrap().len();
    h.ecr.pushed.lock().unwrap().clear();
    let (status, body) = h
        .create("shop-fargate", json!({"plan": plan, "update": true}))
        .await;
    assert_ne!(body["error"], "missing_values", "{status} {body}");
    assert_eq!(h.ecr.calls.lock().unwrap().len(), asked, "not asked again");
    plan["fargate"]["image"] = json!(format!(
        "{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/team/shop-worker"
    ));
    let (status, body) = h
        .create("shop-fargate", json!({"plan": plan, "update": true}))
        .await;
    assert_eq!(
        (
            status,
            body["error"].as_str(),
            body["problems"][0]["path"].as_str()
        ),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("missing_values"),
            Some("plan.fargate.image_tag")
        ),
        "{body}"
    );
}

/// An account bootstrapped before the look-ups: its deployer role may not make them, so the
/// deploy goes ahead as it did then, and the log (not the answer) says to update the
/// bootstrap, naming no account.
#[tokio::test]
async fn an_account_whose_bootstrap_predates_the_look_ups_still_deploys() {
    let h = harness();
    *h.stores.deny.lock().unwrap() = true;
    let mut plan = lambda_plan();
    plan["environment"] = json!([{"name": "STRIPE_KEY", "secret": "stackplan/shop/stripe"}]);
    let (status, body) = h.create("shop-lambda", json!({"plan": plan})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(h.stores.calls.lock().unwrap().len(), 1);
    let logs = String::from_utf8(h.logs.lock().unwrap().clone()).unwrap();
    let line = logs
        .lines()
        .find(|l| l.contains("a value store refused the look-up"))
        .expect("the refusal is logged");
    assert!(
        line.contains("update the account's bootstrap stack"),
        "{line}"
    );
    assert!(!line.contains(ACCOUNT), "{line}");
}

#[tokio::test]
async fn bad_plans_and_names_get_every_problem_at_once() {
    let h = harness();
    let mut plan = lambda_plan();
    plan["lambda"]["memory_mb"] = json!(99);
    plan["lambda"]["timeout_s"] = json!(9000);
    let (status, body) = h.create("shop-lambda", json!({"plan": plan})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_plan")),
        "{body}"
    );
    assert!(body["problems"].as_array().unwrap().len() >= 2, "{body}");
    // A warning beside an error (a timeout beyond the API's wait) is not a problem of the
    // plan's: the refusal lists and counts the error alone.
    let mut plan = lambda_plan();
    plan["lambda"]["memory_mb"] = json!(99);
    plan["lambda"]["timeout_s"] = json!(60);
    let checked: shared::plan::Plan = serde_json::from_value(plan.clone()).unwrap();
    let found = shared::ValidPlan::new(checked).unwrap_err();
    assert!(
        found.iter().any(|p| p.path == "lambda.timeout_s"),
        "{found:?}"
    );
    let (_, body) = h.create("shop-lambda", json!({"plan": plan})).await;
    let paths = problem_paths(&body);
    assert_eq!(paths, ["plan.lambda.memory_mb"], "{body}");
    assert_eq!(body["message"], "the plan has 1 problem", "{body}");
    let (status, body) = h.create("2 bad names", json!({})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_stack_name"))
    );
    let (status, body, _) = h
        .send(
            "POST",
            "/api/deployments",
            Some(TOKEN),
            Some(json!({"plan": {}, "stack_name": "x"})),
            &[],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_plan")),
        "{body}"
    );
    assert_eq!(body["problems"][0]["path"], "plan", "{body}");
    assert!(
        body["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("project"),
        "{body}"
    );
    // A field path inside the plan names the field.
    let mut plan = lambda_plan();
    plan["lambda"]["runtime"] = json!("cobol");
    let (_, body) = h.create("shop-lambda", json!({"plan": plan})).await;
    assert_eq!(body["problems"][0]["path"], "plan.lambda.runtime", "{body}");
    // Every field that does not read, not the first alone: a wrong type, an unknown field,
    // a tag that is not text; none of the fields taken out is said to be missing.
    plan["lambda"]["memory_mb"] = json!("lots");
    plan["lambda"]["timeout"] = json!(3);
    plan["tags"] = json!({"team": 5});
    let (status, body) = h.create("shop-lambda", json!({"plan": plan})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        problem_paths(&body),
        [
            "plan.tags.team",
            "plan.lambda.memory_mb",
            "plan.lambda.runtime",
            "plan.lambda.timeout"
        ],
        "{body}"
    );
    assert_eq!(body["message"], "the plan has 4 problems", "{body}");
    assert!(!body.to_string().contains("missing field"), "{body}");
    assert_eq!(body.get("more_problems"), None, "{body}");
    // More than are listed: the answer says so, in words and as a flag.
    let mut crowded = lambda_plan();
    for i in 0..30 {
        crowded["lambda"][format!("extra_{i:02}")] = json!(i);
    }
    let (status, body) = h.create("shop-lambda", json!({"plan": crowded})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["problems"].as_array().unwrap().len(), 21, "{body}");
    assert_eq!(body["more_problems"], true, "{body}");
    assert_eq!(
        body["message"], "the plan has more than 21 problems",
        "{body}"
    );
    assert!(h.sts.calls.lock().unwrap().is_empty());
    // Anything else wrong with the body is a bad request, named by its path.
    let (status, body, _) = h
        .send(
            "POST",
            "/api/deployments",
            Some(TOKEN),
            Some(json!({"stak_name": "x"})),
            &[],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request")),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("stak_name"),
        "{body}"
    );
    // Rust's names of types are not the user's: an array for the request is "expected an
    // object", a number for the plan's database too.
    let (status, body, _) = h
        .send(
            "POST",
            "/api/deployments",
            Some(TOKEN),
            Some(json!([])),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("not a JSON object") && !message.contains("struct"),
        "{body}"
    );
    let mut plan = fargate_plan();
    plan["fargate"]["database"] = json!(5);
    let (_, body) = h.create("shop-fargate", json!({"plan": plan})).await;
    assert_eq!(
        body["problems"][0]["message"], "invalid type: integer `5`, expected an object",
        "{body}"
    );
    let (status, body, _) = h
        .send("GET", "/api/deployments/not-an-id", Some(TOKEN), None, &[])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_deployment"))
    );
}

#[tokio::test]
async fn credentials_are_refreshed_before_they_expire_and_never_leak() {
    let h = harness();
    // Credentials that expire within the refresh margin are assumed again on the next call.
    *h.sts.lifetime.lock().unwrap() = Some(Duration::from_secs(240));
    let (_, created) = h.create("shop-lambda", json!({})).await;
    let id = created["id"].as_str().unwrap().to_string();
    let after_create = h.sts.calls.lock().unwrap().len();
    h.execute(&id).await;
    h.events(&id, None).await;
    let calls = h.sts.calls.lock().unwrap().len();
    assert!(
        calls > after_create + 3,
        "refreshed during the deploy: {after_create} then {calls} AssumeRole calls"
    );
    // Long-lived ones are reused.
    *h.sts.lifetime.lock().unwrap() = Some(Duration::from_secs(3600));
    h.send(
        "GET",
        &format!("/api/deployments/{id}"),
        Some(TOKEN),
        None,
        &[],
    )
    .await;
    let calls = h.sts.calls.lock().unwrap().len();
    h.send(
        "GET",
        &format!("/api/deployments/{id}"),
        Some(TOKEN),
        None,
        &[],
    )
    .await;
    h.send(
        "GET",
        &format!("/api/deployments/{id}"),
        Some(TOKEN),
        None,
        &[],
    )
    .await;
    assert_eq!(h.sts.calls.lock().unwrap().len(), calls);
    let logs = String::from_utf8_lossy(&h.logs.lock().unwrap()).to_string();
    assert!(logs.contains("assumed"), "the log says what happened");
    // The role is named by a digest: its name is the account's business.
    assert!(
        logs.contains("role=")
            && !logs.contains("role=deployer")
            && !logs.contains("role=\"deployer\""),
        "{logs}"
    );
    assert!(!logs.contains(ROLE), "{logs}");
    h.assert_no_secrets();
}

#[tokio::test]
async fn a_deployment_id_survives_a_restart_and_works_on_another_replica() {
    let h = harness();
    let (_, created) = h.create("shop-lambda", json!({})).await;
    let id = created["id"].as_str().unwrap().to_string();
    h.execute(&id).await;
    // A second server: new deployer, new credentials cache, no memory of the first; the same AWS.
    let other = harness_with(h.cfn.clone(), Arc::new(StsDouble::default()), |_| {});
    let events = other.events(&id, None).await;
    assert_eq!(events.last().unwrap().2["status"], "CREATE_COMPLETE");
    let (status, got, _) = other
        .send(
            "GET",
            &format!("/api/deployments/{id}"),
            Some(TOKEN),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (status, got["stack_name"].as_str()),
        (StatusCode::OK, Some("shop-lambda"))
    );
}

/// A stack being created is left to settle: a DELETE meanwhile is refused, and reaches no
/// DeleteStack.
#[tokio::test]
async fn a_stack_being_created_is_not_deleted_until_it_settles() {
    let h = harness();
    let id = started(&h).await;
    let path = format!("/api/deployments/{id}");
    let (status, body, _) = h.send("DELETE", &path, Some(TOKEN), None, &[]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("stack_busy")),
        "{body}"
    );
    assert!(
        h.cfn.delete_tokens.lock().unwrap().is_empty(),
        "no DeleteStack"
    );
    let events = h.events(&id, None).await;
    assert_eq!(events.last().unwrap().2["status"], "CREATE_COMPLETE");
    let (status, _, text) = h.send("DELETE", &path, Some(TOKEN), None, &[]).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{text}");
}

/// A stack whose delete failed (a protected database, say) can be deleted again once the
/// cause is gone. CloudFormation does nothing for a request token it has seen (it takes the
/// call for a retry), which the double cannot show; what the server controls is that each
/// DELETE sends a token of its own.
#[tokio::test]
async fn a_delete_after_a_failed_one_is_a_new_attempt() {
    let h = harness();
    let id = started(&h).await;
    h.events(&id, None).await;
    let path = format!("/api/deployments/{id}");
    let delete = || h.send("DELETE", &path, Some(TOKEN), None, &[]);
    assert_eq!(delete().await.0, StatusCode::ACCEPTED);
    {
        // This delete fails instead of completing.
        let mut stacks = h.cfn.stacks.lock().unwrap();
        let s = stacks.last_mut().unwrap();
        let n = s.events.len() + 1;
        let name = s.name.clone();
        s.script.clear();
        s.script.push_back(event(
            n,
            &name,
            "AWS::CloudFormation::Stack",
            "DELETE_FAILED",
            Some("The following resource(s) failed to delete: [Database]."),
        ));
    }
    let events = h.events(&id, None).await;
    assert_eq!(events.last().unwrap().2["status"], "DELETE_FAILED");
    assert_eq!(
        delete().await.0,
        StatusCode::ACCEPTED,
        "a failed delete can be tried again"
    );
    let tokens = h.cfn.delete_tokens.lock().unwrap().clone();
    assert_eq!(tokens.len(), 2, "{tokens:?}");
    assert_ne!(
        tokens[0], tokens[1],
        "the second delete would be taken for a retry of the first"
    );
    assert!(
        tokens
            .iter()
            .all(|t| t.starts_with("stackplan-delete-") && t.len() <= 128),
        "{tokens:?}"
    );
}

/// A stack whose delete failed at resources it cannot delete (a protected database, a
/// protected load balancer: moto's sandbox makes this too, see `deploy_moto.rs`) can be
/// deleted keeping them in the account. What is kept is what the stack's own events say the
/// delete could not delete: any other name is refused at its path, and so is a stack whose
/// delete did not fail. CloudFormation is sent exactly the names kept (`RetainResources`).
#[tokio::test]
async fn a_stack_whose_delete_failed_is_deleted_keeping_only_what_it_could_not_delete() {
    let mut h = harness();
    // Another tenant of the server, with its own owner.
    let other = "team-b-token-0123456789";
    let own = |prefix: &str, zone: &str| AccountRoles {
        settings_prefixes: vec![prefix.into()],
        hosted_zone_ids: vec![zone.into()],
        ..roles(ROLE, ACCOUNT)
    };
    let file = json!({"tokens": [
        {"token": TOKEN, "roles": [own("stackplan/shared/", "ZS")]},
        {"token": other, "owner": "team-b", "roles": [own("stackplan/team-b/", "ZB")]},
    ]});
    h.state.tokens = Arc::new(Tokens::from_file(&file.to_string()).unwrap());
    let id = started(&h).await;
    h.events(&id, None).await;
    let keep_path = format!("/api/deployments/{id}/delete-keeping");
    let keeping = |keep: Value| {
        h.send(
            "POST",
            &keep_path,
            Some(TOKEN),
            Some(json!({ "keep": keep })),
            &[],
        )
    };
    // A stack whose delete did not fail keeps nothing this way: a state conflict, known from
    // the stack's status before its events are read.
    let reads = h.cfn.event_reads();
    let (status, body, _) = keeping(json!(["Function"])).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("wrong_stack_state")),
        "{body}"
    );
    assert_eq!(h.cfn.event_reads(), reads);
    assert!(h.cfn.delete_tokens.lock().unwrap().is_empty());

    let path = format!("/api/deployments/{id}");
    assert_eq!(
        h.send("DELETE", &path, Some(TOKEN), None, &[]).await.0,
        StatusCode::ACCEPTED
    );
    {
        // This delete fails at the protected resources, as CloudFormation records it.
        let mut stacks = h.cfn.stacks.lock().unwrap();
        let s = stacks.last_mut().unwrap();
        let n = s.events.len() + 1;
        let name = s.name.clone();
        s.script.clear();
        let protected = "Resource handler returned message: \"Cannot delete protected DB Instance, please disable deletion protection and try again.\"";
        for (i, (logical, ty, status, reason)) in [
            (
                "Database",
                "AWS::RDS::DBInstance",
                "DELETE_IN_PROGRESS",
                None,
            ),
            (
                "Database",
                "AWS::RDS::DBInstance",
                "DELETE_FAILED",
                Some(protected),
            ),
            ("Logs", "AWS::Logs::LogGroup", "DELETE_COMPLETE", None),
            (
                "LoadBalancer",
                "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "DELETE_FAILED",
                Some("Load balancer has deletion protection enabled"),
            ),
            (
                &*name,
                "AWS::CloudFormation::Stack",
                "DELETE_FAILED",
                Some("The following resource(s) failed to delete: [Database, LoadBalancer]."),
            ),
        ]
        .into_iter()
        .enumerate()
        {
            s.script
                .push_back(event(n + i, logical, ty, status, reason));
        }
    }
    let events = h.events(&id, None).await;
    let failed = &events.last().unwrap().2;
    assert_eq!(failed["status"], "DELETE_FAILED", "{failed}");
    // The status names what the delete could not delete, with why: what may be kept.
    let undeleted: Vec<(&str, &str)> = failed["undeleted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["logical_id"].as_str().unwrap(),
                f["resource_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        undeleted,
        [
            ("Database", "AWS::RDS::DBInstance"),
            ("LoadBalancer", "AWS::ElasticLoadBalancingV2::LoadBalancer")
        ],
        "{failed}"
    );
    assert!(
        failed["undeleted"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("deletion protection"),
        "{failed}"
    );

    // Only what the delete left may be kept: a deleted log group, or a name it never had, is
    // refused at its path, with what may be kept.
    let (status, body, _) = keeping(json!(["Database", "Logs", "Nothing"])).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_keep")),
        "{body}"
    );
    let paths = problem_paths(&body);
    assert_eq!(paths, ["keep[1]", "keep[2]"], "{body}");
    assert!(
        body["problems"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with("(those are Database, LoadBalancer)"),
        "{body}"
    );
    assert_eq!(
        h.cfn.delete_tokens.lock().unwrap().len(),
        1,
        "nothing was sent"
    );
    // Another tenant's stack is not there for it, and nothing is sent.
    let (status, body, _) = h
        .send(
            "POST",
            &format!("/api/deployments/{id}/delete-keeping"),
            Some(other),
            Some(json!({"keep": ["Database"]})),
            &[],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_deployment")),
        "{body}"
    );
    assert_eq!(h.cfn.delete_tokens.lock().unwrap().len(), 1);

    // Keeping the database: CloudFormation is asked to retain it alone; the load balancer is
    // tried again.
    let (status, body, _) = keeping(json!(["Database"])).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(
        h.cfn.delete_retains.lock().unwrap().clone(),
        vec![Vec::<String>::new(), vec!["Database".to_string()]]
    );
    let events = h.events(&id, None).await;
    let done = &events.last().unwrap().2;
    assert_eq!(done["status"], "DELETE_COMPLETE", "{done}");
    // What was kept is said as left in the account, by its own type, kept as asked (its
    // template does not retain it).
    assert!(
        done["left_behind"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["logical_id"] == "Database"
                && l["resource_type"] == "AWS::RDS::DBInstance"
                && l["why"] == "asked"),
        "{done}"
    );
    let tokens = h.cfn.delete_tokens.lock().unwrap().clone();
    assert_ne!(
        tokens[0], tokens[1],
        "a new attempt, not a retry of the first"
    );
}

/// moto cannot fail a rollback, so CloudFormation's events for one are scripted here: an update
/// whose rollback failed at the function (`UPDATE_ROLLBACK_FAILED`) says what it could not roll
/// back (not what failed in the update itself and was rolled back, or was cancelled), and is
/// continued from Stackplan: again as it is, then skipping only what its own events name.
/// Before, the only way out was the CloudFormation console. The double refuses to skip what
/// AWS refuses (a resource that did not fail in the rollback).
#[tokio::test]
async fn a_failed_update_rollback_is_continued_skipping_only_what_it_could_not_roll_back() {
    let h = harness();
    let id = h.deployed("shop-lambda").await;
    let path = format!("/api/deployments/{id}/continue-rollback");
    let continuing =
        |skip: Value| h.send("POST", &path, Some(TOKEN), Some(json!({"skip": skip})), &[]);
    // A stack whose rollback did not fail continues nothing: a state conflict, known from the
    // stack's status before its events are read.
    let reads = h.cfn.event_reads();
    let (status, body, _) = continuing(json!([])).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("wrong_stack_state")),
        "{body}"
    );
    assert_eq!(h.cfn.event_reads(), reads);
    {
        let mut stacks = h.cfn.stacks.lock().unwrap();
        let s = stacks.last_mut().unwrap();
        let (n, name) = (s.events.len() + 1, s.name.clone());
        let stack = "AWS::CloudFormation::Stack";
        for (i, (logical, ty, status, reason)) in [
            (&*name, stack, "UPDATE_IN_PROGRESS", Some("User Initiated")),
            (
                "Function",
                "AWS::Lambda::Function",
                "UPDATE_FAILED",
                Some("Memory size out of range"),
            ),
            (
                "Api",
                "AWS::ApiGatewayV2::Api",
                "UPDATE_FAILED",
                Some("Resource update cancelled"),
            ),
            (
                "OrdersTable",
                "AWS::DynamoDB::Table",
                "UPDATE_FAILED",
                Some("Throughput exceeded"),
            ),
            (
                &*name,
                stack,
                "UPDATE_ROLLBACK_IN_PROGRESS",
                Some("The following resource(s) failed to update: [Function, OrdersTable]."),
            ),
            (
                "OrdersTable",
                "AWS::DynamoDB::Table",
                "UPDATE_COMPLETE",
                None,
            ),
            (
                "Function",
                "AWS::Lambda::Function",
                "UPDATE_FAILED",
                Some("Function code could not be restored"),
            ),
            (
                &*name,
                stack,
                "UPDATE_ROLLBACK_FAILED",
                Some("The following resource(s) failed to update: [Function]."),
            ),
        ]
        .into_iter()
        .enumerate()
        {
            s.events.push(event(n + i, logical, ty, status, reason));
        }
    }
    let status_path = format!("/api/deployments/{id}");
    let read = || h.send("GET", &status_path, Some(TOKEN), None, &[]);
    let (_, stuck, _) = read().await;
    assert_eq!(stuck["status"], "UPDATE_ROLLBACK_FAILED", "{stuck}");
    let named = |body: &Value| -> Vec<(String, String)> {
        body["not_rolled_back"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| {
                        (
                            f["logical_id"].as_str().unwrap().into(),
                            f["reason"].as_str().unwrap().into(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        named(&stuck),
        [(
            "Function".to_string(),
            "Function code could not be restored".to_string()
        )],
        "only what the rollback could not roll back, with why: {stuck}"
    );
    // Only that may be skipped: not what failed in the update and was cancelled.
    let (status, body, _) = continuing(json!(["Function", "Api"])).await;
    assert_eq!(
        (status, body["error"].as_str(), problem_paths(&body)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("invalid_skip"),
            vec!["skip[1]"]
        ),
        "{body}"
    );
    assert!(
        h.cfn.rollback_skips.lock().unwrap().is_empty(),
        "nothing was sent"
    );
    // Continued as it is, it fails again at the function: still said, with the new reason.
    *h.cfn.rollback_fails_again.lock().unwrap() = true;
    let (status, body, _) = continuing(json!([])).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    // Rolling back already: a second request is told so, with the id to follow it.
    let (status, busy, _) = continuing(json!([])).await;
    assert_eq!(
        (status, busy["error"].as_str(), busy["deployment"].as_str()),
        (StatusCode::CONFLICT, Some("stack_busy"), Some(id.as_str())),
        "{busy}"
    );
    let events = h.events(&id, None).await;
    let again = &events.last().unwrap().2;
    assert_eq!(again["status"], "UPDATE_ROLLBACK_FAILED", "{again}");
    assert_eq!(
        named(again),
        [(
            "Function".to_string(),
            "Function code could not be restored, again".to_string()
        )]
    );
    // Skipping it, the rollback completes.
    let (status, body, _) = continuing(json!(["Function"])).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(
        *h.cfn.rollback_skips.lock().unwrap(),
        vec![vec![], vec!["Function".to_string()]]
    );
    let events = h.events(&id, None).await;
    let done = &events.last().unwrap().2;
    assert_eq!(done["status"], "UPDATE_ROLLBACK_COMPLETE", "{done}");
    assert!(done.get("not_rolled_back").is_none(), "{done}");
}

#[tokio::test]
async fn delete_streams_its_events_to_delete_complete() {
    let h = harness();
    let id = h.deployed("shop-lambda").await;
    // A body on a delete (meant to keep something, say) is refused, not ignored: nothing is
    // deleted.
    let (status, body, _) = h
        .send(
            "DELETE",
            &format!("/api/deployments/{id}"),
            Some(TOKEN),
            Some(json!({"keep": ["Table"]})),
            &[],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("delete-keeping")),
        "{body}"
    );
    assert!(!h.cfn.calls.lock().unwrap().contains(&"delete_stack"));
    let (status, _, _) = h
        .send(
            "DELETE",
            &format!("/api/deployments/{id}"),
            Some(TOKEN),
            None,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let events = h.events(&id, None).await;
    assert_eq!(
        events.iter().find(|e| e.0 == "stack").unwrap().2["status"],
        "DELETE_IN_PROGRESS",
        "only the delete's events"
    );
    let done = &events.last().unwrap().2;
    assert_eq!(
        (
            done["status"].as_str(),
            done["succeeded"].as_bool(),
            done["progress"]["percent"].as_u64()
        ),
        (Some("DELETE_COMPLETE"), Some(true), Some(100))
    );
    // The name is free again.
    let (status, _) = h.create("shop-lambda", json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_sandbox_takes_both_examples_and_says_once_what_it_does_differently() {
    let h = harness_with(
        Arc::new(CfnDouble::default()),
        Arc::new(StsDouble::default()),
        |c| {
            c.target = Target::Sandbox {
                endpoint: "http://127.0.0.1:5000".into(),
            };
        },
    );
    let fargate = fargate_plan();
    for (name, body) in [
        ("shop-fargate", json!({"plan": fargate})),
        ("shop-lambda", json!({})),
    ] {
        let (status, body) = h.create(name, body).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(
            body["sandbox"],
            json!({"blockers": [], "notes": [server::deploy::sandbox::RECORDS_NOTE]}),
            "{name}"
        );
    }
}

#[tokio::test]
async fn the_target_endpoint_says_where_deploys_go() {
    let h = harness();
    let (status, body, _) = h.send("GET", "/api/deploy/target", None, None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"enabled": true, "target": {"kind": "aws"}}));
    let off = AppState::new(Config::default());
    let res = app(off)
        .oneshot(
            Request::get("/api/deploy/target")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let body: Value =
        serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["enabled"], false);
}

#[tokio::test]
async fn cors_is_open_only_to_configured_origins() {
    let h = harness();
    let preflight = |origin: &'static str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/api/deployments")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization,content-type",
            )
            .body(Body::empty())
            .unwrap()
    };
    let ok = app(h.state.clone())
        .oneshot(preflight("https://console.example.com"))
        .await
        .unwrap();
    assert_eq!(
        ok.headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .unwrap(),
        "https://console.example.com"
    );
    // Every method the API has, PUT (a Lambda's code upload) too.
    let methods = ok
        .headers()
        .get(header::ACCESS_CONTROL_ALLOW_METHODS)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    for method in ["GET", "POST", "PUT", "DELETE"] {
        assert!(
            methods.split(',').any(|m| m.trim() == method),
            "{method} not in {methods}"
        );
    }
    let other = app(h.state.clone())
        .oneshot(preflight("https://evil.example.net"))
        .await
        .unwrap();
    assert!(
        other
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
    // A preflight is answered by CORS, but only past the Host check, and with the security
    // headers every answer has: a rebound name is refused, even from an allowed origin.
    let mut rebound = preflight("https://console.example.com");
    rebound
        .headers_mut()
        .insert(header::HOST, "rebound.example.net".parse().unwrap());
    let refused = app(h.state.clone()).oneshot(rebound).await.unwrap();
    assert_eq!(refused.status(), StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(refused.headers()["x-content-type-options"], "nosniff");
    assert_eq!(ok.headers()["x-content-type-options"], "nosniff");
}

/// An answer the time limit gives (a CloudFormation call that never answers) reaches an
/// allowed console readable, with the headers a client acts on exposed (when to retry).
#[tokio::test(start_paused = true)]
async fn a_timed_out_answer_reaches_an_allowed_console_readable() {
    let h = harness();
    h.cfn.hang.lock().unwrap().push("create_stack");
    let body = json!({"stack_name": "shop-lambda", "plan": lambda_plan()});
    let answer = app(h.state.clone())
        .oneshot(
            Request::post("/api/deployments")
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ORIGIN, "https://console.example.com")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        answer.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://console.example.com"
    );
    let exposed = answer.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        exposed.contains("retry-after") && exposed.contains("www-authenticate"),
        "{exposed}"
    );
    h.cfn.hang.lock().unwrap().clear();
}

#[tokio::test]
async fn an_unreachable_sandbox_is_named_in_the_error() {
    // The real SDK clients, pointed at a port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let endpoint = format!("http://{closed}");
    let config = Config {
        aws_endpoint: Some(endpoint.clone()),
        session_seconds: 900,
        ..Config::default()
    };
    let clients = server::aws::Clients::load(&config.aws()).await;
    let deployer = server::deployer(&config, &clients, &Tokens::from_list(TOKEN).unwrap())
        .unwrap()
        .unwrap();
    let state =
        AppState::new(config).with_deployer(Arc::new(deployer), Tokens::from_list(TOKEN).unwrap());
    let req = Request::post("/api/deployments")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"plan": lambda_plan(), "stack_name": "shop-lambda"}).to_string(),
        ))
        .unwrap();
    let res = app(state).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    let body: Value =
        serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["error"], "aws_unreachable");
    assert!(
        body["message"].as_str().unwrap().contains(&endpoint),
        "{body}"
    );
}

/// A deploy role in another account than the server's must ask for an ExternalId: a server
/// configured with one that does not is refused at start, with the fix.
#[tokio::test]
async fn a_cross_account_role_without_an_external_id_is_refused_at_start() {
    let sts = StsDouble::default();
    let mut own = roles(ROLE, ACCOUNT);
    own.external_id = None;
    assert!(
        server::check_cross_account(&sts, placed(&[&own]))
            .await
            .is_ok()
    );
    let mut other = roles(TEAM_ROLE, "444455556666");
    other.external_id = None;
    let e = server::check_cross_account(&sts, placed(&[&own, &other]))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("needs an ExternalId"), "{e}");
    assert!(
        e.starts_with("roles[1]: "),
        "names where the role was given: {e}"
    );
    other.external_id = Some("x".into());
    assert!(
        server::check_cross_account(&sts, placed(&[&own, &other]))
            .await
            .is_ok()
    );
}

/// Roles with their places, `roles[i]`.
fn placed<'a>(
    roles: &'a [&'a AccountRoles],
) -> impl Iterator<Item = (String, &'a AccountRoles)> + 'a {
    roles
        .iter()
        .enumerate()
        .map(|(i, r)| (format!("roles[{i}]"), *r))
}

/// A start-up refusal of a tokens file's roles names the entry to mend.
#[tokio::test]
async fn a_tokens_files_bad_roles_are_named_by_their_place() {
    let config = Config::default();
    let clients = server::aws::Clients::load(&config.aws()).await;
    let mut unbounded = roles(TEAM_ROLE, "444455556666");
    unbounded.permissions_boundary_arn = None;
    let mut bounded = roles(ROLE, ACCOUNT);
    bounded.permissions_boundary_arn = Some(format!("arn:aws:iam::{ACCOUNT}:policy/b"));
    let file = json!({"tokens": [
        {"token": "team-a-token-0123456789", "roles": [bounded]},
        {"token": "team-b-token-0123456789", "roles": [bounded, unbounded]},
    ]});
    let tokens = Tokens::from_file(&file.to_string()).unwrap();
    let err = server::deployer(&config, &clients, &tokens)
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.starts_with("the tokens file's tokens[1].roles[1]: ")
            && err.contains("has no permissions boundary"),
        "{err}"
    );
}

// ----- limits, faults and shutdown (issue: the server holds under load and faults) ---------

/// A create of `n` resources: it stays in progress for about `3n` polls.
fn long_create(n: usize) -> Arc<CfnDouble> {
    let cfn = Arc::new(CfnDouble::default());
    let names: Vec<String> = (0..n).map(|i| format!("Topic{i}")).collect();
    let resources: Vec<(&str, &str)> = names
        .iter()
        .map(|n| (n.as_str(), "AWS::SNS::Topic"))
        .collect();
    cfn.script_success(&resources);
    cfn
}

/// Creates a stack (it starts at once); answers its deployment id.
/// The field paths of an error answer's problems, in order.
/// The policy of the first session the server asked STS for whose policy names `action` (a
/// prefix such as `ecr:` will do).
fn session_policy_with(h: &Harness, action: &str) -> Value {
    let call = h
        .sts
        .calls
        .lock()
        .unwrap()
        .iter()
        .find(|c| c.session_policy.contains(action))
        .cloned()
        .unwrap_or_else(|| panic!("no session may {action}"));
    serde_json::from_str(&call.session_policy).unwrap()
}

fn problem_paths(body: &Value) -> Vec<&str> {
    body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect()
}

async fn started(h: &Harness) -> String {
    let (status, created) = h.create("shop-lambda", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["status"], "CREATE_IN_PROGRESS", "{created}");
    assert!(
        created.get("change_set").is_none_or(Value::is_null),
        "{created}"
    );
    created["id"].as_str().unwrap().to_string()
}

async fn open_stream(state: &AppState, id: &str) -> axum::response::Response {
    open_stream_as(state, id, &format!("Bearer {TOKEN}")).await
}

/// The work before an event stream's first byte (the stack read and proved) is held to the
/// 30 s every other answer has: a DescribeStacks that never answers is `timed_out`, not a
/// stream that never starts while holding its place.
#[tokio::test(start_paused = true)]
async fn an_event_stream_that_cannot_start_answers_timed_out_at_30_seconds() {
    let h = harness_with(long_create(300), Arc::new(StsDouble::default()), |_| {});
    let id = started(&h).await;
    h.cfn.hang.lock().unwrap().push("stack");
    let start = tokio::time::Instant::now();
    let answer = open_stream(&h.state, &id).await;
    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    let waited = start.elapsed();
    assert!(
        (Duration::from_secs(30)..Duration::from_secs(31)).contains(&waited),
        "{waited:?} on the paused clock"
    );
    let body = answer.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"], "timed_out", "{body}");
    h.cfn.hang.lock().unwrap().clear();
}

/// A stream opened with `authorization` as the header's text.
async fn open_stream_as(
    state: &AppState,
    id: &str,
    authorization: &str,
) -> axum::response::Response {
    let req = Request::get(format!("/api/deployments/{id}/events"))
        .header(header::AUTHORIZATION, authorization)
        .body(Body::empty())
        .unwrap();
    app(state.clone()).oneshot(req).await.unwrap()
}

#[tokio::test]
async fn event_streams_per_token_are_capped_and_a_closed_stream_frees_its_place() {
    let h = harness_with(long_create(300), Arc::new(StsDouble::default()), |_| {});
    let id = started(&h).await;
    let state = AppState {
        config: Arc::new(Config {
            max_streams_per_token: 2,
            ..(*h.state.config).clone()
        }),
        ..h.state.clone()
    };
    let a = open_stream(&state, &id).await;
    let b = open_stream(&state, &id).await;
    assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
    // The same token spelled another way is the same token.
    for spelling in [format!("bearer {TOKEN}"), format!("Bearer   {TOKEN} ")] {
        let other = open_stream_as(&state, &id, &spelling).await;
        assert_eq!(
            other.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{spelling:?}"
        );
    }
    let third = open_stream(&state, &id).await;
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(third.headers().contains_key(header::RETRY_AFTER));
    let body: Value =
        serde_json::from_slice(&third.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["error"], "too_many_watchers", "{body}");
    // The client of `a` leaves without reading anything: its place is freed without waiting
    // for the stream's next event.
    drop(a);
    for _ in 0..500 {
        if state.streams.total() < 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        state.streams.total(),
        1,
        "the closed stream still holds its place"
    );
    assert_eq!(open_stream(&state, &id).await.status(), StatusCode::OK);
    drop(b);
}

/// A tenant held to a stack prefix (its tokens file's `stack_prefix`) is refused any other name
/// before the server calls AWS, so it can neither take nor learn of another's stacks; the token
/// route tells the panel the prefix.
#[tokio::test]
async fn a_tenants_stack_names_start_with_its_prefix() {
    let h = harness();
    let tenant = "tenant-token-0123456789abcdef";
    let file = json!({"tokens": [{"token": tenant, "owner": "team-a", "stack_prefix": "team-a-", "roles": [roles(ROLE, ACCOUNT)]}]});
    let mut state = h.state.clone();
    state.tokens = Arc::new(Tokens::from_file(&file.to_string()).unwrap());
    let send = |method: &'static str, uri: &'static str, body: Option<Value>| {
        send_as(state.clone(), tenant, method, uri.to_string(), body)
    };
    let (status, body) = send("GET", "/api/deploy/token", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"owner": "team-a", "stack_prefix": "team-a-"}));
    for update in [false, true] {
        let (status, body) = send(
            "POST",
            "/api/deployments",
            Some(json!({"plan": lambda_plan(), "stack_name": "team-b-shop", "update": update})),
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_stack_name")),
            "{body}"
        );
        assert!(
            body["message"].as_str().unwrap().contains("\"team-a-\""),
            "{body}"
        );
    }
    assert!(h.sts.calls.lock().unwrap().is_empty(), "no STS call");
    assert!(
        h.cfn.calls.lock().unwrap().is_empty(),
        "no CloudFormation call"
    );
    let (status, body) = send(
        "POST",
        "/api/deployments",
        Some(json!({"plan": lambda_plan(), "stack_name": "team-a-shop"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// A tenant runs images of its account's ECR only from its own stacks' repositories (named
/// after them, so under its stack prefix) and those its entry lists: another tenant's is
/// refused at the image before any AWS call, so the deploy neither pulls it nor tells, by its
/// look-up, whether a tag is there. Another account's image is not the tokens file's to judge.
#[tokio::test]
async fn a_tenant_runs_images_only_from_its_own_repositories() {
    let h = harness();
    let tenant = "tenant-token-0123456789abcdef";
    let file = json!({"tokens": [{"token": tenant, "owner": "team-a", "stack_prefix": "team-a-",
        "image_repositories": ["shared/base"], "roles": [roles(ROLE, ACCOUNT)]}]});
    let mut state = h.state.clone();
    state.tokens = Arc::new(Tokens::from_file(&file.to_string()).unwrap());
    let deploy = |image: String| {
        let mut plan = fargate_plan();
        plan["fargate"]["image"] = json!(image);
        send_as(
            state.clone(),
            tenant,
            "POST",
            "/api/deployments".to_string(),
            Some(json!({"plan": plan, "stack_name": "team-a-shop"})),
        )
    };
    let (status, body) = deploy(format!(
        "{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/team-b-shop-repository-1a2b"
    ))
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("beyond_bootstrap")),
        "{body}"
    );
    assert_eq!(body["problems"][0]["path"], "plan.fargate.image", "{body}");
    let message = body["problems"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("repository team-b-shop-repository-1a2b")
            && message.contains("\"team-a-\"")
            && message.contains("`image_repositories`"),
        "{message}"
    );
    assert!(h.sts.calls.lock().unwrap().is_empty(), "no STS call");
    assert!(h.ecr.calls.lock().unwrap().is_empty(), "no ECR look-up");
    // Its own stack's repository, a listed one and another account's pass this check (and
    // are looked up, or not, as any image is).
    for (image, asked) in [
        (
            format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/team-a-shop-repository-1a2b"),
            true,
        ),
        (
            format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shared/base"),
            true,
        ),
        (
            "999999999999.dkr.ecr.us-east-1.amazonaws.com/team-b-shop-repository-1a2b".to_string(),
            false,
        ),
    ] {
        h.ecr.calls.lock().unwrap().clear();
        let (_, body) = deploy(image.clone()).await;
        assert_ne!(body["error"], "beyond_bootstrap", "{image}: {body}");
        assert_eq!(
            !h.ecr.calls.lock().unwrap().is_empty(),
            asked,
            "{image}: {body}"
        );
    }
}

/// Requests that change stacks are capped per token (`--max-changes-per-token`): one token's
/// burst of deploys is answered a few at a time and told to retry, other tokens are not held
/// up by it, and a request answered frees its place. (CloudFormation is held by the double's
/// `hang`: a real call that takes long holds its place the same way.)
#[tokio::test]
async fn changes_per_token_are_capped_and_an_answer_frees_its_place() {
    let h = harness();
    let other = "other-token-0123456789abcdef";
    let file = json!({"tokens": [
        {"token": TOKEN, "roles": [roles(ROLE, ACCOUNT)]},
        {"token": other, "roles": [roles(ROLE, ACCOUNT)]},
    ]});
    let state = AppState {
        config: Arc::new(Config {
            max_changes_per_token: 2,
            ..(*h.state.config).clone()
        }),
        tokens: Arc::new(Tokens::from_file(&file.to_string()).unwrap()),
        ..h.state.clone()
    };
    let post = |token: &'static str, stack: &'static str| {
        let state = state.clone();
        async move {
            let body = json!({"plan": lambda_plan(), "stack_name": stack});
            let req = Request::post("/api/deployments")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            app(state).oneshot(req).await.unwrap()
        }
    };
    let (_, created) = h.create("shop-lambda", json!({})).await;
    let id = created["id"].as_str().unwrap().to_string();
    h.cfn.hang.lock().unwrap().push("create_stack");
    let held: Vec<_> = ["app-one", "app-two"]
        .into_iter()
        .map(|stack| tokio::spawn(post(TOKEN, stack)))
        .collect();
    for _ in 0..500 {
        if state.changing.total() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(state.changing.total(), 2, "both deploys hold a place");
    let third = post(TOKEN, "app-three").await;
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(third.headers().contains_key(header::RETRY_AFTER));
    let body: Value =
        serde_json::from_slice(&third.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["error"], "too_many_changes", "{body}");
    // A delete is a change too; a read is not.
    let delete = Request::delete(format!("/api/deployments/{id}"))
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .unwrap();
    let refused = app(state.clone()).oneshot(delete).await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let read = Request::get(format!("/api/deployments/{id}"))
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app(state.clone()).oneshot(read).await.unwrap().status(),
        StatusCode::OK
    );
    // Another token is not held up: its deploy gets as far as CloudFormation (and hangs there).
    let theirs = tokio::spawn(post(other, "their-app"));
    for _ in 0..500 {
        if state.changing.total() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        state.changing.total(),
        3,
        "the other token's deploy holds its own place"
    );
    // Answered (here: the client left), a request frees its place.
    for task in held.into_iter().chain([theirs]) {
        task.abort();
        let _ = task.await;
    }
    assert_eq!(state.changing.total(), 0);
    h.cfn.hang.lock().unwrap().clear();
    assert_eq!(post(TOKEN, "app-four").await.status(), StatusCode::CREATED);
}

/// A CloudFormation call that never answers: the POST answers `timed_out` after 30 seconds
/// (of the test's paused clock), not after CloudFormation's own minutes.
#[tokio::test(start_paused = true)]
async fn a_hung_cloudformation_call_answers_timed_out_at_30_seconds() {
    let h = harness();
    h.cfn.hang.lock().unwrap().push("create_stack");
    let start = tokio::time::Instant::now();
    let (status, body) = h.create("shop-lambda", json!({})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("timed_out")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("while its stack is being created it answers that stack")
    );
    let waited = start.elapsed();
    assert!(
        (Duration::from_secs(30)..Duration::from_secs(31)).contains(&waited),
        "{waited:?} on the paused clock"
    );
    // The same request again, once CloudFormation answers, makes the stack.
    h.cfn.hang.lock().unwrap().clear();
    let (status, created) = h.create("shop-lambda", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
}

/// A poller that panics: its watchers get an `error` event instead of waiting for ever, its
/// place in the registry is freed, and the next watcher starts a new poller.
#[tokio::test]
async fn a_poller_that_panics_tells_its_watchers_and_frees_its_place() {
    let h = harness();
    let id = started(&h).await;
    h.cfn.panic.lock().unwrap().push("events");
    let events = h.events(&id, None).await;
    let last = events.last().unwrap();
    assert_eq!(last.0, "error", "{events:?}");
    assert!(
        last.2["message"]
            .as_str()
            .unwrap()
            .contains("stopped unexpectedly"),
        "{last:?}"
    );
    assert_eq!(h.deployer.pollers(), 0);
    h.cfn.panic.lock().unwrap().clear();
    let events = h.events(&id, None).await;
    assert_eq!(
        events.last().unwrap().2["status"],
        "CREATE_COMPLETE",
        "{events:?}"
    );
}

/// AWS failing to answer while a stack deploys (throttled past the retries, 5xx, unreachable)
/// is a wait shown as a notice; the stream still ends with the stack's real final status.
#[tokio::test]
async fn transient_aws_errors_while_watching_are_notices_never_the_end() {
    let h = harness();
    let id = started(&h).await;
    for _ in 0..3 {
        for e in [
            AwsError::Throttled("Rate exceeded".into()),
            AwsError::Other("InternalFailure (HTTP 503)".into()),
            AwsError::Unreachable {
                endpoint: "https://cloudformation.us-east-1.amazonaws.com".into(),
                message: "connection reset".into(),
            },
        ] {
            h.cfn.fail_next("events", e);
        }
    }
    let events = h.events(&id, None).await;
    let notices = events.iter().filter(|e| e.0 == "notice").count();
    assert!(notices >= 9, "{notices} notices: {events:?}");
    assert!(!events.iter().any(|e| e.0 == "error"), "{events:?}");
    assert_eq!(events.last().unwrap().2["status"], "CREATE_COMPLETE");
}

/// A notice says a wait that is over once a read succeeds: a watcher who joins after that is
/// not told of it, as if AWS were still out of reach.
#[tokio::test(start_paused = true)]
async fn a_notice_is_not_replayed_once_a_read_succeeded() {
    let h = harness_with(long_create(50), Arc::new(StsDouble::default()), |_| {});
    let id = started(&h).await;
    // The first watcher keeps the poller going, reading its stream to the end.
    let first = tokio::spawn({
        let state = h.state.clone();
        let id = id.clone();
        async move {
            open_stream(&state, &id)
                .await
                .into_body()
                .collect()
                .await
                .unwrap()
        }
    });
    h.cfn.fail_next(
        "events",
        AwsError::Unreachable {
            endpoint: "CloudFormation".into(),
            message: "connection reset".into(),
        },
    );
    // Until the failed read is over and two reads more have succeeded.
    let events = || {
        h.cfn
            .calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| **c == "events")
            .count()
    };
    let before = events();
    while events() < before + 3 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A late watcher: its first frames hold the stack's events so far, and no notice.
    let mut body = open_stream(&h.state, &id).await.into_body();
    let mut text = String::new();
    while !parse_sse(&text).iter().any(|e| e.0 == "stack") {
        let frame = body.frame().await.expect("a frame").unwrap();
        if let Ok(data) = frame.into_data() {
            text.push_str(std::str::from_utf8(&data).unwrap());
        }
    }
    let late = parse_sse(&text);
    assert!(!late.iter().any(|e| e.0 == "notice"), "{late:?}");
    drop(body);
    // The first watcher was told of the wait.
    let seen = String::from_utf8(first.await.unwrap().to_bytes().to_vec()).unwrap();
    let seen = parse_sse(&seen);
    assert!(seen.iter().any(|e| e.0 == "notice"), "{seen:?}");
    assert_eq!(seen.last().unwrap().2["status"], "CREATE_COMPLETE");
}

/// Reads an HTTP/1.0 answer to its end: (head, body).
async fn read_http10(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

/// Ten open event streams, then the stop signal: each stream ends with a `reconnect` event,
/// and the server stops with every connection closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_shutdown_every_open_stream_gets_a_reconnect_event_and_the_server_stops() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let h = harness_with(long_create(2000), Arc::new(StsDouble::default()), |_| {});
    let id = started(&h).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(server::http::serve(
        listener,
        app(h.state.clone()),
        server::http::Limits::default(),
        h.state.shutdown.clone(),
        async move {
            let _ = stopped.await;
        },
    ));
    let mut streams = Vec::new();
    for _ in 0..10 {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "GET /api/deployments/{id}/events HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
        );
        s.write_all(request.as_bytes()).await.unwrap();
        // Wait for the answer's head and a first event.
        let mut first = vec![0u8; 512];
        let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut first))
            .await
            .expect("the stream starts")
            .unwrap();
        assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.0 200"));
        streams.push(s);
    }
    let t0 = std::time::Instant::now();
    stop.send(()).unwrap();
    for s in &mut streams {
        let rest = tokio::time::timeout(Duration::from_secs(10), read_http10(s))
            .await
            .expect("the stream ends within 10 s");
        let messages = sse::parse(&rest);
        let last = messages.last().expect("a final event");
        assert_eq!(last.event_type(), "reconnect", "{rest}");
        assert_eq!(last.retry, Some(2000));
        assert!(matches!(
            DeployEvent::from_sse(last),
            Ok(DeployEvent::Reconnect(_))
        ));
    }
    let clean = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops within 10 s")
        .unwrap();
    assert!(clean, "a connection outlived the shutdown");
    println!(
        "10 streams told to reconnect and the server stopped in {:?}",
        t0.elapsed()
    );
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "still listening"
    );
}

/// A CloudFormation read that hangs: watchers hear about it within 5 s (a `notice`), and the
/// stream carries on to the stack's final status once CloudFormation answers again.
#[tokio::test(start_paused = true)]
async fn a_hung_read_while_watching_is_a_notice_within_5_seconds() {
    let h = harness();
    let id = started(&h).await;
    h.cfn.hang.lock().unwrap().push("events");
    let cfn = h.cfn.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(12)).await;
        cfn.hang.lock().unwrap().clear();
    });
    // The stream is read frame by frame on the paused clock, so the moment the notice arrives
    // is known exactly.
    let start = tokio::time::Instant::now();
    let res = app(h.state.clone())
        .oneshot(
            Request::builder()
                .uri(format!("/api/deployments/{id}/events"))
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = res.into_body();
    let mut text = String::new();
    let mut notice_at = None;
    while let Some(frame) = tokio::time::timeout(Duration::from_secs(60), body.frame())
        .await
        .expect("the stream goes on")
    {
        if let Ok(data) = frame.unwrap().into_data() {
            text.push_str(std::str::from_utf8(&data).unwrap());
        }
        if notice_at.is_none() && sse::parse(&text).iter().any(|m| m.event_type() == "notice") {
            notice_at = Some(start.elapsed());
        }
    }
    let notice_at = notice_at.expect("a notice");
    assert!(
        notice_at <= Duration::from_secs(5),
        "notice after {notice_at:?}"
    );
    let events = parse_sse(&text);
    let first = events.iter().find(|e| e.0 == "notice").expect("a notice");
    assert!(
        first.2["message"]
            .as_str()
            .unwrap()
            .contains("no answer within 4 s"),
        "{first:?}"
    );
    assert!(start.elapsed() >= Duration::from_secs(12));
    assert_eq!(
        events.last().unwrap().2["status"],
        "CREATE_COMPLETE",
        "{events:?}"
    );
}

/// CloudFormation computing a change set for longer than a request may take: the POST answers
/// `202` after the wait with the change set's status and the deployment id, and the same
/// request again, once it is ready, answers `201` with the changes.
#[tokio::test(start_paused = true)]
async fn a_slow_change_set_is_a_202_and_the_same_request_picks_it_up() {
    let h = harness();
    h.deployed("shop-lambda").await;
    let mut plan = lambda_plan();
    plan["lambda"]["memory_mb"] = json!(1024);
    let request = json!({"plan": plan, "update": true});
    *h.cfn.computing_until.lock().unwrap() =
        Some(tokio::time::Instant::now() + Duration::from_secs(45));
    let start = tokio::time::Instant::now();
    let (status, first) = h.create("shop-lambda", request.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{first}");
    let waited = start.elapsed();
    assert!(
        waited <= server::deploy::operations::CHANGE_SET_WAIT,
        "answered after {waited:?} on the paused clock"
    );
    assert_eq!(first["change_set"]["status"], "CREATE_IN_PROGRESS");
    assert_eq!(first["change_set"]["changes"], json!([]));
    // Asked again while still computing: 202 again, the same deployment.
    let (status, second) = h.create("shop-lambda", request.clone()).await;
    assert_eq!(
        (status, &second["id"]),
        (StatusCode::ACCEPTED, &first["id"])
    );
    tokio::time::sleep(Duration::from_secs(10)).await;
    let (status, ready) = h.create("shop-lambda", request).await;
    assert_eq!(status, StatusCode::CREATED, "{ready}");
    assert_eq!(ready["id"], first["id"]);
    assert_eq!(ready["change_set"]["changes"].as_array().unwrap().len(), 3);
    let id = ready["id"].as_str().unwrap();
    let (status, _, text) = h.execute(id).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{text}");
}

/// The server's own lists of settings prefixes and hosted zones make the bootstrap template its
/// page offers: lists IAM would refuse in that template stop the server at start, even with no
/// role of its own (roles from a tokens file only).
#[tokio::test]
async fn lists_too_long_for_the_bootstrap_stop_the_server() {
    let mut config = Config::default();
    config.reach.hosted_zone_ids = (0..400).map(|i| format!("Z{i:020}")).collect();
    let clients = server::aws::Clients::load(&config.aws()).await;
    let err = server::deployer(&config, &clients, &Tokens::from_list(TOKEN).unwrap())
        .err()
        .expect("refused");
    assert!(err.to_string().contains("over IAM's 10240"), "{err}");
    config.reach.hosted_zone_ids.truncate(20);
    assert!(server::deployer(&config, &clients, &Tokens::from_list(TOKEN).unwrap()).is_ok());
}

/// moto neither keeps a deletion-protected database nor lets a delete fail in an update's
/// clean-up, so the events CloudFormation records for both are scripted here: an update that
/// took a protected database and a retained table out of the stack completes, and its final
/// status says what it left in the account, by name. The update's answer carries what the
/// deployed template holds, for the review to say what becomes of what the update removes.
#[tokio::test]
async fn an_update_says_what_it_left_in_the_account() {
    let h = harness();
    h.deployed("shop-lambda").await;
    let mut plan = lambda_plan();
    plan["lambda"]["memory_mb"] = json!(1024);
    let (status, created) = h
        .create("shop-lambda", json!({"update": true, "plan": plan}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let holds = created["deployed_holds"]
        .as_array()
        .expect("the deployed template's holders");
    assert!(
        holds
            .iter()
            .any(|h| h["resource_type"] == "AWS::DynamoDB::Table"
                && h["deletion_policy"] == "Retain"
                && h["protected"] == false),
        "{created}"
    );
    *h.cfn.plan.lock().unwrap() = vec![
        ("Function".into(), "AWS::Lambda::Function".into(), "UPDATE_IN_PROGRESS".into(), None),
        ("Function".into(), "AWS::Lambda::Function".into(), "UPDATE_COMPLETE".into(), None),
        ("Database".into(), "AWS::RDS::DBInstance".into(), "DELETE_IN_PROGRESS".into(), None),
        ("Database".into(), "AWS::RDS::DBInstance".into(), "DELETE_FAILED".into(), Some("Resource handler returned message: \"Cannot delete protected DB Instance, please disable deletion protection and try again.\" (Service: Rds, Status Code: 400)".into())),
        ("OrdersTable".into(), "AWS::DynamoDB::Table".into(), "DELETE_SKIPPED".into(), None),
    ];
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(h.execute(&id).await.0, StatusCode::ACCEPTED);
    let events = h.events(&id, None).await;
    let done = &events.last().unwrap().2;
    assert_eq!(
        (done["status"].as_str(), done["succeeded"].as_bool()),
        (Some("UPDATE_COMPLETE"), Some(true)),
        "{done}"
    );
    assert_eq!(
        done["left_behind"],
        json!([
            {"logical_id": "Database", "resource_type": "AWS::RDS::DBInstance", "physical_id": "shop-database", "why": "delete_failed"},
            {"logical_id": "OrdersTable", "resource_type": "AWS::DynamoDB::Table", "physical_id": "shop-orderstable", "why": "kept"},
        ]),
        "{done}"
    );
}

/// An update touches only what its change set changes ("Start the service": 2 of about 45
/// resources), so its progress counts those changes: counted against the template's
/// resources, its bar sat near 0% until it jumped to the end. The server learns the change set
/// the stack runs from DescribeStacks' `ChangeSetId`, which the double gives as AWS does.
#[tokio::test]
async fn an_update_counts_its_progress_in_the_changes_it_makes() {
    let h = harness();
    let first = h.deployed("shop-lambda").await;
    let (_, created_status, _) = h
        .send(
            "GET",
            &format!("/api/deployments/{first}"),
            Some(TOKEN),
            None,
            &[],
        )
        .await;
    let resources = created_status["progress"]["total"].as_u64().unwrap();
    assert_eq!(
        created_status["progress"]["counted"], "resources",
        "{created_status}"
    );
    *h.cfn.plan.lock().unwrap() = [
        ("Function", "AWS::Lambda::Function", "UPDATE_IN_PROGRESS"),
        ("Function", "AWS::Lambda::Function", "UPDATE_COMPLETE"),
        (
            "FunctionAlarm",
            "AWS::CloudWatch::Alarm",
            "UPDATE_IN_PROGRESS",
        ),
        ("FunctionAlarm", "AWS::CloudWatch::Alarm", "UPDATE_COMPLETE"),
    ]
    .map(|(id, ty, status)| (id.into(), ty.into(), status.into(), None))
    .to_vec();
    let mut plan = lambda_plan();
    plan["lambda"]["memory_mb"] = json!(1024);
    let (status, created) = h
        .create("shop-lambda", json!({"update": true, "plan": plan}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["change_set"]["changes"].as_array().unwrap().len(),
        2
    );
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(h.execute(&id).await.0, StatusCode::ACCEPTED);
    let events = h.events(&id, None).await;
    let seen: Vec<(u64, u64, String)> = events
        .iter()
        .map(|(_, _, data)| &data["progress"])
        .filter(|p| p.is_object())
        .map(|p| {
            (
                p["finished"].as_u64().unwrap(),
                p["total"].as_u64().unwrap(),
                p["counted"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(resources > 2, "the template has {resources} resources");
    assert!(
        seen.iter()
            .all(|(_, total, counted)| *total == 2 && counted == "changes"),
        "{seen:?}"
    );
    let finished: Vec<u64> = seen.iter().map(|s| s.0).collect();
    assert!(
        finished.contains(&1) && finished.last() == Some(&2),
        "the bar moves with each change: {finished:?}"
    );
    let done = &events.last().unwrap().2;
    assert_eq!(
        (
            done["status"].as_str(),
            done["progress"]["percent"].as_u64()
        ),
        (Some("UPDATE_COMPLETE"), Some(100)),
        "{done}"
    );
}

/// A stack of Stackplan's updated by a change set made elsewhere (in the console, say) is
/// still followed: its progress counts the template's resources, and the change set, which the
/// roles may not read (they read only `stackplan-` change sets), is not asked for. One of
/// Stackplan's that cannot be read (access denied) counts the template's resources too.
#[tokio::test]
async fn an_update_by_a_change_set_made_elsewhere_is_followed_counting_the_template() {
    let h = harness();
    let id = h.deployed("shop-lambda").await;
    let path = format!("/api/deployments/{id}");
    let read_status = || h.send("GET", &path, Some(TOKEN), None, &[]);
    {
        let mut stacks = h.cfn.stacks.lock().unwrap();
        let s = stacks.last_mut().unwrap();
        let foreign = s
            .arn
            .replace(":stack/", ":changeSet/")
            .replace("shop-lambda/", "console-update/");
        s.executed.push(foreign);
        let (n, name) = (s.events.len() + 1, s.name.clone());
        s.script.clear();
        s.events.push(event(
            n,
            &name,
            "AWS::CloudFormation::Stack",
            "UPDATE_IN_PROGRESS",
            Some("User Initiated"),
        ));
    }
    h.cfn.calls.lock().unwrap().clear();
    let (status, body, _) = read_status().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (
            body["status"].as_str(),
            body["progress"]["counted"].as_str()
        ),
        (Some("UPDATE_IN_PROGRESS"), Some("resources")),
        "{body}"
    );
    assert!(!h.cfn.calls.lock().unwrap().contains(&"change_set"));

    // A change set of Stackplan's that the role may not read: counted the same, not an error.
    {
        let mut stacks = h.cfn.stacks.lock().unwrap();
        let s = stacks.last_mut().unwrap();
        let ours = s
            .arn
            .replace(":stack/", ":changeSet/")
            .replace("shop-lambda/", "stackplan-0123456789abcdef/");
        s.executed.push(ours);
    }
    h.cfn
        .failures
        .lock()
        .unwrap()
        .entry("change_set")
        .or_default()
        .push_back(AwsError::AccessDenied(
            "not authorized to perform: cloudformation:DescribeChangeSet".into(),
        ));
    let (status, body, _) = read_status().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["progress"]["counted"], "resources", "{body}");
    assert!(h.cfn.calls.lock().unwrap().contains(&"change_set"));
}

/// A stack deployed from a Lambda plan is not updated by a Fargate plan: the update would take
/// out everything the stack holds. Refused before any change set, with what to do instead, and
/// before the offer to update, which could only end there. A template that records no plan is
/// known by its resources.
#[tokio::test]
async fn a_plan_of_the_other_architecture_does_not_update_a_stack() {
    let h = harness();
    h.deployed("shop-lambda").await;
    let plan = serde_json::to_value(shared::examples::fargate()).unwrap();
    let (status, body) = h.create("shop-lambda", json!({"plan": plan})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("architecture_change")),
        "no offer to update: {body}"
    );
    {
        let mut stacks = h.cfn.stacks.lock().unwrap();
        let deployed = stacks[0].deployed.as_mut().expect("the deployed template");
        let mut doc: Value = serde_json::from_str(deployed).unwrap();
        doc.as_object_mut().unwrap().remove("Metadata");
        *deployed = doc.to_string();
    }
    let (status, body) = h
        .create("shop-lambda", json!({"update": true, "plan": plan}))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("architecture_change")),
        "{body}"
    );
    assert!(
        body["message"].as_str().is_some_and(|m| m
            .starts_with("the stack shop-lambda runs Lambda and this plan is for ECS Fargate")
            && m.contains("Deploy it as a new stack under another name")),
        "{body}"
    );
    assert!(!h.cfn.calls.lock().unwrap().contains(&"create_change_set"));
    // The same architecture still updates.
    let mut same = lambda_plan();
    same["lambda"]["memory_mb"] = json!(1024);
    let (status, body) = h
        .create("shop-lambda", json!({"update": true, "plan": same}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}
