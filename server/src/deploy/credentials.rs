//! Which role a deployment acts with, and its short-lived credentials: assumed through STS with
//! the session policy of the request's access (read or deploy) on the deployment's stack, kept
//! in memory (a bounded cache keyed by role, ExternalId, stack, region and policy), and assumed again shortly
//! before they expire. They are never logged and never leave the server.

use std::collections::VecDeque;
use std::time::SystemTime;

use super::errors::DeployError;
use super::policy::{Access, Scope, code_policy, images_policy, session_policy, stores_policy};
use super::service::{AccountRoles, Deployer};
use super::{RoleError, StackArn};
use crate::auth::Grant;
use crate::aws::cloudformation::Session;
use crate::aws::sts::{AssumeRequest, TempCredentials};

/// Sessions kept; the oldest goes first.
pub const SESSIONS_KEPT: usize = 256;

/// What a cached session was assumed for.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Key {
    role: String,
    /// Two tenants may name one role with different ExternalIds: one's session never answers
    /// the other, whose ExternalId STS has not seen.
    external_id: Option<String>,
    stack: String,
    region: String,
    /// The session policy's SHA-256: a narrower session is never reused for a wider request.
    policy: [u8; 32],
}

/// Assumed sessions, oldest first. Expired sessions are dropped at the next lookup or store,
/// rather than kept until newer ones push them out.
#[derive(Default)]
pub(crate) struct Cache(VecDeque<(Key, TempCredentials)>);

impl Cache {
    fn get(&mut self, key: &Key, now: SystemTime) -> Option<&TempCredentials> {
        self.prune(now);
        self.0.iter().find(|(k, _)| k == key).map(|(_, c)| c)
    }

    fn put(&mut self, key: Key, credentials: TempCredentials, now: SystemTime) {
        self.prune(now);
        self.0.retain(|(k, _)| *k != key);
        while self.0.len() >= SESSIONS_KEPT {
            self.0.pop_front();
        }
        self.0.push_back((key, credentials));
    }

    /// Lets go of every session that has expired by `now`.
    fn prune(&mut self, now: SystemTime) {
        self.0.retain(|(_, c)| c.expires > now);
    }

    /// How many sessions are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.len()
    }
}

impl Deployer {
    /// Short-lived credentials for `access` to a stack, assumed again shortly before they expire.
    pub(super) async fn session(
        &self,
        roles: &AccountRoles,
        stack_name: &str,
        region: &str,
        access: Access,
    ) -> Result<Session, DeployError> {
        let execution = roles.execution_role_arn.as_deref();
        self.assumed(roles, stack_name, region, access.label(), |scope| {
            session_policy(access, scope, execution)
        })
        .await
    }

    /// Short-lived credentials that can only tell whether images are in one repository
    /// (`repository`, its name, in `region`): the stack's own, or the account's one a plan's
    /// image is in.
    pub(super) async fn images_session(
        &self,
        roles: &AccountRoles,
        stack_name: &str,
        region: &str,
        repository: &str,
    ) -> Result<Session, DeployError> {
        self.assumed(roles, stack_name, region, "images", |scope| {
            images_policy(scope, repository)
        })
        .await
    }

    /// Short-lived credentials that can only see whether secrets and parameters under
    /// `prefixes` (some of the account's settings prefixes) exist, in any of its regions (the
    /// session's region is the stack's; [`super::values`] asks each reference's own).
    pub(super) async fn stores_session(
        &self,
        roles: &AccountRoles,
        stack_name: &str,
        region: &str,
        prefixes: &[String],
    ) -> Result<Session, DeployError> {
        self.assumed(roles, stack_name, region, "stores", |scope| {
            stores_policy(scope, prefixes)
        })
        .await
    }

    /// Short-lived credentials that can only store code in the stack's code bucket.
    pub(super) async fn code_session(
        &self,
        roles: &AccountRoles,
        stack_name: &str,
        region: &str,
        bucket: &str,
    ) -> Result<Session, DeployError> {
        self.assumed(roles, stack_name, region, "code", |scope| {
            code_policy(scope, bucket)
        })
        .await
    }

    async fn assumed(
        &self,
        roles: &AccountRoles,
        stack_name: &str,
        region: &str,
        access: &str,
        policy: impl FnOnce(&Scope<'_>) -> String,
    ) -> Result<Session, DeployError> {
        let role = roles.role_arn.as_str();
        let partition = super::arn_partition(role).unwrap_or("aws");
        let account = super::role_account(role)
            .ok_or_else(|| DeployError::Role(RoleError::Malformed(role.to_string())))?;
        let scope = Scope {
            partition,
            region,
            account,
            stack_name,
        };
        let policy = policy(&scope);
        let key = Key {
            role: role.to_string(),
            external_id: roles.external_id.clone(),
            stack: stack_name.to_string(),
            region: region.to_string(),
            // SHA-256, not the FNV digest: two policies must never share a cached session.
            policy: {
                use sha2::Digest;
                sha2::Sha256::digest(policy.as_bytes()).into()
            },
        };
        let cached = self
            .credentials
            .lock()
            .expect("lock")
            .get(&key, SystemTime::now())
            .cloned();
        let credentials = match cached {
            Some(c) if c.fresh_for(self.config.refresh_margin) => c,
            _ => {
                let request = AssumeRequest {
                    role_arn: role.to_string(),
                    external_id: roles.external_id.clone(),
                    session_name: super::session_name(stack_name),
                    duration_seconds: self.config.session_seconds.clamp(900, 3600),
                    session_policy: policy,
                };
                // A pseudonym of the role: its name and its ARN (which names the account) are
                // the account's business. The pseudonym tells the server's roles apart in the
                // log, and is keyed so that it cannot confirm a guessed ARN.
                let name = &self.config.id_key.pseudonym(role);
                let c = self
                    .sts
                    .assume_role(request.clone())
                    .await
                    .inspect_err(|e| {
                        tracing::warn!(role = name, "assuming the role failed: {e}")
                    })?;
                tracing::info!(
                    role = name,
                    session = request.session_name,
                    access,
                    expires = humantime(c.expires),
                    "assumed the deploy role"
                );
                self.credentials
                    .lock()
                    .expect("lock")
                    .put(key, c.clone(), SystemTime::now());
                c
            }
        };
        Ok(Session {
            region: region.to_string(),
            credentials,
            watched: false,
        })
    }

    /// The roles a token may use: its own, or every role the server has.
    fn granted<'a>(&'a self, grant: &'a Grant) -> &'a [AccountRoles] {
        match &grant.roles {
            Some(roles) => roles,
            None => &self.config.roles,
        }
    }

    /// The roles to create a stack with: the requested role if the token may use it, or the
    /// token's first.
    pub(super) fn roles_for(
        &self,
        grant: &Grant,
        requested: Option<&str>,
    ) -> Result<AccountRoles, DeployError> {
        let granted = self.granted(grant);
        match requested {
            Some(role) if !super::valid_role_arn(role) => {
                Err(RoleError::Malformed(role.to_string()).into())
            }
            Some(role) => granted
                .iter()
                .find(|r| r.role_arn == role)
                .cloned()
                .ok_or_else(|| RoleError::NotAllowed(role.to_string()).into()),
            None => granted
                .first()
                .cloned()
                .ok_or(DeployError::Role(RoleError::NoneConfigured)),
        }
    }

    /// The roles to act on an existing stack with: the token's roles of the stack's account.
    /// A token with none there cannot see the stack. Nothing about the deployment is
    /// remembered between requests.
    pub(super) fn roles_for_stack(
        &self,
        grant: &Grant,
        arn: &StackArn,
    ) -> Result<AccountRoles, DeployError> {
        self.granted(grant)
            .iter()
            .find(|r| r.account() == Some(arn.account.as_str()))
            .cloned()
            .ok_or_else(|| DeployError::UnknownDeployment(arn.name.clone()))
    }

    /// A session for an existing stack.
    pub(super) async fn session_for(
        &self,
        grant: &Grant,
        arn: &StackArn,
        access: Access,
    ) -> Result<Session, DeployError> {
        let roles = self.roles_for_stack(grant, arn)?;
        self.session(&roles, &arn.name, &arn.region, access).await
    }
}

fn humantime(t: SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    aws_sdk_cloudformation::primitives::DateTime::from_secs(i64::try_from(secs).unwrap_or(0))
        .fmt(aws_sdk_cloudformation::primitives::DateTimeFormat::DateTime)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn key(stack: &str) -> Key {
        Key {
            role: "arn:aws:iam::111122223333:role/stackplan-deployer".into(),
            external_id: None,
            stack: stack.into(),
            region: "us-east-1".into(),
            policy: [0; 32],
        }
    }

    fn session(expires: SystemTime) -> TempCredentials {
        TempCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMIEXAMPLEKEY".into(),
            session_token: "FwoGZXIvYXdzEXAMPLETOKEN".into(),
            expires,
        }
    }

    #[test]
    fn a_session_prints_no_part_of_its_credentials() {
        let shown = format!("{:?}", session(SystemTime::UNIX_EPOCH));
        for secret in [
            "ASIAEXAMPLE",
            "wJalrXUtnFEMIEXAMPLEKEY",
            "FwoGZXIvYXdzEXAMPLETOKEN",
        ] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("expires"), "{shown}");
    }

    #[test]
    fn expired_sessions_are_let_go_and_the_cache_stays_bounded() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let hour = Duration::from_secs(3600);
        let mut cache = Cache::default();
        cache.put(key("a"), session(t0 + hour), t0);
        cache.put(key("b"), session(t0 + 2 * hour), t0);
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&key("a"), t0 + hour / 2).is_some());
        // At its expiry a session goes, whether it is asked for or not.
        assert!(cache.get(&key("a"), t0 + hour).is_none());
        assert_eq!(cache.len(), 1);
        assert!(cache.get(&key("b"), t0 + hour).is_some());
        cache.put(key("c"), session(t0 + 4 * hour), t0 + 3 * hour);
        assert_eq!(cache.len(), 1, "b expired before c came");
        // A session assumed again replaces the old one.
        cache.put(key("c"), session(t0 + 5 * hour), t0 + 3 * hour);
        assert_eq!(cache.len(), 1);
        assert_eq!(
            cache.get(&key("c"), t0 + 3 * hour).unwrap().expires,
            t0 + 5 * hour
        );
        // Live sessions beyond the bound push the oldest out.
        for i in 0..SESSIONS_KEPT + 10 {
            cache.put(key(&format!("s{i}")), session(t0 + 9 * hour), t0 + 3 * hour);
        }
        assert_eq!(cache.len(), SESSIONS_KEPT);
        assert!(cache.get(&key("s0"), t0 + 3 * hour).is_none());
        assert!(cache.get(&key("s10"), t0 + 3 * hour).is_some());
    }
}
