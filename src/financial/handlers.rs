//! `/api/v1/clients/{client_id}/…` routes of financial tracking: product costs, budgets and
//! their variance, monthly cost tracking and EOQ. Every handler takes [`ClientScope`], so
//! tenancy is checked before any of them runs; any user passing it (staff, or the client's
//! own users) may read and write.

use axum::{
    Json,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::Utc;

use super::{
    queries::{self, BudgetListFilter, CostTrackingListFilter},
    tolerance,
    types::{
        AggregateCosts, Budget, BudgetFilter, BudgetKey, BudgetPath, CostAggregation, CostTracking,
        CostTrackingFilter, CostTrackingKey, CreateBudget, EoqQuery, ProductEoq, UpdateBudget,
        UpdateProductCosts, VarianceFilter, VarianceReport, check_window, format_period,
        parse_period, validate_costs, validate_create,
    },
};
use crate::{
    auth::tenancy::ClientScope,
    clients::types::ClientPath,
    http::{
        decimal::Decimal,
        error::{ApiError, ApiResult, Problem},
        extract::{self, Query},
        pagination::{Page, PageQuery},
        state::AppState,
    },
    products::types::Product,
    products::types::ProductPath,
};

#[utoipa::path(patch, path = "/api/v1/clients/{client_id}/products/{product_id}/costs", tag = "financial",
    security(("bearer" = [])), params(ProductPath), request_body = UpdateProductCosts,
    responses((status = 200, description = "The product, `last_cost_update` stamped", body = Product),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_product_costs(
    scope: ClientScope,
    State(state): State<AppState>,
    Path(path): Path<ProductPath>,
    extract::Json(body): extract::Json<UpdateProductCosts>,
) -> ApiResult<Json<Product>> {
    let (changes, v) = validate_costs(&body);
    v.finish()?;
    let mut conn = state.pool.get().await?;
    Ok(Json(
        queries::update_costs(&mut conn, scope.client_id, path.product_id, &changes).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/budgets", tag = "financial",
    security(("bearer" = [])), params(ClientPath, BudgetFilter),
    responses((status = 200, body = Page<Budget>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_budgets(
    scope: ClientScope,
    State(state): State<AppState>,
    Query(filter): Query<BudgetFilter>,
) -> ApiResult<Json<Page<Budget>>> {
    check_window(filter.from, filter.to)?;
    let page = PageQuery {
        limit: filter.limit,
        cursor: filter.cursor.clone(),
    }
    .parse::<BudgetKey>()?;
    let list_filter = BudgetListFilter {
        from: filter.from,
        to: filter.to,
        product_id: filter.product_id,
        category: filter.category.as_deref(),
    };
    let mut conn = state.pool.get().await?;
    let rows = queries::list_budgets(&mut conn, scope.client_id, &list_filter, &page).await?;
    Ok(Json(Page::from_rows(
        rows,
        &page,
        |b| (b.period_start, b.id),
        |b| b,
    )))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/budgets", tag = "financial",
    security(("bearer" = [])), params(ClientPath), request_body = CreateBudget,
    responses((status = 201, body = Budget),
        (status = 404, body = Problem),
        (status = 409, description = "Overlaps another budget of the same scope (named in `detail`)", body = Problem),
        (status = 422, body = Problem)))]
pub async fn create_budget(
    scope: ClientScope,
    State(state): State<AppState>,
    extract::Json(body): extract::Json<CreateBudget>,
) -> ApiResult<Response> {
    let (fields, v) = validate_create(&body);
    v.finish()?;
    let mut conn = state.pool.get().await?;
    let budget = queries::create_budget(&mut conn, scope.client_id, fields).await?;
    let location = format!("/api/v1/clients/{}/budgets/{}", scope.client_id, budget.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(budget),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/budgets/{budget_id}", tag = "financial",
    security(("bearer" = [])), params(BudgetPath),
    responses((status = 200, body = Budget), (status = 404, body = Problem)))]
pub async fn get_budget(
    scope: ClientScope,
    State(state): State<AppState>,
    Path(path): Path<BudgetPath>,
) -> ApiResult<Json<Budget>> {
    let mut conn = state.pool.get().await?;
    Ok(Json(
        queries::get_budget(&mut conn, scope.client_id, path.budget_id).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/clients/{client_id}/budgets/{budget_id}", tag = "financial",
    security(("bearer" = [])), params(BudgetPath), request_body = UpdateBudget,
    responses((status = 200, body = Budget), (status = 404, body = Problem),
        (status = 409, description = "Overlaps another budget of the same scope", body = Problem),
        (status = 422, body = Problem)))]
pub async fn update_budget(
    scope: ClientScope,
    State(state): State<AppState>,
    Path(path): Path<BudgetPath>,
    extract::Json(body): extract::Json<UpdateBudget>,
) -> ApiResult<Json<Budget>> {
    let mut conn = state.pool.get().await?;
    Ok(Json(
        queries::update_budget(&mut conn, scope.client_id, path.budget_id, body).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/clients/{client_id}/budgets/{budget_id}", tag = "financial",
    security(("bearer" = [])), params(BudgetPath),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_budget(
    scope: ClientScope,
    State(state): State<AppState>,
    Path(path): Path<BudgetPath>,
) -> ApiResult<StatusCode> {
    let mut conn = state.pool.get().await?;
    queries::delete_budget(&mut conn, scope.client_id, path.budget_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/budgets/variance", tag = "financial",
    security(("bearer" = [])), params(ClientPath, VarianceFilter),
    responses((status = 200, description = "One entry per budget overlapping the window", body = VarianceReport),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn budget_variance(
    scope: ClientScope,
    State(state): State<AppState>,
    Query(filter): Query<VarianceFilter>,
) -> ApiResult<Json<VarianceReport>> {
    check_window(filter.from, filter.to)?;
    let as_of = filter.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let tolerance = tolerance(&state);
    let mut conn = state.pool.get().await?;
    let data = queries::budget_variance(
        &mut conn,
        scope.client_id,
        filter.from,
        filter.to,
        as_of,
        &tolerance,
    )
    .await?;
    Ok(Json(VarianceReport {
        data,
        as_of,
        tolerance_percent: Decimal(tolerance),
    }))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/cost-tracking/aggregate", tag = "financial",
    security(("bearer" = [])), params(ClientPath), request_body = AggregateCosts,
    responses((status = 200, description = "The month's rows were (re)computed", body = CostAggregation),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn aggregate_cost_tracking(
    scope: ClientScope,
    State(state): State<AppState>,
    extract::Json(body): extract::Json<AggregateCosts>,
) -> ApiResult<Json<CostAggregation>> {
    let period = parse_period(&body.period, Utc::now().date_naive())
        .map_err(|message| ApiError::invalid("period", message))?;
    let mut conn = state.pool.get().await?;
    let counts = queries::aggregate_month(&mut conn, period, Some(scope.client_id)).await?;
    Ok(Json(CostAggregation {
        period: format_period(period),
        products: counts.rows,
        calculated_at: counts.calculated_at,
    }))
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/cost-tracking", tag = "financial",
    security(("bearer" = [])), params(ClientPath, CostTrackingFilter),
    responses((status = 200, body = Page<CostTracking>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_cost_tracking(
    scope: ClientScope,
    State(state): State<AppState>,
    Query(filter): Query<CostTrackingFilter>,
) -> ApiResult<Json<Page<CostTracking>>> {
    check_window(filter.from, filter.to)?;
    let page = PageQuery {
        limit: filter.limit,
        cursor: filter.cursor.clone(),
    }
    .parse::<CostTrackingKey>()?;
    let list_filter = CostTrackingListFilter {
        from: filter.from,
        to: filter.to,
        product_id: filter.product_id,
    };
    let mut conn = state.pool.get().await?;
    let rows = queries::list_cost_tracking(&mut conn, scope.client_id, &list_filter, &page).await?;
    Ok(Json(Page::from_rows(
        rows,
        &page,
        |r| (r.period, r.product_id),
        |r| r,
    )))
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/products/{product_id}/eoq", tag = "financial",
    security(("bearer" = [])), params(ProductPath, EoqQuery),
    responses((status = 200, body = ProductEoq), (status = 404, body = Problem),
        (status = 422, description = "An EOQ input of the product is missing or zero; `errors` names each", body = Problem)))]
pub async fn product_eoq(
    scope: ClientScope,
    State(state): State<AppState>,
    Path(path): Path<ProductPath>,
    Query(query): Query<EoqQuery>,
) -> ApiResult<Json<ProductEoq>> {
    let as_of = query.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let mut conn = state.pool.get().await?;
    let figures = queries::product_eoq(&mut conn, scope.client_id, path.product_id, as_of).await?;
    Ok(Json(figures.into_view(path.product_id, as_of)?))
}
