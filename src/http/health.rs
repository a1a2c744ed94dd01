//! Liveness and readiness for the load balancer.
//!
//! `/healthz` answers while the process runs. `/readyz` answers 200 only while the database
//! answers and no migration is pending (and, with `MIGRATE_ON_STARTUP=verify`, none is
//! modified); it is computed on every call, so an instance becomes ready again by itself when
//! the database returns or a migration job finishes.

use std::time::Duration;

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{error::Problem, state::AppState};
use crate::{
    config::MigrateMode,
    db::{migrations, pool},
};

const READINESS_BUDGET: Duration = Duration::from_secs(3);

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = Health, description = "The process is running")))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    pub status: &'static str,
    pub database: &'static str,
    pub pending_migrations: usize,
    pub modified_migrations: usize,
}

/// Why an instance is not ready, or `Ok` with the figures.
pub async fn check(state: &AppState) -> Result<Readiness, String> {
    if state.draining.load(std::sync::atomic::Ordering::Acquire) {
        return Err("shutting down: this replica takes no new work".into());
    }
    let work = async {
        let mut slot = state.readiness_conn.lock().await;
        // Taken out while in use: if this check is cancelled (timeout) or fails, the
        // connection is dropped and the next check opens a fresh one.
        let mut conn = match slot.take() {
            Some(conn) => conn,
            None => {
                let cfg = &state.config.database;
                let name = pool::application_name(&cfg.instance_id, "readiness");
                pool::connect(cfg.url.expose(), READINESS_BUDGET, &name)
                    .await
                    .map_err(|e| {
                        tracing::warn!(error = %e, "readiness: cannot connect");
                        "the database is unreachable".to_owned()
                    })?
            }
        };
        let report = migrations::status(&mut conn, &state.catalog)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "readiness: database error");
                "the database answered with an error".to_owned()
            })?;
        *slot = Some(conn);
        Ok::<_, String>(report.summary)
    };
    let summary = tokio::time::timeout(READINESS_BUDGET, work)
        .await
        .map_err(|_| "database did not answer in time".to_owned())??;
    let mode = state.config.migrate_on_startup;
    if mode != MigrateMode::Off && summary.pending_count > 0 {
        return Err(format!(
            "{} migration(s) pending (latest known {}, database at {})",
            summary.pending_count,
            summary.latest_version.as_deref().unwrap_or("none"),
            summary
                .current_version
                .as_deref()
                .unwrap_or("nothing applied"),
        ));
    }
    if mode == MigrateMode::Verify && summary.modified_count > 0 {
        return Err(format!(
            "{} applied migration(s) differ from this binary's SQL",
            summary.modified_count
        ));
    }
    Ok(Readiness {
        status: "ready",
        database: "ok",
        pending_migrations: summary.pending_count,
        modified_migrations: summary.modified_count,
    })
}

#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, body = Readiness, description = "Ready for traffic"),
        (status = 503, body = Problem, content_type = "application/problem+json",
         description = "Not ready; `detail` says why"),
    ))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    match check(&state).await {
        Ok(ready) => Json(ready).into_response(),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "/problems/not-ready",
                reason,
            )
            .into_response()
        }
    }
}
