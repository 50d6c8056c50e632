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
use crate::auth::Grant;
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

/// The plan's image, when it is in a repository of the roles' account's ECR that the token may
/// not run images from (a tenant's, [`Grant::foreign_repository`]): at its field (without
/// `plan.`), with why. Checked before any AWS call, so a tenant cannot learn through the
/// look-up whether another's repository holds a tag either.
pub(super) fn foreign_image(
    plan: &Plan,
    grant: &Grant,
    roles: &AccountRoles,
) -> Option<(String, String)> {
    let (image, path) = image_field(plan)?;
    let (account, _, name) = shared::template::ecr_image(image)?;
    if Some(account) != roles.account() {
        return None;
    }
    grant
        .foreign_repository(name)
        .map(|problem| (path.to_string(), problem))
}

/// The plan's own image and its field, if it names one.
fn image_field(plan: &Plan) -> Option<(&str, &'static str)> {
    match &plan.architecture {
        Architecture::Fargate(f) => f.image.as_deref().map(|i| (i, "fargate.image")),
        Architecture::Lambda(l) => l.image.as_deref().map(|i| (i, "lambda.image")),
    }
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

/// Look-ups asked at once.
const LOOKUPS_AT_ONCE: usize = 4;

impl Deployer {
    /// Each secret and parameter `plan` reads that is not there, at its field
    /// (`plan.environment[2].secret`); one that cannot be looked up counts as there. Asked with
    /// a session that can do nothing else, [`LOOKUPS_AT_ONCE`] at a time.
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
        // A few at a time: Systems Manager throttles a burst of look-ups, and a plan may read
        // fifty values.
        let mut found = Vec::with_capacity(asked.len());
        for some in asked.chunks(LOOKUPS_AT_ONCE) {
            found.extend(join_all(some.iter().map(|l| self.existence(&session, l, region))).await);
        }
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
        let Some((image, field)) = image_field(plan) else {
            return Ok(None);
        };
        let image_path = format!("plan.{field}");
        let Some((account, region, name)) = shared::template::ecr_image(image) else {
            return Ok(None);
        };
        if Some(account) != roles.account() || running == Some(tag) {
            return Ok(None);
        }
        let answer = self.ask_image(roles, stack_name, region, name, tag).await?;
        let at_image = |message: String| Some((image_path.clone(), message));
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
