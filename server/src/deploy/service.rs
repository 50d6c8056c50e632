//! The deploy service: turns API requests into STS and CloudFormation calls, and shares one
//! CloudFormation poller per stack among everyone watching it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde::Serialize;
use shared::plan::Plan;
use shared::template;
use shared::validate::{Problem, ValidPlan};
use tokio::sync::watch;

use super::progress::{self, Failure, Progress};
use super::sandbox::{self, SandboxReport};
use super::{DeploymentId, RoleError, StackArn};
use crate::aws::AwsError;
use crate::aws::cloudformation::{
    ChangeSetInfo, CloudFormation, NewChangeSet, Output, Session, StackEvent, StackInfo,
};
use crate::aws::sts::{AssumeRequest, Sts, TempCredentials};

/// Where deployments go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// The local sandbox (moto) at this endpoint.
    Sandbox { endpoint: String },
    /// Real AWS, with the credentials of the server's environment.
    Aws,
}

/// Waits between retries and polls.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    /// First wait after a throttled call, and the fastest poll.
    pub base: Duration,
    /// Longest wait.
    pub max: Duration,
    /// Calls tried before a throttled request gives up.
    pub attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_secs(1),
            max: Duration::from_secs(10),
            attempts: 5,
        }
    }
}

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

/// Everything a deploy request can fail with, each mapped to an HTTP status by the routes.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("the plan is not valid JSON of a plan: {0}")]
    PlanSyntax(String),
    #[error("the plan has {} problem(s)", .0.len())]
    InvalidPlan(Vec<Problem>),
    #[error(
        "the template sent differs from the one Stackplan generates for this plan; only generated templates are deployed"
    )]
    TemplateMismatch,
    #[error("{0}")]
    StackName(String),
    #[error(transparent)]
    Role(#[from] RoleError),
    #[error("the local sandbox cannot deploy this plan: {}", .0.join("; "))]
    SandboxUnsupported(Vec<String>),
    #[error(
        "a stack named {name} already exists in {region} ({status}); deploy with \"update\": true to see its changes and update it"
    )]
    StackExists {
        name: String,
        region: String,
        status: String,
    },
    #[error("the stack {name} is {status} and cannot be updated; delete it first")]
    NotUpdatable { name: String, status: String },
    #[error("the stack {name} is busy ({status}); wait until it settles")]
    Busy { name: String, status: String },
    #[error("the stack already matches this plan: there is nothing to change")]
    NoChanges,
    #[error("CloudFormation could not prepare the change set: {0}")]
    ChangeSetFailed(String),
    #[error("the stack has no change set waiting to be executed")]
    NoChangeSet,
    #[error("no deployment {0}")]
    UnknownDeployment(String),
    #[error(transparent)]
    Aws(#[from] AwsError),
}

/// `POST /api/deployments`.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    pub plan: serde_json::Value,
    pub stack_name: String,
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub role_arn: Option<String>,
    /// Update the stack if it exists (otherwise an existing stack is a 409).
    #[serde(default)]
    pub update: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChangeSetView {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub status: String,
    pub changes: Vec<crate::aws::cloudformation::Change>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Created {
    pub id: DeploymentId,
    pub stack_name: String,
    pub region: String,
    pub status: String,
    pub change_set: ChangeSetView,
    /// The template's resource count: the progress bar's 100%.
    pub resources: usize,
    /// What the sandbox will skip (empty on AWS).
    pub sandbox: SandboxReport,
}

/// `GET /api/deployments/{id}` and the final event of the stream.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    pub id: DeploymentId,
    pub stack_name: String,
    pub region: String,
    pub status: String,
    pub reason: Option<String>,
    pub done: bool,
    pub succeeded: bool,
    pub outputs: Vec<Output>,
    pub failure: Option<Failure>,
    pub progress: Progress,
}

/// Something the watchers should know that is not a stack event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub kind: &'static str,
    pub message: String,
    pub retry_in_ms: u64,
    /// Increases with every notice, so watchers can tell a new one from the last.
    pub seq: u64,
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

type Log = Arc<dyn Fn(String) + Send + Sync>;

/// The deploy service.
pub struct Deployer {
    config: DeployConfig,
    sts: Arc<dyn Sts>,
    cfn: Arc<dyn CloudFormation>,
    log: Log,
    credentials: Mutex<HashMap<(String, String), TempCredentials>>,
    pollers: Mutex<HashMap<String, watch::Sender<Snapshot>>>,
}

impl Deployer {
    pub fn new(config: DeployConfig, sts: Arc<dyn Sts>, cfn: Arc<dyn CloudFormation>) -> Self {
        Deployer {
            config,
            sts,
            cfn,
            log: Arc::new(|line| eprintln!("{line}")),
            credentials: Mutex::default(),
            pollers: Mutex::default(),
        }
    }

    /// Sends the server's log lines somewhere else (tests read them).
    pub fn with_log(mut self, log: impl Fn(String) + Send + Sync + 'static) -> Self {
        self.log = Arc::new(log);
        self
    }

    pub fn target(&self) -> &Target {
        &self.config.target
    }

    fn log(&self, line: String) {
        (self.log)(format!("stackplan deploy: {line}"));
    }

    /// Retries a call while AWS throttles it, waiting longer each time; `wait` hears each wait.
    async fn retry<T>(
        &self,
        mut call: impl FnMut() -> BoxFuture<'static, Result<T, AwsError>>,
        wait: &(dyn Fn(Duration, &str) + Send + Sync),
    ) -> Result<T, AwsError> {
        let b = self.config.backoff;
        let mut delay = b.base;
        for attempt in 1.. {
            match call().await {
                Err(AwsError::Throttled(message)) if attempt < b.attempts => {
                    wait(delay, &message);
                    self.log(format!(
                        "throttled ({message}); waiting {} ms",
                        delay.as_millis()
                    ));
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(b.max);
                }
                other => return other,
            }
        }
        unreachable!("the loop returns")
    }

    /// Short-lived credentials for a role and deployment, assumed again shortly before they expire.
    async fn session(
        &self,
        role: &str,
        stack_name: &str,
        region: &str,
        resource_types: Option<Vec<String>>,
    ) -> Result<Session, DeployError> {
        let key = (role.to_string(), stack_name.to_string());
        let cached = self.credentials.lock().expect("lock").get(&key).cloned();
        let credentials = match cached {
            Some(c) if c.fresh_for(self.config.refresh_margin) => c,
            _ => {
                let types = resource_types.unwrap_or_else(all_stackplan_types);
                let policy = super::session_policy(types.iter().map(String::as_str))
                    .map_err(DeployError::ChangeSetFailed)?;
                let request = AssumeRequest {
                    role_arn: role.to_string(),
                    external_id: self.config.external_id.clone(),
                    session_name: super::session_name(stack_name),
                    duration_seconds: self.config.session_seconds.clamp(900, 3600),
                    session_policy: policy,
                };
                let sts = self.sts.clone();
                let c = self
                    .retry(
                        || {
                            let (sts, r) = (sts.clone(), request.clone());
                            Box::pin(async move { sts.assume_role(r).await })
                        },
                        &|_, _| {},
                    )
                    .await?;
                self.log(format!(
                    "assumed {role} as session {} until {}",
                    request.session_name,
                    humantime(c.expires)
                ));
                self.credentials
                    .lock()
                    .expect("lock")
                    .insert(key, c.clone());
                c
            }
        };
        Ok(Session {
            region: region.to_string(),
            credentials,
        })
    }

    fn role_for(&self, requested: Option<&str>) -> Result<String, DeployError> {
        Ok(super::choose_role(
            requested,
            self.config.role_arn.as_deref(),
            &self.config.role_allowlist,
        )?
        .to_string())
    }

    /// The role to act on an existing stack with: the configured one, or the allowlisted one of
    /// the stack's account. Nothing about the deployment is remembered between requests.
    fn role_for_stack(&self, arn: &StackArn) -> Result<String, DeployError> {
        let candidates = self
            .config
            .role_arn
            .iter()
            .chain(&self.config.role_allowlist);
        let same_account = candidates
            .clone()
            .find(|r| super::role_account(r) == Some(arn.account.as_str()));
        same_account
            .or(candidates.clone().next())
            .cloned()
            .ok_or(DeployError::Role(RoleError::NoneConfigured))
    }

    /// `POST /api/deployments`: checks the plan, assumes the role, creates the change set.
    pub async fn create(&self, request: CreateRequest) -> Result<Created, DeployError> {
        super::valid_stack_name(&request.stack_name).map_err(DeployError::StackName)?;
        let plan_text = request.plan.to_string();
        let plan =
            Plan::from_json(&plan_text).map_err(|e| DeployError::PlanSyntax(e.to_string()))?;
        let valid = ValidPlan::new(plan).map_err(DeployError::InvalidPlan)?;
        let template = template::generate(&valid);
        let body = template.to_json();
        if let Some(sent) = &request.template
            && *sent != body
            && *sent != template.to_yaml()
        {
            return Err(DeployError::TemplateMismatch);
        }
        let report = match self.config.target {
            Target::Sandbox { .. } => sandbox::check(&template),
            Target::Aws => SandboxReport::default(),
        };
        if !report.blockers.is_empty() {
            return Err(DeployError::SandboxUnsupported(report.blockers));
        }
        let role = self.role_for(request.role_arn.as_deref())?;
        let region = valid.plan().region.code().to_string();
        let name = request.stack_name.clone();
        let types: Vec<String> = template
            .resource_types()
            .map(|(_, t)| t.to_string())
            .collect();
        let session = self.session(&role, &name, &region, Some(types)).await?;

        let existing = self
            .call(&session, |cfn, s| {
                let n = name.clone();
                Box::pin(async move { cfn.stack(&s, &n).await })
            })
            .await?;
        let update = match &existing {
            None => false,
            Some(st) if st.status == "REVIEW_IN_PROGRESS" => false,
            Some(st) if !progress::is_terminal(&st.status) => {
                return Err(DeployError::Busy {
                    name,
                    status: st.status.clone(),
                });
            }
            Some(st)
                if matches!(
                    st.status.as_str(),
                    "ROLLBACK_COMPLETE" | "ROLLBACK_FAILED" | "CREATE_FAILED" | "DELETE_FAILED"
                ) =>
            {
                return Err(DeployError::NotUpdatable {
                    name,
                    status: st.status.clone(),
                });
            }
            Some(st) if !request.update => {
                return Err(DeployError::StackExists {
                    name,
                    region,
                    status: st.status.clone(),
                });
            }
            Some(_) => true,
        };

        let change_set_name = super::change_set_name(&name, &body, &role);
        let new = NewChangeSet {
            stack_name: name.clone(),
            change_set_name: change_set_name.clone(),
            template_body: body,
            update,
            client_token: change_set_name.clone(),
            tags: template::stack_tags(valid.plan())
                .into_iter()
                .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string()))
                .collect(),
        };
        let created = self
            .call(&session, |cfn, s| {
                let n = new.clone();
                Box::pin(async move { cfn.create_change_set(&s, n).await })
            })
            .await;
        let change_set_ref = match created {
            Ok((id, _stack)) => id,
            // The same request again: its change set already exists, so answer with that one.
            Err(AwsError::AlreadyExists(_)) if existing.is_some() => change_set_name.clone(),
            Err(e) => return Err(e.into()),
        };
        self.log(format!(
            "change set {change_set_name} for stack {name} in {region} ({})",
            if update { "update" } else { "create" }
        ));
        let info = self
            .settled_change_set(&session, &name, &change_set_ref)
            .await?;
        let stack = self
            .call(&session, |cfn, s| {
                let n = name.clone();
                Box::pin(async move { cfn.stack(&s, &n).await })
            })
            .await?
            .ok_or_else(|| {
                AwsError::NotFound(format!(
                    "stack {name} vanished after its change set was made"
                ))
            })?;
        let arn = StackArn::parse(&stack.id)
            .ok_or_else(|| AwsError::Other(format!("unexpected stack id {}", stack.id)))?;
        Ok(Created {
            id: arn.id(),
            stack_name: name,
            region,
            status: stack.status,
            change_set: ChangeSetView {
                id: info.id,
                kind: if update { "UPDATE" } else { "CREATE" },
                status: info.status,
                changes: info.changes,
            },
            resources: template.resources().len(),
            sandbox: report,
        })
    }

    /// Waits until CloudFormation has computed a change set.
    async fn settled_change_set(
        &self,
        session: &Session,
        stack: &str,
        change_set: &str,
    ) -> Result<ChangeSetInfo, DeployError> {
        let mut delay = self.config.backoff.base / 2;
        for _ in 0..60 {
            let info = self
                .call(session, |cfn, s| {
                    let (st, cs) = (stack.to_string(), change_set.to_string());
                    Box::pin(async move { cfn.change_set(&s, &st, &cs).await })
                })
                .await?;
            match info.status.as_str() {
                "CREATE_PENDING" | "CREATE_IN_PROGRESS" => {}
                "FAILED" => {
                    let reason = info.reason.unwrap_or_else(|| "no reason given".into());
                    return Err(
                        if reason.contains("didn't contain changes")
                            || reason.contains("No updates")
                        {
                            DeployError::NoChanges
                        } else {
                            DeployError::ChangeSetFailed(reason)
                        },
                    );
                }
                _ => return Ok(info),
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(self.config.backoff.max);
        }
        Err(DeployError::ChangeSetFailed(
            "CloudFormation took too long to compute the change set".into(),
        ))
    }

    /// One CloudFormation call with throttling retries.
    async fn call<T: Send + 'static>(
        &self,
        session: &Session,
        f: impl Fn(Arc<dyn CloudFormation>, Session) -> BoxFuture<'static, Result<T, AwsError>>,
    ) -> Result<T, AwsError> {
        self.call_with(session, &|_, _| {}, f).await
    }

    /// [`Deployer::call`], telling `wait` about each throttling wait.
    async fn call_with<T: Send + 'static>(
        &self,
        session: &Session,
        wait: &(dyn Fn(Duration, &str) + Send + Sync),
        f: impl Fn(Arc<dyn CloudFormation>, Session) -> BoxFuture<'static, Result<T, AwsError>>,
    ) -> Result<T, AwsError> {
        self.retry(|| f(self.cfn.clone(), session.clone()), wait)
            .await
    }

    async fn session_for(&self, arn: &StackArn) -> Result<Session, DeployError> {
        let role = self.role_for_stack(arn)?;
        self.session(&role, &arn.name, &arn.region, None).await
    }

    fn decode(id: &str) -> Result<StackArn, DeployError> {
        DeploymentId::decode(id)
            .ok_or_else(|| DeployError::UnknownDeployment(id.chars().take(80).collect()))
    }

    /// `POST /api/deployments/{id}/execute`: runs the given change set, or the stack's newest
    /// one that is ready.
    pub async fn execute(
        &self,
        id: &str,
        change_set: Option<String>,
    ) -> Result<Status, DeployError> {
        let arn = Self::decode(id)?;
        let session = self.session_for(&arn).await?;
        let change_set = match change_set {
            Some(cs) => cs,
            None => {
                let stack = arn.arn.clone();
                self.call(&session, move |cfn, s| {
                    let st = stack.clone();
                    Box::pin(async move { cfn.latest_change_set(&s, &st).await })
                })
                .await?
                .ok_or(DeployError::NoChangeSet)?
            }
        };
        let token = format!("stackplan-exec-{}", super::digest(&[&change_set]));
        let (stack, cs) = (arn.arn.clone(), change_set.clone());
        self.call(&session, move |cfn, s| {
            let (st, cs, t) = (stack.clone(), cs.clone(), token.clone());
            Box::pin(async move { cfn.execute_change_set(&s, &st, &cs, &t).await })
        })
        .await?;
        self.log(format!("executing change set {change_set} on {}", arn.name));
        self.status_of(&arn, &session).await
    }

    /// `GET /api/deployments/{id}`.
    pub async fn status(&self, id: &str) -> Result<Status, DeployError> {
        let arn = Self::decode(id)?;
        let session = self.session_for(&arn).await?;
        self.status_of(&arn, &session).await
    }

    async fn status_of(&self, arn: &StackArn, session: &Session) -> Result<Status, DeployError> {
        let (events, stack, total) = self.read_stack(arn, session, &|_, _| {}).await?;
        Ok(status_from(
            arn,
            &stack,
            progress::current_operation(&events),
            total,
        ))
    }

    /// Stack, events and resource count, each call retried while throttled.
    async fn read_stack(
        &self,
        arn: &StackArn,
        session: &Session,
        wait: &(dyn Fn(Duration, &str) + Send + Sync),
    ) -> Result<(Vec<StackEvent>, StackInfo, usize), DeployError> {
        let id = arn.arn.clone();
        let stack = self
            .call_with(session, wait, |cfn, s| {
                let id = id.clone();
                Box::pin(async move { cfn.stack(&s, &id).await })
            })
            .await?
            .ok_or_else(|| DeployError::UnknownDeployment(arn.name.clone()))?;
        let events = self
            .call_with(session, wait, |cfn, s| {
                let id = id.clone();
                Box::pin(async move { cfn.events(&s, &id).await })
            })
            .await?;
        let total = self
            .call_with(session, wait, |cfn, s| {
                let id = id.clone();
                Box::pin(async move { cfn.resource_count(&s, &id).await })
            })
            .await?;
        Ok((events, stack, total))
    }

    /// `DELETE /api/deployments/{id}`.
    pub async fn delete(&self, id: &str) -> Result<Status, DeployError> {
        let arn = Self::decode(id)?;
        let session = self.session_for(&arn).await?;
        let token = format!("stackplan-delete-{}", super::digest(&[&arn.arn]));
        let stack = arn.arn.clone();
        self.call(&session, move |cfn, s| {
            let (st, t) = (stack.clone(), token.clone());
            Box::pin(async move { cfn.delete_stack(&s, &st, &t).await })
        })
        .await?;
        self.log(format!("deleting stack {}", arn.name));
        self.status_of(&arn, &session).await
    }

    /// Subscribes to the stack's poller, starting one if nobody watches the stack yet.
    pub fn watch(self: &Arc<Self>, id: &str) -> Result<watch::Receiver<Snapshot>, DeployError> {
        let arn = Self::decode(id)?;
        let mut pollers = self.pollers.lock().expect("lock");
        if let Some(sender) = pollers.get(&arn.arn) {
            return Ok(sender.subscribe());
        }
        let (sender, receiver) = watch::channel(Snapshot::default());
        pollers.insert(arn.arn.clone(), sender.clone());
        let me = self.clone();
        tokio::spawn(async move { me.poll(arn, sender).await });
        Ok(receiver)
    }

    /// Number of stacks being polled (one per stack, however many watch it).
    pub fn pollers(&self) -> usize {
        self.pollers.lock().expect("lock").len()
    }

    /// The one poller of a stack: reads it with backoff until it settles or nobody watches.
    async fn poll(&self, arn: StackArn, sender: watch::Sender<Snapshot>) {
        let b = self.config.backoff;
        let mut delay = b.base;
        let mut failures = 0;
        let seq = std::sync::atomic::AtomicU64::new(0);
        loop {
            let notify = |wait: Duration, message: &str| {
                let n = seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                sender.send_modify(|snap| {
                    snap.notice = Some(Notice {
                        kind: "throttled",
                        message: format!(
                            "AWS is throttling requests ({message}); retrying in {:.1} s",
                            wait.as_secs_f64()
                        ),
                        retry_in_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        seq: n,
                    });
                });
            };
            let read = match self.session_for(&arn).await {
                Ok(session) => self.read_stack(&arn, &session, &notify).await,
                Err(e) => Err(e),
            };
            match read {
                Ok((events, stack, total)) => {
                    failures = 0;
                    let op = progress::current_operation(&events).to_vec();
                    let status = status_from(&arn, &stack, &op, total);
                    let done = status.done;
                    let grew = sender.borrow().events.len() != op.len();
                    sender.send_modify(|snap| {
                        snap.events = Arc::new(op);
                        snap.status = Some(status);
                        snap.done = done;
                    });
                    delay = if grew {
                        b.base
                    } else {
                        (delay.mul_f64(1.5)).min(b.max)
                    };
                    if done {
                        break;
                    }
                }
                Err(DeployError::Aws(AwsError::Unreachable { endpoint, message }))
                    if failures < b.attempts =>
                {
                    failures += 1;
                    notify_unreachable(&sender, &seq, &endpoint, &message, delay);
                    delay = (delay * 2).min(b.max);
                }
                Err(e) => {
                    sender.send_modify(|snap| {
                        snap.error = Some(e.to_string());
                        snap.done = true;
                    });
                    break;
                }
            }
            // Stop when the last watcher has gone; the check and the removal happen under the
            // registry's lock, so nobody subscribes to a poller that is about to stop.
            {
                let mut pollers = self.pollers.lock().expect("lock");
                if sender.receiver_count() == 0 {
                    pollers.remove(&arn.arn);
                    return;
                }
            }
            tokio::time::sleep(delay).await;
        }
        self.pollers.lock().expect("lock").remove(&arn.arn);
    }
}

fn notify_unreachable(
    sender: &watch::Sender<Snapshot>,
    seq: &std::sync::atomic::AtomicU64,
    endpoint: &str,
    message: &str,
    wait: Duration,
) {
    let n = seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
    sender.send_modify(|snap| {
        snap.notice = Some(Notice {
            kind: "unreachable",
            message: format!(
                "cannot reach AWS at {endpoint} ({message}); retrying in {:.1} s",
                wait.as_secs_f64()
            ),
            retry_in_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            seq: n,
        });
    });
}

fn status_from(arn: &StackArn, stack: &StackInfo, op: &[StackEvent], total: usize) -> Status {
    let done = progress::is_terminal(&stack.status);
    let succeeded = done && progress::is_success(&stack.status);
    Status {
        id: arn.id(),
        stack_name: arn.name.clone(),
        region: arn.region.clone(),
        status: stack.status.clone(),
        reason: stack.reason.clone(),
        done,
        succeeded,
        outputs: stack.outputs.clone(),
        failure: if succeeded {
            None
        } else {
            progress::first_failure(op)
        },
        progress: progress::progress(op, &stack.status, total),
    }
}

/// Every resource type Stackplan generates, for a session that acts on an existing stack.
fn all_stackplan_types() -> Vec<String> {
    static TYPES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    TYPES
        .get_or_init(|| {
            let mut types = std::collections::BTreeSet::new();
            for (_, plan) in shared::examples::matrix() {
                if let Ok(valid) = ValidPlan::new(plan) {
                    types.extend(
                        template::generate(&valid)
                            .resource_types()
                            .map(|(_, t)| t.to_string()),
                    );
                }
            }
            types.into_iter().collect()
        })
        .clone()
}

fn humantime(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    aws_smithy_time(secs)
}

fn aws_smithy_time(secs: u64) -> String {
    aws_sdk_cloudformation::primitives::DateTime::from_secs(i64::try_from(secs).unwrap_or(0))
        .fmt(aws_sdk_cloudformation::primitives::DateTimeFormat::DateTime)
        .unwrap_or_default()
}
