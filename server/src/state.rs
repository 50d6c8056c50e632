//! Server configuration and shared state.

use std::path::PathBuf;
use std::sync::Arc;

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on, e.g. `127.0.0.1:8080` (port 0: any free port).
    pub addr: String,
    /// The Trunk build of the planner (`dist/`).
    pub dist: PathBuf,
}

/// State shared by every request.
#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<Config>,
}

impl AppState {
    pub fn new(config: Config) -> Self {
        AppState {
            config: Arc::new(config),
        }
    }
}
