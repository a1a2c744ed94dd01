//! `GET /admin/database`: the schema's tables and unused indexes from PostgreSQL's
//! statistics views, read-only (see [`crate::db::health`]).

use axum::{
    Json,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::prelude::*;
use crate::{
    auth::admin::AdminAccess,
    db::health::{self, TableHealth, UnusedIndex},
    http::state::InstanceInfo,
};

#[derive(Serialize, ToSchema)]
pub struct DatabaseResponse {
    /// Every table of the schema, by name.
    pub tables: Vec<TableHealth>,
    /// Indexes never scanned since the statistics were reset, largest first.
    pub unused_indexes: Vec<UnusedIndex>,
    pub instance: InstanceInfo,
}

#[utoipa::path(get, path = "/admin/database", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, body = DatabaseResponse, description = "Table sizes, scans, dead tuples, vacuum and analyze times; unused indexes"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn database_health(
    _admin: AdminAccess,
    State(state): State<AppState>,
) -> ApiResult<Response> {
    let mut conn = state.pool.get().await?;
    let body = DatabaseResponse {
        tables: health::tables(&mut conn).await?,
        unused_indexes: health::unused_indexes(&mut conn).await?,
        instance: (*state.instance).clone(),
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}
