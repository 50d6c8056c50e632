//! The one error type of the HTTP API: a status and a JSON body `{"error", "message", ...}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::aws::AwsError;
use crate::deploy::RoleError;
use crate::deploy::service::DeployError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no API route {0}")]
    NotFound(String),
    #[error(
        "deploying needs a token: open the login URL that `stackplan serve` printed, or send `Authorization: Bearer <token>`"
    )]
    MissingToken,
    #[error(
        "the token is not valid for this server: open the login URL that `stackplan serve` printed"
    )]
    InvalidToken,
    #[error("the request body is not valid: {0}")]
    BadBody(String),
    #[error("deploying is not configured on this server: {0}")]
    DeployDisabled(String),
    #[error(transparent)]
    Deploy(#[from] DeployError),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        use DeployError as D;
        match self {
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::MissingToken => (StatusCode::UNAUTHORIZED, "missing_token"),
            ApiError::InvalidToken => (StatusCode::UNAUTHORIZED, "invalid_token"),
            ApiError::BadBody(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::DeployDisabled(_) => (StatusCode::SERVICE_UNAVAILABLE, "deploy_disabled"),
            ApiError::Deploy(e) => match e {
                D::PlanSyntax(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_plan"),
                D::InvalidPlan(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_plan"),
                D::TemplateMismatch => (StatusCode::UNPROCESSABLE_ENTITY, "template_mismatch"),
                D::StackName(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_stack_name"),
                D::Role(RoleError::NotAllowed(_)) => (StatusCode::FORBIDDEN, "role_not_allowed"),
                D::Role(RoleError::Malformed(_)) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "invalid_role_arn")
                }
                D::Role(RoleError::NoneConfigured) => {
                    (StatusCode::SERVICE_UNAVAILABLE, "deploy_disabled")
                }
                D::SandboxUnsupported(_) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "sandbox_unsupported")
                }
                D::StackExists { .. } => (StatusCode::CONFLICT, "stack_exists"),
                D::NotUpdatable { .. } => (StatusCode::CONFLICT, "stack_not_updatable"),
                D::Busy { .. } => (StatusCode::CONFLICT, "stack_busy"),
                D::NoChanges => (StatusCode::CONFLICT, "no_changes"),
                D::ChangeSetFailed(_) => (StatusCode::UNPROCESSABLE_ENTITY, "change_set_failed"),
                D::NoChangeSet => (StatusCode::CONFLICT, "no_change_set"),
                D::UnknownDeployment(_) => (StatusCode::NOT_FOUND, "unknown_deployment"),
                D::Aws(a) => match a {
                    AwsError::AccessDenied(_) => (StatusCode::FORBIDDEN, "access_denied"),
                    AwsError::Throttled(_) => (StatusCode::SERVICE_UNAVAILABLE, "throttled"),
                    AwsError::Validation(_) => (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "cloudformation_validation",
                    ),
                    AwsError::AlreadyExists(_) => (StatusCode::CONFLICT, "stack_exists"),
                    AwsError::NotFound(_) => (StatusCode::NOT_FOUND, "unknown_deployment"),
                    AwsError::Unreachable { .. } => (StatusCode::BAD_GATEWAY, "aws_unreachable"),
                    AwsError::Other(_) => (StatusCode::BAD_GATEWAY, "aws_error"),
                },
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let mut body = json!({ "error": code, "message": self.to_string() });
        match &self {
            ApiError::Deploy(DeployError::InvalidPlan(problems)) => {
                body["problems"] = json!(
                    problems
                        .iter()
                        .map(|p| json!({"path": p.path, "message": p.to_string()}))
                        .collect::<Vec<_>>()
                );
            }
            ApiError::Deploy(DeployError::SandboxUnsupported(blockers)) => {
                body["blockers"] = json!(blockers)
            }
            ApiError::Deploy(DeployError::StackExists { .. }) => body["can_update"] = json!(true),
            _ => {}
        }
        let mut response = (status, Json(body)).into_response();
        match self {
            ApiError::MissingToken | ApiError::InvalidToken => {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"stackplan\""),
                );
            }
            ApiError::Deploy(DeployError::Aws(AwsError::Throttled(_))) => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
            }
            _ => {}
        }
        response
    }
}
