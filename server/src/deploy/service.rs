//! The deploy service: turns API requests into STS and CloudFormation calls, and shares one
//! CloudFormation poller per stack among everyone watching it. Its parts: `credentials.rs`
//! (which role, assumed when), `operations.rs` (create, execute, status, delete), `poller.rs`
//! (the stream's one reader per stack) and `errors.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use shared::api::{Notice, Status, Target};
use tokio::sync::watch;

use crate::aws::Backoff;
use crate::aws::cloudformation::{CloudFormation, StackEvent};
use crate::aws::sts::{Sts, TempCredentials};

/// How deployments are made.
#[derive(Clone, Debug)]
pub struct DeployConfig {
    pub target: Target,
    pub role_arn: Option<String>,
    pub role_allowlist: Vec<String>,
    pub external_id: Option<String>,
    /// DurationSeconds of AssumeRole, 900–3600.
    pub session_seconds: i32,
    /// Credentials are assumed again when they have less than this left.
    pub refresh_margin: Duration,
    pub backoff: Backoff,
}

impl DeployConfig {
    pub fn new(target: Target) -> Self {
        DeployConfig {
            target,
            role_arn: None,
            role_allowlist: Vec::new(),
            external_id: None,
            session_seconds: 900,
            refresh_margin: Duration::from_secs(300),
            backoff: Backoff::default(),
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
    pub(super) credentials: Mutex<HashMap<(String, String), TempCredentials>>,
    pub(super) pollers: Mutex<HashMap<String, watch::Sender<Snapshot>>>,
}

impl Deployer {
    pub fn new(config: DeployConfig, sts: Arc<dyn Sts>, cfn: Arc<dyn CloudFormation>) -> Self {
        Deployer {
            config,
            sts,
            cfn,
            credentials: Mutex::default(),
            pollers: Mutex::default(),
        }
    }

    pub fn target(&self) -> &Target {
        &self.config.target
    }
}
