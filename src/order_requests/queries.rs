//! Every SQL statement about order requests.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    prelude::*,
    sql_types::{Array, Bool, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::{NewOrder, OrderItem, OrderRequest, OrderRequestRow, OrderStatus, Transition};
use crate::{
    db::{
        prepared::Sql,
        schema::{order_request_items, order_request_transitions, order_requests, products},
    },
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

/// Which of these products belong to the client, and which of those are active (not
/// archived), key-share locked until the transaction ends so none is deleted or archived
/// between this check and the insert of the order's lines.
pub async fn lock_client_products(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, bool>> {
    let owned = products::table
        .filter(
            products::client_id
                .eq(client_id)
                .and(products::id.eq_any(ids)),
        )
        .select((products::id, products::archived_at.is_null()))
        .for_key_share()
        .load::<(Uuid, bool)>(conn)
        .await?;
    Ok(owned.into_iter().collect())
}

/// `insert_order.sql`: the product check and every write of a new order request, one
/// statement kept prepared on the connection.
static INSERT_ORDER: Sql = Sql::new(include_str!("insert_order.sql"));

/// One item of [`INSERT_ORDER`]'s answer: its product's check and, when the order was
/// written, the order's columns and the item's id.
#[derive(QueryableByName)]
struct InsertedItem {
    #[diesel(sql_type = Bool)]
    owned: bool,
    #[diesel(sql_type = Bool)]
    active: bool,
    #[diesel(sql_type = SqlUuid)]
    product_id: Uuid,
    #[diesel(sql_type = Integer)]
    quantity: i32,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    item_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    id: Option<Uuid>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    client_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    status: Option<OrderStatus>,
    #[diesel(sql_type = Nullable<Text>)]
    notes: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    created_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    updated_at: Option<DateTime<Utc>>,
}

/// Why an item's product cannot be ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemRefusal {
    /// Not a product of this client (or none at all).
    NotTheClients,
    Archived,
}

/// What [`insert`] did: the order, or nothing and why, per item (its index in the request).
pub enum Inserted {
    Created(OrderRequest),
    Refused(Vec<(usize, ItemRefusal)>),
}

/// Inserts an order request, its items and its first transition when every item's product is
/// the client's and active, in one statement and one round trip (no transaction needed).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    order: &NewOrder,
    by: Uuid,
) -> QueryResult<Inserted> {
    let (products, quantities): (Vec<Uuid>, Vec<i32>) = order.items.iter().copied().unzip();
    let rows: Vec<InsertedItem> = INSERT_ORDER
        .query()
        .bind::<SqlUuid, _>(client_id)
        .bind::<Text, _>(order.status)
        .bind::<Nullable<Text>, _>(&order.notes)
        .bind::<SqlUuid, _>(by)
        .bind::<Array<SqlUuid>, _>(products)
        .bind::<Array<Integer>, _>(quantities)
        .load(conn)
        .await?;
    let refused: Vec<_> = (rows.iter().enumerate())
        .filter_map(|(i, r)| match (r.owned, r.active) {
            (false, _) => Some((i, ItemRefusal::NotTheClients)),
            (true, false) => Some((i, ItemRefusal::Archived)),
            (true, true) => None,
        })
        .collect();
    if !refused.is_empty() {
        return Ok(Inserted::Refused(refused));
    }
    // Unreachable unless the statement changes: every item passed, so the order was written.
    let missing =
        || diesel::result::Error::DeserializationError("insert_order.sql wrote no order".into());
    let first = rows.as_slice().first().ok_or_else(missing)?;
    let row = OrderRequestRow {
        id: first.id.ok_or_else(missing)?,
        client_id: first.client_id.ok_or_else(missing)?,
        status: first.status.ok_or_else(missing)?,
        notes: first.notes.clone(),
        created_at: first.created_at.ok_or_else(missing)?,
        updated_at: first.updated_at.ok_or_else(missing)?,
    };
    let items = (rows.iter())
        .map(|r| {
            Ok(OrderItem {
                id: r.item_id.ok_or_else(missing)?,
                order_request_id: row.id,
                product_id: r.product_id,
                quantity: r.quantity,
            })
        })
        .collect::<QueryResult<_>>()?;
    Ok(Inserted::Created(OrderRequest::new(row, items)))
}

async fn insert_items(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    items: &[(Uuid, i32)],
) -> QueryResult<Vec<OrderItem>> {
    let values: Vec<_> = items
        .iter()
        .map(|(product_id, quantity)| {
            (
                order_request_items::order_request_id.eq(order_id),
                order_request_items::product_id.eq(*product_id),
                order_request_items::quantity.eq(*quantity),
            )
        })
        .collect();
    diesel::insert_into(order_request_items::table)
        .values(&values)
        .returning(OrderItem::as_returning())
        .get_results(conn)
        .await
}

/// The order request's row, locked until the transaction ends: a PATCH reads the status,
/// checks the transition and writes under this lock, so two concurrent changes cannot both
/// start from the same status.
pub async fn get_row_for_update(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
) -> QueryResult<OrderRequestRow> {
    order_requests::table
        .filter(
            order_requests::id
                .eq(id)
                .and(order_requests::client_id.eq(client_id)),
        )
        .select(OrderRequestRow::as_select())
        .for_update()
        .first(conn)
        .await
}

/// Replaces every item of a (draft) order request.
pub async fn replace_items(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    items: &[(Uuid, i32)],
) -> QueryResult<()> {
    diesel::delete(
        order_request_items::table.filter(order_request_items::order_request_id.eq(order_id)),
    )
    .execute(conn)
    .await?;
    insert_items(conn, order_id, items).await.map(drop)
}

/// Writes the order's status and notes and stamps `updated_at`.
pub async fn update_row(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: OrderStatus,
    notes: Option<&str>,
) -> QueryResult<()> {
    diesel::update(order_requests::table.find(id))
        .set((
            order_requests::status.eq(status),
            order_requests::notes.eq(notes),
            order_requests::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn record_transition(
    conn: &mut AsyncPgConnection,
    order_id: Uuid,
    from: Option<OrderStatus>,
    to: OrderStatus,
    by: Uuid,
    note: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(order_request_transitions::table)
        .values((
            order_request_transitions::order_request_id.eq(order_id),
            order_request_transitions::from_status.eq(from),
            order_request_transitions::to_status.eq(to),
            order_request_transitions::changed_by.eq(by),
            order_request_transitions::note.eq(note),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The order request's transitions, oldest first; `NotFound` when it is not this client's.
pub async fn transitions(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
) -> QueryResult<Vec<Transition>> {
    order_requests::table
        .filter(
            order_requests::id
                .eq(id)
                .and(order_requests::client_id.eq(client_id)),
        )
        .select(order_requests::id)
        .first::<Uuid>(conn)
        .await?;
    order_request_transitions::table
        .filter(order_request_transitions::order_request_id.eq(id))
        .order(order_request_transitions::id.asc())
        .select(Transition::as_select())
        .load(conn)
        .await
}
