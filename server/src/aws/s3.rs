//! The S3 port: one write, a function's zip into the stack's own code bucket, made with the
//! deployment's short-lived credentials (a session that may only put objects under
//! `stackplan-code/` in that bucket).

use aws_sdk_s3::primitives::ByteStream;
use futures_util::future::BoxFuture;

use super::AwsError;
use super::cloudformation::Session;

/// The S3 calls Stackplan makes.
pub trait CodeStore: Send + Sync {
    /// Stores `body` at `bucket`/`key`, with its SHA-256 (base64) for S3 to check.
    fn put_code(
        &self,
        s: &Session,
        bucket: &str,
        key: &str,
        body: bytes::Bytes,
        sha256: &str,
    ) -> BoxFuture<'_, Result<(), AwsError>>;
}

/// S3 through the AWS SDK; the client is built per call (an upload is one call) from the
/// shared configuration, with the session's credentials and region.
pub struct SdkCodeStore {
    base: aws_config::SdkConfig,
    endpoint: String,
    /// Path-style addressing: the sandbox serves every bucket on one host.
    path_style: bool,
}

impl SdkCodeStore {
    pub fn new(sdk: &aws_config::SdkConfig, endpoint: String, path_style: bool) -> Self {
        SdkCodeStore {
            base: sdk.clone(),
            endpoint,
            path_style,
        }
    }
}

impl CodeStore for SdkCodeStore {
    fn put_code(
        &self,
        s: &Session,
        bucket: &str,
        key: &str,
        body: bytes::Bytes,
        sha256: &str,
    ) -> BoxFuture<'_, Result<(), AwsError>> {
        let creds = s.sdk_credentials();
        let config = aws_sdk_s3::config::Builder::from(&self.base)
            .region(aws_sdk_s3::config::Region::new(s.region.clone()))
            .credentials_provider(creds)
            .force_path_style(self.path_style)
            .build();
        let call = aws_sdk_s3::Client::from_conf(config)
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type("application/zip")
            .checksum_sha256(sha256)
            .body(ByteStream::from(body));
        Box::pin(async move {
            call.send()
                .await
                .map(|_| ())
                .map_err(|e| super::classify(&e, &self.endpoint))
        })
    }
}
