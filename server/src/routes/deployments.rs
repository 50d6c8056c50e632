//! The deploy API: `/api/deployments...` (bearer token required) and `/api/deploy/target`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::api::{
    ChangeSet, CreateDeployment, DeployEvent, DeployTarget, ExecuteDeployment, Reconnect,
    StackEvent, StreamError, Target, sse,
};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;

use super::body::{JsonBody, NoDeleteBody, OptionalJsonBody};
use super::params::DeploymentId;
use crate::AppState;
use crate::auth::{Authorized, Changing};
use crate::deploy::service::{Deployer, Snapshot};
use crate::error::ApiError;

/// Why deploying is off, said where it matters.
pub(crate) const DEPLOY_OFF: &str =
    "start it with --role-arn for AWS, or --aws-endpoint for the local sandbox";

/// Idle streams get a comment this often, so proxies keep them open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// How long a client waits before reconnecting after a `reconnect` event.
const RECONNECT_AFTER_MS: u64 = 2000;

fn deployer(state: &AppState) -> Result<Arc<Deployer>, ApiError> {
    state
        .deployer
        .clone()
        .ok_or_else(|| ApiError::DeployDisabled(DEPLOY_OFF.into()))
}

/// `GET /api/deploy/target`: where deploys go, so the page can say it. No secrets in it.
pub async fn deploy_target_get(State(state): State<AppState>) -> Json<DeployTarget> {
    Json(match &state.deployer {
        Some(d) => DeployTarget {
            enabled: true,
            target: Some(d.target().clone()),
            reason: None,
        },
        None => DeployTarget {
            enabled: false,
            target: None,
            reason: Some(format!(
                "deploying is not configured on this server: {DEPLOY_OFF}"
            )),
        },
    })
}

/// `GET /api/deploy/token`: whom the token deploys as.
pub async fn deploy_token_get(
    Authorized(grant): Authorized,
    State(state): State<AppState>,
) -> Result<Json<shared::api::TokenInfo>, ApiError> {
    deployer(&state)?;
    Ok(Json(shared::api::TokenInfo {
        owner: grant.owner.as_ref().map(|o| o.as_str().to_string()),
        stack_prefix: grant.stack_prefix.clone(),
    }))
}

/// `POST /api/deployments`.
pub async fn deployments_post(
    Changing(grant, _place): Changing,
    State(state): State<AppState>,
    JsonBody(request): JsonBody<CreateDeployment>,
) -> Result<impl IntoResponse, ApiError> {
    let created = deployer(&state)?.create(&grant, request).await?;
    let status = if created
        .change_set
        .as_ref()
        .is_some_and(ChangeSet::is_computing)
    {
        StatusCode::ACCEPTED
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(created)))
}

/// `POST /api/deployments/{id}/execute`.
pub async fn deployment_execute_post(
    Changing(grant, _place): Changing,
    State(state): State<AppState>,
    DeploymentId(id): DeploymentId,
    OptionalJsonBody(_): OptionalJsonBody<ExecuteDeployment>,
) -> Result<impl IntoResponse, ApiError> {
    let status = deployer(&state)?.execute(&grant, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(status)))
}

/// `GET /api/deployments/{id}`.
pub async fn deployment_get(
    Authorized(grant): Authorized,
    State(state): State<AppState>,
    DeploymentId(id): DeploymentId,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(deployer(&state)?.status(&grant, &id).await?))
}

/// `PUT /api/deployments/{id}/code`: the body is the zip itself, read up to Lambda's limit
/// (this route only: every other body is JSON of at most 64 KiB).
pub async fn deployment_code_put(
    Authorized(grant): Authorized,
    State(state): State<AppState>,
    DeploymentId(id): DeploymentId,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<impl IntoResponse, ApiError> {
    use crate::deploy::code::MAX_ZIP_BYTES;
    let kind = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    if kind.as_deref() != Some("application/octet-stream") {
        return Err(ApiError::UnsupportedMediaType("application/octet-stream"));
    }
    super::body::unencoded(&headers)?;
    let deployer = deployer(&state)?;
    // One upload per token at a time, taken first: the proof below costs AWS calls, and the
    // token is known good already, so a token can only ever block its own uploads.
    let token = crate::auth::bearer_token(&headers).unwrap_or_default();
    let _mine = state
        .uploading
        .enter(token, UPLOADS_PER_TOKEN)
        .map_err(|_| ApiError::UploadUnderway)?;
    // The stack is proven this token's, and its handler found, before the body is read: an id
    // that is forged or not this token's never holds one of the server's places below.
    let target = deployer.code_target(&grant, &id).await?;
    // Each upload is held in memory while it is checked: a bounded number at once.
    let _place = state
        .uploads
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::TooManyUploads(state.config.max_uploads))?;
    let zip = super::body::read_limited(body, MAX_ZIP_BYTES, UPLOAD_STALL)
        .await
        .map_err(|e| match e {
            ApiError::PayloadTooLarge(max) => ApiError::CodeTooLarge(max),
            other => other,
        })?;
    Ok(Json(deployer.upload_code(&grant, target, zip).await?))
}

/// Code uploads one token may send at once.
const UPLOADS_PER_TOKEN: usize = 1;

/// The longest an upload's body may send nothing before it is dropped (a body that stops
/// sending would otherwise hold its place until the request's deadline, 300 s).
const UPLOAD_STALL: std::time::Duration = std::time::Duration::from_secs(15);

/// `GET /api/deployments/{id}/image`.
pub async fn deployment_image_get(
    Authorized(grant): Authorized,
    State(state): State<AppState>,
    DeploymentId(id): DeploymentId,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(deployer(&state)?.image(&grant, &id).await?))
}

/// `DELETE /api/deployments/{id}`.
pub async fn deployment_delete(
    Changing(grant, _place): Changing,
    State(state): State<AppState>,
    DeploymentId(id): DeploymentId,
    _: NoDeleteBody,
) -> Result<impl IntoResponse, ApiError> {
    let status = deployer(&state)?.delete(&grant, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(status)))
}

/// `POST /api/deployments/{id}/delete-keeping`.
pub async fn deployment_delete_keeping_post(
    Changing(grant, _place): Changing,
    State(state): State<AppState>,
    DeploymentId(id): DeploymentId,
    JsonBody(request): JsonBody<shared::api::DeleteKeeping>,
) -> Result<impl IntoResponse, ApiError> {
    let status = deployer(&state)?
        .delete_keeping(&grant, &id, &request.keep)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(status)))
}

/// `POST /api/deployments/{id}/continue-rollback` (the body may be left out: skip nothing).
pub async fn deployment_continue_rollback_post(
    Changing(grant, _place): Changing,
    State(state): State<AppState>,
    DeploymentId(id): DeploymentId,
    OptionalJsonBody(request): OptionalJsonBody<shared::api::ContinueRollback>,
) -> Result<impl IntoResponse, ApiError> {
    let request = request.unwrap_or_default();
    let status = deployer(&state)?
        .continue_rollback(&grant, &id, &request.skip)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(status)))
}

/// `GET /api/deployments/{id}/events`: Server-Sent Events ([`DeployEvent`]), encoded by
/// `shared::api::sse`. A reconnect with `Last-Event-ID` gets only the events after that one.
pub async fn deployment_events_get(
    Authorized(grant): Authorized,
    State(state): State<AppState>,
    DeploymentId(id): DeploymentId,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let d = deployer(&state)?;
    // Counted by the token itself, not by how the header spells it.
    let token = crate::auth::bearer_token(&headers).unwrap_or_default();
    let ticket = state
        .streams
        .enter(token, state.config.max_streams_per_token)
        .map_err(ApiError::TooManyWatchers)?;
    // The stream's own time is unlimited, not the work before its first byte (a role to
    // assume, the stack to read and prove, with retries): that has the guard's limit.
    let mut snapshots = tokio::time::timeout(crate::guard::REQUEST_TIMEOUT, d.watch(&grant, &id))
        .await
        .map_err(|_| ApiError::TimedOut)??;
    let stopping = state.shutdown.wait();
    let last_seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let (tx, rx) = tokio::sync::mpsc::channel::<String>(8);
    tokio::spawn(async move {
        let _ticket = ticket; // the stream's place, freed when this task ends
        tokio::pin!(stopping);
        let mut cursor = Cursor {
            last_id: last_seen,
            notice: 0,
        };
        let mut keep_alive = tokio::time::interval(KEEP_ALIVE);
        keep_alive.tick().await;
        loop {
            let snapshot = snapshots.borrow_and_update().clone();
            for event in cursor.next_events(&snapshot) {
                if tx.send(sse::encode(&event.to_sse())).await.is_err() {
                    return; // the watcher left
                }
            }
            if snapshot.done {
                return;
            }
            tokio::select! {
                changed = snapshots.changed() => {
                    if changed.is_err() {
                        // The poller stopped without a final word: say so rather than hang.
                        let gone = DeployEvent::Error(StreamError {
                            message: "the stack is no longer being watched".into(),
                        });
                        let _ = tx.send(sse::encode(&gone.to_sse())).await;
                        return;
                    }
                }
                _ = keep_alive.tick() => {
                    if tx.send(sse::comment("keep-alive")).await.is_err() {
                        return;
                    }
                }
                // The watcher left: stop now, not at the next event.
                () = tx.closed() => return,
                () = &mut stopping => {
                    let bye = DeployEvent::Reconnect(Reconnect {
                        message: "the server is restarting; the stack carries on, and this stream resumes where it left off".into(),
                        retry_in_ms: RECONNECT_AFTER_MS,
                    });
                    let _ = tx.send(sse::encode(&bye.to_sse())).await;
                    return;
                }
            }
        }
    });
    let body = Body::from_stream(
        ReceiverStream::new(rx).map(|text| Ok::<Bytes, Infallible>(Bytes::from(text))),
    );
    let mut response = Response::new(body);
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// What one watcher has been sent so far.
struct Cursor {
    last_id: Option<String>,
    notice: u64,
}

impl Cursor {
    fn next_events(&mut self, snap: &Snapshot) -> Vec<DeployEvent> {
        let mut out = Vec::new();
        if let Some(n) = &snap.notice
            && n.seq > self.notice
        {
            self.notice = n.seq;
            out.push(DeployEvent::Notice(n.clone()));
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
                    status.progress.total as usize,
                    status.progress.counted,
                );
                out.push(DeployEvent::Stack(StackEvent {
                    id: e.id.clone(),
                    logical_id: e.logical_id.clone(),
                    resource_type: e.resource_type.clone(),
                    status: e.status.clone(),
                    reason: e.reason.clone(),
                    time: e.time.clone(),
                    progress,
                }));
                self.last_id = Some(e.id.clone());
            }
        }
        if snap.done {
            out.push(match (&snap.status, &snap.error) {
                (_, Some(error)) => DeployEvent::Error(StreamError {
                    message: error.clone(),
                }),
                (Some(status), None) => DeployEvent::Done(Box::new(status.clone())),
                (None, None) => DeployEvent::Error(StreamError {
                    message: "the stack's status is unknown".into(),
                }),
            });
        }
        out
    }
}

/// Where deploys go (for the server's start-up line).
pub fn describe(target: &Target) -> String {
    match target {
        Target::Sandbox { endpoint } => format!("the local sandbox (moto) at {endpoint}"),
        Target::Aws => "AWS, with the credentials of this environment".into(),
    }
}

/// The bootstrap template of this server's options, made on the first request (on a blocking
/// thread: it generates every matrix plan's template) and kept.
async fn bootstrap_template(state: &AppState) -> Result<Arc<str>, ApiError> {
    state
        .bootstrap_template
        .get_or_try_init(|| async {
            let options = state.config.bootstrap();
            tokio::task::spawn_blocking(move || {
                Arc::from(crate::bootstrap::template_json(&options))
            })
            .await
            .map_err(|e| {
                ApiError::DeployDisabled(format!("the bootstrap template could not be made: {e}"))
            })
        })
        .await
        .cloned()
}

/// `GET /api/bootstrap`: how to connect an AWS account (the template, a fresh ExternalId, the
/// command). The server's principal is shown so the deployer role can trust it.
pub async fn bootstrap_get(
    _: Authorized,
    State(state): State<AppState>,
) -> Result<Json<shared::api::Bootstrap>, ApiError> {
    let external_id = crate::bootstrap::new_external_id()
        .map_err(|e| ApiError::DeployDisabled(format!("the server has no randomness: {e}")))?;
    // A caller the template would refuse (an account's root, a federated user) is not offered:
    // the command would fail only once run.
    let principal = match &state.deployer {
        Some(d) => d
            .caller()
            .await
            .filter(|arn| crate::bootstrap::principal_problem(arn).is_none()),
        None => None,
    };
    let file_name = format!("{}.json", crate::bootstrap::STACK_NAME);
    // The template allows what this server is started with, so the two agree.
    let options = state.config.bootstrap();
    let shown = principal
        .clone()
        .unwrap_or_else(|| "<the ARN this server runs as>".into());
    Ok(Json(shared::api::Bootstrap {
        stack_name: crate::bootstrap::STACK_NAME.into(),
        command: crate::bootstrap::command(&file_name, &shown, &external_id),
        next: format!(
            "stackplan serve --role-arn <DeployerRoleArn> --execution-role-arn <ExecutionRoleArn> --permissions-boundary-arn <PermissionsBoundaryArn> --external-id {external_id}{}",
            options.serve_flags()
        ),
        file_name,
        template: bootstrap_template(&state).await?.to_string(),
        external_id,
        trusted_principal: principal,
    }))
}
