//! What each job does: the feature's own set-based statement, the same one its API route or
//! CLI command runs, on the job's connection. Each body is idempotent and atomic (one
//! transaction), so a run cut short by a dying replica wrote nothing and may simply run again.

use chrono::{Datelike, Months, NaiveDate, Utc};
use diesel::sql_query;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{JobName, config::JobContext};
use crate::{
    activity, benchmarking, financial::cost_tracking::queries::aggregate_month, lead_times,
    shipments,
};

/// How a body ended.
pub enum Done {
    /// Rows written (or deleted).
    Rows(i64),
    /// Nothing to do on this build (the reason is stored as the run's `error`).
    Skipped(String),
}

pub async fn run(
    job: JobName,
    conn: &mut AsyncPgConnection,
    ctx: &JobContext,
) -> anyhow::Result<Done> {
    let today = Utc::now().date_naive();
    Ok(match job {
        JobName::AggregateCosts => {
            // The month closing (the previous one, final once it ended) and the running one.
            let this_month = first_of_month(today);
            let closing = this_month - Months::new(1);
            let mut rows = 0;
            for period in [closing, this_month] {
                rows += aggregate_month(conn, period, None, &ctx.tolerance)
                    .await?
                    .rows;
            }
            Done::Rows(rows)
        }
        JobName::RecalculateLeadTimes => {
            let c = lead_times::queries::recalculate(
                conn,
                today,
                ctx.lead_time_window_days,
                None,
                None,
            )
            .await?;
            Done::Rows(c.products)
        }
        JobName::BenchmarkSnapshots => {
            // The month that closed: its history is complete, so its snapshot is final.
            let period = first_of_month(today) - Months::new(1);
            let share = benchmarking::dominance_share(&ctx.benchmark_dominance_percent);
            let run = benchmarking::queries::compute_snapshots(conn, period, &share).await?;
            Done::Rows(run.cohorts)
        }
        JobName::RefreshDelays => Done::Rows(shipments::delays::refresh_delays(conn).await? as i64),
        JobName::PruneActivity => {
            let events = activity::queries::prune(conn, ctx.retention).await?;
            let runs =
                sql_query("DELETE FROM job_runs WHERE started_at < now() - interval '90 days'")
                    .execute(conn)
                    .await?;
            Done::Rows((events + runs) as i64)
        }
    })
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}
