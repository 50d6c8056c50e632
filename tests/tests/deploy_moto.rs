//! Deploys into the local sandbox: moto with the project's extensions (`sandbox/`) on
//! 127.0.0.1, driven by the real server code with the real aws-sdk clients (SDK retries off),
//! checked through the services' own AWS APIs.
//!
//! The sandbox runs here without a pace, so each stack operation completes inside its request,
//! with an event per resource; paced, asynchronous builds are tested in `sandbox/tests` and in
//! the browser (`tests/e2e/deploy.test.mjs`), and throttling and unreachable-endpoint sequences
//! against a scripted double in `server/tests/deploy.rs`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use server::auth::Tokens;
use server::{AppState, Config, app};
use shared::api::{DeployEvent, StackEvent, sse};
use stackplan_tests::Moto;
use tower::ServiceExt;

const TOKEN: &str = "sandbox-test-token";
/// The key the test server signs deployment ids with (the tests sign with it too, to forge
/// ids of stacks Stackplan did not make).
const ID_KEY: &str = "7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b7b";

struct Sandbox {
    moto: Moto,
    state: AppState,
    seen: std::sync::Mutex<Vec<String>>,
    /// The token requests carry ([`TOKEN`] unless a test acts as another).
    token: std::sync::Mutex<&'static str>,
}

impl Sandbox {
    async fn start() -> Sandbox {
        let moto = Moto::start();
        Sandbox::with(moto, |_| {}).await
    }

    /// A server on `moto`, its configuration changed by `tweak`.
    async fn with(moto: Moto, tweak: impl FnOnce(&mut Config)) -> Sandbox {
        Sandbox::with_tokens(moto, tweak, Tokens::from_list(TOKEN).unwrap()).await
    }

    /// As [`Sandbox::with`], taking `tokens`.
    async fn with_tokens(moto: Moto, tweak: impl FnOnce(&mut Config), tokens: Tokens) -> Sandbox {
        let mut config = Config {
            aws_endpoint: Some(moto.endpoint.clone()),
            session_seconds: 900,
            id_key: Some(ID_KEY.into()),
            ..Config::default()
        };
        tweak(&mut config);
        let clients = server::aws::Clients::load(&config.aws()).await;
        let deployer = server::deployer(&config, &clients, &tokens)
            .expect("sandbox config")
            .expect("deploying is on");
        let state = AppState::new(config).with_deployer(Arc::new(deployer), tokens);
        Sandbox {
            moto,
            state,
            seen: Default::default(),
            token: std::sync::Mutex::new(TOKEN),
        }
    }

    /// Requests from now on carry `token`.
    fn act_as(&self, token: &'static str) {
        *self.token.lock().unwrap() = token;
    }

    async fn send(
        &self,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value, String) {
        let token = *self.token.lock().unwrap();
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
        let res = app(self.state.clone())
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let bytes = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            res.into_body().collect(),
        )
        .await
        .expect("the response ends")
        .unwrap()
        .to_bytes();
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        self.seen.lock().unwrap().push(text.clone());
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        )
    }

    /// The final `done` event of the stack's event stream.
    async fn watch(&self, id: &str) -> Value {
        self.watch_all(id).await.1
    }

    /// The stack events of the stream, and its final `done` event.
    async fn watch_all(&self, id: &str) -> (Vec<StackEvent>, Value) {
        let (status, _, text) = self
            .send("GET", &format!("/api/deployments/{id}/events"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let mut events = Vec::new();
        let mut done = None;
        for message in sse::parse(&text) {
            match DeployEvent::from_sse(&message) {
                Ok(DeployEvent::Stack(e)) => events.push(e),
                Ok(DeployEvent::Done(status)) => done = Some(status),
                _ => {}
            }
        }
        let done = done.unwrap_or_else(|| panic!("no done event in {text}"));
        let done = serde_json::to_value(done).unwrap();
        // Only the stack's outputs (a topic's ARN, a repository's URI) and the image to push
        // (the repository's URI, the push commands) name the account: they are what the user
        // deployed the stack to get.
        let mut said = done.clone();
        said["outputs"].take();
        said["waiting_for_image"].take();
        assert_names_no_account(&said.to_string());
        assert_names_no_account(&serde_json::to_string(&events).unwrap());
        (events, done)
    }

    /// Creates the plan's stack through the API and watches it settle: the answer to the
    /// create, the stream's stack events and its final status.
    async fn deploy(&self, plan: &Value, name: &str) -> (Value, Vec<StackEvent>, Value) {
        self.deploy_request(json!({"plan": plan, "stack_name": name}))
            .await
    }

    /// `POST /api/deployments` with `request` (a create, which starts at once, or an update,
    /// whose change set is executed) and the stack watched until it settles: as
    /// [`Sandbox::deploy`].
    async fn deploy_request(&self, request: Value) -> (Value, Vec<StackEvent>, Value) {
        let (status, created, text) = self.send("POST", "/api/deployments", Some(request)).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "{text}\nsandbox log:\n{}",
            self.moto.log()
        );
        let id = created["id"].as_str().unwrap().to_string();
        if created.get("change_set").is_some() {
            let (status, _, text) = self
                .send("POST", &format!("/api/deployments/{id}/execute"), None)
                .await;
            assert_eq!(status, StatusCode::ACCEPTED, "{text}");
        }
        let (events, done) = self.watch_all(&id).await;
        (created, events, done)
    }

    /// `PUT /api/deployments/{id}/code` with `body` as `kind`: the status and the answer.
    async fn put_code(&self, id: &str, body: Vec<u8>, kind: &str) -> (StatusCode, Value) {
        self.put_code_body(id, Body::from(body), kind).await
    }

    async fn put_code_body(&self, id: &str, body: Body, kind: &str) -> (StatusCode, Value) {
        let req = Request::builder()
            .method("PUT")
            .uri(format!("/api/deployments/{id}/code"))
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", *self.token.lock().unwrap()),
            )
            .header(header::CONTENT_TYPE, kind)
            .body(body)
            .unwrap();
        let res = app(self.state.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
        )
    }

    /// Every route of the deployment `id` answers 404, as for one that never was, a code
    /// upload included (`who`: the case, for the failure's message).
    async fn refuses_deployment(&self, id: &str, who: &str) {
        for (method, uri) in [
            ("GET", format!("/api/deployments/{id}")),
            ("GET", format!("/api/deployments/{id}/events")),
            ("GET", format!("/api/deployments/{id}/image")),
            ("POST", format!("/api/deployments/{id}/execute")),
            ("DELETE", format!("/api/deployments/{id}")),
        ] {
            let (status, body, _) = self.send(method, &uri, None).await;
            assert_eq!(
                (status, body["error"].as_str()),
                (StatusCode::NOT_FOUND, Some("unknown_deployment")),
                "{who}: {method} {uri}"
            );
        }
        // The upload is refused before its body is read: this one never ends.
        let (status, body) = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            self.put_code_body(id, silent_body(), "application/octet-stream"),
        )
        .await
        .unwrap_or_else(|_| panic!("{who}: the refused upload's body was read"));
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::NOT_FOUND, Some("unknown_deployment")),
            "{who}: code: {body}"
        );
    }

    /// An update of the stack `name` to `plan` is refused: the stack is not this token's. Its
    /// answer's body.
    async fn refuses_update(&self, plan: &Value, name: &str, who: &str) -> Value {
        let (status, body, _) = self
            .send(
                "POST",
                "/api/deployments",
                Some(json!({"plan": plan, "stack_name": name, "update": true})),
            )
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::CONFLICT, Some("stack_not_managed")),
            "{who}: {body}"
        );
        body
    }

    async fn delete(&self, id: &str) -> Value {
        let (status, gone, text) = self
            .send("DELETE", &format!("/api/deployments/{id}"), None)
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{text}");
        gone
    }
}

/// The sandbox's account id (moto's default), which the server's roles name.
const SANDBOX_ACCOUNT: &str = "123456789012";

/// An answer of the server's names no account: not in an ARN, not in an id (an id travels in
/// URL paths, and a base64 ARN is readable by anyone).
fn assert_names_no_account(text: &str) {
    assert!(
        SANDBOX_ACCOUNT.len() == 12 && server::SANDBOX_ROLE.contains(SANDBOX_ACCOUNT),
        "the sandbox's account"
    );
    assert!(
        !text.contains(SANDBOX_ACCOUNT) && !text.contains("arn:aws:"),
        "names the account: {text}"
    );
    let value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    if let Some(id) = value["id"].as_str() {
        let bytes = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, id)
            .unwrap_or_else(|e| panic!("an id is one base64url token: {id}: {e}"));
        assert!(
            !String::from_utf8_lossy(&bytes).contains(SANDBOX_ACCOUNT),
            "an id that reads as the stack's ARN: {id}"
        );
    }
}

/// The logical ids that reached `CREATE_COMPLETE`, from a stream's events.
fn created_resources(events: &[StackEvent]) -> std::collections::BTreeSet<String> {
    events
        .iter()
        .filter(|e| {
            e.status == "CREATE_COMPLETE" && e.resource_type != "AWS::CloudFormation::Stack"
        })
        .map(|e| e.logical_id.clone())
        .collect()
}

/// A stack output's value.
fn output<'a>(done: &'a Value, key: &str) -> &'a str {
    done["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["key"] == key)
        .and_then(|o| o["value"].as_str())
        .unwrap_or_else(|| panic!("no output {key}: {done}"))
}

fn example(kind: shared::plan::ArchitectureKind) -> Value {
    serde_json::from_str(&shared::examples::for_kind(kind).to_json_pretty()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lambda_example_deploys_updates_and_deletes_in_the_sandbox() {
    let sb = Sandbox::start().await;
    let plan = example(shared::plan::ArchitectureKind::Lambda);

    let (status, created, text) = sb
        .send(
            "POST",
            "/api/deployments",
            Some(json!({"plan": plan, "stack_name": "shop-lambda"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{text}\nmoto log:\n{}",
        sb.moto.log()
    );
    // A new stack starts at once, with Stackplan's tags from its first moment: a stack a
    // CREATE change set makes has none until the change set runs (on AWS, and in the
    // sandbox), and the deployer role runs change sets only on tagged stacks.
    assert!(created.get("change_set").is_none(), "{created}");
    // (Without a pace the sandbox builds the stack within the request.)
    assert!(
        matches!(
            created["status"].as_str(),
            Some("CREATE_IN_PROGRESS" | "CREATE_COMPLETE")
        ),
        "{created}"
    );
    assert_names_no_account(&text);
    assert_eq!(created["sandbox"]["blockers"], json!([]), "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let first = sb.moto.tool(
        server::SANDBOX_ROLE,
        &["describe-stack", created["stack_name"].as_str().unwrap()],
    );
    assert_eq!(first["tags"]["stackplan:managed"], "true", "{first}");

    let (events, done) = sb.watch_all(&id).await;
    assert_eq!(
        (done["status"].as_str(), done["succeeded"].as_bool()),
        (Some("CREATE_COMPLETE"), Some(true)),
        "{done}"
    );
    assert_eq!(done["progress"]["percent"], 100);
    assert_eq!(done["progress"]["total"], created["resources"]);
    assert_eq!(
        created_resources(&events).len() as u64,
        created["resources"].as_u64().unwrap(),
        "an event per resource: {events:?}"
    );
    let api_url = output(&done, "ApiUrl");
    assert!(
        api_url.starts_with("https://") && api_url.contains(".execute-api.us-east-1.amazonaws.com"),
        "{api_url}"
    );

    // Through moto's own APIs: the tables, the function, the buckets, the log groups, the role.
    let inv = sb.moto.inventory(server::SANDBOX_ROLE);
    let names = |key: &str| {
        inv[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                v.as_str()
                    .map_or_else(|| v["name"].as_str().unwrap().to_string(), String::from)
            })
            .collect::<Vec<_>>()
    };
    assert!(
        names("tables").iter().any(|t| t.contains("QueriesTable"))
            && names("tables").iter().any(|t| t.contains("SessionsTable")),
        "{inv}"
    );
    assert!(
        names("functions")
            .iter()
            .any(|f| f.starts_with("shop-lambda-Function")),
        "{inv}"
    );
    assert_eq!(inv["functions"][0]["memory_mb"], 512);
    // The log and application buckets, and the code bucket uploads go to.
    assert_eq!(names("buckets").len(), 3, "{inv}");
    assert!(
        names("buckets")
            .iter()
            .any(|b| b.starts_with("stackplan-code-")
                && b.as_str() == output(&done, "CodeBucketName")),
        "{inv}"
    );
    assert!(
        names("log_groups").contains(&"/stackplan/shop-lambda/function".to_string()),
        "{inv}"
    );
    assert!(
        names("roles").iter().any(|r| r.contains("FunctionRole")),
        "{inv}"
    );
    let api = &inv["http_apis"][0];
    assert_eq!(api["endpoint"], api_url, "{inv}");
    assert_eq!(api["routes"], json!(["$default"]), "{inv}");
    assert_eq!(api["stages"], json!(["$default"]), "{inv}");
    println!("the sandbox created, for the Lambda example:\n{inv:#}");

    // Deploying again: the stack exists, and the user is offered an update.
    let (status, body, _) = sb
        .send(
            "POST",
            "/api/deployments",
            Some(json!({"plan": plan, "stack_name": "shop-lambda"})),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str(), body["can_update"].as_bool()),
        (StatusCode::CONFLICT, Some("stack_exists"), Some(true)),
        "{body}"
    );
    let mut bigger = plan.clone();
    bigger["lambda"]["memory_mb"] = json!(1024);
    // The update's id names its own change set: executing it runs the update.
    let (update, _, done) = sb
        .deploy_request(json!({"plan": bigger, "stack_name": "shop-lambda", "update": true}))
        .await;
    assert!(update["change_set"]["name"].is_string(), "{update}");
    let id = update["id"].as_str().unwrap().to_string();
    assert_eq!(done["status"], "UPDATE_COMPLETE", "{done}");
    // Its progress counts the changes it made (the sandbox names the change set the stack ran,
    // as DescribeStacks does), not the template's resources.
    let changes = update["change_set"]["changes"].as_array().unwrap().len() as u64;
    assert_eq!(
        (
            done["progress"]["counted"].as_str(),
            done["progress"]["finished"].as_u64(),
            done["progress"]["total"].as_u64()
        ),
        (Some("changes"), Some(changes), Some(changes)),
        "{done}"
    );
    assert!(changes < update["resources"].as_u64().unwrap(), "{update}");
    assert_eq!(
        sb.moto.inventory(server::SANDBOX_ROLE)["functions"][0]["memory_mb"],
        1024,
        "moto applied the update"
    );
    // The same update again, now that it ran: the stack matches it. The executed change set
    // of the same name is not shown for review again (its Apply would run nothing).
    let (status, again, _) = sb
        .send(
            "POST",
            "/api/deployments",
            Some(json!({"plan": bigger, "stack_name": "shop-lambda", "update": true})),
        )
        .await;
    assert_eq!(
        (status, again["error"].as_str()),
        (StatusCode::CONFLICT, Some("no_changes")),
        "{again}"
    );

    run_uploaded_code(&sb, &bigger, "shop-lambda", &id).await;

    // Delete: moto deletes at once, so the answer is final; then the deployment is gone.
    let (status, done, text) = sb
        .send("DELETE", &format!("/api/deployments/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{text}");
    assert_eq!(
        (done["status"].as_str(), done["succeeded"].as_bool()),
        (Some("DELETE_COMPLETE"), Some(true)),
        "{done}"
    );
    let (status, _, _) = sb
        .send("GET", &format!("/api/deployments/{id}"), None)
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a deleted deployment is gone"
    );
    let inv = sb.moto.inventory(server::SANDBOX_ROLE);
    assert!(
        inv["functions"].as_array().unwrap().is_empty()
            && inv["roles"].as_array().unwrap().is_empty(),
        "{inv}"
    );
    // Data outlives the stack: tables and buckets carry `DeletionPolicy: Retain`.
    assert_eq!(
        (
            inv["tables"].as_array().unwrap().len(),
            inv["buckets"].as_array().unwrap().len()
        ),
        (2, 3),
        "{inv}"
    );

    // No response carried credentials.
    let seen = sb.seen.lock().unwrap().join("\n");
    for word in [
        "SecretAccessKey",
        "secret_access_key",
        "SessionToken",
        "session_token",
        "ASIA",
    ] {
        assert!(!seen.contains(word), "a response mentions {word}");
    }
}

/// A function moved from a zip to an image and back keeps its code bucket and the zips in it:
/// the bucket is retained under a name fixed by the stack, so a stack that dropped it could
/// never make it again (the move back failed with the bucket already there). While the
/// function runs an image, the stack takes no upload; back on a zip, the code uploaded before
/// the move runs again when the update names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_function_moves_from_zip_to_image_and_back() {
    let sb = Sandbox::start().await;
    let zip = example(shared::plan::ArchitectureKind::Lambda);
    let (created, _, done) = sb.deploy(&zip, "shop-switch").await;
    assert_eq!(done["status"], "CREATE_COMPLETE", "{done}");
    let bucket = output(&done, "CodeBucketName").to_string();
    let id = created["id"].as_str().unwrap().to_string();
    let upload = run_uploaded_code(&sb, &zip, "shop-switch", &id).await;
    // The function's image is in the account's own repository, pushed (a deploy looks for it).
    sb.moto.push_image(
        server::SANDBOX_ROLE,
        "shop-api",
        "latest",
        shared::api::SANDBOX_MANIFEST,
    );
    let mut image = zip.clone();
    image["lambda"]["image"] = json!(shared::examples::function_image(
        shared::plan::Region::UsEast1
    ));
    let steps = [
        ("image", &image, json!({})),
        ("zip again", &zip, upload["parameters"].clone()),
    ];
    for (step, plan, parameters) in steps {
        let (update, _, done) = sb
            .deploy_request(
                json!({"plan": plan, "stack_name": "shop-switch", "update": true,
                "parameters": parameters}),
            )
            .await;
        let id = update["id"].as_str().unwrap().to_string();
        assert_eq!(
            done["status"],
            "UPDATE_COMPLETE",
            "{step}: {done}\nsandbox log:\n{}",
            sb.moto.log()
        );
        let inv = sb.moto.inventory(server::SANDBOX_ROLE);
        let function = &inv["functions"][0];
        // The code bucket is still the one bucket of its name; only a zip function's stack
        // names it.
        let buckets = inv["buckets"].as_array().unwrap();
        assert_eq!(
            buckets
                .iter()
                .filter(|b| b.as_str() == Some(&bucket))
                .count(),
            1,
            "{step}: {inv}"
        );
        let named = done["outputs"]
            .as_array()
            .is_some_and(|o| o.iter().any(|o| o["key"] == "CodeBucketName"));
        if plan == &image {
            assert_eq!(function["package_type"], "Image", "{step}: {inv}");
            assert!(!named, "{step}: {done}");
            // An image function's stack takes no zip.
            let (status, answer) = sb
                .put_code(
                    &id,
                    zip_of(&[("app.py", "x = 1\n")]),
                    "application/octet-stream",
                )
                .await;
            assert_eq!(
                (status, answer["error"].as_str()),
                (StatusCode::CONFLICT, Some("no_code_bucket")),
                "{answer}"
            );
        } else {
            assert_eq!(output(&done, "CodeBucketName"), bucket, "{done}");
            // The zip uploaded before the move, still in the bucket, runs again.
            assert_eq!(
                (
                    function["package_type"].as_str(),
                    function["code_sha256"].as_str()
                ),
                (Some("Zip"), upload["code_sha256"].as_str()),
                "{step}: {inv}"
            );
        }
    }
}

/// An upload's body that sends its first two bytes and then nothing, and never ends.
fn silent_body() -> Body {
    let never =
        std::future::pending::<Option<Result<axum::http::HeaderMap, std::convert::Infallible>>>();
    Body::new(http_body_util::Full::new(axum::body::Bytes::from_static(b"PK")).with_trailers(never))
}

/// A zip with a file of the given names, as a user's build makes it.
fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        for (name, text) in files {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(text.as_bytes()).unwrap();
        }
        w.finish().unwrap();
    }
    out.into_inner()
}

/// The user's own code: a zip uploaded to the stack's code bucket, then an update with the
/// answer's parameters; moto's Lambda API then reports that zip's digest and the plan's handler.
/// Returns the upload's answer.
async fn run_uploaded_code(sb: &Sandbox, plan: &Value, stack: &str, id: &str) -> Value {
    let put = |body: Vec<u8>, kind: &'static str| sb.put_code(id, body, kind);
    // A zip without the handler's file, and something that is not a zip, are refused.
    let (status, answer) = put(
        zip_of(&[("main.py", "x = 1\n")]),
        "application/octet-stream",
    )
    .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_code")),
        "{answer}"
    );
    assert_eq!(answer["problems"][0]["path"], "code");
    assert!(
        answer["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("app.py"),
        "{answer}"
    );
    let (status, answer) = put(b"plain text".to_vec(), "application/octet-stream").await;
    assert_eq!(
        answer["error"].as_str(),
        Some("invalid_code"),
        "{status} {answer}"
    );
    let (status, _) = put(b"{}".to_vec(), "application/json").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // One byte over the limit: said in MB, with where larger code goes.
    let (status, answer) = put(vec![0u8; 50 * 1024 * 1024 + 1], "application/octet-stream").await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")),
        "{answer}"
    );
    let message = answer["message"].as_str().unwrap();
    assert!(
        message.starts_with("the zip is larger than 50 MB")
            && message.contains("CodeS3Bucket and CodeS3Key"),
        "{message}"
    );

    let code = zip_of(&[(
        "app.py",
        "def handler(event, context):\n    return {\"statusCode\": 200, \"body\": \"mine\"}\n",
    )]);
    // While the server receives as many uploads as it takes at once, another is told to retry.
    let places = u32::try_from(sb.state.config.max_uploads).unwrap();
    let held = sb
        .state
        .uploads
        .clone()
        .acquire_many_owned(places)
        .await
        .unwrap();
    let (status, answer) = put(code.clone(), "application/octet-stream").await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_uploads")),
        "{answer}"
    );
    drop(held);
    // One token sends one upload at a time, so that it cannot take every place; and a body
    // that stops sending is dropped, so that it cannot hold its place until the deadline.
    let stalled = tokio::spawn({
        let (state, id, token) = (sb.state.clone(), id.to_string(), *sb.token.lock().unwrap());
        async move {
            let req = Request::builder()
                .method("PUT")
                .uri(format!("/api/deployments/{id}/code"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/octet-stream")
                .body(silent_body())
                .unwrap();
            let res = app(state).oneshot(req).await.unwrap();
            let status = res.status();
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            (
                status,
                serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
            )
        }
    });
    // Once the stalled upload holds its place, the token's next one is told to wait.
    while sb.state.uploads.available_permits() == sb.state.config.max_uploads {
        assert!(
            !stalled.is_finished(),
            "the stalled upload was answered at once"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (status, answer) = put(code.clone(), "application/octet-stream").await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_uploads")),
        "{answer}"
    );
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("with this token"),
        "{answer}"
    );
    let (status, answer) = stalled.await.unwrap();
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request")),
        "{answer}"
    );
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("sent nothing for 15 s"),
        "{answer}"
    );
    let (status, upload) = put(code.clone(), "application/octet-stream").await;
    assert_eq!(status, StatusCode::OK, "{upload}");
    assert_eq!(upload["handler_file"], "app.py");
    assert_eq!(upload["size"].as_u64(), Some(code.len() as u64));
    assert!(
        upload["key"]
            .as_str()
            .unwrap()
            .starts_with("stackplan-code/"),
        "{upload}"
    );

    let (update, _, done) = sb
        .deploy_request(json!({"plan": plan, "stack_name": stack, "update": true,
            "parameters": upload["parameters"]}))
        .await;
    assert!(
        update["change_set"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["logical_id"] == "Function"),
        "{update}"
    );
    assert_eq!(
        done["status"],
        "UPDATE_COMPLETE",
        "{done}\n{}",
        sb.moto.log()
    );
    let function = &sb.moto.inventory(server::SANDBOX_ROLE)["functions"][0];
    assert_eq!(
        (
            function["code_sha256"].as_str(),
            function["handler"].as_str()
        ),
        (upload["code_sha256"].as_str(), Some("app.handler")),
        "the function runs the uploaded zip: {function}"
    );

    // A later update that names no code keeps the code the stack runs.
    let mut more = plan.clone();
    more["lambda"]["memory_mb"] = json!(2048);
    let (_, _, done) = sb
        .deploy_request(json!({"plan": more, "stack_name": stack, "update": true}))
        .await;
    assert_eq!(done["status"], "UPDATE_COMPLETE");
    let function = &sb.moto.inventory(server::SANDBOX_ROLE)["functions"][0];
    assert_eq!(
        (
            function["memory_mb"].as_u64(),
            function["code_sha256"].as_str()
        ),
        (Some(2048), upload["code_sha256"].as_str()),
        "{function}"
    );
    upload
}

/// The recommended architecture deploys: every resource gets its events, the outputs are
/// computed, and the services' own APIs show what the template asked for. Then it is deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fargate_example_deploys_in_the_sandbox_and_every_resource_exists() {
    let sb = Sandbox::start().await;
    let plan = example(shared::plan::ArchitectureKind::Fargate);
    let (created, events, done) = sb.deploy(&plan, "shop-fargate").await;
    assert_eq!(
        (done["status"].as_str(), done["succeeded"].as_bool()),
        (Some("CREATE_COMPLETE"), Some(true)),
        "{done}\nsandbox log:\n{}",
        sb.moto.log()
    );
    assert_eq!(created["sandbox"]["blockers"], json!([]), "{created}");
    let total = created["resources"].as_u64().unwrap();
    assert_eq!(created_resources(&events).len() as u64, total, "{events:?}");
    assert_eq!(done["progress"]["finished"].as_u64(), Some(total));
    // Each resource after what it reads: the VPC before its subnets, the cluster, task
    // definition and target group before the service, the service before its scaling target.
    let first = |id: &str| {
        events
            .iter()
            .position(|e| e.logical_id == id && e.status == "CREATE_COMPLETE")
            .unwrap_or_else(|| panic!("{id} never completed"))
    };
    for (before, after) in [
        ("Vpc", "PublicSubnetA"),
        ("Cluster", "Service"),
        ("TaskDefinition", "Service"),
        ("HttpListener", "Service"),
        ("Database", "TaskDefinition"),
        ("Cache", "TaskDefinition"),
        ("Service", "ScalableTarget"),
        ("ScalableTarget", "CpuScalingPolicy"),
    ] {
        assert!(first(before) < first(after), "{before} before {after}");
    }

    let url = output(&done, "ServiceUrl");
    assert!(
        url.starts_with("http://") && url.ends_with(".elb.amazonaws.com"),
        "{url}"
    );
    let secret = output(&done, "DatabaseSecretArn").to_string();
    assert!(secret.contains(":secret:rds!db-"), "{secret}");
    assert!(!output(&done, "CacheEndpoint").is_empty());
    assert!(output(&done, "RepositoryUri").contains(".dkr.ecr.us-east-1.amazonaws.com/"));

    let inv = sb.moto.inventory(server::SANDBOX_ROLE);
    let service = &inv["ecs_services"][0];
    assert_eq!(
        (
            service["desired_count"].as_u64(),
            service["launch_type"].as_str(),
            service["target_groups"].as_u64(),
            service["task_cpu"].as_str(),
            service["task_memory"].as_str(),
        ),
        (Some(0), Some("FARGATE"), Some(1), Some("512"), Some("1024")),
        "the stack's own repository is empty: the service waits with no task: {inv}"
    );
    assert!(
        service["image"]
            .as_str()
            .unwrap()
            .starts_with(output(&done, "RepositoryUri")),
        "{inv}"
    );
    let lb = &inv["load_balancers"][0];
    assert_eq!(lb["dns"].as_str(), url.strip_prefix("http://"), "{inv}");
    assert_eq!(
        (
            lb["scheme"].as_str(),
            lb["listeners"].clone(),
            lb["target_groups"].as_u64()
        ),
        (Some("internet-facing"), json!(["HTTP:80"]), Some(1)),
        "{inv}"
    );
    let db = &inv["db_instances"][0];
    assert_eq!(
        (db["engine"].as_str(), db["secret_arn"].as_str()),
        (Some("postgres"), Some(secret.as_str())),
        "{inv}"
    );
    assert!(
        inv["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == &json!(secret)),
        "the database's secret exists in Secrets Manager: {inv}"
    );
    assert_eq!(
        inv["replication_groups"][0]["primary"].as_str(),
        Some(output(&done, "CacheEndpoint")),
        "{inv}"
    );
    assert_eq!(
        (
            inv["scalable_targets"][0]["min"].as_u64(),
            inv["scalable_targets"][0]["max"].as_u64()
        ),
        (Some(0), Some(0)),
        "autoscaling does not start tasks either: {inv}"
    );
    assert_eq!(
        inv["scaling_policies"],
        json!(["TargetTrackingScaling"]),
        "{inv}"
    );
    assert_eq!(
        inv["alarms"],
        json!(["CPUUtilization", "MemoryUtilization"]),
        "{inv}"
    );
    assert_eq!(inv["nat_gateways"], 2, "{inv}");
    assert!(
        inv["flow_logs"][0].as_str().unwrap().ends_with("/vpc/"),
        "the flow log writes under its key prefix: {inv}"
    );
    println!("the sandbox created, for the Fargate example:\n{inv:#}");

    let id = created["id"].as_str().unwrap();
    start_the_service_once_its_image_is_pushed(&sb, &plan, id, &done).await;
    let inv = sb.moto.inventory(server::SANDBOX_ROLE);
    assert_eq!(
        inv["ecs_services"][0]["desired_count"].as_u64(),
        Some(2),
        "{inv}"
    );
    assert_eq!(
        (
            inv["scalable_targets"][0]["min"].as_u64(),
            inv["scalable_targets"][0]["max"].as_u64()
        ),
        (Some(2), Some(10)),
        "{inv}"
    );

    let gone = sb.delete(id).await;
    assert_eq!(gone["status"], "DELETE_COMPLETE", "{gone}");
    let inv = sb.moto.inventory(server::SANDBOX_ROLE);
    assert!(
        inv["ecs_services"].as_array().unwrap().is_empty()
            && inv["load_balancers"].as_array().unwrap().is_empty()
            && inv["db_instances"].as_array().unwrap().is_empty()
            && inv["replication_groups"].as_array().unwrap().is_empty()
            && inv["vpcs"].as_array().unwrap().is_empty(),
        "{inv}"
    );
}

/// The first-deploy trap, avoided: the stack waits for its image with no task; the page's push
/// commands and the image check lead to "Start the service", an update to the planned count.
/// A running service is never pointed at a tag that is not pushed, and parameters break no
/// rule of the template.
async fn start_the_service_once_its_image_is_pushed(
    sb: &Sandbox,
    plan: &Value,
    id: &str,
    done: &Value,
) {
    let uri = output(done, "RepositoryUri");
    let wait = &done["waiting_for_image"];
    assert_eq!(
        (
            wait["repository_uri"].as_str(),
            wait["image_tag"].as_str(),
            wait["platform"].as_str()
        ),
        (Some(uri), Some("1.0.0"), Some("linux/amd64")),
        "{done}"
    );
    let commands: Vec<&str> = wait["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(commands.len(), 4, "{commands:?}");
    assert!(
        commands[0].starts_with("aws ecr get-login-password --region us-east-1 | docker login")
    );
    assert_eq!(commands[3], format!("docker push {uri}:1.0.0"));
    let sandbox_command = wait["sandbox_command"].as_str().unwrap();
    assert!(
        sandbox_command.contains(&format!("--endpoint-url {}", sb.moto.endpoint)),
        "{sandbox_command}"
    );

    let check = |pushed: bool, waiting: bool| json!({"repository_uri": uri, "image_tag": "1.0.0", "pushed": pushed, "waiting": waiting});
    let (status, answer, _) = sb
        .send("GET", &format!("/api/deployments/{id}/image"), None)
        .await;
    assert_eq!((status, answer), (StatusCode::OK, check(false, true)));
    // Deploying again before the push changes nothing: the service goes on waiting.
    let again = json!({"plan": plan, "stack_name": "shop-fargate", "update": true});
    let (status, _, text) = sb
        .send("POST", "/api/deployments", Some(again.clone()))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    assert!(text.contains("no_changes"), "{text}");

    let repository = uri.split_once('/').unwrap().1;
    sb.moto.tool(
        server::SANDBOX_ROLE,
        &[
            "put-image",
            repository,
            "1.0.0",
            shared::api::SANDBOX_MANIFEST,
        ],
    );
    let (status, answer, _) = sb
        .send("GET", &format!("/api/deployments/{id}/image"), None)
        .await;
    assert_eq!((status, answer), (StatusCode::OK, check(true, true)));

    // "Start the service": the same plan again, an update whose change set starts it.
    let (status, created, text) = sb.send("POST", "/api/deployments", Some(again)).await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    // Each modified resource says whether it is replaced: neither is (a desired count and a
    // minimum change in place).
    let mut changed: Vec<(&str, &str, Option<&str>)> = created["change_set"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["action"].as_str().unwrap(),
                c["logical_id"].as_str().unwrap(),
                c["replacement"].as_str(),
            )
        })
        .collect();
    changed.sort_unstable();
    assert_eq!(
        changed,
        [
            ("Modify", "ScalableTarget", Some("False")),
            ("Modify", "Service", Some("False"))
        ],
        "{created}"
    );
    let update = created["id"].as_str().unwrap();
    let (status, _, text) = sb
        .send("POST", &format!("/api/deployments/{update}/execute"), None)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{text}");
    let started = sb.watch(update).await;
    assert_eq!(started["status"], "UPDATE_COMPLETE", "{started}");
    assert!(started.get("waiting_for_image").is_none(), "{started}");
    let (_, answer, _) = sb
        .send("GET", &format!("/api/deployments/{id}/image"), None)
        .await;
    assert_eq!(answer, check(true, false));

    // A tag that is not pushed would stop the running service: refused before any change set.
    let unpushed = json!({"plan": plan, "stack_name": "shop-fargate", "update": true,
        "parameters": {"ImageTag": "2.0.0"}});
    let (status, answer, text) = sb.send("POST", "/api/deployments", Some(unpushed)).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::CONFLICT, Some("image_not_pushed")),
        "{text}"
    );
    let bad = json!({"plan": plan, "stack_name": "shop-fargate", "update": true,
        "parameters": {"ImageTag": "2.0 final", "ImageReady": "true"}});
    let (status, answer, text) = sb.send("POST", "/api/deployments", Some(bad)).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_parameters")),
        "{text}"
    );
    let paths: Vec<&str> = answer["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["parameters.ImageReady", "parameters.ImageTag"]);
}

/// A sample of the matrix, one plan per option that changes the template's shape: each
/// deploys with its outputs, and is deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sample_of_the_matrix_deploys_in_the_sandbox() {
    let sb = Sandbox::start().await;
    let matrix: std::collections::BTreeMap<String, shared::plan::Plan> =
        shared::examples::matrix().into_iter().collect();
    for name in [
        "fargate-single-nat",
        "fargate-multi-az-db",
        "fargate-no-cache",
        "fargate-us-east-1-https",
        "fargate-spot-50",
        "fargate-arm64",
        "fargate-bare",
        "fargate-public-image",
        "fargate-environment",
        "fargate-domain",
        "lambda-rest",
        "lambda-image",
        "lambda-environment",
        "lambda-domain",
        "lambda-rest-domain",
        "fargate-governed",
        "lambda-governed",
        "lambda-governed-iam",
        "lambda-jwt",
        "lambda-rest-iam",
    ] {
        let plan = matrix
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not in the matrix"));
        let mut text = plan.to_json_pretty();
        if plan.fargate().is_some_and(|f| f.https.is_some()) {
            // The plan names an example certificate; the user's own comes from ACM first.
            let cert = sb
                .moto
                .tool(server::SANDBOX_ROLE, &["certificate", "shop.example.com"]);
            let example = shared::examples::certificate_arn(plan.region);
            assert!(text.contains(&example), "{name} names no certificate");
            text = text.replace(&example, cert["arn"].as_str().unwrap());
        }
        if name.ends_with("-environment") {
            // The secrets and the parameter the plan names exist first, as they would for a
            // user; the one named by ARN has the ARN the sandbox gave it.
            let tool = |args: &[&str]| sb.moto.tool(server::SANDBOX_ROLE, args);
            tool(&["secret", "stackplan/shop/stripe", "sk_test_sandbox"]);
            let mail = tool(&[
                "secret",
                "stackplan/shop/mail",
                r#"{"password": "mail-sandbox"}"#,
            ]);
            tool(&[
                "parameter",
                "/stackplan/shop/session-key",
                "session-sandbox",
            ]);
            let example =
                "arn:aws:secretsmanager:us-east-1:111122223333:secret:stackplan/shop/mail-AbCdEf";
            assert!(text.contains(example), "{name} names no secret by ARN");
            text = text.replace(example, mail["arn"].as_str().unwrap());
        }
        if name == "lambda-image" {
            // The function's image is looked up first: a repository the account lacks is
            // refused at the image; made, and the image pushed, the plan deploys.
            let request = json!({"plan": serde_json::from_str::<Value>(&text).unwrap(),
                "stack_name": format!("m-{name}")});
            let (status, answer, said) = sb.send("POST", "/api/deployments", Some(request)).await;
            assert_eq!(
                (status, answer["problems"][0]["path"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("plan.lambda.image")),
                "{said}"
            );
            sb.moto.push_image(
                server::SANDBOX_ROLE,
                "shop-api",
                "latest",
                shared::api::SANDBOX_MANIFEST,
            );
        }
        if name.ends_with("-domain") {
            // The user's hosted zone exists before the plan names it.
            let zone = sb
                .moto
                .tool(server::SANDBOX_ROLE, &["hosted-zone", "example.com"]);
            let example = shared::examples::domain().hosted_zone_id;
            assert!(text.contains(&example), "{name} names no zone");
            text = text.replace(&example, zone["id"].as_str().unwrap());
        }
        if let Some(bucket) = &plan.log_bucket {
            // The user's own bucket for access logs exists first, with the policy
            // `stackplan log-bucket-policy` prints for the account.
            let account = server::SANDBOX_ROLE.split(':').nth(4).unwrap();
            let policy = shared::template::users_log_bucket_policy(plan, account).unwrap();
            let made = sb.moto.tool(
                server::SANDBOX_ROLE,
                &["log-bucket", bucket, &policy.to_string()],
            );
            assert_eq!(made["policy"], policy.to_value(), "{made}");
        }
        let plan: Value = serde_json::from_str(&text).unwrap();
        let stack = format!("m-{name}");
        let (created, events, done) = sb.deploy(&plan, &stack).await;
        assert_eq!(
            done["status"],
            "CREATE_COMPLETE",
            "{name}: {done}\nsandbox log:\n{}",
            sb.moto.log()
        );
        assert_eq!(
            created_resources(&events).len() as u64,
            created["resources"].as_u64().unwrap(),
            "{name}"
        );
        assert!(
            !done["outputs"].as_array().unwrap().is_empty(),
            "{name}: {done}"
        );
        let inv = sb.moto.inventory(server::SANDBOX_ROLE);
        match name {
            "fargate-single-nat" => assert_eq!(inv["nat_gateways"], 1, "{inv}"),
            "fargate-multi-az-db" => assert_eq!(inv["db_instances"][0]["multi_az"], true, "{inv}"),
            "fargate-no-cache" | "fargate-bare" => {
                assert_eq!(inv["replication_groups"], json!([]), "{inv}")
            }
            "fargate-us-east-1-https" => assert_eq!(
                inv["load_balancers"][0]["listeners"],
                json!(["HTTP:80", "HTTPS:443"]),
                "{inv}"
            ),
            "fargate-arm64" => {
                assert_eq!(inv["ecs_services"][0]["cpu_architecture"], "ARM64", "{inv}")
            }
            "fargate-public-image" => assert_eq!(
                inv["ecs_services"][0]["image"], "public.ecr.aws/nginx/nginx:1.0.0",
                "{inv}"
            ),
            "fargate-spot-50" => assert_eq!(
                inv["ecs_services"][0]["capacity_providers"],
                json!(["FARGATE", "FARGATE_SPOT"]),
                "{inv}"
            ),
            "fargate-governed" => {
                // The profile's settings reached the services: the stack's own key encrypts the
                // database and the log group, and the database and balancer are protected.
                let db = &inv["db_instances"][0];
                assert_eq!(db["deletion_protection"], true, "{inv}");
                assert_eq!(db["monitoring_interval"], 60, "{inv}");
                assert_eq!(inv["kms_keys"].as_array().unwrap().len(), 1, "{inv}");
                assert_eq!(inv["kms_keys"][0]["rotation"], true, "{inv}");
                assert!(
                    db["kms_key_id"]
                        .as_str()
                        .unwrap()
                        .ends_with(inv["kms_keys"][0]["id"].as_str().unwrap()),
                    "{inv}"
                );
                assert_eq!(inv["encrypted_log_groups"], inv["log_groups"], "{inv}");
                assert_eq!(
                    inv["load_balancers"][0]["deletion_protection"], true,
                    "{inv}"
                );
                // The access logs go to the user's bucket, under the stack's name: the stack
                // has no log bucket of its own.
                assert_eq!(
                    inv["flow_logs"],
                    json!([format!(
                        "arn:aws:s3:::shop-access-logs-us-east-1/{stack}/vpc/"
                    )]),
                    "{inv}"
                );
                assert_eq!(
                    inv["buckets"].as_array().unwrap().len(),
                    2,
                    "the user's and the app's: {inv}"
                );
                // Redis signs in through RBAC: the service's own user, the default one off.
                let group = &inv["cache_user_groups"][0];
                assert_eq!(
                    inv["replication_groups"][0]["user_groups"],
                    json!([group["id"]]),
                    "{inv}"
                );
                assert_eq!(
                    group["users"],
                    json!([
                        {"name": "default", "access": "off -@all", "auth": "no-password"},
                        {"name": "service", "access": "on ~* &* +@all", "auth": "password"}
                    ]),
                    "{inv}"
                );
                let secrets = &inv["ecs_services"][0]["secrets"];
                assert!(
                    secrets["REDIS_USERNAME"]
                        .as_str()
                        .unwrap()
                        .ends_with(":username::"),
                    "{inv}"
                );
            }
            "lambda-governed" => {
                assert_eq!(inv["kms_keys"].as_array().unwrap().len(), 1, "{inv}");
                assert_eq!(inv["encrypted_log_groups"], inv["log_groups"], "{inv}");
                // The function runs in the stack's VPC, whose flow logs go to the user's bucket.
                assert_eq!(inv["functions"][0]["vpc_subnets"], 2, "{inv}");
                assert_eq!(
                    inv["flow_logs"],
                    json!([format!(
                        "arn:aws:s3:::shop-access-logs-us-east-1/{stack}/vpc/"
                    )]),
                    "{inv}"
                );
                // API Gateway invokes through the stack's role; the function has no
                // resource-based policy at all.
                assert_eq!(inv["functions"][0]["invoked_by"], json!([]), "{inv}");
                let credentials = &inv["http_apis"][0]["integration_credentials"];
                assert_eq!(credentials.as_array().unwrap().len(), 1, "{inv}");
                assert!(credentials[0].as_str().unwrap().contains(":role/"), "{inv}");
            }
            "lambda-governed-iam" => {
                // The profile turned the REST API into an HTTP API; its integration carries
                // the stack's invoke role, and the function reaches its bucket from the VPC.
                assert_eq!(inv["functions"][0]["invoked_by"], json!([]), "{inv}");
                assert_eq!(inv["functions"][0]["vpc_subnets"], 2, "{inv}");
                assert_eq!(inv["rest_apis"], json!([]), "{inv}");
                assert_eq!(
                    inv["http_apis"][0]["integration_credentials"]
                        .as_array()
                        .unwrap()
                        .len(),
                    1,
                    "{inv}"
                );
            }
            "lambda-rest" => {
                assert_eq!(inv["rest_apis"].as_array().unwrap().len(), 1, "{inv}");
                assert_eq!(
                    inv["functions"][0]["invoked_by"],
                    json!(["apigateway.amazonaws.com"]),
                    "{inv}"
                );
            }
            "lambda-image" => {
                // The function runs the image at the template's default tag.
                let f = &inv["functions"][0];
                assert_eq!(f["package_type"], "Image", "{inv}");
                assert_eq!(
                    f["image_uri"],
                    format!(
                        "{}:latest",
                        shared::examples::function_image(shared::plan::Region::UsEast1)
                    ),
                    "{inv}"
                );
            }
            "lambda-environment" => {
                // CloudFormation resolved the references when it deployed: the function has
                // the secrets' values, and the generated key.
                let env = &inv["functions"][0]["environment"];
                assert_eq!(env["PRSM_ENV"], "production", "{inv}");
                assert_eq!(env["STRIPE_KEY"], "sk_test_sandbox", "{inv}");
                assert_eq!(env["MAIL_PASSWORD"], "mail-sandbox", "{inv}");
                let key = env["API_KEY"].as_str().unwrap();
                assert!(
                    key.len() == 48 && key.chars().all(|c| c.is_ascii_alphanumeric()),
                    "{key}"
                );
            }
            "fargate-environment" => {
                // ECS gets references only; its execution role reads them when a task starts.
                let service = &inv["ecs_services"][0];
                assert_eq!(service["environment"]["LOG_LEVEL"], "info", "{inv}");
                let secrets = &service["secrets"];
                for name in ["STRIPE_KEY", "MAIL_PASSWORD", "API_KEY", "SESSION_KEY"] {
                    assert!(
                        secrets[name].as_str().unwrap().starts_with("arn:aws:"),
                        "{inv}"
                    );
                }
                assert!(
                    secrets["SESSION_KEY"]
                        .as_str()
                        .unwrap()
                        .ends_with(":parameter/stackplan/shop/session-key"),
                    "{inv}"
                );
                assert!(
                    secrets["STRIPE_KEY"]
                        .as_str()
                        .unwrap()
                        .ends_with(":secret:stackplan/shop/stripe"),
                    "{inv}"
                );
                // One key of a JSON secret: ECS's `<arn>:<key>::`.
                assert!(
                    secrets["MAIL_PASSWORD"]
                        .as_str()
                        .unwrap()
                        .ends_with(":password::"),
                    "{inv}"
                );
            }
            _ => {}
        }
        if name.ends_with("-domain") {
            // The certificate was issued through the zone, the name points at what serves it,
            // and the URL output is the domain's.
            assert_eq!(
                inv["certificates"],
                json!([{"domain": "shop.example.com", "status": "ISSUED"}]),
                "{inv}"
            );
            let record = inv["domain_records"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["name"] == "shop.example.com")
                .unwrap_or_else(|| panic!("no record: {inv}"))
                .clone();
            if name.starts_with("fargate") {
                assert_eq!(record["alias"], inv["load_balancers"][0]["dns"], "{inv}");
            } else {
                assert_eq!(inv["api_domains"], json!(["shop.example.com"]), "{inv}");
            }
            let url = done["outputs"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["key"] == "ServiceUrl" || o["key"] == "ApiUrl")
                .unwrap()
                .clone();
            assert_eq!(url["value"], "https://shop.example.com", "{done}");
        }
        let mut gone = sb.delete(created["id"].as_str().unwrap()).await;
        if name == "fargate-governed" {
            // Deletion protection stops the deletion, as on AWS, at the protected resources,
            // until an administrator lifts it.
            assert_eq!(gone["status"], "DELETE_FAILED", "{name}: {gone}");
            assert_eq!(
                gone["failure"]["resource_type"], "AWS::RDS::DBInstance",
                "{gone}"
            );
            // The load balancer may be kept in the account instead: the delete then stops
            // at the database alone.
            let id = created["id"].as_str().unwrap();
            let (status, kept, text) = sb
                .send(
                    "POST",
                    &format!("/api/deployments/{id}/delete-keeping"),
                    Some(json!({"keep": ["LoadBalancer"]})),
                )
                .await;
            assert_eq!(status, StatusCode::ACCEPTED, "{text}");
            assert_eq!(
                (
                    kept["status"].as_str(),
                    kept["failure"]["logical_id"].as_str()
                ),
                (Some("DELETE_FAILED"), Some("Database")),
                "{kept}"
            );
            // Kept as asked, the stack's own events and template say, not by a policy.
            let left: Vec<_> = kept["left_behind"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|l| (l["logical_id"].as_str(), l["why"].as_str()))
                .collect();
            assert!(
                left.contains(&(Some("LoadBalancer"), Some("asked"))),
                "{kept}"
            );
            let lifted = sb
                .moto
                .tool(server::SANDBOX_ROLE, &["lift-protection", &stack]);
            assert_eq!(lifted["lifted"], json!(["Database"]), "{lifted}");
            gone = sb.delete(id).await;
            let inv = sb.moto.inventory(server::SANDBOX_ROLE);
            assert_eq!(
                inv["load_balancers"].as_array().map(Vec::len),
                Some(1),
                "the kept load balancer stays: {inv}"
            );
        }
        assert_eq!(gone["status"], "DELETE_COMPLETE", "{name}: {gone}");
        // A deleted service waits for no image (it had waited for one: none was pushed).
        assert!(gone.get("waiting_for_image").is_none(), "{name}: {gone}");
        // Buckets and tables outlive their stacks (DeletionPolicy: Retain): start afresh.
        sb.moto.tool(server::SANDBOX_ROLE, &["reset"]);
    }
}

/// A first deploy that fails leaves nothing in the account: its rollback deletes the tables
/// and buckets it made, though the template retains them (`RetainExceptOnCreate`), where a
/// retry would otherwise make a second set beside the first, each billed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_first_deploy_leaves_nothing_behind() {
    let sb = Sandbox::start().await;
    let mut plan = example(shared::plan::ArchitectureKind::Lambda);
    // A secret that is there (a deploy looks secrets up first) but whose JSON lacks the key
    // the variable reads, which only reading its value can tell: the function fails, after
    // the tables and buckets are made.
    sb.moto.tool(
        server::SANDBOX_ROLE,
        &["secret", "stackplan/shop/keyless", r#"{"other": "x"}"#],
    );
    plan["environment"] = json!([
        {"name": "STRIPE_KEY", "secret": "stackplan/shop/keyless", "json_key": "live"}
    ]);
    let (_, events, done) = sb
        .deploy_request(json!({"plan": plan, "stack_name": "shop-lambda"}))
        .await;
    assert_eq!(done["status"], "ROLLBACK_COMPLETE", "{done}");
    let made = created_resources(&events);
    assert!(
        made.iter().any(|r| r.contains("Table")) && made.iter().any(|r| r.contains("Bucket")),
        "the failure came after the data resources: {made:?}"
    );
    assert!(done.get("left_behind").is_none(), "{done}");
    let inv = sb.moto.inventory(server::SANDBOX_ROLE);
    assert_eq!(
        (&inv["tables"], &inv["buckets"]),
        (&json!([]), &json!([])),
        "{inv}"
    );
}

/// The secrets and parameters a plan reads are looked up in the sandbox's Secrets Manager and
/// Parameter Store through the real SDK clients before anything is made: missing ones are
/// refused at their fields; once made, the same plan deploys.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_and_parameters_are_looked_up_before_a_deploy() {
    let sb = Sandbox::start().await;
    let mut plan = example(shared::plan::ArchitectureKind::Fargate);
    plan["environment"] = json!([
        {"name": "STRIPE_KEY", "secret": "stackplan/shop/stripe"},
        {"name": "DB_URL", "ssm_parameter": "/stackplan/shop/db"},
        {"name": "SESSION_KEY", "generate": true}
    ]);
    let request = json!({"plan": plan, "stack_name": "shop-fargate"});
    let (status, answer, text) = sb
        .send("POST", "/api/deployments", Some(request.clone()))
        .await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("missing_values")),
        "{text}"
    );
    let problems: Vec<(&str, &str)> = answer["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["path"].as_str().unwrap(), p["message"].as_str().unwrap()))
        .collect();
    assert_eq!(problems.len(), 2, "{text}");
    assert_eq!(problems[0].0, "plan.environment[0].secret");
    assert!(
        problems[0]
            .1
            .starts_with("Secrets Manager has no secret stackplan/shop/stripe in us-east-1"),
        "{text}"
    );
    assert_eq!(problems[1].0, "plan.environment[1].ssm_parameter");
    assert!(
        problems[1]
            .1
            .starts_with("Parameter Store has no parameter /stackplan/shop/db in us-east-1"),
        "{text}"
    );
    let inv = sb.moto.inventory(server::SANDBOX_ROLE);
    assert_eq!(inv["vpcs"], json!([]), "nothing was made: {inv}");

    sb.moto.tool(
        server::SANDBOX_ROLE,
        &["secret", "stackplan/shop/stripe", "sk_test_sandbox"],
    );
    sb.moto.tool(
        server::SANDBOX_ROLE,
        &["parameter", "/stackplan/shop/db", "postgres://sandbox"],
    );
    let (_, _, done) = sb.deploy_request(request).await;
    assert_eq!(done["status"], "CREATE_COMPLETE", "{done}");
}

/// A tiny template of someone else's, deployed outside Stackplan.
const FOREIGN_TEMPLATE: &str = r#"{"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "someone-elses"}}}}"#;

/// Stackplan acts only on stacks it made: a stack made directly through moto's API cannot be
/// watched, read, executed, deleted or updated through Stackplan, even with a validly signed id
/// for it; and a change set made outside Stackplan on one of its stacks is never run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stackplan_acts_only_on_stacks_it_made() {
    let sb = Sandbox::start().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("foreign.json");
    std::fs::write(&file, FOREIGN_TEMPLATE).unwrap();
    let foreign = sb.moto.tool(
        server::SANDBOX_ROLE,
        &["create-stack", "someone-elses", file.to_str().unwrap()],
    );
    let arn = server::deploy::StackArn::parse(foreign["id"].as_str().unwrap()).unwrap();
    let key = server::deploy::id::IdKey::from_hex(ID_KEY).unwrap();
    for change_set in [None, Some("stackplan-0123456789abcdef".to_string())] {
        let id = server::deploy::id::Deployment {
            stack: arn.clone(),
            change_set,
        }
        .id(&key);
        sb.refuses_deployment(&id, "foreign").await;
    }
    // Its name cannot be taken over as an update either.
    let plan = example(shared::plan::ArchitectureKind::Lambda);
    sb.refuses_update(&plan, "someone-elses", "foreign").await;
    let after = sb
        .moto
        .tool(server::SANDBOX_ROLE, &["describe-stack", "someone-elses"]);
    assert_eq!(after["status"], "CREATE_COMPLETE", "untouched: {after}");
    assert_eq!(after["tags"], json!({}), "{after}");

    // A change set made outside Stackplan, on a stack Stackplan made, is never run by it.
    let (_, created, text) = sb
        .send(
            "POST",
            "/api/deployments",
            Some(json!({"plan": plan, "stack_name": "shop-lambda"})),
        )
        .await;
    let new_stack = created["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{text}"))
        .to_string();
    sb.watch(&new_stack).await;
    // An update through Stackplan: its id names its own change set, which has run.
    let mut bigger = plan.clone();
    bigger["lambda"]["memory_mb"] = json!(1024);
    let (updated, _, done) = sb
        .deploy_request(json!({"plan": bigger, "stack_name": "shop-lambda", "update": true}))
        .await;
    assert_eq!(done["status"], "UPDATE_COMPLETE", "{done}");
    let id = updated["id"].as_str().unwrap().to_string();
    let stack = created["stack_name"].as_str().unwrap();
    // Stackplan's tags set by hand, outside Stackplan, prove nothing: not the managed tag alone,
    // and not with the proof of a stack Stackplan did make copied onto it.
    let ours = sb
        .moto
        .tool(server::SANDBOX_ROLE, &["describe-stack", stack]);
    let copied = ours["tags"]["stackplan:proof"]
        .as_str()
        .unwrap_or_else(|| panic!("a stack Stackplan makes carries its proof: {ours}"));
    for (name, proof) in [("tagged-by-hand", None), ("proof-copied", Some(copied))] {
        let mut args = vec![
            "create-stack".to_string(),
            name.to_string(),
            file.to_str().unwrap().to_string(),
            "tag:stackplan:managed=true".to_string(),
        ];
        args.extend(proof.map(|p| format!("tag:stackplan:proof={p}")));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let forged = sb.moto.tool(server::SANDBOX_ROLE, &args);
        let body = sb.refuses_update(&plan, name, name).await;
        assert!(
            body["message"].as_str().unwrap().contains("prove-stack"),
            "{name}: {body}"
        );
        let id = server::deploy::id::Deployment {
            stack: server::deploy::StackArn::parse(forged["id"].as_str().unwrap()).unwrap(),
            change_set: None,
        }
        .id(&key);
        sb.refuses_deployment(&id, name).await;
        // The command line says the same, rather than that there is no such stack.
        let args = server::cli::status::DeployStatusArgs {
            stack: name.into(),
            region: "us-east-1".into(),
            wait: false,
            wait_minutes: 60,
            start: false,
            owner: None,
            account: server::cli::status::AccountArgs {
                aws_endpoint: Some(sb.moto.endpoint.clone()),
                id_key: Some(ID_KEY.into()),
                ..Default::default()
            },
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let outcome = server::cli::status::run(&args, &mut out, &mut err).await;
        let err = String::from_utf8(err).unwrap();
        assert_eq!(
            outcome,
            server::cli::status::Outcome::NotFound,
            "{name}: {err}"
        );
        assert!(err.contains("prove-stack"), "{name}: {err}");
        let after = sb
            .moto
            .tool(server::SANDBOX_ROLE, &["describe-stack", name]);
        assert_eq!(after["status"], "CREATE_COMPLETE", "untouched: {after}");
    }
    let outside = sb.moto.tool(
        server::SANDBOX_ROLE,
        &[
            "create-change-set",
            stack,
            "outside",
            file.to_str().unwrap(),
        ],
    );
    let outside_id = outside["id"].as_str().unwrap();
    let (status, body, _) = sb
        .send(
            "POST",
            &format!("/api/deployments/{id}/execute"),
            Some(json!({"change_set_id": outside_id})),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request")),
        "{body}"
    );
    // The update's own change set ran already: executing it again is that request sent
    // again, answered with the stack as it is, and nothing runs (the outside change set is
    // still available, below). A new stack's id names no change set at all.
    let (status, body, _) = sb
        .send("POST", &format!("/api/deployments/{id}/execute"), None)
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::ACCEPTED, Some("UPDATE_COMPLETE")),
        "there is no newest-change-set fallback: {body}"
    );
    let (status, body, _) = sb
        .send(
            "POST",
            &format!("/api/deployments/{new_stack}/execute"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("no_change_set")),
        "a new stack's id names no change set: {body}"
    );
    let still = sb.moto.tool(
        server::SANDBOX_ROLE,
        &["describe-change-set", stack, "outside"],
    );
    assert_eq!(still["execution_status"], "AVAILABLE", "never run: {still}");

    // Stackplan deletes its stack; someone makes one of the same name at once, by hand, with
    // the deleted stack's tags, its proof among them, and without the execution role. Made
    // within the proof's 15 minutes, it is still not the stack the proof is of.
    // (moto deletes at once: the answer is final.)
    let gone = sb.delete(&new_stack).await;
    assert_eq!(gone["status"], "DELETE_COMPLETE", "{gone}");
    let args = [
        "create-stack".to_string(),
        stack.to_string(),
        file.to_str().unwrap().to_string(),
        "tag:stackplan:managed=true".to_string(),
        format!("tag:stackplan:proof={copied}"),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let replayed = sb.moto.tool(server::SANDBOX_ROLE, &args);
    let body = sb.refuses_update(&plan, stack, "replayed").await;
    assert!(
        body["message"].as_str().unwrap().contains("prove-stack"),
        "{body}"
    );
    let replayed_id = server::deploy::id::Deployment {
        stack: server::deploy::StackArn::parse(replayed["id"].as_str().unwrap()).unwrap(),
        change_set: None,
    }
    .id(&key);
    sb.refuses_deployment(&replayed_id, "replayed").await;
    let after = sb
        .moto
        .tool(server::SANDBOX_ROLE, &["describe-stack", stack]);
    assert_eq!(after["status"], "CREATE_COMPLETE", "untouched: {after}");
}

/// Two tenants of one server share the sandbox's deployer role. Each stack carries its
/// tenant's `stackplan:owner` tag as CloudFormation records it, and the other tenant (or a
/// token without an owner) can neither update it by name nor read, execute, delete it or upload
/// its code by its id; its own tenant can, and its update keeps the tag.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_acts_only_on_its_own_stacks() {
    let (a, b) = ("team-a-token-0123456789", "team-b-token-0123456789");
    // One account, one role: each owner reaches settings of its own (the tokens file is
    // refused otherwise).
    let role =
        |prefix: &str| json!({"role_arn": server::SANDBOX_ROLE, "settings_prefixes": [prefix]});
    let file = json!({"tokens": [
        {"token": a, "owner": "team-a", "roles": [role("stackplan/team-a/")]},
        {"token": b, "owner": "team-b", "roles": [role("stackplan/team-b/")]},
        {"token": TOKEN, "roles": [role("stackplan/shared/")]},
    ]});
    let tokens = Tokens::from_file(&file.to_string()).unwrap();
    let sb = Sandbox::with_tokens(Moto::start(), |_| {}, tokens).await;
    let plan = example(shared::plan::ArchitectureKind::Lambda);
    let code = zip_of(&[(
        "app.py",
        "def handler(event, context):\n    return {\"statusCode\": 200}\n",
    )]);
    sb.act_as(a);
    let (created, _, done) = sb.deploy(&plan, "tenant-shop").await;
    assert_eq!(done["status"], "CREATE_COMPLETE", "{done}");
    let id = created["id"].as_str().unwrap().to_string();
    let described = || {
        sb.moto
            .tool(server::SANDBOX_ROLE, &["describe-stack", "tenant-shop"])
    };
    assert_eq!(
        described()["tags"]["stackplan:owner"],
        "team-a",
        "{}",
        described()
    );
    for other in [b, TOKEN] {
        sb.act_as(other);
        sb.refuses_update(&plan, "tenant-shop", other).await;
        sb.refuses_deployment(&id, other).await;
    }
    assert_eq!(
        described()["status"],
        "CREATE_COMPLETE",
        "untouched: {}",
        described()
    );
    // The command line finds the stack for its owner only.
    use server::cli::status::{AccountArgs, DeployStatusArgs, Outcome, run};
    for (owner, expected, says) in [
        (
            Some("team-a"),
            Outcome::Fine,
            "tenant-shop in us-east-1: CREATE_COMPLETE",
        ),
        (
            Some("team-b"),
            Outcome::NotFound,
            "no stack tenant-shop that Stackplan made",
        ),
        (
            None,
            Outcome::NotFound,
            "no stack tenant-shop that Stackplan made",
        ),
    ] {
        let args = DeployStatusArgs {
            stack: "tenant-shop".into(),
            region: "us-east-1".into(),
            wait: false,
            wait_minutes: 60,
            start: false,
            owner: owner.map(String::from),
            account: AccountArgs {
                aws_endpoint: Some(sb.moto.endpoint.clone()),
                id_key: Some(ID_KEY.into()),
                ..AccountArgs::default()
            },
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let outcome = run(&args, &mut out, &mut err).await;
        let text = String::from_utf8(out).unwrap() + &String::from_utf8(err).unwrap();
        assert_eq!(outcome, expected, "{owner:?}: {text}");
        assert!(text.contains(says), "{owner:?}: {text}");
    }
    sb.act_as(a);
    let (status, body) = sb.put_code(&id, code, "application/octet-stream").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut bigger = plan.clone();
    bigger["lambda"]["memory_mb"] = json!(1024);
    let (_, _, done) = sb
        .deploy_request(json!({"plan": bigger, "stack_name": "tenant-shop", "update": true}))
        .await;
    assert_eq!(done["status"], "UPDATE_COMPLETE", "{done}");
    assert_eq!(
        described()["tags"]["stackplan:owner"],
        "team-a",
        "{}",
        described()
    );
    let gone = sb.delete(&id).await;
    assert_eq!(gone["status"], "DELETE_COMPLETE", "{gone}");
}

/// The account bootstrap works in the sandbox: its stack makes the deployer role, the
/// execution role and the permissions boundary; a server configured with its outputs deploys
/// the Lambda example through those roles (every role of the stack carries the boundary), and
/// deletes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bootstrap_roles_deploy_and_delete_the_lambda_example() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stackplan-bootstrap.json");
    std::fs::write(
        &file,
        server::bootstrap::template_json(&server::bootstrap::Options::default()),
    )
    .unwrap();
    let external_id = server::bootstrap::new_external_id().unwrap();
    // Another moto account than the server's default one: the user's account.
    let account_admin = "arn:aws:iam::210987654321:role/admin";
    let boot = moto.tool(
        account_admin,
        &[
            "create-stack",
            server::bootstrap::STACK_NAME,
            file.to_str().unwrap(),
            "TrustedPrincipal=arn:aws:iam::123456789012:user/stackplan",
            &format!("ExternalId={external_id}"),
        ],
    );
    assert_eq!(boot["status"], "CREATE_COMPLETE", "{boot}\n{}", moto.log());
    let out = |k: &str| {
        boot["outputs"][k]
            .as_str()
            .unwrap_or_else(|| panic!("{k}: {boot}"))
            .to_string()
    };
    let (deployer, execution, boundary) = (
        out("DeployerRoleArn"),
        out("ExecutionRoleArn"),
        out("PermissionsBoundaryArn"),
    );
    assert!(deployer.contains(":210987654321:"), "{deployer}");
    let sb = Sandbox::with(moto, |c| {
        c.role_arn = Some(deployer.clone());
        c.external_id = Some(external_id.clone());
        c.execution_role_arn = Some(execution.clone());
        c.permissions_boundary_arn = Some(boundary.clone());
    })
    .await;
    let plan = example(shared::plan::ArchitectureKind::Lambda);
    let (status, created, text) = sb
        .send(
            "POST",
            "/api/deployments",
            Some(json!({"plan": plan, "stack_name": "shop-lambda"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let id = created["id"].as_str().unwrap().to_string();
    let done = sb.watch(&id).await;
    assert_eq!(done["status"], "CREATE_COMPLETE", "{done}");
    // The stack is in the user's account, made by the execution role, and its role carries
    // the boundary.
    let stack = sb.moto.tool(&deployer, &["describe-stack", "shop-lambda"]);
    assert!(
        stack["id"].as_str().unwrap().contains(":210987654321:"),
        "{stack}"
    );
    assert_eq!(stack["tags"]["stackplan:managed"], "true", "{stack}");
    let role = sb.moto.tool(&deployer, &["role", "FunctionRole"]);
    assert_eq!(role["permissions_boundary"], boundary, "{role}");
    let (status, gone, text) = sb
        .send("DELETE", &format!("/api/deployments/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{text}");
    assert_eq!(gone["status"], "DELETE_COMPLETE", "{gone}");
}

/// `stackplan deploy-status` gives the deploy panel's view from the command line, through the
/// same deploy service: a service waiting for its image with the push commands (exit 3), and
/// `--start` once the image is there, which updates the service to its planned count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_status_shows_the_wait_and_starts_the_service() {
    use server::cli::status::{AccountArgs, DeployStatusArgs, Outcome, run};
    let sb = Sandbox::start().await;
    let plan = example(shared::plan::ArchitectureKind::Fargate);
    let (_, _, done) = sb.deploy(&plan, "cli-fargate").await;
    assert_eq!(done["status"], "CREATE_COMPLETE", "{done}");
    let uri = output(&done, "RepositoryUri").to_string();
    let mut args = DeployStatusArgs {
        stack: "cli-fargate".into(),
        region: "us-east-1".into(),
        wait: false,
        wait_minutes: 60,
        start: false,
        owner: None,
        account: AccountArgs {
            aws_endpoint: Some(sb.moto.endpoint.clone()),
            id_key: Some(ID_KEY.into()),
            // The default reach: the `stackplan/` prefix.
            ..AccountArgs::default()
        },
    };
    let status = |args: DeployStatusArgs| async move {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let outcome = run(&args, &mut out, &mut err).await;
        let (out, err) = (
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        );
        (outcome, out + &err)
    };

    let (outcome, text) = status(args.clone()).await;
    assert_eq!(outcome, Outcome::WaitingForImage, "{text}");
    assert!(
        text.starts_with("cli-fargate in us-east-1: CREATE_COMPLETE\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("  RepositoryUri          {uri}\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("  docker push {uri}:1.0.0\n")),
        "{text}"
    );
    assert!(text.contains("The image is not pushed yet."), "{text}");
    // --start before the push changes nothing.
    args.start = true;
    let (outcome, _) = status(args.clone()).await;
    assert_eq!(outcome, Outcome::WaitingForImage);

    let repository = uri.split_once('/').unwrap().1;
    sb.moto.tool(
        server::SANDBOX_ROLE,
        &[
            "put-image",
            repository,
            "1.0.0",
            shared::api::SANDBOX_MANIFEST,
        ],
    );
    let (outcome, text) = status(args.clone()).await;
    assert_eq!(outcome, Outcome::Fine, "{text}\n{}", sb.moto.log());
    assert!(
        text.contains(&format!("The image {uri}:1.0.0 is there.")),
        "{text}"
    );
    assert!(text.contains("Starting the service: Modify "), "{text}");
    assert!(
        text.contains("cli-fargate in us-east-1: UPDATE_COMPLETE\n"),
        "{text}"
    );
    let inv = sb.moto.inventory(server::SANDBOX_ROLE);
    assert_eq!(inv["ecs_services"][0]["desired_count"], 2, "{inv}");

    // Started: nothing waits any more.
    args.start = false;
    let (outcome, text) = status(args.clone()).await;
    assert_eq!(outcome, Outcome::Fine, "{text}");
    assert!(!text.contains("runs no task"), "{text}");
    // Only stacks Stackplan made, by name.
    args.stack = "nope".into();
    let (outcome, text) = status(args).await;
    assert_eq!(outcome, Outcome::NotFound);
    assert_eq!(
        text,
        "stackplan deploy-status: no stack nope that Stackplan made in us-east-1 (a tenant's stack needs --owner)\n"
    );
}
