//! Bearer tokens for the deploy API. Locally the server makes one at start and prints a login
//! URL carrying it (as Jupyter does); shared servers take theirs from `STACKPLAN_TOKENS` (each
//! may use every role the server is configured with) or from a tokens file, which binds each
//! token to the roles it may deploy with and, optionally, to a tenant (`owner`): its stacks
//! carry the `stackplan:owner` tag, and it acts on no other.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use std::sync::Arc;

use crate::AppState;
use crate::deploy::service::AccountRoles;
use crate::error::ApiError;

/// What a token may deploy with, and whose stacks it acts on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grant {
    /// The token's roles, or (`None`) every role the server has.
    pub roles: Option<Arc<Vec<AccountRoles>>>,
    /// The tenant the token deploys for: its stacks carry `stackplan:owner` with this name,
    /// and it acts on no other (`None`: only on stacks without the tag).
    pub owner: Option<Owner>,
    /// The buckets besides its stacks' own that a tenant of a tokens file (an entry with an
    /// owner) may run Lambda code from (its `code_buckets`); `None`, any bucket of the account
    /// (a token without an owner, the operator's CLI).
    pub code_buckets: Option<Vec<String>>,
    /// The repositories of the roles' account's ECR besides its stacks' own that a tenant of a
    /// tokens file may run images from (its `image_repositories`); `None`, any repository of
    /// the account (a token without an owner, the operator's CLI).
    pub image_repositories: Option<Vec<String>>,
    /// What the names of the stacks the token deploys start with (its entry's `stack_prefix`),
    /// if it is held to one: a name outside it is refused before any AWS call, so a tenant can
    /// neither take nor probe another's names.
    pub stack_prefix: Option<String>,
}

impl Grant {
    /// Why the token may not deploy a stack named `name`, if it may not.
    pub fn stack_name_problem(&self, name: &str) -> Option<String> {
        let prefix = self.stack_prefix.as_deref()?;
        (!name.starts_with(prefix)).then(|| {
            format!("this token deploys only stacks whose names start with \"{prefix}\"; name the stack {prefix}…")
        })
    }

    /// Why the token may not run an image from the repository `name` of its roles' account's
    /// ECR, if it may not. A tenant's task execution role could pull any repository's image
    /// the plan names, and the deploy's look-up would tell whether a tag is there, so a tenant
    /// names only its own stacks' repositories (CloudFormation names one after its stack, in
    /// lower case: it starts with the tenant's stack prefix, lowered) or one its entry lists.
    pub fn foreign_repository(&self, name: &str) -> Option<String> {
        let listed = self.image_repositories.as_deref()?;
        let prefix = self.stack_prefix.as_deref().map(str::to_ascii_lowercase);
        let own = prefix.as_deref().is_some_and(|p| name.starts_with(p));
        (!own && !listed.iter().any(|r| r == name)).then(|| {
            let own = prefix
                .map(|p| format!("its own stacks' repositories (whose names start with \"{p}\") or "))
                .unwrap_or_default();
            format!(
                "is in the repository {name} of this account's ECR, which this token may not run images from: it runs {own}one its entry of the server's tokens file lists in `image_repositories`"
            )
        })
    }
}

/// The name of a tenant of a shared server (a tokens file's `owner`), written on its stacks as
/// the `stackplan:owner` tag: 1 to 64 letters, digits and `_ . : / = + @ -` (a tag value's
/// characters, without spaces).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Owner(String);

/// The longest owner name.
pub const OWNER_MAX_CHARS: usize = 64;

impl Owner {
    pub fn new(name: &str) -> Result<Owner, String> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || "_.:/=+@-".contains(c);
        if let Some(c) = name.chars().find(|c| !allowed(*c)) {
            Err(format!(
                "has {c:?}; an owner has only letters, digits and _ . : / = + @ -"
            ))
        } else if name.is_empty() || name.len() > OWNER_MAX_CHARS {
            Err(format!(
                "has {} characters; an owner has 1 to {OWNER_MAX_CHARS}",
                name.len()
            ))
        } else if name.to_ascii_lowercase().starts_with("aws:") {
            Err("starts with \"aws:\", which AWS reserves".into())
        } else {
            Ok(Owner(name.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The tokens this server accepts, each with its grant. Never printed by `Debug`.
#[derive(Default, Clone)]
pub struct Tokens(Vec<(String, Grant)>);

/// A tokens file: `{"tokens": [{"token": "...", "owner": "...", "roles": [{"role_arn": "...",
/// "external_id": "...", "execution_role_arn": "...", "permissions_boundary_arn": "..."}],
/// "code_buckets": ["..."], "image_repositories": ["..."], "stack_prefix": "..."}]}` (`owner`,
/// `code_buckets`, `image_repositories` and `stack_prefix` optional).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TokensFile {
    tokens: Vec<TokenEntry>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenEntry {
    token: String,
    #[serde(default)]
    owner: Option<String>,
    roles: Vec<AccountRoles>,
    #[serde(default)]
    code_buckets: Vec<String>,
    #[serde(default)]
    image_repositories: Vec<String>,
    #[serde(default)]
    stack_prefix: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} configured)", self.0.len())
    }
}

/// The shortest token a server takes, from a list or a file.
pub const MIN_TOKEN_CHARS: usize = 16;

impl Tokens {
    /// Tokens from a comma-separated list (`STACKPLAN_TOKENS`); blanks are ignored. Each may
    /// use every role the server has, so each must be as long as a tokens file's
    /// ([`MIN_TOKEN_CHARS`]): a short one could be guessed.
    pub fn from_list(list: &str) -> Result<Tokens, String> {
        let mut tokens = Vec::new();
        for (i, token) in list
            .split(',')
            .map(str::trim)
            .enumerate()
            .filter(|(_, t)| !t.is_empty())
        {
            if token.chars().count() < MIN_TOKEN_CHARS {
                return Err(format!(
                    "STACKPLAN_TOKENS: token {} is shorter than {MIN_TOKEN_CHARS} characters; \
                     make one with `openssl rand -hex 32`",
                    i + 1
                ));
            }
            tokens.push((token.to_string(), Grant::default()));
        }
        Ok(Tokens(tokens))
    }

    /// Tokens from a tokens file, each bound to its roles.
    pub fn from_file(text: &str) -> Result<Tokens, String> {
        let file: TokensFile =
            serde_json::from_str(text).map_err(|e| format!("the tokens file is not valid: {e}"))?;
        let mut tokens = Vec::new();
        for (i, entry) in file.tokens.into_iter().enumerate() {
            if entry.token.trim().chars().count() < MIN_TOKEN_CHARS {
                return Err(format!(
                    "every token in the tokens file must be at least {MIN_TOKEN_CHARS} characters"
                ));
            }
            if entry.roles.is_empty() {
                return Err("every token in the tokens file needs at least one role".into());
            }
            // One token under two entries would silently take one entry's roles and owner.
            if let Some(j) = tokens.iter().position(|(t, _)| t == entry.token.trim()) {
                return Err(format!(
                    "the tokens file: tokens[{i}] repeats the token of tokens[{j}]; each token has one entry"
                ));
            }
            let owner = entry
                .owner
                .as_deref()
                .map(Owner::new)
                .transpose()
                .map_err(|e| format!("the tokens file: tokens[{i}].owner {e}"))?;
            // A token without an owner runs code from any bucket of the account: a list there
            // would read as a limit it is not.
            if owner.is_none() && !entry.code_buckets.is_empty() {
                return Err(format!(
                    "the tokens file: tokens[{i}].code_buckets limits a tenant's buckets, but the entry names no owner; give it one, or leave the list out"
                ));
            }
            if owner.is_none() && !entry.image_repositories.is_empty() {
                return Err(format!(
                    "the tokens file: tokens[{i}].image_repositories limits a tenant's repositories, but the entry names no owner; give it one, or leave the list out"
                ));
            }
            // A name ECR would not take could never match: a typo would go unseen.
            if let Some((j, name)) = entry
                .image_repositories
                .iter()
                .enumerate()
                .find(|(_, name)| !shared::validate::ecr_repository_name(name))
            {
                return Err(format!(
                    "the tokens file: tokens[{i}].image_repositories[{j}] {name:?} is not an ECR repository's name ({})",
                    shared::validate::ECR_NAME_RULE
                ));
            }
            let code_buckets = owner.is_some().then_some(entry.code_buckets);
            let image_repositories = owner.is_some().then_some(entry.image_repositories);
            if let Some(prefix) = &entry.stack_prefix
                && let Some(problem) = stack_prefix_problem(prefix)
            {
                return Err(format!(
                    "the tokens file: tokens[{i}].stack_prefix {problem}"
                ));
            }
            tokens.push((
                entry.token.trim().to_string(),
                Grant {
                    roles: Some(Arc::new(entry.roles)),
                    owner,
                    code_buckets,
                    image_repositories,
                    stack_prefix: entry.stack_prefix,
                },
            ));
        }
        let tokens = Tokens(tokens);
        tokens.owners_apart()?;
        Ok(tokens)
    }

    /// Refuses two owners whose roles reach the same account's settings (overlapping settings
    /// prefixes) or the same hosted zone: each could deploy a plan that reads the other's
    /// secrets, or writes records in the other's zone. Stacks are kept apart by their owner
    /// tag; what lies outside stacks only by the bootstrap's reach, which the tokens file sets.
    fn owners_apart(&self) -> Result<(), String> {
        // A prefix keeps names apart only if every token has one: a token without could name
        // (and probe) the stacks under anyone's.
        let held = self.0.iter().position(|(_, g)| g.stack_prefix.is_some());
        let free = self.0.iter().position(|(_, g)| g.stack_prefix.is_none());
        if let (Some(i), Some(j)) = (held, free) {
            return Err(format!(
                "the tokens file: tokens[{i}] has a stack_prefix and tokens[{j}] has none, which could name the stacks under it; give every entry one (each owner its own), or none"
            ));
        }
        // Prefixes of two owners that overlap would let one name (and probe) the other's stacks,
        // or, in any case (a stack's ECR repository is its name in lower case), run the other's
        // images.
        for (i, (_, a)) in self.0.iter().enumerate() {
            for (j, (_, b)) in self.0.iter().enumerate().skip(i + 1) {
                if let (Some(pa), Some(pb)) = (&a.stack_prefix, &b.stack_prefix)
                    && a.owner != b.owner
                    && {
                        let (la, lb) = (pa.to_ascii_lowercase(), pb.to_ascii_lowercase());
                        la.starts_with(lb.as_str()) || lb.starts_with(la.as_str())
                    }
                {
                    return Err(format!(
                        "the tokens file: tokens[{i}].stack_prefix \"{pa}\" and tokens[{j}].stack_prefix \"{pb}\" belong to different owners but overlap, so one could name the other's stacks; give each owner a prefix that does not start the other's"
                    ));
                }
            }
        }
        let bound: Vec<(String, Option<&Owner>, &AccountRoles)> = self
            .0
            .iter()
            .enumerate()
            .filter_map(|(i, (_, g))| g.roles.as_deref().map(|roles| (i, g, roles)))
            .flat_map(|(i, g, roles)| {
                roles
                    .iter()
                    .enumerate()
                    .map(move |(j, r)| (format!("tokens[{i}].roles[{j}]"), g.owner.as_ref(), r))
            })
            .collect();
        for (n, (at, owner, roles)) in bound.iter().enumerate() {
            for (other_at, other_owner, other) in &bound[n + 1..] {
                if owner == other_owner || roles.account() != other.account() {
                    continue;
                }
                let overlap = |a: &str, b: &str| a.starts_with(b) || b.starts_with(a);
                if let Some((a, b)) = roles.settings_prefixes.iter().find_map(|a| {
                    other
                        .settings_prefixes
                        .iter()
                        .find(|b| overlap(a, b))
                        .map(|b| (a, b))
                }) {
                    return Err(format!(
                        "the tokens file: {at} and {other_at} belong to different owners but reach the same account's settings (\"{a}\" and \"{b}\"), so each could deploy a plan that reads the other's secrets; give each owner settings prefixes of its own (`settings_prefixes`, e.g. \"stackplan/<owner>/\")"
                    ));
                }
                if let Some(zone) = roles
                    .hosted_zone_ids
                    .iter()
                    .find(|z| other.hosted_zone_ids.contains(z))
                {
                    return Err(format!(
                        "the tokens file: {at} and {other_at} belong to different owners but may both write records in hosted zone {zone}; give each owner zones of its own"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every role some token is bound to, with its place in the tokens file (for errors that
    /// must say which entry to mend): `the tokens file's tokens[0].roles[1]`.
    pub fn bound_roles(&self) -> impl Iterator<Item = (String, &AccountRoles)> {
        self.0
            .iter()
            .enumerate()
            .filter_map(|(i, (_, g))| g.roles.as_deref().map(|roles| (i, roles)))
            .flat_map(|(i, roles)| {
                roles
                    .iter()
                    .enumerate()
                    .map(move |(j, r)| (format!("the tokens file's tokens[{i}].roles[{j}]"), r))
            })
    }

    /// One fresh random token: 32 bytes from the OS, hex-encoded.
    pub fn generate() -> std::io::Result<(Tokens, String)> {
        let mut bytes = [0u8; 32];
        getrandom::getrandom(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
        let token = crate::deploy::id::hex(&bytes);
        Ok((Tokens(vec![(token.clone(), Grant::default())]), token))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The grant of a token, compared in time independent of where the strings differ.
    pub fn grant(&self, candidate: &str) -> Option<Grant> {
        let mut found = None;
        for (token, grant) in &self.0 {
            if constant_time_eq(token.as_bytes(), candidate.as_bytes()) {
                found = Some(grant.clone());
            }
        }
        found
    }

    pub fn accepts(&self, candidate: &str) -> bool {
        self.grant(candidate).is_some()
    }
}

/// Why `prefix` cannot start stack names, if it cannot: a stack name starts with a letter and
/// holds letters, digits and hyphens, at most 128 of them, and a prefix leaves room for a name.
fn stack_prefix_problem(prefix: &str) -> Option<String> {
    if prefix.is_empty() || prefix.len() > 64 {
        return Some(format!(
            "has {} characters; a prefix has 1 to 64",
            prefix.len()
        ));
    }
    // A prefix that is no stack name could start none: the stack name's own rules.
    if shared::api::stack_name_problem(prefix).is_some() {
        return Some(format!(
            "\"{prefix}\" cannot start a stack name: start with a letter and use only letters, digits and hyphens"
        ));
    }
    None
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token of an `Authorization: Bearer …` header (either case of `Bearer`, spaces around
/// the token ignored): the text [`Authorized`] checks, so that two spellings of one header are
/// one token (the per-token stream cap counts by it).
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let header = headers.get(AUTHORIZATION)?.to_str().ok()?;
    // The scheme is case-insensitive (RFC 7235): `Bearer`, `bearer`, `BEARER`.
    let scheme = header.get(..7)?;
    scheme
        .eq_ignore_ascii_case("bearer ")
        .then(|| header[7..].trim())
}

/// Proof that a request carried a valid token, with what the token may do; handlers that take
/// it are protected.
pub struct Authorized(pub Grant);

impl<S: Send + Sync> FromRequestParts<S> for Authorized
where
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        // A server that does not deploy has no tokens (and printed no login URL): it says so
        // rather than asking for a token or calling every token invalid.
        if state.deployer.is_none() {
            return Err(ApiError::DeployDisabled(
                crate::routes::deployments::DEPLOY_OFF.into(),
            ));
        }
        // Which of two tokens would count is not for the server to guess.
        if parts.headers.get_all(AUTHORIZATION).iter().nth(1).is_some() {
            return Err(ApiError::TwoTokens);
        }
        match bearer_token(&parts.headers) {
            None => Err(ApiError::MissingToken),
            Some(t) => state
                .tokens
                .grant(t)
                .map(Authorized)
                .ok_or(ApiError::InvalidToken),
        }
    }
}

/// A token allowed to change stacks, with one of its places for that
/// (`--max-changes-per-token`), held while the request is answered: the extractor of every
/// route that changes a stack.
pub struct Changing(pub Grant, pub crate::state::TokenTicket);

impl<S: Send + Sync> FromRequestParts<S> for Changing
where
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Authorized(grant) = Authorized::from_request_parts(parts, state).await?;
        let state = AppState::from_ref(state);
        // Counted by the token itself (known good by now), not by how the header spells it.
        let token = bearer_token(&parts.headers).unwrap_or_default();
        let max = state.config.max_changes_per_token;
        let ticket = state
            .changing
            .enter(token, max)
            .map_err(|_| ApiError::TooManyChanges(max))?;
        Ok(Changing(grant, ticket))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        let token = |value: &str| {
            let mut headers = axum::http::HeaderMap::new();
            headers.insert(AUTHORIZATION, value.parse().unwrap());
            bearer_token(&headers).map(String::from)
        };
        for value in ["Bearer t0k", "bearer t0k", "BEARER t0k", "bEaReR   t0k  "] {
            assert_eq!(token(value).as_deref(), Some("t0k"), "{value}");
        }
        for value in ["Basic t0k", "Bearert0k", "Bear", ""] {
            assert_eq!(token(value), None, "{value}");
        }
    }

    #[test]
    fn tokens_from_a_list_and_generated() {
        let (a, b) = ("a1a1a1a1a1a1a1a1", "b2b2b2b2b2b2b2b2");
        let t = Tokens::from_list(&format!(" {a} ,, {b} ")).unwrap();
        assert!(t.accepts(a) && t.accepts(b) && !t.accepts("a1") && !t.accepts(""));
        // A short token is refused, naming its place in the list, not the token.
        let err = Tokens::from_list(&format!("{a},,x")).unwrap_err();
        assert!(err.contains("token 3 is shorter than 16"), "{err}");
        assert!(!err.contains(a), "{err}");
        let (t, token) = Tokens::generate().unwrap();
        assert_eq!(token.len(), 64);
        assert!(t.accepts(&token));
        assert_eq!(format!("{t:?}"), "Tokens(1 configured)");
        assert!(!Tokens::default().accepts(""));
    }

    #[test]
    fn a_tokens_file_names_each_tokens_owner() {
        let role = json_role();
        let file = |owners: [serde_json::Value; 2]| {
            let own = |prefix: &str| {
                let mut r = role.clone();
                r["settings_prefixes"] = serde_json::json!([prefix]);
                r
            };
            serde_json::json!({"tokens": [
                {"token": "a1a1a1a1a1a1a1a1", "owner": owners[0], "roles": [own("stackplan/a/")]},
                {"token": "b2b2b2b2b2b2b2b2", "owner": owners[1], "roles": [own("stackplan/b/")]},
            ]})
            .to_string()
        };
        let t = Tokens::from_file(&file(["team-a".into(), serde_json::Value::Null])).unwrap();
        let owner = |token: &str| {
            t.grant(token)
                .unwrap()
                .owner
                .map(|o| o.as_str().to_string())
        };
        assert_eq!(owner("a1a1a1a1a1a1a1a1").as_deref(), Some("team-a"));
        assert_eq!(owner("b2b2b2b2b2b2b2b2"), None);
        // A tenant runs code from the buckets it lists only (none listed: its stacks' own); a
        // token without an owner from any bucket of the account.
        assert_eq!(
            t.grant("a1a1a1a1a1a1a1a1").unwrap().code_buckets,
            Some(vec![])
        );
        assert_eq!(t.grant("b2b2b2b2b2b2b2b2").unwrap().code_buckets, None);
        let listed = serde_json::json!({"tokens": [
            {"token": "a1a1a1a1a1a1a1a1", "owner": "team-a", "roles": [role.clone()], "code_buckets": ["team-a-artifacts"]},
        ]});
        let t2 = Tokens::from_file(&listed.to_string()).unwrap();
        assert_eq!(
            t2.grant("a1a1a1a1a1a1a1a1").unwrap().code_buckets,
            Some(vec!["team-a-artifacts".to_string()])
        );
        let ownerless = serde_json::json!({"tokens": [
            {"token": "a1a1a1a1a1a1a1a1", "roles": [role.clone()], "code_buckets": ["x-artifacts"]},
        ]});
        let err = Tokens::from_file(&ownerless.to_string()).err().unwrap();
        assert!(
            err.contains(
                "tokens[0].code_buckets limits a tenant's buckets, but the entry names no owner"
            ),
            "{err}"
        );
        // A name that is not a tag value's is refused, naming the entry, never the token.
        for (bad, says) in [
            ("", "tokens[1].owner has 0 characters"),
            ("team a", "tokens[1].owner has ' '"),
            (&"x".repeat(65), "tokens[1].owner has 65 characters"),
            (&"é".repeat(40), "tokens[1].owner has 'é'"),
            ("AWS:team", "tokens[1].owner starts with \"aws:\""),
        ] {
            let err = Tokens::from_file(&file(["ok".into(), bad.into()]))
                .err()
                .unwrap();
            assert!(err.contains(says), "{bad:?}: {err}");
            assert!(!err.contains("b2b2"), "{err}");
        }
        assert!(Owner::new("team_1.prod:eu/x=y+z@example-org").is_ok());
        // A token listed twice is refused, naming both entries, never the token.
        let twice = serde_json::json!({"tokens": [
            {"token": "a1a1a1a1a1a1a1a1", "owner": "team-a", "roles": [role.clone()]},
            {"token": " a1a1a1a1a1a1a1a1 ", "owner": "team-b", "roles": [role.clone()]},
        ]});
        let err = Tokens::from_file(&twice.to_string()).err().unwrap();
        assert!(
            err.contains("tokens[1] repeats the token of tokens[0]"),
            "{err}"
        );
        assert!(!err.contains("a1a1"), "{err}");
    }

    /// A tenant runs images of its account's ECR from its own stacks' repositories and the
    /// ones its entry lists; a token without an owner from any.
    #[test]
    fn a_tenant_runs_images_from_its_own_repositories() {
        let entry = |token: &str, owner: Option<&str>, prefix: Option<&str>, listed: &[&str]| {
            let mut e = serde_json::json!({"token": token, "roles": [json_role()]});
            if let Some(o) = owner {
                e["owner"] = o.into();
                e["image_repositories"] = serde_json::json!(listed);
            }
            if let Some(p) = prefix {
                e["stack_prefix"] = p.into();
            }
            e
        };
        let file = |entries: Vec<serde_json::Value>| {
            Tokens::from_file(&serde_json::json!({ "tokens": entries }).to_string())
        };
        let a = "a1a1a1a1a1a1a1a1";
        let held = file(vec![entry(
            a,
            Some("team-a"),
            Some("Team-A-"),
            &["shared/base"],
        )])
        .unwrap()
        .grant(a)
        .unwrap();
        // Its stacks' (named in lower case) and its listed one.
        for own in ["team-a-shop-repository-1a2b", "shared/base"] {
            assert_eq!(held.foreign_repository(own), None, "{own}");
        }
        for other in [
            "team-b-shop-repository-1a2b",
            "Team-A-shop",
            "shared/base2",
            "base",
        ] {
            let problem = held.foreign_repository(other).expect(other);
            assert!(
                problem.contains(&format!("the repository {other} ")),
                "{problem}"
            );
            assert!(problem.contains("start with \"team-a-\""), "{problem}");
            assert!(problem.contains("`image_repositories`"), "{problem}");
        }
        // A tenant without a prefix: only the listed ones, and the message says only them.
        let listed = file(vec![entry(a, Some("team-a"), None, &["team-a-base"])])
            .unwrap()
            .grant(a)
            .unwrap();
        assert_eq!(listed.foreign_repository("team-a-base"), None);
        let problem = listed
            .foreign_repository("team-a-shop-repository-1a2b")
            .unwrap();
        assert!(!problem.contains("own stacks"), "{problem}");
        // No owner: any repository; and a list there would read as a limit it is not.
        let free = file(vec![entry(a, None, None, &[])])
            .unwrap()
            .grant(a)
            .unwrap();
        assert_eq!(free.foreign_repository("anything"), None);
        let mut ownerless = entry(a, None, None, &[]);
        ownerless["image_repositories"] = serde_json::json!(["x"]);
        let err = file(vec![ownerless]).err().unwrap();
        assert!(
            err.contains("tokens[0].image_repositories limits a tenant's repositories, but the entry names no owner"),
            "{err}"
        );
        // A name ECR would not take (here with a capital) is refused at load, by its place.
        let err = file(vec![entry(
            a,
            Some("team-a"),
            None,
            &["team-a-base", "Team-A/web"],
        )])
        .err()
        .unwrap();
        assert!(
            err.contains(
                "tokens[0].image_repositories[1] \"Team-A/web\" is not an ECR repository's name"
            ),
            "{err}"
        );
    }

    /// Two owners in one account must not reach the same settings or zones: either could
    /// deploy a plan that reads the other's secrets.
    #[test]
    fn owners_of_one_account_reach_settings_and_zones_of_their_own() {
        let entry = |token: &str, owner: &str, prefixes: &[&str], zones: &[&str], arn: &str| {
            serde_json::json!({"token": token, "owner": owner, "roles": [{
                "role_arn": arn, "external_id": "stackplan-test",
                "settings_prefixes": prefixes, "hosted_zone_ids": zones
            }]})
        };
        let here = "arn:aws:iam::111122223333:role/deployer";
        let there = "arn:aws:iam::444455556666:role/deployer";
        let file = |entries: Vec<serde_json::Value>| {
            Tokens::from_file(&serde_json::json!({ "tokens": entries }).to_string())
        };
        let (a, b) = ("a1a1a1a1a1a1a1a1", "b2b2b2b2b2b2b2b2");
        let err = file(vec![
            entry(a, "team-a", &["stackplan/"], &[], here),
            entry(b, "team-b", &["stackplan/b/"], &[], here),
        ])
        .unwrap_err();
        assert!(
            err.contains("tokens[0].roles[0] and tokens[1].roles[0] belong to different owners")
                && err.contains("\"stackplan/\" and \"stackplan/b/\""),
            "{err}"
        );
        assert!(!err.contains(a) && !err.contains(b), "{err}");
        let err = file(vec![
            entry(a, "team-a", &["stackplan/a/"], &["Z1", "Z2"], here),
            entry(b, "team-b", &["stackplan/b/"], &["Z2"], here),
        ])
        .unwrap_err();
        assert!(err.contains("hosted zone Z2"), "{err}");
        // Apart: prefixes and zones of their own, or other accounts, or one owner.
        for ok in [
            vec![
                entry(a, "team-a", &["stackplan/a/"], &["Z1"], here),
                entry(b, "team-b", &["stackplan/b/"], &["Z2"], here),
            ],
            vec![
                entry(a, "team-a", &["stackplan/"], &["Z1"], here),
                entry(b, "team-b", &["stackplan/"], &["Z1"], there),
            ],
            vec![
                entry(a, "team-a", &["stackplan/"], &["Z1"], here),
                entry(b, "team-a", &["stackplan/"], &["Z1"], here),
            ],
        ] {
            assert!(file(ok).is_ok());
        }
    }

    /// A tenant held to a stack prefix may name only stacks that start with it; prefixes that
    /// cannot start a stack name, or of two owners that overlap, are refused at start.
    #[test]
    fn a_stack_prefix_holds_a_tokens_names() {
        let entry = |token: &str, owner: &str, prefix: &str, settings: &str| {
            let mut role = json_role();
            role["settings_prefixes"] = serde_json::json!([settings]);
            serde_json::json!({"token": token, "owner": owner, "roles": [role], "stack_prefix": prefix})
        };
        let file = |entries: Vec<serde_json::Value>| {
            Tokens::from_file(&serde_json::json!({ "tokens": entries }).to_string())
        };
        let (a, b) = ("a1a1a1a1a1a1a1a1", "b2b2b2b2b2b2b2b2");
        let t = file(vec![
            entry(a, "team-a", "team-a-", "stackplan/a/"),
            entry(b, "team-b", "team-b-", "stackplan/b/"),
        ])
        .unwrap();
        let grant = t.grant(a).unwrap();
        assert_eq!(grant.stack_name_problem("team-a-shop"), None);
        for other in ["team-b-shop", "shop", "Team-a-shop", "team-a"] {
            let problem = grant.stack_name_problem(other).expect(other);
            assert!(problem.contains("start with \"team-a-\""), "{problem}");
        }
        // Without a prefix, any name.
        assert_eq!(Grant::default().stack_name_problem("anything"), None);
        let err = file(vec![
            entry(a, "team-a", "team-", "stackplan/a/"),
            entry(b, "team-b", "team-b-", "stackplan/b/"),
        ])
        .unwrap_err();
        assert!(
            err.contains("tokens[0].stack_prefix \"team-\" and tokens[1].stack_prefix \"team-b-\""),
            "{err}"
        );
        assert!(!err.contains(a) && !err.contains(b), "{err}");
        // Prefixes apart only in case overlap too: their stacks' ECR repositories are their
        // names in lower case.
        let err = file(vec![
            entry(a, "team-a", "Team-", "stackplan/a/"),
            entry(b, "team-b", "team-b-", "stackplan/b/"),
        ])
        .unwrap_err();
        assert!(
            err.contains("belong to different owners but overlap"),
            "{err}"
        );
        // Every entry has one, or none does: a token without could name stacks under any.
        let mut free = entry(b, "team-b", "x", "stackplan/b/");
        free.as_object_mut().unwrap().remove("stack_prefix");
        let err = file(vec![entry(a, "team-a", "team-a-", "stackplan/a/"), free]).unwrap_err();
        assert!(
            err.contains("tokens[0] has a stack_prefix and tokens[1] has none"),
            "{err}"
        );
        // One owner's two tokens may share one.
        assert!(
            file(vec![
                entry(a, "team-a", "team-a-", "stackplan/a/"),
                entry(b, "team-a", "team-a-", "stackplan/a/"),
            ])
            .is_ok()
        );
        for (bad, says) in [
            ("", "has 0 characters"),
            ("1team-", "cannot start a stack name"),
            ("team_a", "cannot start a stack name"),
            (&"t".repeat(65), "has 65 characters"),
        ] {
            let err = file(vec![entry(a, "team-a", bad, "stackplan/a/")]).unwrap_err();
            assert!(
                err.contains(&format!("tokens[0].stack_prefix {says}")) || err.contains(says),
                "{bad:?}: {err}"
            );
        }
    }

    fn json_role() -> serde_json::Value {
        serde_json::json!({"role_arn": "arn:aws:iam::111122223333:role/deployer", "external_id": "stackplan-test"})
    }
}
