//! Access tokens: compact JWTs signed with HMAC-SHA256 (`JWT_SECRET`), naming the user (`sub`)
//! and expiring (`exp`). A token also carries `pwd`, a fingerprint of the user's password hash
//! when it was issued: changing the password changes the hash, which revokes every token issued
//! before, without a revocation list. Written by hand on `hmac` + `sha2` rather than pulling a JWT crate
//! with RSA and elliptic-curve dependencies we do not use; only HS256 is accepted, so a token
//! cannot pick a weaker algorithm (`alg: none`).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use chrono::Utc;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;
pub const ISSUER: &str = "fulfillment-ops";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user's id.
    pub sub: Uuid,
    /// Fingerprint of the password hash at issue time (see [`password_fingerprint`]).
    pub pwd: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token's signature is not valid")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
}

fn mac(secret: &[u8]) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts keys of any length")
}

/// A short fingerprint of a stored password hash (which is itself salted): it reveals nothing
/// about the password, and changes whenever the password does.
pub fn password_fingerprint(password_hash: &str) -> String {
    use sha2::Digest;
    hex::encode(&Sha256::digest(password_hash.as_bytes())[..12])
}

pub fn issue(secret: &[u8], user_id: Uuid, pwd: &str, ttl_secs: i64) -> String {
    let now = Utc::now().timestamp();
    let claims = Claims {
        sub: user_id,
        pwd: pwd.to_owned(),
        iss: ISSUER.to_owned(),
        iat: now,
        exp: now + ttl_secs,
    };
    let payload = serde_json::to_vec(&claims).expect("claims serialize");
    let signing_input = format!("{}.{}", B64.encode(HEADER), B64.encode(payload));
    let mut m = mac(secret);
    m.update(signing_input.as_bytes());
    let signature = B64.encode(m.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

pub fn verify(secret: &[u8], token: &str) -> Result<Claims, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header_json = B64.decode(header).map_err(|_| TokenError::Malformed)?;
    let header: serde_json::Value =
        serde_json::from_slice(&header_json).map_err(|_| TokenError::Malformed)?;
    if header["alg"] != "HS256" {
        return Err(TokenError::Malformed);
    }
    let signature = B64.decode(signature).map_err(|_| TokenError::Malformed)?;
    let mut m = mac(secret);
    m.update(header_json_input(token).as_bytes());
    // Constant-time comparison.
    m.verify_slice(&signature)
        .map_err(|_| TokenError::BadSignature)?;
    let claims: Claims = B64
        .decode(payload)
        .ok()
        .and_then(|p| serde_json::from_slice(&p).ok())
        .ok_or(TokenError::Malformed)?;
    if claims.iss != ISSUER {
        return Err(TokenError::Malformed);
    }
    if claims.exp <= Utc::now().timestamp() {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

/// `header.payload`, the part the signature covers.
fn header_json_input(token: &str) -> &str {
    token.rsplit_once('.').map_or(token, |(input, _)| input)
}

/// The bearer token of an `Authorization` header, if there is one.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_token_verifies_and_names_its_user() {
        let id = Uuid::new_v4();
        let claims = verify(SECRET, &issue(SECRET, id, "fp", 60)).expect("valid");
        assert_eq!(claims.sub, id);
    }

    #[test]
    fn expired_tampered_or_foreign_tokens_are_refused() {
        let id = Uuid::new_v4();
        assert_eq!(
            verify(SECRET, &issue(SECRET, id, "fp", -1)),
            Err(TokenError::Expired)
        );
        assert_eq!(
            verify(
                b"another-secret-another-secret-xx",
                &issue(SECRET, id, "fp", 60)
            ),
            Err(TokenError::BadSignature)
        );
        let token = issue(SECRET, id, "fp", 60);
        let (input, _) = token.rsplit_once('.').unwrap();
        let (header, _) = input.split_once('.').unwrap();
        let forged_payload = B64.encode(
            serde_json::to_vec(&Claims {
                sub: Uuid::new_v4(),
                pwd: "fp".into(),
                iss: ISSUER.into(),
                iat: 0,
                exp: i64::MAX,
            })
            .unwrap(),
        );
        let forged = format!(
            "{header}.{forged_payload}.{}",
            token.rsplit('.').next().unwrap()
        );
        assert_eq!(verify(SECRET, &forged), Err(TokenError::BadSignature));
        let none_alg = format!("{}.{}.", B64.encode(r#"{"alg":"none"}"#), forged_payload);
        assert_eq!(verify(SECRET, &none_alg), Err(TokenError::Malformed));
        assert_eq!(verify(SECRET, "garbage"), Err(TokenError::Malformed));
    }
}
