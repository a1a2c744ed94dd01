//! `/api/v1/clients/{client_id}/budgets[/{budget_id}]`. Every handler takes [`ClientScope`],
//! so tenancy is checked before any of them runs; any user passing it (staff, or the client's
//! own users) may read and write. Query errors become HTTP through `From<BudgetError>`.

use axum::{
    Json,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

use super::{
    queries::{self, BudgetListFilter},
    types::{
        Budget, BudgetFilter, BudgetKey, BudgetPath, CreateBudget, UpdateBudget, validate_create,
    },
};
use crate::{
    auth::tenancy::ClientScope,
    clients::types::ClientPath,
    financial::check_window,
    http::{
        error::{ApiResult, Problem},
        extract::{self, Query},
        pagination::{Page, PageQuery},
        state::AppState,
    },
};

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
