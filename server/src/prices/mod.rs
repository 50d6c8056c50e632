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
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use shared::api::{BookSource, PriceBookAnswer, UnknownPrice};
use shared::cost::{PriceBook, Withheld};
use tokio::sync::watch;

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
    /// Live books by region. Held only to read or insert, never across I/O.
    memory: std::sync::Mutex<HashMap<String, Cached>>,
    /// Regions whose last refresh failed, with when and why: not asked again for
    /// [`RETRY_AFTER_FAILURE`] (an unauthenticated page cannot make the server hammer AWS).
    failed: std::sync::Mutex<HashMap<String, (Instant, String)>>,
    /// The one refresh in flight per region; its watchers wait on it.
    inflight: std::sync::Mutex<HashMap<String, watch::Receiver<bool>>>,
}

/// How long a failed refresh is remembered before the region is asked again.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(180);
/// The longest a whole region refresh may take.
pub const REFRESH_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a request waits for a refresh before answering with the embedded book (the
/// refresh goes on, and the next request gets its result).
pub const REQUEST_WAIT: Duration = Duration::from_secs(20);

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
            memory: std::sync::Mutex::default(),
            failed: std::sync::Mutex::default(),
            inflight: std::sync::Mutex::default(),
        }
    }

    /// A fixed client, or a fixed reason for having none (tests, sandbox).
    pub fn with_client(client: Client, dir: Option<PathBuf>, ttl: Duration) -> Self {
        PriceService {
            client: tokio::sync::OnceCell::new_with(Some(client)),
            make: None,
            dir,
            ttl,
            memory: std::sync::Mutex::default(),
            failed: std::sync::Mutex::default(),
            inflight: std::sync::Mutex::default(),
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
        let regions = file_regions(&book).map_err(|e| format!("{}: {e}", path.display()))?;
        let memory = regions
            .into_iter()
            .map(|region| {
                let live = LiveBook {
                    region: region.clone(),
                    book: book.clone(),
                    carried: Vec::new(),
                };
                (region, Cached { fetched_secs, live })
            })
            .collect();
        Ok(PriceService {
            client: tokio::sync::OnceCell::new_with(Some(Err(PricingError::NotInFile))),
            make: None,
            dir: None,
            ttl: Duration::MAX,
            memory: std::sync::Mutex::new(memory),
            failed: std::sync::Mutex::default(),
            inflight: std::sync::Mutex::default(),
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
    /// book with the reason. Cached regions answer at once, whatever other regions do; a region
    /// is refreshed by one task at a time, its requests wait for that one (at most
    /// [`REQUEST_WAIT`]); a failure is remembered for [`RETRY_AFTER_FAILURE`].
    pub async fn book(self: &Arc<Self>, region: &str) -> PriceBookAnswer {
        if let Some(answer) = self.settled(region) {
            return answer;
        }
        if self.client.get().is_none() {
            return embedded_answer(region, "looking for AWS credentials for live prices; using the embedded price book meanwhile".into());
        }
        let mut done = match self.refresh_once(region) {
            Ok(done) => done,
            // A refresh ended between the check above and the lock: its answer stands.
            Err(answer) => return *answer,
        };
        let waited = tokio::time::timeout(REQUEST_WAIT, done.wait_for(|d| *d)).await;
        let just_fetched = || {
            let memory = self.memory.lock().expect("never poisoned");
            memory.get(region).map(|c| live_answer(c, None))
        };
        match (waited, self.settled(region).or_else(just_fetched)) {
            (_, Some(answer)) => answer,
            (Err(_), None) => embedded_answer(
                region,
                format!(
                    "live prices for {region} are still being fetched; using the embedded price book meanwhile"
                ),
            ),
            (Ok(_), None) => embedded_answer(
                region,
                "the live price refresh ended without a book; using the embedded price book".into(),
            ),
        }
    }

    /// What `region` gets without asking AWS: a fresh live book, or (after a recent failure)
    /// the last live book or the embedded one, with the failure.
    fn settled(&self, region: &str) -> Option<PriceBookAnswer> {
        let memory = self.memory.lock().expect("never poisoned");
        if let Some(c) = memory.get(region).filter(|c| self.fresh(c)) {
            return Some(live_answer(c, None));
        }
        let failed = self.failed.lock().expect("never poisoned");
        let (at, why) = failed.get(region)?;
        if at.elapsed() >= RETRY_AFTER_FAILURE {
            return None;
        }
        Some(match memory.get(region) {
            // A stale live book beats none; otherwise the embedded one.
            Some(c) => live_answer(
                c,
                Some(format!("{why}; showing live prices fetched earlier")),
            ),
            None => embedded_answer(region, format!("{why}; using the embedded price book")),
        })
    }

    /// The region's refresh: the one in flight, or a new one. Resolves to `true` when it ends.
    /// A refresh records its result before it leaves `inflight`, so a region that is settled
    /// by the time the lock is held answers with that (`Err`) and starts no second refresh.
    fn refresh_once(
        self: &Arc<Self>,
        region: &str,
    ) -> Result<watch::Receiver<bool>, Box<PriceBookAnswer>> {
        let mut inflight = self.inflight.lock().expect("never poisoned");
        if let Some(rx) = inflight.get(region) {
            return Ok(rx.clone());
        }
        if let Some(answer) = self.settled(region) {
            return Err(Box::new(answer));
        }
        let (tx, rx) = watch::channel(false);
        inflight.insert(region.to_string(), rx.clone());
        let me = self.clone();
        let region = region.to_string();
        tokio::spawn(async move {
            let result = tokio::time::timeout(REFRESH_TIMEOUT, me.refresh(&region)).await;
            match result {
                Ok(Ok(c)) => {
                    me.failed.lock().expect("never poisoned").remove(&region);
                    me.memory
                        .lock()
                        .expect("never poisoned")
                        .insert(region.clone(), c);
                }
                Ok(Err(why)) => me.remember_failure(&region, why),
                Err(_) => me.remember_failure(
                    &region,
                    Failure::same(format!(
                        "the Price List API did not answer within {} s",
                        REFRESH_TIMEOUT.as_secs()
                    )),
                ),
            }
            me.inflight.lock().expect("never poisoned").remove(&region);
            let _ = tx.send(true);
        });
        Ok(rx)
    }

    fn remember_failure(&self, region: &str, why: Failure) {
        tracing::warn!(region, "live prices: {}", why.log);
        self.failed
            .lock()
            .expect("never poisoned")
            .insert(region.to_string(), (Instant::now(), why.note));
    }

    /// A live book for `region` from the disk cache or the Price List API (async I/O, no lock
    /// held); the cache file is written after a fetch.
    async fn refresh(&self, region: &str) -> Result<Cached, Failure> {
        if let Some(path) = self.path(region)
            && let Ok(text) = tokio::fs::read_to_string(&path).await
            && let Ok(c) = serde_json::from_str::<Cached>(&text)
            && self.fresh(&c)
            && c.live.region == region
        {
            return Ok(c);
        }
        let live = match self.client.get() {
            Some(Ok(pricing)) => pricing.refresh(region).await.map_err(Failure::from)?,
            Some(Err(e)) => return Err(Failure::from(e)),
            None => return Err(Failure::same("no AWS credentials yet".into())),
        };
        let c = Cached {
            fetched_secs: Self::now(),
            live,
        };
        if let Some(path) = self.path(region)
            && let Ok(text) = serde_json::to_string(&c)
        {
            if let Some(dir) = path.parent() {
                let _ = tokio::fs::create_dir_all(dir).await;
            }
            if let Err(e) = tokio::fs::write(&path, text).await {
                tracing::warn!("cannot keep the live price book at {}: {e}", path.display());
            }
        }
        Ok(c)
    }
}

/// The live book's prices for its region and the global rules, and its unknown prices.
fn region_book(live: &LiveBook) -> PriceBook {
    let book = &live.book;
    let mut out = PriceBook::new(book.version.clone(), book.date.clone(), book.origin);
    for (key, r, price) in book.iter() {
        if r == live.region || r == "global" {
            out.insert(key, r, price.clone());
        }
    }
    for w in live.unknown() {
        out.withhold(&w.key, &w.region, &w.reason);
    }
    out
}

/// The regions a book file answers for: those it prices or withholds prices in. A withheld
/// line must be able to take effect: one for the `global` region, or for a key with a `global`
/// price (which the estimate uses), is refused, rather than the file saying one thing and the
/// estimate another.
fn file_regions(book: &PriceBook) -> Result<std::collections::BTreeSet<String>, String> {
    let mut regions: std::collections::BTreeSet<String> =
        book.iter().map(|(_, r, _)| r.to_string()).collect();
    for w in book.withheld_lines() {
        let (key, region) = (&w.key, &w.region);
        if region == "global" {
            return Err(format!(
                "{key} is withheld in `global`: a rule for every region cannot be withheld; \
                 withhold it in each region"
            ));
        }
        if book.get(key, "global").is_some() {
            return Err(format!(
                "{key} is withheld in {region}, but it has a `global` price, which every region \
                 uses: remove one of the two lines"
            ));
        }
        regions.insert(region.clone());
    }
    regions.remove("global");
    Ok(regions)
}

fn rfc3339(secs: u64) -> String {
    aws_sdk_pricing::primitives::DateTime::from_secs(i64::try_from(secs).unwrap_or(0))
        .fmt(aws_sdk_pricing::primitives::DateTimeFormat::DateTime)
        .unwrap_or_default()
}

fn unknown_prices(list: &[&Withheld]) -> Vec<UnknownPrice> {
    list.iter()
        .map(|w| UnknownPrice {
            key: w.key.clone(),
            reason: w.reason.clone(),
        })
        .collect()
}

fn live_answer(c: &Cached, note: Option<String>) -> PriceBookAnswer {
    let book = region_book(&c.live);
    let withheld = c.live.unknown();
    let unknown_note = (!withheld.is_empty()).then(|| {
        format!(
            "{} price(s) are unknown: missing from the Price List's answer, ambiguous in it, \
             or too far from the embedded book's to trust",
            withheld.len()
        )
    });
    PriceBookAnswer {
        region: c.live.region.clone(),
        source: BookSource::Live,
        version: c.live.book.version.clone(),
        date: c.live.book.date.clone(),
        fetched_at: Some(rfc3339(c.fetched_secs)),
        note: note.or(unknown_note),
        unknown: unknown_prices(&withheld),
        book_tsv: Some(book.to_tsv()),
    }
}

/// Why a refresh failed: in full for the server's log, and as the page is told it
/// ([`PricingError::public`]).
#[derive(Debug)]
struct Failure {
    log: String,
    note: String,
}

impl Failure {
    /// A reason of Stackplan's own, the same for the log and the page.
    fn same(why: String) -> Failure {
        Failure {
            log: why.clone(),
            note: why,
        }
    }
}

impl From<PricingError> for Failure {
    fn from(e: PricingError) -> Failure {
        Failure::from(&e)
    }
}

impl From<&PricingError> for Failure {
    fn from(e: &PricingError) -> Failure {
        Failure {
            log: e.to_string(),
            note: e.public(),
        }
    }
}

/// The embedded book for a region, with why it is not live. Its prices are not sent: the
/// page holds the same book.
pub fn embedded_answer(region: &str, note: String) -> PriceBookAnswer {
    let book = PriceBook::embedded();
    PriceBookAnswer {
        region: region.to_string(),
        source: BookSource::Embedded,
        version: book.version.clone(),
        date: book.date.clone(),
        fetched_at: None,
        note: Some(note),
        unknown: Vec::new(),
        book_tsv: None,
    }
}

#[cfg(test)]
mod tests {
    use shared::cost::Origin;

    use super::*;

    /// A book file: two us-east-1 prices, a global rule, and `extra` lines.
    fn file(extra: &str) -> Result<PriceBook, String> {
        let text = format!(
            "# version: live-2026-11-20\n# date: 2026-11-20\n\
             key\tregion\tusd\tunit\tconfidence\tdimension\tsource\n\
             nat.hour\tus-east-1\t0.045\thour\tquoted\td\ts\n\
             alb.hour\tus-east-1\t0.0225\thour\tquoted\td\ts\n\
             dto.free_gb\tglobal\t100\tGB\tquoted\td\ts\n{extra}"
        );
        PriceBook::parse_tsv(&text, Origin::Live)
    }

    fn withheld(key: &str, region: &str) -> String {
        format!("{key}\t{region}\tunknown\t\twithheld\t\tAWS's answer has no product\n")
    }

    #[test]
    fn a_book_files_withheld_lines_must_take_effect() {
        // A region whose every price was withheld (an empty answer) is still the file's.
        let ok =
            file(&(withheld("nat.gb", "us-east-1") + &withheld("nat.hour", "eu-west-1"))).unwrap();
        assert_eq!(
            file_regions(&ok).unwrap().into_iter().collect::<Vec<_>>(),
            ["eu-west-1", "us-east-1"]
        );
        for (line, says) in [
            (
                withheld("nat.gb", "global"),
                "nat.gb is withheld in `global`",
            ),
            (
                withheld("dto.free_gb", "us-east-1"),
                "dto.free_gb is withheld in us-east-1, but it has a `global` price",
            ),
        ] {
            let err = file_regions(&file(&line).unwrap()).unwrap_err();
            assert!(err.starts_with(says), "{err}");
        }
    }

    #[test]
    fn a_book_file_with_such_a_line_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.tsv");
        let mut text = file("").unwrap().to_tsv();
        std::fs::write(&path, &text).unwrap();
        assert!(PriceService::from_file(&path).is_ok());
        text.push_str(&withheld("nat.gb", "global"));
        std::fs::write(&path, &text).unwrap();
        let err = PriceService::from_file(&path).err().unwrap();
        assert_eq!(
            err,
            format!(
                "{}: nat.gb is withheld in `global`: a rule for every region cannot be \
                 withheld; withhold it in each region",
                path.display()
            )
        );
    }
}
