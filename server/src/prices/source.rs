//! Live prices through the Price List port ([`crate::aws::pricing`]): one GetProducts query
//! per price, read into a book of the embedded book's type.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use shared::cost::{Origin, Price, PriceBook};

use super::catalog::{self, Spec};
use super::price_list::{self, Found, Product};
use crate::aws::AwsError;
use crate::aws::pricing::PriceList;

/// Why live prices are not available.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error(
        "no AWS credentials found (environment, ~/.aws profile, or instance role); live prices need credentials allowed pricing:GetProducts"
    )]
    NoCredentials,
    #[error("the local sandbox has no Price List API")]
    Sandbox,
    #[error("the Price List API is throttling requests, even after retries: {0}")]
    Throttled(String),
    #[error("the Price List API failed: {0}")]
    Api(String),
    #[error("{0} is not a region Stackplan prices")]
    UnknownRegion(String),
    /// The file's path is the operator's business, not the page's: the answer does not say it.
    #[error("the price book file the server was started with has no prices for this region")]
    NotInFile,
}

/// A book fetched from the Price List API, with what could not be priced and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveBook {
    pub region: String,
    pub book: PriceBook,
    /// `(key, reason)` for every price the API did not give unambiguously.
    pub unknown: Vec<(String, String)>,
    /// Billing rules (free tiers, Spot's discount) that the Price List has no product for,
    /// carried over from the embedded book.
    pub carried: Vec<String>,
}

impl PricingError {
    /// What the page is told: Stackplan's own sentence. AWS's words (which can describe the
    /// server's principal and its policies) stay in the server's log and the operator's CLI,
    /// which print the error itself.
    pub fn public(&self) -> String {
        match self {
            PricingError::Throttled(_) => {
                "the Price List API is throttling requests, even after retries".into()
            }
            PricingError::Api(_) => "the Price List API failed (the server's log says why)".into(),
            other => other.to_string(),
        }
    }
}

impl From<AwsError> for PricingError {
    fn from(e: AwsError) -> Self {
        match e {
            AwsError::Throttled(m) => PricingError::Throttled(m.to_string()),
            other => PricingError::Api(other.to_string()),
        }
    }
}

/// Builds live books from the Price List API.
pub struct Pricing {
    list: Arc<dyn PriceList>,
}

impl Pricing {
    pub fn new(list: Arc<dyn PriceList>) -> Self {
        Pricing { list }
    }

    /// Every product of one query.
    async fn products(
        &self,
        service: &str,
        filters: &[(&str, String)],
    ) -> Result<Vec<Product>, PricingError> {
        self.list
            .products(service, filters)
            .await?
            .iter()
            .map(|item| price_list::parse_product(item).map_err(PricingError::Api))
            .collect()
    }

    /// The price of one spec: the first usage type that has products decides.
    async fn fetch(&self, region: &str, spec: &Spec) -> Result<(Found, String), PricingError> {
        let mut last = Found::Unknown(format!(
            "the Price List has no {} product",
            spec.usage_types.join(" or ")
        ));
        if spec.by_attributes {
            let mut filters = vec![("regionCode", region.to_string())];
            filters.extend(spec.filters.iter().cloned());
            let products = self.products(spec.service, &filters).await?;
            for usage_type in &spec.usage_types {
                if products.iter().any(|p| &p.usage_type == usage_type) {
                    return Ok((
                        price_list::choose(spec, usage_type, &products),
                        usage_type.clone(),
                    ));
                }
            }
            return Ok((last, String::new()));
        }
        for usage_type in &spec.usage_types {
            let mut filters = vec![
                ("regionCode", region.to_string()),
                ("usagetype", usage_type.clone()),
            ];
            filters.extend(spec.filters.iter().cloned());
            let products = self.products(spec.service, &filters).await?;
            if products.is_empty() {
                continue;
            }
            last = price_list::choose(spec, usage_type, &products);
            return Ok((last, usage_type.clone()));
        }
        Ok((last, String::new()))
    }

    /// Fetches every price of `region` into a book of the embedded book's type.
    pub async fn refresh(&self, region: &str) -> Result<LiveBook, PricingError> {
        let specs = catalog::specs(region);
        if specs.is_empty() {
            return Err(PricingError::UnknownRegion(region.to_string()));
        }
        let mut book = PriceBook::new("", "", Origin::Live);
        let mut unknown = Vec::new();
        let mut newest = String::new();
        for spec in &specs {
            match self.fetch(region, spec).await? {
                (
                    Found::Price {
                        usd,
                        dimension,
                        sku,
                        publication_date,
                    },
                    _,
                ) => {
                    newest = newest.max(publication_date.clone());
                    book.insert(
                        &spec.key,
                        region,
                        Price {
                            usd,
                            unit: spec.unit.to_string(),
                            derived: false,
                            dimension,
                            source: format!(
                                "AWS Price List API, {} SKU {sku}, published {publication_date}",
                                spec.service
                            ),
                        },
                    );
                }
                (Found::Unknown(reason), _) => unknown.push((spec.key.clone(), reason)),
            }
        }
        let mut carried = Vec::new();
        for (key, r, price) in PriceBook::embedded().iter() {
            if catalog::RULES.contains(&key) && (r == region || r == "global") {
                let mut p = price.clone();
                p.source = format!(
                    "billing rule carried from the embedded book ({})",
                    price.source
                );
                book.insert(key, r, p);
                carried.push(key.to_string());
            }
        }
        let date = newest.get(..10).unwrap_or("unknown").to_string();
        book.version = format!("live-{date}");
        book.date = date;
        Ok(LiveBook {
            region: region.to_string(),
            book,
            unknown,
            carried,
        })
    }
}

/// One difference between the embedded and a live book.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Difference {
    pub key: String,
    pub embedded: Option<f64>,
    pub live: Option<f64>,
}

/// Keys of `region` whose prices differ (more than rounding) between the embedded and the live book.
pub fn diff(live: &LiveBook) -> Vec<Difference> {
    let embedded = PriceBook::embedded();
    let specs = catalog::specs(&live.region);
    let mut out = Vec::new();
    for spec in &specs {
        let e = embedded.get(&spec.key, &live.region).map(|p| p.usd);
        let l = live.book.get(&spec.key, &live.region).map(|p| p.usd);
        let same = match (e, l) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-9_f64.max(a.abs() * 1e-6),
            (None, None) => true,
            _ => false,
        };
        if !same {
            out.push(Difference {
                key: spec.key.clone(),
                embedded: e,
                live: l,
            });
        }
    }
    out
}
