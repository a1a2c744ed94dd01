//! Access to `/admin/*`: the `ADMIN_TOKEN` from the environment, or an admin user's token.
//!
//! The admin token is compared in constant time over SHA-256 digests of both sides, so neither
//! the contents nor the length of the configured token leak through response timing. A valid
//! user token of an operator or client user is recognised and refused with 403.

use axum::{extract::FromRequestParts, http::request::Parts};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{principal::authenticate, token::bearer_token};
use crate::http::{conn::ConnSlot, error::ApiError, state::AppState};

/// Proof that the caller presented the admin token.
pub struct AdminAccess;

pub fn tokens_match(presented: &str, expected: &str) -> bool {
    let a = Sha256::digest(presented.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.ct_eq(&b).into()
}

impl FromRequestParts<AppState> for AdminAccess {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(presented) = bearer_token(&parts.headers) else {
            return Err(ApiError::Unauthorized(
                "send Authorization: Bearer <ADMIN_TOKEN or an admin's access token>".into(),
            ));
        };
        if let Some(expected) = &state.config.admin_token
            && tokens_match(presented, expected.expose())
        {
            return Ok(AdminAccess);
        }
        // Not the admin token: it may be a user's access token.
        let slot = ConnSlot::of(&mut parts.extensions);
        let user = authenticate(state, &slot, presented)
            .await
            .map_err(|e| match e {
                // An unreachable database is a 503, not a bad token.
                ApiError::Unavailable(_) | ApiError::Internal(_) => e,
                _ => ApiError::Unauthorized("the token is not valid".into()),
            })?;
        user.require_admin()?;
        Ok(AdminAccess)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_exactly() {
        assert!(tokens_match("s3cret-token-0123", "s3cret-token-0123"));
        assert!(!tokens_match("s3cret-token-0124", "s3cret-token-0123"));
        assert!(!tokens_match("", "s3cret-token-0123"));
    }
}
