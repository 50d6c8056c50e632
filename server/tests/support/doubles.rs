//! Scripted doubles of the STS and CloudFormation ports, fed event sequences of the shape
//! CloudFormation records (oldest first; DescribeStackEvents returns them newest first and the
//! SDK adapter reverses them). Shared by the deploy tests and the load measurement
//! (`benches/load.rs`).
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;
use serde_json::Value;
use server::aws::AwsError;
use server::aws::cloudformation::{
    ChangeSetInfo, CloudFormation, NewChangeSet, NewStack, Session, StackEvent, StackInfo,
    TemplateSummary,
};
use server::aws::ecr::Ecr;
use server::aws::s3::CodeStore;
use server::aws::stores::{Existence, Stores};
use server::aws::sts::{AssumeRequest, Sts, TempCredentials};
use shared::api::{Change, Output};

pub const SECRET: &str = "dbl/SECRETxKEYxmust-never-leave-the-server";
pub const SESSION_TOKEN: &str = "dbl-session-token-FwoGZXIvYXdzEJr";
pub const TOKEN: &str = "test-token-0123456789";
pub const ROLE: &str = "arn:aws:iam::111122223333:role/deployer";
pub const ACCOUNT: &str = "111122223333";

// ----- the scripted STS -------------------------------------------------------------------

#[derive(Default)]
pub struct StsDouble {
    pub calls: Mutex<Vec<AssumeRequest>>,
    pub deny: Mutex<bool>,
    pub lifetime: Mutex<Option<Duration>>,
}

impl Sts for StsDouble {
    fn assume_role(
        &self,
        request: AssumeRequest,
    ) -> BoxFuture<'_, Result<TempCredentials, AwsError>> {
        Box::pin(async move {
            let account = request
                .role_arn
                .split(':')
                .nth(4)
                .unwrap_or(ACCOUNT)
                .to_string();
            self.calls.lock().unwrap().push(request);
            if *self.deny.lock().unwrap() {
                return Err(AwsError::AccessDenied(format!(
                    "User: arn:aws:iam::{ACCOUNT}:user/stackplan is not authorized to perform: sts:AssumeRole on resource: {ROLE}"
                ).into()));
            }
            let lifetime = self
                .lifetime
                .lock()
                .unwrap()
                .unwrap_or(Duration::from_secs(3600));
            Ok(TempCredentials {
                // The role's account, for the CloudFormation double to make stacks in (as
                // AWS makes them in the account whose role the session is of).
                access_key_id: format!("ASIA{account}"),
                secret_access_key: SECRET.into(),
                session_token: SESSION_TOKEN.into(),
                expires: SystemTime::now() + lifetime,
            })
        })
    }

    fn caller(&self) -> BoxFuture<'_, Result<(String, String), AwsError>> {
        Box::pin(async {
            Ok((
                format!("arn:aws:iam::{ACCOUNT}:user/stackplan"),
                ACCOUNT.to_string(),
            ))
        })
    }
}

// ----- the scripted ECR ----------------------------------------------------------------------

/// ECR as DescribeImages answers: the `(repository, tag)` pairs pushed; a repository of none is
/// `RepositoryNotFoundException` unless listed in `repositories`.
#[derive(Default)]
pub struct EcrDouble {
    pub repositories: Mutex<Vec<String>>,
    pub pushed: Mutex<Vec<(String, String)>>,
    pub calls: Mutex<Vec<(String, String)>>,
    /// DescribeImages is denied (a deployer role bootstrapped before image checks).
    pub deny: Mutex<bool>,
    /// The region each call was made in.
    pub regions: Mutex<Vec<String>>,
}

impl Ecr for EcrDouble {
    fn image_pushed(
        &self,
        s: &Session,
        repository: &str,
        tag: &str,
    ) -> BoxFuture<'_, Result<bool, AwsError>> {
        let (repository, tag) = (repository.to_string(), tag.to_string());
        self.regions.lock().unwrap().push(s.region.clone());
        Box::pin(async move {
            self.calls
                .lock()
                .unwrap()
                .push((repository.clone(), tag.clone()));
            if *self.deny.lock().unwrap() {
                return Err(AwsError::AccessDenied(
                    format!("User: arn:aws:sts::{ACCOUNT}:assumed-role/deployer/s is not authorized to perform: ecr:DescribeImages").into(),
                ));
            }
            if !self.repositories.lock().unwrap().contains(&repository) {
                return Err(AwsError::NotFound(
                    format!("repository {repository} does not exist").into(),
                ));
            }
            Ok(self
                .pushed
                .lock()
                .unwrap()
                .iter()
                .any(|(r, t)| *r == repository && *t == tag))
        })
    }
}

// ----- the scripted value stores -------------------------------------------------------------

/// Secrets Manager and Parameter Store as DescribeSecret and ListTagsForResource answer: every
/// value exists unless listed `missing` (ResourceNotFoundException, InvalidResourceId) or
/// `deleting` (a secret with a DeletedDate); `calls` records `(store, id, region)`.
#[derive(Default)]
pub struct StoresDouble {
    pub missing: Mutex<Vec<String>>,
    pub deleting: Mutex<Vec<String>>,
    pub calls: Mutex<Vec<(&'static str, String, String)>>,
    /// Both calls are denied (a deployer role bootstrapped before the lookups).
    pub deny: Mutex<bool>,
    /// Regions whose stores cannot be reached (a region name with a typo, say).
    pub unreachable: Mutex<Vec<String>>,
    /// Look-ups under way now, and the most there were at once: each waits for the others
    /// started with it before it answers, as calls over a network do.
    pub in_flight: Mutex<(usize, usize)>,
}

impl StoresDouble {
    fn answer(&self, store: &'static str, s: &Session, id: &str) -> Result<Existence, AwsError> {
        self.calls
            .lock()
            .unwrap()
            .push((store, id.to_string(), s.region.clone()));
        if *self.deny.lock().unwrap() {
            let action = if store == "secret" {
                "secretsmanager:DescribeSecret"
            } else {
                "ssm:ListTagsForResource"
            };
            return Err(AwsError::AccessDenied(
                format!("User: arn:aws:sts::{ACCOUNT}:assumed-role/deployer/s is not authorized to perform: {action}").into(),
            ));
        }
        if self.unreachable.lock().unwrap().contains(&s.region) {
            return Err(AwsError::Unreachable {
                endpoint: format!("https://secretsmanager.{}.amazonaws.com", s.region),
                message: "dns error: failed to lookup address information".into(),
            });
        }
        Ok(if self.missing.lock().unwrap().iter().any(|m| m == id) {
            Existence::Missing
        } else if self.deleting.lock().unwrap().iter().any(|m| m == id) {
            Existence::Deleting
        } else {
            Existence::Present
        })
    }
}

impl StoresDouble {
    /// `answer`, after the look-ups polled with it have started too.
    async fn in_turn(&self, answer: Result<Existence, AwsError>) -> Result<Existence, AwsError> {
        {
            let mut n = self.in_flight.lock().unwrap();
            n.0 += 1;
            n.1 = n.1.max(n.0);
        }
        tokio::task::yield_now().await;
        self.in_flight.lock().unwrap().0 -= 1;
        answer
    }
}

impl Stores for StoresDouble {
    fn secret(&self, s: &Session, id: &str) -> BoxFuture<'_, Result<Existence, AwsError>> {
        let answer = self.answer("secret", s, id);
        Box::pin(self.in_turn(answer))
    }

    fn parameter(&self, s: &Session, name: &str) -> BoxFuture<'_, Result<Existence, AwsError>> {
        let answer = self.answer("parameter", s, name);
        Box::pin(self.in_turn(answer))
    }
}

// ----- the scripted S3 ----------------------------------------------------------------------

/// S3 as PutObject answers: every object stored, `(bucket, key, bytes)`.
#[derive(Default)]
pub struct CodeStoreDouble {
    pub objects: Mutex<Vec<(String, String, usize)>>,
}

impl CodeStore for CodeStoreDouble {
    fn put_code(
        &self,
        _: &Session,
        bucket: &str,
        key: &str,
        body: bytes::Bytes,
        _sha256: &str,
    ) -> BoxFuture<'_, Result<(), AwsError>> {
        self.objects
            .lock()
            .unwrap()
            .push((bucket.to_string(), key.to_string(), body.len()));
        Box::pin(async { Ok(()) })
    }
}

// ----- the scripted CloudFormation ----------------------------------------------------------

pub struct Stack {
    pub arn: String,
    pub name: String,
    /// Events revealed so far, oldest first.
    pub events: Vec<StackEvent>,
    /// Events still to come, one more per DescribeStackEvents call.
    pub script: VecDeque<StackEvent>,
    pub outputs: Vec<Output>,
    pub resources: usize,
    pub change_sets: Vec<(String, String, bool)>, // (arn, name, update)
    /// Each change set's template body, by change set arn.
    pub bodies: Vec<(String, String)>,
    /// The template of the last executed change set.
    pub deployed: Option<String>,
    pub tags: Vec<(String, String)>,
    /// The parameters of the latest change set.
    pub parameters: Vec<(String, String)>,
    /// The change sets executed, by arn; the last one's execution is the stack's operation.
    pub executed: Vec<String>,
    /// Its CreationTime, Unix seconds (the double's clock is the system's).
    pub created: i64,
    /// Its RoleARN, as CreateStack gave it, then as each executed change set that names
    /// one (CloudFormation keeps the stack's role when a change set names none).
    pub role: Option<String>,
    /// Each change set's RoleARN, by change set arn.
    pub change_set_roles: Vec<(String, Option<String>)>,
    /// The tags of each change set made for it, in order.
    pub change_set_tags: Vec<Vec<(String, String)>>,
}

impl Stack {
    pub fn status(&self) -> String {
        self.events
            .iter()
            .rev()
            .find(|e| e.resource_type == "AWS::CloudFormation::Stack")
            .map(|e| e.status.clone())
            .unwrap_or_default()
    }
}

/// One resource event an execute will record: (logical id, type, status, reason).
pub type Scripted = (String, String, String, Option<String>);

#[derive(Default)]
pub struct CfnDouble {
    pub stacks: Mutex<Vec<Stack>>,
    /// Errors the next calls of an operation return, in order.
    pub failures: Mutex<HashMap<&'static str, VecDeque<AwsError>>>,
    /// What creating a stack or executing a change set will record (resource events; stack
    /// events are added).
    pub plan: Mutex<Vec<Scripted>>,
    pub calls: Mutex<Vec<&'static str>>,
    /// Operations that never answer (a hung connection).
    pub hang: Mutex<Vec<&'static str>>,
    /// Operations that panic (a bug in an adapter).
    pub panic: Mutex<Vec<&'static str>>,
    /// Until when change sets are still being computed (CloudFormation can take minutes).
    pub computing_until: Mutex<Option<tokio::time::Instant>>,
    /// The request token of each DeleteStack call, in order.
    pub delete_tokens: Mutex<Vec<String>>,
    /// The `RetainResources` of each DeleteStack.
    pub delete_retains: Mutex<Vec<Vec<String>>>,
    /// The `ResourcesToSkip` of each ContinueUpdateRollback.
    pub rollback_skips: Mutex<Vec<Vec<String>>>,
    /// The next ContinueUpdateRollback fails again at what it does not skip.
    pub rollback_fails_again: Mutex<bool>,
    /// The `StackName` of each CreateStack and CreateChangeSet call, in order (a name, or a
    /// stack's ARN).
    pub request_stacks: Mutex<Vec<String>>,
    /// The `StackName` of each GetTemplateSummary call, in order.
    pub summary_stacks: Mutex<Vec<String>>,
    /// Stack names the next DescribeStacks by that name does not find, once each: as if the
    /// stack were made by another request just after this one looked.
    pub unseen_once: Mutex<Vec<String>>,
    /// Reasons CloudFormation fails the next change sets with, one per change set made.
    pub change_set_failures: Mutex<VecDeque<String>>,
    /// Change sets CloudFormation failed: (arn, reason).
    pub failed_change_sets: Mutex<Vec<(String, String)>>,
    /// The change sets DeleteChangeSet deleted, by arn.
    pub deleted_change_sets: Mutex<Vec<String>>,
    /// The request token of each CreateStack and CreateChangeSet call, in order.
    pub request_tokens: Mutex<Vec<String>>,
    /// Each CreateStack and CreateChangeSet call's template body and `ResourceTypes`, in order.
    pub request_types: Mutex<Vec<(String, Vec<String>)>>,
    /// Each CreateStack call's tags, in order.
    pub created_tags: Mutex<Vec<Vec<(String, String)>>>,
}

pub fn event(n: usize, logical: &str, ty: &str, status: &str, reason: Option<&str>) -> StackEvent {
    StackEvent {
        id: format!("{logical}-{status}-{n:04}"),
        logical_id: logical.into(),
        resource_type: ty.into(),
        physical_id: format!("shop-{}", logical.to_lowercase()),
        status: status.into(),
        reason: reason.map(String::from),
        time: format!("2026-11-27T10:{:02}:{:02}Z", n / 60, n % 60),
    }
}

impl CfnDouble {
    pub fn fail_next(&self, op: &'static str, e: AwsError) {
        self.failures
            .lock()
            .unwrap()
            .entry(op)
            .or_default()
            .push_back(e);
    }

    /// Waits for ever when `op` is set to hang; panics when it is set to panic.
    pub async fn hold(&self, op: &'static str) {
        if self.panic.lock().unwrap().contains(&op) {
            panic!("the double panics in {op}, as scripted");
        }
        if self.hang.lock().unwrap().contains(&op) {
            std::future::pending::<()>().await;
        }
    }

    /// How many times the stack events were read.
    pub fn event_reads(&self) -> usize {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|c| **c == "events")
            .count()
    }

    pub fn check(&self, op: &'static str) -> Result<(), AwsError> {
        self.calls.lock().unwrap().push(op);
        match self
            .failures
            .lock()
            .unwrap()
            .get_mut(op)
            .and_then(VecDeque::pop_front)
        {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// A create where every resource succeeds.
    pub fn script_success(&self, resources: &[(&str, &str)]) {
        *self.plan.lock().unwrap() = resources
            .iter()
            .flat_map(|(id, ty)| {
                [
                    (
                        id.to_string(),
                        ty.to_string(),
                        "CREATE_IN_PROGRESS".to_string(),
                        None,
                    ),
                    (
                        id.to_string(),
                        ty.to_string(),
                        "CREATE_IN_PROGRESS".to_string(),
                        Some("Resource creation Initiated".to_string()),
                    ),
                    (
                        id.to_string(),
                        ty.to_string(),
                        "CREATE_COMPLETE".to_string(),
                        None,
                    ),
                ]
            })
            .collect();
    }

    /// The events a create (or, with `update`, an update) records after event `base`, from the
    /// scripted `plan`: the stack's start, each resource's, the end or the rollback.
    fn operation(&self, base: usize, name: &str, update: bool) -> Vec<StackEvent> {
        let (start, ok, failed_end) = if update {
            (
                "UPDATE_IN_PROGRESS",
                "UPDATE_COMPLETE",
                "UPDATE_ROLLBACK_COMPLETE",
            )
        } else {
            ("CREATE_IN_PROGRESS", "CREATE_COMPLETE", "ROLLBACK_COMPLETE")
        };
        let mut script: Vec<StackEvent> = vec![event(
            base + 1,
            name,
            "AWS::CloudFormation::Stack",
            start,
            Some("User Initiated"),
        )];
        let plan = self.plan.lock().unwrap().clone();
        let failed: Vec<String> = plan
            .iter()
            .filter(|p| {
                p.2 == "CREATE_FAILED" && p.3.as_deref().is_some_and(|r| !r.contains("cancelled"))
            })
            .map(|p| p.0.clone())
            .collect();
        for (i, (id, ty, status, reason)) in plan.iter().enumerate() {
            script.push(event(base + 2 + i, id, ty, status, reason.as_deref()));
        }
        let n = base + 2 + plan.len();
        if failed.is_empty() {
            script.push(event(n, name, "AWS::CloudFormation::Stack", ok, None));
        } else {
            let reason = format!(
                "The following resource(s) failed to create: [{}]. Rollback requested by user.",
                failed.join(", ")
            );
            script.push(event(
                n,
                name,
                "AWS::CloudFormation::Stack",
                "ROLLBACK_IN_PROGRESS",
                Some(&reason),
            ));
            for (i, (id, ty, status, _)) in plan
                .iter()
                .enumerate()
                .filter(|(_, p)| p.2 == "CREATE_COMPLETE")
            {
                let _ = status;
                script.push(event(n + 1 + i, id, ty, "DELETE_COMPLETE", None));
            }
            script.push(event(
                n + 100,
                name,
                "AWS::CloudFormation::Stack",
                failed_end,
                None,
            ));
        }
        script
    }

    /// Records a CreateStack's or CreateChangeSet's request.
    fn record(&self, c: &NewStack) {
        self.request_tokens
            .lock()
            .unwrap()
            .push(c.client_token.clone());
        self.request_stacks
            .lock()
            .unwrap()
            .push(c.stack_name.clone());
        self.request_types
            .lock()
            .unwrap()
            .push((c.template_body.clone(), c.resource_types.clone()));
    }

    /// By ARN, or by name among the stacks not deleted (as AWS does).
    pub fn find<'a>(stacks: &'a mut [Stack], key: &str) -> Option<&'a mut Stack> {
        stacks
            .iter_mut()
            .find(|s| s.arn == key || (s.name == key && s.status() != "DELETE_COMPLETE"))
    }
}

impl CloudFormation for CfnDouble {
    fn stack(&self, _: &Session, key: &str) -> BoxFuture<'_, Result<Option<StackInfo>, AwsError>> {
        let key = key.to_string();
        Box::pin(async move {
            self.check("stack")?;
            self.hold("stack").await;
            {
                let mut unseen = self.unseen_once.lock().unwrap();
                if let Some(i) = unseen.iter().position(|n| *n == key) {
                    unseen.remove(i);
                    return Ok(None);
                }
            }
            let mut stacks = self.stacks.lock().unwrap();
            // Like AWS: a deleted stack is found by its ARN, not by its name.
            Ok(Self::find(&mut stacks, &key).map(|s| StackInfo {
                id: s.arn.clone(),
                name: s.name.clone(),
                status: s.status(),
                reason: None,
                outputs: if s.status().ends_with("_COMPLETE") && !s.status().contains("ROLLBACK") {
                    s.outputs.clone()
                } else {
                    vec![]
                },
                tags: s.tags.clone(),
                parameters: s.parameters.clone(),
                // Like LastUpdatedTime: set when an update starts.
                changed_at: s.executed.last().map(|cs| format!("update {cs}")),
                change_set: s.executed.last().cloned(),
                created: Some(s.created),
                role: s.role.clone(),
            }))
        })
    }

    fn create_change_set(
        &self,
        _: &Session,
        c: NewChangeSet,
    ) -> BoxFuture<'_, Result<(String, String), AwsError>> {
        Box::pin(async move {
            self.hold("create_change_set").await;
            self.check("create_change_set")?;
            self.record(&c.stack);
            let (c, change_set_name) = (c.stack, c.change_set_name);
            let mut stacks = self.stacks.lock().unwrap();
            // An update's change set: CloudFormation refuses one for a stack that is not there.
            let stack = Self::find(&mut stacks, &c.stack_name).ok_or_else(|| {
                AwsError::Validation(format!("Stack [{}] does not exist", c.stack_name).into())
            })?;

            if stack
                .change_sets
                .iter()
                .any(|(_, name, _)| *name == change_set_name)
            {
                return Err(AwsError::AlreadyExists(
                    format!("ChangeSet {} already exists", change_set_name).into(),
                ));
            }
            let arn = format!(
                "arn:aws:cloudformation:us-east-1:{ACCOUNT}:changeSet/{}/{}",
                change_set_name,
                stack.bodies.len()
            );
            if let Some(reason) = self.change_set_failures.lock().unwrap().pop_front() {
                self.failed_change_sets
                    .lock()
                    .unwrap()
                    .push((arn.clone(), reason));
            }
            stack.change_set_tags.push(c.tags.clone());
            stack
                .change_sets
                .push((arn.clone(), change_set_name.clone(), true));
            stack.bodies.push((arn.clone(), c.template_body.clone()));
            stack
                .change_set_roles
                .push((arn.clone(), c.role_arn.clone()));
            stack.parameters = c.parameters.clone();
            Ok((arn, stack.arn.clone()))
        })
    }

    fn create_stack(
        &self,
        session: &Session,
        c: NewStack,
    ) -> BoxFuture<'_, Result<String, AwsError>> {
        // The session's account and region, as CloudFormation's ARN has them.
        let account = session
            .credentials
            .access_key_id
            .strip_prefix("ASIA")
            .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
            .unwrap_or(ACCOUNT)
            .to_string();
        let region = session.region.clone();
        Box::pin(async move {
            self.hold("create_stack").await;
            self.check("create_stack")?;
            self.record(&c);
            self.created_tags.lock().unwrap().push(c.tags.clone());
            let mut stacks = self.stacks.lock().unwrap();
            if Self::find(&mut stacks, &c.stack_name).is_some() {
                return Err(AwsError::AlreadyExists(
                    format!("Stack [{}] already exists", c.stack_name).into(),
                ));
            }
            let n = stacks.len();
            let resources: usize =
                serde_json::from_str::<Value>(&c.template_body).unwrap()["Resources"]
                    .as_object()
                    .unwrap()
                    .len();
            // The stack is there, with its tags and its first event, as CreateStack answers.
            let mut script = VecDeque::from(self.operation(0, &c.stack_name, false));
            let first = script
                .pop_front()
                .expect("an operation starts with the stack's event");
            let stack = Stack {
                arn: format!(
                    "arn:aws:cloudformation:{region}:{account}:stack/{}/0000-{n}",
                    c.stack_name
                ),
                name: c.stack_name.clone(),
                events: vec![first],
                script,
                outputs: vec![Output {
                    key: "ApiUrl".into(),
                    value: "https://abc123.execute-api.us-east-1.amazonaws.com/".into(),
                    description: "URL of the API".into(),
                }],
                resources,
                change_sets: vec![],
                executed: vec![],
                bodies: vec![],
                deployed: Some(c.template_body.clone()),
                tags: c.tags.clone(),
                parameters: c.parameters.clone(),
                created: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs() as i64,
                change_set_tags: vec![],
                role: c.role_arn.clone(),
                change_set_roles: vec![],
            };
            let arn = stack.arn.clone();
            stacks.push(stack);
            Ok(arn)
        })
    }

    fn change_set(
        &self,
        _: &Session,
        stack: &str,
        id: &str,
    ) -> BoxFuture<'_, Result<ChangeSetInfo, AwsError>> {
        let (stack, id) = (stack.to_string(), id.to_string());
        Box::pin(async move {
            self.check("change_set")?;
            let mut stacks = self.stacks.lock().unwrap();
            let s = Self::find(&mut stacks, &stack)
                .ok_or_else(|| AwsError::NotFound(stack.clone().into()))?;
            let (arn, _, update) = s
                .change_sets
                .iter()
                .find(|(a, n, _)| *a == id || *n == id)
                .cloned()
                .ok_or_else(|| AwsError::NotFound(id.clone().into()))?;
            let changes = self
                .plan
                .lock()
                .unwrap()
                .iter()
                .filter(|(_, _, status, reason)| {
                    status == "CREATE_COMPLETE"
                        || status == "UPDATE_COMPLETE"
                        || (status == "CREATE_FAILED" && reason.is_some())
                })
                .map(|(logical, ty, _, _)| Change {
                    action: if update {
                        "Modify".into()
                    } else {
                        "Add".into()
                    },
                    logical_id: logical.clone(),
                    resource_type: ty.clone(),
                    replacement: update.then(|| "False".into()),
                })
                .collect();
            let computing = self
                .computing_until
                .lock()
                .unwrap()
                .is_some_and(|until| tokio::time::Instant::now() < until);
            let failed = self
                .failed_change_sets
                .lock()
                .unwrap()
                .iter()
                .find(|(a, _)| *a == arn)
                .map(|(_, reason)| reason.clone());
            Ok(if let Some(reason) = failed {
                ChangeSetInfo {
                    id: arn,
                    stack_id: s.arn.clone(),
                    status: "FAILED".into(),
                    reason: Some(reason),
                    execution_status: Some("UNAVAILABLE".into()),
                    changes: Vec::new(),
                }
            } else if computing {
                ChangeSetInfo {
                    id: arn,
                    stack_id: s.arn.clone(),
                    status: "CREATE_IN_PROGRESS".into(),
                    reason: None,
                    execution_status: Some("UNAVAILABLE".into()),
                    changes: Vec::new(),
                }
            } else {
                // Executed, it says how its execution went, as the stack does.
                let status = s.status();
                let execution = if !s.executed.contains(&arn) {
                    "AVAILABLE"
                } else if !s.script.is_empty() || status.ends_with("_IN_PROGRESS") {
                    "EXECUTE_IN_PROGRESS"
                } else if status == "UPDATE_COMPLETE" || status == "CREATE_COMPLETE" {
                    "EXECUTE_COMPLETE"
                } else {
                    "EXECUTE_FAILED"
                };
                ChangeSetInfo {
                    id: arn,
                    stack_id: s.arn.clone(),
                    status: "CREATE_COMPLETE".into(),
                    reason: None,
                    execution_status: Some(execution.into()),
                    changes,
                }
            })
        })
    }

    fn delete_change_set(
        &self,
        _: &Session,
        stack: &str,
        change_set: &str,
    ) -> BoxFuture<'_, Result<(), AwsError>> {
        let (stack, change_set) = (stack.to_string(), change_set.to_string());
        Box::pin(async move {
            self.check("delete_change_set")?;
            let mut stacks = self.stacks.lock().unwrap();
            let s = Self::find(&mut stacks, &stack)
                .ok_or_else(|| AwsError::NotFound(stack.clone().into()))?;
            let at = s
                .change_sets
                .iter()
                .position(|(a, n, _)| *a == change_set || *n == change_set)
                .ok_or_else(|| AwsError::NotFound(change_set.clone().into()))?;
            let (arn, _, _) = s.change_sets.remove(at);
            self.deleted_change_sets.lock().unwrap().push(arn);
            Ok(())
        })
    }

    fn execute_change_set(
        &self,
        _: &Session,
        stack: &str,
        change_set: &str,
        _: &str,
    ) -> BoxFuture<'_, Result<(), AwsError>> {
        let (stack, change_set) = (stack.to_string(), change_set.to_string());
        Box::pin(async move {
            self.check("execute_change_set")?;
            let mut stacks = self.stacks.lock().unwrap();
            let s = Self::find(&mut stacks, &stack)
                .ok_or_else(|| AwsError::NotFound(stack.clone().into()))?;
            let update = s
                .change_sets
                .iter()
                .find(|c| c.0 == change_set)
                .map(|c| c.2)
                .ok_or_else(|| AwsError::Validation("no such change set".into()))?;
            // Like AWS: executing a change set deletes the stack's other change sets, which
            // are no longer valid for the stack it makes.
            s.change_sets.retain(|c| c.0 == change_set);
            s.executed.push(change_set.clone());
            if let Some(role) = s
                .change_set_roles
                .iter()
                .find(|(arn, _)| *arn == change_set)
                .and_then(|(_, role)| role.clone())
            {
                s.role = Some(role);
            }
            s.deployed = s
                .bodies
                .iter()
                .find(|(arn, _)| *arn == change_set)
                .map(|(_, body)| body.clone());
            let base = s.events.len() + s.script.len();
            let script = self.operation(base, &s.name.clone(), update);
            s.script.extend(script);
            Ok(())
        })
    }

    fn template_summary(
        &self,
        _: &Session,
        stack: &str,
    ) -> BoxFuture<'_, Result<TemplateSummary, AwsError>> {
        let stack = stack.to_string();
        Box::pin(async move {
            self.check("template_summary")?;
            self.summary_stacks.lock().unwrap().push(stack.clone());
            let mut stacks = self.stacks.lock().unwrap();
            Ok(
                Self::find(&mut stacks, &stack).map_or_else(TemplateSummary::default, |s| {
                    let deployed = s
                        .deployed
                        .as_deref()
                        .and_then(|body| serde_json::from_str::<Value>(body).ok())
                        .map(|doc| TemplateSummary::of(&doc))
                        .unwrap_or_default();
                    TemplateSummary {
                        resources: s.resources,
                        ..deployed
                    }
                }),
            )
        })
    }

    fn events(&self, _: &Session, stack: &str) -> BoxFuture<'_, Result<Vec<StackEvent>, AwsError>> {
        let stack = stack.to_string();
        Box::pin(async move {
            self.hold("events").await;
            self.check("events")?;
            let mut stacks = self.stacks.lock().unwrap();
            let s = Self::find(&mut stacks, &stack)
                .ok_or_else(|| AwsError::NotFound(stack.clone().into()))?;
            // Operations take time: each look reveals one more event.
            if let Some(e) = s.script.pop_front() {
                s.events.push(e);
            }
            Ok(s.events.clone())
        })
    }

    fn continue_update_rollback(
        &self,
        _: &Session,
        stack: &str,
        _: &str,
        skip: &[String],
    ) -> BoxFuture<'_, Result<(), AwsError>> {
        let (stack, skip) = (stack.to_string(), skip.to_vec());
        Box::pin(async move {
            self.check("continue_update_rollback")?;
            self.rollback_skips.lock().unwrap().push(skip.clone());
            let mut stacks = self.stacks.lock().unwrap();
            let s = Self::find(&mut stacks, &stack)
                .ok_or_else(|| AwsError::NotFound(stack.clone().into()))?;
            // Like AWS: only a stack whose update rollback failed.
            if s.status() != "UPDATE_ROLLBACK_FAILED" {
                return Err(AwsError::Validation(
                    format!(
                        "Stack {} is in {} state and can not continue the rollback",
                        s.name,
                        s.status()
                    )
                    .into(),
                ));
            }
            // Like AWS: only what failed in the rollback may be skipped (not what failed in the
            // update itself, or was cancelled).
            let since = s
                .events
                .iter()
                .rposition(|e| e.status == "UPDATE_ROLLBACK_IN_PROGRESS")
                .unwrap_or(0);
            let mut stuck: Vec<(String, String)> = Vec::new();
            for e in &s.events[since..] {
                stuck.retain(|(id, _)| *id != e.logical_id);
                if e.status == "UPDATE_FAILED"
                    && !e.reason.as_deref().is_some_and(|r| r.contains("cancelled"))
                {
                    stuck.push((e.logical_id.clone(), e.resource_type.clone()));
                }
            }
            if let Some(bad) = skip.iter().find(|k| !stuck.iter().any(|(id, _)| id == *k)) {
                return Err(AwsError::Validation(
                    format!("Resource {bad} is not in UPDATE_FAILED state after a rollback and cannot be skipped").into(),
                ));
            }
            // The rollback goes on: what is skipped is marked rolled back as it is, the rest
            // is rolled back, and the stack ends UPDATE_ROLLBACK_COMPLETE; or, when
            // `rollback_fails_again`, fails again at what it does not skip.
            let again = std::mem::take(&mut *self.rollback_fails_again.lock().unwrap());
            let (n, name) = (s.events.len() + s.script.len(), s.name.clone());
            s.script.push_back(event(
                n + 1,
                &name,
                "AWS::CloudFormation::Stack",
                "UPDATE_ROLLBACK_IN_PROGRESS",
                Some("User Initiated"),
            ));
            let mut failed = false;
            for (i, (id, ty)) in stuck.iter().enumerate() {
                let (status, reason) = if skip.contains(id) {
                    ("UPDATE_COMPLETE", Some("Resource skipped during rollback"))
                } else if again {
                    failed = true;
                    (
                        "UPDATE_FAILED",
                        Some("Function code could not be restored, again"),
                    )
                } else {
                    ("UPDATE_COMPLETE", None)
                };
                s.script.push_back(event(n + 2 + i, id, ty, status, reason));
            }
            let end = if failed {
                "UPDATE_ROLLBACK_FAILED"
            } else {
                "UPDATE_ROLLBACK_COMPLETE"
            };
            s.script.push_back(event(
                n + 100,
                &name,
                "AWS::CloudFormation::Stack",
                end,
                None,
            ));
            Ok(())
        })
    }

    fn delete_stack(
        &self,
        _: &Session,
        stack: &str,
        token: &str,
        retain: &[String],
    ) -> BoxFuture<'_, Result<(), AwsError>> {
        let stack = stack.to_string();
        let token = token.to_string();
        let retain = retain.to_vec();
        Box::pin(async move {
            self.check("delete_stack")?;
            self.delete_tokens.lock().unwrap().push(token);
            self.delete_retains.lock().unwrap().push(retain.clone());
            let mut stacks = self.stacks.lock().unwrap();
            let s = Self::find(&mut stacks, &stack)
                .ok_or_else(|| AwsError::NotFound(stack.clone().into()))?;
            // Like AWS: RetainResources is for a stack whose delete failed.
            if !retain.is_empty() && s.status() != "DELETE_FAILED" {
                return Err(AwsError::Validation(
                    format!(
                        "Invalid operation on stack [{}]: RetainResources can only be specified when the stack is in the DELETE_FAILED state",
                        s.name
                    )
                    .into(),
                ));
            }
            let (n, name) = (s.events.len() + s.script.len(), s.name.clone());
            let ids: Vec<_> = self
                .plan
                .lock()
                .unwrap()
                .iter()
                .map(|p| (p.0.clone(), p.1.clone()))
                .collect();
            s.script.push_back(event(
                n + 1,
                &name,
                "AWS::CloudFormation::Stack",
                "DELETE_IN_PROGRESS",
                Some("User Initiated"),
            ));
            for (i, (id, ty)) in ids.iter().enumerate().step_by(3) {
                s.script
                    .push_back(event(n + 2 + i, id, ty, "DELETE_COMPLETE", None));
            }
            // What it keeps is skipped, as CloudFormation records a retained resource, with
            // the type its own events gave it.
            for (i, id) in retain.iter().enumerate() {
                let ty = s
                    .events
                    .iter()
                    .rev()
                    .find(|e| e.logical_id == *id)
                    .map(|e| e.resource_type.clone())
                    .unwrap_or_default();
                s.script
                    .push_back(event(n + 400 + i, id, &ty, "DELETE_SKIPPED", None));
            }
            s.script.push_back(event(
                n + 500,
                &name,
                "AWS::CloudFormation::Stack",
                "DELETE_COMPLETE",
                None,
            ));
            Ok(())
        })
    }
}
