//! `GET /health`.

use axum::Json;
use serde_json::{Value, json};

pub async fn health_get() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}
