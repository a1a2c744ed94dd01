//! Privacy-preserving benchmarking (issue 12): a client compares itself with its peers and no
//! one learns anything about one peer.
//!
//! - `GET/PUT /api/v1/clients/{client_id}/benchmark/participation`: opt in or out, with an
//!   industry and a size band that make the cohort (`participation.sql`);
//! - `GET /api/v1/clients/{client_id}/benchmark?period=YYYY-MM`: the client's own five
//!   metrics (`metrics.sql`, its own rows only) and, while it participates and its cohort's
//!   snapshot exists, the frozen percentiles and its position ([`view`]);
//! - `POST /api/v1/admin/benchmarks/snapshots` and `fulfillment-ops jobs benchmark-snapshots`:
//!   every cohort's snapshot of a month (`snapshot.sql`), the privacy rules enforced there;
//! - `GET /api/v1/benchmarks/snapshots?cohort=&period=`: the aggregates (staff: all; a
//!   participating client user: its own cohort's).
//!
//! Rules, formulas and band edges: `docs/benchmarking.md`. Environment:
//! `BENCHMARK_DOMINANCE_PERCENT` (default 50, via [`crate::config`]).

pub mod handlers;
pub mod participation;
pub mod queries;
pub mod types;
pub mod view;

use anyhow::Context;
use bigdecimal::BigDecimal;
use chrono::Utc;
use diesel_async::AsyncPgConnection;

use crate::financial::cost_tracking::types::parse_period;

/// The dominance rule as the share the SQL compares with (`50` % → `0.5`).
pub fn dominance_share(percent: &BigDecimal) -> BigDecimal {
    percent / BigDecimal::from(100)
}

/// `jobs benchmark-snapshots --period YYYY-MM`: the statement the admin route runs.
pub async fn snapshots_job(
    conn: &mut AsyncPgConnection,
    period: &str,
    dominance_percent: &BigDecimal,
) -> anyhow::Result<types::SnapshotRun> {
    let month = parse_period(period, Utc::now().date_naive())
        .map_err(|message| anyhow::anyhow!("--period {period}: {message}"))?;
    queries::compute_snapshots(conn, month, &dominance_share(dominance_percent))
        .await
        .with_context(|| format!("computing the benchmark snapshots of {period}"))
}
