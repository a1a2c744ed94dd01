//! Monthly cost tracking: one `cost_tracking` row per (client, product, month) with the
//! month's demand, holding and ordering costs and its EOQ figures.
//! `POST …/cost-tracking/aggregate` (re)computes a month for one client, the CLI job
//! (`fulfillment-ops jobs aggregate-costs`, through `ops::jobs`) for every client, with the
//! same statement; `GET …/cost-tracking` lists the rows.

pub mod handlers;
pub mod queries;
pub mod types;

use anyhow::Context;
use chrono::Utc;
use diesel::result::Error as DieselError;
use diesel_async::AsyncPgConnection;

use crate::http::error::ApiError;

/// Why an aggregation run wrote nothing; [`ApiError`] maps it to HTTP.
#[derive(Debug, thiserror::Error)]
pub enum AggregateError {
    /// A figure of the month no longer fits its column (NUMERIC(14,2), INTEGER): that comes
    /// from the products' data, not from a fault, so it is the caller's 422, not a 500.
    #[error(
        "a figure of this month exceeds what cost_tracking can store; check the products' \
         costs and quantities"
    )]
    TooLarge,
    #[error(transparent)]
    Database(DieselError),
}

impl From<DieselError> for AggregateError {
    fn from(e: DieselError) -> Self {
        Self::Database(e)
    }
}

impl From<AggregateError> for ApiError {
    fn from(e: AggregateError) -> Self {
        match e {
            AggregateError::TooLarge => ApiError::invalid("period", e.to_string()),
            AggregateError::Database(db) => db.into(),
        }
    }
}

/// (Re)computes `period`'s (`YYYY-MM`) cost rows for every product of every client, with the
/// statement `POST /cost-tracking/aggregate` runs for one client, so the two never disagree.
/// One statement, so one transaction: a failure leaves the previous rows as they were.
/// Returns (clients, rows) written. `fulfillment-ops jobs aggregate-costs` runs it (through
/// `ops::jobs`).
pub async fn aggregate_all_clients(
    conn: &mut AsyncPgConnection,
    period: &str,
    tolerance: &bigdecimal::BigDecimal,
) -> anyhow::Result<(u64, u64)> {
    let month = types::parse_period(period, Utc::now().date_naive())
        .map_err(|message| anyhow::anyhow!("--period {period}: {message}"))?;
    let counts = queries::aggregate_month(conn, month, None, tolerance)
        .await
        .with_context(|| format!("aggregating the costs of {period}"))?;
    Ok((
        u64::try_from(counts.clients).unwrap_or_default(),
        u64::try_from(counts.rows).unwrap_or_default(),
    ))
}
