//! Before a deploy creates anything: every existing secret and parameter the plan reads is
//! looked up (its metadata, never its value), in the region its reference names. A missing one
//! would otherwise fail the stack minutes later (a function's dynamic reference), or leave a
//! service's tasks failing to start until its deployment gives up.

use futures_util::future::join_all;
use shared::api::PlanProblem;
use shared::environment::{Lookup, Store, lookups};
use shared::plan::Plan;

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
    /// `Ok` when every secret and parameter `plan` reads is there (or cannot be looked up);
    /// else each one that is not, at its field (`plan.environment[2].secret`). Asked with a
    /// session that can do nothing else, all at once.
    pub(super) async fn values_present(
        &self,
        roles: &AccountRoles,
        plan: &Plan,
        stack_name: &str,
        region: &str,
    ) -> Result<(), DeployError> {
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
            return Ok(());
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
        if problems.is_empty() {
            Ok(())
        } else {
            tracing::info!(
                stack = stack_name,
                unreadable = problems.len(),
                "a deploy reads secrets or parameters that are not there"
            );
            Err(DeployError::MissingValues(problems))
        }
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
