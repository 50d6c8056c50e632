//! HTTP routes: `/health`, `/api/...`, and the planner's files.

pub mod assets;
pub mod deployments;
pub mod health;
pub mod prices;

use axum::Router;
use axum::http::{HeaderValue, Uri, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::AppState;
use crate::error::ApiError;

/// The OpenAPI document of `/api` (hand-written; a test checks it lists exactly the routes).
pub const OPENAPI: &str = include_str!("openapi.json");

/// Routes under `/api`. Anything unknown is a JSON 404, never the app's HTML.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_get))
        .route("/deploy/target", get(deployments::target_get))
        .route("/prices/{region}", get(prices::prices_get))
        .route("/deployments", post(deployments::create_post))
        .route(
            "/deployments/{id}",
            get(deployments::status_get).delete(deployments::delete),
        )
        .route("/deployments/{id}/execute", post(deployments::execute_post))
        .route("/deployments/{id}/events", get(deployments::events_get))
        .fallback(api_not_found)
}

async fn openapi_get() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI,
    )
}

async fn api_not_found(uri: Uri) -> ApiError {
    ApiError::NotFound(format!("/api{}", uri.path()))
}
