//! The one error type of the HTTP API: each error has a stable code ([`ErrorCode`], whose HTTP
//! status lives in `shared::api`) and is answered as an [`ErrorBody`].

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::api::{ErrorBody, ErrorCode, PlanProblem};

use crate::aws::AwsError;
use crate::deploy::{DeployError, RoleError};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no API route {0}")]
    NotFound(String),
    #[error("{0} is not allowed on this route; the Allow header lists the methods it takes")]
    MethodNotAllowed(String),
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
    #[error("the request body must be JSON: send `Content-Type: application/json`")]
    UnsupportedMediaType,
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("deploying is not configured on this server: {0}")]
    DeployDisabled(String),
    #[error(transparent)]
    Deploy(#[from] DeployError),
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        use DeployError as D;
        use ErrorCode as C;
        match self {
            ApiError::NotFound(_) => C::NotFound,
            ApiError::MethodNotAllowed(_) => C::MethodNotAllowed,
            ApiError::MissingToken => C::MissingToken,
            ApiError::InvalidToken => C::InvalidToken,
            ApiError::BadBody(_) => C::BadRequest,
            ApiError::UnsupportedMediaType => C::UnsupportedMediaType,
            ApiError::PayloadTooLarge(_) => C::PayloadTooLarge,
            ApiError::DeployDisabled(_) => C::DeployDisabled,
            ApiError::Deploy(e) => match e {
                D::InvalidPlan(_) => C::InvalidPlan,
                D::TemplateMismatch => C::TemplateMismatch,
                D::StackName(_) => C::InvalidStackName,
                D::Role(RoleError::NotAllowed(_)) => C::RoleNotAllowed,
                D::Role(RoleError::Malformed(_)) => C::InvalidRoleArn,
                D::Role(RoleError::NoneConfigured) => C::DeployDisabled,
                D::SandboxUnsupported(_) => C::SandboxUnsupported,
                D::StackExists { .. } => C::StackExists,
                D::NotUpdatable { .. } => C::StackNotUpdatable,
                D::Busy { .. } => C::StackBusy,
                D::NoChanges => C::NoChanges,
                D::ChangeSetFailed(_) => C::ChangeSetFailed,
                D::NoChangeSet | D::ChangeSetUnavailable(_) => C::NoChangeSet,
                D::UnknownDeployment(_) => C::UnknownDeployment,
                D::Aws(a) => match a {
                    AwsError::AccessDenied(_) => C::AccessDenied,
                    AwsError::Throttled(_) => C::Throttled,
                    AwsError::Validation(_) => C::CloudformationValidation,
                    AwsError::AlreadyExists(_) => C::StackExists,
                    AwsError::NotFound(_) => C::UnknownDeployment,
                    AwsError::Unreachable { .. } => C::AwsUnreachable,
                    AwsError::Other(_) => C::AwsError,
                },
            },
        }
    }

    /// The answer's body.
    pub fn body(&self) -> ErrorBody {
        let mut body = ErrorBody::new(self.code(), self.to_string());
        match self {
            ApiError::Deploy(DeployError::InvalidPlan(problems)) => {
                body.problems = problems
                    .iter()
                    .map(|p| PlanProblem {
                        path: if p.path == "plan" {
                            p.path.clone()
                        } else {
                            format!("plan.{}", p.path)
                        },
                        message: p.message.clone(),
                    })
                    .collect();
            }
            ApiError::Deploy(DeployError::SandboxUnsupported(blockers)) => {
                body.blockers = blockers.clone();
            }
            ApiError::Deploy(DeployError::StackExists { .. }) => body.can_update = true,
            _ => {}
        }
        body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.code();
        let status =
            StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::warn!(code = code.as_str(), "API error: {self}");
        }
        let mut response = (status, Json(self.body())).into_response();
        let headers = response.headers_mut();
        match &self {
            ApiError::MissingToken | ApiError::InvalidToken => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"stackplan\""),
                );
            }
            ApiError::Deploy(DeployError::Aws(AwsError::Throttled(_))) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
            }
            _ => {}
        }
        response
    }
}
