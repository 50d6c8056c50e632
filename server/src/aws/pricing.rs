//! The Price List port: `GetProducts`, every page. The endpoint is us-east-1 whatever region is
//! priced (the priced region is a filter). Nobody watches these waits, so throttling is the
//! SDK's own retry's business.

use aws_sdk_pricing::types::{Filter, FilterType};
use futures_util::future::BoxFuture;

use super::AwsError;

/// The Price List calls Stackplan makes.
pub trait PriceList: Send + Sync {
    /// Every item of a GetProducts query (`TERM_MATCH` on each `(field, value)`), all pages.
    /// Each item is the JSON text AWS sends.
    fn products(
        &self,
        service: &str,
        filters: &[(&str, String)],
    ) -> BoxFuture<'_, Result<Vec<String>, AwsError>>;
}

/// The Price List API through the AWS SDK.
pub struct SdkPriceList {
    client: aws_sdk_pricing::Client,
}

/// The Price List API's endpoint region (`aws-prices-notes.md` §3).
pub const ENDPOINT_REGION: &str = "us-east-1";

impl SdkPriceList {
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        let config = aws_sdk_pricing::config::Builder::from(sdk)
            .region(aws_sdk_pricing::config::Region::new(ENDPOINT_REGION))
            .build();
        SdkPriceList::from_client(aws_sdk_pricing::Client::from_conf(config))
    }

    pub fn from_client(client: aws_sdk_pricing::Client) -> Self {
        SdkPriceList { client }
    }
}

impl PriceList for SdkPriceList {
    fn products(
        &self,
        service: &str,
        filters: &[(&str, String)],
    ) -> BoxFuture<'_, Result<Vec<String>, AwsError>> {
        let filters: Result<Vec<Filter>, _> = filters
            .iter()
            .map(|(field, value)| {
                Filter::builder()
                    .r#type(FilterType::TermMatch)
                    .field(*field)
                    .value(value)
                    .build()
            })
            .collect();
        let service = service.to_string();
        Box::pin(async move {
            let filters = filters.map_err(|e| AwsError::Other(e.to_string().into()))?;
            let mut pages = self
                .client
                .get_products()
                .service_code(service)
                .set_filters(Some(filters))
                .format_version("aws_v1")
                .max_results(100)
                .into_paginator()
                .send();
            let mut items = Vec::new();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| {
                    // Throttling keeps its meaning; anything else is reported with AWS's code.
                    match super::classify(&e, "the AWS Price List API") {
                        AwsError::Throttled(m) => AwsError::Throttled(m),
                        AwsError::Unreachable { endpoint, message } => {
                            AwsError::Unreachable { endpoint, message }
                        }
                        _ => {
                            use aws_sdk_pricing::error::ProvideErrorMetadata;
                            AwsError::Other(
                                format!(
                                    "{}: {}",
                                    e.code().unwrap_or("error"),
                                    e.message().unwrap_or("no message")
                                )
                                .into(),
                            )
                        }
                    }
                })?;
                items.extend(page.price_list().iter().cloned());
            }
            Ok(items)
        })
    }
}
