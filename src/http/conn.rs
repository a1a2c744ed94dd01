//! One pooled connection per request.
//!
//! Authentication, the tenancy check and the handler all need the database; checking out a
//! connection for each in turn tripled the pool traffic of a client-scoped request and, under
//! load, let a request wait for the pool three times. Instead the first of them checks one
//! out into the request's [`ConnSlot`], each later one borrows it from there, and the handler
//! takes it with the [`Db`] extractor. A request that never touches the database (`/healthz`)
//! checks out none; the connection goes back to the pool when the request's extensions are
//! dropped, or when the handler is done with it.
//!
//! A read that met a connection dying under it ([`retry_lost_reads`]) is run once more: its
//! new run checks out afresh, and the pool checks the dead connection's siblings first (see
//! `db::pool`), so a terminated backend costs a GET a retry instead of a 503.

use std::sync::{Arc, Mutex};

use axum::{
    body::Body,
    extract::{FromRequestParts, Request, State},
    http::{Extensions, Method, header, request::Parts},
    middleware::Next,
    response::Response,
};

use super::{
    error::{ApiError, ConnectionLost},
    state::AppState,
};
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
            None => Ok(pool.checkout().await?),
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

/// The handler's connection when it asks for one: a read the replica answers from a cache
/// (`dashboards::cache`) checks out none.
pub struct LazyDb {
    slot: ConnSlot,
    pool: DbPool,
}

impl LazyDb {
    /// The connection authentication already used, or a new checkout.
    pub async fn conn(&self) -> Result<DbConn, ApiError> {
        self.slot.take(&self.pool).await
    }
}

impl FromRequestParts<AppState> for LazyDb {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Self {
            slot: ConnSlot::of(&mut parts.extensions),
            pool: state.pool.clone(),
        })
    }
}

/// Runs a GET or HEAD without a body once more when its answer was a 503 because a database
/// connection died under it ([`ConnectionLost`]): reading again has no effect but the answer.
/// Writes are not retried: their statement may have reached the server. A database found
/// stalled answers differently (no checkout at all), so this never doubles a wait.
///
/// The loss is noted here before the second run, not only by the dead connection's driver
/// task: that task and this request wake on the same closed socket in no set order, and a
/// second checkout before the task ran would take a dead sibling unchecked.
pub async fn retry_lost_reads(State(pool): State<DbPool>, req: Request, next: Next) -> Response {
    let bodiless = !req.headers().contains_key(header::TRANSFER_ENCODING)
        && req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_none_or(|v| v.as_bytes() == b"0");
    if !(matches!(*req.method(), Method::GET | Method::HEAD) && bodiless) {
        return next.run(req).await;
    }
    let (parts, _) = req.into_parts();
    let again = fresh_copy(&parts);
    let res = next
        .clone()
        .run(Request::from_parts(parts, Body::empty()))
        .await;
    if res.extensions().get::<ConnectionLost>().is_none() {
        return res;
    }
    tracing::info!("a read met a lost database connection; running it once more");
    pool.liveness().note_loss();
    next.run(again).await
}

/// The request again, without the first run's connection slot.
fn fresh_copy(parts: &Parts) -> Request {
    let mut req = Request::new(Body::empty());
    *req.method_mut() = parts.method.clone();
    *req.uri_mut() = parts.uri.clone();
    *req.version_mut() = parts.version;
    *req.headers_mut() = parts.headers.clone();
    *req.extensions_mut() = parts.extensions.clone();
    req.extensions_mut().remove::<ConnSlot>();
    req
}
