//! The `stackplan` binary's library: the CLI commands and the web server.

pub mod auth;
pub mod aws;
pub mod bootstrap;
pub mod cli;
pub mod config;
pub mod deploy;
pub mod error;
pub mod guard;
pub mod http;
pub mod openapi;
pub mod prices;
pub mod routes;
pub mod state;

use anyhow::Context as _;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, Method, header};
use shared::api::Target;

pub use config::Config;
pub use state::AppState;

use crate::deploy::service::{DeployConfig, Deployer};

/// The whole HTTP application: health, the JSON API, and the planner's static files.
/// Every answer goes through [`guard::guard`] (the Host allowlist and the security headers),
/// then CORS, then [`guard::time_limit`].
pub fn app(state: AppState) -> Router {
    let cors = cors_layer(&state.config.cors_origins);
    let guard = guard::Guard::from_config(&state.config);
    let router = routes::api_router()
        .fallback(routes::assets::assets_get)
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::from_fn(guard::time_limit));
    // Outside the time limit: its `timed_out` reaches an allowed console readable, not as an
    // opaque network error. Inside the Host check and the security headers, which every
    // answer gets, a preflight's included.
    let router = match cors {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router
        .layer(axum::middleware::from_fn_with_state(guard, guard::guard))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
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
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::HeaderName::from_static("last-event-id"),
            ])
            // When to ask again (429, 503), and what a 401 wants.
            .expose_headers([header::RETRY_AFTER, header::WWW_AUTHENTICATE])
    })
}

/// The roles used in the sandbox when none are given (moto accepts any role).
pub const SANDBOX_ROLE: &str = "arn:aws:iam::123456789012:role/stackplan-deployer";
pub const SANDBOX_EXECUTION_ROLE: &str = "arn:aws:iam::123456789012:role/stackplan-execution";

/// The key deployment ids are sealed with and stacks' proofs signed with: `--id-key`, or the
/// one kept in the data directory,
/// or (without a data directory) a new one for this process.
pub fn id_key(config: &Config) -> anyhow::Result<deploy::id::IdKey> {
    if let Some(hex) = &config.id_key {
        return deploy::id::IdKey::from_hex(hex).map_err(anyhow::Error::msg);
    }
    match config.data_dir() {
        Some(dir) => {
            deploy::id::IdKey::load_or_create(&dir.join("id-key")).map_err(anyhow::Error::msg)
        }
        None => {
            tracing::warn!(
                "no data directory and no --id-key: this process's id key is its own, so after a restart its deployment ids are refused and the stacks it made are no longer proved its own (give --data-dir or --id-key)"
            );
            Ok(deploy::id::IdKey::random()?)
        }
    }
}

/// The deploy service of a configuration, on the given AWS clients: into the sandbox when an
/// endpoint is configured, into AWS when roles are (`--role-arn`, or a tokens file). `None`
/// when neither is.
pub fn deployer(
    config: &Config,
    clients: &aws::Clients,
    tokens: &auth::Tokens,
) -> anyhow::Result<Option<Deployer>> {
    // The server's own lists make the bootstrap template the page offers, with or without a
    // role of its own.
    let reach = config.bootstrap();
    let problems = reach.problems();
    anyhow::ensure!(
        problems.is_empty(),
        "--settings-prefix / --hosted-zone-id: {}",
        problems.join("; ")
    );
    // Lists already found good: each check builds the bootstrap template, so roles with the
    // server's lists (or another role's) are not checked again.
    let mut good = vec![reach.clone()];
    if let Some(problem) = config
        .aws_endpoint
        .as_deref()
        .and_then(deploy::endpoint_problem)
    {
        anyhow::bail!("--aws-endpoint: {problem}");
    }
    let target = match &config.aws_endpoint {
        Some(endpoint) => Target::Sandbox {
            endpoint: endpoint.clone(),
        },
        None if config.role_arn.is_some() || tokens.bound_roles().next().is_some() => Target::Aws,
        None => return Ok(None),
    };
    let mut deploy = DeployConfig::new(target.clone(), id_key(config)?);
    deploy.roles = match (config.roles(), &target) {
        (Some(roles), _) => vec![roles],
        // moto accepts any role; fixed ones keep the sandbox in one account.
        (None, Target::Sandbox { .. }) => vec![deploy::service::AccountRoles {
            role_arn: SANDBOX_ROLE.into(),
            external_id: None,
            execution_role_arn: Some(SANDBOX_EXECUTION_ROLE.into()),
            permissions_boundary_arn: None,
            settings_prefixes: reach.settings_prefixes,
            hosted_zone_ids: reach.hosted_zone_ids,
        }],
        (None, Target::Aws) => Vec::new(),
    };
    deploy.session_seconds = config.session_seconds;
    for (place, roles) in own_roles(config, &deploy.roles).chain(tokens.bound_roles()) {
        check_roles(&place, roles, &target, &mut good)?;
    }
    anyhow::ensure!(
        (900..=3600).contains(&deploy.session_seconds),
        "--session-seconds must be within 900-3600"
    );
    Ok(Some(Deployer::new(
        deploy,
        clients.sts.clone(),
        clients.cloudformation.clone(),
        clients.ecr.clone(),
        clients.stores.clone(),
        clients.code.clone(),
    )))
}

/// The server's own roles, each with where it was given (for start-up errors).
pub fn own_roles<'a>(
    config: &Config,
    roles: &'a [deploy::service::AccountRoles],
) -> impl Iterator<Item = (String, &'a deploy::service::AccountRoles)> {
    let place = if config.role_arn.is_some() {
        "--role-arn"
    } else {
        "the sandbox's roles"
    };
    roles.iter().map(move |r| (place.to_string(), r))
}

/// A role set is usable: well-formed ARNs, and on AWS an execution role to hand
/// CloudFormation and the permissions boundary every role a stack makes must carry (the
/// bootstrap lets the execution role create roles only with it, so without it each deploy with
/// a role would fail and roll back).
/// `good` holds lists of settings prefixes and zones already found good, and gets the roles'
/// once they are. Errors begin with `place`: where the roles were given.
fn check_roles(
    place: &str,
    roles: &deploy::service::AccountRoles,
    target: &Target,
    good: &mut Vec<bootstrap::Options>,
) -> anyhow::Result<()> {
    for arn in std::iter::once(&roles.role_arn).chain(&roles.execution_role_arn) {
        anyhow::ensure!(
            deploy::valid_role_arn(arn),
            "{place}: {arn} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)"
        );
    }
    let lists = bootstrap::Options {
        settings_prefixes: roles.settings_prefixes.clone(),
        hosted_zone_ids: roles.hosted_zone_ids.clone(),
    };
    if !good.contains(&lists) {
        let problems = lists.problems();
        anyhow::ensure!(
            problems.is_empty(),
            "{place}: the roles {}: {}",
            roles.role_arn,
            problems.join("; ")
        );
        good.push(lists);
    }
    if *target == Target::Aws {
        anyhow::ensure!(
            roles.execution_role_arn.is_some(),
            "{place}: the deployer role {} has no execution role: CloudFormation creates the resources with a role of their own (--execution-role-arn); `stackplan bootstrap` makes both",
            roles.role_arn
        );
        anyhow::ensure!(
            roles.permissions_boundary_arn.is_some(),
            "{place}: the deployer role {} has no permissions boundary: every role a stack creates carries the account's (--permissions-boundary-arn, the bootstrap's PermissionsBoundaryArn output)",
            roles.role_arn
        );
    }
    Ok(())
}

/// On AWS, a role in another account than the server's must ask for an ExternalId (the
/// confused-deputy guard); a server that would assume one without is refused at start.
pub async fn check_cross_account(
    sts: &dyn aws::sts::Sts,
    roles: impl Iterator<Item = (String, &deploy::service::AccountRoles)>,
) -> anyhow::Result<()> {
    let roles: Vec<_> = roles.collect();
    if roles.iter().all(|(_, r)| r.external_id.is_some()) {
        return Ok(());
    }
    let (_, own) = sts
        .caller()
        .await
        .map_err(|e| anyhow::anyhow!("cannot tell which AWS account this server runs as: {e}"))?;
    for (place, r) in roles {
        anyhow::ensure!(
            r.external_id.is_some() || r.account() == Some(own.as_str()),
            "{place}: {} is in another account than this server's: a cross-account deploy role needs an ExternalId (--external-id, or the token's external_id)",
            r.role_arn
        );
        // A role of this account may be one of the operator's own making; the bootstrap's
        // trusts only requests with its ExternalId, so say it before every AssumeRole fails.
        if r.external_id.is_none() {
            tracing::warn!(
                place,
                "a deploy role without an ExternalId: the bootstrap's deployer role refuses every AssumeRole without the ExternalId it was made with (--external-id, or the token's external_id); only a role made otherwise takes none"
            );
        }
    }
    Ok(())
}

/// Origins for CORS and embedding (`flag` names the option): each exactly `scheme://host[:port]`
/// as a browser writes a page's origin, since that is what the browser sends and what is
/// compared with it byte for byte: `*`, paths, and any other spelling (upper case, a default
/// port, a trailing slash) are refused, the latter with the spelling to use.
pub fn check_origins(flag: &str, origins: &[String]) -> Result<(), RefusedFlag> {
    for origin in origins {
        let parsed = url::Url::parse(origin).ok().filter(|u| {
            matches!(u.scheme(), "http" | "https")
                && u.host().is_some()
                && u.username().is_empty()
                && u.password().is_none()
                && u.path() == "/"
                && u.query().is_none()
                && u.fragment().is_none()
        });
        let Some(parsed) = parsed.filter(|_| !origin.contains('*')) else {
            return Err(RefusedFlag(format!(
                "{flag} {origin:?} is not an origin: give each site as scheme://host[:port]{}",
                if origin.contains('*') && flag == "--cors-origin" {
                    " (a wildcard would let any page use the deploy API with a stolen token)"
                } else {
                    ""
                }
            )));
        };
        let written = parsed.origin().ascii_serialization();
        if written != *origin {
            return Err(RefusedFlag(format!(
                "{flag} {origin:?} is not written as browsers write an origin (which is what is compared): give {written:?}"
            )));
        }
    }
    Ok(())
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

/// A flag `serve` refuses as it is written: it exits 2 for it, as for a flag clap cannot parse
/// (1 is for everything else: a port in use, a missing build).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RefusedFlag(pub String);

/// The flags `serve` can judge before it starts anything. The id key's message never
/// repeats it: a mistyped key may still be most of the real one.
fn check_flags(config: &Config) -> Result<(), RefusedFlag> {
    let port = config
        .addr
        .rsplit_once(':')
        .filter(|(host, _)| !host.is_empty())
        .and_then(|(_, port)| port.parse::<u16>().ok());
    if port.is_none() {
        return Err(RefusedFlag(format!(
            "--addr {:?} is not HOST:PORT (e.g. 127.0.0.1:8080)",
            config.addr
        )));
    }
    if let Some(problem) = config
        .aws_endpoint
        .as_deref()
        .and_then(deploy::endpoint_problem)
    {
        return Err(RefusedFlag(format!("--aws-endpoint: {problem}")));
    }
    check_origins("--cors-origin", &config.cors_origins)?;
    check_origins("--embed-origin", &config.embed_origins)?;
    if let Some(key) = &config.id_key {
        deploy::id::IdKey::from_hex(key).map_err(|e| RefusedFlag(format!("--id-key: {e}")))?;
    }
    // The server's lists and its own roles, as `deployer` checks them again.
    let lists = config.bootstrap();
    let problems = lists.problems();
    if !problems.is_empty() {
        return Err(RefusedFlag(format!(
            "--settings-prefix / --hosted-zone-id: {}",
            problems.join("; ")
        )));
    }
    if let Some(roles) = config.roles() {
        let target = match &config.aws_endpoint {
            Some(endpoint) => Target::Sandbox {
                endpoint: endpoint.clone(),
            },
            None => Target::Aws,
        };
        // The lists were checked just above.
        check_roles("--role-arn", &roles, &target, &mut vec![lists])
            .map_err(|e| RefusedFlag(e.to_string()))?;
    }
    Ok(())
}

/// Binds `addr` (port 0 picks a free port), prints the URL and serves until SIGTERM or Ctrl-C.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    check_flags(&config)?;
    routes::assets::check_dist(&config.dist)?;
    let listener = tokio::net::TcpListener::bind(&config.addr)
        .await
        .with_context(|| {
            format!(
                "--addr {}: cannot listen there (give HOST:PORT, e.g. 127.0.0.1:8080)",
                config.addr
            )
        })?;
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
    let tokens = match (&config.tokens_file, std::env::var("STACKPLAN_TOKENS")) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            auth::Tokens::from_file(&text).map_err(anyhow::Error::msg)?
        }
        (None, Ok(list)) if list.split(',').any(|t| !t.trim().is_empty()) => {
            auth::Tokens::from_list(&list).map_err(anyhow::Error::msg)?
        }
        _ => {
            let (tokens, token) = auth::Tokens::generate()?;
            login = Some(token);
            tokens
        }
    };
    if let Some(deployer) = deployer(&config, &clients, &tokens)? {
        if *deployer.target() == Target::Aws {
            check_cross_account(
                clients.sts.as_ref(),
                own_roles(&config, deployer.roles()).chain(tokens.bound_roles()),
            )
            .await?;
        }
        println!(
            "Deploys go to {}.",
            routes::deployments::describe(deployer.target())
        );
        state = state.with_deployer(Arc::new(deployer), tokens);
    } else {
        login = None;
        println!(
            "Deploying is off: start with --aws-endpoint URL (local sandbox) or --role-arn ARN (AWS)."
        );
    }
    let hosts = guard::AllowedHosts::new(&config.allowed_hosts, &config.addr);
    if !hosts.configured().is_empty() {
        println!(
            "Answering for localhost and {} (--allowed-host).",
            hosts.configured().join(", ")
        );
    } else if !local.ip().is_loopback() {
        println!(
            "Answering only for loopback host names: give the name clients use with --allowed-host."
        );
    }
    println!("Stackplan is running at http://{local}/");
    if let Some(token) = login {
        let url = format!("http://{local}/#token={token}");
        match login_url_place(&config) {
            None => println!("To deploy, open the login URL: {url}"),
            Some(path) => {
                write_private(&path, &format!("{url}\n")).map_err(|e| {
                    anyhow::anyhow!(
                        "{e}: the deploy token this server made cannot be given out where no log keeps it; give tokens with STACKPLAN_TOKENS or --tokens-file, or a writable --data-dir"
                    )
                })?;
                println!(
                    "To deploy, open the login URL in {} (readable by this user only; the token is not printed where a log may keep it).",
                    path.display()
                );
            }
        }
    }
    use std::io::Write;
    std::io::stdout().flush()?;
    let limits = http::Limits {
        max_connections: config.max_connections,
        ..http::Limits::default()
    };
    let shutdown = state.shutdown.clone();
    let clean = http::serve(listener, app(state), limits, shutdown, http::stop_signal()).await;
    println!(
        "Stackplan stopped{}.",
        if clean {
            ""
        } else {
            " (some connections were cut off)"
        }
    );
    Ok(())
}

/// Logs to standard error, at `info` unless `RUST_LOG` says otherwise.
pub fn init_logging() {
    init_logging_at("info,aws_config=warn");
}

/// Logging to standard error at `default` (a `RUST_LOG` filter) unless `RUST_LOG` says.
pub fn init_logging_at(default: &str) {
    use tracing_subscriber::{EnvFilter, Layer, layer::SubscriberExt, util::SubscriberInitExt};
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // Colours only for a terminal: a log piped into a file or a CI job's output stays text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .with_filter(tracing_subscriber::filter::filter_fn(quiet_sdk))
        .with_filter(filter);
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// The AWS SDK's own events below a warning are never logged, whatever `RUST_LOG` asks: at
/// debug and trace they carry role ARNs (with the account's id), access key ids and request
/// bodies. Its warnings and errors (a retry, a failed call) are kept.
fn quiet_sdk(meta: &tracing::Metadata<'_>) -> bool {
    !(meta.target().starts_with("aws_") && *meta.level() > tracing::Level::WARN)
}

#[cfg(test)]
mod tests {
    /// The SDK's debug and trace events (role ARNs, key ids) are dropped at any `RUST_LOG`; its
    /// warnings, and the server's own events at every level, are not.
    #[test]
    fn the_sdks_chatter_is_never_logged() {
        use tracing::{Level, Metadata, callsite::Identifier, field::FieldSet, metadata::Kind};
        struct Site;
        impl tracing::Callsite for Site {
            fn set_interest(&self, _: tracing::subscriber::Interest) {}
            fn metadata(&self) -> &Metadata<'_> {
                unreachable!()
            }
        }
        static SITE: Site = Site;
        let meta = |target: &'static str, level: Level| {
            Metadata::new(
                "event",
                target,
                level,
                None,
                None,
                None,
                FieldSet::new(&[], Identifier(&SITE)),
                Kind::EVENT,
            )
        };
        for (target, level, kept) in [
            ("aws_sdk_sts::operation", Level::TRACE, false),
            ("aws_smithy_runtime::client", Level::DEBUG, false),
            ("aws_config::imds", Level::INFO, false),
            ("aws_smithy_runtime::client", Level::WARN, true),
            ("aws_sdk_cloudformation", Level::ERROR, true),
            ("server::deploy", Level::TRACE, true),
            ("tower_http::trace", Level::DEBUG, true),
        ] {
            assert_eq!(
                super::quiet_sdk(&meta(target, level)),
                kept,
                "{target} {level}"
            );
        }
    }

    /// On AWS a deployer role comes with what the bootstrap made beside it; the sandbox needs
    /// neither.
    #[test]
    fn roles_on_aws_need_an_execution_role_and_a_boundary() {
        let full = crate::deploy::service::AccountRoles {
            role_arn: "arn:aws:iam::111122223333:role/stackplan-deployer".into(),
            external_id: Some("x".repeat(32)),
            execution_role_arn: Some("arn:aws:iam::111122223333:role/stackplan-execution".into()),
            permissions_boundary_arn: Some(
                "arn:aws:iam::111122223333:policy/stackplan-boundary".into(),
            ),
            settings_prefixes: vec!["stackplan/".into()],
            hosted_zone_ids: Vec::new(),
        };
        let aws = shared::api::Target::Aws;
        let sandbox = shared::api::Target::Sandbox {
            endpoint: "http://127.0.0.1:5000".into(),
        };
        assert!(super::check_roles("--role-arn", &full, &aws, &mut Vec::new()).is_ok());
        use crate::deploy::service::AccountRoles;
        for (missing, flag) in [
            (
                AccountRoles {
                    execution_role_arn: None,
                    ..full.clone()
                },
                "--execution-role-arn",
            ),
            (
                AccountRoles {
                    permissions_boundary_arn: None,
                    ..full.clone()
                },
                "--permissions-boundary-arn",
            ),
        ] {
            let e = super::check_roles("--role-arn", &missing, &aws, &mut Vec::new())
                .unwrap_err()
                .to_string();
            assert!(e.contains(flag), "{e}");
            assert!(
                super::check_roles("--role-arn", &missing, &sandbox, &mut Vec::new()).is_ok(),
                "{flag}"
            );
        }
    }

    #[test]
    fn cors_origins_are_exact_origins() {
        for good in [
            "https://console.example.com",
            "http://127.0.0.1:8080",
            "https://console.example.com:8443",
            "http://[::1]:3000",
            "http://web_console:3000",
        ] {
            assert!(
                super::check_origins("--cors-origin", &[good.into()]).is_ok(),
                "{good}"
            );
        }
        for bad in [
            "*",
            "https://*.example.com",
            "https://x.example.com/path",
            "console.example.com",
            "https://a.com:99999",
            "ftp://a.com",
            "http://[]",
            "https://user@a.com",
        ] {
            let e = super::check_origins("--embed-origin", &[bad.into()])
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("not an origin") && e.starts_with("--embed-origin"),
                "{bad}: {e}"
            );
        }
        // What the browser would send is compared byte for byte: another spelling never
        // matches, so it is refused with the one to give.
        for (unlike, written) in [
            ("https://Console.example.com", "https://console.example.com"),
            (
                "https://console.example.com:443",
                "https://console.example.com",
            ),
            ("http://127.0.0.1:80", "http://127.0.0.1"),
            (
                "https://console.example.com/",
                "https://console.example.com",
            ),
            ("http://127.000.000.001:3000", "http://127.0.0.1:3000"),
            ("http://[0:0::1]:3000", "http://[::1]:3000"),
            ("https://a.com\n", "https://a.com"),
        ] {
            let e = super::check_origins("--cors-origin", &[unlike.into()])
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("as browsers write an origin") && e.contains(&format!("{written:?}")),
                "{unlike}: {e}"
            );
        }
    }
}

/// Where a generated login URL goes: `None` to standard output, when someone is at a terminal;
/// else a file of the data directory. Under a service manager, in a container, or with its
/// output sent to a file, standard output ends up in a log that others may read, and the token
/// in the URL deploys with every role of the server. A server on loopback is no exception: it
/// is how one runs behind a reverse proxy (`--allowed-host`).
fn login_url_place(config: &Config) -> Option<std::path::PathBuf> {
    use std::io::IsTerminal;
    login_url_file(std::io::stdout().is_terminal(), config.data_dir())
}

fn login_url_file(
    terminal: bool,
    data_dir: Option<std::path::PathBuf>,
) -> Option<std::path::PathBuf> {
    // With no data directory (no `--data-dir`, no HOME), the working directory's.
    (!terminal).then(|| {
        data_dir
            .unwrap_or_else(|| std::path::PathBuf::from("."))
            .join("login-url")
    })
}

/// Writes `text` to `path`, readable and writable by this user alone.
fn write_private(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot make {}: {e}", dir.display()))?;
    }
    let _ = std::fs::remove_file(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod login_url_tests {
    use super::*;

    #[test]
    fn a_login_url_is_printed_only_where_no_log_keeps_it() {
        let dir = std::path::PathBuf::from("/var/lib/stackplan");
        assert_eq!(login_url_file(true, Some(dir.clone())), None);
        assert_eq!(
            login_url_file(false, Some(dir.clone())),
            Some(dir.join("login-url"))
        );
        assert_eq!(
            login_url_file(false, None),
            Some(std::path::PathBuf::from("./login-url"))
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_login_url_file_is_the_users_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep").join("login-url");
        write_private(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        // Written again: a new file, not the old one's permissions.
        write_private(&path, "http://x/#token=abc\n").unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "http://x/#token=abc\n"
        );
    }
}
