//! The `stackplan` binary's library: the CLI commands and the web server.

pub mod auth;
pub mod aws;
pub mod cli;
pub mod config;
pub mod deploy;
pub mod error;
pub mod openapi;
pub mod prices;
pub mod routes;
pub mod state;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, Method, header};
use shared::api::Target;

pub use config::Config;
pub use state::AppState;

use crate::deploy::service::{DeployConfig, Deployer};

/// The whole HTTP application: health, the JSON API, and the planner's static files.
pub fn app(state: AppState) -> Router {
    let cors = cors_layer(&state.config.cors_origins);
    let router = routes::api_router()
        .fallback(routes::assets::assets_get)
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http());
    let router = match cors {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router.with_state(state)
}

/// CORS open only to the configured origins; none configured, none allowed.
fn cors_layer(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    (!origins.is_empty()).then(|| {
        tower_http::cors::CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::HeaderName::from_static("last-event-id"),
            ])
    })
}

/// The role used in the sandbox when none is given.
pub const SANDBOX_ROLE: &str = "arn:aws:iam::123456789012:role/stackplan-deployer";

/// The deploy service of a configuration, on the given AWS clients: into the sandbox when an
/// endpoint is configured, into AWS when a role is. `None` when neither is.
pub fn deployer(config: &Config, clients: &aws::Clients) -> anyhow::Result<Option<Deployer>> {
    let target = match &config.aws_endpoint {
        Some(endpoint) => Target::Sandbox {
            endpoint: endpoint.clone(),
        },
        None if config.role_arn.is_some() || !config.role_allowlist.is_empty() => Target::Aws,
        None => return Ok(None),
    };
    let mut deploy = DeployConfig::new(target.clone());
    deploy.role_arn = config.role_arn.clone().or_else(|| match target {
        // moto accepts any role; a fixed one keeps the sandbox in one account.
        Target::Sandbox { .. } => Some(SANDBOX_ROLE.to_string()),
        Target::Aws => None,
    });
    deploy.role_allowlist = config.role_allowlist.clone();
    deploy.external_id = config.external_id.clone();
    deploy.session_seconds = config.session_seconds;
    for role in deploy.role_arn.iter().chain(&deploy.role_allowlist) {
        anyhow::ensure!(
            deploy::valid_role_arn(role),
            "{role} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)"
        );
    }
    anyhow::ensure!(
        (900..=3600).contains(&deploy.session_seconds),
        "--session-seconds must be within 900-3600"
    );
    Ok(Some(Deployer::new(
        deploy,
        clients.sts.clone(),
        clients.cloudformation.clone(),
    )))
}

/// The price service of a configuration: a book file, the Price List API through the AWS
/// clients, or none (the embedded book) when offline.
pub fn price_service(
    config: &Config,
    clients: &aws::Clients,
) -> anyhow::Result<Option<Arc<prices::PriceService>>> {
    if let Some(path) = &config.price_book {
        let service = prices::PriceService::from_file(path).map_err(anyhow::Error::msg)?;
        return Ok(Some(Arc::new(service)));
    }
    if config.offline_prices {
        return Ok(None);
    }
    let service = if config.aws_endpoint.is_some() {
        prices::PriceService::with_client(
            Err(prices::PricingError::Sandbox),
            None,
            config.prices_ttl(),
        )
    } else {
        prices::PriceService::from_clients(clients.clone(), config.data_dir(), config.prices_ttl())
    };
    let service = Arc::new(service);
    service.start();
    Ok(Some(service))
}

/// Binds `addr` (port 0 picks a free port), prints the URL and serves until Ctrl-C.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    routes::assets::check_dist(&config.dist)?;
    let listener = tokio::net::TcpListener::bind(&config.addr).await?;
    let local = listener.local_addr()?;
    let clients = aws::Clients::load(&config.aws()).await;
    let mut state = AppState::new(config.clone());
    if let Some(prices) = price_service(&config, &clients)? {
        state = state.with_prices(prices);
    }
    if let Some(path) = &config.price_book {
        println!("Prices come from {}.", path.display());
    }
    let mut login = None;
    if let Some(deployer) = deployer(&config, &clients)? {
        let tokens = match std::env::var("STACKPLAN_TOKENS") {
            Ok(list) if !auth::Tokens::from_list(&list).is_empty() => {
                auth::Tokens::from_list(&list)
            }
            _ => {
                let (tokens, token) = auth::Tokens::generate()?;
                login = Some(token);
                tokens
            }
        };
        println!(
            "Deploys go to {}.",
            routes::deployments::describe(deployer.target())
        );
        state = state.with_deployer(Arc::new(deployer), tokens);
    } else {
        println!(
            "Deploying is off: start with --aws-endpoint URL (local sandbox) or --role-arn ARN (AWS)."
        );
    }
    println!("Stackplan is running at http://{local}/");
    if let Some(token) = login {
        println!("To deploy, open the login URL: http://{local}/#token={token}");
    }
    use std::io::Write;
    std::io::stdout().flush()?;
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// Logs to standard error, at `info` unless `RUST_LOG` says otherwise.
pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,aws_config=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
