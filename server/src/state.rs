//! State shared by every request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::auth::Tokens;
pub use crate::config::Config;
use crate::deploy::service::Deployer;
pub use crate::http::Shutdown;

/// State shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub tokens: Arc<Tokens>,
    /// `None` when deploying is not configured (no role and no sandbox).
    pub deployer: Option<Arc<Deployer>>,
    /// `None`: this server does not fetch live prices; regions get the embedded book.
    pub prices: Option<Arc<crate::prices::PriceService>>,
    /// Triggered when the server is stopping; event streams end with a `reconnect` event.
    pub shutdown: Shutdown,
    /// Open event streams per token.
    pub streams: Arc<TokenCounts>,
    /// Places for code uploads being received (`--max-uploads`).
    pub uploads: Arc<tokio::sync::Semaphore>,
    /// Code uploads being received per token.
    pub uploading: Arc<TokenCounts>,
    /// Requests that change a stack (deploy, execute, delete, continue a rollback) being
    /// answered per token (`--max-changes-per-token`).
    pub changing: Arc<TokenCounts>,
    /// The bootstrap template this server offers (`GET /api/bootstrap`): made once, from the
    /// start-up options, off the request threads (it walks the whole plan matrix).
    pub bootstrap_template: Arc<tokio::sync::OnceCell<Arc<str>>>,
}

/// Open event streams (or uploads) per token (keyed by the token's SHA-256, never the token).
#[derive(Debug, Default)]
pub struct TokenCounts {
    open: Mutex<HashMap<[u8; 32], usize>>,
}

/// One open stream (or upload); dropping it (it ended, or its client left) frees its place.
#[derive(Debug)]
pub struct TokenTicket {
    counts: Arc<TokenCounts>,
    key: [u8; 32],
}

impl TokenCounts {
    /// A place for one more stream (or upload) of `token`, or how many are open when it has
    /// `max`.
    pub fn enter(self: &Arc<Self>, token: &str, max: usize) -> Result<TokenTicket, usize> {
        use sha2::Digest;
        let key: [u8; 32] = sha2::Sha256::digest(token.as_bytes()).into();
        let mut open = self.open.lock().expect("never poisoned");
        let n = open.entry(key).or_default();
        if *n >= max {
            return Err(*n);
        }
        *n += 1;
        Ok(TokenTicket {
            counts: self.clone(),
            key,
        })
    }

    /// Streams open now, over all tokens.
    pub fn total(&self) -> usize {
        self.open.lock().expect("never poisoned").values().sum()
    }
}

impl Drop for TokenTicket {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().expect("never poisoned");
        if let Some(n) = open.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

impl AppState {
    /// State without deploying (the planner and its files only).
    pub fn new(config: Config) -> Self {
        AppState {
            uploads: Arc::new(tokio::sync::Semaphore::new(config.max_uploads)),
            config: Arc::new(config),
            tokens: Arc::new(Tokens::default()),
            deployer: None,
            prices: None,
            shutdown: Shutdown::default(),
            streams: Arc::default(),
            uploading: Arc::default(),
            changing: Arc::default(),
            bootstrap_template: Arc::default(),
        }
    }

    pub fn with_deployer(mut self, deployer: Arc<Deployer>, tokens: Tokens) -> Self {
        self.deployer = Some(deployer);
        self.tokens = Arc::new(tokens);
        self
    }

    pub fn with_prices(mut self, prices: Arc<crate::prices::PriceService>) -> Self {
        self.prices = Some(prices);
        self
    }
}
