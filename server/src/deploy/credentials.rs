//! Which role a deployment acts with, and its short-lived credentials: assumed through STS with
//! a session policy, kept in memory, and assumed again shortly before they expire. They are
//! never logged and never leave the server.

use shared::template;
use shared::validate::ValidPlan;

use super::errors::DeployError;
use super::service::Deployer;
use super::{RoleError, StackArn};
use crate::aws::cloudformation::Session;
use crate::aws::sts::AssumeRequest;

impl Deployer {
    /// Short-lived credentials for a role and deployment, assumed again shortly before they
    /// expire. `resource_types`: what the session may create (every type Stackplan generates
    /// when `None`).
    pub(super) async fn session(
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
                let c = self.sts.assume_role(request.clone()).await?;
                tracing::info!(
                    role,
                    session = request.session_name,
                    expires = humantime(c.expires),
                    "assumed the deploy role"
                );
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
            watched: false,
        })
    }

    pub(super) fn role_for(&self, requested: Option<&str>) -> Result<String, DeployError> {
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

    /// A session for an existing stack.
    pub(super) async fn session_for(&self, arn: &StackArn) -> Result<Session, DeployError> {
        let role = self.role_for_stack(arn)?;
        self.session(&role, &arn.name, &arn.region, None).await
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
    aws_sdk_cloudformation::primitives::DateTime::from_secs(i64::try_from(secs).unwrap_or(0))
        .fmt(aws_sdk_cloudformation::primitives::DateTimeFormat::DateTime)
        .unwrap_or_default()
}
