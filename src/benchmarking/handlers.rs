//! The benchmarking routes: extract, authorize, query, map.

use axum::{Json, extract::State};
use chrono::{Datelike, Months, NaiveDate, Utc};

use super::{
    dominance_share,
    participation::{Participation, PutParticipation},
    queries,
    types::{
        BenchmarkView, ComputeSnapshots, Snapshot, SnapshotFilter, SnapshotKey, SnapshotRun,
        ViewQuery,
    },
    view,
};
use crate::http::prelude::*;
use crate::{
    auth::{
        admin::AdminAccess,
        principal::{CurrentUser, Role},
        tenancy::ClientScope,
    },
    clients::types::ClientPath,
    financial::cost_tracking::types::parse_period,
};

/// `YYYY-MM` into the month's first day; a malformed or future month is a 422 on `period`.
fn period(raw: &str) -> ApiResult<NaiveDate> {
    parse_period(raw, Utc::now().date_naive()).map_err(|m| ApiError::invalid("period", m))
}

/// The month before the current one (UTC): the last one with complete data.
fn last_complete_month() -> NaiveDate {
    let today = Utc::now().date_naive();
    let first = today.with_day(1).unwrap_or(today);
    first.checked_sub_months(Months::new(1)).unwrap_or(first)
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/benchmark/participation", tag = "benchmarking",
    security(("bearer" = [])), params(ClientPath),
    responses((status = 200, description = "The client's own participation (not participating until it opts in)", body = Participation),
        (status = 404, body = Problem)))]
pub async fn get_participation(
    scope: ClientScope,
    Db(mut conn): Db,
) -> ApiResult<Json<Participation>> {
    let row = queries::participation(&mut conn, scope.client_id).await?;
    Ok(Json(Participation::of(row)))
}

#[utoipa::path(put, path = "/api/v1/clients/{client_id}/benchmark/participation", tag = "benchmarking",
    security(("bearer" = [])), params(ClientPath), request_body = PutParticipation,
    responses((status = 200, description = "The participation as written, with the client's anonymous_id and cohort", body = Participation),
        (status = 404, body = Problem),
        (status = 422, description = "`is_participating` missing, `industry` over 100 characters or without a letter or digit (or none at all to opt in with), an unknown `size_band`", body = Problem)))]
pub async fn put_participation(
    scope: ClientScope,
    Db(mut conn): Db,
    extract::Json(body): extract::Json<PutParticipation>,
) -> ApiResult<Json<Participation>> {
    let input = body.validate()?;
    let row = queries::put_participation(
        &mut conn,
        scope.client_id,
        input.is_participating,
        input.industry.as_deref(),
        input.size_band.map(|b| b.as_str()),
    )
    .await?
    .ok_or_else(|| {
        ApiError::invalid(
            "industry",
            "is required to participate: the client has no industry, so give one",
        )
    })?;
    Ok(Json(Participation::of(Some(row))))
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/benchmark", tag = "benchmarking",
    security(("bearer" = [])), params(ClientPath, ViewQuery),
    responses((status = 200, description = "The client's own metrics; the cohort's frozen percentiles and the client's position while it participates and a snapshot covers its cohort, else a `reason`", body = BenchmarkView),
        (status = 404, body = Problem),
        (status = 422, description = "`period` not `YYYY-MM` or after the current month", body = Problem)))]
pub async fn benchmark(
    scope: ClientScope,
    Db(mut conn): Db,
    Query(query): Query<ViewQuery>,
) -> ApiResult<Json<BenchmarkView>> {
    let month = match &query.period {
        Some(raw) => period(raw)?,
        None => last_complete_month(),
    };
    let participation = queries::participation(&mut conn, scope.client_id).await?;
    let own = queries::client_metrics(&mut conn, month, scope.client_id).await?;
    let cohort = participation
        .as_ref()
        .filter(|p| p.is_participating)
        .and_then(|p| p.cohort.clone());
    let (snapshot, run) = match &cohort {
        Some(c) => (
            queries::snapshot(&mut conn, c, month).await?,
            queries::run(&mut conn, month).await?,
        ),
        None => (None, None),
    };
    Ok(Json(view::compose(
        month,
        participation,
        own,
        snapshot,
        run,
    )))
}

#[utoipa::path(post, path = "/api/v1/admin/benchmarks/snapshots", tag = "benchmarking",
    security(("bearer" = [])), request_body = ComputeSnapshots,
    responses((status = 200, description = "Every cohort's snapshot of the month, replacing the month's previous ones atomically", body = SnapshotRun),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, description = "`period` not `YYYY-MM` or after the current month", body = Problem)))]
pub async fn compute_snapshots(
    _admin: AdminAccess,
    State(state): State<AppState>,
    Db(mut conn): Db,
    extract::Json(body): extract::Json<ComputeSnapshots>,
) -> ApiResult<Json<SnapshotRun>> {
    let month = period(&body.period)?;
    let share = dominance_share(&state.config.benchmark_dominance_percent);
    Ok(Json(
        queries::compute_snapshots(&mut conn, month, &share).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/benchmarks/snapshots", tag = "benchmarking",
    security(("bearer" = [])), params(SnapshotFilter, PageQuery),
    responses((status = 200, description = "Aggregates only, newest period first: staff see every cohort, a participating client user its own", body = Page<Snapshot>),
        (status = 401, body = Problem),
        (status = 403, description = "A client user whose client does not participate", body = Problem),
        (status = 404, description = "A client user asking for another cohort", body = Problem),
        (status = 422, body = Problem)))]
pub async fn list_snapshots(
    user: CurrentUser,
    Db(mut conn): Db,
    Query(filter): Query<SnapshotFilter>,
    page: PageRequest<SnapshotKey>,
) -> ApiResult<Page<Snapshot>> {
    let month = filter.period.as_deref().map(period).transpose()?;
    let cohort = match user.role {
        Role::Client => {
            let client_id = user
                .client_id
                .ok_or_else(|| ApiError::Forbidden("a client user without a client".into()))?;
            let own = queries::participation(&mut conn, client_id)
                .await?
                .filter(|p| p.is_participating)
                .and_then(|p| p.cohort)
                .ok_or_else(|| {
                    ApiError::Forbidden(
                        "the client does not participate in benchmarking; opt in to see its \
                         cohort's aggregates"
                            .into(),
                    )
                })?;
            if filter.cohort.as_ref().is_some_and(|c| *c != own) {
                return Err(ApiError::not_found("cohort"));
            }
            Some(own)
        }
        Role::Admin | Role::Operator => filter.cohort,
    };
    let rows = queries::list_snapshots(&mut conn, cohort.as_deref(), month, &page).await?;
    Ok(Page::from_rows(rows, &page, queries::key, |r| {
        r.into_view()
    }))
}
