//! `POST /api/v1/clients/{client_id}/cost-tracking/aggregate` and
//! `GET /api/v1/clients/{client_id}/cost-tracking`. Both take [`ClientScope`], so tenancy is
//! checked before they run; any user passing it (staff, or the client's own users) may call.

use axum::{Json, extract::State};
use chrono::Utc;

use super::{
    queries,
    types::{
        AggregateCosts, CostAggregation, CostTracking, CostTrackingFilter, CostTrackingKey,
        format_period, parse_period,
    },
};
use crate::http::prelude::*;
use crate::{auth::tenancy::ClientScope, clients::types::ClientPath, financial::check_window};

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/cost-tracking/aggregate", tag = "financial",
    security(("bearer" = [])), params(ClientPath), request_body = AggregateCosts,
    responses((status = 200, description = "The month's rows were (re)computed", body = CostAggregation),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn aggregate_cost_tracking(
    scope: ClientScope,
    State(state): State<AppState>,
    Db(mut conn): Db,
    extract::Json(body): extract::Json<AggregateCosts>,
) -> ApiResult<Json<CostAggregation>> {
    let period = parse_period(&body.period, Utc::now().date_naive())
        .map_err(|message| ApiError::invalid("period", message))?;
    let counts = queries::aggregate_month(
        &mut conn,
        period,
        Some(scope.client_id),
        &state.config.budget_tolerance_percent,
    )
    .await?;
    state.variance.forget_client(scope.client_id);
    Ok(Json(CostAggregation {
        period: format_period(period),
        products: counts.rows,
        calculated_at: counts.calculated_at,
    }))
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/cost-tracking", tag = "financial",
    security(("bearer" = [])), params(ClientPath, CostTrackingFilter, PageQuery),
    responses((status = 200, body = Page<CostTracking>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_cost_tracking(
    scope: ClientScope,
    Db(mut conn): Db,
    Query(filter): Query<CostTrackingFilter>,
    page: PageRequest<CostTrackingKey>,
) -> ApiResult<Page<CostTracking>> {
    check_window(filter.from, filter.to)?;
    let rows = queries::list_cost_tracking(&mut conn, scope.client_id, &filter, &page).await?;
    Ok(Page::from_rows(rows, &page, queries::key, |r| r))
}
