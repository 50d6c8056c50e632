//! The price book: list prices by key and region, each with its unit, source and date.
//!
//! The embedded book is a snapshot copied from public AWS list prices (`shared/data/prices.tsv`).
//! A live book (from the Price List API) has the same type. A key missing for a region is
//! missing: the estimator reports it as unknown and never borrows another region's price
//! silently.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize, Serializer};

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
    /// Hashed, not ordered: an estimate looks a price up for each of its lines, and the
    /// comparison prices two plans at some 200 points, so lookups were a quarter of its time
    /// in a `BTreeMap` (string comparisons down the tree). Whatever lists the book (`iter`,
    /// serialization) sorts the keys, so its order is the same as before.
    #[serde(serialize_with = "sorted")]
    entries: Entries,
    /// Prices the book's source could not give, each with why (a live book: the Price List had
    /// no product, answered ambiguously, or too far from the embedded book's). The estimator
    /// adds the reason to the line's unknown note. A few at most, so a list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    withheld: Vec<Withheld>,
}

/// A price a book's source could not give, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withheld {
    pub key: String,
    pub region: String,
    pub reason: String,
}

/// The `usd` and `confidence` columns of a withheld price's line in the TSV format; its
/// `source` column holds the reason.
const WITHHELD_USD: &str = "unknown";
const WITHHELD: &str = "withheld";

/// A hash for the book's keys (FxHash's step, eight bytes at a time): they are short and
/// Stackplan's own (the live book's keys come from its catalog, not from a request), so no one
/// chooses them to collide.
#[derive(Clone, Copy, Default)]
struct KeyHash(u64);

impl KeyHash {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for KeyHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.add(u64::from_le_bytes(word.try_into().expect("eight bytes")));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut last = [0; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }
}

type Entries = HashMap<String, BTreeMap<String, Price>, BuildHasherDefault<KeyHash>>;

/// The book's entries in key order, as a `BTreeMap` held them: how the book is listed.
fn in_key_order(entries: &Entries) -> Vec<(&String, &BTreeMap<String, Price>)> {
    let mut keys: Vec<_> = entries.iter().collect();
    keys.sort_unstable_by(|a, b| a.0.cmp(b.0));
    keys
}

/// The book's entries serialized in key order, as a `BTreeMap` wrote them.
fn sorted<S: Serializer>(entries: &Entries, s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(in_key_order(entries))
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
            entries: HashMap::default(),
            withheld: Vec::new(),
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
            if (usd, confidence) == (WITHHELD_USD, WITHHELD) {
                if book.get_here(key, region).is_some() || book.withheld_line(key, region).is_some()
                {
                    return Err(format!("line {n}: {key} in {region} is listed twice"));
                }
                book.withhold(key, region, source);
                continue;
            }
            let usd = crate::decimal::parse_f64(usd)
                .ok_or_else(|| format!("line {n}: {usd:?} is not a price"))?;
            if !usd.is_finite() || usd < 0.0 {
                return Err(format!(
                    "line {n}: {} is not a price",
                    crate::decimal::Plain(usd)
                ));
            }
            let price = Price {
                usd,
                unit: unit.into(),
                derived: confidence == "derived",
                dimension: dimension.into(),
                source: source.into(),
            };
            if book.withheld_line(key, region).is_some()
                || book.insert(key, region, price).is_some()
            {
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

    /// Records why `key` has no price in `region`. A price of the same key, in the region or
    /// `global` (which the estimate would use), wins:
    /// while the book has one, neither [`PriceBook::withheld`] nor the TSV says the reason, so
    /// the book's TSV never holds both, which its parser refuses. (Nothing is taken out of the
    /// book: the browser's build then needs no code to remove entries, 1.5 KB gzipped.)
    pub fn withhold(&mut self, key: &str, region: &str, reason: &str) {
        self.withheld
            .retain(|w| (w.key.as_str(), w.region.as_str()) != (key, region));
        self.withheld.push(Withheld {
            key: key.to_string(),
            region: region.to_string(),
            reason: reason.to_string(),
        });
    }

    /// Why `key` has no price in `region`, when the book's source said and it has none there
    /// (nor a `global` one, which the estimate would use).
    pub fn withheld(&self, key: &str, region: &str) -> Option<&str> {
        if self.get(key, region).is_some() {
            return None;
        }
        self.withheld_line(key, region).map(|w| w.reason.as_str())
    }

    /// The withheld line of `key` in `region` as the source wrote it, priced after all or not.
    fn withheld_line(&self, key: &str, region: &str) -> Option<&Withheld> {
        self.withheld
            .iter()
            .find(|w| w.key == key && w.region == region)
    }

    /// Every withheld line as the book's source wrote it, priced after all or not.
    pub fn withheld_lines(&self) -> &[Withheld] {
        &self.withheld
    }

    /// Every price withheld (and not priced after all), with why, in key and region order.
    pub fn withheld_all(&self) -> Vec<&Withheld> {
        let mut all: Vec<&Withheld> = self
            .withheld
            .iter()
            .filter(|w| self.get(&w.key, &w.region).is_none())
            .collect();
        all.sort_unstable_by(|a, b| (&a.key, &a.region).cmp(&(&b.key, &b.region)));
        all
    }

    /// The price of `key` listed for `region` itself (not its `global` price).
    fn get_here(&self, key: &str, region: &str) -> Option<&Price> {
        self.entries.get(key)?.get(region)
    }

    /// The price of `key` in `region`, or its `global` price. Never another region's.
    pub fn get(&self, key: &str, region: &str) -> Option<&Price> {
        let by_region = self.entries.get(key)?;
        by_region.get(region).or_else(|| by_region.get("global"))
    }

    /// Every `(key, region, price)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, &Price)> {
        in_key_order(&self.entries)
            .into_iter()
            .flat_map(|(key, regions)| {
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
                crate::decimal::Plain(p.usd),
                clean(&p.unit),
                if p.derived { "derived" } else { "quoted" },
                clean(&p.dimension),
                clean(&p.source)
            ));
        }
        for w in self.withheld_all() {
            out.push_str(&format!(
                "{}\t{}\t{WITHHELD_USD}\t\t{WITHHELD}\t\t{}\n",
                w.key,
                w.region,
                clean(&w.reason)
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

    /// The entries are hashed, but whatever lists them lists them in order: the same JSON and
    /// TSV whatever the order of insertion, and JSON that reads back as the same book.
    #[test]
    fn a_book_lists_its_prices_in_key_and_region_order() {
        let book = PriceBook::embedded();
        let listed: Vec<(&str, &str)> = book.iter().map(|(k, r, _)| (k, r)).collect();
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        assert_eq!(listed, sorted);
        let mut reversed = PriceBook::new(&book.version, &book.date, book.origin);
        for (key, region, price) in listed.iter().rev().map(|&(k, r)| (k, r, book.get(k, r))) {
            reversed.insert(key, region, price.expect("listed").clone());
        }
        assert_eq!(reversed.to_tsv(), book.to_tsv());
        let json = serde_json::to_string(&reversed).unwrap();
        assert_eq!(json, serde_json::to_string(book).unwrap());
        let keys: Vec<String> =
            serde_json::from_str::<serde_json::Value>(&json).unwrap()["entries"]
                .as_object()
                .expect("entries are a map")
                .keys()
                .cloned()
                .collect();
        assert!(keys.is_sorted() && keys.len() > 80, "{keys:?}");
        assert_eq!(&serde_json::from_str::<PriceBook>(&json).unwrap(), book);
    }

    #[test]
    fn malformed_books_are_refused() {
        assert!(
            PriceBook::parse_tsv("# version: 1\n# date: 2026-01-01\na\tb\n", Origin::Live).is_err()
        );
        assert!(PriceBook::parse_tsv("k\tr\tx\tu\tquoted\td\ts\n", Origin::Live).is_err());
    }

    #[test]
    fn a_withheld_price_travels_with_its_reason_and_the_estimate_says_it() {
        let why = "AWS's price comes to 0.0000125 USD per hour, 3600 times less than the book's";
        let mut book = PriceBook::embedded().clone();
        book.origin = Origin::Live;
        // While the book has the price, the price wins: no reason is said, and the TSV holds
        // the price alone (its parser refuses both).
        book.withhold("nat.hour", "us-east-1", why);
        assert!(book.get("nat.hour", "us-east-1").is_some());
        assert_eq!(book.withheld("nat.hour", "us-east-1"), None);
        assert!(book.withheld_all().is_empty());
        assert_eq!(
            book.to_tsv(),
            PriceBook::embedded()
                .to_tsv()
                .replace("(Embedded)", "(Live)")
        );
        // So does a `global` price.
        let mut global = book.clone();
        global.withhold("dto.free_gb", "us-east-1", why);
        assert!(global.get("dto.free_gb", "us-east-1").is_some());
        assert_eq!(global.withheld("dto.free_gb", "us-east-1"), None);
        assert!(global.withheld_all().is_empty());
        assert_eq!(global.to_tsv(), book.to_tsv());
        // Without it, the reason is said.
        book.entries
            .get_mut("nat.hour")
            .unwrap()
            .remove("us-east-1");
        // Through the TSV the server sends and the page reads: the same book.
        let tsv = book.to_tsv();
        assert!(
            tsv.contains(&format!(
                "\nnat.hour\tus-east-1\tunknown\t\twithheld\t\t{why}\n"
            )),
            "{tsv}"
        );
        let read = PriceBook::parse_tsv(&tsv, Origin::Live).unwrap();
        assert_eq!(read.withheld("nat.hour", "us-east-1"), Some(why));
        assert_eq!(read.withheld("nat.hour", "eu-west-1"), None);
        assert!(read.get("nat.hour", "us-east-1").is_none());
        assert_eq!(read.to_tsv(), tsv);
        // The estimate's unknown price says why, after what it always says.
        let plan = crate::ValidPlan::new(crate::examples::fargate()).unwrap();
        let estimate = crate::cost::estimate(&plan, &read, crate::cost::Options::default());
        assert!(estimate.lower_bound);
        assert!(
            estimate.unknown.contains(&format!(
                "NAT gateway NAT hours: the price book has no price per hour in us-east-1 \
                 (book key nat.hour): {why}"
            )),
            "{:?}",
            estimate.unknown
        );
        // So does the line's own formula.
        let nat = estimate
            .lines
            .iter()
            .find(|l| l.item == "NAT hours")
            .unwrap();
        assert!(
            nat.formula.ends_with(&format!(
                "× unknown price (the book has none per hour in us-east-1: {why})"
            )),
            "{}",
            nat.formula
        );
        // A price and a withheld line for one key and region contradict each other.
        let twice = format!("{tsv}nat.hour\tus-east-1\t0.045\thour\tquoted\td\ts\n");
        assert!(
            PriceBook::parse_tsv(&twice, Origin::Live)
                .unwrap_err()
                .contains("nat.hour in us-east-1 is listed twice")
        );
        let price_first = tsv.replace(
            "nat.hour\tus-east-1\tunknown",
            "nat.hour\tus-east-1\t0.045\thour\tquoted\td\ts\nnat.hour\tus-east-1\tunknown",
        );
        assert!(PriceBook::parse_tsv(&price_first, Origin::Live).is_err());
        // So do they for a key that also has a `global` price, and two withheld lines.
        let withheld = "dto.free_gb\tus-east-1\tunknown\t\twithheld\t\tno product\n";
        let price = "dto.free_gb\tus-east-1\t100\tGB\tquoted\td\ts\n";
        for lines in [[withheld, price], [price, withheld], [withheld, withheld]] {
            assert!(
                PriceBook::parse_tsv(&format!("{tsv}{}{}", lines[0], lines[1]), Origin::Live)
                    .unwrap_err()
                    .contains("dto.free_gb in us-east-1 is listed twice")
            );
        }
        // The embedded book withholds nothing, and writes no such line.
        assert!(PriceBook::embedded().withheld_all().is_empty());
        assert!(!PriceBook::embedded().to_tsv().contains("\twithheld\t"));
    }
}
