//! HTTP routes: `/health`, `/api/...`, and the planner's files.

pub mod assets;
pub mod health;

use axum::Router;
use axum::http::Uri;

use crate::AppState;
use crate::error::ApiError;

/// Routes under `/api`. Anything unknown is a JSON 404, never the app's HTML.
pub fn api_router() -> Router<AppState> {
    Router::new().fallback(api_not_found)
}

async fn api_not_found(uri: Uri) -> ApiError {
    ApiError::NotFound(format!("/api{}", uri.path()))
}
