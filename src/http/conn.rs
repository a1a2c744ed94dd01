//! One pooled connection per request.
//!
//! Authentication, the tenancy check and the handler all need the database; checking out a
//! connection for each in turn tripled the pool traffic of a client-scoped request and, under
//! load, let a request wait for the pool three times. Instead the first of them checks one
//! out into the request's [`ConnSlot`], each later one borrows it from there, and the handler
//! takes it with the [`Db`] extractor. A request that never touches the database (`/healthz`)
//! checks out none; the connection goes back to the pool when the request's extensions are
//! dropped, or when the handler is done with it.

use std::sync::{Arc, Mutex};

use axum::{extract::FromRequestParts, http::Extensions, http::request::Parts};

use super::{error::ApiError, state::AppState};
use crate::db::{DbConn, DbPool};

/// The request's connection, if one was checked out already.
#[derive(Clone, Default)]
pub struct ConnSlot(Arc<Mutex<Option<DbConn>>>);

impl ConnSlot {
    /// The slot of this request, created on first use.
    pub fn of(extensions: &mut Extensions) -> ConnSlot {
        if let Some(slot) = extensions.get::<ConnSlot>() {
            return slot.clone();
        }
        let slot = ConnSlot::default();
        extensions.insert(slot.clone());
        slot
    }

    /// The connection held for this request, or a new checkout from the pool. Give it back
    /// with [`ConnSlot::put`] when another step of the request will need it.
    pub async fn take(&self, pool: &DbPool) -> Result<DbConn, ApiError> {
        let held = self.0.lock().map(|mut held| held.take()).unwrap_or(None);
        match held {
            Some(conn) => Ok(conn),
            None => Ok(pool.get().await?),
        }
    }

    pub fn put(&self, conn: DbConn) {
        if let Ok(mut held) = self.0.lock() {
            *held = Some(conn);
        }
    }
}

/// The handler's connection: the one authentication already used, or a new checkout.
pub struct Db(pub DbConn);

impl FromRequestParts<AppState> for Db {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        ConnSlot::of(&mut parts.extensions)
            .take(&state.pool)
            .await
            .map(Db)
    }
}
