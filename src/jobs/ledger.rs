//! Every statement about `job_runs` and the jobs' advisory locks.

use chrono::{DateTime, Utc};
use diesel::{
    prelude::*,
    sql_types::{Bool, Nullable, Text, Timestamptz},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;

use super::JobName;
use crate::db::schema::job_runs;

/// One run as the ledger keeps it.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = job_runs)]
pub struct JobRun {
    pub id: i64,
    pub job: String,
    pub started_at: DateTime<Utc>,
    /// Null while it runs.
    pub finished_at: Option<DateTime<Utc>>,
    /// Rows the run wrote (or deleted).
    pub rows: Option<i64>,
    /// `running`, `succeeded`, `failed`, `skipped` (nothing to do on this build) or
    /// `abandoned` (its replica stopped before it finished; it wrote nothing).
    pub outcome: String,
    pub error: Option<String>,
    /// The replica that ran it (`INSTANCE_ID`).
    pub instance: String,
}

/// The job's lock key: `pg_*advisory_lock(bigint)` of its name.
const KEY: &str = "hashtextextended('fulfillment-ops job ' || $1, 0)";

#[derive(QueryableByName)]
struct Won {
    #[diesel(sql_type = Bool)]
    won: bool,
}

/// Tries the job's session lock on this (dedicated) connection; never waits.
pub async fn try_lock(conn: &mut AsyncPgConnection, job: JobName) -> QueryResult<bool> {
    let w: Won = diesel::sql_query(format!("SELECT pg_try_advisory_lock({KEY}) AS won"))
        .bind::<Text, _>(job.as_str())
        .get_result(conn)
        .await?;
    Ok(w.won)
}

pub async fn unlock(conn: &mut AsyncPgConnection, job: JobName) -> QueryResult<()> {
    diesel::sql_query(format!("SELECT pg_advisory_unlock({KEY})"))
        .bind::<Text, _>(job.as_str())
        .execute(conn)
        .await
        .map(drop)
}

/// Under the lock, a run still `running` belongs to a replica that died (its lock went with
/// its connection): it is closed as `abandoned`.
pub async fn abandon_unfinished(conn: &mut AsyncPgConnection, job: JobName) -> QueryResult<usize> {
    diesel::update(
        job_runs::table
            .filter(job_runs::job.eq(job.as_str()))
            .filter(job_runs::finished_at.is_null()),
    )
    .set((
        job_runs::outcome.eq("abandoned"),
        job_runs::finished_at.eq(diesel::dsl::now),
        job_runs::error
            .eq("its replica stopped before the run finished; nothing it did was committed"),
    ))
    .execute(conn)
    .await
}

#[derive(QueryableByName)]
pub struct Due {
    /// The start of the newest run that counts (finished, not abandoned).
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_started: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    pub now: DateTime<Utc>,
}

impl Due {
    pub fn next_due(&self, interval: std::time::Duration) -> DateTime<Utc> {
        let interval = chrono::Duration::from_std(interval).unwrap_or(chrono::Duration::MAX);
        self.last_started
            .and_then(|t| t.checked_add_signed(interval))
            .unwrap_or(self.now)
            .min(DateTime::<Utc>::MAX_UTC)
    }

    pub fn is_due(&self, interval: std::time::Duration) -> bool {
        self.next_due(interval) <= self.now
    }
}

/// The newest counted start of the job and the database's clock (one clock for every
/// replica).
pub async fn due(conn: &mut AsyncPgConnection, job: JobName) -> QueryResult<Due> {
    diesel::sql_query(
        "SELECT (SELECT max(started_at) FROM job_runs \
                 WHERE job = $1 AND outcome IN ('succeeded', 'failed', 'skipped')) AS last_started, \
                now() AS now",
    )
    .bind::<Text, _>(job.as_str())
    .get_result(conn)
    .await
}

pub async fn start(conn: &mut AsyncPgConnection, job: JobName, instance: &str) -> QueryResult<i64> {
    diesel::insert_into(job_runs::table)
        .values((
            job_runs::job.eq(job.as_str()),
            job_runs::instance.eq(instance),
        ))
        .returning(job_runs::id)
        .get_result(conn)
        .await
}

pub async fn finish(
    conn: &mut AsyncPgConnection,
    id: i64,
    outcome: &str,
    rows: Option<i64>,
    error: Option<&str>,
) -> QueryResult<JobRun> {
    diesel::update(job_runs::table.find(id))
        .set((
            job_runs::outcome.eq(outcome),
            job_runs::finished_at.eq(diesel::dsl::now),
            job_runs::rows.eq(rows),
            job_runs::error.eq(error),
        ))
        .returning(JobRun::as_returning())
        .get_result(conn)
        .await
}

/// The job's newest runs, newest first.
pub async fn recent(
    conn: &mut AsyncPgConnection,
    job: JobName,
    limit: i64,
) -> QueryResult<Vec<JobRun>> {
    job_runs::table
        .filter(job_runs::job.eq(job.as_str()))
        .order((job_runs::started_at.desc(), job_runs::id.desc()))
        .limit(limit)
        .select(JobRun::as_select())
        .load(conn)
        .await
}
