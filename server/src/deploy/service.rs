//! The deploy service: turns API requests into STS and CloudFormation calls, and shares one
//! CloudFormation poller per stack among everyone watching it. Its parts: `credentials.rs`
//! (which role, assumed when), `operations.rs` (create, execute, status, delete), `poller.rs`
//! (the stream's one reader per stack) and `errors.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use std::time::Duration;

use shared::api::{Notice, Status, Target};

use crate::aws::Backoff;
use crate::aws::cloudformation::{CloudFormation, StackEvent};
use crate::aws::ecr::Ecr;
use crate::aws::s3::CodeStore;
use crate::aws::stores::Stores;
use crate::aws::sts::Sts;

/// The roles of one AWS account, as `stackplan bootstrap` makes them: the deployer role the
/// server assumes (with the ExternalId its trust policy asks for), the execution role
/// CloudFormation creates the resources with, and the permissions boundary every role a stack
/// creates must carry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountRoles {
    pub role_arn: String,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub execution_role_arn: Option<String>,
    #[serde(default)]
    pub permissions_boundary_arn: Option<String>,
    /// Names of existing secrets and parameters the account's bootstrap lets stacks read.
    #[serde(default = "default_settings_prefixes")]
    pub settings_prefixes: Vec<String>,
    /// Hosted zones the account's bootstrap lets stacks write records in.
    #[serde(default)]
    pub hosted_zone_ids: Vec<String>,
}

fn default_settings_prefixes() -> Vec<String> {
    vec![shared::reach::DEFAULT_SETTINGS_PREFIX.into()]
}

impl AccountRoles {
    /// The account the roles are in.
    pub fn account(&self) -> Option<&str> {
        super::role_account(&self.role_arn)
    }

    /// What plans deployed with these roles may use outside their stacks. The sandbox has no
    /// bootstrap and makes zones on the fly, so there any zone is allowed; the settings
    /// prefixes hold there as on AWS, so a plan that deploys in the sandbox deploys on AWS.
    pub fn reach(&self, target: &Target) -> shared::reach::Reach {
        shared::reach::Reach {
            account: self.account().map(String::from),
            settings_prefixes: self.settings_prefixes.clone(),
            hosted_zones: match target {
                Target::Sandbox { .. } => shared::reach::Zones::Any,
                Target::Aws => shared::reach::Zones::Only(self.hosted_zone_ids.clone()),
            },
        }
    }
}

/// How deployments are made.
#[derive(Clone, Debug)]
pub struct DeployConfig {
    pub target: Target,
    /// The key deployment ids are signed with.
    pub id_key: super::id::IdKey,
    /// The roles deploys use, one entry per account (a token may be limited to some of them).
    pub roles: Vec<AccountRoles>,
    /// DurationSeconds of AssumeRole, 900–3600.
    pub session_seconds: i32,
    /// Credentials are assumed again when they have less than this left.
    pub refresh_margin: Duration,
    pub backoff: Backoff,
    /// Stacks followed at once (each by one poller, however many watch it).
    pub max_pollers: usize,
}

impl DeployConfig {
    pub fn new(target: Target, id_key: super::id::IdKey) -> Self {
        DeployConfig {
            target,
            id_key,
            roles: Vec::new(),
            session_seconds: 900,
            refresh_margin: Duration::from_secs(300),
            backoff: Backoff::default(),
            max_pollers: 256,
        }
    }
}

/// What the poller of a stack knows, shared with its watchers.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// The events of the current operation, oldest first.
    pub events: Arc<Vec<StackEvent>>,
    pub status: Option<Status>,
    pub notice: Option<Notice>,
    /// The poller gave up (the stack vanished, or AWS kept failing).
    pub error: Option<String>,
    pub done: bool,
}

/// The deploy service.
pub struct Deployer {
    pub(super) config: DeployConfig,
    pub(super) sts: Arc<dyn Sts>,
    pub(super) cfn: Arc<dyn CloudFormation>,
    pub(super) ecr: Arc<dyn Ecr>,
    pub(super) stores: Arc<dyn Stores>,
    pub(super) code: Arc<dyn CodeStore>,
    pub(super) credentials: Mutex<super::credentials::Cache>,
    pub(super) pollers: Mutex<HashMap<String, super::poller::Polled>>,
    /// How many changes each executed change set made, by ARN (see `change_count`).
    pub(super) change_counts: Mutex<HashMap<String, usize>>,
    /// The principal this server runs as, once STS has said (it does not change).
    caller: tokio::sync::OnceCell<String>,
}

impl Deployer {
    pub fn new(
        config: DeployConfig,
        sts: Arc<dyn Sts>,
        cfn: Arc<dyn CloudFormation>,
        ecr: Arc<dyn Ecr>,
        stores: Arc<dyn Stores>,
        code: Arc<dyn CodeStore>,
    ) -> Self {
        Deployer {
            config,
            sts,
            cfn,
            ecr,
            stores,
            code,
            credentials: Mutex::default(),
            pollers: Mutex::default(),
            change_counts: Mutex::default(),
            caller: tokio::sync::OnceCell::new(),
        }
    }

    pub fn target(&self) -> &Target {
        &self.config.target
    }

    /// The principal the server runs as, if STS says (for the bootstrap's trust policy).
    /// Asked of STS once: a page asking for the bootstrap again costs nothing (a failure is
    /// asked again next time).
    pub async fn caller(&self) -> Option<String> {
        self.caller
            .get_or_try_init(|| async {
                self.sts.caller().await.map(|(arn, _)| arn).map_err(|e| {
                    tracing::warn!("cannot tell which principal this server runs as: {e}");
                })
            })
            .await
            .ok()
            .cloned()
    }

    /// The roles tokens without roles of their own deploy with.
    pub fn roles(&self) -> &[AccountRoles] {
        &self.config.roles
    }
}
