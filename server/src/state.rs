//! State shared by every request.

use std::sync::Arc;

use crate::auth::Tokens;
pub use crate::config::Config;
use crate::deploy::service::Deployer;

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
