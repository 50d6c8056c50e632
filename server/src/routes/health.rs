//! `GET /health`.

use axum::Json;
use shared::api::Health;

pub async fn health_get() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}
