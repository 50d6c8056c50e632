//! How `stackplan serve` runs: its command-line flags (and their environment variables) are
//! this struct's fields.

use std::path::PathBuf;
use std::time::Duration;

/// What an account's bootstrap lets plans name: `stackplan bootstrap` bakes it into the roles,
/// and `serve` and `deploy-status` check plans against it. One set of flags for all three.
#[derive(Clone, Debug, clap::Args)]
pub struct ReachArgs {
    /// Existing secrets and SecureString parameters whose names start with this may be named
    /// by plans (a secret `PREFIX…`, a parameter `/PREFIX…`); repeat for more.
    #[arg(
        long = "settings-prefix",
        env = "STACKPLAN_SETTINGS_PREFIXES",
        value_delimiter = ',',
        default_value = shared::reach::DEFAULT_SETTINGS_PREFIX,
        conflicts_with = "no_settings_prefix"
    )]
    pub settings_prefixes: Vec<String>,
    /// Plans may name no existing secret or parameter (only the ones their stacks make).
    #[arg(long)]
    pub no_settings_prefix: bool,
    /// A Route 53 hosted zone plans may write their records (and certificate validations) in;
    /// repeat for more. Without one, plans with a domain cannot deploy.
    #[arg(
        long = "hosted-zone-id",
        env = "STACKPLAN_HOSTED_ZONE_IDS",
        value_delimiter = ','
    )]
    pub hosted_zone_ids: Vec<String>,
}

impl Default for ReachArgs {
    /// The flags' defaults, without reading the environment.
    fn default() -> Self {
        ReachArgs {
            settings_prefixes: vec![shared::reach::DEFAULT_SETTINGS_PREFIX.into()],
            no_settings_prefix: false,
            hosted_zone_ids: Vec::new(),
        }
    }
}

impl ReachArgs {
    /// The bootstrap options these flags say.
    pub fn options(&self) -> crate::bootstrap::Options {
        crate::bootstrap::Options {
            settings_prefixes: if self.no_settings_prefix {
                Vec::new()
            } else {
                self.settings_prefixes.clone()
            },
            hosted_zone_ids: self.hosted_zone_ids.clone(),
        }
    }
}

/// `stackplan serve`'s configuration.
#[derive(Clone, Debug, clap::Args)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// The planner's Trunk build.
    #[arg(long, default_value = "dist")]
    pub dist: PathBuf,
    /// Deploy into the local sandbox (moto) at this URL instead of AWS.
    #[arg(long, env = "STACKPLAN_AWS_ENDPOINT")]
    pub aws_endpoint: Option<String>,
    /// The deployer role deploys assume (arn:aws:iam::ACCOUNT:role/NAME; `stackplan bootstrap`
    /// makes it).
    #[arg(long, env = "STACKPLAN_ROLE_ARN", hide_env_values = true)]
    pub role_arn: Option<String>,
    /// The ExternalId the deployer role's trust policy requires.
    #[arg(long, env = "STACKPLAN_EXTERNAL_ID", hide_env_values = true)]
    pub external_id: Option<String>,
    /// The execution role CloudFormation creates the resources with (`stackplan bootstrap`
    /// makes it).
    #[arg(long, env = "STACKPLAN_EXECUTION_ROLE_ARN", hide_env_values = true)]
    pub execution_role_arn: Option<String>,
    /// The permissions boundary every IAM role a stack creates carries.
    #[arg(
        long,
        env = "STACKPLAN_PERMISSIONS_BOUNDARY_ARN",
        hide_env_values = true
    )]
    pub permissions_boundary_arn: Option<String>,
    /// What the account's bootstrap allows plans to name.
    #[command(flatten)]
    pub reach: ReachArgs,
    /// A JSON file binding each deploy token to the roles it may use, and optionally to the
    /// tenant (`owner`) whose stacks it acts on (see the README).
    #[arg(long, env = "STACKPLAN_TOKENS_FILE")]
    pub tokens_file: Option<PathBuf>,
    /// The key deployment ids are sealed with (AES-256-GCM: encrypted and authenticated) and
    /// the proof tag of each stack the server makes is signed with (HMAC-SHA-256), 64 hex
    /// digits (default: made once and kept in the data directory). Replicas share it; a stack
    /// made under another key is not acted on.
    #[arg(long, env = "STACKPLAN_ID_KEY", hide_env_values = true)]
    pub id_key: Option<String>,
    /// Lifetime of the assumed credentials, 900-3600 seconds; refreshed during long deploys.
    #[arg(long, default_value_t = 900, value_parser = clap::value_parser!(i32).range(900..=3600))]
    pub session_seconds: i32,
    /// An origin allowed to call the API from another site (CORS); repeat for more.
    #[arg(long = "cors-origin")]
    pub cors_origins: Vec<String>,
    /// A site allowed to embed the planner in a frame (scheme://host[:port]); repeat for more.
    /// Only these may frame it, and only these get its `?host=` events.
    #[arg(long = "embed-origin")]
    pub embed_origins: Vec<String>,
    /// A host name (or name:port) this server answers for besides the loopback names, e.g.
    /// the name of a proxy in front of it; repeat for more. Others get 421 (DNS rebinding guard).
    #[arg(
        long = "allowed-host",
        env = "STACKPLAN_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
    /// Connections served at once; more wait.
    #[arg(long, default_value_t = 1024)]
    pub max_connections: usize,
    /// Deploy event streams one token may hold open at once.
    #[arg(long, default_value_t = 64, value_parser = at_least_one)]
    pub max_streams_per_token: usize,
    /// Requests that change a stack (deploy, execute, delete, continue a rollback) one token
    /// may have answered at once; more are asked to retry. Each holds AWS calls of the token's
    /// roles, so one token cannot crowd the others out of the server or its accounts' API limits.
    #[arg(long, default_value_t = 8, value_parser = at_least_one)]
    pub max_changes_per_token: usize,
    /// Code uploads (up to 50 MB each, held in memory while checked) received at once; more
    /// are asked to retry.
    #[arg(long, default_value_t = 4, value_parser = at_least_one)]
    pub max_uploads: usize,
    /// Where the server keeps its state: fetched live price books, the deployment-id key and the
    /// login URL of the token it made (default: ~/.cache/stackplan).
    #[arg(long, env = "STACKPLAN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Hours a fetched price book is used before it is fetched again, 1-8760 (at least 1: with
    /// none, every page's price request would fetch the whole book again; at most a year).
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u64).range(1..=8760))]
    pub prices_ttl_hours: u64,
    /// Never call the AWS Price List API: estimates use the embedded price book.
    #[arg(long)]
    pub offline_prices: bool,
    /// Use the prices of this book file (from `stackplan prices refresh --out FILE`).
    #[arg(long, conflicts_with = "offline_prices")]
    pub price_book: Option<PathBuf>,
}

impl Default for Config {
    /// The command line's defaults, without reading the environment.
    fn default() -> Self {
        Config {
            addr: "127.0.0.1:8080".into(),
            dist: PathBuf::from("dist"),
            aws_endpoint: None,
            role_arn: None,
            external_id: None,
            execution_role_arn: None,
            permissions_boundary_arn: None,
            reach: ReachArgs::default(),
            tokens_file: None,
            id_key: None,
            session_seconds: 900,
            cors_origins: Vec::new(),
            embed_origins: Vec::new(),
            allowed_hosts: Vec::new(),
            max_connections: 1024,
            max_streams_per_token: 64,
            max_changes_per_token: 8,
            max_uploads: 4,
            data_dir: None,
            prices_ttl_hours: 24,
            offline_prices: false,
            price_book: None,
        }
    }
}

impl Config {
    /// How long a fetched price book is used.
    pub fn prices_ttl(&self) -> Duration {
        Duration::from_secs(self.prices_ttl_hours.saturating_mul(3600))
    }

    /// Where price books are cached: `--data-dir`, else `~/.cache/stackplan`.
    pub fn data_dir(&self) -> Option<PathBuf> {
        self.data_dir.clone().or_else(default_data_dir)
    }

    /// What the account's bootstrap allows, from `--settings-prefix` and `--hosted-zone-id`.
    pub fn bootstrap(&self) -> crate::bootstrap::Options {
        self.reach.options()
    }

    /// The roles of `--role-arn` and the flags that go with it.
    pub fn roles(&self) -> Option<crate::deploy::service::AccountRoles> {
        let bootstrap = self.bootstrap();
        self.role_arn
            .as_ref()
            .map(|role_arn| crate::deploy::service::AccountRoles {
                role_arn: role_arn.clone(),
                external_id: self.external_id.clone(),
                execution_role_arn: self.execution_role_arn.clone(),
                permissions_boundary_arn: self.permissions_boundary_arn.clone(),
                settings_prefixes: bootstrap.settings_prefixes,
                hosted_zone_ids: bootstrap.hosted_zone_ids,
            })
    }

    /// The AWS clients' settings: the sandbox's endpoint, if any.
    pub fn aws(&self) -> crate::aws::Settings {
        crate::aws::Settings {
            endpoint: self.aws_endpoint.clone(),
            ..crate::aws::Settings::default()
        }
    }
}

/// A count of at least 1.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// The data directory when none is given: `~/.cache/stackplan` (none without a `HOME`).
pub fn default_data_dir() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("stackplan"))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    #[derive(clap::Parser)]
    struct Serve {
        #[command(flatten)]
        config: super::Config,
    }

    /// A limit of 0 would refuse everything it limits (every event stream a 429): refused as
    /// written, at start.
    #[test]
    fn limits_of_zero_are_refused() {
        for flag in [
            "--max-streams-per-token",
            "--max-changes-per-token",
            "--max-uploads",
        ] {
            let refused = Serve::try_parse_from(["serve", flag, "0"]).err();
            assert!(
                refused.is_some_and(|e| e.to_string().contains("must be at least 1")),
                "{flag}"
            );
            assert!(
                Serve::try_parse_from(["serve", flag, "1"]).is_ok(),
                "{flag}"
            );
        }
    }
}
