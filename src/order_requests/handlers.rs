//! `/api/v1/clients/{client_id}/order-requests`.

use axum::Json;
use diesel_async::AsyncConnection;

use super::{
    queries::{self, ListFilter, OrderKey},
    types::{CreateOrderRequest, OrderRequest, OrderRequestFilter, OrderRequestPath},
};
use crate::{
    auth::tenancy::ClientScope,
    clients::types::ClientPath,
    http::{
        conn::Db,
        error::{ApiError, ApiResult, FieldError, OrNotFound, Problem},
        extract::{self, Path, Query},
        pagination::{Page, PageQuery, PageRequest},
        response::Created,
        validation::validate,
    },
};

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/order-requests", tag = "order requests",
    security(("bearer" = [])), params(ClientPath, OrderRequestFilter, PageQuery),
    responses((status = 200, body = Page<OrderRequest>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_order_requests(
    scope: ClientScope,
    Db(mut conn): Db,
    Query(filter): Query<OrderRequestFilter>,
    page: PageRequest<OrderKey>,
) -> ApiResult<Json<Page<OrderRequest>>> {
    validate(|v| filter.validate(v))?;
    let list_filter = ListFilter {
        status: filter.status,
        from: filter.from,
        to: filter.to,
    };
    let rows = queries::list(&mut conn, scope.client_id, &list_filter, &page).await?;
    Ok(Json(Page::from_rows(rows, &page, queries::key, |o| o)))
}

#[utoipa::path(post, path = "/api/v1/clients/{client_id}/order-requests", tag = "order requests",
    security(("bearer" = [])), params(ClientPath), request_body = CreateOrderRequest,
    responses((status = 201, body = OrderRequest), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_order_request(
    scope: ClientScope,
    Db(mut conn): Db,
    extract::Json(body): extract::Json<CreateOrderRequest>,
) -> ApiResult<Created<OrderRequest>> {
    let order = body.validate()?;
    let client_id = scope.client_id;
    let created = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let wanted: Vec<_> = order.items.iter().map(|(p, _)| *p).collect();
            let owned = queries::lock_client_products(conn, client_id, &wanted).await?;
            let missing: Vec<FieldError> = (order.items.iter().enumerate())
                .filter(|(_, (p, _))| !owned.contains(p))
                .map(|(i, _)| {
                    let field = format!("items[{i}].product_id");
                    FieldError::new(field, "no such product for this client")
                })
                .collect();
            if !missing.is_empty() {
                return Err(ApiError::Validation(missing));
            }
            Ok(queries::insert(conn, client_id, &order).await?)
        })
        .await?;
    let location = format!(
        "/api/v1/clients/{client_id}/order-requests/{}",
        created.order.id
    );
    Ok(Created::at(location, created))
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/order-requests/{order_request_id}",
    tag = "order requests", security(("bearer" = [])), params(OrderRequestPath),
    responses((status = 200, body = OrderRequest), (status = 404, body = Problem)))]
pub async fn get_order_request(
    scope: ClientScope,
    Db(mut conn): Db,
    Path(path): Path<OrderRequestPath>,
) -> ApiResult<Json<OrderRequest>> {
    let order = queries::get(&mut conn, scope.client_id, path.order_request_id).await;
    Ok(Json(order.or_not_found("order request")?))
}
