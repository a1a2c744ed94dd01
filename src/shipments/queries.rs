//! Every SQL statement about shipments and their items. Errors stay Diesel's.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{dsl::sum, prelude::*};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{
    allocation::{Allocated, OrderLine},
    types::{
        Carrier, EventTarget, Shipment, ShipmentFields, ShipmentFilter, ShipmentItem, ShipmentRow,
        delayed,
    },
};
use crate::{
    db::{
        query::FilterSome,
        schema::{order_request_items, order_requests, shipment_items, shipments},
    },
    http::pagination::PageRequest,
    keyset_page, owned_row,
};

/// Sort key of the list: newest first.
pub type ShipmentKey = (DateTime<Utc>, Uuid);

pub fn key(s: &Shipment) -> ShipmentKey {
    (s.shipment.created_at, s.shipment.id)
}

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).expect("midnight").and_utc()
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    filter: &ShipmentFilter,
    page: &PageRequest<ShipmentKey>,
) -> QueryResult<Vec<Shipment>> {
    let mut q = shipments::table
        .filter(shipments::client_id.eq(client_id))
        .select(ShipmentRow::as_select())
        .into_boxed();
    q = q
        .filter_some(filter.status, |status| shipments::status.eq(status))
        .filter_some(filter.carrier, |carrier| shipments::carrier.eq(carrier))
        .filter_some(filter.order_request_id, |id| {
            shipments::order_request_id.eq(id)
        });
    match filter.delayed {
        Some(true) => q = q.filter(delayed()),
        Some(false) => q = q.filter(diesel::dsl::not(delayed())),
        None => {}
    }
    let to = filter.to.and_then(|d| d.succ_opt());
    let q = q
        .filter_some(filter.from, |from| {
            shipments::shipped_at.ge(day_start(from))
        })
        .filter_some(to, |to| shipments::shipped_at.lt(day_start(to)));
    let rows: Vec<ShipmentRow> = keyset_page!(q, page, desc(shipments::created_at, shipments::id))
        .load(conn)
        .await?;
    let with = rows.len().min(page.limit as usize);
    with_items(conn, rows, with).await
}

/// Attaches items to the first `with` shipments in one query.
pub async fn with_items(
    conn: &mut AsyncPgConnection,
    rows: Vec<ShipmentRow>,
    with: usize,
) -> QueryResult<Vec<Shipment>> {
    let ids: Vec<Uuid> = rows.iter().take(with).map(|r| r.id).collect();
    let items: Vec<ShipmentItem> = shipment_items::table
        .filter(shipment_items::shipment_id.eq_any(&ids))
        .select(ShipmentItem::as_select())
        .order((shipment_items::created_at.asc(), shipment_items::id.asc()))
        .load(conn)
        .await?;
    let mut by_shipment: HashMap<Uuid, Vec<ShipmentItem>> = HashMap::new();
    for item in items {
        by_shipment.entry(item.shipment_id).or_default().push(item);
    }
    Ok(rows
        .into_iter()
        .map(|shipment| Shipment {
            items: by_shipment.remove(&shipment.id).unwrap_or_default(),
            shipment,
        })
        .collect())
}

pub async fn get_row(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
) -> QueryResult<ShipmentRow> {
    owned_row!(shipments, client_id = client_id, id, as ShipmentRow)
        .first(conn)
        .await
}

pub async fn get(conn: &mut AsyncPgConnection, client_id: Uuid, id: Uuid) -> QueryResult<Shipment> {
    let row = get_row(conn, client_id, id).await?;
    Ok(with_items(conn, vec![row], 1).await?.remove(0))
}

/// The shipment, locked until the transaction ends (PATCH merges under it; events too).
pub async fn get_for_update(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
) -> QueryResult<ShipmentRow> {
    owned_row!(shipments, client_id = client_id, id, as ShipmentRow)
        .for_no_key_update()
        .first(conn)
        .await
}

/// What posting an event needs of its shipment, read with the lock the status rule runs under
/// (as by [`get_for_update`]): the carrier (tenancy, the carrier's codes) and where its state
/// stands (whether the event can simply append, see `events::one`). Kept prepared on the
/// connection, unlike a read of [`ShipmentRow`], whose `is_delayed` is an SQL literal (Diesel
/// prepares and plans those anew on every call: two round trips instead of one).
pub async fn event_target_for_update(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
) -> QueryResult<EventTarget> {
    owned_row!(shipments, client_id = client_id, id)
        .select(EventTarget::as_select())
        .for_no_key_update()
        .first(conn)
        .await
}

/// The newest shipment with this tracking number (carriers recycle numbers), of one client
/// or of any (`None`: staff), of one carrier or any.
pub async fn by_tracking(
    conn: &mut AsyncPgConnection,
    client_id: Option<Uuid>,
    number: &str,
    carrier: Option<Carrier>,
) -> QueryResult<Shipment> {
    let mut q = shipments::table
        .filter(shipments::tracking_number.eq(number))
        .select(ShipmentRow::as_select())
        .into_boxed();
    if let Some(client_id) = client_id {
        q = q.filter(shipments::client_id.eq(client_id));
    }
    if let Some(carrier) = carrier {
        q = q.filter(shipments::carrier.eq(carrier));
    }
    let row = q
        .order((shipments::created_at.desc(), shipments::id.desc()))
        .first(conn)
        .await?;
    Ok(with_items(conn, vec![row], 1).await?.remove(0))
}

/// Locks the client's order requests among `order_ids` (in id order, so concurrent callers
/// cannot deadlock) until the transaction ends, and answers their lines with what has
/// shipped of each. An id missing from the answer is not an order request of this client.
pub async fn lock_order_lines(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    order_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<OrderLine>>> {
    let owned: Vec<Uuid> = order_requests::table
        .filter(
            order_requests::client_id
                .eq(client_id)
                .and(order_requests::id.eq_any(order_ids)),
        )
        .select(order_requests::id)
        .order(order_requests::id)
        .for_no_key_update()
        .load(conn)
        .await?;
    let lines: Vec<(Uuid, Uuid, Uuid, i32)> = order_request_items::table
        .filter(order_request_items::order_request_id.eq_any(&owned))
        .select((
            order_request_items::id,
            order_request_items::order_request_id,
            order_request_items::product_id,
            order_request_items::quantity,
        ))
        .order((order_request_items::created_at, order_request_items::id))
        .load(conn)
        .await?;
    let line_ids: Vec<Uuid> = lines.iter().map(|l| l.0).collect();
    let shipped: HashMap<Uuid, i64> = shipment_items::table
        .filter(shipment_items::order_request_item_id.eq_any(&line_ids))
        .group_by(shipment_items::order_request_item_id)
        .select((
            shipment_items::order_request_item_id.assume_not_null(),
            sum(shipment_items::quantity),
        ))
        .load::<(Uuid, Option<i64>)>(conn)
        .await?
        .into_iter()
        .map(|(id, n)| (id, n.unwrap_or(0)))
        .collect();
    let mut by_order: HashMap<Uuid, Vec<OrderLine>> =
        owned.into_iter().map(|id| (id, Vec::new())).collect();
    for (id, order_id, product_id, ordered) in lines {
        by_order.entry(order_id).or_default().push(OrderLine {
            id,
            product_id,
            ordered: i64::from(ordered),
            shipped: shipped.get(&id).copied().unwrap_or(0),
        });
    }
    Ok(by_order)
}

/// Inserts a shipment and its allocated items (the caller holds the transaction and the
/// order's lock).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    order_request_id: Uuid,
    fields: &ShipmentFields,
    items: &[Allocated],
) -> QueryResult<Shipment> {
    let shipment: ShipmentRow = diesel::insert_into(shipments::table)
        .values((
            shipments::client_id.eq(client_id),
            shipments::order_request_id.eq(order_request_id),
            fields,
        ))
        .returning(ShipmentRow::as_returning())
        .get_result(conn)
        .await?;
    let values: Vec<_> = items
        .iter()
        .map(|i| {
            (
                shipment_items::shipment_id.eq(shipment.id),
                shipment_items::product_id.eq(i.product_id),
                shipment_items::order_request_item_id.eq(i.order_request_item_id),
                shipment_items::quantity.eq(i.quantity),
            )
        })
        .collect();
    let items = diesel::insert_into(shipment_items::table)
        .values(&values)
        .returning(ShipmentItem::as_returning())
        .get_results(conn)
        .await?;
    Ok(Shipment { shipment, items })
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    fields: &ShipmentFields,
) -> QueryResult<ShipmentRow> {
    diesel::update(shipments::table.find(id))
        .set(fields)
        .returning(ShipmentRow::as_returning())
        .get_result(conn)
        .await
}
