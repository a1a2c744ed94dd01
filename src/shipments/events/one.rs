//! [`apply_one_locked`]: [`super::apply_locked`] for one event, as `POST …/events` posts it.
//!
//! Same rules, same answer, fewer costs on the path every carrier scan takes: one statement
//! (`APPLY_ONE`) inserts the event, reads back the stored one when it is a duplicate and runs
//! the status rule, where the batch path takes an unprepared multi-row INSERT (Diesel
//! prepares those anew on each call: two round trips and a fresh plan), then the refresh. Its
//! parameters are scalars, so PostgreSQL settles on one generic plan per connection after
//! five runs; the batch refresh's `ANY($1)` is planned anew on every call (0.7 ms for one
//! shipment, several times what it takes to run). `tests/it/shipments/one_event.rs` compares
//! the two paths on shuffled histories.
//!
//! Most scans arrive in order: newer than everything the shipment has seen, before it ends.
//! For those (`EventTarget::appends`, known from the locked read the handler makes anyway)
//! `APPEND_NEWEST` stores the event and sets the state without reading the history or
//! running the rule's thirty-node plan (the same write, `state_write.sql`, as the rule's); every other event (late, tied in time, after a
//! terminal status, a duplicate) takes `APPLY_ONE`.

use diesel::{
    prelude::*,
    sql_types::{Bool, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{
    APPEND_NEWEST_SQL, APPLY_ONE_SQL, Applied, State,
    types::{NewEvent, ShipmentEvent},
};
use crate::{activity, db::prepared::Sql, shipments::types::EventTarget};

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
/// the shipment `FOR NO KEY UPDATE` in this transaction and read `target` with that lock.
/// The answer is the one [`super::apply_locked`] gives for a batch of this one event.
pub async fn apply_one_locked(
    conn: &mut AsyncPgConnection,
    target: &EventTarget,
    event: NewEvent,
) -> QueryResult<Applied> {
    let appended = if target.appends(event.event_time) {
        run(&APPEND_NEWEST_SQL, conn, &event).await.optional()?
    } else {
        None
    };
    let row = match appended {
        Some(row) => row,
        None => run(&APPLY_ONE_SQL, conn, &event).await?,
    };
    activity::record_all(conn, &row.state.announcements()).await?;
    Ok(Applied {
        outcome: row.state.outcome_of(&row.event, row.created),
        shipment_status: row.state.status,
        event: row.event,
    })
}

/// One of the two one-event statements, which take the same parameters and answer the same
/// columns.
async fn run(
    sql: &'static Sql,
    conn: &mut AsyncPgConnection,
    event: &NewEvent,
) -> QueryResult<Row> {
    sql.query()
        .bind::<SqlUuid, _>(event.shipment_id)
        .bind::<Text, _>(event.status)
        .bind::<Nullable<Text>, _>(&event.description)
        .bind::<Nullable<Text>, _>(&event.location)
        .bind::<Timestamptz, _>(event.event_time)
        .bind::<Nullable<Timestamptz>, _>(event.estimated_delivery_at)
        .bind::<Nullable<Jsonb>, _>(&event.raw_data)
        .bind::<Text, _>(&event.dedupe_key)
        .get_result(conn)
        .await
}
