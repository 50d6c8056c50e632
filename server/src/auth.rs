//! Bearer tokens for the deploy API. Locally the server makes one at start and prints a login
//! URL carrying it (as Jupyter does); shared servers take theirs from `STACKPLAN_TOKENS`.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::AppState;
use crate::error::ApiError;

/// The tokens this server accepts. Never printed by `Debug`.
#[derive(Default, Clone)]
pub struct Tokens(Vec<String>);

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} configured)", self.0.len())
    }
}

impl Tokens {
    /// Tokens from a comma-separated list (`STACKPLAN_TOKENS`); blanks are ignored.
    pub fn from_list(list: &str) -> Tokens {
        Tokens(
            list.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect(),
        )
    }

    /// One fresh random token: 32 bytes from the OS, hex-encoded.
    pub fn generate() -> std::io::Result<(Tokens, String)> {
        let mut bytes = [0u8; 32];
        getrandom::getrandom(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok((Tokens(vec![token.clone()]), token))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Compares in time independent of where the strings differ.
    pub fn accepts(&self, candidate: &str) -> bool {
        self.0.iter().fold(false, |found, t| {
            found | constant_time_eq(t.as_bytes(), candidate.as_bytes())
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Proof that a request carried a valid token; handlers that take it are protected.
pub struct Authorized;

impl<S: Send + Sync> FromRequestParts<S> for Authorized
where
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let token = header.and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        });
        match token {
            None => Err(ApiError::MissingToken),
            Some(t) if state.tokens.accepts(t.trim()) => Ok(Authorized),
            Some(_) => Err(ApiError::InvalidToken),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_from_a_list_and_generated() {
        let t = Tokens::from_list(" a1 ,, b2 ");
        assert!(t.accepts("a1") && t.accepts("b2") && !t.accepts("a") && !t.accepts(""));
        let (t, token) = Tokens::generate().unwrap();
        assert_eq!(token.len(), 64);
        assert!(t.accepts(&token));
        assert_eq!(format!("{t:?}"), "Tokens(1 configured)");
        assert!(!Tokens::default().accepts(""));
    }
}
