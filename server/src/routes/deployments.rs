//! The deploy API: `/api/deployments...` (bearer token required) and `/api/deploy/target`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use serde_json::json;
use tokio_stream::wrappers::ReceiverStream;

use crate::AppState;
use crate::auth::Authorized;
use crate::deploy::service::{CreateRequest, Deployer, Snapshot, Target};
use crate::error::ApiError;

fn deployer(state: &AppState) -> Result<Arc<Deployer>, ApiError> {
    state.deployer.clone().ok_or_else(|| {
        ApiError::DeployDisabled(
            "start it with --role-arn for AWS, or --aws-endpoint for the local sandbox".into(),
        )
    })
}

/// `GET /api/deploy/target`: where deploys go, so the page can say it. No secrets in it.
pub async fn target_get(State(state): State<AppState>) -> impl IntoResponse {
    match &state.deployer {
        Some(d) => Json(json!({ "enabled": true, "target": d.target() })),
        None => Json(json!({
            "enabled": false,
            "reason": "deploying is not configured on this server: start it with --role-arn for AWS, or --aws-endpoint for the local sandbox"
        })),
    }
}

/// `POST /api/deployments`.
pub async fn create_post(
    _: Authorized,
    State(state): State<AppState>,
    body: Result<Json<CreateRequest>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Json(request) = body.map_err(|e| ApiError::BadBody(e.body_text()))?;
    let created = deployer(&state)?.create(request).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ExecuteRequest {
    #[serde(default)]
    change_set_id: Option<String>,
}

/// `POST /api/deployments/{id}/execute`.
pub async fn execute_post(
    _: Authorized,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Option<Json<ExecuteRequest>>,
) -> Result<impl IntoResponse, ApiError> {
    let change_set = body.and_then(|Json(b)| b.change_set_id);
    let status = deployer(&state)?.execute(&id, change_set).await?;
    Ok((StatusCode::ACCEPTED, Json(status)))
}

/// `GET /api/deployments/{id}`.
pub async fn status_get(
    _: Authorized,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(deployer(&state)?.status(&id).await?))
}

/// `DELETE /api/deployments/{id}`.
pub async fn delete(
    _: Authorized,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let status = deployer(&state)?.delete(&id).await?;
    Ok((StatusCode::ACCEPTED, Json(status)))
}

/// `GET /api/deployments/{id}/events`: Server-Sent Events.
///
/// - `stack`: one stack event (`id:` is CloudFormation's event id), with the progress so far;
/// - `notice`: a wait the watcher should see (throttling, AWS unreachable), with its length;
/// - `done`: the final status; the stream ends after it.
///
/// A reconnect with `Last-Event-ID` gets only the events after that one.
pub async fn events_get(
    _: Authorized,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let d = deployer(&state)?;
    let mut snapshots = d.watch(&id)?;
    let last_seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Event, Infallible>>(64);
    tokio::spawn(async move {
        let mut cursor = Cursor {
            last_id: last_seen,
            notice: 0,
        };
        loop {
            let snapshot = snapshots.borrow_and_update().clone();
            for event in cursor.next_events(&snapshot) {
                if tx.send(Ok(event)).await.is_err() {
                    return; // the watcher left
                }
            }
            if snapshot.done {
                return;
            }
            if snapshots.changed().await.is_err() {
                // The poller stopped without a final word: say so rather than hang.
                let _ = tx
                    .send(Ok(Event::default().event("error").data(
                        json!({"message": "the stack is no longer being watched"}).to_string(),
                    )))
                    .await;
                return;
            }
        }
    });
    Ok(Sse::new(ReceiverStream::new(rx))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// What one watcher has been sent so far.
struct Cursor {
    last_id: Option<String>,
    notice: u64,
}

impl Cursor {
    fn next_events(&mut self, snap: &Snapshot) -> Vec<Event> {
        let mut out = Vec::new();
        if let Some(n) = &snap.notice
            && n.seq > self.notice
        {
            self.notice = n.seq;
            out.push(
                Event::default()
                    .event("notice")
                    .data(serde_json::to_string(n).unwrap_or_default()),
            );
        }
        let start = match &self.last_id {
            Some(last) => snap
                .events
                .iter()
                .position(|e| &e.id == last)
                .map_or(0, |i| i + 1),
            None => 0,
        };
        if let Some(status) = &snap.status {
            for (i, e) in snap.events.iter().enumerate().skip(start) {
                let progress = crate::deploy::progress::progress(
                    &snap.events[..=i],
                    "",
                    status.progress.total,
                );
                let data = json!({
                    "id": e.id, "logical_id": e.logical_id, "resource_type": e.resource_type,
                    "status": e.status, "reason": e.reason, "time": e.time, "progress": progress,
                });
                out.push(
                    Event::default()
                        .event("stack")
                        .id(e.id.clone())
                        .data(data.to_string()),
                );
                self.last_id = Some(e.id.clone());
            }
        }
        if snap.done {
            let data = match (&snap.status, &snap.error) {
                (_, Some(error)) => json!({ "error": error }),
                (Some(status), None) => serde_json::to_value(status).unwrap_or_default(),
                (None, None) => json!({ "error": "no status" }),
            };
            out.push(Event::default().event("done").data(data.to_string()));
        }
        out
    }
}

/// Whether the target is the sandbox (for the server's start-up line).
pub fn describe(target: &Target) -> String {
    match target {
        Target::Sandbox { endpoint } => format!("the local sandbox (moto) at {endpoint}"),
        Target::Aws => "AWS, with the credentials of this environment".into(),
    }
}
