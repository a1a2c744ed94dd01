//! `/api/v1/clients/{client_id}/budgets[/{budget_id}]`. Every handler takes [`ClientScope`],
//! so tenancy is checked before any of them runs; any user passing it (staff, or the client's
//! own users) may read and write. Query errors become HTTP through `From<BudgetError>`.

use std::sync::Arc;

use axum::{Json, extract::State, http::StatusCode};

use super::{
    queries,
    types::{Budget, BudgetFilter, BudgetKey, BudgetPath, CreateBudget, UpdateBudget},
};
use crate::http::prelude::*;
use crate::{
    auth::tenancy::ClientScope,
    clients::types::ClientPath,
    financial::{check_window, variance::cache::VarianceCache},
};

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/budgets", tag = "financial",
    security(("bearer" = [])), params(ClientPath, BudgetFilter, PageQuery),
    responses((status = 200, body = Page<Budget>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_budgets(
    scope: ClientScope,
    Db(mut conn): Db,
    Query(filter): Query<BudgetFilter>,
    page: PageRequest<BudgetKey>,
) -> ApiResult<Page<Budget>> {
    check_window(filter.from, filter.to)?;
    let rows = queries::list_budgets(&mut conn, scope.client_id, &filter, &page).await?;
    Ok(Page::from_rows(rows, &page, queries::key, |b| b))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/budgets", tag = "financial",
    security(("bearer" = [])), params(ClientPath), request_body = CreateBudget,
    responses((status = 201, body = Budget),
        (status = 404, body = Problem),
        (status = 409, description = "Overlaps another budget of the same scope (named in `detail`)", body = Problem),
        (status = 422, body = Problem)))]
pub async fn create_budget(
    scope: ClientScope,
    State(variance): State<Arc<VarianceCache>>,
    Db(mut conn): Db,
    extract::Json(body): extract::Json<CreateBudget>,
) -> ApiResult<Created<Budget>> {
    let fields = body.validate()?;
    let budget = queries::create_budget(&mut conn, scope.client_id, fields).await?;
    variance.forget_client(scope.client_id);
    let location = format!("/api/v1/clients/{}/budgets/{}", scope.client_id, budget.id);
    Ok(Created::at(location, budget))
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/budgets/{budget_id}", tag = "financial",
    security(("bearer" = [])), params(BudgetPath),
    responses((status = 200, body = Budget), (status = 404, body = Problem)))]
pub async fn get_budget(
    scope: ClientScope,
    Db(mut conn): Db,
    Path(path): Path<BudgetPath>,
) -> ApiResult<Json<Budget>> {
    let budget = queries::get_budget(&mut conn, scope.client_id, path.budget_id).await;
    Ok(Json(budget.or_not_found("budget")?))
}

#[utoipa::path(patch, path = "/api/v1/clients/{client_id}/budgets/{budget_id}", tag = "financial",
    security(("bearer" = [])), params(BudgetPath), request_body = UpdateBudget,
    responses((status = 200, body = Budget), (status = 404, body = Problem),
        (status = 409, description = "Overlaps another budget of the same scope", body = Problem),
        (status = 422, body = Problem)))]
pub async fn update_budget(
    scope: ClientScope,
    State(variance): State<Arc<VarianceCache>>,
    Db(mut conn): Db,
    Path(path): Path<BudgetPath>,
    extract::Json(body): extract::Json<UpdateBudget>,
) -> ApiResult<Json<Budget>> {
    let budget = queries::update_budget(&mut conn, scope.client_id, path.budget_id, &body).await?;
    variance.forget_client(scope.client_id);
    Ok(Json(budget))
}

#[utoipa::path(delete, path = "/api/v1/clients/{client_id}/budgets/{budget_id}", tag = "financial",
    security(("bearer" = [])), params(BudgetPath),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_budget(
    scope: ClientScope,
    State(variance): State<Arc<VarianceCache>>,
    Db(mut conn): Db,
    Path(path): Path<BudgetPath>,
) -> ApiResult<StatusCode> {
    match queries::delete_budget(&mut conn, scope.client_id, path.budget_id).await? {
        0 => Err(ApiError::not_found("budget")),
        _ => {
            variance.forget_client(scope.client_id);
            Ok(StatusCode::NO_CONTENT)
        }
    }
}
