//! `GET /admin/jobs`: every job's interval, next due time and recent runs, read-only.

use axum::{
    Json,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{JobName, ledger};
use crate::http::prelude::*;
use crate::{auth::admin::AdminAccess, http::state::InstanceInfo};

/// Runs shown per job.
const RECENT: i64 = 10;

#[derive(Serialize, ToSchema)]
pub struct JobStatus {
    pub job: JobName,
    pub interval_seconds: u64,
    /// The last counted run's start plus the interval (now, when it never ran).
    pub next_due_at: DateTime<Utc>,
    /// Newest first.
    pub runs: Vec<ledger::JobRun>,
}

#[derive(Serialize, ToSchema)]
pub struct JobsResponse {
    pub jobs: Vec<JobStatus>,
    /// Whether this replica runs the scheduler (`SCHEDULER`).
    pub scheduler: bool,
    pub instance: InstanceInfo,
}

#[utoipa::path(get, path = "/admin/jobs", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, body = JobsResponse, description = "Every job with its interval, next due time and recent runs"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn list_jobs(_admin: AdminAccess, State(state): State<AppState>) -> ApiResult<Response> {
    let mut conn = state.pool.get().await?;
    let mut jobs = Vec::with_capacity(JobName::ALL.len());
    for job in JobName::ALL {
        let interval = state.config.jobs.interval(job);
        let due = ledger::due(&mut conn, job).await?;
        jobs.push(JobStatus {
            job,
            interval_seconds: interval.as_secs(),
            next_due_at: due.next_due(interval),
            runs: ledger::recent(&mut conn, job, RECENT).await?,
        });
    }
    let body = JobsResponse {
        jobs,
        scheduler: state.config.jobs.scheduler,
        instance: (*state.instance).clone(),
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}
