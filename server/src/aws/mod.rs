//! The one AWS layer: one `SdkConfig` (endpoint, region, timeouts, retries) loaded once, one
//! client per service built from it, each behind a small trait so tests can script it:
//! `sts.rs` (short-lived credentials), `cloudformation.rs` (change sets, stacks, events),
//! `ecr.rs` (whether an image is pushed), `stores.rs` (whether a plan's secrets and
//! parameters exist), `s3.rs` (a function's code into its stack's bucket)
//! and `pricing.rs` (the Price List API).
//!
//! Retries: the SDK's own (standard mode, with backoff) wherever nobody watches the wait, and
//! [`retry`] where someone does: the deploy poller tells its watchers about every throttling
//! wait, and CloudFormation's mutating calls are retried only while throttled (moto answers some
//! requests with HTTP 500, and an SDK retry of a create would turn that into a misleading
//! "already exists").

pub mod cloudformation;
pub mod ecr;
pub mod pricing;
pub mod s3;
pub mod stores;
pub mod sts;

use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use futures_util::future::BoxFuture;

/// Errors from AWS (or the sandbox), mapped to what a user can act on. The texts are AWS's own
/// messages, scrubbed of ARNs and account ids ([`scrub`]): they go to the server's log; clients
/// get the error's code, a sentence of Stackplan's and AWS's request id (`crate::error`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwsError {
    #[error("AWS denied the request: {0}")]
    AccessDenied(Detail),
    #[error("AWS is throttling requests; retried with backoff and still throttled: {0}")]
    Throttled(Detail),
    #[error("CloudFormation rejected the request: {0}")]
    Validation(Detail),
    #[error("the stack already exists: {0}")]
    AlreadyExists(Detail),
    #[error("not found: {0}")]
    NotFound(Detail),
    #[error("cannot reach AWS at {endpoint}: {message}")]
    Unreachable { endpoint: String, message: String },
    #[error("AWS answered with an error: {0}")]
    Other(Detail),
}

/// AWS's message and the request id of the call that failed. Every way of making one scrubs
/// the message ([`scrub`]), so no AWS text that names an account reaches a log or an answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Detail {
    message: String,
    request_id: Option<String>,
}

impl std::fmt::Display for Detail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl Detail {
    /// AWS's `message`, scrubbed.
    pub fn new(message: &str, request_id: Option<String>) -> Detail {
        Detail {
            message: scrub(message),
            request_id,
        }
    }

    /// AWS's message, scrubbed.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<String> for Detail {
    fn from(message: String) -> Self {
        Detail::new(&message, None)
    }
}

impl From<&str> for Detail {
    fn from(message: &str) -> Self {
        Detail::new(message, None)
    }
}

impl AwsError {
    /// AWS's request id, when AWS answered.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            AwsError::AccessDenied(d)
            | AwsError::Throttled(d)
            | AwsError::Validation(d)
            | AwsError::AlreadyExists(d)
            | AwsError::NotFound(d)
            | AwsError::Other(d) => d.request_id.as_deref(),
            AwsError::Unreachable { .. } => None,
        }
    }
}

/// Text from AWS with its ARNs and 12-digit account ids replaced, so an answer never names a
/// principal or an account.
pub fn scrub(text: &str) -> String {
    // Whether what comes next starts a word: after nothing, a separator, or a URL-encoded `:`.
    let word_starts = |out: &str| {
        out.chars()
            .last()
            .is_none_or(|c| !c.is_ascii_alphanumeric())
            || out.ends_with("%3A")
            || out.ends_with("%3a")
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if rest.starts_with("arn:") && word_starts(&out) {
            let end = rest
                .find(|c: char| c.is_whitespace() || "\"'`,;()[]{}<>".contains(c))
                .unwrap_or(rest.len());
            out.push_str("<arn>");
            rest = &rest[end..];
            continue;
        }
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            // The last group of a UUID is 12 hex digits, all decimal about once in 280: a
            // stack id's (the code bucket's name, `stackplan-code-<…>`) is not an account.
            let ends_uuid = ends_with_uuid_head(&out)
                && !rest[digits..].starts_with(|c: char| c.is_ascii_alphanumeric());
            if digits == 12 && word_starts(&out) && !ends_uuid {
                out.push_str("<account>");
            } else {
                out.push_str(&rest[..digits]);
            }
            rest = &rest[digits..];
            continue;
        }
        let ch = rest.chars().next().expect("not empty");
        out.push(ch);
        rest = &rest[ch.len_utf8()..];
    }
    out
}

/// Whether `text` ends with a UUID's first four groups and their hyphens
/// (`0218976e-147d-4feb-b51a-`), so that 12 digits next are its last group.
fn ends_with_uuid_head(text: &str) -> bool {
    let Some(head) = text
        .len()
        .checked_sub(24)
        .and_then(|start| text.get(start..))
    else {
        return false;
    };
    let groups: Vec<&str> = head.split('-').collect();
    matches!(groups[..], [a, b, c, d, ""] if a.len() == 8 && b.len() == 4 && c.len() == 4 && d.len() == 4)
        && head.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit())
}

/// Classifies an SDK error by its code and message.
pub fn classify<E>(
    err: &aws_sdk_sts::error::SdkError<E, aws_sdk_sts::config::http::HttpResponse>,
    endpoint: &str,
) -> AwsError
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_sdk_sts::error::SdkError;
    match err {
        SdkError::DispatchFailure(e) => AwsError::Unreachable {
            endpoint: endpoint.to_string(),
            message: if e.is_timeout() {
                "timed out".into()
            } else {
                unanswered_cause(err).into()
            },
        },
        SdkError::TimeoutError(_) => AwsError::Unreachable {
            endpoint: endpoint.to_string(),
            message: "timed out".into(),
        },
        SdkError::ServiceError(service) => {
            use aws_sdk_sts::operation::RequestId;
            let e = service.err();
            let code = e.code().unwrap_or_default();
            let request_id = service
                .raw()
                .headers()
                .get("x-amzn-requestid")
                .map(String::from)
                .or_else(|| err.request_id().map(String::from));
            let detail = |message: String| Detail::new(&message, request_id.clone());
            if code.is_empty() {
                // A refusal without a code (the sandbox answers some this way): the request was
                // invalid if the status says so, otherwise it is AWS's trouble.
                let status = service.raw().status().as_u16();
                let message = format!("HTTP {status} without an error code");
                return if (400..500).contains(&status) {
                    AwsError::Validation(detail(message))
                } else {
                    AwsError::Other(detail(message))
                };
            }
            let message = e.message().unwrap_or(code).to_string();
            match code {
                "AccessDenied" | "AccessDeniedException" => AwsError::AccessDenied(detail(message)),
                "Throttling" | "ThrottlingException" | "TooManyRequestsException" => {
                    AwsError::Throttled(detail(message))
                }
                "ValidationError" if message.contains("does not exist") => {
                    AwsError::NotFound(detail(message))
                }
                "ValidationError" => AwsError::Validation(detail(message)),
                // DescribeChangeSet's and DeleteChangeSet's answer for a change set that is
                // not there (the Query protocol's code, and the SDK's name for it).
                "ChangeSetNotFound" | "ChangeSetNotFoundException" => {
                    AwsError::NotFound(detail(message))
                }
                "AlreadyExistsException" => AwsError::AlreadyExists(detail(message)),
                _ => AwsError::Other(detail(format!("{code}: {message}"))),
            }
        }
        // Not an answer of AWS's. The SDK's own text is never logged (it can hold the request
        // it failed on): the log says which step failed.
        SdkError::ConstructionFailure(_) => {
            tracing::warn!("an AWS call failed before it was sent: the SDK could not build it");
            AwsError::Other("the request could not be made".into())
        }
        SdkError::ResponseError(e) => {
            tracing::warn!(
                status = e.raw().status().as_u16(),
                "an AWS call failed: its answer could not be read"
            );
            AwsError::Other("the answer could not be read".into())
        }
        _ => {
            tracing::warn!(
                cause = unanswered_cause(err),
                "an AWS call failed without an answer"
            );
            AwsError::Other("the request could not be made".into())
        }
    }
}

/// Why a call got no answer, in words safe for a log and an answer: the kind of failure found
/// among the error's causes (no credentials, a refused or reset connection, a host name that
/// did not resolve, TLS), never their own text, which can name profiles, files and hosts. The
/// SDK's own account of it is logged at debug only, which the server never logs
/// (`quiet_sdk`), so without this an operator would read "connection failed" for a server
/// that has no credentials at all.
pub fn unanswered_cause(err: &(dyn std::error::Error + 'static)) -> &'static str {
    use aws_credential_types::provider::error::CredentialsError;
    use std::io::ErrorKind;
    let mut causes = Vec::new();
    let mut at = Some(err);
    while let Some(e) = at {
        causes.push(e);
        at = e.source();
    }
    // The credentials first: a provider that failed says why no request was sent.
    for e in &causes {
        if let Some(c) = e.downcast_ref::<CredentialsError>() {
            return match c {
                CredentialsError::CredentialsNotLoaded(_) => {
                    "the server found no AWS credentials (environment, profile, SSO, web identity, container or instance role)"
                }
                CredentialsError::ProviderTimedOut(_) => {
                    "the server's AWS credentials provider timed out"
                }
                CredentialsError::InvalidConfiguration(_) => {
                    "the server's AWS credentials configuration is not valid"
                }
                _ => "the server's AWS credentials provider failed",
            };
        }
        // The SDK's auth-scheme resolver, when no credentials provider is configured at all.
        if e.to_string().contains("no identity resolver") {
            return "the server has no AWS credentials configured";
        }
    }
    // What the network said, by its words: a failed lookup and a TLS failure reach here as
    // I/O errors of no particular kind, under a cause that names them.
    for e in &causes {
        let text = e.to_string().to_ascii_lowercase();
        if text.contains("dns error") || text.contains("failed to lookup") {
            return "the host name did not resolve";
        }
        if text.contains("certificate") || text.contains("tls") || text.contains("handshake") {
            return "the TLS handshake failed";
        }
    }
    // Else the deepest I/O error of a kind that says something.
    let mut io_error = false;
    for e in causes.iter().rev() {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            io_error = true;
            match io.kind() {
                ErrorKind::ConnectionRefused => return "the connection was refused",
                ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted => {
                    return "the connection was reset";
                }
                ErrorKind::TimedOut => return "timed out",
                ErrorKind::AddrNotAvailable => return "the address is not reachable",
                _ => {}
            }
        }
    }
    if io_error {
        "a network error"
    } else {
        "connection failed"
    }
}

/// Waits between retries and polls.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    /// First wait after a throttled call, and the fastest poll.
    pub base: Duration,
    /// Longest wait.
    pub max: Duration,
    /// Calls tried before a throttled request gives up.
    pub attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_secs(1),
            max: Duration::from_secs(10),
            attempts: 5,
        }
    }
}

/// Hears about each wait of [`retry`]: how long, and AWS's message.
pub type WaitListener<'a> = &'a (dyn Fn(Duration, &str) + Send + Sync);

/// A listener for waits nobody watches.
pub fn unwatched(_: Duration, _: &str) {}

/// The one hand-written retry: calls `call` again while AWS throttles it, waiting longer each
/// time, and tells `listener` about every wait (the deploy poller turns them into `notice`
/// events). Any other answer, success or error, is returned at once.
pub async fn retry<T>(
    backoff: Backoff,
    mut call: impl FnMut() -> BoxFuture<'static, Result<T, AwsError>>,
    listener: WaitListener<'_>,
) -> Result<T, AwsError> {
    let mut delay = backoff.base;
    let mut attempt = 1;
    loop {
        match call().await {
            Err(AwsError::Throttled(detail)) if attempt < backoff.attempts => {
                let message = detail.message;
                listener(delay, &message);
                tracing::info!(
                    wait_ms = delay.as_millis() as u64,
                    "AWS is throttling ({message}); waiting"
                );
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(backoff.max);
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Where and how the AWS clients connect.
#[derive(Clone, Debug)]
pub struct Settings {
    /// An endpoint to use instead of AWS's (the local sandbox); its credentials are dummies.
    pub endpoint: Option<String>,
    /// The region of the STS and Price List endpoints (stacks go to their plan's region).
    pub region: String,
    pub connect_timeout: Duration,
    /// One HTTP attempt.
    pub attempt_timeout: Duration,
    /// A whole operation, retries included.
    pub operation_timeout: Duration,
    /// Attempts of the SDK's own retries (standard mode).
    pub max_attempts: u32,
    /// The SDK's first retry wait.
    pub initial_backoff: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            endpoint: None,
            region: "us-east-1".into(),
            connect_timeout: Duration::from_secs(3),
            attempt_timeout: Duration::from_secs(20),
            operation_timeout: Duration::from_secs(60),
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
        }
    }
}

impl Settings {
    /// What logs and errors call the endpoint.
    pub fn endpoint_label(&self) -> String {
        self.endpoint.clone().unwrap_or_else(|| "AWS".into())
    }

    fn timeouts(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect_timeout)
            .operation_attempt_timeout(self.attempt_timeout)
            .operation_timeout(self.operation_timeout)
            .build()
    }

    fn retries(&self) -> RetryConfig {
        RetryConfig::standard()
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(self.initial_backoff)
    }

    /// The one `SdkConfig`: the sandbox's endpoint with dummy credentials, or AWS with the
    /// usual credential chain (environment, profile, instance role).
    pub async fn load(&self) -> SdkConfig {
        let loader = aws_config::defaults(BehaviorVersion::latest())
            .region(aws_config::Region::new(self.region.clone()))
            .timeout_config(self.timeouts())
            .retry_config(self.retries());
        match &self.endpoint {
            Some(endpoint) => {
                loader
                    .endpoint_url(endpoint)
                    .credentials_provider(aws_credential_types::Credentials::new(
                        "sandbox", "sandbox", None, None, "sandbox",
                    ))
                    .load()
                    .await
            }
            None => loader.load().await,
        }
    }
}

/// Every AWS client the server uses, built once.
#[derive(Clone)]
pub struct Clients {
    pub sts: Arc<dyn sts::Sts>,
    pub cloudformation: Arc<dyn cloudformation::CloudFormation>,
    pub ecr: Arc<dyn ecr::Ecr>,
    pub stores: Arc<dyn stores::Stores>,
    pub code: Arc<dyn s3::CodeStore>,
    pub pricing: Arc<dyn pricing::PriceList>,
    /// The SDK configuration they share, for the credentials probe.
    pub sdk: SdkConfig,
    pub endpoint: String,
}

impl Clients {
    /// Loads the configuration once and builds each client from it.
    pub async fn load(settings: &Settings) -> Clients {
        let sdk = settings.load().await;
        Clients::from_config(sdk, settings)
    }

    pub fn from_config(sdk: SdkConfig, settings: &Settings) -> Clients {
        let endpoint = settings.endpoint_label();
        Clients {
            sts: Arc::new(sts::SdkSts {
                client: aws_sdk_sts::Client::new(&sdk),
                endpoint: endpoint.clone(),
            }),
            cloudformation: Arc::new(cloudformation::SdkCloudFormation::new(
                &sdk,
                endpoint.clone(),
            )),
            ecr: Arc::new(ecr::SdkEcr::new(&sdk, endpoint.clone())),
            stores: Arc::new(stores::SdkStores::new(&sdk, endpoint.clone())),
            code: Arc::new(s3::SdkCodeStore::new(
                &sdk,
                endpoint.clone(),
                settings.endpoint.is_some(),
            )),
            pricing: Arc::new(pricing::SdkPriceList::new(&sdk)),
            sdk,
            endpoint,
        }
    }

    /// Whether the credential chain finds credentials within `wait` (probing an instance
    /// metadata endpoint that is not there can take many seconds).
    pub async fn has_credentials(&self, wait: Duration) -> bool {
        use aws_credential_types::provider::ProvideCredentials;
        let Some(provider) = self.sdk.credentials_provider() else {
            return false;
        };
        matches!(
            tokio::time::timeout(wait, provider.provide_credentials()).await,
            Ok(Ok(_))
        )
    }
}

#[cfg(test)]
mod tests {
    /// An error with words of its own over a cause, as hyper-util's are.
    #[derive(Debug)]
    struct Nested(&'static str, Box<dyn std::error::Error + Send + Sync>);

    impl std::fmt::Display for Nested {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Nested {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&*self.1)
        }
    }

    /// A call that was never answered says why in words of its own: a credentials miss is
    /// not "connection failed", and neither is a refused connection's or a name's.
    #[test]
    fn an_unanswered_call_says_why() {
        use aws_credential_types::provider::error::CredentialsError;
        use aws_sdk_sts::error::ConnectorError;
        let dispatch = |source: Box<dyn std::error::Error + Send + Sync>| {
            aws_sdk_sts::error::SdkError::<
                aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError,
                aws_sdk_sts::config::http::HttpResponse,
            >::dispatch_failure(ConnectorError::other(source, None))
        };
        let io = |kind| Box::new(std::io::Error::new(kind, "at /home/me/.aws/config"));
        for (source, says) in [
            (
                Box::new(CredentialsError::not_loaded(
                    "profile `prod` in /home/me/.aws",
                )) as Box<dyn std::error::Error + Send + Sync>,
                "the server found no AWS credentials",
            ),
            (
                Box::new(CredentialsError::provider_timed_out(
                    std::time::Duration::from_secs(5),
                )),
                "credentials provider timed out",
            ),
            (
                io(std::io::ErrorKind::ConnectionRefused),
                "the connection was refused",
            ),
            (
                io(std::io::ErrorKind::ConnectionReset),
                "the connection was reset",
            ),
            // As hyper-util nests them: a lookup's and a TLS failure's I/O errors have no kind
            // of their own, and the cause above says what they were.
            (
                Box::new(Nested("dns error", io(std::io::ErrorKind::Other))),
                "the host name did not resolve",
            ),
            (
                Box::new(Nested(
                    "client error (Connect)",
                    Box::new(Nested(
                        "invalid peer certificate: UnknownIssuer",
                        io(std::io::ErrorKind::InvalidData),
                    )),
                )),
                "the TLS handshake failed",
            ),
            (io(std::io::ErrorKind::Other), "a network error"),
            ("something else".into(), "connection failed"),
        ] {
            let err = classify(&dispatch(source), "https://sts.amazonaws.com");
            let text = err.to_string();
            assert!(text.ends_with(says) || text.contains(says), "{text}");
            // Its causes' own words (a profile, a file) are not repeated.
            assert!(
                !text.contains("/home/me") && !text.contains("prod"),
                "{text}"
            );
        }
    }

    use super::*;

    #[test]
    fn scrubbing_removes_arns_and_account_ids() {
        assert_eq!(
            scrub(
                "User: arn:aws:iam::111122223333:user/ci is not authorized (account 444455556666, code 123)"
            ),
            "User: <arn> is not authorized (account <account>, code 123)"
        );
        assert_eq!(scrub("plain text"), "plain text");
        // A word that ends in "arn" is left alone; an encoded ARN loses its account.
        assert_eq!(scrub("Learn: the stack"), "Learn: the stack");
        assert_eq!(
            scrub("role=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fx"),
            "role=arn%3Aaws%3Aiam%3A%3A<account>%3Arole%2Fx"
        );
        // A UUID's last group of decimal digits (a code bucket's name) is not an account; the
        // same digits alone are.
        assert_eq!(
            scrub("stackplan-code-0218976e-147d-4feb-b51a-716318623585 kept"),
            "stackplan-code-0218976e-147d-4feb-b51a-716318623585 kept"
        );
        assert_eq!(scrub("b51a-716318623585"), "b51a-<account>");
        // Scrubbing twice changes nothing more.
        let once = scrub("arn:aws:sts::111122223333:assumed-role/x/y; 111122223333");
        assert_eq!(once, "<arn>; <account>");
        assert_eq!(scrub(&once), once);
    }

    /// Every way of making a `Detail` scrubs it, so an `AwsError` made anywhere is safe to log.
    #[test]
    fn details_are_scrubbed_however_they_are_made() {
        let text = "unexpected stack id arn:aws:cloudformation:us-east-1:111122223333:stack/s/1";
        let made = [
            Detail::from(text),
            Detail::from(text.to_string()),
            Detail::new(text, Some("r-1".into())),
        ];
        for d in made {
            assert_eq!(d.message(), "unexpected stack id <arn>");
            assert!(!AwsError::Other(d).to_string().contains("111122223333"));
        }
    }
}
