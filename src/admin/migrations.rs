//! `GET /admin/migrations`: where every migration stands, read-only.

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
    db::migrations::{self, LockHolder, MigrationStatus, MigrationSummary},
    http::state::InstanceInfo,
};

#[derive(Serialize, ToSchema)]
pub struct MigrationLock {
    pub held: bool,
    /// The session holding it (a replica applying migrations), when held.
    pub holder: Option<LockHolder>,
}

#[derive(Serialize, ToSchema)]
pub struct MigrationsResponse {
    pub migrations: Vec<MigrationStatus>,
    pub summary: MigrationSummary,
    pub lock: MigrationLock,
    /// The instance that answered.
    pub instance: InstanceInfo,
}

#[utoipa::path(get, path = "/admin/migrations", tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, body = MigrationsResponse, description = "Status of every migration known to the binary or the database"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 503, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_migrations(
    _admin: AdminAccess,
    State(state): State<AppState>,
) -> ApiResult<Response> {
    let mut conn = state.pool.get().await?;
    let report = migrations::status(&mut conn, &state.catalog).await?;
    let holder = migrations::lock_holder(&mut conn).await?;
    let body = MigrationsResponse {
        migrations: report.migrations,
        summary: report.summary,
        lock: MigrationLock {
            held: holder.is_some(),
            holder,
        },
        instance: (*state.instance).clone(),
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}
