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
    let state = AppState::new(Config {
        addr: "127.0.0.1:0".into(),
        dist: dist.to_path_buf(),
        ..Config::default()
    });
    let mut req = Request::get(uri);
    if gzip {
        req = req.header(header::ACCEPT_ENCODING, "gzip");
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
    let book = shared::cost::PriceBook::parse_tsv(
        v["book_tsv"].as_str().unwrap(),
        shared::cost::Origin::Embedded,
    )
    .unwrap();
    assert_eq!(book.get("nat.hour", "eu-west-1").unwrap().usd, 0.048);
    assert!(
        book.get("nat.hour", "us-east-1").is_none(),
        "only the region's prices"
    );
    let (status, _, _) = get(dir.path(), "/api/prices/mars-1", false).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
