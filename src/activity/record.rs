//! Writing the outbox: [`record`] and [`record_all`], called by the features in the same
//! transaction as the change they announce.
//!
//! One statement, inside the caller's transaction, that does two things in this order:
//! 1. `pg_advisory_xact_lock_shared` on the outbox's key, held until the caller commits or
//!    rolls back. Recording transactions never wait for each other (the lock is shared; their
//!    commits still group); the lock only marks them, in `pg_locks`, as "holding outbox ids
//!    that may not be visible yet". Ids are handed out in `nextval` order but become visible in
//!    commit order, so a reader can see id 11 while 10 is still in flight: the listener, on
//!    such a gap, waits until the transactions holding the lock at that moment have ended
//!    ([`super::hub`]), then every id below is final (committed or rolled back for good). Its
//!    position therefore never passes an id that may still appear, and "every id after N, up
//!    to the position" is a complete resume point. Callers record last, just before commit,
//!    so a gap lasts about one commit.
//! 2. A multi-row INSERT and a `pg_notify('activity_events', <last id>)`: PostgreSQL
//!    delivers the notification only if the transaction commits, so a rolled-back change
//!    announces nothing. The payload is the newest id; listeners read every id after the one
//!    they saw, so one notification per statement is enough.
//!
//! The lock comes first by data dependency, not by statement order: every row the INSERT
//! takes an id for (`nextval`, its column default) is joined to the one row of the lock's
//! subquery, so no id exists before the lock is held. One round trip instead of two, on every
//! write that announces something.

use diesel::{
    prelude::*,
    sql_types::{Array, BigInt, Jsonb, Nullable, Text, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::Activity;
use crate::db::prepared::Sql;

/// Takes the shared advisory lock that marks a recording transaction (see the module doc),
/// then inserts the rows in the order given and notifies the newest id.
/// Kept prepared on the connection (see [`crate::db::prepared`]): it runs on every write that
/// announces something.
static INSERT: Sql = Sql::new(INSERT_SQL);

const INSERT_SQL: &str = "\
WITH ins AS (
    INSERT INTO activity_events (client_id, type, subject_id, payload)
    SELECT u.client_id, u.type, u.subject_id, u.payload
    FROM (SELECT pg_advisory_xact_lock_shared(
                     hashtextextended('fulfillment-ops activity_events', 0))) AS marked(locked)
    CROSS JOIN unnest($1::uuid[], $2::text[], $3::uuid[], $4::jsonb[])
         WITH ORDINALITY AS u(client_id, type, subject_id, payload, n)
    ORDER BY u.n
    RETURNING id
)
SELECT max(id) AS last_id, pg_notify('activity_events', max(id)::text)::text AS notified
FROM ins
HAVING count(*) > 0";

#[derive(QueryableByName)]
struct Last {
    #[diesel(sql_type = BigInt)]
    last_id: i64,
}

/// Records one event in the caller's transaction; answers its outbox id.
pub async fn record(conn: &mut AsyncPgConnection, event: &Activity) -> QueryResult<i64> {
    record_all(conn, std::slice::from_ref(event))
        .await?
        .ok_or(diesel::result::Error::NotFound)
}

/// Records the events (in this order) in the caller's transaction; answers the newest id,
/// or `None` (and takes no lock) when there is nothing to record.
pub async fn record_all(
    conn: &mut AsyncPgConnection,
    events: &[Activity],
) -> QueryResult<Option<i64>> {
    if events.is_empty() {
        return Ok(None);
    }
    let clients: Vec<Uuid> = events.iter().map(Activity::client_id).collect();
    let types: Vec<&str> = events.iter().map(|e| e.kind().as_str()).collect();
    let subjects: Vec<Option<Uuid>> = events.iter().map(Activity::subject_id).collect();
    let payloads: Vec<serde_json::Value> = events.iter().map(Activity::payload).collect();
    let last: Last = INSERT
        .query()
        .bind::<Array<SqlUuid>, _>(&clients)
        .bind::<Array<Text>, _>(&types)
        .bind::<Array<Nullable<SqlUuid>>, _>(&subjects)
        .bind::<Array<Jsonb>, _>(&payloads)
        .get_result(conn)
        .await?;
    Ok(Some(last.last_id))
}
