//! The signed-in user behind a request, and what each role may do.
//!
//! The bearer token names the user; the user's role, client and password fingerprint come from
//! the replica's cache of them ([`super::user_cache`]), read from the database only when not
//! cached (or no longer trusted). Every replica hears of a deleted user or a changed role,
//! client or password through PostgreSQL `LISTEN/NOTIFY`, so a token stops working within a
//! second of the change rather than when it expires, while a warm read sends the handler's
//! statement alone.

use axum::{extract::FromRequestParts, http::request::Parts};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::{
    token::{self, bearer_token},
    user_cache::AuthFacts,
};
use crate::{
    db::schema::users,
    http::{
        conn::ConnSlot,
        error::{ApiError, ApiResult},
        state::AppState,
    },
    text_enum,
};

text_enum! {
    /// What a user may do.
    pub enum Role {
        /// Everything, all clients, admin routes.
        Admin,
        /// All clients' data; no admin routes.
        Operator,
        /// Only its own client's data.
        Client,
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

/// Verifies a bearer token and finds its user: in the replica's cache, or else read on the
/// request's connection (see [`ConnSlot`]), which the handler and the tenancy check reuse.
pub async fn authenticate(
    state: &AppState,
    slot: &ConnSlot,
    bearer: &str,
) -> ApiResult<CurrentUser> {
    let claims = token::verify(state.config.jwt_secret.expose().as_bytes(), bearer)
        .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
    let facts = match state.users.get(claims.sub, std::time::Instant::now()) {
        Some(facts) => facts,
        None => {
            let ticket = state.users.ticket();
            let mut conn = slot.take(&state.pool).await?;
            let found = load_user(&mut conn, claims.sub).await;
            slot.put(conn);
            let (id, role, client_id, password_hash) = found?.ok_or_else(|| {
                ApiError::Unauthorized("the token's user no longer exists".into())
            })?;
            let facts = AuthFacts {
                role,
                client_id,
                fingerprint: token::password_fingerprint(&password_hash),
            };
            state.users.insert(ticket, id, facts.clone());
            facts
        }
    };
    if !bool::from(facts.fingerprint.as_bytes().ct_eq(claims.pwd.as_bytes())) {
        return Err(ApiError::Unauthorized(
            "the password changed since this token was issued; sign in again".into(),
        ));
    }
    Ok(CurrentUser {
        id: claims.sub,
        role: facts.role,
        client_id: facts.client_id,
    })
}

type UserAuth = (Uuid, Role, Option<Uuid>, String);

async fn load_user(
    conn: &mut diesel_async::AsyncPgConnection,
    id: Uuid,
) -> diesel::QueryResult<Option<UserAuth>> {
    users::table
        .find(id)
        .select((
            users::id,
            users::role,
            users::client_id,
            users::password_hash,
        ))
        .first(conn)
        .await
        .optional()
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let bearer = bearer_token(&parts.headers).ok_or_else(|| {
            ApiError::Unauthorized("send Authorization: Bearer <access token>".into())
        })?;
        let slot = ConnSlot::of(&mut parts.extensions);
        let user = authenticate(state, &slot, bearer).await?;
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}
