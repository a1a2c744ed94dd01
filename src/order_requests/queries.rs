//! Every SQL statement about order requests.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::{NewOrder, OrderItem, OrderRequest, OrderRequestRow, OrderStatus};
use crate::{
    db::schema::{order_request_items, order_requests, products},
    http::pagination::PageRequest,
    keyset_page,
};

/// Sort key of the list: newest first.
pub type OrderKey = (DateTime<Utc>, Uuid);

pub fn key(o: &OrderRequest) -> OrderKey {
    (o.order.created_at, o.order.id)
}

pub struct ListFilter {
    pub status: Option<OrderStatus>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).expect("midnight").and_utc()
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    filter: &ListFilter,
    page: &PageRequest<OrderKey>,
) -> QueryResult<Vec<OrderRequest>> {
    let mut q = order_requests::table
        .filter(order_requests::client_id.eq(client_id))
        .select(OrderRequestRow::as_select())
        .into_boxed();
    if let Some(status) = filter.status {
        q = q.filter(order_requests::status.eq(status));
    }
    if let Some(from) = filter.from {
        q = q.filter(order_requests::created_at.ge(day_start(from)));
    }
    if let Some(to) = filter.to.and_then(|d| d.succ_opt()) {
        q = q.filter(order_requests::created_at.lt(day_start(to)));
    }
    let rows: Vec<OrderRequestRow> = keyset_page!(
        q,
        page,
        desc(order_requests::created_at, order_requests::id)
    )
    .load(conn)
    .await?;
    // The look-ahead row only tells whether another page follows: it needs no items.
    let page_rows = rows.len().min(page.limit as usize);
    with_items(conn, rows, page_rows).await
}

/// Attaches items to the first `with` order requests in one query, grouped in one pass.
async fn with_items(
    conn: &mut AsyncPgConnection,
    rows: Vec<OrderRequestRow>,
    with: usize,
) -> QueryResult<Vec<OrderRequest>> {
    let ids: Vec<Uuid> = rows.iter().take(with).map(|r| r.id).collect();
    let items: Vec<OrderItem> = order_request_items::table
        .filter(order_request_items::order_request_id.eq_any(&ids))
        .select(OrderItem::as_select())
        .order((
            order_request_items::created_at.asc(),
            order_request_items::id.asc(),
        ))
        .load(conn)
        .await?;
    let mut by_order: HashMap<Uuid, Vec<OrderItem>> = HashMap::with_capacity(ids.len());
    for item in items {
        by_order
            .entry(item.order_request_id)
            .or_default()
            .push(item);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let items = by_order.remove(&row.id).unwrap_or_default();
            OrderRequest::new(row, items)
        })
        .collect())
}

pub async fn get(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
) -> QueryResult<OrderRequest> {
    let row: OrderRequestRow = order_requests::table
        .filter(
            order_requests::id
                .eq(id)
                .and(order_requests::client_id.eq(client_id)),
        )
        .select(OrderRequestRow::as_select())
        .first(conn)
        .await?;
    Ok(with_items(conn, vec![row], 1).await?.remove(0))
}

/// Which of these products belong to the client, key-share locked until the transaction ends
/// so none is deleted between this check and the insert of the order.
pub async fn lock_client_products(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    ids: &[Uuid],
) -> QueryResult<HashSet<Uuid>> {
    let owned = products::table
        .filter(
            products::client_id
                .eq(client_id)
                .and(products::id.eq_any(ids)),
        )
        .select(products::id)
        .for_key_share()
        .load::<Uuid>(conn)
        .await?;
    Ok(owned.into_iter().collect())
}

/// Inserts an order request and its items (the caller holds the transaction).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    order: &NewOrder,
) -> QueryResult<OrderRequest> {
    let row: OrderRequestRow = diesel::insert_into(order_requests::table)
        .values((
            order_requests::client_id.eq(client_id),
            order_requests::status.eq(order.status),
            order_requests::notes.eq(&order.notes),
        ))
        .returning(OrderRequestRow::as_returning())
        .get_result(conn)
        .await?;
    let values: Vec<_> = order
        .items
        .iter()
        .map(|(product_id, quantity)| {
            (
                order_request_items::order_request_id.eq(row.id),
                order_request_items::product_id.eq(*product_id),
                order_request_items::quantity.eq(*quantity),
            )
        })
        .collect();
    let items: Vec<OrderItem> = diesel::insert_into(order_request_items::table)
        .values(&values)
        .returning(OrderItem::as_returning())
        .get_results(conn)
        .await?;
    Ok(OrderRequest::new(row, items))
}
