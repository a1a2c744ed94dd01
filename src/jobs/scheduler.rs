//! The scheduler `serve` runs (unless `SCHEDULER=off`): every `SCHEDULER_TICK` it reads each
//! job's due time from the ledger (a pooled connection, a cheap indexed read) and runs the due
//! ones through [`runner::run`], one after the other. Every replica runs this loop; the lock
//! and the due check under it make each interval run once. At shutdown it stops starting
//! jobs; a run in progress ends with the process, its lock with its connection.

use std::sync::Arc;

use tokio::sync::watch;

use super::{
    JobName,
    config::{JobContext, JobsConfig},
    ledger,
    runner::{self, When},
};
use crate::{config::Config, db::DbPool};

pub fn spawn(
    config: Arc<Config>,
    jobs: JobsConfig,
    pool: DbPool,
    mut closing: watch::Receiver<bool>,
) {
    let ctx = JobContext::of(&config);
    tokio::spawn(async move {
        tracing::info!(tick_secs = jobs.tick.as_secs(), "scheduler started");
        loop {
            tick(&config, &jobs, &pool, &ctx).await;
            tokio::select! {
                () = tokio::time::sleep(jobs.tick) => {}
                _ = closing.wait_for(|c| *c) => return,
            }
        }
    });
}

/// One pass over every job: runs the due ones. Public for tests (two replicas' passes).
pub async fn tick(config: &Config, jobs: &JobsConfig, pool: &DbPool, ctx: &JobContext) {
    for job in JobName::ALL {
        let interval = jobs.interval(job);
        let due = match pool.get().await {
            Ok(mut conn) => ledger::due(&mut conn, job).await,
            Err(e) => {
                tracing::warn!(error = %e, "scheduler: no database connection");
                return;
            }
        };
        match due {
            Ok(d) if d.is_due(interval) => {}
            Ok(_) => continue,
            Err(e) => {
                tracing::warn!(%job, error = %e, "scheduler: cannot read the ledger");
                continue;
            }
        }
        if let Err(e) = runner::run(job, When::IfDue, interval, &config.database, ctx).await {
            tracing::warn!(%job, error = format!("{e:#}"), "scheduler: job not run");
        }
    }
}
