//! The import's own statements: shipments by import key, and the batch's multi-row inserts.
//! (Order lines come from `shipments::queries::lock_order_lines`; events go through
//! `shipments::events::apply`.)

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::{
    db::schema::{shipment_items, shipments},
    shipments::{allocation::Allocated, types::Carrier},
};

/// Rows per multi-row INSERT of items (4 parameters a row, PostgreSQL takes 65 535).
const ITEM_CHUNK: usize = 10_000;

/// A shipment of the client that an import key names.
#[derive(Debug, Clone, Queryable)]
pub struct Keyed {
    pub import_key: String,
    pub id: Uuid,
    pub order_request_id: Uuid,
    pub carrier: Carrier,
}

/// The client's shipments with these import keys (the unique index `(client_id, import_key)`
/// serves it).
pub async fn by_keys(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    keys: &[&str],
) -> QueryResult<Vec<Keyed>> {
    shipments::table
        .filter(shipments::client_id.eq(client_id))
        .filter(shipments::import_key.eq_any(keys))
        .select((
            shipments::import_key.assume_not_null(),
            shipments::id,
            shipments::order_request_id,
            shipments::carrier,
        ))
        .load(conn)
        .await
}

/// A new shipment of the batch: its order request, its columns and its import key.
pub type NewRow<'a> = (Uuid, &'a crate::shipments::types::ShipmentFields, &'a str);

/// Inserts the batch's new shipments in one statement; a key that exists already (a
/// concurrent import of the same file got there first) is skipped. Answers (key, id) of the
/// rows inserted.
pub async fn insert_shipments(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    rows: &[NewRow<'_>],
) -> QueryResult<Vec<(String, Uuid)>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let values: Vec<_> = rows
        .iter()
        .map(|(order, fields, key)| {
            (
                shipments::client_id.eq(client_id),
                shipments::order_request_id.eq(*order),
                *fields,
                shipments::import_key.eq(*key),
            )
        })
        .collect();
    diesel::insert_into(shipments::table)
        .values(values)
        // The only unique index a new row can hit is `(client_id, import_key)` (ids are new).
        .on_conflict_do_nothing()
        .returning((shipments::import_key.assume_not_null(), shipments::id))
        .get_results(conn)
        .await
}

/// Inserts the items of the batch's new shipments, in multi-row statements.
pub async fn insert_items(
    conn: &mut AsyncPgConnection,
    items: &[(Uuid, Allocated)],
) -> QueryResult<()> {
    for chunk in items.chunks(ITEM_CHUNK) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(shipment, i)| {
                (
                    shipment_items::shipment_id.eq(*shipment),
                    shipment_items::product_id.eq(i.product_id),
                    shipment_items::order_request_item_id.eq(i.order_request_item_id),
                    shipment_items::quantity.eq(i.quantity),
                )
            })
            .collect();
        diesel::insert_into(shipment_items::table)
            .values(&values)
            .execute(conn)
            .await?;
    }
    Ok(())
}
