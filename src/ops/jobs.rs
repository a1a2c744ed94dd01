//! `fulfillment-ops jobs …`: scheduled work run from the command line (cron, a Kubernetes
//! CronJob) rather than from a request.
//!
//! `jobs aggregate-costs --period YYYY-MM` (re)computes the month's `cost_tracking` rows of
//! every client with the same statement `POST /cost-tracking/aggregate` runs for one client;
//! it is idempotent and may overlap with requests or another run (see
//! [`crate::financial::queries::aggregate_month`]). Reads `DATABASE_URL` and the other
//! `DATABASE_*` variables through [`DatabaseConfig`].

use anyhow::Context;

use crate::{config::DatabaseConfig, db::pool};

/// The job itself lives with the feature (its SQL is the feature's); this is its CLI entry.
pub use crate::financial::aggregate_all_clients;

/// [`aggregate_all_clients`] on a connection of its own, for `jobs aggregate-costs`.
pub async fn aggregate_costs(cfg: &DatabaseConfig, period: &str) -> anyhow::Result<(u64, u64)> {
    let name = pool::application_name(&cfg.instance_id, "aggregate-costs");
    let mut conn = pool::connect(cfg.url.expose(), cfg.connect_timeout, &name)
        .await
        .context("connecting to the database")?;
    aggregate_all_clients(&mut conn, period).await
}
