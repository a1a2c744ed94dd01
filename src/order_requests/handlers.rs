//! `/api/v1/clients/{client_id}/order-requests`.

use std::collections::HashSet;

use axum::{
    Json,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

use super::{
    queries::{self, ListFilter, OrderKey},
    types::{
        CreateOrderRequest, INITIAL_STATUSES, MAX_ITEMS, OrderRequest, OrderRequestFilter, STATUSES,
    },
};
use crate::{
    auth::tenancy::ClientScope,
    http::{
        error::{ApiResult, Problem},
        extract::{self, Query},
        pagination::{Page, PageQuery},
        paths::{ClientPath, OrderRequestPath},
        state::AppState,
        validation::Validator,
    },
};

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/order-requests", tag = "order requests",
    security(("bearer" = [])), params(ClientPath, OrderRequestFilter),
    responses((status = 200, body = Page<OrderRequest>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_order_requests(
    scope: ClientScope,
    State(state): State<AppState>,
    Query(filter): Query<OrderRequestFilter>,
) -> ApiResult<Json<Page<OrderRequest>>> {
    let mut v = Validator::new();
    if let Some(s) = &filter.status {
        v.one_of("status", s, STATUSES);
    }
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        v.error("from", "must not be after to");
    }
    v.finish()?;
    let page = PageQuery {
        limit: filter.limit,
        cursor: filter.cursor.clone(),
    }
    .parse::<OrderKey>()?;
    let mut conn = state.pool.get().await?;
    let list_filter = ListFilter {
        status: filter.status.as_deref(),
        from: filter.from,
        to: filter.to,
    };
    let rows = queries::list(&mut conn, scope.client_id, &list_filter, &page).await?;
    Ok(Json(Page::from_rows(
        rows,
        &page,
        |o| (o.created_at, o.id),
        |o| o,
    )))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/order-requests", tag = "order requests",
    security(("bearer" = [])), params(ClientPath), request_body = CreateOrderRequest,
    responses((status = 201, body = OrderRequest), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_order_request(
    scope: ClientScope,
    State(state): State<AppState>,
    extract::Json(body): extract::Json<CreateOrderRequest>,
) -> ApiResult<Response> {
    let mut v = Validator::new();
    if body.items.is_empty() {
        v.error("items", "must hold at least one item");
    }
    if body.items.len() > MAX_ITEMS {
        v.error("items", format!("must hold at most {MAX_ITEMS} items"));
    }
    let mut seen = HashSet::new();
    let items: Vec<_> = body
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            if !seen.insert(item.product_id) {
                v.error(
                    format!("items[{i}].product_id"),
                    "appears twice; put the total quantity on one item",
                );
            }
            let qty = v.int_range(&format!("items[{i}].quantity"), item.quantity, 1, 1_000_000);
            (item.product_id, qty)
        })
        .collect();
    let status = body.status.as_deref().unwrap_or("submitted");
    v.one_of("status", status, INITIAL_STATUSES);
    let notes = v.opt_text("notes", body.notes.as_deref(), 2000);
    v.finish()?;
    let mut conn = state.pool.get().await?;
    let order = queries::create(&mut conn, scope.client_id, status, notes, items).await?;
    let location = format!(
        "/api/v1/clients/{}/order-requests/{}",
        scope.client_id, order.id
    );
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(order),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/order-requests/{order_request_id}",
    tag = "order requests", security(("bearer" = [])), params(OrderRequestPath),
    responses((status = 200, body = OrderRequest), (status = 404, body = Problem)))]
pub async fn get_order_request(
    scope: ClientScope,
    State(state): State<AppState>,
    Path(path): Path<OrderRequestPath>,
) -> ApiResult<Json<OrderRequest>> {
    let mut conn = state.pool.get().await?;
    Ok(Json(
        queries::get(&mut conn, scope.client_id, path.order_request_id).await?,
    ))
}
