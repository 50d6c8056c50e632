//! Prices for the estimator: the embedded book by default, live books from the AWS Price List
//! API when the server has credentials, cached per region in memory and on disk.
//!
//! `catalog.rs` (what to ask for each price) and `price_list.rs` (reading the answers) are
//! pure; `source.rs` makes the calls; this file decides which book a region gets.

pub mod catalog;
pub mod price_list;
pub mod source;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use shared::api::{BookSource, PriceBookAnswer, UnknownPrice};
use shared::cost::PriceBook;

use crate::aws::Clients;

pub use source::{LiveBook, Pricing, PricingError};

#[derive(Clone, Serialize, Deserialize)]
struct Cached {
    fetched_secs: u64,
    live: LiveBook,
}

/// Where the live book comes from: a client, or why there is none.
pub type Client = Result<Arc<Pricing>, PricingError>;

/// Chooses, fetches and caches price books.
pub struct PriceService {
    client: tokio::sync::OnceCell<Client>,
    /// Made on first use (probing credentials can take a moment); `None`: use this result.
    make: Option<Box<dyn Fn() -> futures_util::future::BoxFuture<'static, Client> + Send + Sync>>,
    dir: Option<PathBuf>,
    ttl: Duration,
    memory: tokio::sync::Mutex<HashMap<String, Cached>>,
}

impl PriceService {
    /// Live prices through the AWS clients, if the credential chain finds credentials.
    pub fn from_clients(clients: Clients, dir: Option<PathBuf>, ttl: Duration) -> Self {
        PriceService {
            client: tokio::sync::OnceCell::new(),
            make: Some(Box::new(move || {
                let clients = clients.clone();
                Box::pin(async move {
                    if clients.has_credentials(Duration::from_secs(5)).await {
                        Ok(Arc::new(Pricing::new(clients.pricing.clone())))
                    } else {
                        Err(PricingError::NoCredentials)
                    }
                })
            })),
            dir,
            ttl,
            memory: tokio::sync::Mutex::default(),
        }
    }

    /// A fixed client, or a fixed reason for having none (tests, sandbox).
    pub fn with_client(client: Client, dir: Option<PathBuf>, ttl: Duration) -> Self {
        PriceService {
            client: tokio::sync::OnceCell::new_with(Some(client)),
            make: None,
            dir,
            ttl,
            memory: tokio::sync::Mutex::default(),
        }
    }

    /// Looks for credentials once, in the background; until then the embedded book answers.
    pub fn start(self: &Arc<Self>) {
        let me = self.clone();
        tokio::spawn(async move {
            me.client
                .get_or_init(|| async {
                    match &me.make {
                        Some(make) => make().await,
                        None => Err(PricingError::NoCredentials),
                    }
                })
                .await;
        });
    }

    /// Prices from a book file (`stackplan prices refresh --out FILE`, fetched elsewhere): its
    /// regions answer with it, as live prices; other regions get the embedded book.
    pub fn from_file(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let book = PriceBook::parse_tsv(&text, shared::cost::Origin::Live)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let fetched_secs = modified
            .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
            .map_or_else(Self::now, |d| d.as_secs());
        let regions: std::collections::BTreeSet<String> = book
            .iter()
            .map(|(_, r, _)| r.to_string())
            .filter(|r| r != "global")
            .collect();
        let memory = regions
            .into_iter()
            .map(|region| {
                let live = LiveBook {
                    region: region.clone(),
                    book: book.clone(),
                    unknown: Vec::new(),
                    carried: Vec::new(),
                };
                (region, Cached { fetched_secs, live })
            })
            .collect();
        Ok(PriceService {
            client: tokio::sync::OnceCell::new_with(Some(Err(PricingError::NotInFile(
                path.display().to_string(),
            )))),
            make: None,
            dir: None,
            ttl: Duration::MAX,
            memory: tokio::sync::Mutex::new(memory),
        })
    }

    fn path(&self, region: &str) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|d| d.join(format!("prices-{region}.json")))
    }

    fn now() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }

    fn fresh(&self, c: &Cached) -> bool {
        self.ttl == Duration::MAX || Self::now().saturating_sub(c.fetched_secs) < self.ttl.as_secs()
    }

    /// The book for `region`: a fresh cached live book, a newly fetched one, or the embedded
    /// book with the reason.
    pub async fn book(&self, region: &str) -> PriceBookAnswer {
        let mut memory = self.memory.lock().await;
        if let Some(c) = memory.get(region).filter(|c| self.fresh(c)) {
            return live_answer(c, None);
        }
        if let Some(c) = self
            .path(region)
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|t| serde_json::from_str::<Cached>(&t).ok())
            && self.fresh(&c)
            && c.live.region == region
        {
            let answer = live_answer(&c, None);
            memory.insert(region.to_string(), c);
            return answer;
        }
        let fetched = match self.client.get() {
            Some(Ok(pricing)) => pricing.refresh(region).await,
            Some(Err(e)) => Err(e.clone()),
            None => {
                return embedded_answer(region, "looking for AWS credentials for live prices; using the embedded price book meanwhile".into());
            }
        };
        match fetched {
            Ok(live) => {
                let c = Cached {
                    fetched_secs: Self::now(),
                    live,
                };
                if let Some(path) = self.path(region) {
                    let _ =
                        std::fs::create_dir_all(path.parent().unwrap_or(std::path::Path::new(".")));
                    if let Ok(text) = serde_json::to_string(&c) {
                        let _ = std::fs::write(path, text);
                    }
                }
                let answer = live_answer(&c, None);
                memory.insert(region.to_string(), c);
                answer
            }
            Err(e) => {
                // A stale live book beats none; otherwise the embedded one.
                if let Some(c) = memory.get(region) {
                    return live_answer(
                        c,
                        Some(format!("{e}; showing live prices fetched earlier")),
                    );
                }
                embedded_answer(region, format!("{e}; using the embedded price book"))
            }
        }
    }
}

fn region_book(book: &PriceBook, region: &str) -> PriceBook {
    let mut out = PriceBook::new(book.version.clone(), book.date.clone(), book.origin);
    for (key, r, price) in book.iter() {
        if r == region || r == "global" {
            out.insert(key, r, price.clone());
        }
    }
    out
}

fn rfc3339(secs: u64) -> String {
    aws_sdk_pricing::primitives::DateTime::from_secs(i64::try_from(secs).unwrap_or(0))
        .fmt(aws_sdk_pricing::primitives::DateTimeFormat::DateTime)
        .unwrap_or_default()
}

fn unknown(list: &[(String, String)]) -> Vec<UnknownPrice> {
    list.iter()
        .map(|(key, reason)| UnknownPrice {
            key: key.clone(),
            reason: reason.clone(),
        })
        .collect()
}

fn live_answer(c: &Cached, note: Option<String>) -> PriceBookAnswer {
    let book = region_book(&c.live.book, &c.live.region);
    let unknown_note = (!c.live.unknown.is_empty()).then(|| {
        format!(
            "{} price(s) not in the Price List answer are unknown",
            c.live.unknown.len()
        )
    });
    PriceBookAnswer {
        region: c.live.region.clone(),
        source: BookSource::Live,
        version: c.live.book.version.clone(),
        date: c.live.book.date.clone(),
        fetched_at: Some(rfc3339(c.fetched_secs)),
        note: note.or(unknown_note),
        unknown: unknown(&c.live.unknown),
        book_tsv: book.to_tsv(),
    }
}

/// The embedded book for a region, with why it is not live.
pub fn embedded_answer(region: &str, note: String) -> PriceBookAnswer {
    let book = region_book(PriceBook::embedded(), region);
    PriceBookAnswer {
        region: region.to_string(),
        source: BookSource::Embedded,
        version: book.version.clone(),
        date: book.date.clone(),
        fetched_at: None,
        note: Some(note),
        unknown: Vec::new(),
        book_tsv: book.to_tsv(),
    }
}
