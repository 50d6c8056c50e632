//! Before a deploy creates anything: every existing secret and parameter the plan reads is
//! looked up (its metadata, never its value), in the region its reference names, and so is the
//! image it runs when that is in the account's ECR. A missing one would otherwise fail the
//! stack minutes later (a function's dynamic reference or image), or leave a service's tasks
//! failing to start until its deployment's circuit breaker gives up and the stack rolls back,
//! its database made and deleted again.

use futures_util::future::join_all;
use shared::api::PlanProblem;
use shared::environment::{Lookup, Store, lookups};
use shared::plan::{Architecture, Plan};

use super::errors::DeployError;
use super::service::{AccountRoles, Deployer};
use crate::aws::cloudformation::Session;
use crate::aws::stores::Existence;
use crate::aws::{AwsError, unwatched};

/// Where the image tag a deploy is to run came from, for a missing one to be said there.
#[derive(Clone, Copy, Debug)]
pub(super) enum TagSource<'a> {
    /// A field: the request's parameter, or the plan's own tag.
    Given(&'a str),
    /// Kept from the stack: the tag it runs now.
    Running,
    /// The template's default.
    Default,
}

/// What one look-up found.
enum Found {
    Is(Existence),
    /// The store refused the look-up (an account bootstrapped before look-ups existed, whose
    /// deployer role lacks the calls): the deploy goes ahead as it did then.
    Refused,
    /// The store of another region than the stack's did not answer: the reference's region
    /// is likely wrong (or not enabled in the account).
    Unanswered(String),
}

impl Deployer {
    /// Each secret and parameter `plan` reads that is not there, at its field
    /// (`plan.environment[2].secret`); one that cannot be looked up counts as there. Asked with
    /// a session that can do nothing else, all at once.
    pub(super) async fn missing_values(
        &self,
        roles: &AccountRoles,
        plan: &Plan,
        stack_name: &str,
        region: &str,
    ) -> Result<Vec<PlanProblem>, DeployError> {
        let wanted = lookups(plan);
        // The prefixes the look-ups are under (the plan was held to them): usually one, which
        // keeps the session's policy short.
        let prefixes: Vec<String> = roles
            .settings_prefixes
            .iter()
            .filter(|p| wanted.iter().any(|l| l.name.starts_with(p.as_str())))
            .cloned()
            .collect();
        if wanted.is_empty() || prefixes.is_empty() {
            return Ok(Vec::new());
        }
        let session = self
            .stores_session(roles, stack_name, region, &prefixes)
            .await?;
        let same =
            |a: &Lookup, b: &Lookup| (a.store, &a.id, &a.region) == (b.store, &b.id, &b.region);
        // A value two variables read is asked once.
        let mut asked: Vec<&Lookup> = Vec::new();
        for l in &wanted {
            if !asked.iter().any(|a| same(a, l)) {
                asked.push(l);
            }
        }
        let found = join_all(asked.iter().map(|l| self.existence(&session, l, region))).await;
        let mut problems = Vec::new();
        for l in &wanted {
            let Some(at) = asked.iter().position(|a| same(a, l)) else {
                continue;
            };
            let message = match &found[at] {
                Err(e) => return Err(e.clone().into()),
                Ok(Found::Is(Existence::Present) | Found::Refused) => continue,
                Ok(Found::Is(Existence::Missing)) => l.missing(region),
                Ok(Found::Is(Existence::Deleting)) => l.deleting(region),
                Ok(Found::Unanswered(message)) => message.clone(),
            };
            problems.push(PlanProblem {
                path: format!("plan.{}", l.path),
                message,
            });
        }
        Ok(problems)
    }

    /// Whether the image `plan` runs is in its ECR repository, when that is one of the roles'
    /// account (another registry's, or another account's, cannot be asked): `tag` is the tag
    /// the stack is to run, and where it came from. A tag the stack runs already, from the
    /// same image (`running`), is not asked again: an update that keeps both starts no task.
    pub(super) async fn missing_image(
        &self,
        roles: &AccountRoles,
        plan: &Plan,
        stack_name: &str,
        tag: (&str, TagSource<'_>),
        running: Option<&str>,
    ) -> Result<Option<PlanProblem>, DeployError> {
        let (tag, source) = tag;
        let (image, image_path) = match &plan.architecture {
            Architecture::Fargate(f) => (f.image.as_deref(), "plan.fargate.image"),
            Architecture::Lambda(l) => (l.image.as_deref(), "plan.lambda.image"),
        };
        let Some((account, region, name)) = image.and_then(shared::template::ecr_image) else {
            return Ok(None);
        };
        if Some(account) != roles.account() || running == Some(tag) {
            return Ok(None);
        }
        let session = self.images_session(roles, stack_name, region, name).await?;
        let (ecr, repository, wanted) = (self.ecr.clone(), name.to_string(), tag.to_string());
        let answer = crate::aws::retry(
            self.config.backoff,
            || {
                let (ecr, s, r, t) = (
                    ecr.clone(),
                    session.clone(),
                    repository.clone(),
                    wanted.clone(),
                );
                Box::pin(async move { ecr.image_pushed(&s, &r, &t).await })
            },
            &unwatched,
        )
        .await;
        let at_image = |message: String| Some((image_path.to_string(), message));
        let said = match answer {
            Ok(true) => None,
            Ok(false) => match source {
                TagSource::Given(path) => Some((
                    path.to_string(),
                    format!(
                        "ECR has no image tagged {tag} in the repository {name} ({region}): push it first, or give a tag it has"
                    ),
                )),
                TagSource::Running => at_image(format!(
                    "ECR has no image tagged {tag}, the tag the stack runs now, in the repository {name} ({region}): push it there first, or give the image tag to deploy"
                )),
                TagSource::Default => at_image(format!(
                    "ECR has no image tagged {tag}, the template's default tag, in the repository {name} ({region}): push it first, or give the image tag to deploy"
                )),
            },
            Err(AwsError::NotFound(_)) => at_image(format!(
                "this account's ECR has no repository {name} in {region}: create it and push the image, or correct the image"
            )),
            Err(AwsError::AccessDenied(detail)) => {
                tracing::warn!(
                    "ECR refused the image look-up, so the deploy goes ahead without it (update the account's bootstrap stack: its deployer role sees images only in Stackplan's repositories): {detail}"
                );
                None
            }
            Err(e @ (AwsError::Unreachable { .. } | AwsError::Other(_)))
                if region != plan.region.code() =>
            {
                tracing::warn!(region, "ECR did not answer the image look-up: {e}");
                at_image(format!(
                    "ECR in {region}, the region the image's address names, did not answer the look-up: check the image's region, and that the region is enabled in this account"
                ))
            }
            Err(e) => return Err(e.into()),
        };
        Ok(said.map(|(path, message)| PlanProblem { path, message }))
    }

    /// What the lookup's store knows of it, under any of its spellings.
    async fn existence(
        &self,
        session: &Session,
        lookup: &Lookup,
        stack_region: &str,
    ) -> Result<Found, AwsError> {
        let mut session = session.clone();
        if let Some(r) = &lookup.region {
            session.region = r.clone();
        }
        for id in lookup.spellings() {
            let (stores, store) = (self.stores.clone(), lookup.store);
            let answer = crate::aws::retry(
                self.config.backoff,
                || {
                    let (stores, s, id) = (stores.clone(), session.clone(), id.clone());
                    Box::pin(async move {
                        match store {
                            Store::SecretsManager => stores.secret(&s, &id).await,
                            Store::ParameterStore => stores.parameter(&s, &id).await,
                        }
                    })
                },
                &unwatched,
            )
            .await;
            match answer {
                Ok(Existence::Missing) => continue,
                Ok(found) => return Ok(Found::Is(found)),
                Err(AwsError::AccessDenied(detail)) => {
                    tracing::warn!(
                        "a value store refused the look-up, so the deploy goes ahead without it (update the account's bootstrap stack: its deployer role lacks secretsmanager:DescribeSecret or ssm:ListTagsForResource): {detail}"
                    );
                    return Ok(Found::Refused);
                }
                Err(e @ (AwsError::Unreachable { .. } | AwsError::Other(_)))
                    if session.region != stack_region =>
                {
                    tracing::warn!(region = session.region, "a value store did not answer: {e}");
                    let store = match lookup.store {
                        Store::SecretsManager => "Secrets Manager",
                        Store::ParameterStore => "Parameter Store",
                    };
                    return Ok(Found::Unanswered(format!(
                        "{store} in {}, the region the ARN names, did not answer the look-up: check the ARN's region, and that the region is enabled in this account",
                        session.region
                    )));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(Found::Is(Existence::Missing))
    }
}
