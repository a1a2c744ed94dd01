//! The webhook deliveries table: every authenticated payload, as received.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::{db::schema::carrier_webhook_deliveries as d, shipments::types::Carrier};

/// Records a delivery. With an event id, the first delivery of that id per carrier is
/// `received` (to be settled by [`settle`]); a later one answers `None` — a duplicate, which
/// the caller records with [`record`].
pub async fn claim(
    conn: &mut AsyncPgConnection,
    carrier: Carrier,
    event_id: &str,
    tracking_number: &str,
    payload: &str,
) -> QueryResult<Option<Uuid>> {
    diesel::insert_into(d::table)
        .values((
            d::carrier.eq(carrier),
            d::event_id.eq(event_id),
            d::tracking_number.eq(tracking_number),
            d::payload.eq(payload),
            d::result.eq("received"),
        ))
        .on_conflict((d::carrier, d::event_id))
        // The unique index's predicate, literally, so PostgreSQL infers that index.
        .filter_target(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "result NOT IN ('duplicate', 'rejected')",
        ))
        .do_nothing()
        .returning(d::id)
        .get_result(conn)
        .await
        .optional()
}

/// Records a delivery that settles nothing: a duplicate, or a payload refused as unreadable.
pub async fn record(
    conn: &mut AsyncPgConnection,
    carrier: Carrier,
    event_id: Option<&str>,
    payload: &str,
    result: &str,
    reason: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(d::table)
        .values((
            d::carrier.eq(carrier),
            d::event_id.eq(event_id),
            d::payload.eq(payload),
            d::result.eq(result),
            d::reason.eq(reason),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// What became of a claimed delivery.
pub async fn settle(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    result: &str,
    reason: Option<&str>,
    shipment: Option<(Uuid, Uuid)>,
) -> QueryResult<()> {
    diesel::update(d::table.find(id))
        .set((
            d::result.eq(result),
            d::reason.eq(reason),
            d::shipment_id.eq(shipment.map(|s| s.0)),
            d::shipment_event_id.eq(shipment.map(|s| s.1)),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}
