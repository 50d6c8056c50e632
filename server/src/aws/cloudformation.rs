//! The CloudFormation port: change sets, stacks and their events. Every call runs with the
//! deployment's short-lived credentials, in the plan's region, on that session's client.

use std::time::SystemTime;

use aws_sdk_cloudformation::config::retry::RetryConfig;
use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Parameter, Tag};
use futures_util::future::BoxFuture;
use shared::api::{Change, Output};

use super::AwsError;
use super::sts::TempCredentials;

/// Who calls, where.
#[derive(Clone, Debug)]
pub struct Session {
    pub region: String,
    pub credentials: TempCredentials,
    /// Someone watches this session's waits (the poller): the SDK must not retry silently,
    /// [`super::retry`] does and tells them.
    pub watched: bool,
}

impl Session {
    /// The session's credentials as every SDK client takes them.
    pub fn sdk_credentials(&self) -> aws_credential_types::Credentials {
        let c = &self.credentials;
        aws_credential_types::Credentials::new(
            &c.access_key_id,
            &c.secret_access_key,
            Some(c.session_token.clone()),
            Some(c.expires),
            "stackplan-assumed-role",
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackInfo {
    pub id: String,
    pub name: String,
    pub status: String,
    /// Scrubbed of ARNs and account ids, as every reason here is.
    pub reason: Option<String>,
    pub outputs: Vec<Output>,
    /// The stack's tags, `(key, value)`.
    pub tags: Vec<(String, String)>,
    /// The stack's parameter values, `(key, value)`.
    pub parameters: Vec<(String, String)>,
    /// When the stack last changed, as CloudFormation says it: its last update's time (an
    /// update, its rollback), else its creation's. A request made before and after an
    /// operation is a new request.
    pub changed_at: Option<String>,
    /// When the stack was created (its `CreationTime`), Unix seconds: what its proof tag's
    /// time is held to.
    pub created: Option<i64>,
    /// The service role CloudFormation acts as for the stack (its `RoleARN`), which its proof
    /// tag covers.
    pub role: Option<String>,
    /// The change set the stack last ran (its ARN), when its last operation was one
    /// (DescribeStacks' `ChangeSetId`): what an update's progress counts.
    pub change_set: Option<String>,
}

impl StackInfo {
    /// A tag's value.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A parameter's value.
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The stack's own code bucket, when its function runs a zip (the `CodeBucketName` output;
    /// an image function's stack keeps the bucket without the output): named, as its template
    /// names it, by the stack's id, not read from the output's value.
    pub fn code_bucket(&self) -> Option<String> {
        self.output(shared::template::CODE_BUCKET_OUTPUT)
            .and_then(|_| shared::template::code_bucket_name(&self.id))
    }

    /// An output's value.
    pub fn output(&self, key: &str) -> Option<&str> {
        self.outputs
            .iter()
            .find(|o| o.key == key)
            .map(|o| o.value.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeSetInfo {
    pub id: String,
    /// The stack it belongs to.
    pub stack_id: String,
    pub status: String,
    pub reason: Option<String>,
    pub execution_status: Option<String>,
    pub changes: Vec<Change>,
}

/// A stack event, as CloudFormation records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackEvent {
    pub id: String,
    pub logical_id: String,
    pub resource_type: String,
    /// The resource's name or id in the account (an ARN for some types), empty when it has
    /// none yet.
    pub physical_id: String,
    pub status: String,
    pub reason: Option<String>,
    pub time: String,
}

impl StackEvent {
    /// Whether this event starts an operation (create, update, delete, import): a stack-level
    /// `*_IN_PROGRESS` of those. The events before it belong to earlier operations.
    pub fn starts_operation(&self) -> bool {
        self.resource_type == "AWS::CloudFormation::Stack"
            && matches!(
                self.status.as_str(),
                "CREATE_IN_PROGRESS"
                    | "UPDATE_IN_PROGRESS"
                    | "DELETE_IN_PROGRESS"
                    | "IMPORT_IN_PROGRESS"
            )
    }
}

/// What Stackplan reads from a stack's template.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateSummary {
    /// How many resources it declares: the progress bar's 100%.
    pub resources: usize,
    /// The share-link code of the plan it records (`Metadata.Stackplan.Plan`), when that
    /// decodes to a plan.
    pub plan_link: Option<String>,
    /// The platform its task runs on (`linux/amd64` or `linux/arm64`), for a Fargate service.
    pub platform: Option<String>,
    /// The distinct resource types it declares, sorted.
    pub resource_types: Vec<String>,
    /// Whether it declares the stack's code bucket (every Lambda template since image functions
    /// keep it; a zip function's before).
    pub code_bucket: bool,
    /// Its resources that hold data or stop a deletion ([`shared::template::held`]).
    pub held: Vec<shared::api::Held>,
    /// The architecture it runs: its recorded plan's, else told by its resources (a function
    /// or a service).
    pub kind: Option<shared::plan::ArchitectureKind>,
    /// Each parameter's default, by name (those that have a string default): what the plan
    /// it was made from chose, such as its image tag.
    pub defaults: std::collections::BTreeMap<String, String>,
}

impl TemplateSummary {
    pub fn of(template: &serde_json::Value) -> TemplateSummary {
        let arch = template["Resources"]["TaskDefinition"]["Properties"]["RuntimePlatform"]
            ["CpuArchitecture"]
            .as_str();
        let resources = template["Resources"].as_object();
        let recorded = shared::template::recorded_plan(template);
        let types: std::collections::BTreeSet<&str> = resources
            .into_iter()
            .flat_map(|r| r.values())
            .filter_map(|r| r["Type"].as_str())
            .collect();
        TemplateSummary {
            resources: resources.map_or(0, |r| r.len()),
            resource_types: types.iter().map(|t| t.to_string()).collect(),
            code_bucket: resources.is_some_and(|r| r.contains_key(shared::template::CODE_BUCKET)),
            held: shared::template::held(template),
            kind: recorded.as_ref().map(|(_, plan)| plan.kind()).or_else(|| {
                let has = |kind: &str| types.contains(kind);
                if has("AWS::Lambda::Function") {
                    Some(shared::plan::ArchitectureKind::Lambda)
                } else if has("AWS::ECS::Service") {
                    Some(shared::plan::ArchitectureKind::Fargate)
                } else {
                    None
                }
            }),
            plan_link: recorded.map(|(code, _)| code),
            defaults: template["Parameters"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(name, p)| Some((name.clone(), p["Default"].as_str()?.to_string())))
                .collect(),
            platform: arch.map(|a| {
                match a {
                    "ARM64" => "linux/arm64",
                    _ => "linux/amd64",
                }
                .to_string()
            }),
        }
    }
}

/// A stack to create (CreateStack), or what an update's change set asks of one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewStack {
    /// The stack's name, or, for an update, its id.
    pub stack_name: String,
    pub template_body: String,
    pub client_token: String,
    pub tags: Vec<(String, String)>,
    /// The service role CloudFormation creates the resources with.
    pub role_arn: Option<String>,
    /// Template parameters given a value, `(key, value)`.
    pub parameters: Vec<(String, String)>,
    /// The resource types the change set may use (`ResourceTypes`): CloudFormation refuses a
    /// template with others, and the deployer role refuses a request without them or with a
    /// type that is not Stackplan's (`deploy::change_set_types`).
    pub resource_types: Vec<String>,
}

/// An update's change set: the stack as the update leaves it, under a name of its own.
/// A new stack is never made through a change set: its stack would carry no tags until the
/// change set runs (`REVIEW_IN_PROGRESS` stacks have none on AWS), and the deployer role runs
/// change sets only on stacks with Stackplan's tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewChangeSet {
    pub stack: NewStack,
    pub change_set_name: String,
}

impl NewStack {
    fn sdk_tags(&self) -> Vec<Tag> {
        self.tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect()
    }

    fn sdk_parameters(&self) -> Vec<Parameter> {
        self.parameters
            .iter()
            .map(|(k, v)| {
                Parameter::builder()
                    .parameter_key(k)
                    .parameter_value(v)
                    .build()
            })
            .collect()
    }
}

/// The CloudFormation calls Stackplan makes.
pub trait CloudFormation: Send + Sync {
    fn stack(&self, s: &Session, stack: &str)
    -> BoxFuture<'_, Result<Option<StackInfo>, AwsError>>;
    /// Creates the stack (it starts at once); returns its id.
    fn create_stack(&self, s: &Session, c: NewStack) -> BoxFuture<'_, Result<String, AwsError>>;
    /// An update's change set; returns `(change set id, stack id)`.
    fn create_change_set(
        &self,
        s: &Session,
        c: NewChangeSet,
    ) -> BoxFuture<'_, Result<(String, String), AwsError>>;
    /// A change set by id, or by name within `stack`.
    fn change_set(
        &self,
        s: &Session,
        stack: &str,
        change_set: &str,
    ) -> BoxFuture<'_, Result<ChangeSetInfo, AwsError>>;
    fn execute_change_set(
        &self,
        s: &Session,
        stack: &str,
        change_set: &str,
        token: &str,
    ) -> BoxFuture<'_, Result<(), AwsError>>;
    /// Deletes a change set (by its ARN) that was never executed.
    fn delete_change_set(
        &self,
        s: &Session,
        stack: &str,
        change_set: &str,
    ) -> BoxFuture<'_, Result<(), AwsError>>;
    /// What the stack's current template declares: its resource count and the plan it
    /// records.
    fn template_summary(
        &self,
        s: &Session,
        stack: &str,
    ) -> BoxFuture<'_, Result<TemplateSummary, AwsError>>;
    /// The events of the stack's latest operation (and perhaps some older ones), oldest first.
    /// DescribeStackEvents pages newest first; reading stops at the page that holds the event
    /// starting the latest operation, so a stack with a long history costs one or two pages a
    /// look, not all of them.
    fn events(&self, s: &Session, stack: &str) -> BoxFuture<'_, Result<Vec<StackEvent>, AwsError>>;
    /// Continues the failed rollback of the stack's update (`UPDATE_ROLLBACK_FAILED`), leaving
    /// the resources `skip` names as they are (`ResourcesToSkip`).
    fn continue_update_rollback(
        &self,
        s: &Session,
        stack: &str,
        token: &str,
        skip: &[String],
    ) -> BoxFuture<'_, Result<(), AwsError>>;
    /// Deletes the stack; `retain` names resources a failed delete could not delete, to keep
    /// (`RetainResources`, for a stack in `DELETE_FAILED` only).
    fn delete_stack(
        &self,
        s: &Session,
        stack: &str,
        token: &str,
        retain: &[String],
    ) -> BoxFuture<'_, Result<(), AwsError>>;
}

/// CloudFormation through the AWS SDK. A client carries its credentials and region, so there is
/// one per assumed session, built when the session is first used and kept while its
/// credentials last (at most [`CLIENTS_KEPT`]); all of them share the SDK configuration's
/// HTTP connections, timeouts and retry settings.
pub struct SdkCloudFormation {
    base: aws_config::SdkConfig,
    endpoint: String,
    /// Each client with its session's expiry, oldest first.
    clients: std::sync::Mutex<Vec<(ClientKey, SystemTime, aws_sdk_cloudformation::Client)>>,
}

/// Sessions whose clients are kept; the oldest goes first.
pub const CLIENTS_KEPT: usize = 32;

#[derive(Clone, PartialEq, Eq)]
struct ClientKey {
    access_key_id: String,
    region: String,
    watched: bool,
}

impl SdkCloudFormation {
    pub fn new(sdk: &aws_config::SdkConfig, endpoint: String) -> Self {
        SdkCloudFormation {
            base: sdk.clone(),
            endpoint,
            clients: std::sync::Mutex::default(),
        }
    }

    /// The session's client: its credentials and region; the SDK's own retries are off when
    /// someone watches the session's waits.
    fn client(&self, s: &Session) -> aws_sdk_cloudformation::Client {
        self.client_at(s, SystemTime::now())
    }

    fn client_at(&self, s: &Session, now: SystemTime) -> aws_sdk_cloudformation::Client {
        let key = ClientKey {
            access_key_id: s.credentials.access_key_id.clone(),
            region: s.region.clone(),
            watched: s.watched,
        };
        let mut clients = self.clients.lock().expect("lock");
        // A client whose credentials have expired can do nothing: it goes.
        clients.retain(|(_, expires, _)| *expires > now);
        if let Some((_, _, client)) = clients.iter().find(|(k, _, _)| *k == key) {
            return client.clone();
        }
        let creds = s.sdk_credentials();
        let mut config = aws_sdk_cloudformation::config::Builder::from(&self.base)
            .region(aws_sdk_cloudformation::config::Region::new(
                s.region.clone(),
            ))
            .credentials_provider(creds);
        if s.watched {
            config = config.retry_config(RetryConfig::disabled());
        }
        let client = aws_sdk_cloudformation::Client::from_conf(config.build());
        if clients.len() >= CLIENTS_KEPT {
            clients.remove(0);
        }
        clients.push((key, s.credentials.expires, client.clone()));
        client
    }

    /// Clients kept now.
    #[cfg(test)]
    fn kept(&self) -> usize {
        self.clients.lock().expect("lock").len()
    }

    /// Mutations are never retried by the SDK (see the module's notes).
    fn no_retries() -> aws_sdk_cloudformation::config::Builder {
        aws_sdk_cloudformation::config::Builder::default().retry_config(RetryConfig::disabled())
    }

    fn err<E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + 'static>(
        &self,
        e: aws_sdk_cloudformation::error::SdkError<E, aws_sdk_sts::config::http::HttpResponse>,
    ) -> AwsError {
        super::classify(&e, &self.endpoint)
    }
}

fn opt(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(String::from)
}

/// A reason CloudFormation gives (a change set's, a stack's, an event's), scrubbed: it can name
/// roles, principals and resources by ARN ("User: arn:aws:sts::…:assumed-role/… is not
/// authorized …").
fn reason(s: Option<&str>) -> Option<String> {
    opt(s).map(|s| super::scrub(&s))
}

/// At most this many further pages of a change set's changes are read (a template has at most
/// 500 resources, and a page holds many of them).
const CHANGE_SET_PAGES: usize = 50;

fn change_set_info(
    out: &aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput,
    id: &str,
) -> ChangeSetInfo {
    let changes = out
        .changes()
        .iter()
        .filter_map(|c| c.resource_change())
        .map(|r| Change {
            action: r
                .action()
                .map(|a| a.as_str().to_string())
                .unwrap_or_default(),
            logical_id: r.logical_resource_id().unwrap_or_default().into(),
            resource_type: r.resource_type().unwrap_or_default().into(),
            replacement: r.replacement().map(|x| x.as_str().to_string()),
        })
        .collect();
    ChangeSetInfo {
        id: out.change_set_id().unwrap_or(id).to_string(),
        stack_id: out.stack_id().unwrap_or_default().to_string(),
        status: out
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        reason: reason(out.status_reason()),
        execution_status: out.execution_status().map(|s| s.as_str().to_string()),
        changes,
    }
}

impl CloudFormation for SdkCloudFormation {
    fn stack(
        &self,
        s: &Session,
        stack: &str,
    ) -> BoxFuture<'_, Result<Option<StackInfo>, AwsError>> {
        let call = self.client(s).describe_stacks().stack_name(stack);
        Box::pin(async move {
            let out = match call.send().await {
                Ok(out) => out,
                Err(e) => {
                    return match self.err(e) {
                        AwsError::NotFound(_) => Ok(None),
                        other => Err(other),
                    };
                }
            };
            Ok(out.stacks().first().map(|st| StackInfo {
                created: st.creation_time().map(|t| t.secs()),
                role: st.role_arn().map(String::from),
                changed_at: st
                    .last_updated_time()
                    .or(st.creation_time())
                    .map(|t| format!("{}.{:09}", t.secs(), t.subsec_nanos())),
                change_set: st.change_set_id().map(String::from),
                id: st.stack_id().unwrap_or_default().to_string(),
                name: st.stack_name().unwrap_or_default().to_string(),
                status: st
                    .stack_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                reason: reason(st.stack_status_reason()),
                outputs: st
                    .outputs()
                    .iter()
                    .map(|o| Output {
                        key: o.output_key().unwrap_or_default().into(),
                        value: o.output_value().unwrap_or_default().into(),
                        description: o.description().unwrap_or_default().into(),
                    })
                    .collect(),
                parameters: st
                    .parameters()
                    .iter()
                    .map(|p| {
                        (
                            p.parameter_key().unwrap_or_default().to_string(),
                            p.parameter_value().unwrap_or_default().to_string(),
                        )
                    })
                    .collect(),
                tags: st
                    .tags()
                    .iter()
                    .map(|t| {
                        (
                            t.key().unwrap_or_default().to_string(),
                            t.value().unwrap_or_default().to_string(),
                        )
                    })
                    .collect(),
            }))
        })
    }

    fn create_stack(&self, s: &Session, c: NewStack) -> BoxFuture<'_, Result<String, AwsError>> {
        let call = self
            .client(s)
            .create_stack()
            .stack_name(&c.stack_name)
            .template_body(&c.template_body)
            .capabilities(Capability::CapabilityIam)
            .client_request_token(&c.client_token)
            .set_tags(Some(c.sdk_tags()))
            .set_role_arn(c.role_arn.clone())
            .set_resource_types(Some(c.resource_types.clone()))
            .set_parameters(Some(c.sdk_parameters()))
            // A failed create deletes what it made, the data its template retains too: kept,
            // it would stay in the account, billed, outside any stack, and a retry would make
            // more. What a finished stack retains is kept at its deletion, as the template says.
            .retain_except_on_create(true)
            .customize()
            .config_override(Self::no_retries());
        Box::pin(async move {
            let out = call.send().await.map_err(|e| self.err(e))?;
            Ok(out.stack_id().unwrap_or_default().to_string())
        })
    }

    fn create_change_set(
        &self,
        s: &Session,
        c: NewChangeSet,
    ) -> BoxFuture<'_, Result<(String, String), AwsError>> {
        let call = self
            .client(s)
            .create_change_set()
            .stack_name(&c.stack.stack_name)
            .change_set_name(&c.change_set_name)
            .template_body(&c.stack.template_body)
            .change_set_type(ChangeSetType::Update)
            .capabilities(Capability::CapabilityIam)
            .client_token(&c.stack.client_token)
            .set_tags(Some(c.stack.sdk_tags()))
            .set_role_arn(c.stack.role_arn.clone())
            .set_resource_types(Some(c.stack.resource_types.clone()))
            .set_parameters(Some(c.stack.sdk_parameters()))
            .customize()
            .config_override(Self::no_retries());
        Box::pin(async move {
            let out = call.send().await.map_err(|e| self.err(e))?;
            Ok((
                out.id().unwrap_or_default().to_string(),
                out.stack_id().unwrap_or_default().to_string(),
            ))
        })
    }

    fn change_set(
        &self,
        s: &Session,
        stack: &str,
        change_set: &str,
    ) -> BoxFuture<'_, Result<ChangeSetInfo, AwsError>> {
        let call = self
            .client(s)
            .describe_change_set()
            .stack_name(stack)
            .change_set_name(change_set);
        let id = change_set.to_string();
        Box::pin(async move {
            // DescribeChangeSet pages its changes (`NextToken`): a change that replaces or
            // removes a resource holding data may be on any page, and the review must see it.
            let mut info: Option<ChangeSetInfo> = None;
            let mut next: Option<String> = None;
            for _ in 0..=CHANGE_SET_PAGES {
                let page = call
                    .clone()
                    .set_next_token(next.take())
                    .send()
                    .await
                    .map_err(|e| self.err(e))?;
                let read = change_set_info(&page, &id);
                match &mut info {
                    Some(info) => info.changes.extend(read.changes),
                    None => info = Some(read),
                }
                next = page
                    .next_token()
                    .filter(|t| !t.is_empty())
                    .map(String::from);
                if next.is_none() {
                    return Ok(info.expect("a page was read"));
                }
            }
            Err(AwsError::Other(
                format!("the change set's changes run past {CHANGE_SET_PAGES} pages").into(),
            ))
        })
    }

    fn execute_change_set(
        &self,
        s: &Session,
        stack: &str,
        change_set: &str,
        token: &str,
    ) -> BoxFuture<'_, Result<(), AwsError>> {
        let call = self
            .client(s)
            .execute_change_set()
            .stack_name(stack)
            .change_set_name(change_set)
            .client_request_token(token)
            // A failed update deletes what it added, retained or not (as a failed create).
            .retain_except_on_create(true)
            .customize()
            .config_override(Self::no_retries());
        Box::pin(async move {
            call.send().await.map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    fn delete_change_set(
        &self,
        s: &Session,
        stack: &str,
        change_set: &str,
    ) -> BoxFuture<'_, Result<(), AwsError>> {
        let call = self
            .client(s)
            .delete_change_set()
            .stack_name(stack)
            .change_set_name(change_set);
        Box::pin(async move {
            call.send().await.map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    fn template_summary(
        &self,
        s: &Session,
        stack: &str,
    ) -> BoxFuture<'_, Result<TemplateSummary, AwsError>> {
        let call = self.client(s).get_template().stack_name(stack);
        Box::pin(async move {
            let out = call.send().await.map_err(|e| self.err(e))?;
            let body = out.template_body().unwrap_or_default();
            let doc: serde_json::Value = serde_json::from_str(body).map_err(|e| {
                AwsError::Other(format!("the stack's template is not JSON: {e}").into())
            })?;
            Ok(TemplateSummary::of(&doc))
        })
    }

    fn events(&self, s: &Session, stack: &str) -> BoxFuture<'_, Result<Vec<StackEvent>, AwsError>> {
        let mut pages = self
            .client(s)
            .describe_stack_events()
            .stack_name(stack)
            .into_paginator()
            .send();
        Box::pin(async move {
            let mut events: Vec<StackEvent> = Vec::new();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| self.err(e))?;
                let before = events.len();
                events.extend(page.stack_events().iter().map(|e| {
                    StackEvent {
                        id: e.event_id().unwrap_or_default().into(),
                        logical_id: e.logical_resource_id().unwrap_or_default().into(),
                        resource_type: e.resource_type().unwrap_or_default().into(),
                        physical_id: e.physical_resource_id().unwrap_or_default().into(),
                        status: e
                            .resource_status()
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_default(),
                        reason: reason(e.resource_status_reason()),
                        time: e
                            .timestamp()
                            .and_then(|t| {
                                t.fmt(aws_sdk_cloudformation::primitives::DateTimeFormat::DateTime)
                                    .ok()
                            })
                            .unwrap_or_default(),
                    }
                }));
                if events[before..].iter().any(StackEvent::starts_operation) {
                    break; // older pages hold only earlier operations
                }
            }
            events.reverse();
            Ok(events)
        })
    }

    fn continue_update_rollback(
        &self,
        s: &Session,
        stack: &str,
        token: &str,
        skip: &[String],
    ) -> BoxFuture<'_, Result<(), AwsError>> {
        let call = self
            .client(s)
            .continue_update_rollback()
            .stack_name(stack)
            .set_resources_to_skip((!skip.is_empty()).then(|| skip.to_vec()))
            .client_request_token(token)
            .customize()
            .config_override(Self::no_retries());
        Box::pin(async move {
            call.send().await.map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    fn delete_stack(
        &self,
        s: &Session,
        stack: &str,
        token: &str,
        retain: &[String],
    ) -> BoxFuture<'_, Result<(), AwsError>> {
        let call = self
            .client(s)
            .delete_stack()
            .stack_name(stack)
            .set_retain_resources((!retain.is_empty()).then(|| retain.to_vec()))
            .client_request_token(token)
            .customize()
            .config_override(Self::no_retries());
        Box::pin(async move {
            call.send().await.map_err(|e| self.err(e))?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;

    fn session(key_id: &str, expires: SystemTime) -> Session {
        Session {
            region: "us-east-1".into(),
            credentials: TempCredentials {
                access_key_id: key_id.into(),
                secret_access_key: "wJalrXUtnFEMIEXAMPLEKEY".into(),
                session_token: "FwoGZXIvYXdzEXAMPLETOKEN".into(),
                expires,
            },
            watched: false,
        }
    }

    #[test]
    fn a_client_is_kept_while_its_credentials_last() {
        let sdk = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let cf = SdkCloudFormation::new(
            &sdk,
            "https://cloudformation.us-east-1.amazonaws.com".into(),
        );
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let hour = Duration::from_secs(3600);
        let soon = session("ASIASOON", t0 + hour);
        let later = session("ASIALATER", t0 + 2 * hour);
        cf.client_at(&soon, t0);
        cf.client_at(&later, t0);
        cf.client_at(&later, t0);
        assert_eq!(cf.kept(), 2, "one client per session");
        cf.client_at(&later, t0 + hour);
        assert_eq!(cf.kept(), 1, "the expired session's client went");
        cf.client_at(&later, t0 + 2 * hour);
        assert_eq!(
            cf.kept(),
            1,
            "a client is made for the session, and goes at the next use"
        );
        cf.client_at(&soon, t0 + 3 * hour);
        assert_eq!(cf.kept(), 1);
    }
}
