//! Request and response types of monthly cost tracking.
//!
//! Money and rates are [`Decimal`] end to end (NUMERIC in PostgreSQL, exact decimal strings on
//! the wire); nothing here is ever a float.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel::{
    prelude::*,
    sql_types::{BigInt, Timestamptz},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{db::schema::cost_tracking, http::decimal::Decimal};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AggregateCosts {
    /// `YYYY-MM`, not after the current month (UTC).
    pub period: String,
}

/// What an aggregation run wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct CostAggregation {
    /// `YYYY-MM`.
    pub period: String,
    /// Rows (re)computed: one per product of the client.
    pub products: i64,
    pub calculated_at: DateTime<Utc>,
}

/// The outcome of one aggregation statement.
#[derive(Debug, Clone, QueryableByName)]
pub struct AggregationCounts {
    #[diesel(sql_type = BigInt)]
    pub clients: i64,
    #[diesel(sql_type = BigInt)]
    pub rows: i64,
    #[diesel(sql_type = Timestamptz)]
    pub calculated_at: DateTime<Utc>,
}

/// The earliest year a period may name: nothing a fulfilment dashboard tracks is older, and a
/// year 0 (1 BC) or 0001 is always a typo.
pub const FIRST_PERIOD_YEAR: i32 = 2000;

/// Parses `YYYY-MM` into the first day of that month, refusing months after `today`'s: a
/// future month has no demand and no stock history yet, so its figures would be fiction.
pub fn parse_period(raw: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let bad = || format!("{raw:?} is not a month like 2026-03 (YYYY-MM)");
    let (year, month) = raw.trim().split_once('-').ok_or_else(bad)?;
    if year.len() != 4
        || month.len() != 2
        || !year
            .chars()
            .chain(month.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let year: i32 = year.parse().map_err(|_| bad())?;
    let month: u32 = month.parse().map_err(|_| bad())?;
    if !(FIRST_PERIOD_YEAR..=9999).contains(&year) {
        return Err(format!(
            "{raw:?} is out of range: months from {FIRST_PERIOD_YEAR}-01 to the current one"
        ));
    }
    let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)?;
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).ok_or_else(bad)?;
    if first > this_month {
        return Err("must not be after the current month".to_owned());
    }
    Ok(first)
}

/// `YYYY-MM` of a period's first day.
pub fn format_period(period: NaiveDate) -> String {
    period.format("%Y-%m").to_string()
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CostTrackingFilter {
    /// Months whose first day is on or after this date.
    pub from: Option<NaiveDate>,
    /// Months whose first day is on or before this date.
    pub to: Option<NaiveDate>,
    pub product_id: Option<Uuid>,
}

/// Sort key of the cost-tracking list: `(period, product_id)`.
pub type CostTrackingKey = (NaiveDate, Uuid);

/// One product's month, as the aggregation computed it.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = cost_tracking)]
pub struct CostTracking {
    pub id: Uuid,
    pub client_id: Uuid,
    pub product_id: Uuid,
    /// First day of the month.
    pub period: NaiveDate,
    /// Units ordered in the month (order requests neither draft nor cancelled).
    pub demand_units: i32,
    /// demand_units × unit_cost.
    pub demand_value: Decimal,
    pub average_stock_units: Decimal,
    /// The product's unit cost when the month was computed.
    pub unit_cost: Option<Decimal>,
    pub holding_cost: Decimal,
    pub order_count: i32,
    pub ordering_cost: Decimal,
    /// demand_value + holding_cost + ordering_cost.
    pub total_cost: Decimal,
    /// Null when an EOQ input (reorder cost, unit cost, holding rate) is missing or zero.
    pub eoq_units: Option<Decimal>,
    pub eoq_orders_per_year: Option<Decimal>,
    pub eoq_annual_cost: Option<Decimal>,
    pub calculated_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn periods_are_year_and_month_not_in_the_future() {
        let today = day("2026-03-15");
        assert_eq!(parse_period("2026-03", today), Ok(day("2026-03-01")));
        assert_eq!(parse_period("2000-01", today), Ok(day("2000-01-01")));
        for ancient in ["1999-12", "0000-01", "0001-01"] {
            let err = parse_period(ancient, today).unwrap_err();
            assert!(err.contains("out of range"), "{ancient}: {err}");
        }
        for bad in [
            "2026-13",
            "2026-00",
            "2026-3",
            "26-03",
            "2026/03",
            "2026-03-01",
            "",
            "abcd-ef",
        ] {
            assert!(parse_period(bad, today).is_err(), "{bad}");
        }
        assert!(
            parse_period("2026-04", today)
                .unwrap_err()
                .contains("after")
        );
    }
}
