//! Server configuration and shared state.

use std::path::PathBuf;
use std::sync::Arc;

use crate::auth::Tokens;
use crate::deploy::service::Deployer;

/// How the server runs.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Address to listen on, e.g. `127.0.0.1:8080` (port 0: any free port).
    pub addr: String,
    /// The Trunk build of the planner (`dist/`).
    pub dist: PathBuf,
    /// Where fetched price books are cached (`None`: memory only).
    pub data_dir: Option<PathBuf>,
    /// How long a fetched price book is used before it is fetched again.
    pub prices_ttl: std::time::Duration,
    /// Never call the Price List API.
    pub offline_prices: bool,
    /// Serve prices from this book file (TSV, as `stackplan prices refresh --out` writes).
    pub price_book: Option<PathBuf>,
    /// Deploy into the sandbox (moto) at this URL instead of AWS.
    pub aws_endpoint: Option<String>,
    /// The deploy role (`arn:aws:iam::ACCOUNT:role/NAME`).
    pub role_arn: Option<String>,
    /// Roles a request may name instead of the default one.
    pub role_allowlist: Vec<String>,
    /// The ExternalId the deploy role's trust policy asks for.
    pub external_id: Option<String>,
    /// How long assumed credentials last (900–3600 s).
    pub session_seconds: i32,
    /// Origins allowed to call the API from another site (CORS). Empty: same origin only.
    pub cors_origins: Vec<String>,
}

/// State shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub tokens: Arc<Tokens>,
    /// `None` when deploying is not configured (no role and no sandbox).
    pub deployer: Option<Arc<Deployer>>,
    /// `None`: this server does not fetch live prices; regions get the embedded book.
    pub prices: Option<Arc<crate::prices::PriceService>>,
}

impl AppState {
    /// State without deploying (the planner and its files only).
    pub fn new(config: Config) -> Self {
        AppState {
            config: Arc::new(config),
            tokens: Arc::new(Tokens::default()),
            deployer: None,
            prices: None,
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
