//! The price book: list prices by key and region, each with its unit, source and date.
//!
//! The embedded book is a snapshot copied from public AWS list prices (`shared/data/prices.tsv`).
//! A live book (from the Price List API) has the same type. A key missing for a region is
//! missing: the estimator reports it as unknown and never borrows another region's price
//! silently.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

#[cfg(feature = "sources")]
const EMBEDDED_TSV: &str = include_str!("../../data/prices.tsv");
/// The browser's copy: the same prices, units and confidence, without the long text columns
/// (see `build.rs`).
#[cfg(not(feature = "sources"))]
const EMBEDDED_TSV: &str = include_str!(concat!(env!("OUT_DIR"), "/prices.compact.tsv"));

/// Where a book's prices came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The snapshot compiled into Stackplan.
    Embedded,
    /// Fetched from the AWS Price List API.
    Live,
}

/// One price.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub usd: f64,
    pub unit: String,
    /// `true` when the figure is computed from others (e.g. Multi-AZ = 2 × Single-AZ).
    pub derived: bool,
    /// The dimension as AWS names it.
    pub dimension: String,
    pub source: String,
}

/// Prices by `(key, region)`; `region` is an AWS region code or `global`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceBook {
    pub version: String,
    /// The date of the prices (YYYY-MM-DD).
    pub date: String,
    pub origin: Origin,
    entries: BTreeMap<String, BTreeMap<String, Price>>,
}

/// What an estimate says about the book behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookRef {
    pub version: String,
    pub date: String,
    pub origin: Origin,
}

impl PriceBook {
    /// An empty book (tests and live fetches fill it).
    pub fn new(version: impl Into<String>, date: impl Into<String>, origin: Origin) -> PriceBook {
        PriceBook {
            version: version.into(),
            date: date.into(),
            origin,
            entries: BTreeMap::new(),
        }
    }

    /// The snapshot compiled into this build.
    pub fn embedded() -> &'static PriceBook {
        static BOOK: OnceLock<PriceBook> = OnceLock::new();
        BOOK.get_or_init(|| {
            PriceBook::parse_tsv(EMBEDDED_TSV, Origin::Embedded)
                .expect("the embedded price book parses")
        })
    }

    /// Reads the TSV format of `shared/data/prices.tsv`.
    pub fn parse_tsv(text: &str, origin: Origin) -> Result<PriceBook, String> {
        let mut version = None;
        let mut date = None;
        let mut book = PriceBook::new("", "", origin);
        let mut header_seen = false;
        for (n, line) in text.lines().enumerate() {
            let n = n + 1;
            if let Some(comment) = line.strip_prefix('#') {
                if let Some(v) = comment.trim().strip_prefix("version:") {
                    version = Some(v.trim().to_string());
                } else if let Some(d) = comment.trim().strip_prefix("date:") {
                    date = Some(d.trim().to_string());
                }
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            if !header_seen {
                header_seen = true;
                if line.starts_with("key\t") {
                    continue;
                }
            }
            let cols: Vec<&str> = line.split('\t').collect();
            let [key, region, usd, unit, confidence, dimension, source] = cols[..] else {
                return Err(format!(
                    "line {n}: expected 7 tab-separated columns, found {}",
                    cols.len()
                ));
            };
            let usd = crate::decimal::parse_f64(usd)
                .ok_or_else(|| format!("line {n}: {usd:?} is not a price"))?;
            if !usd.is_finite() || usd < 0.0 {
                return Err(format!("line {n}: {usd} is not a price"));
            }
            let price = Price {
                usd,
                unit: unit.into(),
                derived: confidence == "derived",
                dimension: dimension.into(),
                source: source.into(),
            };
            if book.insert(key, region, price).is_some() {
                return Err(format!("line {n}: {key} in {region} is listed twice"));
            }
        }
        book.version = version.ok_or("the price book has no `# version:` line")?;
        book.date = date.ok_or("the price book has no `# date:` line")?;
        Ok(book)
    }

    /// Sets a price; returns the one it replaced.
    pub fn insert(&mut self, key: &str, region: &str, price: Price) -> Option<Price> {
        self.entries
            .entry(key.to_string())
            .or_default()
            .insert(region.to_string(), price)
    }

    /// The price of `key` in `region`, or its `global` price. Never another region's.
    pub fn get(&self, key: &str, region: &str) -> Option<&Price> {
        let by_region = self.entries.get(key)?;
        by_region.get(region).or_else(|| by_region.get("global"))
    }

    /// Every `(key, region, price)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, &Price)> {
        self.entries.iter().flat_map(|(key, regions)| {
            regions
                .iter()
                .map(move |(region, p)| (key.as_str(), region.as_str(), p))
        })
    }

    /// The TSV format [`PriceBook::parse_tsv`] reads.
    pub fn to_tsv(&self) -> String {
        let mut out = format!(
            "# Stackplan price book ({:?}).\n# version: {}\n# date: {}\nkey\tregion\tusd\tunit\tconfidence\tdimension\tsource\n",
            self.origin, self.version, self.date
        );
        let clean = |s: &str| s.replace(['\t', '\n'], " ");
        for (key, region, p) in self.iter() {
            out.push_str(&format!(
                "{key}\t{region}\t{}\t{}\t{}\t{}\t{}\n",
                p.usd,
                clean(&p.unit),
                if p.derived { "derived" } else { "quoted" },
                clean(&p.dimension),
                clean(&p.source)
            ));
        }
        out
    }

    pub fn reference(&self) -> BookRef {
        BookRef {
            version: self.version.clone(),
            date: self.date.clone(),
            origin: self.origin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_book_parses_and_has_dated_sources() {
        let book = PriceBook::embedded();
        assert_eq!(book.date, "2026-10-08");
        assert!(book.iter().count() > 190);
        for (key, region, price) in book.iter() {
            assert!(!price.source.is_empty(), "{key} {region} has no source");
            assert!(!price.unit.is_empty(), "{key} {region} has no unit");
        }
    }

    #[test]
    fn regions_never_borrow_each_others_prices() {
        let book = PriceBook::embedded();
        assert!(book.get("fargate.vcpu_hour.x86", "eu-central-1").is_some());
        // The book has no ALB LCU price for eu-central-1; it must not fall back to us-east-1.
        assert!(book.get("alb.lcu_hour", "eu-central-1").is_none());
        // Global facts apply everywhere.
        assert_eq!(
            book.get("lambda.free_requests", "ap-northeast-1")
                .map(|p| p.usd),
            Some(1_000_000.0)
        );
    }

    #[test]
    fn the_browsers_compact_book_has_every_price_of_the_full_one() {
        let full =
            PriceBook::parse_tsv(include_str!("../../data/prices.tsv"), Origin::Embedded).unwrap();
        let compact = PriceBook::parse_tsv(
            include_str!(concat!(env!("OUT_DIR"), "/prices.compact.tsv")),
            Origin::Embedded,
        )
        .unwrap();
        assert_eq!(
            (&compact.version, &compact.date),
            (&full.version, &full.date)
        );
        let facts = |b: &PriceBook| {
            b.iter()
                .map(|(k, r, p)| {
                    (
                        k.to_string(),
                        r.to_string(),
                        p.usd,
                        p.unit.clone(),
                        p.derived,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(facts(&compact), facts(&full));
    }

    #[test]
    fn malformed_books_are_refused() {
        assert!(
            PriceBook::parse_tsv("# version: 1\n# date: 2026-01-01\na\tb\n", Origin::Live).is_err()
        );
        assert!(PriceBook::parse_tsv("k\tr\tx\tu\tquoted\td\ts\n", Origin::Live).is_err());
    }
}
