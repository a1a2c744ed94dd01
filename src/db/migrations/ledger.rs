//! The bookkeeping tables: Diesel's `__diesel_schema_migrations` (read here, written only by
//! Diesel's harness) and our `__migration_ledger` beside it.
//!
//! Diesel records only a version and a time for each applied migration. The ledger records
//! every attempt: the checksum applied, which instance, start and finish, duration, and the
//! error of a failed attempt. Both are declared here rather than in the generated
//! `db/schema.rs` (diesel.toml keeps `diesel print-schema` off the ledger, and Diesel leaves
//! its own table out).
//!
//! Reading never creates anything: a table that does not exist yet means "nothing recorded".

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use diesel::{
    QueryResult,
    prelude::*,
    sql_types::{Text, Timestamp},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use super::catalog::KnownMigration;

diesel::table! {
    /// Diesel's record of applied migrations (created by `CREATE_MIGRATIONS_TABLE`).
    #[sql_name = "__diesel_schema_migrations"]
    diesel_schema_migrations (version) {
        version -> VarChar,
        /// `CURRENT_TIMESTAMP` stored without a zone, i.e. in the writing session's TimeZone.
        run_on -> Timestamp,
    }
}

diesel::table! {
    /// One row per attempt to apply or revert a migration; see `LEDGER_DDL`.
    #[sql_name = "__migration_ledger"]
    migration_ledger (id) {
        id -> BigInt,
        version -> VarChar,
        name -> Text,
        action -> Text,
        checksum -> Nullable<Text>,
        instance_id -> Text,
        started_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        duration_ms -> Nullable<BigInt>,
        success -> Nullable<Bool>,
        error -> Nullable<Text>,
    }
}

const LEDGER_DDL: &str = r#"
CREATE TABLE IF NOT EXISTS __migration_ledger (
    id           BIGSERIAL PRIMARY KEY,
    version      VARCHAR(50) NOT NULL,
    name         TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('apply', 'revert')),
    checksum     TEXT,
    instance_id  TEXT NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    finished_at  TIMESTAMPTZ,
    duration_ms  BIGINT,
    success      BOOLEAN,
    error        TEXT
);
CREATE INDEX IF NOT EXISTS __migration_ledger_version_id_idx ON __migration_ledger (version, id);
COMMENT ON TABLE __migration_ledger IS
  'fulfillment-ops: every attempt to apply or revert a migration (checksum, instance, timing, error). Diesel''s own record is __diesel_schema_migrations.';
"#;

/// PostgreSQL's `regclass`; only ever tested for NULL here, never read into Rust.
#[derive(diesel::sql_types::SqlType, diesel::query_builder::QueryId)]
#[diesel(postgres_type(name = "regclass"))]
pub struct Regclass;

diesel::define_sql_function! {
    /// The table of that name, or NULL when it does not exist (never an error).
    fn to_regclass(name: Text) -> Nullable<Regclass>;
}

diesel::define_sql_function! {
    /// PostgreSQL's `timestamp -> timestamptz` cast in function form: it reads the wall-clock
    /// time in the session's TimeZone, as it was written (`.cast()` knows no `timestamptz`).
    fn timestamptz(wall_clock: Timestamp) -> Timestamptz;
}

diesel::define_sql_function! {
    /// The time now, not the transaction's start (`diesel::dsl::now`).
    fn clock_timestamp() -> Timestamptz;
}

/// What a ledger row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    Apply,
    Revert,
}

impl Action {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Apply => "apply",
            Self::Revert => "revert",
        }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = migration_ledger, check_for_backend(diesel::pg::Pg))]
pub(super) struct LedgerRow {
    pub version: String,
    pub name: String,
    pub action: String,
    pub checksum: Option<String>,
    pub instance_id: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
    pub success: Option<bool>,
    pub error: Option<String>,
}

/// Which of the two bookkeeping tables exist.
pub(super) struct TablesPresent {
    pub diesel_table: bool,
    pub ledger_table: bool,
}

pub(super) async fn tables_present(conn: &mut AsyncPgConnection) -> QueryResult<TablesPresent> {
    let (diesel_table, ledger_table) = diesel::select((
        to_regclass("__diesel_schema_migrations").is_not_null(),
        to_regclass("__migration_ledger").is_not_null(),
    ))
    .get_result(conn)
    .await?;
    Ok(TablesPresent {
        diesel_table,
        ledger_table,
    })
}

/// Applied versions and when, or none when Diesel's table does not exist yet.
pub(super) async fn applied_versions(
    conn: &mut AsyncPgConnection,
) -> QueryResult<BTreeMap<String, DateTime<Utc>>> {
    if !tables_present(conn).await?.diesel_table {
        return Ok(BTreeMap::new());
    }
    read_applied(conn).await
}

/// Diesel's record of applied versions; the caller has checked that the table exists.
pub(super) async fn read_applied(
    conn: &mut AsyncPgConnection,
) -> QueryResult<BTreeMap<String, DateTime<Utc>>> {
    use diesel_schema_migrations::{run_on, table, version};
    let rows: Vec<(String, DateTime<Utc>)> = table
        .select((version, timestamptz(run_on)))
        .load(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Which ledger rows [`latest_per_version`] considers.
#[derive(Debug, Clone, Copy)]
pub(super) enum Attempts {
    /// Every attempt, whatever its action or outcome.
    Any,
    /// Successful applies only.
    SuccessfulApplies,
}

/// The newest ledger row of each version among `attempts`; the caller has checked that the
/// ledger exists.
pub(super) async fn latest_per_version(
    conn: &mut AsyncPgConnection,
    attempts: Attempts,
) -> QueryResult<HashMap<String, LedgerRow>> {
    use migration_ledger::{action, id, success, table, version};
    let mut query = table
        .distinct_on(version)
        .order_by((version, id.desc()))
        .select(LedgerRow::as_select())
        .into_boxed();
    if let Attempts::SuccessfulApplies = attempts {
        query = query
            .filter(action.eq(Action::Apply.as_str()))
            .filter(success.eq(true));
    }
    let rows = query.load(conn).await?;
    Ok(rows.into_iter().map(|r| (r.version.clone(), r)).collect())
}

/// Creates Diesel's table and the ledger; only ever called with the migration lock held.
pub(super) async fn prepare_tables(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    conn.batch_execute(diesel::migration::CREATE_MIGRATIONS_TABLE)
        .await?;
    conn.batch_execute(LEDGER_DDL).await
}

/// Records the start of an attempt; returns the ledger row's id for [`finish_attempt`].
pub(super) async fn start_attempt(
    conn: &mut AsyncPgConnection,
    migration: &KnownMigration,
    attempt: Action,
    instance: &str,
) -> QueryResult<i64> {
    use migration_ledger::{action, checksum, id, instance_id, name, table, version};
    diesel::insert_into(table)
        .values((
            version.eq(&migration.version),
            name.eq(&migration.name),
            action.eq(attempt.as_str()),
            checksum.eq(&migration.checksum),
            instance_id.eq(instance),
        ))
        .returning(id)
        .get_result(conn)
        .await
}

/// Records how an attempt ended: `failure` is the error of a failed one.
pub(super) async fn finish_attempt(
    conn: &mut AsyncPgConnection,
    attempt_id: i64,
    elapsed_ms: i64,
    failure: Option<&str>,
) -> QueryResult<()> {
    use migration_ledger::{duration_ms, error, finished_at, success, table};
    diesel::update(table.find(attempt_id))
        .set((
            finished_at.eq(clock_timestamp().nullable()),
            duration_ms.eq(elapsed_ms),
            success.eq(failure.is_none()),
            error.eq(failure),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
