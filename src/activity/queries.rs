//! The outbox reads of a stream (the pool's connections): a replay page, the horizon a
//! resume id is checked against, and the prune job's delete.

use std::time::Duration;

use diesel::{
    prelude::*,
    sql_types::{Array, BigInt, Nullable, Text},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::hub::Envelope;

/// The listener's and the replay's statement (see the file).
pub const EVENTS_AFTER_SQL: &str = include_str!("events_after.sql");

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    client_id: String,
    #[diesel(sql_type = Text)]
    r#type: String,
    #[diesel(sql_type = Text)]
    data: String,
}

/// The sessions holding the outbox's shared lock now (`pg_locks`): recording transactions
/// between their first outbox id and their end. An id missing below a visible one belongs
/// to one of them (or was rolled back).
pub const RECORDERS_SQL: &str = "\
SELECT coalesce(array_agg(l.virtualtransaction), '{}') FROM pg_locks l
WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
  AND ((l.classid::bigint << 32) | l.objid::bigint)
      = hashtextextended('fulfillment-ops activity_events', 0)";

/// How many of the transactions in `$1` (text[], from [`RECORDERS_SQL`]) still hold it.
pub const STILL_RECORDING_SQL: &str = "\
SELECT count(*) FROM pg_locks l
WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
  AND ((l.classid::bigint << 32) | l.objid::bigint)
      = hashtextextended('fulfillment-ops activity_events', 0)
  AND l.virtualtransaction = ANY ($1::text[])";

/// Rows in `(after, until]` for these clients (`None`: all) and types, at most `limit`.
pub async fn events_after(
    conn: &mut AsyncPgConnection,
    (after, until): (i64, i64),
    clients: Option<&[String]>,
    types: &[&str],
    limit: i64,
) -> QueryResult<Vec<Envelope>> {
    let rows: Vec<Row> = diesel::sql_query(EVENTS_AFTER_SQL)
        .bind::<BigInt, _>(after)
        .bind::<Nullable<Array<Text>>, _>(clients)
        .bind::<Nullable<Array<Text>>, _>(Some(types))
        .bind::<BigInt, _>(limit)
        .bind::<BigInt, _>(until)
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Envelope::new(r.id, &r.client_id, &r.r#type, r.data))
        .collect())
}

#[derive(QueryableByName)]
struct Horizon {
    #[diesel(sql_type = Nullable<BigInt>)]
    oldest: Option<i64>,
    #[diesel(sql_type = BigInt)]
    newest_ever: i64,
}

/// Whether a browser resuming after `after` may have missed rows that are no longer kept:
/// the oldest kept row is not the next id after it (rows between were pruned, or rolled
/// back — a resync is the safe answer either way), or nothing is kept and ids were handed
/// out after it; or `after` is from the future (another database): also a resync.
pub async fn resume_is_lost(conn: &mut AsyncPgConnection, after: i64) -> QueryResult<bool> {
    let h: Horizon = diesel::sql_query(
        "SELECT (SELECT min(id) FROM activity_events) AS oldest, \
                (SELECT CASE WHEN is_called THEN last_value ELSE 0 END \
                 FROM activity_events_id_seq) AS newest_ever",
    )
    .get_result(conn)
    .await?;
    Ok(match h.oldest {
        _ if after > h.newest_ever => true,
        Some(oldest) => after + 1 < oldest,
        None => after < h.newest_ever,
    })
}

/// Deletes the rows older than `retention`; answers how many.
pub async fn prune(conn: &mut AsyncPgConnection, retention: Duration) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM activity_events WHERE created_at < now() - make_interval(secs => $1)",
    )
    .bind::<diesel::sql_types::Double, _>(retention.as_secs_f64())
    .execute(conn)
    .await
}
