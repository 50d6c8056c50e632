//! Live prices through the Price List port ([`crate::aws::pricing`]): one GetProducts query
//! per price, read into a book of the embedded book's type.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use shared::cost::{Origin, Price, PriceBook, Withheld};

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
#[serde(from = "Stored")]
pub struct LiveBook {
    pub region: String,
    /// Its prices, and every price the API did not give unambiguously, withheld with why.
    pub book: PriceBook,
    /// Billing rules (free tiers, Spot's discount) that the Price List has no product for,
    /// carried over from the embedded book.
    pub carried: Vec<String>,
}

/// A [`LiveBook`] as a disk cache holds it. One written before the book held its withheld
/// prices has them in `unknown` instead; they are moved into the book as it is read.
#[derive(Deserialize)]
struct Stored {
    region: String,
    book: PriceBook,
    #[serde(default)]
    unknown: Vec<(String, String)>,
    carried: Vec<String>,
}

impl From<Stored> for LiveBook {
    fn from(s: Stored) -> LiveBook {
        let mut book = s.book;
        for (key, reason) in &s.unknown {
            if book.withheld(key, &s.region).is_none() {
                book.withhold(key, &s.region, reason);
            }
        }
        LiveBook {
            region: s.region,
            book,
            carried: s.carried,
        }
    }
}

impl LiveBook {
    /// The region's prices the API did not give unambiguously, with why, in key order.
    pub fn unknown(&self) -> Vec<&Withheld> {
        let mut all = self.book.withheld_all();
        all.retain(|w| w.region == self.region);
        all
    }
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
        let mut newest = String::new();
        for spec in &specs {
            let found = match self.fetch(region, spec).await? {
                (Found::Price { usd, .. }, _) if let Err(why) = plausible(spec, region, usd) => {
                    Found::Unknown(why)
                }
                (found, _) => found,
            };
            match found {
                Found::Price {
                    usd,
                    dimension,
                    sku,
                    publication_date,
                } => {
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
                Found::Unknown(reason) => {
                    book.withhold(&spec.key, region, &reason);
                }
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
            carried,
        })
    }
}

/// How far a live price may be from the embedded book's before it is refused: a list price
/// does not move threefold, while a unit AWS changed moves it 24-fold (per day for per hour) or
/// far more (per second for per hour, per request for per million, MB for GB).
pub const PLAUSIBLE_FACTOR: f64 = 3.0;

/// The embedded book's price a live price of `key` in `region` is held to, and the region it
/// is from: the key's price in the region, or else in us-east-1, or else in the first region
/// that has it; a tier the embedded book has no price for (`dto.gb.tier2`) is held to its
/// first tier's (`dto.gb`, whose tiers are within a factor of two of each other; the data
/// transfer tiers are the only keys without a price of their own, tested).
pub fn reference(key: &str, region: &str) -> Option<(f64, String)> {
    let book = PriceBook::embedded();
    let of = |key: &str| {
        book.get(key, region)
            .map(|p| (p.usd, region.to_string()))
            .or_else(|| {
                book.get(key, "us-east-1")
                    .map(|p| (p.usd, "us-east-1".into()))
            })
            .or_else(|| {
                book.iter()
                    .find(|(k, _, _)| *k == key)
                    .map(|(_, r, p)| (p.usd, r.to_string()))
            })
    };
    of(key).or_else(|| of(key.rsplit_once(".tier")?.0))
}

/// Whether a live price, converted to the book's unit, is within [`PLAUSIBLE_FACTOR`] of the
/// embedded book's ([`reference`]). AWS's unit strings are not compared (`Units` in some
/// answers, `Hrs` or `GB-Mo` in others); the value is, so a unit or a tier that changed under
/// a usage type gives an unknown price with the reason, never a number off by a factor of a
/// thousand. A key with no reference cannot be checked, and is refused too (the catalog's keys
/// all have one: tested).
pub fn plausible(spec: &Spec, region: &str, usd: f64) -> Result<(), String> {
    let Some((book, at)) = reference(&spec.key, region) else {
        return Err(format!(
            "AWS's price comes to {usd} USD per {}, and the embedded book has no price of {} to \
             check it against",
            spec.unit, spec.key
        ));
    };
    if !(usd.is_finite() && usd > 0.0) {
        return Err(format!(
            "AWS's price comes to {usd} USD per {}, which is not a price",
            spec.unit
        ));
    }
    if !(book.is_finite() && book > 0.0) {
        return Err(format!(
            "AWS's price comes to {usd} USD per {}, and the embedded book's price of {} ({at}) is \
             {book}, nothing to check it against",
            spec.unit, spec.key
        ));
    }
    let ratio = usd / book;
    if (1.0 / PLAUSIBLE_FACTOR..=PLAUSIBLE_FACTOR).contains(&ratio) {
        return Ok(());
    }
    let (factor, way) = if ratio >= 1.0 {
        (ratio, "times")
    } else {
        (1.0 / ratio, "times less than")
    };
    // Whole above ten (1000, 3600); one decimal below, so that 3.2 is not written as 3, which
    // the band accepts. (`{usd}` is AWS's price in the book's unit, after the catalog's scale.)
    let factor = if factor >= 10.0 {
        format!("{factor:.0}")
    } else {
        format!("{factor:.1}")
    };
    Err(format!(
        "AWS's price comes to {usd} USD per {unit}, {factor} {way} the embedded book's {book} USD \
         per {unit} ({at}), too far for a list price to move: AWS's unit or tier has likely \
         changed",
        unit = spec.unit
    ))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_prices_are_the_regions_withheld_ones_and_old_caches_still_load() {
        let mut book = PriceBook::new("live-2026-11-20", "2026-11-20", Origin::Live);
        book.withhold("nat.hour", "us-east-1", "AWS's answer has no product");
        book.withhold("nat.gb", "eu-west-1", "another region's reason");
        book.withhold("alb.hour", "us-east-1", "ambiguous");
        let live = LiveBook {
            region: "us-east-1".into(),
            book,
            carried: vec![],
        };
        let told = |live: &LiveBook| -> Vec<(String, String)> {
            live.unknown()
                .iter()
                .map(|w| (w.key.clone(), w.reason.clone()))
                .collect()
        };
        let expected = [
            ("alb.hour".to_string(), "ambiguous".to_string()),
            ("nat.hour".into(), "AWS's answer has no product".into()),
        ];
        assert_eq!(told(&live), expected);
        // The disk cache's form reads back as it was written.
        let json = serde_json::to_value(&live).unwrap();
        assert!(json.get("unknown").is_none(), "{json}");
        let read: LiveBook = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(read, live);
        // A cache written before the book held its withheld prices: they are in `unknown`
        // (as `(key, reason)` pairs) and the book has none. They are moved into the book.
        let mut old = json.clone();
        old["book"].as_object_mut().unwrap().remove("withheld");
        old["unknown"] = serde_json::json!(expected);
        let read: LiveBook = serde_json::from_value(old).unwrap();
        assert_eq!(told(&read), expected);
        // One written in between holds both: the book's record is kept, not doubled.
        let mut both = json;
        both["unknown"] = serde_json::json!([["nat.hour", "an older record"]]);
        let read: LiveBook = serde_json::from_value(both).unwrap();
        assert_eq!(read, live);
    }

    #[test]
    fn every_catalog_price_is_checked_and_only_a_threefold_move_is_refused() {
        let mut borrowed = std::collections::BTreeSet::new();
        for region in shared::plan::Region::ALL.iter().map(|r| r.code()) {
            for spec in catalog::specs(region) {
                if !PriceBook::embedded().iter().any(|(k, _, _)| k == spec.key) {
                    borrowed.insert(spec.key.clone());
                }
                let (book, _) = reference(&spec.key, region).unwrap_or_else(|| {
                    panic!("{} has no embedded price to check against", spec.key)
                });
                assert!(book > 0.0, "{} {region}: {book}", spec.key);
                for fine in [book, book * 2.9, book / 2.9] {
                    assert_eq!(
                        plausible(&spec, region, fine),
                        Ok(()),
                        "{} {region} {fine}",
                        spec.key
                    );
                }
                for off in [book * 3.1, book / 3.1, book * 1000.0, book / 3600.0] {
                    assert!(
                        plausible(&spec, region, off).is_err(),
                        "{} {region} {off}",
                        spec.key
                    );
                }
            }
        }
        // Only the data transfer tiers borrow their first tier's price.
        assert_eq!(
            borrowed.iter().map(String::as_str).collect::<Vec<_>>(),
            ["dto.gb.tier2", "dto.gb.tier3", "dto.gb.tier4"]
        );
    }

    #[test]
    fn a_refusal_says_how_far_and_from_what() {
        let specs = catalog::specs("ap-northeast-1");
        let nat = specs.iter().find(|s| s.key == "nat.hour").unwrap();
        let book = PriceBook::embedded()
            .get("nat.hour", "ap-northeast-1")
            .unwrap()
            .usd;
        let why = plausible(nat, "ap-northeast-1", book / 60.0).unwrap_err();
        assert!(
            why.contains("60 times less than the embedded book's")
                && why.contains("USD per hour (ap-northeast-1)")
                && why.ends_with("AWS's unit or tier has likely changed"),
            "{why}"
        );
        // Near the band's edge the factor keeps a decimal: 3.2 is not written as 3.
        let why = plausible(nat, "ap-northeast-1", book * 3.2).unwrap_err();
        assert!(why.contains(", 3.2 times the embedded book's"), "{why}");
        // A reason never holds "; ", which joins several unknown prices in a note.
        assert!(!why.contains("; "), "{why}");
        for bad in [f64::INFINITY, f64::NAN, 0.0, -1.0] {
            let why = plausible(nat, "ap-northeast-1", bad).unwrap_err();
            assert!(why.ends_with("which is not a price"), "{why}");
        }
    }
}
