//! Financial tracking: product cost fields, budgets and their variance against actual costs,
//! the monthly cost aggregate (`cost_tracking`) with its EOQ figures, and a product's EOQ.
//!
//! Formulas, inputs and rounding rules are written out in `docs/financial.md`; the SQL that
//! implements them is in [`queries`].
//!
//! Environment: `BUDGET_TOLERANCE_PERCENT` (default 5, via [`crate::config::Config`]): a budget
//! whose variance is within ± that percent is `on_track`.

pub mod handlers;
pub mod queries;
pub mod types;

use anyhow::Context;
use bigdecimal::BigDecimal;
use chrono::Utc;
use diesel_async::AsyncPgConnection;

use crate::http::state::AppState;

/// ± percent within which a budget's variance counts as `on_track`.
pub fn tolerance(state: &AppState) -> BigDecimal {
    state.config.budget_tolerance_percent.clone()
}

/// (Re)computes `period`'s (`YYYY-MM`) cost rows for every product of every client, with the
/// statement `POST /cost-tracking/aggregate` runs for one client, so the two never disagree.
/// One statement, so one transaction: a failure leaves the previous rows as they were.
/// Returns (clients, rows) written. `fulfillment-ops jobs aggregate-costs` runs it (through
/// `ops::jobs`).
pub async fn aggregate_all_clients(
    conn: &mut AsyncPgConnection,
    period: &str,
) -> anyhow::Result<(u64, u64)> {
    let month = types::parse_period(period, Utc::now().date_naive())
        .map_err(|message| anyhow::anyhow!("--period {period}: {message}"))?;
    let counts = queries::aggregate_month(conn, month, None)
        .await
        .with_context(|| format!("aggregating the costs of {period}"))?;
    Ok((
        u64::try_from(counts.clients).unwrap_or_default(),
        u64::try_from(counts.rows).unwrap_or_default(),
    ))
}
