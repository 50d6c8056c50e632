//! Short-lived credentials through STS AssumeRole. They live only in memory and are never
//! logged: `Debug` redacts the secret.

use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;

use super::AwsError;

/// Temporary credentials of an assumed role.
#[derive(Clone)]
pub struct TempCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expires: SystemTime,
}

impl std::fmt::Debug for TempCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TempCredentials")
            // An access key id names its account (STS GetAccessKeyInfo reads it back).
            .field("access_key_id", &"<redacted>")
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &"<redacted>")
            .field("expires", &self.expires)
            .finish()
    }
}

impl TempCredentials {
    /// Whether they last at least `margin` more.
    pub fn fresh_for(&self, margin: Duration) -> bool {
        self.expires
            .duration_since(SystemTime::now())
            .is_ok_and(|left| left > margin)
    }
}

/// What to assume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumeRequest {
    pub role_arn: String,
    pub external_id: Option<String>,
    pub session_name: String,
    pub duration_seconds: i32,
    /// An IAM policy document limiting the session further.
    pub session_policy: String,
}

/// The STS port.
pub trait Sts: Send + Sync {
    fn assume_role(
        &self,
        request: AssumeRequest,
    ) -> BoxFuture<'_, Result<TempCredentials, AwsError>>;
    /// The server's own principal (`GetCallerIdentity`): its ARN and account.
    fn caller(&self) -> BoxFuture<'_, Result<(String, String), AwsError>>;
}

/// STS through the AWS SDK.
pub struct SdkSts {
    pub client: aws_sdk_sts::Client,
    pub endpoint: String,
}

impl Sts for SdkSts {
    fn caller(&self) -> BoxFuture<'_, Result<(String, String), AwsError>> {
        Box::pin(async move {
            let out = self
                .client
                .get_caller_identity()
                .send()
                .await
                .map_err(|e| super::classify(&e, &self.endpoint))?;
            Ok((
                out.arn().unwrap_or_default().to_string(),
                out.account().unwrap_or_default().to_string(),
            ))
        })
    }

    fn assume_role(&self, r: AssumeRequest) -> BoxFuture<'_, Result<TempCredentials, AwsError>> {
        Box::pin(async move {
            let out = self
                .client
                .assume_role()
                .role_arn(&r.role_arn)
                .role_session_name(&r.session_name)
                .duration_seconds(r.duration_seconds)
                .policy(&r.session_policy)
                .set_external_id(r.external_id.clone())
                .send()
                .await
                .map_err(|e| super::classify(&e, &self.endpoint))?;
            let c = out
                .credentials()
                .ok_or_else(|| AwsError::Other("AssumeRole returned no credentials".into()))?;
            let expires = SystemTime::try_from(*c.expiration())
                .unwrap_or_else(|_| SystemTime::now() + Duration::from_secs(900));
            Ok(TempCredentials {
                access_key_id: c.access_key_id().to_string(),
                secret_access_key: c.secret_access_key().to_string(),
                session_token: c.session_token().to_string(),
                expires,
            })
        })
    }
}
