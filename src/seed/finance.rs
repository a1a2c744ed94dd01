//! The demo world's money screens: every month of the history aggregated into
//! `cost_tracking` (the job's own statement, month by month), then budgets set from those
//! actuals (`sql/insert/budgets.sql`), so costs, variance and EOQ trends have data right after
//! `seed-demo` instead of waiting for someone to run the aggregation and create budgets.

use anyhow::Context;
use tokio_postgres::Transaction;

use super::sql;

/// What [`insert_costs_and_budgets`] wrote.
pub(super) struct FinanceCounts {
    /// Months aggregated (the history's months, the current one included).
    pub months: i64,
    pub cost_rows: i64,
    pub budgets: i64,
}

/// Aggregates each month from the history's first to the current one for every client, then
/// inserts the budgets. The aggregation is PREPAREd so it runs over the simple protocol with
/// literal arguments, as the seed's lead-time step does.
pub(super) async fn insert_costs_and_budgets(
    tx: &Transaction<'_>,
) -> anyhow::Result<FinanceCounts> {
    let prepare = format!(
        "PREPARE seed_aggregate(date, uuid) AS {}",
        crate::financial::cost_tracking::queries::AGGREGATE_SQL
    );
    tx.batch_execute(&prepare)
        .await
        .context("preparing the cost aggregation")?;
    let months = tx
        .query(sql::HISTORY_MONTHS, &[])
        .await
        .context("listing the history's months")?;
    let mut cost_rows = 0;
    for month in &months {
        let month: String = month.try_get(0)?;
        let row = tx
            .query_one(&format!("EXECUTE seed_aggregate('{month}', NULL)"), &[])
            .await
            .with_context(|| format!("aggregating the costs of {month}"))?;
        cost_rows += row.try_get::<_, i64>("rows")?;
    }
    tx.batch_execute("DEALLOCATE seed_aggregate").await?;
    let budgets = tx
        .execute(sql::INSERT_BUDGETS, &[])
        .await
        .context("inserting the demo budgets")?;
    Ok(FinanceCounts {
        months: months.len() as i64,
        cost_rows,
        budgets: budgets as i64,
    })
}
