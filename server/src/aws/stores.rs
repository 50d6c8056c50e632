//! The value stores' port: whether a secret (Secrets Manager, `DescribeSecret`) or a parameter
//! (Parameter Store, `ListTagsForResource`) a plan reads exists, asked before a deploy creates
//! anything. Both calls read metadata only, never a value, with the deployment's short-lived
//! credentials, in the region the reference names.

use aws_sdk_ssm::types::ResourceTypeForTagging;
use futures_util::future::BoxFuture;

use super::AwsError;
use super::cloudformation::Session;

/// What a store knows of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existence {
    Present,
    Missing,
    /// A secret scheduled for deletion: it is there, and nothing can read it.
    Deleting,
}

/// The store calls Stackplan makes.
pub trait Stores: Send + Sync {
    /// Whether the secret `id` (a name or an ARN) exists in `s.region`.
    fn secret(&self, s: &Session, id: &str) -> BoxFuture<'_, Result<Existence, AwsError>>;
    /// Whether the parameter `name` exists in `s.region`.
    fn parameter(&self, s: &Session, name: &str) -> BoxFuture<'_, Result<Existence, AwsError>>;
}

/// Both stores through the AWS SDK; clients are built per call, like ECR's (a deploy asks a
/// few times).
pub struct SdkStores {
    base: aws_config::SdkConfig,
    endpoint: String,
}

impl SdkStores {
    pub fn new(sdk: &aws_config::SdkConfig, endpoint: String) -> Self {
        SdkStores {
            base: sdk.clone(),
            endpoint,
        }
    }
}

impl Stores for SdkStores {
    fn secret(&self, s: &Session, id: &str) -> BoxFuture<'_, Result<Existence, AwsError>> {
        let config = aws_sdk_secretsmanager::config::Builder::from(&self.base)
            .region(aws_sdk_secretsmanager::config::Region::new(
                s.region.clone(),
            ))
            .credentials_provider(s.sdk_credentials())
            .build();
        let call = aws_sdk_secretsmanager::Client::from_conf(config)
            .describe_secret()
            .secret_id(id);
        Box::pin(async move {
            match call.send().await {
                Ok(out) if out.deleted_date().is_some() => Ok(Existence::Deleting),
                Ok(_) => Ok(Existence::Present),
                Err(e) => {
                    use aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretError as E;
                    match e.as_service_error() {
                        Some(E::ResourceNotFoundException(_)) => Ok(Existence::Missing),
                        _ => Err(super::classify(&e, &self.endpoint)),
                    }
                }
            }
        })
    }

    fn parameter(&self, s: &Session, name: &str) -> BoxFuture<'_, Result<Existence, AwsError>> {
        let config = aws_sdk_ssm::config::Builder::from(&self.base)
            .region(aws_sdk_ssm::config::Region::new(s.region.clone()))
            .credentials_provider(s.sdk_credentials())
            .build();
        let call = aws_sdk_ssm::Client::from_conf(config)
            .list_tags_for_resource()
            .resource_type(ResourceTypeForTagging::Parameter)
            .resource_id(name);
        Box::pin(async move {
            match call.send().await {
                Ok(_) => Ok(Existence::Present),
                Err(e) => {
                    use aws_sdk_ssm::operation::list_tags_for_resource::ListTagsForResourceError as E;
                    match e.as_service_error() {
                        Some(E::InvalidResourceId(_)) => Ok(Existence::Missing),
                        _ => Err(super::classify(&e, &self.endpoint)),
                    }
                }
            }
        })
    }
}
