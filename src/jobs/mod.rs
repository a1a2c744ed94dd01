//! Scheduled jobs that run once per cluster (issue 14): the scheduler `serve` runs
//! (`SCHEDULER=on|off`), `fulfillment-ops jobs run NAME`, the `job_runs` ledger and
//! `GET /admin/jobs`.
//!
//! - [`runner`]: one run of one job under its PostgreSQL advisory lock, on a dedicated
//!   connection (a replica that dies mid-job releases the lock with its connection), with
//!   the due check read under the lock, so with N replicas each interval runs once;
//! - [`scheduler`]: the loop in `serve`;
//! - [`bodies`]: what each job does (each feature's own statement);
//! - [`ledger`]: the `job_runs` statements;
//! - [`handlers`]: `GET /admin/jobs`.
//!
//! Environment (via [`config::JobsConfig`]): `SCHEDULER`, `SCHEDULER_TICK`, `JOB_INTERVAL_*`.
//! Rules: `docs/jobs.md`.

pub mod bodies;
pub mod config;
pub mod handlers;
pub mod ledger;
pub mod runner;
pub mod scheduler;

use crate::text_enum;

text_enum! {
    /// A scheduled job.
    pub enum JobName {
        /// The month closing and the running month's cost_tracking rows, every client.
        AggregateCosts,
        /// Every client's stockout and order-by dates (nightly).
        RecalculateLeadTimes,
        /// Every cohort's benchmark snapshot of the month closed (monthly).
        BenchmarkSnapshots,
        /// `shipment.delayed` for estimates that passed without an event.
        RefreshDelays,
        /// Outbox rows older than ACTIVITY_RETENTION, ledger rows older than 90 days.
        PruneActivity,
    }
}

impl JobName {
    pub const ALL: [JobName; 5] = [
        Self::AggregateCosts,
        Self::RecalculateLeadTimes,
        Self::BenchmarkSnapshots,
        Self::RefreshDelays,
        Self::PruneActivity,
    ];
}
