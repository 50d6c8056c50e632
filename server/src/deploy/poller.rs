//! One poller per stack, shared by every watcher of its event stream: it reads the stack with
//! backoff until it settles or nobody watches, and publishes what it knows in a `watch` channel.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use shared::api::{Notice, NoticeKind};
use tokio::sync::watch;

use super::StackArn;
use super::errors::DeployError;
use super::policy::Access;
use super::service::{AccountRoles, Deployer, Snapshot};
use crate::auth::{Grant, Owner};
use crate::aws::AwsError;

/// The longest one look at a stack may take before its watchers hear about the wait (the SDK's
/// own timeouts are longer: they cover every call, not only the ones someone watches).
const READ_TIMEOUT: Duration = Duration::from_secs(4);

impl Deployer {
    /// Subscribes to the stack's poller, starting one if nobody watches the stack yet. A stack
    /// that is gone (never made, or deleted) is refused before anything streams.
    pub async fn watch(
        self: &Arc<Self>,
        grant: &Grant,
        id: &str,
    ) -> Result<watch::Receiver<Snapshot>, DeployError> {
        let arn = self.decode(id)?.stack;
        // Joining a running poller is proven as starting one is: the caller's own session (its
        // role, with its ExternalId) must read the stack and find it Stackplan's. Another
        // watcher's poller says nothing about this caller's access, unless that watcher came
        // with the very same roles and owner: then the poller's own reads, with a session of
        // those roles and checking that owner's tag, are the proof, and a reconnect costs no
        // DescribeStacks.
        let roles = self.roles_for_stack(grant, &arn)?;
        let session = self
            .session(&roles, &arn.name, &arn.region, Access::Read)
            .await?;
        let owner = grant.owner.clone();
        if let Some(joined) = self.join(&arn, &roles, owner.as_ref()) {
            return Ok(joined);
        }
        self.live_stack(&arn, &session, owner.as_ref()).await?;
        let mut pollers = self.pollers.lock().expect("lock");
        if let Some(polled) = pollers.get(&arn.arn) {
            return Ok(polled.sender.subscribe());
        }
        // Each poller reads the account every few seconds for as long as it is watched: a
        // bounded number, so that watchers of many stacks cannot have this server throttle
        // every deploy of the accounts it reaches.
        if pollers.len() >= self.config.max_pollers {
            return Err(DeployError::TooManyStacksWatched(self.config.max_pollers));
        }
        let (sender, receiver) = watch::channel(Snapshot::default());
        pollers.insert(
            arn.arn.clone(),
            Polled {
                sender: sender.clone(),
                roles: roles.clone(),
                owner: owner.clone(),
            },
        );
        let me = self.clone();
        let registration = Registration {
            deployer: self.clone(),
            arn: arn.arn.clone(),
            sender: sender.clone(),
        };
        tokio::spawn(async move {
            let _registration = registration; // dropped however the poller ends, panics included
            me.poll(roles, owner, arn, sender).await
        });
        Ok(receiver)
    }

    /// Subscribes to the stack's running poller if it polls with exactly `roles`, for `owner`.
    fn join(
        &self,
        arn: &StackArn,
        roles: &AccountRoles,
        owner: Option<&Owner>,
    ) -> Option<watch::Receiver<Snapshot>> {
        let pollers = self.pollers.lock().expect("lock");
        pollers
            .get(&arn.arn)
            .filter(|polled| &polled.roles == roles && polled.owner.as_ref() == owner)
            .map(|polled| polled.sender.subscribe())
    }

    /// Whether the last watcher of the stack has gone; if so, the poller's place is freed. The
    /// check and the removal happen under the registry's lock, so nobody subscribes to a poller
    /// that is about to stop.
    fn unwatched(&self, arn: &StackArn, sender: &watch::Sender<Snapshot>) -> bool {
        let mut pollers = self.pollers.lock().expect("lock");
        let gone = sender.receiver_count() == 0;
        if gone {
            pollers.remove(&arn.arn);
        }
        gone
    }

    /// Number of stacks being polled (one per stack, however many watch it).
    pub fn pollers(&self) -> usize {
        self.pollers.lock().expect("lock").len()
    }

    /// The one poller of a stack: reads it with backoff until it settles or nobody watches.
    async fn poll(
        &self,
        roles: AccountRoles,
        owner: Option<Owner>,
        arn: StackArn,
        sender: watch::Sender<Snapshot>,
    ) {
        let b = self.config.backoff;
        let mut delay = b.base;
        let mut failures = 0;
        let seq = AtomicU64::new(0);
        loop {
            // AWS's own message is in the log (`aws::retry` writes it); watchers get ours.
            let throttled = |wait: Duration, _aws_message: &str| {
                notify(
                    &sender,
                    &seq,
                    NoticeKind::Throttled,
                    format!(
                        "AWS is throttling requests; retrying in {:.1} s",
                        wait.as_secs_f64()
                    ),
                    wait,
                );
            };
            let read = match self
                .session(&roles, &arn.name, &arn.region, Access::Read)
                .await
            {
                Ok(mut session) => {
                    session.watched = true;
                    match tokio::time::timeout(
                        READ_TIMEOUT,
                        self.read_stack(&arn, &session, &throttled, owner.as_ref()),
                    )
                    .await
                    {
                        Ok(read) => read,
                        Err(_) => Err(DeployError::Aws(AwsError::Unreachable {
                            endpoint: "CloudFormation".into(),
                            message: format!("no answer within {} s", READ_TIMEOUT.as_secs()),
                        })),
                    }
                }
                Err(e) => Err(e),
            };
            match read {
                Ok(read) => {
                    failures = 0;
                    let status = self.status_from(&self.sign(&arn, None), &arn, &read);
                    let op = read.operation().to_vec();
                    let done = status.done;
                    let grew = sender.borrow().events.len() != op.len();
                    sender.send_modify(|snap| {
                        snap.events = Arc::new(op);
                        snap.status = Some(status);
                        snap.done = done;
                        // The wait a notice said is over: a watcher who joins now is not told
                        // of it (one who saw it sees the events that follow).
                        snap.notice = None;
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
                // The stack carries on whatever happens to our reads of it: a wait is a notice,
                // never the end of the stream.
                Err(DeployError::Aws(AwsError::Unreachable { endpoint, message })) => {
                    failures += 1;
                    delay = backoff(b, failures);
                    notify(
                        &sender,
                        &seq,
                        NoticeKind::Unreachable,
                        format!(
                            "cannot reach AWS at {endpoint} ({message}); retrying in {:.1} s",
                            delay.as_secs_f64()
                        ),
                        delay,
                    );
                }
                Err(DeployError::Aws(e @ (AwsError::Throttled(_) | AwsError::Other(_)))) => {
                    failures += 1;
                    delay = backoff(b, failures);
                    let kind = match e {
                        AwsError::Throttled(_) => NoticeKind::Throttled,
                        _ => NoticeKind::Unreachable,
                    };
                    tracing::warn!(
                        stack = arn.name,
                        "reading the stack failed, will retry: {e}"
                    );
                    notify(
                        &sender,
                        &seq,
                        kind,
                        format!(
                            "AWS did not answer the status request ({}); the stack carries on, retrying in {:.1} s",
                            crate::error::ApiError::Deploy(DeployError::Aws(e)).code(),
                            delay.as_secs_f64()
                        ),
                        delay,
                    );
                }
                Err(e) => {
                    tracing::warn!(stack = arn.name, "the poller gives up: {e}");
                    let message = crate::error::ApiError::Deploy(e).body().message;
                    sender.send_modify(|snap| {
                        snap.error = Some(message);
                        snap.done = true;
                    });
                    break;
                }
            }
            if self.unwatched(&arn, &sender) {
                return;
            }
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                // The last watcher left during the wait (up to the backoff's longest): the
                // place is freed now, not after the wait.
                () = sender.closed() => {
                    if self.unwatched(&arn, &sender) {
                        return;
                    }
                }
            }
        }
    }
}

/// The wait after `failures` failed reads in a row: doubling from the base, at most the max.
fn backoff(b: crate::aws::Backoff, failures: u32) -> Duration {
    b.base
        .saturating_mul(2u32.saturating_pow(failures.min(16)))
        .min(b.max)
}

/// A stack's running poller: its channel, and the roles its reads use, for the owner whose
/// stack it must be.
pub(super) struct Polled {
    sender: watch::Sender<Snapshot>,
    roles: AccountRoles,
    owner: Option<Owner>,
}

/// A poller's place in the registry. Dropped when the poller's task ends, however it ends (a
/// panic included): the place is freed, and watchers of a stack whose status is not final are
/// told, so none waits for ever.
struct Registration {
    deployer: Arc<Deployer>,
    arn: String,
    sender: watch::Sender<Snapshot>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        {
            let mut pollers = self
                .deployer
                .pollers
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if pollers
                .get(&self.arn)
                .is_some_and(|polled| polled.sender.same_channel(&self.sender))
            {
                pollers.remove(&self.arn);
            }
        }
        if !self.sender.borrow().done {
            self.sender.send_modify(|snap| {
                snap.error = Some(
                    "watching this stack stopped unexpectedly; the stack carries on in CloudFormation: reload the page to follow it again".into(),
                );
                snap.done = true;
            });
        }
    }
}

/// Publishes a notice with the next sequence number.
fn notify(
    sender: &watch::Sender<Snapshot>,
    seq: &AtomicU64,
    kind: NoticeKind,
    message: String,
    wait: Duration,
) {
    let n = seq.fetch_add(1, Ordering::Relaxed) + 1;
    sender.send_modify(|snap| {
        snap.notice = Some(Notice {
            kind,
            message,
            retry_in_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            seq: n,
        });
    });
}
