//! The one error type of the HTTP API, and its single mapping to `application/problem+json`.
//!
//! Handlers return `Result<_, ApiError>`; everything that can go wrong (bad input, missing
//! rows, constraint violations, an unreachable database) becomes one of these variants here,
//! so status codes and bodies are decided in one place. Internal errors are logged with their
//! cause and answered with a generic 500 that leaks neither SQL nor secrets.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `items[2].quantity`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// RFC 9457 problem details, the body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem: `/problems/<kind>`, one per status (see
    /// [`problem_type`]), the same whichever layer answered.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Field-level errors, for validation problems (422).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

/// The `type` of a problem with this status: every error of the service, from a handler, an
/// extractor or a middleware layer, uses this one scheme.
pub fn problem_type(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "/problems/bad-request",
        StatusCode::UNAUTHORIZED => "/problems/unauthorized",
        StatusCode::FORBIDDEN => "/problems/forbidden",
        StatusCode::NOT_FOUND => "/problems/not-found",
        StatusCode::METHOD_NOT_ALLOWED => "/problems/method-not-allowed",
        StatusCode::CONFLICT => "/problems/conflict",
        StatusCode::PRECONDITION_FAILED => "/problems/precondition-failed",
        StatusCode::PAYLOAD_TOO_LARGE => "/problems/payload-too-large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "/problems/unsupported-media-type",
        StatusCode::UNPROCESSABLE_ENTITY => "/problems/validation",
        StatusCode::TOO_MANY_REQUESTS => "/problems/too-many-requests",
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => "/problems/unavailable",
        s if s.is_server_error() => "/problems/internal",
        _ => "/problems/client-error",
    }
}

impl Problem {
    /// A problem of this status, typed by [`problem_type`].
    pub fn of(status: StatusCode, detail: impl Into<String>) -> Self {
        Self::new(status, problem_type(status), detail)
    }

    pub fn new(status: StatusCode, kind: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: kind.to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: None,
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut res = (status, axum::Json(self)).into_response();
        res.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        res
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("authentication required")]
    Unauthorized(String),
    #[error("forbidden")]
    Forbidden(String),
    #[error("not found")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("too many requests: {0}")]
    TooManyRequests(String),
    /// A 429 that says when to come back (`Retry-After`, seconds).
    #[error("throttled: {detail}")]
    Throttled {
        detail: String,
        retry_after_secs: u64,
    },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    pub fn to_problem(&self) -> Problem {
        match self {
            Self::BadRequest(d) => {
                Problem::new(StatusCode::BAD_REQUEST, "/problems/bad-request", d)
            }
            Self::Unauthorized(d) => {
                Problem::new(StatusCode::UNAUTHORIZED, "/problems/unauthorized", d)
            }
            Self::Forbidden(d) => Problem::new(StatusCode::FORBIDDEN, "/problems/forbidden", d),
            Self::NotFound(d) => Problem::new(StatusCode::NOT_FOUND, "/problems/not-found", d),
            Self::Conflict(d) => Problem::new(StatusCode::CONFLICT, "/problems/conflict", d),
            Self::PreconditionFailed(d) => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "/problems/precondition-failed",
                d,
            ),
            Self::UnsupportedMediaType(d) => Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "/problems/unsupported-media-type",
                d,
            ),
            Self::PayloadTooLarge => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "/problems/payload-too-large",
                "the request body is larger than the limit",
            ),
            Self::Validation(errors) => {
                let mut p = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "/problems/validation",
                    summarize(errors),
                );
                p.errors = Some(errors.clone());
                p
            }
            Self::TooManyRequests(d) | Self::Throttled { detail: d, .. } => Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "/problems/too-many-requests",
                d,
            ),
            Self::Unavailable(d) => {
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, "/problems/unavailable", d)
            }
            Self::Internal(_) => Problem::of(
                StatusCode::INTERNAL_SERVER_ERROR,
                "an internal error occurred; it has been logged",
            ),
        }
    }
}

fn summarize(errors: &[FieldError]) -> String {
    match errors {
        [one] => format!("{}: {}", one.field, one.message),
        many => format!("{} fields are invalid", many.len()),
    }
}

/// `Retry-After` of every 503.
pub const RETRY_AFTER_SECONDS: &str = "1";

/// The detail of a 503 whose cause was a database connection that died under the request.
pub const CONNECTION_LOST: &str = "the database connection was lost";

/// Marks a response answered because a database connection died under the request: a read
/// (GET, HEAD) so answered is tried once more on a fresh connection (`http::conn`).
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLost;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            Self::Internal(e) => tracing::error!(error = ?e, "internal error"),
            Self::Unavailable(d) => tracing::warn!(detail = %d, "service unavailable"),
            _ => {}
        }
        let mut res = self.to_problem().into_response();
        match self {
            Self::Unauthorized(_) => {
                res.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            // A lost connection or a saturated pool clears in a moment: say when to retry, so
            // clients and load balancers back off instead of hammering.
            Self::Unavailable(detail) => {
                res.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from_static(RETRY_AFTER_SECONDS),
                );
                if detail == CONNECTION_LOST {
                    res.extensions_mut().insert(ConnectionLost);
                }
            }
            Self::Throttled {
                retry_after_secs, ..
            } => {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            _ => {}
        }
        res
    }
}

/// Database errors that a request can cause map to client errors; the rest are internal.
/// Features that know better (which unique index, which foreign key) map before this.
impl From<DieselError> for ApiError {
    fn from(e: DieselError) -> Self {
        match &e {
            DieselError::NotFound => Self::NotFound("not found".into()),
            DieselError::DatabaseError(kind, info) => match kind {
                DatabaseErrorKind::UniqueViolation => Self::Conflict(format!(
                    "a record with these values already exists{}",
                    info.constraint_name()
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default()
                )),
                DatabaseErrorKind::ForeignKeyViolation => Self::Conflict(format!(
                    "the record is referenced by, or refers to, another record{}",
                    info.constraint_name()
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default()
                )),
                DatabaseErrorKind::CheckViolation => Self::invalid(
                    info.column_name().unwrap_or("body"),
                    format!(
                        "violates the rule {}",
                        info.constraint_name().unwrap_or("of the table")
                    ),
                ),
                DatabaseErrorKind::SerializationFailure => {
                    Self::Conflict("a concurrent change conflicted with this one; retry".into())
                }
                DatabaseErrorKind::ClosedConnection => Self::Unavailable(CONNECTION_LOST.into()),
                _ if connection_lost(info.message()) => Self::Unavailable(CONNECTION_LOST.into()),
                _ if info
                    .message()
                    .contains("canceling statement due to statement timeout") =>
                {
                    Self::Unavailable("the database took too long to answer".into())
                }
                // Input PostgreSQL cannot store: a NUL character in text (22021), a date or
                // number beyond its type's range (22008, 22003). The caller's fault, not ours;
                // validation catches these first where it can name the field.
                _ if info.message().contains("invalid byte sequence") => {
                    Self::BadRequest("text must not contain NUL characters".into())
                }
                _ if info.message().contains("out of range") => Self::invalid(
                    info.column_name().unwrap_or("body"),
                    "a value is out of the supported range",
                ),
                _ => Self::Internal(anyhow::Error::new(e)),
            },
            _ => Self::Internal(anyhow::Error::new(e)),
        }
    }
}

/// PostgreSQL's words when a connection ends under a statement: a backend terminated
/// (`pg_terminate_backend`, a restart, a failover: SQLSTATE 57P01–57P03), the server going
/// away mid-query, or the socket failing (08xxx). Diesel reports these as `Unknown`, so the
/// message is all there is; each means "try again shortly", never a 500.
fn connection_lost(message: &str) -> bool {
    const SIGNS: [&str; 9] = [
        "terminating connection",
        "error communicating with the server",
        "server closed the connection",
        "connection closed",
        "connection reset",
        "broken pipe",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
    ];
    let message = message.to_ascii_lowercase();
    SIGNS.iter().any(|sign| message.contains(sign))
}

/// Pool errors mean the database is unreachable or saturated: 503, never 500. The cause is
/// logged; callers get a fixed text, since PostgreSQL's messages name roles, hosts and databases.
impl From<diesel_async::pooled_connection::deadpool::PoolError> for ApiError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        tracing::warn!(error = %e, "no database connection");
        Self::Unavailable("the database is unavailable".into())
    }
}

/// A checkout refused because the database stopped answering is a 503 too, said as such.
impl From<crate::db::pool::CheckoutError> for ApiError {
    fn from(e: crate::db::pool::CheckoutError) -> Self {
        match e {
            crate::db::pool::CheckoutError::Stalled => {
                Self::Unavailable("the database is not answering".into())
            }
            crate::db::pool::CheckoutError::Pool(e) => e.into(),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Queries return Diesel's `QueryResult`; at the edge, a missing row becomes the 404 naming
/// what was looked for, and every other error maps as above.
pub trait OrNotFound<T> {
    fn or_not_found(self, what: &str) -> ApiResult<T>;
}

impl<T> OrNotFound<T> for diesel::QueryResult<T> {
    fn or_not_found(self, what: &str) -> ApiResult<T> {
        self.map_err(|e| ApiError::from_query(e, what))
    }
}

impl ApiError {
    /// A query's error at the edge: a missing row is the 404 naming `what`, the rest map as
    /// `From<DieselError>` does. For feature errors that wrap Diesel's.
    pub fn from_query(e: DieselError, what: &str) -> Self {
        match e {
            DieselError::NotFound => ApiError::not_found(what),
            e => e.into(),
        }
    }
}
