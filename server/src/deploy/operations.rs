//! The deploy operations behind the API: create a stack, or an update's change set and execute
//! it, read a stack's status, delete a stack.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use shared::api::{
    ChangeSet, CreateDeployment, Created, ImageCheck, ImageWait, LogicalId, SandboxReport, Status,
};
use shared::template;
use shared::validate::ValidPlan;

use super::errors::DeployError;
use super::id::{Deployment, IdKey, ProofOf};
use super::policy::Access;
use super::progress;
use super::sandbox;
use super::service::Deployer;
use super::values::TagSource;
use super::{MANAGED_TAG, MANAGED_VALUE, OWNER_TAG, PROOF_TAG, StackArn};
use crate::auth::{Grant, Owner};
use crate::aws::cloudformation::{
    ChangeSetInfo, CloudFormation, NewChangeSet, NewStack, Session, StackEvent, StackInfo,
    TemplateSummary,
};
use crate::aws::{AwsError, WaitListener, unwatched};

/// How long a change-set POST waits for CloudFormation before answering `202` (well within
/// the server's 30 s limit on every answer).
pub const CHANGE_SET_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

impl Deployer {
    /// One CloudFormation call, retried while throttled; `listener` hears each wait.
    pub(super) async fn call<T: Send + 'static>(
        &self,
        session: &Session,
        listener: WaitListener<'_>,
        f: impl Fn(Arc<dyn CloudFormation>, Session) -> BoxFuture<'static, Result<T, AwsError>>,
    ) -> Result<T, AwsError> {
        crate::aws::retry(
            self.config.backoff,
            || f(self.cfn.clone(), session.clone()),
            listener,
        )
        .await
    }

    /// The deployment an id names, if this server signed it; nothing else reaches AWS.
    pub(super) fn decode(&self, id: &str) -> Result<Deployment, DeployError> {
        Deployment::decode(id, &self.config.id_key)
            .ok_or_else(|| DeployError::UnknownDeployment("no such deployment".into()))
    }

    /// The signed id of a deployment.
    pub(super) fn sign(&self, stack: &StackArn, change_set: Option<&str>) -> String {
        Deployment {
            stack: stack.clone(),
            change_set: change_set.map(String::from),
        }
        .id(&self.config.id_key)
    }

    /// The deployment id of an existing stack, for a refusal to carry: only ever called once
    /// the stack is proved the token's own.
    fn id_of(&self, stack: &StackInfo) -> Option<String> {
        StackArn::parse(&stack.id).map(|arn| self.sign(&arn, None))
    }

    /// `POST /api/deployments`: checks the plan, assumes the role, creates the stack (or an
    /// update's change set).
    pub async fn create(
        &self,
        grant: &Grant,
        request: CreateDeployment,
    ) -> Result<Created, DeployError> {
        super::valid_stack_name(&request.stack_name).map_err(DeployError::StackName)?;
        if let Some(problem) = grant.stack_name_problem(&request.stack_name) {
            return Err(DeployError::StackName(problem));
        }
        // Only errors refuse a plan: its warnings (given with them) are not its problems.
        let valid = ValidPlan::new(request.plan).map_err(|found| DeployError::InvalidPlan {
            problems: found
                .into_iter()
                .filter(|p| p.severity == shared::validate::Severity::Error)
                .collect(),
            more: false,
        })?;
        let template = template::generate(&valid);
        let body = template.to_json();
        let doc = template.tree();
        if let Some(sent) = &request.template
            && *sent != body
            && *sent != template.to_yaml()
        {
            return Err(DeployError::TemplateMismatch);
        }
        let given = super::parameters::check(doc, &request.parameters)
            .map_err(DeployError::InvalidParameters)?;
        let report = match self.config.target {
            shared::api::Target::Sandbox { .. } => sandbox::check(&template),
            shared::api::Target::Aws => SandboxReport::default(),
        };
        if !report.blockers.is_empty() {
            return Err(DeployError::SandboxUnsupported(report.blockers));
        }
        let roles = self.roles_for(grant, request.role_arn.as_deref())?;
        let mut beyond = shared::reach::check(valid.plan(), &roles.reach(&self.config.target));
        beyond.extend(super::values::foreign_image(valid.plan(), grant, &roles));
        if !beyond.is_empty() {
            return Err(DeployError::BeyondBootstrap(
                beyond
                    .into_iter()
                    .map(|(path, message)| shared::api::PlanProblem {
                        path: format!("plan.{path}"),
                        message,
                    })
                    .collect(),
            ));
        }
        let region = valid.plan().region.code().to_string();
        let name = request.stack_name.clone();
        let session = self.session(&roles, &name, &region, Access::Deploy).await?;

        let existing = self
            .call(&session, &unwatched, |cfn, s| {
                let n = name.clone();
                Box::pin(async move { cfn.stack(&s, &n).await })
            })
            .await?;
        // Only a stack Stackplan made for this token's owner may be updated; another of the
        // same name is left alone.
        if let Some(st) = &existing
            && !made_for(&self.config.id_key, st, grant.owner.as_ref())
        {
            return Err(not_proved(
                st,
                grant.owner.as_ref(),
                &name,
                DeployError::NotManaged { name: name.clone() },
            ));
        }
        // A stack being created may be this very request's, sent again (its answer lost): that
        // is decided once the request is complete, below.
        let retrying = existing
            .as_ref()
            .filter(|st| st.status == CREATING && !request.update);
        // The stack this request updates (or offers to), if any.
        let updating = existing.as_ref().filter(|_| retrying.is_none());
        let update = updating.is_some();
        // Busy or failed stacks are refused as they are, before anything else is read; the
        // offer to update an existing stack waits for its architecture to be known.
        let offer = match updating.and_then(|st| {
            let deployment = self.id_of(st);
            refusal(st, &name, &region, request.update, deployment)
        }) {
            Some(offer @ DeployError::StackExists { .. }) => Some(offer),
            Some(refused) => return Err(refused),
            None => None,
        };
        // The template of a stack this request would update (or offer to): what it holds, the
        // plan it records (for the cost of the change), its architecture. Optional: a stack
        // whose template cannot be read still gets its update. It is read by the ARN whose tag
        // was just checked, not by name: a stack made under that name since is not this one.
        let deployed = match updating {
            Some(stack) => {
                let id = stack.id.clone();
                self.call(&session, &unwatched, |cfn, s| {
                    let id = id.clone();
                    Box::pin(async move { cfn.template_summary(&s, &id).await })
                })
                .await
                .ok()
            }
            None => None,
        };
        // A plan of the other architecture would take out everything the stack holds: it goes
        // to a stack of its own (and a Lambda stack's code bucket, kept under its fixed name
        // when a Fargate plan took it out, would collide when a Lambda plan came back). Said
        // before the offer to update, which could only end here.
        if let Some(old) = deployed.as_ref().and_then(|d| d.kind)
            && old != valid.plan().kind()
        {
            return Err(DeployError::ArchitectureChange {
                name,
                deployed: old.label(),
                planned: valid.plan().kind().label(),
            });
        }
        if let Some(offer) = offer {
            return Err(offer);
        }
        let resource_types = super::change_set_types(
            template
                .resources()
                .values()
                .filter_map(|r| r["Type"].as_str()),
            deployed.as_ref().map(|d| d.resource_types.as_slice()),
            update,
        );
        // Unread, the deployed template is taken to have the bucket when the new one has it.
        let had_code_bucket = deployed.as_ref().map_or_else(
            || template.resources().contains_key(template::CODE_BUCKET),
            |d| d.code_bucket,
        );
        let (deployed_plan, deployed_holds, deployed_defaults) = deployed
            .map_or((None, Vec::new(), None), |t| {
                (t.plan_link, t.held, Some(t.defaults))
            });
        let key_given = given
            .iter()
            .any(|(k, _)| k == super::parameters::CODE_KEY_PARAMETER);
        // Every role the stack creates carries the account's permissions boundary.
        let mut parameters = given;
        // An update keeps what the request leaves out (the code it runs, the image tag), as
        // CloudFormation's "use existing value": its default would put a function back on the
        // placeholder and a service back on the plan's first tag. Unless the plan changed that
        // default (a new image tag in the plan): the plan's is then the one meant.
        if let Some(stack) = updating {
            let declared = doc["Parameters"].as_object();
            for (name, spec) in declared.into_iter().flatten() {
                let replanned = deployed_defaults.as_ref().is_some_and(|before| {
                    before.get(name).map(String::as_str) != spec["Default"].as_str()
                });
                let kept = !super::parameters::SERVER_OWNED.contains(&name)
                    && !parameters.iter().any(|(k, _)| k == name)
                    && !replanned;
                if let Some(value) = stack.parameter(name).filter(|_| kept) {
                    parameters.push((name.to_string(), value.to_string()));
                }
            }
        }
        // The stack's own code bucket, named by its id, once the stack has it: a zip
        // function's stack names it in an output; an image function's keeps it without one (the
        // zips uploaded before are still there for the move back). A bucket the update only
        // adds is empty: code named in it would fail the update, and the rollback would leave
        // the retained bucket behind, under the name every later update needs.
        let own_bucket = updating
            .filter(|s| had_code_bucket || s.code_bucket().is_some())
            .and_then(|s| template::code_bucket_name(&s.id));
        if let Some(problem) = super::parameters::foreign_code_bucket(
            doc,
            &parameters,
            own_bucket.as_deref(),
            grant.code_buckets.as_deref(),
        )
        .or_else(|| super::parameters::key_without_bucket(doc, &parameters, key_given))
        {
            return Err(DeployError::InvalidParameters(vec![problem]));
        }
        if let Some(arn) = &roles.permissions_boundary_arn
            && doc["Parameters"]
                .get(template::BOUNDARY_PARAMETER)
                .is_some()
        {
            parameters.push((template::BOUNDARY_PARAMETER.to_string(), arn.clone()));
        }
        // A service on the stack's own repository starts only once its image is there.
        if doc["Parameters"]
            .get(template::IMAGE_READY_PARAMETER)
            .is_some()
        {
            let tag = super::parameters::value(doc, &parameters, template::IMAGE_TAG_PARAMETER)
                .unwrap_or_default()
                .to_string();
            let ready = match &existing {
                Some(stack) if update => self.image_ready(&roles, stack, &region, &tag).await?,
                // A new stack's repository is new, so empty.
                _ => false,
            };
            parameters.retain(|(k, _)| k != template::IMAGE_TAG_PARAMETER);
            parameters.push((template::IMAGE_TAG_PARAMETER.to_string(), tag));
            parameters.push((
                template::IMAGE_READY_PARAMETER.to_string(),
                ready.to_string(),
            ));
        }
        // The same create again: the stack it started is the answer, while it is being
        // created from this very plan with these very parameters; any other waits.
        // Only a new stack's request is known again this way (an update's by its change set).
        let asked = (!update).then(|| Asked::of(valid.plan(), doc, &parameters));
        if let (Some(st), Some(asked)) = (retrying, &asked) {
            return self
                .answer_retry(&session, st, asked, report, resources_of(&template))
                .await;
        }
        // The secrets, parameters and image it reads are there: asked once the stack may be
        // acted on and the request is known to be a new one (a create sent again, whose stack
        // is being made, was answered above), before anything is made.
        let mut missing = self
            .missing_values(&roles, valid.plan(), &name, &region)
            .await?;
        if let Some(tag) = super::parameters::value(doc, &parameters, template::IMAGE_TAG_PARAMETER)
        {
            let stack_tag = updating.and_then(|s| s.parameter(template::IMAGE_TAG_PARAMETER));
            let source = if request
                .parameters
                .contains_key(template::IMAGE_TAG_PARAMETER)
            {
                TagSource::Given("parameters.ImageTag")
            } else if valid.plan().fargate().is_some_and(|f| f.image_tag == tag) {
                TagSource::Given("plan.fargate.image_tag")
            } else if stack_tag == Some(tag) {
                TagSource::Running
            } else {
                TagSource::Default
            };
            // The tag the stack runs, of the image it runs: an update that keeps both is not
            // asked again (the deployed plan says which image; unread, it is asked).
            let same_image = deployed_plan
                .as_deref()
                .and_then(|link| shared::link::decode(link).ok())
                .is_some_and(|before| before.image() == valid.plan().image());
            let running = stack_tag.filter(|_| same_image);
            missing.extend(
                self.missing_image(&roles, valid.plan(), &name, (tag, source), running)
                    .await?,
            );
        }
        if !missing.is_empty() {
            tracing::info!(
                stack = name,
                missing = missing.len(),
                "a deploy reads what the account does not have"
            );
            return Err(DeployError::MissingValues(missing));
        }
        // The request's name: its change set's, or a new stack's request token. The same
        // request again is known by it.
        let change_set_name = super::change_set_name(
            &self.config.id_key,
            &name,
            &body,
            &roles.role_arn,
            &parameters,
            grant.owner.as_ref().map(Owner::as_str),
            updating.and_then(|st| st.changed_at.as_deref()),
        );
        // The same request again finds the change set it made before (its name and token are
        // the request's). One CloudFormation failed would be answered again, so the request
        // could not be retried until the plan changed: it goes first.
        let dropped = match &existing {
            Some(stack) => {
                self.drop_stale_change_set(&session, stack, &change_set_name)
                    .await?
            }
            None => None,
        };
        // An update names the stack by the id whose tag was checked above: a stack of the same
        // name made in the meantime (the checked one deleted) is not the one CloudFormation
        // changes. The deployer role's own condition is only on the request's tags.
        let target = match &existing {
            Some(stack) if update => stack.id.clone(),
            _ => name.clone(),
        };
        // An update keeps the stack's proof, checked above: it is of the stack's creation and
        // role. An update that gives the stack another execution role (a bootstrap made
        // anew) gets a proof of that role and the same creation time, or the stack would no
        // longer be proved Stackplan's once the change set runs. A new stack's proof is of
        // this request, at this time.
        let kept = existing
            .as_ref()
            .filter(|_| update)
            .filter(|stack| stack.role.as_deref() == roles.execution_role_arn.as_deref())
            .and_then(|stack| stack.tag(PROOF_TAG));
        let asked_at = existing
            .as_ref()
            .filter(|_| update)
            .and_then(|stack| stack.created)
            .unwrap_or_else(unix_now);
        let proof = match kept.map(String::from) {
            Some(proof) => proof,
            None => {
                let account = roles
                    .account()
                    .ok_or_else(|| super::RoleError::Malformed(roles.role_arn.clone()))?;
                let of = ProofOf {
                    account,
                    region: &region,
                    name: &name,
                    owner: grant.owner.as_ref().map(Owner::as_str),
                    role: roles.execution_role_arn.as_deref(),
                };
                self.config.id_key.stack_proof(&of, asked_at)
            }
        };
        let new = NewStack {
            stack_name: target.clone(),
            template_body: body,
            // A request token CloudFormation has seen is taken for a retry of that request:
            // the change set made again after a failed one needs a token of its own.
            client_token: match &dropped {
                Some(failed) => format!(
                    "{change_set_name}-{}",
                    &super::digest(&[failed.as_str()])[..12]
                ),
                None => change_set_name.clone(),
            },
            tags: template::stack_tags(valid.plan())
                .into_iter()
                .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string()))
                .chain([
                    (MANAGED_TAG.to_string(), MANAGED_VALUE.to_string()),
                    (PROOF_TAG.to_string(), proof),
                ])
                .chain(
                    grant
                        .owner
                        .iter()
                        .map(|o| (OWNER_TAG.to_string(), o.as_str().to_string())),
                )
                .collect(),
            role_arn: roles.execution_role_arn.clone(),
            parameters,
            resource_types,
        };
        let resources = resources_of(&template);
        if let Some(asked) = &asked {
            return self
                .create_stack(&session, grant, new, asked, region, resources, report)
                .await;
        }
        let new = NewChangeSet {
            stack: new,
            change_set_name: change_set_name.clone(),
        };
        let created = self
            .call(&session, &unwatched, |cfn, s| {
                let n = new.clone();
                Box::pin(async move { cfn.create_change_set(&s, n).await })
            })
            .await;
        let change_set_ref = match created {
            Ok((_, stack)) if stack != target => {
                tracing::warn!(stack = name, "an update's change set named another stack");
                return Err(DeployError::NotManaged { name });
            }
            Ok((id, _)) => id,
            // The same request again: its change set already exists, so answer with that one.
            Err(AwsError::AlreadyExists(_)) if existing.is_some() => change_set_name.clone(),
            Err(e) => return Err(e.into()),
        };
        tracing::info!(
            change_set = change_set_name,
            stack = name,
            region,
            "change set created"
        );
        let info = self
            .settled_change_set(&session, &target, &change_set_ref)
            .await
            .map_err(|e| match e {
                // Nothing to change: the answer names the stack, proved the token's above.
                DeployError::NoChanges { .. } => DeployError::NoChanges {
                    deployment: updating.and_then(|st| self.id_of(st)),
                },
                e => e,
            })?;
        let stack = self
            .call(&session, &unwatched, |cfn, s| {
                let n = target.clone();
                Box::pin(async move { cfn.stack(&s, &n).await })
            })
            .await?
            .ok_or_else(|| {
                AwsError::NotFound(
                    format!("stack {name} vanished after its change set was made").into(),
                )
            })?;
        // The change set is on the stack whose tag was checked (by its id), and the stack is
        // still Stackplan's for this owner.
        if !made_for(&self.config.id_key, &stack, grant.owner.as_ref()) {
            tracing::warn!(stack = name, "the stack is no longer this token's");
            return Err(DeployError::NotManaged { name });
        }
        let arn = StackArn::parse(&stack.id)
            .ok_or_else(|| AwsError::Other(format!("unexpected stack id {}", stack.id).into()))?;
        Ok(Created {
            id: self.sign(&arn, Some(&change_set_name)),
            stack_name: name,
            region,
            status: stack.status,
            change_set: Some(ChangeSet {
                name: change_set_name,
                status: info.status,
                changes: info.changes,
            }),
            resources,
            sandbox: report,
            deployed_plan,
            deployed_holds,
        })
    }

    /// The answer to a create whose stack of the name (proved this owner's) is being created:
    /// that stack, when it is being made as `asked` (the same request again, its answer lost),
    /// else `stack_busy`.
    async fn answer_retry(
        &self,
        session: &Session,
        stack: &StackInfo,
        asked: &Asked,
        sandbox: SandboxReport,
        resources: u32,
    ) -> Result<Created, DeployError> {
        let id = stack.id.clone();
        let deployed = self
            .call(session, &unwatched, |cfn, s| {
                let id = id.clone();
                Box::pin(async move { cfn.template_summary(&s, &id).await })
            })
            .await?;
        let same = deployed.plan_link.is_some()
            && deployed.plan_link == asked.plan_link
            && asked.parameters.iter().all(|(k, want, default)| {
                stack.parameter(k).or(default.as_deref()) == want.as_deref()
            });
        if !same {
            return Err(DeployError::Busy {
                name: stack.name.clone(),
                status: stack.status.clone(),
                deployment: self.id_of(stack),
            });
        }
        self.being_created(stack, resources, sandbox)
    }

    /// The answer for a new stack (this owner's) CloudFormation is creating.
    fn being_created(
        &self,
        stack: &StackInfo,
        resources: u32,
        sandbox: SandboxReport,
    ) -> Result<Created, DeployError> {
        let arn = StackArn::parse(&stack.id)
            .ok_or_else(|| AwsError::Other(format!("unexpected stack id {}", stack.id).into()))?;
        Ok(Created {
            id: self.sign(&arn, None),
            stack_name: arn.name.clone(),
            region: arn.region.clone(),
            status: stack.status.clone(),
            change_set: None,
            resources,
            sandbox,
            deployed_plan: None,
            deployed_holds: Vec::new(),
        })
    }

    /// Creates a new stack (CreateStack, with its tags from the start) and answers it, being
    /// created. Named by its name: there is no stack of that name to name by id.
    #[allow(clippy::too_many_arguments)]
    async fn create_stack(
        &self,
        session: &Session,
        grant: &Grant,
        new: NewStack,
        asked: &Asked,
        region: String,
        resources: u32,
        report: SandboxReport,
    ) -> Result<Created, DeployError> {
        let name = new.stack_name.clone();
        let created = self
            .call(session, &unwatched, |cfn, s| {
                let n = new.clone();
                Box::pin(async move { cfn.create_stack(&s, n).await })
            })
            .await;
        let stack_id =
            match created {
                Ok(id) => id,
                // A stack of this name was made since it was looked up (the same request twice at
                // once, or another): answered as if it had been there when it was looked up.
                Err(AwsError::AlreadyExists(_)) => {
                    let other = self
                        .call(session, &unwatched, |cfn, s| {
                            let n = name.clone();
                            Box::pin(async move { cfn.stack(&s, &n).await })
                        })
                        .await?;
                    let other = match other {
                        Some(st) if made_for(&self.config.id_key, &st, grant.owner.as_ref()) => st,
                        Some(st) => {
                            return Err(not_proved(
                                &st,
                                grant.owner.as_ref(),
                                &name,
                                DeployError::NotManaged { name: name.clone() },
                            ));
                        }
                        None => return Err(DeployError::NotManaged { name }),
                    };
                    if other.status == CREATING {
                        return self
                            .answer_retry(session, &other, asked, report, resources)
                            .await;
                    }
                    let deployment = self.id_of(&other);
                    return Err(refusal(&other, &name, &region, false, deployment.clone())
                        .unwrap_or(DeployError::StackExists {
                            name,
                            region,
                            status: other.status,
                            deployment,
                        }));
                }
                Err(e) => return Err(e.into()),
            };
        tracing::info!(stack = name, region, "stack creation started");
        let stack = self
            .call(session, &unwatched, |cfn, s| {
                let id = stack_id.clone();
                Box::pin(async move { cfn.stack(&s, &id).await })
            })
            .await?
            .filter(|st| {
                st.id == stack_id && made_for(&self.config.id_key, st, grant.owner.as_ref())
            })
            .ok_or_else(|| {
                AwsError::NotFound(format!("stack {name} is not as it was created").into())
            })?;
        self.being_created(&stack, resources, report)
    }

    /// Whether an update may run the service: its image tag is in the stack's own repository.
    /// A stack still waiting for its image goes on waiting; a running service is never
    /// pointed at an image that is not there (its tasks would fail, and the stack roll back).
    async fn image_ready(
        &self,
        roles: &super::service::AccountRoles,
        stack: &StackInfo,
        region: &str,
        tag: &str,
    ) -> Result<bool, DeployError> {
        let waiting = stack.parameter(template::IMAGE_READY_PARAMETER) == Some("false");
        let repository = stack
            .output(REPOSITORY_OUTPUT)
            .and_then(super::repository_name)
            .map(String::from);
        let pushed = match &repository {
            Some(repo) => {
                self.image_pushed(roles, &stack.name, region, repo, tag)
                    .await?
            }
            None => false,
        };
        if pushed || waiting {
            Ok(pushed)
        } else {
            Err(DeployError::ImageNotPushed {
                tag: tag.to_string(),
                repository: repository.unwrap_or_else(|| "the stack's repository".into()),
            })
        }
    }

    /// Whether `tag` is in `repository`, asked with a session that can do nothing else.
    async fn image_pushed(
        &self,
        roles: &super::service::AccountRoles,
        stack_name: &str,
        region: &str,
        repository: &str,
        tag: &str,
    ) -> Result<bool, DeployError> {
        self.ask_image(roles, stack_name, region, repository, tag)
            .await?
            .map_err(|e| match e {
                // The repository is the stack's, but it is gone (deleted outside Stackplan).
                AwsError::NotFound(_) => DeployError::NoImageRepository,
                // Accounts bootstrapped before image checks existed lack ecr:DescribeImages.
                AwsError::AccessDenied(detail) => {
                    tracing::warn!("ECR refused the image check: {detail}");
                    DeployError::ImagesDenied(detail.to_string())
                }
                other => other.into(),
            })
    }

    /// ECR's own answer, after retries, to whether `repository` in `region` holds `tag`: asked
    /// with a session that may see only that repository. The caller says what a refusal means.
    pub(super) async fn ask_image(
        &self,
        roles: &super::service::AccountRoles,
        stack_name: &str,
        region: &str,
        repository: &str,
        tag: &str,
    ) -> Result<Result<bool, AwsError>, DeployError> {
        let session = self
            .images_session(roles, stack_name, region, repository)
            .await?;
        let (ecr, repo, tag) = (self.ecr.clone(), repository.to_string(), tag.to_string());
        Ok(crate::aws::retry(
            self.config.backoff,
            || {
                let (ecr, s, r, t) = (ecr.clone(), session.clone(), repo.clone(), tag.clone());
                Box::pin(async move { ecr.image_pushed(&s, &r, &t).await })
            },
            &unwatched,
        )
        .await)
    }

    /// The deployment of an existing stack Stackplan made, by name (the command line's way in;
    /// the API's clients hold ids). A stack that is not there, or not Stackplan's, is unknown.
    pub async fn find(
        &self,
        grant: &Grant,
        stack_name: &str,
        region: &str,
    ) -> Result<String, DeployError> {
        super::valid_stack_name(stack_name).map_err(DeployError::StackName)?;
        let roles = self.roles_for(grant, None)?;
        let session = self
            .session(&roles, stack_name, region, Access::Read)
            .await?;
        let name = stack_name.to_string();
        let stack = self
            .call(&session, &unwatched, |cfn, s| {
                let n = name.clone();
                Box::pin(async move { cfn.stack(&s, &n).await })
            })
            .await?
            .ok_or_else(|| DeployError::UnknownDeployment(stack_name.to_string()))?;
        if !made_for(&self.config.id_key, &stack, grant.owner.as_ref()) {
            return Err(not_proved(
                &stack,
                grant.owner.as_ref(),
                &name,
                DeployError::UnknownDeployment(name.clone()),
            ));
        }
        let arn = StackArn::parse(&stack.id)
            .ok_or_else(|| DeployError::UnknownDeployment(stack_name.to_string()))?;
        Ok(self.sign(&arn, None))
    }

    /// `GET /api/deployments/{id}/image`: whether the image a waiting service needs is in the
    /// stack's repository yet.
    pub async fn image(&self, grant: &Grant, id: &str) -> Result<ImageCheck, DeployError> {
        let deployment = self.decode(id)?;
        let arn = &deployment.stack;
        let session = self.session_for(grant, arn, Access::Read).await?;
        let stack = self.live_stack(arn, &session, grant.owner.as_ref()).await?;
        let (Some(ready), Some(tag)) = (
            stack.parameter(template::IMAGE_READY_PARAMETER),
            stack.parameter(template::IMAGE_TAG_PARAMETER),
        ) else {
            return Err(DeployError::NoImageRepository);
        };
        let uri = stack
            .output(REPOSITORY_OUTPUT)
            .ok_or(DeployError::NoImageRepository)?
            .to_string();
        let repository = super::repository_name(&uri).ok_or(DeployError::NoImageRepository)?;
        let roles = self.roles_for_stack(grant, arn)?;
        let pushed = self
            .image_pushed(&roles, &arn.name, &arn.region, repository, tag)
            .await?;
        Ok(ImageCheck {
            repository_uri: uri.clone(),
            image_tag: tag.to_string(),
            pushed,
            waiting: ready == "false",
        })
    }

    /// Waits until CloudFormation has computed a change set, for at most [`CHANGE_SET_WAIT`]:
    /// then the change set is answered as it is (still computing), so the request answers in
    /// time and the client asks again. (The SDK's waiter polls every 30 s or more; a change
    /// set is usually ready within seconds.)
    async fn settled_change_set(
        &self,
        session: &Session,
        stack: &str,
        change_set: &str,
    ) -> Result<ChangeSetInfo, DeployError> {
        let mut delay = self.config.backoff.base / 2;
        let deadline = tokio::time::Instant::now() + CHANGE_SET_WAIT;
        loop {
            let info = self
                .call(session, &unwatched, |cfn, s| {
                    let (st, cs) = (stack.to_string(), change_set.to_string());
                    Box::pin(async move { cfn.change_set(&s, &st, &cs).await })
                })
                .await?;
            match info.status.as_str() {
                "CREATE_PENDING" | "CREATE_IN_PROGRESS"
                    if tokio::time::Instant::now() + delay >= deadline =>
                {
                    return Ok(info);
                }
                "CREATE_PENDING" | "CREATE_IN_PROGRESS" => {}
                "FAILED" => {
                    let reason = info.reason.unwrap_or_else(|| "no reason given".into());
                    return Err(if no_changes(&reason) {
                        DeployError::NoChanges { deployment: None }
                    } else {
                        DeployError::ChangeSetFailed(reason)
                    });
                }
                _ => return Ok(info),
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(self.config.backoff.max);
        }
    }

    /// Deletes the change set `name` of `stack` (a stack proved Stackplan's) if CloudFormation
    /// failed it or it was executed already, and returns its ARN. One that failed for having no
    /// changes is kept: that is still the answer.
    async fn drop_stale_change_set(
        &self,
        session: &Session,
        stack: &StackInfo,
        name: &str,
    ) -> Result<Option<String>, DeployError> {
        let found = self
            .call(session, &unwatched, |cfn, s| {
                let (st, cs) = (stack.id.clone(), name.to_string());
                Box::pin(async move { cfn.change_set(&s, &st, &cs).await })
            })
            .await;
        let info = match found {
            Ok(info) => info,
            Err(AwsError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        // Failed, or executed already (a stack whose `LastUpdatedTime` CloudFormation does
        // not give, as the sandbox's, keeps the name of its last update's request): a change
        // set that can never run again is not this request's answer.
        let stale = info.stack_id == stack.id
            && ((info.status == "FAILED" && !info.reason.as_deref().is_some_and(no_changes))
                || matches!(
                    info.execution_status.as_deref(),
                    Some("EXECUTE_COMPLETE" | "EXECUTE_FAILED" | "OBSOLETE")
                ));
        if !stale {
            return Ok(None);
        }
        let deleted = self
            .call(session, &unwatched, |cfn, s| {
                let (st, cs) = (stack.id.clone(), info.id.clone());
                Box::pin(async move { cfn.delete_change_set(&s, &st, &cs).await })
            })
            .await;
        match deleted {
            // The same request, sent twice at once, deleted it first: gone either way.
            Ok(()) | Err(AwsError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
        tracing::info!(
            change_set = name,
            stack = stack.name,
            "deleted the failed or executed change set of the same request, to make it again"
        );
        Ok(Some(info.id))
    }

    /// `POST /api/deployments/{id}/execute`: runs the change set the server made for this
    /// deployment (the one its id names), and only if it is this stack's and still runnable.
    pub async fn execute(&self, grant: &Grant, id: &str) -> Result<Status, DeployError> {
        let deployment = self.decode(id)?;
        let arn = &deployment.stack;
        let session = self.session_for(grant, arn, Access::Deploy).await?;
        self.live_stack(arn, &session, grant.owner.as_ref()).await?;
        let change_set = deployment
            .change_set
            .clone()
            .ok_or(DeployError::NoChangeSet)?;
        // Only a change set that can still run: not one executed already, failed or obsolete.
        let info = self
            .call(&session, &unwatched, |cfn, s| {
                let (st, cs) = (arn.arn.clone(), change_set.clone());
                Box::pin(async move { cfn.change_set(&s, &st, &cs).await })
            })
            .await
            .map_err(|e| match e {
                AwsError::NotFound(_) | AwsError::Validation(_) => DeployError::NoChangeSet,
                other => other.into(),
            })?;
        // A change set of another stack (one of the same name made earlier, say) is not this one's.
        if info.stack_id != arn.arn {
            return Err(DeployError::NoChangeSet);
        }
        // Executed already: this request sent again, its answer lost (a timeout, a dropped
        // connection). The answer is the stack's status, to follow it (how the execution went,
        // failed ones included, is the stack's); nothing runs twice.
        if matches!(
            info.execution_status.as_deref(),
            Some("EXECUTE_IN_PROGRESS" | "EXECUTE_COMPLETE" | "EXECUTE_FAILED")
        ) {
            return self
                .status_of(id, arn, &session, grant.owner.as_ref())
                .await;
        }
        let runnable = info.status == "CREATE_COMPLETE"
            && info
                .execution_status
                .as_deref()
                .is_none_or(|e| e == "AVAILABLE");
        if !runnable {
            return Err(DeployError::ChangeSetUnavailable(format!(
                "{} / {}",
                info.status,
                info.execution_status.unwrap_or_default()
            )));
        }
        let token = format!("stackplan-exec-{}", super::digest(&[&info.id]));
        let (stack, cs) = (arn.arn.clone(), info.id.clone());
        self.call(&session, &unwatched, move |cfn, s| {
            let (st, cs, t) = (stack.clone(), cs.clone(), token.clone());
            Box::pin(async move { cfn.execute_change_set(&s, &st, &cs, &t).await })
        })
        .await?;
        tracing::info!(change_set, stack = arn.name, "executing the change set");
        self.status_of(id, arn, &session, grant.owner.as_ref())
            .await
    }

    /// `GET /api/deployments/{id}`. A deleted stack is gone: 404, like one that never was.
    pub async fn status(&self, grant: &Grant, id: &str) -> Result<Status, DeployError> {
        let deployment = self.decode(id)?;
        let arn = &deployment.stack;
        let session = self.session_for(grant, arn, Access::Read).await?;
        let read = self
            .read_stack(arn, &session, &unwatched, grant.owner.as_ref())
            .await?;
        // `read_stack` proved it Stackplan's, for this owner; a deleted one is gone.
        if read.stack.status == DELETED {
            return Err(DeployError::UnknownDeployment(arn.name.clone()));
        }
        Ok(self.status_from(id, arn, &read))
    }

    /// The stack of a deployment, unless it was never made, has been deleted, or was not made
    /// by Stackplan for `owner`: all are "no such deployment", and nothing is done to them.
    pub(super) async fn live_stack(
        &self,
        arn: &StackArn,
        session: &Session,
        owner: Option<&Owner>,
    ) -> Result<StackInfo, DeployError> {
        let id = arn.arn.clone();
        self.call(session, &unwatched, |cfn, s| {
            let id = id.clone();
            Box::pin(async move { cfn.stack(&s, &id).await })
        })
        .await?
        .filter(|stack| is_live(&self.config.id_key, stack, arn, owner))
        .ok_or_else(|| DeployError::UnknownDeployment(arn.name.clone()))
    }

    async fn status_of(
        &self,
        id: &str,
        arn: &StackArn,
        session: &Session,
        owner: Option<&Owner>,
    ) -> Result<Status, DeployError> {
        let read = self.read_stack(arn, session, &unwatched, owner).await?;
        Ok(self.status_from(id, arn, &read))
    }

    /// Stack, events, what its template declares and what its update changes, each call
    /// retried while throttled; only of a stack Stackplan made for `owner`.
    pub(super) async fn read_stack(
        &self,
        arn: &StackArn,
        session: &Session,
        listener: WaitListener<'_>,
        owner: Option<&Owner>,
    ) -> Result<StackRead, DeployError> {
        let id = arn.arn.clone();
        let stack = self
            .call(session, listener, |cfn, s| {
                let id = id.clone();
                Box::pin(async move { cfn.stack(&s, &id).await })
            })
            .await?
            .filter(|stack| is_ours(&self.config.id_key, stack, arn, owner))
            .ok_or_else(|| DeployError::UnknownDeployment(arn.name.clone()))?;
        // The stack is Stackplan's (a deleted one too, whose end its watchers must see) before
        // anything else of it is read.
        let events = self
            .call(session, listener, |cfn, s| {
                let id = id.clone();
                Box::pin(async move { cfn.events(&s, &id).await })
            })
            .await?;
        let template = self
            .call(session, listener, |cfn, s| {
                let id = id.clone();
                Box::pin(async move { cfn.template_summary(&s, &id).await })
            })
            .await?;
        // An update touches only what its change set changes ("Start the service": 2 of about
        // 45 resources), so its progress counts those: counted against the whole template, its
        // bar would sit near 0% until the end. Only a change set of Stackplan's is read (the
        // roles may read no other); one made elsewhere (a console update) counts the template.
        let changes = match stack.change_set.clone() {
            Some(change_set)
                if stack.status.starts_with("UPDATE_") && super::is_stackplans(&change_set) =>
            {
                self.change_count(session, listener, &stack, &change_set)
                    .await?
            }
            _ => None,
        };
        Ok(StackRead {
            events,
            stack,
            template,
            changes,
        })
    }

    /// `DELETE /api/deployments/{id}`.
    pub async fn delete(&self, grant: &Grant, id: &str) -> Result<Status, DeployError> {
        self.delete_stack(grant, id, None).await
    }

    /// `POST /api/deployments/{id}/delete-keeping`: deletes a stack whose delete failed,
    /// keeping in the account the resources `keep` names, which must be ones the failed delete
    /// could not delete (CloudFormation's `RetainResources`).
    pub async fn delete_keeping(
        &self,
        grant: &Grant,
        id: &str,
        keep: &[LogicalId],
    ) -> Result<Status, DeployError> {
        self.delete_stack(grant, id, Some(keep)).await
    }

    async fn delete_stack(
        &self,
        grant: &Grant,
        id: &str,
        keep: Option<&[LogicalId]>,
    ) -> Result<Status, DeployError> {
        let deployment = self.decode(id)?;
        let arn = &deployment.stack;
        let session = self.session_for(grant, arn, Access::Deploy).await?;
        let stack = self.live_stack(arn, &session, grant.owner.as_ref()).await?;
        // A stack being created or updated is left to settle: a delete meanwhile would either
        // be refused by CloudFormation or cut the operation short, and the panel following it
        // could not tell the two apart. One waiting for review, or deleting already, may go
        // (CloudFormation answers the latter as done), but not to keep anything: what a
        // delete keeps is what a finished one could not delete.
        let may_go_now = keep.is_none()
            && matches!(
                stack.status.as_str(),
                "REVIEW_IN_PROGRESS" | "DELETE_IN_PROGRESS"
            );
        let busy = !progress::is_terminal(&stack.status) && !may_go_now;
        if busy {
            return Err(DeployError::Busy {
                name: arn.name.clone(),
                status: stack.status,
                deployment: None,
            });
        }
        // What is kept is what the stack's failed delete could not delete, read from its own
        // events: never a resource the client merely names.
        let retain = match keep {
            None => Vec::new(),
            Some(keep) => {
                self.picked(&session, arn, &stack, &super::KEEP, keep)
                    .await?
            }
        };
        // Each DELETE is its own attempt. CloudFormation takes a token it has seen for a retry
        // of that request and does nothing, so one token per stack would make a delete after
        // a DELETE_FAILED (say, once an administrator lifted a protection) silently do
        // nothing. The stack is named by its ARN, so a delete can never reach another stack
        // of the same name; the SDK's own retries of this call reuse this token.
        let token = format!(
            "stackplan-delete-{}",
            super::digest(&[&arn.arn, &attempt()])
        );
        let stack = arn.arn.clone();
        let kept = retain.clone();
        self.call(&session, &unwatched, move |cfn, s| {
            let (st, t, r) = (stack.clone(), token.clone(), kept.clone());
            Box::pin(async move { cfn.delete_stack(&s, &st, &t, &r).await })
        })
        .await?;
        tracing::info!(stack = arn.name, kept = ?retain, "deleting the stack");
        self.status_of(id, arn, &session, grant.owner.as_ref())
            .await
    }
}

impl Deployer {
    /// `POST /api/deployments/{id}/continue-rollback`: continues the stack's failed update
    /// rollback, leaving `skip` (which must be what the rollback could not roll back, read
    /// from the stack's own events) as it is.
    pub async fn continue_rollback(
        &self,
        grant: &Grant,
        id: &str,
        skip: &[LogicalId],
    ) -> Result<Status, DeployError> {
        let deployment = self.decode(id)?;
        let arn = &deployment.stack;
        let session = self.session_for(grant, arn, Access::Deploy).await?;
        let stack = self.live_stack(arn, &session, grant.owner.as_ref()).await?;
        // Continued already (another tab, the console): it is followed, not refused.
        if !progress::is_terminal(&stack.status) {
            return Err(DeployError::Busy {
                name: arn.name.clone(),
                status: stack.status,
                deployment: Some(id.to_string()),
            });
        }
        let skip = self
            .picked(&session, arn, &stack, &super::SKIP, skip)
            .await?;
        // Each request is its own attempt (a rollback that fails again is continued again).
        let token = format!(
            "stackplan-continue-{}",
            super::digest(&[&arn.arn, &attempt()])
        );
        let (stack_arn, skipped) = (arn.arn.clone(), skip.clone());
        self.call(&session, &unwatched, move |cfn, s| {
            let (st, t, k) = (stack_arn.clone(), token.clone(), skipped.clone());
            Box::pin(async move { cfn.continue_update_rollback(&s, &st, &t, &k).await })
        })
        .await?;
        tracing::info!(stack = arn.name, skipped = ?skip, "continuing the update rollback");
        self.status_of(id, arn, &session, grant.owner.as_ref())
            .await
    }
}

impl Deployer {
    /// What a request `asked` for, among what the stack's failed operation left stuck, read
    /// from its own events: never a resource the client merely names. A stack in another
    /// state is refused first, before anything is read.
    async fn picked(
        &self,
        session: &Session,
        arn: &StackArn,
        stack: &StackInfo,
        pick: &super::Pick,
        asked: &[LogicalId],
    ) -> Result<Vec<String>, DeployError> {
        pick.well_formed(asked).map_err(pick.invalid)?;
        pick.in_state(&arn.name, &stack.status)?;
        let events = self
            .call(session, &unwatched, |cfn, s| {
                let id = arn.arn.clone();
                Box::pin(async move { cfn.events(&s, &id).await })
            })
            .await?;
        let stuck: Vec<String> = (pick.finder)(progress::current_operation(&events))
            .into_iter()
            .map(|f| f.logical_id)
            .collect();
        pick.among(asked, &stuck).map_err(pick.invalid)
    }
}

/// What tells one delete attempt from another: the time and this process's count of them.
fn attempt() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static ATTEMPTS: AtomicU64 = AtomicU64::new(0);
    let n = ATTEMPTS.fetch_add(1, Ordering::Relaxed);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{now}.{n}")
}

/// The status of a deleted stack (CloudFormation keeps describing it by id for a while).
pub(super) const DELETED: &str = "DELETE_COMPLETE";

/// The status of a stack CreateStack has started.
const CREATING: &str = "CREATE_IN_PROGRESS";

/// Why a request may not change the existing stack `st` (this owner's): it is busy, cannot be
/// updated, or the request does not ask for an update; `None` when it may be updated.
/// `deployment` is the stack's id, which a refusal carries so that the client can follow the
/// stack (or delete it) without having made it in this session.
fn refusal(
    st: &StackInfo,
    name: &str,
    region: &str,
    update: bool,
    deployment: Option<String>,
) -> Option<DeployError> {
    let (name, status) = (name.to_string(), st.status.clone());
    if !progress::is_terminal(&st.status) {
        Some(DeployError::Busy {
            name,
            status,
            deployment,
        })
    } else if matches!(
        st.status.as_str(),
        "ROLLBACK_COMPLETE"
            | "ROLLBACK_FAILED"
            | "CREATE_FAILED"
            | "DELETE_FAILED"
            | "UPDATE_ROLLBACK_FAILED"
    ) {
        Some(DeployError::NotUpdatable {
            name,
            status,
            deployment,
        })
    } else if !update {
        Some(DeployError::StackExists {
            name,
            region: region.to_string(),
            status,
            deployment,
        })
    } else {
        None
    }
}

/// What a create asks for, to know it again: the plan its template records, and the value of
/// each parameter the template declares (the given one, else its default) with that default.
/// A stack being created as asked is the same request's.
struct Asked {
    plan_link: Option<String>,
    parameters: Vec<(String, Option<String>, Option<String>)>,
}

impl Asked {
    /// `doc` is the template of `plan`, which records the plan's share-link code.
    fn of(plan: &shared::Plan, doc: &shared::template::Node, given: &[(String, String)]) -> Asked {
        let declared = doc["Parameters"].as_object();
        Asked {
            plan_link: Some(shared::link::encode(plan)),
            parameters: declared
                .into_iter()
                .flat_map(|d| d.keys())
                .map(|k| {
                    let want = super::parameters::value(doc, given, k).map(String::from);
                    let default = doc["Parameters"][k]["Default"].as_str().map(String::from);
                    (k.to_string(), want, default)
                })
                .collect(),
        }
    }
}

/// The template's resource count: a deploy's 100%.
fn resources_of(template: &shared::template::Template) -> u32 {
    u32::try_from(template.resources().len()).unwrap_or(u32::MAX)
}

/// Whether the deployment's stack still exists, is the one its ARN names, and Stackplan made it
/// for `owner`.
fn is_live(key: &IdKey, stack: &StackInfo, arn: &StackArn, owner: Option<&Owner>) -> bool {
    stack.status != DELETED && is_ours(key, stack, arn, owner)
}

/// Whether `stack` is the deployment's own (its id is the ARN) and Stackplan made it for
/// `owner`; deleted or not.
fn is_ours(key: &IdKey, stack: &StackInfo, arn: &StackArn, owner: Option<&Owner>) -> bool {
    made_for(key, stack, owner) && stack.id == arn.arn
}

/// Whether a server with `key` made the stack for `owner`: it carries the reserved tag, its
/// owner tag names `owner` (or, for `None`, it has none), and its proof tag is the keyed HMAC
/// of its account, region, name and owner (read from its ARN, which CloudFormation writes),
/// of its `RoleARN` (a first-version proof has none) and of a time within minutes of its
/// creation (CloudFormation's `CreationTime`).
fn made_for(key: &IdKey, stack: &StackInfo, owner: Option<&Owner>) -> bool {
    let (Some(arn), Some(created)) = (StackArn::parse(&stack.id), stack.created) else {
        return false;
    };
    let of = ProofOf {
        account: &arn.account,
        region: &arn.region,
        name: &arn.name,
        owner: owner.map(Owner::as_str),
        role: stack.role.as_deref(),
    };
    tagged_for(stack, owner)
        && stack
            .tag(PROOF_TAG)
            .is_some_and(|proof| key.proves(proof, &of, created))
}

/// The time now, Unix seconds.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The refusal of a stack not proved made for `owner`: that it is unproven when it carries
/// Stackplan's tags for `owner` (made before stacks carried a proof, or under another key, or
/// tagged by hand), else `otherwise`. Never told of another owner's stack.
fn not_proved(
    stack: &StackInfo,
    owner: Option<&Owner>,
    name: &str,
    otherwise: DeployError,
) -> DeployError {
    if tagged_for(stack, owner) {
        DeployError::Unproven {
            name: name.to_string(),
        }
    } else {
        otherwise
    }
}

/// Whether the stack carries the reserved tag and `owner`'s owner tag, proved or not.
fn tagged_for(stack: &StackInfo, owner: Option<&Owner>) -> bool {
    stack.tag(MANAGED_TAG) == Some(MANAGED_VALUE)
        && stack.tag(OWNER_TAG) == owner.map(Owner::as_str)
}

/// The output naming the stack's own image repository (its URI).
pub const REPOSITORY_OUTPUT: &str = "RepositoryUri";

impl Deployer {
    /// A stack's status as the API gives it.
    pub(super) fn status_from(&self, id: &str, arn: &StackArn, read: &StackRead) -> Status {
        let (stack, template) = (&read.stack, &read.template);
        let mut status = status_of_stack(id, arn, read);
        let sandbox = match &self.config.target {
            shared::api::Target::Sandbox { endpoint } => Some(endpoint.as_str()),
            shared::api::Target::Aws => None,
        };
        // A stack that is there and succeeded waits for its image; a deleted one, for nothing.
        let there = status.succeeded && !status.status.starts_with("DELETE_");
        status.waiting_for_image =
            waiting_for_image(stack, template, &arn.region, sandbox).filter(|_| there);
        status
    }
}

/// What a service waiting for its first image needs, if the stack's service waits.
fn waiting_for_image(
    stack: &StackInfo,
    template: &TemplateSummary,
    region: &str,
    sandbox: Option<&str>,
) -> Option<Box<ImageWait>> {
    if stack.parameter(template::IMAGE_READY_PARAMETER) != Some("false") {
        return None;
    }
    let uri = stack.output(REPOSITORY_OUTPUT)?;
    let tag = stack.parameter(template::IMAGE_TAG_PARAMETER)?;
    let platform = template.platform.as_deref().unwrap_or("linux/amd64");
    Some(Box::new(ImageWait::new(
        uri, tag, platform, region, sandbox,
    )))
}

impl Deployer {
    /// How many changes the change set `change_set` (an ARN, of `stack`) makes: `None` when it
    /// cannot be read (gone, another stack's, or refused). A change set's changes never
    /// change, so each is read once per process (every watcher's poll would read it again).
    async fn change_count(
        &self,
        session: &Session,
        listener: WaitListener<'_>,
        stack: &StackInfo,
        change_set: &str,
    ) -> Result<Option<usize>, DeployError> {
        if let Some(n) = self.change_counts.lock().expect("lock").get(change_set) {
            return Ok(Some(*n));
        }
        let read = self
            .call(session, listener, |cfn, s| {
                let (id, cs) = (stack.id.clone(), change_set.to_string());
                Box::pin(async move { cfn.change_set(&s, &id, &cs).await })
            })
            .await;
        match read {
            Ok(info) if info.stack_id == stack.id && info.status == "CREATE_COMPLETE" => {
                let mut counts = self.change_counts.lock().expect("lock");
                if counts.len() >= CHANGE_COUNTS_KEPT {
                    counts.clear();
                }
                counts.insert(change_set.to_string(), info.changes.len());
                Ok(Some(info.changes.len()))
            }
            Ok(_)
            | Err(AwsError::NotFound(_) | AwsError::Validation(_) | AwsError::AccessDenied(_)) => {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// Change sets whose change counts are kept; all are forgotten when this many are.
const CHANGE_COUNTS_KEPT: usize = 1024;

/// What one look at a stack read ([`Deployer::read_stack`]).
pub(super) struct StackRead {
    /// Its latest operation's events (and perhaps some older ones), oldest first.
    pub events: Vec<StackEvent>,
    pub stack: StackInfo,
    pub template: TemplateSummary,
    /// How many changes the change set it runs makes, for an update: what its progress counts.
    pub changes: Option<usize>,
}

impl StackRead {
    /// The events of its latest operation.
    pub fn operation(&self) -> &[StackEvent] {
        progress::current_operation(&self.events)
    }
}

fn status_of_stack(id: &str, arn: &StackArn, read: &StackRead) -> Status {
    let (stack, template, op) = (&read.stack, &read.template, read.operation());
    let (total, counted) = match read.changes {
        Some(n) => (n, progress::Counted::Changes),
        None => (template.resources, progress::Counted::Resources),
    };
    let done = progress::is_terminal(&stack.status);
    let succeeded = done && progress::is_success(&stack.status);
    Status {
        id: id.to_string(),
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
        progress: progress::progress(op, &stack.status, total, counted),
        plan_link: template.plan_link.clone(),
        waiting_for_image: None,
        left_behind: if done {
            progress::left_behind(op, succeeded, &template.held)
        } else {
            Vec::new()
        },
        held: template.held.clone(),
        undeleted: if stack.status == "DELETE_FAILED" {
            progress::failed_to_delete(op)
        } else {
            Vec::new()
        },
        not_rolled_back: if stack.status == "UPDATE_ROLLBACK_FAILED" {
            progress::failed_to_roll_back(op)
        } else {
            Vec::new()
        },
        placeholder_code: stack.output(template::CODE_BUCKET_OUTPUT).is_some()
            && stack.parameter(super::parameters::CODE_BUCKET_PARAMETER) == Some(""),
    }
}

/// Whether a change set's failure says only that it changes nothing.
fn no_changes(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates")
}
