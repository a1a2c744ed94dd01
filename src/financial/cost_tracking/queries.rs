//! The SQL of monthly cost tracking: the aggregation (one set-based statement, in NUMERIC: no
//! money passes through a float, and each stored figure is rounded to cents once) and the
//! list of its rows.

use bigdecimal::BigDecimal;
use chrono::{NaiveDate, Utc};
use diesel::{
    prelude::*,
    result::{DatabaseErrorKind, Error as DieselError},
    sql_types::{Date, Nullable},
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{
    AggregateError,
    types::{AggregationCounts, CostTracking, CostTrackingFilter, CostTrackingKey, format_period},
};
use crate::{
    activity::{self, Activity},
    db::{query::FilterSome, schema::cost_tracking},
    financial::variance::crossings,
    http::pagination::PageRequest,
    keyset_page,
};

/// (Re)computes one `cost_tracking` row per product for the month starting `period`, of one
/// client or of every client, in one statement (so a run is atomic; the upsert makes it
/// idempotent). What it computes, and why it is shaped so, is written at the top of the file.
pub const AGGREGATE_SQL: &str = include_str!("aggregate_month.sql");

/// Runs [`AGGREGATE_SQL`] for one client, or for all when `client_id` is `None`, and records
/// the live-update events of the run in the same transaction: one `cost_tracking.aggregated`
/// per client, and the budgets the new actuals moved into `over` or projected `over`
/// ([`crossings`]: statuses read before the write, compared after, with `tolerance`).
/// Runs of one month queue on a transaction lock, so a crossing is announced once.
pub async fn aggregate_month(
    conn: &mut AsyncPgConnection,
    period: NaiveDate,
    client_id: Option<Uuid>,
    tolerance: &BigDecimal,
) -> Result<AggregationCounts, AggregateError> {
    conn.transaction::<_, AggregateError, _>(async |conn| {
        diesel::sql_query(
            "SELECT pg_advisory_xact_lock(hashtextextended('cost_tracking ' || $1::text, 0))",
        )
        .bind::<Date, _>(period)
        .execute(conn)
        .await?;
        let window = crossings::Window {
            client_id,
            from: period,
            to: month_end(period),
            as_of: Utc::now().date_naive(),
            tolerance,
        };
        let before = crossings::statuses(conn, &window).await?;
        let counts: AggregationCounts = diesel::sql_query(AGGREGATE_SQL)
            .bind::<Date, _>(period)
            .bind::<Nullable<diesel::sql_types::Uuid>, _>(client_id)
            .get_result(conn)
            .await
            .map_err(out_of_range)?;
        let mut events: Vec<Activity> = per_client_rows(conn, period, client_id)
            .await?
            .into_iter()
            .map(|(client_id, products)| Activity::CostTrackingAggregated {
                client_id,
                period: format_period(period),
                products,
            })
            .collect();
        events.extend(crossings::crossings(conn, &window, &before).await?);
        activity::record_all(conn, &events).await?;
        Ok(counts)
    })
    .await
}

/// The month's last day.
fn month_end(period: NaiveDate) -> NaiveDate {
    period
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(period)
}

/// The month's rows per client, for the `cost_tracking.aggregated` events.
async fn per_client_rows(
    conn: &mut AsyncPgConnection,
    period: NaiveDate,
    client_id: Option<Uuid>,
) -> QueryResult<Vec<(Uuid, i64)>> {
    let mut q = cost_tracking::table
        .filter(cost_tracking::period.eq(period))
        .group_by(cost_tracking::client_id)
        .select((cost_tracking::client_id, diesel::dsl::count_star()))
        .order(cost_tracking::client_id)
        .into_boxed();
    if let Some(c) = client_id {
        q = q.filter(cost_tracking::client_id.eq(c));
    }
    q.load(conn).await
}

/// Costs so large that a figure no longer fits its column (NUMERIC(14,2), INTEGER) come from
/// the products' data, not from a fault.
fn out_of_range(e: DieselError) -> AggregateError {
    match &e {
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
            if info.message().contains("numeric field overflow")
                || info.message().contains("out of range") =>
        {
            AggregateError::TooLarge
        }
        _ => AggregateError::Database(e),
    }
}

/// Sort key of the cost-tracking list: `(period, product_id)`.
pub fn key(r: &CostTracking) -> CostTrackingKey {
    (r.period, r.product_id)
}

/// A client's monthly rows by `(period, product_id)`; a row is in `[from, to]` when its
/// period (the month's first day) is.
pub async fn list_cost_tracking(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    filter: &CostTrackingFilter,
    page: &PageRequest<CostTrackingKey>,
) -> QueryResult<Vec<CostTracking>> {
    let q = cost_tracking::table
        .filter(cost_tracking::client_id.eq(client_id))
        .select(CostTracking::as_select())
        .into_boxed()
        .filter_some(filter.from, |from| cost_tracking::period.ge(from))
        .filter_some(filter.to, |to| cost_tracking::period.le(to))
        .filter_some(filter.product_id, |id| cost_tracking::product_id.eq(id));
    keyset_page!(
        q,
        page,
        asc(cost_tracking::period, cost_tracking::product_id)
    )
    .load(conn)
    .await
}
