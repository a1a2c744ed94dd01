//! The signed-in user behind a request, and what each role may do.
//!
//! The bearer token names the user; the user's role and client are then read from the
//! database on every request, so deleting a user or changing their role takes effect at once
//! rather than when their token expires.

use axum::{extract::FromRequestParts, http::request::Parts};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{admin::bearer_token, token};
use crate::{
    db::schema::users,
    http::{
        error::{ApiError, ApiResult},
        state::AppState,
    },
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, all clients, admin routes.
    Admin,
    /// All clients' data; no admin routes.
    Operator,
    /// Only its own client's data.
    Client,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Operator => "operator",
            Self::Client => "client",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "operator" => Some(Self::Operator),
            "client" => Some(Self::Client),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: Uuid,
    pub role: Role,
    pub client_id: Option<Uuid>,
}

impl CurrentUser {
    /// Whether this user may see a client's data at all (a `false` answers 404, not 403).
    pub fn can_access_client(&self, client_id: Uuid) -> bool {
        match self.role {
            Role::Admin | Role::Operator => true,
            Role::Client => self.client_id == Some(client_id),
        }
    }

    pub fn require_admin(&self) -> ApiResult<()> {
        match self.role {
            Role::Admin => Ok(()),
            _ => Err(ApiError::Forbidden("this needs the admin role".into())),
        }
    }

    /// Admins and operators: the 3PL's own staff.
    pub fn require_staff(&self) -> ApiResult<()> {
        match self.role {
            Role::Admin | Role::Operator => Ok(()),
            Role::Client => Err(ApiError::Forbidden(
                "this needs the admin or operator role".into(),
            )),
        }
    }
}

/// Verifies a bearer token and loads its user.
pub async fn authenticate(state: &AppState, bearer: &str) -> ApiResult<CurrentUser> {
    let claims = token::verify(state.config.jwt_secret.expose().as_bytes(), bearer)
        .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
    let mut conn = state.pool.get().await?;
    let row: Option<(Uuid, String, Option<Uuid>, String)> = users::table
        .find(claims.sub)
        .select((
            users::id,
            users::role,
            users::client_id,
            users::password_hash,
        ))
        .first(&mut conn)
        .await
        .optional()?;
    let (id, role, client_id, password_hash) =
        row.ok_or_else(|| ApiError::Unauthorized("the token's user no longer exists".into()))?;
    let current = token::password_fingerprint(&password_hash);
    if !bool::from(current.as_bytes().ct_eq(claims.pwd.as_bytes())) {
        return Err(ApiError::Unauthorized(
            "the password changed since this token was issued; sign in again".into(),
        ));
    }
    let role = Role::parse(&role)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("user {id} has unknown role {role}")))?;
    Ok(CurrentUser {
        id,
        role,
        client_id,
    })
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let bearer = bearer_token(parts).ok_or_else(|| {
            ApiError::Unauthorized("send Authorization: Bearer <access token>".into())
        })?;
        let user = authenticate(state, bearer).await?;
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}
