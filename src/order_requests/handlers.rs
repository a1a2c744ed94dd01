//! `/api/v1/clients/{client_id}/order-requests`.

use axum::Json;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::{
    queries::{self, Inserted, ItemRefusal, ListFilter, OrderKey},
    types::{
        CreateOrderRequest, OrderRequest, OrderRequestFilter, OrderRequestPath, OrderStatus,
        Transition, UpdateOrderRequest,
    },
};
use crate::http::prelude::*;
use crate::{
    auth::tenancy::ClientScope,
    clients::types::ClientPath,
    http::{error::FieldError, validation::validate},
};

/// The 422 naming each item whose product cannot be ordered (`i`: its index in the request).
fn refused_items(refused: Vec<(usize, ItemRefusal)>) -> ApiError {
    ApiError::Validation(
        (refused.into_iter())
            .map(|(i, why)| {
                let message = match why {
                    ItemRefusal::NotTheClients => "no such product for this client",
                    ItemRefusal::Archived => "is archived; unarchive the product to order it",
                };
                FieldError::new(format!("items[{i}].product_id"), message)
            })
            .collect(),
    )
}

/// Every item's product is this client's and not archived (else one 422 naming each item),
/// key-share locked so none is deleted before the lines are written.
async fn check_products(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    items: &[(Uuid, i32)],
) -> ApiResult<()> {
    let wanted: Vec<_> = items.iter().map(|(p, _)| *p).collect();
    let active = queries::lock_client_products(conn, client_id, &wanted).await?;
    let refused: Vec<_> = (items.iter().enumerate())
        .filter_map(|(i, (p, _))| match active.get(p) {
            None => Some((i, ItemRefusal::NotTheClients)),
            Some(false) => Some((i, ItemRefusal::Archived)),
            Some(true) => None,
        })
        .collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(refused_items(refused))
    }
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/order-requests", tag = "order requests",
    security(("bearer" = [])), params(ClientPath, OrderRequestFilter, PageQuery),
    responses((status = 200, body = Page<OrderRequest>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_order_requests(
    scope: ClientScope,
    Db(mut conn): Db,
    Query(filter): Query<OrderRequestFilter>,
    page: PageRequest<OrderKey>,
) -> ApiResult<Page<OrderRequest>> {
    validate(|v| filter.validate(v))?;
    let list_filter = ListFilter {
        status: filter.status,
        from: filter.from,
        to: filter.to,
    };
    let rows = queries::list(&mut conn, scope.client_id, &list_filter, &page).await?;
    Ok(Page::from_rows(rows, &page, queries::key, |o| o))
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
    // One statement (checks and writes), atomic by itself: no BEGIN/COMMIT round trips.
    let created = match queries::insert(&mut conn, client_id, &order, scope.user.id).await? {
        Inserted::Created(created) => created,
        Inserted::Refused(refused) => return Err(refused_items(refused)),
    };
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

#[utoipa::path(patch, path = "/api/v1/clients/{client_id}/order-requests/{order_request_id}",
    tag = "order requests", security(("bearer" = [])), params(OrderRequestPath),
    request_body = UpdateOrderRequest,
    responses((status = 200, body = OrderRequest), (status = 404, body = Problem),
        (status = 409, description = "A transition the state machine does not allow (`detail` names the allowed ones), or items changed after the draft", body = Problem),
        (status = 422, body = Problem)))]
pub async fn update_order_request(
    scope: ClientScope,
    Db(mut conn): Db,
    Path(path): Path<OrderRequestPath>,
    extract::Json(body): extract::Json<UpdateOrderRequest>,
) -> ApiResult<Json<OrderRequest>> {
    let change = body.validate()?;
    let (client_id, id, by) = (scope.client_id, path.order_request_id, scope.user.id);
    conn.transaction::<_, ApiError, _>(async |conn| {
        let current = queries::get_row_for_update(conn, client_id, id)
            .await
            .or_not_found("order request")?;
        let to = change.status.filter(|s| *s != current.status);
        if let Some(refusal) = to.and_then(|to| current.status.refuses(to)) {
            return Err(ApiError::Conflict(refusal));
        }
        if let Some(items) = &change.items {
            if current.status != OrderStatus::Draft {
                return Err(ApiError::Conflict(format!(
                    "items can change only while the order request is a draft; it is {}",
                    current.status
                )));
            }
            check_products(conn, client_id, items).await?;
            queries::replace_items(conn, id, items).await?;
        }
        if to.is_none() && change.notes.is_none() && change.items.is_none() {
            return Ok(());
        }
        let notes = change.notes.clone().unwrap_or(current.notes.clone());
        let status = to.unwrap_or(current.status);
        queries::update_row(conn, id, status, notes.as_deref()).await?;
        if let Some(to) = to {
            let reason = change.reason.as_deref();
            queries::record_transition(conn, id, Some(current.status), to, by, reason).await?;
        }
        Ok(())
    })
    .await?;
    let order = queries::get(&mut conn, client_id, id).await?;
    Ok(Json(order))
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/order-requests/{order_request_id}/transitions",
    tag = "order requests", security(("bearer" = [])), params(OrderRequestPath),
    responses((status = 200, description = "Every status the order request has had, oldest first (its creation included)", body = Page<Transition>),
        (status = 404, body = Problem)))]
pub async fn order_request_transitions(
    scope: ClientScope,
    Db(mut conn): Db,
    Path(path): Path<OrderRequestPath>,
) -> ApiResult<Page<Transition>> {
    let data = queries::transitions(&mut conn, scope.client_id, path.order_request_id)
        .await
        .or_not_found("order request")?;
    // At most five rows (the state machine's longest path): one page, always the last.
    Ok(Page {
        data,
        next_cursor: None,
    })
}
