//! `fulfillment-ops jobs …`: scheduled work run from the command line (cron, a Kubernetes
//! CronJob) rather than from a request.
//!
//! `jobs aggregate-costs --period YYYY-MM` (re)computes the month's `cost_tracking` rows of
//! every client with the same statement `POST /cost-tracking/aggregate` runs for one client;
//! it is idempotent and may overlap with requests or another run (see
//! [`crate::financial::cost_tracking::queries::aggregate_month`]). Reads `DATABASE_URL` and the other
//! `DATABASE_*` variables through [`DatabaseConfig`].

use std::process::ExitCode;

use anyhow::Context;

use crate::{config::DatabaseConfig, db::pool};

/// The job itself lives with the feature (its SQL is the feature's); this is its CLI entry.
pub use crate::financial::aggregate_all_clients;

/// `jobs aggregate-costs --period YYYY-MM`: [`aggregate_all_clients`] on a connection of its
/// own; says how many product months of how many clients it wrote.
pub async fn aggregate_costs(period: &str) -> anyhow::Result<ExitCode> {
    let cfg = DatabaseConfig::from_env()?;
    let name = pool::application_name(&cfg.instance_id, "aggregate-costs");
    let mut conn = pool::connect(cfg.url.expose(), cfg.connect_timeout, &name)
        .await
        .context("connecting to the database")?;
    let (clients, rows) = aggregate_all_clients(&mut conn, period).await?;
    println!("aggregated {period}: {rows} product months of {clients} clients");
    Ok(ExitCode::SUCCESS)
}
