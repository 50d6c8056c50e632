//! The HTTP server, driven in-process with `tower::ServiceExt::oneshot`.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use server::{AppState, Config, app};
use tower::ServiceExt;

fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>Stackplan</title>",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("app-0123456789abcdef_bg.wasm"),
        vec![0u8; 4096],
    )
    .unwrap();
    std::fs::write(dir.path().join("app-0123456789abcdef.js"), "x".repeat(4096)).unwrap();
    dir
}

async fn get(
    dist: &std::path::Path,
    uri: &str,
    gzip: bool,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let encoding = [(header::ACCEPT_ENCODING, "gzip")];
    get_with(dist, uri, if gzip { &encoding } else { &[] }).await
}

/// A GET of `uri` with `headers`, answered by the app serving `dist`.
async fn get_with(
    dist: &std::path::Path,
    uri: &str,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let state = AppState::new(Config {
        addr: "127.0.0.1:0".into(),
        dist: dist.to_path_buf(),
        ..Config::default()
    });
    let mut req = Request::get(uri);
    for (name, value) in headers {
        req = req.header(name, *value);
    }
    let res = app(state)
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, body)
}

#[tokio::test]
async fn health_answers_ok() {
    let d = dist();
    let (status, _, body) = get(d.path(), "/health", false).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, br#"{"status":"ok"}"#);
}

#[tokio::test]
async fn unknown_api_paths_get_json_404() {
    let d = dist();
    let (status, headers, body) = get(d.path(), "/api/nothing/here", false).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"], "not_found");
    assert_eq!(body["message"], "no API route /api/nothing/here");
    // The API's own root, with and without its slash, is not the planner's page.
    for path in ["/api", "/api/"] {
        let (status, headers, body) = get(d.path(), path, false).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(headers[header::CONTENT_TYPE], "application/json", "{path}");
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"], "not_found", "{path}");
    }
}

/// A hidden file in the build's directory (an editor's, a deploy tool's `.env`) is not served,
/// however its name is written.
#[tokio::test]
async fn hidden_files_are_not_served() {
    let d = dist();
    std::fs::write(d.path().join(".env"), "SECRET=1").unwrap();
    std::fs::create_dir(d.path().join("public")).unwrap();
    std::fs::write(d.path().join("public/.env"), "SECRET=2").unwrap();
    for uri in [
        "/.env",
        "/%2eenv",
        "/%2Eenv",
        "/public%2F.env",
        "/public/%2eenv",
    ] {
        let (status, _, body) = get(d.path(), uri, false).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!String::from_utf8_lossy(&body).contains("SECRET"), "{uri}");
    }
}

#[tokio::test]
async fn unknown_paths_get_the_app() {
    let d = dist();
    let (status, headers, body) = get(d.path(), "/some/deep/link", false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("<title>Stackplan</title>")
    );
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
}

/// A path no file can have (a segment past 255 bytes) is an unknown path, not a server error.
#[tokio::test]
async fn a_path_no_file_can_have_is_an_unknown_path() {
    let d = dist();
    // Past a file name's 255 bytes, alone or with the `.gz` the file server tries after it
    // (the last `true`: the client accepts compressed answers).
    for long in ["a".repeat(300), "a".repeat(254)] {
        for compressed in [false, true] {
            let (status, _, body) = get(d.path(), &format!("/{long}"), compressed).await;
            assert_eq!(status, StatusCode::OK, "{}", long.len());
            // (Compressed, the page is gzip's bytes.)
            if !compressed {
                assert!(String::from_utf8_lossy(&body).contains("<title>Stackplan</title>"));
            }
            let (status, _, _) = get(d.path(), &format!("/{}.js", &long[3..]), compressed).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{}", long.len());
        }
    }
}

#[tokio::test]
async fn a_missing_file_of_the_build_is_404_not_the_app() {
    let d = dist();
    for uri in [
        "/split-0123456789abcdef.js",
        "/split_deploy-0123456789abcdef.wasm",
        "/missing.css",
    ] {
        let (status, _, body) = get(d.path(), uri, false).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!String::from_utf8_lossy(&body).contains("<title>"), "{uri}");
    }
    // A client-side route with a dot is still the app.
    let (status, _, body) = get(d.path(), "/plans/v1.2", false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("<title>Stackplan</title>")
    );
}

#[tokio::test]
async fn hashed_assets_are_cached_and_compressed() {
    let d = dist();
    let (status, headers, body) = get(d.path(), "/app-0123456789abcdef.js", true).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    assert!(body.len() < 4096, "compressed: {} bytes", body.len());
}

/// A range answer and a revalidation carry the 200's cache rules: caches key every answer of
/// the URL on the encoding, and a 304 renews the year or the revalidation it was given.
#[tokio::test]
async fn ranges_and_revalidations_carry_the_cache_rules() {
    let d = dist();
    let (status, headers, _) = get_with(
        d.path(),
        "/app-0123456789abcdef_bg.wasm",
        &[(header::RANGE, "bytes=0-9")],
    )
    .await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(headers[header::VARY], "accept-encoding");
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let (_, first, _) = get_with(d.path(), "/index.html", &[]).await;
    let modified = first[header::LAST_MODIFIED].to_str().unwrap().to_string();
    let (status, headers, _) = get_with(
        d.path(),
        "/index.html",
        &[(header::IF_MODIFIED_SINCE, &modified)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(headers[header::VARY], "accept-encoding");
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
}

/// A path that only looks like a hashed file is the app's page, revalidated as pages are: a
/// year-long cache would pin that page's version in the browser.
#[tokio::test]
async fn an_unknown_hashed_looking_path_is_not_cached_for_a_year() {
    let d = dist();
    let (status, headers, body) = get(d.path(), "/plans/shop-0123456789abcdef", false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains("<title>Stackplan</title>"));
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
}

#[tokio::test]
async fn prices_without_a_live_source_are_the_embedded_book_with_the_reason() {
    let dir = dist();
    let (status, _, body) = get(dir.path(), "/api/prices/eu-west-1", false).await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["source"], "embedded");
    assert_eq!(v["date"], shared::cost::PriceBook::embedded().date);
    assert!(
        v["note"]
            .as_str()
            .unwrap()
            .contains("does not fetch live prices")
    );
    // The page holds the embedded book: its prices are not sent again.
    assert!(v.get("book_tsv").is_none(), "{v}");
    assert_eq!(v["version"], shared::cost::PriceBook::embedded().version);
    let (status, _, body) = get(dir.path(), "/api/prices/mars-1", false).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        v["message"],
        "Stackplan does not price the region \"mars-1\": it prices us-east-1, us-west-2, eu-west-1, eu-central-1, ap-southeast-1, ap-northeast-1",
        "the route exists: the region is what is unknown"
    );
    // A region that is not even text once decoded: the same answer, in JSON like every error.
    let (status, headers, body) = get(dir.path(), "/api/prices/%FF", false).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"], "not_found", "{v}");
}

async fn request(dist: &std::path::Path, method: &str, uri: &str) -> axum::response::Response {
    let state = AppState::new(Config {
        dist: dist.to_path_buf(),
        ..Config::default()
    });
    app(state)
        .oneshot(
            Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap()
}

/// The OpenAPI document is made from the same list as the router, and the router itself is
/// probed: every documented operation answers (never 404 or 405), every other method on a
/// documented path is a JSON 405 whose `Allow` lists exactly the documented methods, and an
/// undocumented path is a JSON 404.
#[tokio::test]
async fn the_openapi_document_is_the_router() {
    let d = dist();
    let doc: serde_json::Value = serde_json::from_str(server::routes::openapi_document()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let routes = server::routes::api_routes();
    let mut documented = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((path.clone(), method.to_uppercase()));
        }
    }
    let routed: std::collections::BTreeSet<(String, String)> = routes
        .operations()
        .iter()
        .map(|op| (op.path.to_string(), op.method.to_string()))
        .collect();
    assert_eq!(documented, routed);
    assert!(documented.len() >= 9, "{documented:?}");
    let id = "c29tZS1kZXBsb3ltZW50";
    let paths: std::collections::BTreeSet<&String> = documented.iter().map(|(p, _)| p).collect();
    for path in paths {
        let uri = path.replace("{id}", id).replace("{region}", "us-east-1");
        let allowed: Vec<&str> = documented
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, m)| m.as_str())
            .collect();
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let res = request(d.path(), method, &uri).await;
            let status = res.status();
            if allowed.contains(&method) {
                assert!(
                    status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is documented but answers {status}"
                );
                let op = &doc["paths"][path.as_str()][method.to_lowercase()];
                let documented_status = op["responses"]
                    .as_object()
                    .unwrap()
                    .contains_key(status.as_str());
                assert!(
                    documented_status,
                    "{method} {path}: {status} is not documented"
                );
            } else {
                assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                let allow = res.headers()[header::ALLOW].to_str().unwrap().to_string();
                let mut got: Vec<&str> = allow.split(',').map(str::trim).collect();
                got.retain(|m| *m != "HEAD");
                got.sort_unstable();
                let mut want = allowed.clone();
                want.sort_unstable();
                assert_eq!(got, want, "{path}: Allow");
                let body: serde_json::Value =
                    serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes())
                        .unwrap();
                assert_eq!(body["error"], "method_not_allowed", "{method} {path}");
            }
        }
    }
    let res = request(d.path(), "GET", "/api/not/a/route").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// The document's plan schema is the plan file's schema (`stackplan schema`), and each route's
/// error answers list their codes under the status `shared::api` gives them.
#[test]
fn the_document_carries_the_plan_schema_and_every_error_code() {
    let doc: serde_json::Value = serde_json::from_str(server::routes::openapi_document()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let cli = shared::plan_schema();
    // The CLI's schema keeps its sub-schemas in `$defs`; the document in its components.
    let text = cli.to_string().replace("#/$defs/", "#/components/schemas/");
    let mut cli: serde_json::Value = serde_json::from_str(&text).unwrap();
    let defs = cli.as_object_mut().unwrap().remove("$defs").unwrap();
    for (name, schema) in defs.as_object().unwrap() {
        assert_eq!(&schemas[name], schema, "{name}");
    }
    for key in ["properties", "required", "oneOf", "additionalProperties"] {
        assert_eq!(schemas["Plan"][key], cli[key], "Plan.{key}");
    }
    for op in server::routes::api_routes().operations() {
        let answers = &doc["paths"][op.path][op.method.as_str().to_lowercase()]["responses"];
        for code in op.all_errors() {
            let listed = &answers[code.status().to_string()]["content"]["application/json"]["schema"]
                ["allOf"][1]["properties"]["error"]["enum"];
            assert!(
                listed
                    .as_array()
                    .is_some_and(|l| l.contains(&serde_json::json!(code.as_str()))),
                "{} {}: {code} is not listed under {}",
                op.method,
                op.path,
                code.status()
            );
        }
    }
}

/// Every event the stream sends is one the document names.
#[test]
fn the_document_names_every_stream_event() {
    let doc: serde_json::Value = serde_json::from_str(server::routes::openapi_document()).unwrap();
    let stream = &doc["paths"]["/api/deployments/{id}/events"]["get"]["responses"]["200"]["content"]
        ["text/event-stream"]["schema"]["properties"]["event"]["enum"];
    let named: std::collections::BTreeSet<&str> = stream
        .as_array()
        .expect("an enum of event names")
        .iter()
        .map(|n| n.as_str().expect("a name"))
        .collect();
    let sent: std::collections::BTreeSet<&str> =
        shared::api::DeployEvent::NAMES.into_iter().collect();
    assert_eq!(
        sent.len(),
        shared::api::DeployEvent::NAMES.len(),
        "names are distinct"
    );
    assert_eq!(named, sent);
}

/// The build's precompressed twins (`scripts/precompress.mjs`) are sent as they are, chosen by
/// the client's Accept-Encoding, and every answer says it varies by encoding.
#[tokio::test]
async fn precompressed_twins_are_sent_as_they_are() {
    let d = dist();
    let js = "app-0123456789abcdef.js";
    // Marker bodies: the server must send these bytes, not compress the plain file itself.
    std::fs::write(d.path().join(format!("{js}.br")), b"brotli twin").unwrap();
    std::fs::write(d.path().join(format!("{js}.gz")), b"gzip twin").unwrap();
    for (accept, encoding, body) in [
        (Some("br, gzip"), Some("br"), b"brotli twin".to_vec()),
        (Some("gzip"), Some("gzip"), b"gzip twin".to_vec()),
        (None, None, "x".repeat(4096).into_bytes()),
    ] {
        let state = AppState::new(Config {
            addr: "127.0.0.1:0".into(),
            dist: d.path().to_path_buf(),
            ..Config::default()
        });
        let mut req = Request::get(format!("/{js}"));
        if let Some(a) = accept {
            req = req.header(header::ACCEPT_ENCODING, a);
        }
        let res = app(state)
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers()
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{accept:?}"
        );
        assert_eq!(res.headers()[header::VARY], "accept-encoding");
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "text/javascript",
            "the type is the plain file's"
        );
        let got = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        assert_eq!(got, body, "{accept:?}");
    }
}

/// A server started without a deploy target has no tokens and printed no login URL: a request
/// with a token or without one is told that deploying is off (503, as the OpenAPI document
/// says), not that its token is invalid or to open a login URL.
#[tokio::test]
async fn without_a_deploy_target_a_token_is_told_deploying_is_off() {
    let d = dist();
    let state = AppState::new(Config {
        addr: "127.0.0.1:0".into(),
        dist: d.path().to_path_buf(),
        ..Config::default()
    });
    for (method, uri, token) in [
        ("POST", "/api/deployments", true),
        ("GET", "/api/bootstrap", true),
        ("POST", "/api/deployments", false),
        ("GET", "/api/bootstrap", false),
        ("GET", "/api/deploy/token", false),
    ] {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json");
        if token {
            request = request.header(header::AUTHORIZATION, "Bearer abcdefabcdefabcdef");
        }
        let res = app(state.clone())
            .oneshot(request.body(Body::from("{}")).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"], "deploy_disabled", "{uri}: {body}");
    }
}

/// A directory of the build is never a redirect: `//public` used to answer
/// `Location: //public/`, which a browser follows to another host.
#[tokio::test]
async fn no_path_redirects_to_another_host() {
    let d = dist();
    std::fs::create_dir_all(d.path().join("public")).unwrap();
    for uri in ["//public", "/public", "/"] {
        let (status, headers, body) = get(d.path(), uri, false).await;
        assert!(!status.is_redirection(), "{uri}: {status} {headers:?}");
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(
            String::from_utf8(body)
                .unwrap()
                .contains("<title>Stackplan"),
            "{uri}: the app"
        );
    }
}
