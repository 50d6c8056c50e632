//! The `stackplan` binary's library: the CLI commands and the web server.

pub mod cli;
pub mod error;
pub mod routes;
pub mod state;

use axum::Router;
use axum::routing::get;

pub use state::{AppState, Config};

/// The whole HTTP application: health, the JSON API, and the planner's static files.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/health", get(routes::health::health_get))
        .nest("/api", routes::api_router())
        .fallback(routes::assets::assets_get)
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// Binds `addr` (port 0 picks a free port), prints the URL and serves until Ctrl-C.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    routes::assets::check_dist(&config.dist)?;
    let listener = tokio::net::TcpListener::bind(&config.addr).await?;
    let local = listener.local_addr()?;
    let state = AppState::new(config);
    println!("Stackplan is running at http://{local}/");
    use std::io::Write;
    std::io::stdout().flush()?;
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
