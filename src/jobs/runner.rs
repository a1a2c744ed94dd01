//! One run of one job, once per cluster.
//!
//! On a connection of its own (outside the pool, no statement timeout): take the job's
//! session advisory lock without waiting (another replica holding it is running the job);
//! close as `abandoned` any run left `running` (its replica died: the lock is free only
//! because that connection is gone); read, under the lock, whether the job is due (its last
//! counted start plus its interval, by the database's clock) — a replica that lost the race
//! by a moment finds the run just recorded and does nothing; record the run, run the body,
//! record the outcome; unlock. The connection closes with the run, so a replica killed at
//! any point leaves the lock free — also in the middle of a statement, because the
//! connection asks PostgreSQL to notice a vanished client (see
//! [`watch_for_a_vanished_client`]).

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};

use super::{
    JobName,
    bodies::{self, Done},
    config::JobContext,
    ledger::{self, JobRun},
};
use crate::{config::DatabaseConfig, db::pool};

/// Whether the due check applies: the scheduler runs due jobs; `jobs run NAME` runs now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    IfDue,
    Now,
}

#[derive(Debug)]
pub enum Ran {
    /// The run, as recorded.
    Ran(JobRun),
    /// Another replica holds the job's lock (it is running it).
    Busy,
    /// Not due yet (another replica ran it this interval).
    NotDue(DateTime<Utc>),
}

pub async fn run(
    job: JobName,
    when: When,
    interval: Duration,
    db: &DatabaseConfig,
    ctx: &JobContext,
) -> anyhow::Result<Ran> {
    let name = pool::application_name(&db.instance_id, &format!("job-{job}"));
    let mut conn = pool::connect(db.url.expose(), db.connect_timeout, &name)
        .await
        .context("connecting to the database")?;
    watch_for_a_vanished_client(&mut conn).await;
    if !ledger::try_lock(&mut conn, job).await? {
        return Ok(Ran::Busy);
    }
    let ran = locked(&mut conn, job, when, interval, &db.instance_id, ctx).await;
    // Dropping the connection would release the lock too; unlocking says so sooner.
    let _ = ledger::unlock(&mut conn, job).await;
    ran
}

/// How often PostgreSQL checks, during a statement, that the job's process is still there.
const CLIENT_CHECK: &str = "1s";

/// Without this, a replica killed while its job's statement runs (or waits for a row lock)
/// leaves a backend that finishes the statement, commits it and holds the job's advisory lock
/// meanwhile, although no one will record the run: PostgreSQL notices a vanished client only
/// when it next writes to it. `client_connection_check_interval` (PostgreSQL 14+) makes it poll
/// the socket and end the session, rolling the work back and freeing the lock, within about a
/// second. On an older server the setting is unknown: the job still runs, as before.
async fn watch_for_a_vanished_client(conn: &mut diesel_async::AsyncPgConnection) {
    use diesel_async::SimpleAsyncConnection;
    let set = format!("SET client_connection_check_interval = '{CLIENT_CHECK}'");
    if let Err(e) = conn.batch_execute(&set).await {
        tracing::warn!(error = %e, "this PostgreSQL cannot check for a vanished client (before 14?)");
    }
}

async fn locked(
    conn: &mut diesel_async::AsyncPgConnection,
    job: JobName,
    when: When,
    interval: Duration,
    instance: &str,
    ctx: &JobContext,
) -> anyhow::Result<Ran> {
    let abandoned = ledger::abandon_unfinished(conn, job).await?;
    if abandoned > 0 {
        tracing::warn!(%job, abandoned, "closed runs a stopped replica left unfinished");
    }
    let due = ledger::due(conn, job).await?;
    if when == When::IfDue && !due.is_due(interval) {
        return Ok(Ran::NotDue(due.next_due(interval)));
    }
    let id = ledger::start(conn, job, instance).await?;
    tracing::info!(%job, run = id, "job started");
    let (outcome, rows, error) = match bodies::run(job, conn, ctx).await {
        Ok(Done::Rows(n)) => ("succeeded", Some(n), None),
        Ok(Done::Skipped(why)) => ("skipped", None, Some(why)),
        Err(e) => ("failed", None, Some(format!("{e:#}"))),
    };
    let run = ledger::finish(conn, id, outcome, rows, error.as_deref()).await?;
    tracing::info!(%job, run = id, outcome, rows, error, "job finished");
    Ok(Ran::Ran(run))
}
