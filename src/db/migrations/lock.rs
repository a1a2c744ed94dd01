//! The session-level advisory lock that lets one replica at a time apply or revert, and who
//! holds it.
//!
//! The lock calls are PostgreSQL functions declared with `define_sql_function!`; the holder
//! is read from the `pg_locks` and `pg_stat_activity` system views, declared below with only
//! the columns read.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use diesel::{
    OptionalExtension, QueryResult,
    prelude::*,
    sql_types::{Inet, Integer, Nullable},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;

use super::MigrationError;

/// Advisory lock keys (two-int form): `classid` names this application, `objid` the purpose.
/// Visible in `pg_locks` as `classid = 0x464F5053` ("FOPS"), `objid = 1`, `objsubid = 2`.
pub const LOCK_CLASS: i32 = 0x464F_5053;
pub const LOCK_MIGRATIONS: i32 = 1;

/// `pg_locks.objsubid` of a lock taken with the two-int key form.
const TWO_INT_KEY: i16 = 2;

diesel::define_sql_function! {
    /// Takes the session-level lock if it is free; never waits.
    fn pg_try_advisory_lock(key1: Integer, key2: Integer) -> Bool;
}

diesel::define_sql_function! {
    /// Releases a session-level lock this session holds.
    fn pg_advisory_unlock(key1: Integer, key2: Integer) -> Bool;
}

diesel::define_sql_function! {
    fn current_database() -> Text;
}

diesel::define_sql_function! {
    /// The address of an `inet` as text, without the netmask.
    fn host(address: Nullable<Inet>) -> Nullable<Text>;
}

// System views have no primary key; `table!` wants one, so a column stands in (these are
// only ever filtered, never found by key or updated).
diesel::table! {
    pg_catalog.pg_locks (locktype) {
        locktype -> Text,
        database -> Nullable<Oid>,
        classid -> Nullable<Oid>,
        objid -> Nullable<Oid>,
        objsubid -> Nullable<SmallInt>,
        pid -> Nullable<Integer>,
        granted -> Bool,
    }
}

diesel::table! {
    pg_catalog.pg_stat_activity (pid) {
        pid -> Integer,
        application_name -> Nullable<Text>,
        backend_start -> Nullable<Timestamptz>,
        client_addr -> Nullable<Inet>,
    }
}

diesel::table! {
    pg_catalog.pg_database (oid) {
        oid -> Oid,
        datname -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(pg_locks, pg_stat_activity, pg_database);

/// Who holds the migration lock right now.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable)]
pub struct LockHolder {
    pub pid: i32,
    pub application_name: Option<String>,
    pub backend_start: Option<DateTime<Utc>>,
    pub client_addr: Option<String>,
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} ({})",
            self.pid,
            self.application_name
                .as_deref()
                .unwrap_or("unknown application")
        )
    }
}

/// Who holds the migration lock in this database, if anyone.
pub async fn lock_holder(conn: &mut AsyncPgConnection) -> QueryResult<Option<LockHolder>> {
    let this_database = pg_database::table
        .filter(pg_database::datname.eq(current_database()))
        .select(pg_database::oid.nullable())
        .single_value();
    // The keys are int4; PostgreSQL stores their bits as oids, which `as u32` reproduces.
    let (class, purpose) = (LOCK_CLASS as u32, LOCK_MIGRATIONS as u32);
    pg_locks::table
        .left_join(pg_stat_activity::table.on(pg_stat_activity::pid.nullable().eq(pg_locks::pid)))
        .filter(pg_locks::locktype.eq("advisory"))
        .filter(pg_locks::granted)
        .filter(pg_locks::database.eq(this_database))
        .filter(pg_locks::classid.eq(class))
        .filter(pg_locks::objid.eq(purpose))
        .filter(pg_locks::objsubid.eq(TWO_INT_KEY))
        .select((
            pg_locks::pid.assume_not_null(),
            pg_stat_activity::application_name.nullable(),
            pg_stat_activity::backend_start.nullable(),
            host(pg_stat_activity::client_addr.nullable()),
        ))
        .first(conn)
        .await
        .optional()
}

/// Takes the session-level migration lock, waiting at most `timeout` and logging who holds
/// it every few seconds.
pub(super) async fn acquire(
    conn: &mut AsyncPgConnection,
    timeout: Duration,
) -> Result<(), MigrationError> {
    let started = Instant::now();
    let mut last_report: Option<Instant> = None;
    loop {
        let locked: bool = diesel::select(pg_try_advisory_lock(LOCK_CLASS, LOCK_MIGRATIONS))
            .get_result(conn)
            .await?;
        if locked {
            tracing::info!(
                waited_ms = started.elapsed().as_millis() as u64,
                "took the migration lock"
            );
            return Ok(());
        }
        let holder = lock_holder(conn)
            .await?
            .map_or_else(|| "another session".to_owned(), |h| h.to_string());
        if started.elapsed() >= timeout {
            return Err(MigrationError::LockTimeout {
                waited_secs: started.elapsed().as_secs(),
                holder,
            });
        }
        if last_report.is_none_or(|t| t.elapsed() >= Duration::from_secs(5)) {
            tracing::info!(%holder, "waiting for the migration lock");
            last_report = Some(Instant::now());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Releases the lock; a failure is only logged, since closing the session (which follows)
/// releases a session-level lock anyway.
pub(super) async fn release(conn: &mut AsyncPgConnection) {
    let released = diesel::select(pg_advisory_unlock(LOCK_CLASS, LOCK_MIGRATIONS))
        .get_result::<bool>(conn)
        .await;
    if let Err(e) = released {
        tracing::warn!(error = %e, "could not release the migration lock explicitly");
    }
}
