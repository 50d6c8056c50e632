//! The AWS side of deployments, each behind a small trait so tests can script it:
//! `sts.rs` (short-lived credentials) and `cloudformation.rs` (change sets, stacks, events).

pub mod cloudformation;
pub mod sts;

/// Errors from AWS (or the sandbox), mapped to what a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwsError {
    #[error("AWS refused to let Stackplan assume the deploy role: {0}")]
    AccessDenied(String),
    #[error("AWS is throttling requests; retried with backoff and still throttled: {0}")]
    Throttled(String),
    #[error("CloudFormation rejected the request: {0}")]
    Validation(String),
    #[error("the stack {0} already exists")]
    AlreadyExists(String),
    #[error("no stack {0}")]
    NotFound(String),
    #[error("cannot reach AWS at {endpoint}: {message}")]
    Unreachable { endpoint: String, message: String },
    #[error("AWS answered with an error: {0}")]
    Other(String),
}

/// Classifies an SDK error by its code and message.
pub fn classify<E, R>(err: &aws_sdk_sts::error::SdkError<E, R>, endpoint: &str) -> AwsError
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    use aws_sdk_sts::error::SdkError;
    match err {
        SdkError::DispatchFailure(e) => AwsError::Unreachable {
            endpoint: endpoint.to_string(),
            message: if e.is_timeout() {
                "timed out".into()
            } else {
                "connection failed".into()
            },
        },
        SdkError::TimeoutError(_) => AwsError::Unreachable {
            endpoint: endpoint.to_string(),
            message: "timed out".into(),
        },
        SdkError::ServiceError(service) => {
            let e = service.err();
            let code = e.code().unwrap_or_default();
            let message = e.message().unwrap_or(code).to_string();
            match code {
                "AccessDenied" | "AccessDeniedException" => AwsError::AccessDenied(message),
                "Throttling" | "ThrottlingException" | "TooManyRequestsException" => {
                    AwsError::Throttled(message)
                }
                "ValidationError" if message.contains("does not exist") => {
                    AwsError::NotFound(message)
                }
                "ValidationError" => AwsError::Validation(message),
                "AlreadyExistsException" => AwsError::AlreadyExists(message),
                _ => AwsError::Other(format!("{code}: {message}")),
            }
        }
        other => AwsError::Other(format!("{other:?}").chars().take(300).collect()),
    }
}
