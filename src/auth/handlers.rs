//! `POST /api/v1/auth/login` and `GET /api/v1/me`.

use std::net::SocketAddr;

use axum::{
    Json,
    extract::{ConnectInfo, State},
    http::{Extensions, HeaderMap},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{password::verify_password, principal::CurrentUser, throttle, token};
use crate::http::prelude::*;
use crate::users::{queries, types::User};

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// A wrong email and a wrong password get the same answer, after the same Argon2 work. Failed
/// attempts are throttled per (account, client address) and per address (see
/// [`throttle`]): over budget, 429 with `Retry-After`, before any password is checked.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem),
        (status = 422, body = Problem),
        (status = 429, description = "Too many failed sign-ins from this address; see Retry-After", body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    extract::Json(body): extract::Json<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let cfg = &state.config.sign_in;
    let peer = extensions.get::<ConnectInfo<SocketAddr>>();
    let keys = throttle::Keys::new(&body.email, &throttle::client_address(cfg, &headers, peer));
    let mut conn = state.pool.get().await?;
    if let Some(retry_after) = throttle::over_budget(&mut conn, cfg, &keys).await? {
        return Err(ApiError::Throttled {
            detail: format!(
                "too many failed sign-ins from this address; try again in {retry_after} s"
            ),
            retry_after_secs: retry_after,
        });
    }
    let found = queries::credentials_by_email(&mut conn, &body.email).await?;
    drop(conn);
    let (user_id, hash) = match found {
        Some((id, hash)) => (Some(id), Some(hash)),
        None => (None, None),
    };
    let fingerprint = hash.as_deref().map(token::password_fingerprint);
    let ok = verify_password(body.password, hash).await;
    let mut conn = state.pool.get().await?;
    let Some((user_id, fingerprint)) = user_id.zip(fingerprint).filter(|_| ok) else {
        throttle::record_failure(&mut conn, cfg, &keys).await?;
        return Err(ApiError::Unauthorized(
            "the email or the password is wrong".into(),
        ));
    };
    throttle::record_success(&mut conn, &keys).await?;
    let ttl = i64::try_from(state.config.jwt_ttl.as_secs()).unwrap_or(3600);
    Ok(Json(TokenResponse {
        access_token: token::issue(
            state.config.jwt_secret.expose().as_bytes(),
            user_id,
            &fingerprint,
            ttl,
        ),
        token_type: "Bearer",
        expires_in: ttl,
    }))
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = Problem)))]
pub async fn me(user: CurrentUser, Db(mut conn): Db) -> ApiResult<Json<User>> {
    Ok(Json(
        queries::get(&mut conn, user.id)
            .await
            .or_not_found("user")?,
    ))
}
