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
    /// the stack is to run, said at `tag_path` when missing. A tag the stack runs already
    /// (`running`) is not asked again: an update that keeps it starts no task from it.
    pub(super) async fn missing_image(
        &self,
        roles: &AccountRoles,
        plan: &Plan,
        stack_name: &str,
        tag: (&str, &str),
        running: Option<&str>,
    ) -> Result<Option<PlanProblem>, DeployError> {
        let (tag, tag_path) = tag;
        let (image, image_path) = match &plan.architecture {
            Architecture::Fargate(f) => (f.image.as_deref(), "plan.fargate.image"),
            Architecture::Lambda(l) => (l.image.as_deref(), "plan.lambda.image"),
        };
        let Some(repo) = image.and_then(super::ecr_repository) else {
            return Ok(None);
        };
        if Some(repo.account) != roles.account() || running == Some(tag) {
            return Ok(None);
        }
        let session = self
            .images_session(roles, stack_name, repo.region, repo.name)
            .await?;
        let (ecr, name, wanted) = (self.ecr.clone(), repo.name.to_string(), tag.to_string());
        let answer = crate::aws::retry(
            self.config.backoff,
            || {
                let (ecr, s, r, t) = (ecr.clone(), session.clone(), name.clone(), wanted.clone());
                Box::pin(async move { ecr.image_pushed(&s, &r, &t).await })
            },
            &unwatched,
        )
        .await;
        let (path, message) = match answer {
            Ok(true) => return Ok(None),
            Ok(false) => (
                tag_path,
                format!(
                    "ECR has no image tagged {tag} in the repository {} ({}): push it first, or give a tag it has",
                    repo.name, repo.region
                ),
            ),
            Err(AwsError::NotFound(_)) => (
                image_path,
                format!(
                    "this account's ECR has no repository {} in {}: create it and push the image, or correct the image",
                    repo.name, repo.region
                ),
            ),
            Err(AwsError::AccessDenied(detail)) => {
                tracing::warn!(
                    "ECR refused the image look-up, so the deploy goes ahead without it (update the account's bootstrap stack: its deployer role sees images only in Stackplan's repositories): {detail}"
                );
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        Ok(Some(PlanProblem {
            path: path.to_string(),
            message,
        }))
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
