//! The SQL of monthly cost tracking: the aggregation (one set-based statement, in NUMERIC: no
//! money passes through a float, and each stored figure is rounded to cents once) and the
//! list of its rows.

use chrono::NaiveDate;
use diesel::{
    prelude::*,
    result::{DatabaseErrorKind, Error as DieselError},
    sql_types::{Date, Nullable},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{
    AggregateError,
    types::{AggregationCounts, CostTracking, CostTrackingFilter, CostTrackingKey},
};
use crate::{db::schema::cost_tracking, http::pagination::PageRequest, keyset_page};

/// (Re)computes one `cost_tracking` row per product for the month starting `period`, of one
/// client or of every client, in one statement (so a run is atomic; the upsert makes it
/// idempotent). What it computes, and why it is shaped so, is written at the top of the file.
pub const AGGREGATE_SQL: &str = include_str!("aggregate_month.sql");

/// Runs [`AGGREGATE_SQL`] for one client, or for all when `client_id` is `None`.
pub async fn aggregate_month(
    conn: &mut AsyncPgConnection,
    period: NaiveDate,
    client_id: Option<Uuid>,
) -> Result<AggregationCounts, AggregateError> {
    diesel::sql_query(AGGREGATE_SQL)
        .bind::<Date, _>(period)
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(client_id)
        .get_result(conn)
        .await
        .map_err(out_of_range)
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
    let mut q = cost_tracking::table
        .filter(cost_tracking::client_id.eq(client_id))
        .select(CostTracking::as_select())
        .into_boxed();
    if let Some(from) = filter.from {
        q = q.filter(cost_tracking::period.ge(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(cost_tracking::period.le(to));
    }
    if let Some(product_id) = filter.product_id {
        q = q.filter(cost_tracking::product_id.eq(product_id));
    }
    keyset_page!(
        q,
        page,
        asc(cost_tracking::period, cost_tracking::product_id)
    )
    .load(conn)
    .await
}
