//! [`apply_one_locked`]: [`super::apply_locked`] for one event, as `POST …/events` posts it.
//!
//! Same rules, same answer, fewer costs on the path every carrier scan takes: one statement
//! (`APPLY_ONE`) inserts the event, reads back the stored one when it is a duplicate and runs
//! the status rule, where the batch path takes an unprepared multi-row INSERT (Diesel
//! prepares those anew on each call: two round trips and a fresh plan), then the refresh. Its
//! parameters are scalars, so PostgreSQL settles on one generic plan per connection after
//! five runs; the batch refresh's `ANY($1)` is planned anew on every call (0.7 ms for one
//! shipment, several times what it takes to run). `tests/it/shipments/events.rs` compares
//! the two paths on shuffled histories.

use diesel::{
    prelude::*,
    sql_types::{Bool, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{
    APPLY_ONE_SQL, Applied, State,
    types::{NewEvent, ShipmentEvent},
};
use crate::activity;

#[derive(QueryableByName)]
struct Row {
    #[diesel(embed)]
    state: State,
    #[diesel(embed)]
    event: ShipmentEvent,
    /// Stored by this statement (not a duplicate).
    #[diesel(sql_type = Bool)]
    created: bool,
}

/// Stores the event (once: a known dedupe key is a duplicate), brings its shipment's state
/// up to date and records the live-update events of what changed, for a caller that holds
/// the shipment `FOR NO KEY UPDATE` in this transaction. The answer is the one
/// [`super::apply_locked`] gives for a batch of this one event.
pub async fn apply_one_locked(
    conn: &mut AsyncPgConnection,
    event: NewEvent,
) -> QueryResult<Applied> {
    let row: Row = APPLY_ONE_SQL
        .query()
        .bind::<SqlUuid, _>(event.shipment_id)
        .bind::<Text, _>(event.status)
        .bind::<Nullable<Text>, _>(event.description)
        .bind::<Nullable<Text>, _>(event.location)
        .bind::<Timestamptz, _>(event.event_time)
        .bind::<Nullable<Timestamptz>, _>(event.estimated_delivery_at)
        .bind::<Nullable<Jsonb>, _>(event.raw_data)
        .bind::<Text, _>(event.dedupe_key)
        .get_result(conn)
        .await?;
    activity::record_all(conn, &row.state.announcements()).await?;
    Ok(Applied {
        outcome: row.state.outcome_of(&row.event, row.created),
        shipment_status: row.state.status,
        event: row.event,
    })
}
