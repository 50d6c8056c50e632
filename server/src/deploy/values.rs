//! Before a deploy creates anything: every existing secret and parameter the plan reads is
//! looked up (its metadata, never its value), in the region its reference names. A missing one
//! would otherwise fail the stack minutes later (a function's dynamic reference), or leave a
//! service's tasks failing to start until its deployment gives up.

use futures_util::future::try_join_all;
use shared::api::PlanProblem;
use shared::environment::{Lookup, Store, lookups};
use shared::plan::Plan;

use super::errors::DeployError;
use super::service::{AccountRoles, Deployer};
use crate::aws::stores::Existence;
use crate::aws::{AwsError, unwatched};

impl Deployer {
    /// `Ok` when every secret and parameter `plan` reads is there; else each one that is not,
    /// at its field (`plan.environment[2].secret`). Asked with a session that can do nothing
    /// else, all at once.
    pub(super) async fn values_present(
        &self,
        roles: &AccountRoles,
        plan: &Plan,
        stack_name: &str,
        region: &str,
    ) -> Result<(), DeployError> {
        let wanted = lookups(plan);
        if wanted.is_empty() {
            return Ok(());
        }
        let session = self.stores_session(roles, stack_name, region).await?;
        // A value two variables read is asked once.
        let mut asked: Vec<&Lookup> = Vec::new();
        for l in &wanted {
            if !asked
                .iter()
                .any(|a| (a.store, &a.id, &a.region) == (l.store, &l.id, &l.region))
            {
                asked.push(l);
            }
        }
        let found = try_join_all(asked.iter().map(|l| self.existence(&session, l))).await?;
        let problems: Vec<PlanProblem> = wanted
            .iter()
            .filter_map(|l| {
                let at = asked
                    .iter()
                    .position(|a| (a.store, &a.id, &a.region) == (l.store, &l.id, &l.region))?;
                let message = match found[at] {
                    Existence::Present => return None,
                    Existence::Missing => l.missing(region),
                    Existence::Deleting => l.deleting(region),
                };
                Some(PlanProblem {
                    path: format!("plan.{}", l.path),
                    message,
                })
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            tracing::info!(
                stack = stack_name,
                missing = problems.len(),
                "a deploy reads secrets or parameters that are not there"
            );
            Err(DeployError::MissingValues(problems))
        }
    }

    /// What the lookup's store knows of it, under any of its spellings.
    async fn existence(
        &self,
        session: &crate::aws::cloudformation::Session,
        lookup: &Lookup,
    ) -> Result<Existence, DeployError> {
        let mut session = session.clone();
        if let Some(r) = &lookup.region {
            session.region = r.clone();
        }
        for id in lookup.spellings() {
            let (stores, store) = (self.stores.clone(), lookup.store);
            let found = crate::aws::retry(
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
            .await
            .map_err(|e| match e {
                // Accounts bootstrapped before the lookups lack the two calls.
                AwsError::AccessDenied(detail) => {
                    tracing::warn!("a value store refused the lookup: {detail}");
                    DeployError::StoresDenied(detail.to_string())
                }
                other => other.into(),
            })?;
            if found != Existence::Missing {
                return Ok(found);
            }
        }
        Ok(Existence::Missing)
    }
}
