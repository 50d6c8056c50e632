//! The ECR port: one read-only call, whether an image tag is in a repository
//! (`ecr:DescribeImages`), made with the deployment's short-lived credentials in the
//! repository's region. It is how a service waiting for its first image learns that the image
//! is there, and how a deploy learns that the image a plan runs from the account's own ECR is.

use aws_sdk_ecr::types::ImageIdentifier;
use futures_util::future::BoxFuture;

use super::AwsError;
use super::cloudformation::Session;

/// The ECR calls Stackplan makes.
pub trait Ecr: Send + Sync {
    /// Whether `tag` is in the repository `repository` (its name, not its URI). A repository
    /// that does not exist is `NotFound`.
    fn image_pushed(
        &self,
        s: &Session,
        repository: &str,
        tag: &str,
    ) -> BoxFuture<'_, Result<bool, AwsError>>;
}

/// ECR through the AWS SDK. The client is built per call from the shared configuration (the
/// calls are a few a minute per waiting page; the HTTP connections are the configuration's).
pub struct SdkEcr {
    base: aws_config::SdkConfig,
    endpoint: String,
}

impl SdkEcr {
    pub fn new(sdk: &aws_config::SdkConfig, endpoint: String) -> Self {
        SdkEcr {
            base: sdk.clone(),
            endpoint,
        }
    }

    fn client(&self, s: &Session) -> aws_sdk_ecr::Client {
        let creds = s.sdk_credentials();
        let config = aws_sdk_ecr::config::Builder::from(&self.base)
            .region(aws_sdk_ecr::config::Region::new(s.region.clone()))
            .credentials_provider(creds)
            .build();
        aws_sdk_ecr::Client::from_conf(config)
    }
}

impl Ecr for SdkEcr {
    fn image_pushed(
        &self,
        s: &Session,
        repository: &str,
        tag: &str,
    ) -> BoxFuture<'_, Result<bool, AwsError>> {
        let call = self
            .client(s)
            .describe_images()
            .repository_name(repository)
            .image_ids(ImageIdentifier::builder().image_tag(tag).build());
        let repository = repository.to_string();
        Box::pin(async move {
            match call.send().await {
                Ok(out) => Ok(!out.image_details().is_empty()),
                Err(e) => {
                    use aws_sdk_ecr::operation::describe_images::DescribeImagesError as E;
                    match e.as_service_error() {
                        Some(E::ImageNotFoundException(_)) => Ok(false),
                        Some(E::RepositoryNotFoundException(_)) => Err(AwsError::NotFound(
                            format!("repository {repository} does not exist").into(),
                        )),
                        _ => Err(super::classify(&e, &self.endpoint)),
                    }
                }
            }
        })
    }
}
