//! The `stackplan` binary's library: the CLI commands and the web server.

pub mod auth;
pub mod aws;
pub mod cli;
pub mod deploy;
pub mod error;
pub mod prices;
pub mod routes;
pub mod state;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, Method, header};
use axum::routing::get;

pub use state::{AppState, Config};

use crate::deploy::service::{DeployConfig, Deployer, Target};

/// The whole HTTP application: health, the JSON API, and the planner's static files.
pub fn app(state: AppState) -> Router {
    let cors = cors_layer(&state.config.cors_origins);
    let router = Router::new()
        .route("/health", get(routes::health::health_get))
        .nest("/api", routes::api_router())
        .fallback(routes::assets::assets_get)
        .layer(tower_http::compression::CompressionLayer::new());
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
                "last-event-id".parse().expect("header name"),
            ])
    })
}

/// The deploy service of a configuration, on the real AWS SDK clients: the sandbox's endpoint
/// with dummy credentials, or AWS with the usual credential chain. `None` when neither a
/// sandbox nor a role is configured. SDK retries are off: the service retries throttling
/// itself so that watchers see the wait, and moto's HTTP 500s must not be retried into
/// misleading `AlreadyExists` errors.
pub async fn deployer(config: &Config) -> anyhow::Result<Option<Deployer>> {
    use aws_config::BehaviorVersion;
    use aws_config::retry::RetryConfig;
    let (target, sdk) = match &config.aws_endpoint {
        Some(endpoint) => {
            let sdk = aws_config::defaults(BehaviorVersion::latest())
                .endpoint_url(endpoint)
                .region(aws_config::Region::new("us-east-1"))
                .credentials_provider(aws_credential_types::Credentials::new(
                    "sandbox", "sandbox", None, None, "sandbox",
                ))
                .retry_config(RetryConfig::standard().with_max_attempts(1))
                .load()
                .await;
            (
                Target::Sandbox {
                    endpoint: endpoint.clone(),
                },
                sdk,
            )
        }
        None if config.role_arn.is_some() || !config.role_allowlist.is_empty() => {
            let loader = aws_config::defaults(BehaviorVersion::latest())
                .retry_config(RetryConfig::standard().with_max_attempts(1));
            let sdk = loader.load().await;
            let sdk = if sdk.region().is_none() {
                aws_config::defaults(BehaviorVersion::latest())
                    .retry_config(RetryConfig::standard().with_max_attempts(1))
                    .region(aws_config::Region::new("us-east-1"))
                    .load()
                    .await
            } else {
                sdk
            };
            (Target::Aws, sdk)
        }
        None => return Ok(None),
    };
    let endpoint = config.aws_endpoint.clone().unwrap_or_else(|| "AWS".into());
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
    let sts = aws::sts::SdkSts {
        client: aws_sdk_sts::Client::new(&sdk),
        endpoint: endpoint.clone(),
    };
    let cfn = aws::cloudformation::SdkCloudFormation {
        base: sdk,
        endpoint,
    };
    Ok(Some(Deployer::new(deploy, Arc::new(sts), Arc::new(cfn))))
}

/// The role used in the sandbox when none is given.
pub const SANDBOX_ROLE: &str = "arn:aws:iam::123456789012:role/stackplan-deployer";

/// Binds `addr` (port 0 picks a free port), prints the URL and serves until Ctrl-C.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    routes::assets::check_dist(&config.dist)?;
    let listener = tokio::net::TcpListener::bind(&config.addr).await?;
    let local = listener.local_addr()?;
    let mut state = AppState::new(config.clone());
    if let Some(path) = &config.price_book {
        let prices = prices::PriceService::from_file(path).map_err(anyhow::Error::msg)?;
        println!("Prices come from {}.", path.display());
        state = state.with_prices(Arc::new(prices));
    } else if !config.offline_prices {
        let prices = Arc::new(prices::PriceService::from_environment(
            config.data_dir.clone(),
            config.prices_ttl,
        ));
        prices.start();
        state = state.with_prices(prices);
    }
    let mut login = None;
    if let Some(deployer) = deployer(&config).await? {
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
