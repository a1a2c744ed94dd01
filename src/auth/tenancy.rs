//! Tenancy, enforced once for every route under `/api/v1/clients/{client_id}`.
//!
//! The router puts all client-scoped routes behind [`require_client_access`] (a route layer),
//! so a route added there later gets the check by construction. A client user asking for
//! another client's anything, or anyone asking for a client that does not exist, gets 404:
//! never 403, so client ids do not leak. Handlers take [`ClientScope`], which only this layer
//! provides.

use axum::{
    extract::{FromRequestParts, RawPathParams, Request, State},
    http::request::Parts,
    middleware::Next,
    response::{IntoResponse, Response},
};
use diesel::{dsl::exists, prelude::*, select};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::principal::{CurrentUser, Role};
use crate::{
    db::schema::clients,
    http::{conn::ConnSlot, error::ApiError, state::AppState},
};

/// The client a request is about, already checked against the caller.
#[derive(Debug, Clone)]
pub struct ClientScope {
    pub client_id: Uuid,
    pub user: CurrentUser,
}

pub async fn require_client_access(
    State(state): State<AppState>,
    params: RawPathParams,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let scope = match check(&state, &params, &mut parts).await {
        Ok(scope) => scope,
        Err(e) => return e.into_response(),
    };
    parts.extensions.insert(scope);
    next.run(Request::from_parts(parts, body)).await
}

async fn check(
    state: &AppState,
    params: &RawPathParams,
    parts: &mut Parts,
) -> Result<ClientScope, ApiError> {
    let user = CurrentUser::from_request_parts(parts, state).await?;
    let client_id = params
        .iter()
        .find(|(name, _)| *name == "client_id")
        .and_then(|(_, value)| Uuid::parse_str(value).ok())
        .ok_or_else(|| ApiError::not_found("client"))?;
    if !user.can_access_client(client_id) {
        return Err(ApiError::not_found("client"));
    }
    let now = std::time::Instant::now();
    if user.role != Role::Client && !state.users.client_exists(client_id, now) {
        // Staff can name any client: one query, on the connection authentication used, unless
        // the replica knows the client exists (cached like the token's user, forgotten on
        // every replica when the client is deleted: `super::user_cache`). A client user's own
        // client exists while the user does: no query at all.
        let ticket = state.users.client_ticket();
        let slot = ConnSlot::of(&mut parts.extensions);
        let mut conn = slot.take(&state.pool).await?;
        let found = select(exists(clients::table.find(client_id)))
            .get_result::<bool>(&mut conn)
            .await;
        slot.put(conn);
        if !found? {
            return Err(ApiError::not_found("client"));
        }
        state.users.insert_client(ticket, client_id);
    }
    Ok(ClientScope { client_id, user })
}

impl<S: Send + Sync> FromRequestParts<S> for ClientScope {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<ClientScope>()
            .cloned()
            .ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!(
                    "a client-scoped handler is mounted outside the tenancy layer"
                ))
            })
    }
}
