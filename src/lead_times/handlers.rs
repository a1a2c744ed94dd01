//! `/api/v1/clients/{client_id}/…` lead-time routes: extract, validate, query, map.

use axum::{Json, extract::State};
use chrono::Utc;
use diesel_async::AsyncConnection;

use super::{
    alerts::{AlertFilter, AlertKey, AlertPage},
    queries,
    types::{DefaultsApplied, Recalculation, UpdateLeadTimes},
};
use crate::http::prelude::*;
use crate::{
    auth::tenancy::ClientScope,
    clients::types::ClientPath,
    products::{
        self,
        types::{Product, ProductPath},
    },
};

#[utoipa::path(patch, path = "/api/v1/clients/{client_id}/products/{product_id}/lead-times", tag = "lead times",
    security(("bearer" = [])), params(ProductPath), request_body = UpdateLeadTimes,
    responses((status = 200, description = "The product, with `total_lead_days` from the database's trigger and its dates recalculated", body = Product),
        (status = 404, body = Problem),
        (status = 422, description = "A day count outside 0–3650, not a whole number, or a source outside the vocabulary; `errors` names each", body = Problem)))]
pub async fn update_lead_times(
    scope: ClientScope,
    State(state): State<AppState>,
    Db(mut conn): Db,
    Path(path): Path<ProductPath>,
    extract::Json(body): extract::Json<UpdateLeadTimes>,
) -> ApiResult<Json<Product>> {
    let changes = body.validate()?;
    let (client_id, id) = (scope.client_id, path.product_id);
    let window = state.config.lead_time_demand_window_days;
    let product = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let product = queries::update_lead_times(conn, client_id, id, &changes).await?;
            if changes.is_empty() {
                return Ok(product);
            }
            // New lead times move the order-by date: refresh this product's cache with them.
            let today = Utc::now().date_naive();
            queries::recalculate(conn, today, window, Some(client_id), Some(id)).await?;
            Ok(products::queries::get(conn, client_id, id).await?)
        })
        .await?;
    Ok(Json(product))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/lead-times/recalculate", tag = "lead times",
    security(("bearer" = [])), params(ClientPath),
    responses((status = 200, description = "Every product of the client recalculated, in one statement", body = Recalculation),
        (status = 404, body = Problem)))]
pub async fn recalculate(
    scope: ClientScope,
    State(state): State<AppState>,
    Db(mut conn): Db,
) -> ApiResult<Json<Recalculation>> {
    let today = Utc::now().date_naive();
    let window = state.config.lead_time_demand_window_days;
    let counts =
        queries::recalculate(&mut conn, today, window, Some(scope.client_id), None).await?;
    Ok(Json(Recalculation::new(today, window, counts)))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/lead-times/apply-client-defaults", tag = "lead times",
    security(("bearer" = [])), params(ClientPath),
    responses((status = 200, description = "How many products without lead times now store the client's defaults", body = DefaultsApplied),
        (status = 404, body = Problem),
        (status = 422, description = "The client has no default lead times to apply", body = Problem)))]
pub async fn apply_client_defaults(
    scope: ClientScope,
    Db(mut conn): Db,
) -> ApiResult<Json<DefaultsApplied>> {
    let applied = queries::apply_client_defaults(&mut conn, scope.client_id).await?;
    if !applied.has_defaults {
        return Err(ApiError::invalid(
            "default_supplier_lead_days",
            "the client has no default lead times; set its default_*_lead_days first",
        ));
    }
    Ok(Json(DefaultsApplied {
        updated: applied.updated,
    }))
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/reorder-alerts", tag = "lead times",
    security(("bearer" = [])), params(ClientPath, AlertFilter, PageQuery),
    responses((status = 200, description = "Products to reorder, soonest last order-by date first, from the last recalculation", body = AlertPage),
        (status = 404, body = Problem),
        (status = 422, description = "`within_days` outside 0–365, an unknown `status`, a bad `limit` or `cursor`", body = Problem)))]
pub async fn reorder_alerts(
    scope: ClientScope,
    Db(mut conn): Db,
    Query(filter): Query<AlertFilter>,
    page: PageRequest<AlertKey>,
) -> ApiResult<Json<AlertPage>> {
    let query = filter.validate()?;
    let now = Utc::now();
    let today = now.date_naive();
    let rows = queries::reorder_alerts(&mut conn, scope.client_id, today, &query, &page).await?;
    let Page { data, next_cursor } =
        Page::from_rows(rows, &page, |r| r.key(), |r| r.into_view(now));
    Ok(Json(AlertPage {
        data,
        next_cursor,
        as_of: today,
        within_days: query.within_days,
    }))
}
