//! The one error type of the HTTP API: each error has a stable code ([`ErrorCode`], whose HTTP
//! status lives in `shared::api`) and is answered as an [`ErrorBody`].

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::api::{ErrorBody, ErrorCode, PlanProblem};

use crate::aws::{AwsError, scrub};
use crate::deploy::{DeployError, RoleError};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no API route {0}")]
    NotFound(String),
    #[error(
        "Stackplan does not price the region \"{0}\": it prices {codes}",
        codes = shared::plan::Region::codes()
    )]
    UnpricedRegion(String),
    #[error("{0} is not allowed on this route; the Allow header lists the methods it takes")]
    MethodNotAllowed(String),
    #[error(
        "deploying needs a token: open the login URL that `stackplan serve` printed, or send `Authorization: Bearer <token>` with a token the server's operator gave you"
    )]
    MissingToken,
    #[error(
        "the token is not valid for this server: open the login URL that `stackplan serve` printed, or ask the server's operator for a token"
    )]
    InvalidToken,
    #[error("the request carries more than one Authorization header: send one, with the token")]
    TwoTokens,
    #[error("the request body is not valid: {0}")]
    BadBody(String),
    #[error("the request body's type is not what this route takes: send `Content-Type: {0}`")]
    UnsupportedMediaType(&'static str),
    #[error(
        "the request body is sent with `Content-Encoding: {0}`, which this server does not undo: send the body as it is, without a Content-Encoding"
    )]
    UnsupportedEncoding(String),
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error(
        "the zip is larger than {} MB, the most Stackplan takes: put larger code in a bucket of yours (on a shared server, one your tokens file entry lists in code_buckets) and deploy with the stack parameters CodeS3Bucket and CodeS3Key (Lambda takes up to 250 MB unzipped from S3)",
        .0 / (1024 * 1024)
    )]
    CodeTooLarge(usize),
    #[error("deploying is not configured on this server: {0}")]
    DeployDisabled(String),
    #[error(
        "this server does not answer for that host name; its operator can add it with --allowed-host"
    )]
    MisdirectedHost,
    #[error(
        "the server could not answer within its time limit (30 seconds; 300 for a code upload); what you asked may still happen, so read the deployment's status (or send the same request again: while its stack is being created it answers that stack, and an update's finds its change set) before trying anything else"
    )]
    TimedOut,
    #[error(
        "{0} event streams are already open with this token; close one (or wait for one to end)"
    )]
    TooManyWatchers(usize),
    #[error(
        "{0} requests that change stacks are being answered for this token already; try again once one has been answered"
    )]
    TooManyChanges(usize),
    #[error("{0} code uploads are being received already; try again in a moment")]
    TooManyUploads(usize),
    #[error(
        "a code upload with this token is being received already; send this one once it has finished"
    )]
    UploadUnderway,
    #[error(transparent)]
    Deploy(#[from] DeployError),
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        use DeployError as D;
        use ErrorCode as C;
        match self {
            ApiError::NotFound(_) | ApiError::UnpricedRegion(_) => C::NotFound,
            ApiError::MethodNotAllowed(_) => C::MethodNotAllowed,
            ApiError::MissingToken => C::MissingToken,
            ApiError::InvalidToken | ApiError::TwoTokens => C::InvalidToken,
            ApiError::BadBody(_) => C::BadRequest,
            ApiError::UnsupportedMediaType(_) | ApiError::UnsupportedEncoding(_) => {
                C::UnsupportedMediaType
            }
            ApiError::PayloadTooLarge(_) | ApiError::CodeTooLarge(_) => C::PayloadTooLarge,
            ApiError::DeployDisabled(_) => C::DeployDisabled,
            ApiError::MisdirectedHost => C::MisdirectedRequest,
            ApiError::TimedOut => C::TimedOut,
            ApiError::TooManyWatchers(_) => C::TooManyWatchers,
            ApiError::TooManyChanges(_) => C::TooManyChanges,
            ApiError::TooManyUploads(_) | ApiError::UploadUnderway => C::TooManyUploads,
            ApiError::Deploy(e) => match e {
                D::InvalidPlan { .. } => C::InvalidPlan,
                D::InvalidParameters(_) => C::InvalidParameters,
                D::BeyondBootstrap(_) => C::BeyondBootstrap,
                D::ImageNotPushed { .. } => C::ImageNotPushed,
                D::NoImageRepository => C::NoImageRepository,
                D::NoCodeBucket => C::NoCodeBucket,
                D::ImagesDenied(_) => C::AccessDenied,
                D::MissingValues(_) => C::MissingValues,
                D::InvalidCode(_) => C::InvalidCode,
                D::InvalidKeep(_) => C::InvalidKeep,
                D::WrongState { .. } => C::WrongStackState,
                D::InvalidSkip(_) => C::InvalidSkip,
                D::TemplateMismatch => C::TemplateMismatch,
                D::StackName(_) => C::InvalidStackName,
                D::Role(RoleError::NotAllowed(_)) => C::RoleNotAllowed,
                D::Role(RoleError::Malformed(_)) => C::InvalidRoleArn,
                D::Role(RoleError::NoneConfigured) => C::DeployDisabled,
                D::SandboxUnsupported(_) => C::SandboxUnsupported,
                D::StackExists { .. } => C::StackExists,
                D::NotManaged { .. } | D::Unproven { .. } => C::StackNotManaged,
                D::NotUpdatable { .. } => C::StackNotUpdatable,
                D::ArchitectureChange { .. } => C::ArchitectureChange,
                D::Busy { .. } => C::StackBusy,
                D::NoChanges { .. } => C::NoChanges,
                D::ChangeSetFailed(_) => C::ChangeSetFailed,
                D::NoChangeSet | D::ChangeSetUnavailable(_) => C::NoChangeSet,
                D::UnknownDeployment(_) => C::UnknownDeployment,
                D::TooManyStacksWatched(_) => C::TooManyWatchers,
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

    /// The sentence the client gets: AWS's own texts stay in the server's log, and anything AWS
    /// said that the client needs is given. Both were scrubbed of ARNs and account ids where
    /// they entered (`crate::aws::scrub`); scrubbing again here keeps that true of a reason made
    /// anywhere else.
    fn public_message(&self) -> String {
        use DeployError as D;
        match self {
            ApiError::Deploy(D::Aws(e)) => match e {
                AwsError::AccessDenied(_) => "AWS denied the request: the deploy role does not trust this server (or its ExternalId), or its permissions do not allow this call. The server's log has AWS's message.".into(),
                AwsError::Throttled(_) => "AWS kept throttling the requests, even after retries: try again in a minute.".into(),
                AwsError::Validation(d) => format!("CloudFormation refused the request: {}", scrub(d.message())),
                AwsError::AlreadyExists(_) => "a stack or change set of that name already exists".into(),
                AwsError::NotFound(_) => "no such deployment".into(),
                AwsError::Unreachable { .. } => e.to_string(),
                AwsError::Other(_) => "AWS answered with an error Stackplan does not know; the server's log has it.".into(),
            },
            ApiError::Deploy(D::ChangeSetFailed(reason)) => {
                format!("CloudFormation could not prepare the change set: {}", scrub(reason))
            }
            ApiError::Deploy(D::ChangeSetUnavailable(state)) => {
                format!("the change set cannot be executed now ({}): make a new one", scrub(state))
            }
            ApiError::Deploy(D::UnknownDeployment(_)) => "no such deployment".into(),
            ApiError::Deploy(D::Role(RoleError::Malformed(_))) => {
                "the requested role is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)".into()
            }
            ApiError::Deploy(D::Role(RoleError::NotAllowed(_))) => {
                "the requested role is not one this token may deploy with".into()
            }
            other => other.to_string(),
        }
    }

    /// The answer's body.
    pub fn body(&self) -> ErrorBody {
        let mut body = ErrorBody::new(self.code(), self.public_message());
        if let ApiError::Deploy(DeployError::Aws(e)) = self {
            body.request_id = e.request_id().map(String::from);
        }
        match self {
            ApiError::Deploy(DeployError::InvalidPlan { problems, more }) => {
                body.more_problems = *more;
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
            ApiError::Deploy(
                DeployError::InvalidParameters(problems)
                | DeployError::InvalidCode(problems)
                | DeployError::InvalidKeep(problems)
                | DeployError::InvalidSkip(problems)
                | DeployError::BeyondBootstrap(problems)
                | DeployError::MissingValues(problems),
            ) => {
                body.problems = problems.clone();
            }
            ApiError::Deploy(DeployError::SandboxUnsupported(blockers)) => {
                body.blockers = blockers.clone();
            }
            ApiError::Deploy(DeployError::StackExists { deployment, .. }) => {
                body.can_update = true;
                body.deployment = deployment.clone();
            }
            ApiError::Deploy(
                DeployError::Busy { deployment, .. }
                | DeployError::NotUpdatable { deployment, .. }
                | DeployError::NoChanges { deployment },
            ) => body.deployment = deployment.clone(),
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
        if status.is_server_error() || matches!(self, ApiError::Deploy(DeployError::Aws(_))) {
            // The whole story, AWS's message included, for the operator.
            tracing::warn!(code = code.as_str(), "API error: {self}");
        }
        let mut response = (status, Json(self.body())).into_response();
        let headers = response.headers_mut();
        match &self {
            ApiError::MissingToken | ApiError::InvalidToken | ApiError::TwoTokens => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"stackplan\""),
                );
            }
            ApiError::Deploy(DeployError::Aws(AwsError::Throttled(_))) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
            }
            ApiError::TooManyWatchers(_)
            | ApiError::TooManyChanges(_)
            | ApiError::TooManyUploads(_)
            | ApiError::UploadUnderway
            | ApiError::Deploy(DeployError::TooManyStacksWatched(_)) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            _ => {}
        }
        response
    }
}
