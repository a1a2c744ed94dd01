//! Request and response types of financial tracking, and the validation of what callers send.
//!
//! Money and rates are `BigDecimal` end to end (NUMERIC in PostgreSQL, exact decimal strings on
//! the wire); nothing here is ever a float.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel::{
    prelude::*,
    sql_types::{BigInt, Date, Nullable, Numeric, Text, Timestamptz},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    db::schema::{budgets, cost_tracking, products},
    http::{
        decimal::{self, Decimal},
        error::{ApiError, ApiResult},
        extract::{double_option, not_null},
        validation::Validator,
    },
    products::types::COST_SOURCES,
};

/// Longest `category` a budget may name (as for products).
pub const MAX_CATEGORY: usize = 100;
/// Longest `notes` of a budget.
pub const MAX_NOTES: usize = 2000;

/// `/api/v1/clients/{client_id}/budgets/{budget_id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct BudgetPath {
    pub client_id: Uuid,
    pub budget_id: Uuid,
}

// ---------------------------------------------------------------------------------------------
// Product costs
// ---------------------------------------------------------------------------------------------

/// `PATCH /products/{product_id}/costs`: absent fields stay as they are, `null` clears one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProductCosts {
    /// Purchase cost per unit, cents, ≥ 0.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Decimal>)]
    pub unit_cost: Option<Option<Decimal>>,
    /// Selling price per unit, cents, ≥ 0.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Decimal>)]
    pub unit_price: Option<Option<Decimal>>,
    /// Fixed cost of placing one replenishment order (EOQ's S), cents, ≥ 0.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Decimal>)]
    pub reorder_cost: Option<Option<Decimal>>,
    /// Annual holding cost as a fraction of `unit_cost`, 0 to 1, four decimals.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Decimal>)]
    pub holding_cost_rate: Option<Option<Decimal>>,
    /// `manual`, `supplier_invoice`, `erp_import` or `estimate`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub cost_source: Option<Option<String>>,
}

/// The validated cost columns to write. `None` leaves a column alone, `Some(None)` clears it,
/// so the UPDATE touches exactly what the request named (no read-modify-write race).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = products)]
pub struct CostChanges {
    pub unit_cost: Option<Option<BigDecimal>>,
    pub unit_price: Option<Option<BigDecimal>>,
    pub reorder_cost: Option<Option<BigDecimal>>,
    pub holding_cost_rate: Option<Option<BigDecimal>>,
    pub cost_source: Option<Option<String>>,
}

impl CostChanges {
    /// Nothing named: the request is a no-op and `last_cost_update` is not stamped.
    pub fn is_empty(&self) -> bool {
        self.unit_cost.is_none()
            && self.unit_price.is_none()
            && self.reorder_cost.is_none()
            && self.holding_cost_rate.is_none()
            && self.cost_source.is_none()
    }
}

fn patch_decimal(
    v: &mut Validator,
    field: &str,
    value: &Option<Option<Decimal>>,
    check: fn(&Decimal) -> Result<BigDecimal, String>,
) -> Option<Option<BigDecimal>> {
    value
        .as_ref()
        .map(|inner| inner.as_ref().map(|d| v.decimal(field, d, check)))
}

pub fn validate_costs(body: &UpdateProductCosts) -> (CostChanges, Validator) {
    let mut v = Validator::new();
    let changes = CostChanges {
        unit_cost: patch_decimal(&mut v, "unit_cost", &body.unit_cost, decimal::money),
        unit_price: patch_decimal(&mut v, "unit_price", &body.unit_price, decimal::money),
        reorder_cost: patch_decimal(&mut v, "reorder_cost", &body.reorder_cost, decimal::money),
        holding_cost_rate: patch_decimal(
            &mut v,
            "holding_cost_rate",
            &body.holding_cost_rate,
            decimal::rate,
        ),
        cost_source: body.cost_source.as_ref().map(|inner| {
            inner
                .as_deref()
                .map(|s| v.one_of("cost_source", s, COST_SOURCES))
        }),
    };
    (changes, v)
}

// ---------------------------------------------------------------------------------------------
// Budgets
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = budgets)]
pub struct Budget {
    pub id: Uuid,
    pub client_id: Uuid,
    /// Set: a budget for this one product; null: client-wide (or a category's).
    pub product_id: Option<Uuid>,
    /// Set: a budget for the client's products of this category.
    pub category: Option<String>,
    pub period_start: NaiveDate,
    /// Inclusive.
    pub period_end: NaiveDate,
    #[serde(serialize_with = "decimal::plain")]
    #[schema(value_type = Decimal)]
    pub budgeted_amount: BigDecimal,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBudget {
    /// `YYYY-MM-DD`.
    pub period_start: NaiveDate,
    /// `YYYY-MM-DD`, inclusive, not before `period_start`.
    pub period_end: NaiveDate,
    /// A product of this client; absent for a client-wide or category budget.
    pub product_id: Option<Uuid>,
    pub category: Option<String>,
    /// Money, ≥ 0.
    pub budgeted_amount: Decimal,
    pub notes: Option<String>,
}

/// PATCH: absent fields stay, `null` clears a nullable field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBudget {
    #[serde(default, deserialize_with = "not_null")]
    pub period_start: Option<NaiveDate>,
    #[serde(default, deserialize_with = "not_null")]
    pub period_end: Option<NaiveDate>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub product_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    pub budgeted_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

/// A budget's writable columns, validated.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = budgets, treat_none_as_null = true)]
pub struct BudgetFields {
    pub product_id: Option<Uuid>,
    pub category: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub budgeted_amount: BigDecimal,
    pub notes: Option<String>,
}

fn check_period(v: &mut Validator, start: NaiveDate, end: NaiveDate) {
    if end < start {
        v.error("period_end", "must not be before period_start");
    }
}

pub fn validate_create(body: &CreateBudget) -> (BudgetFields, Validator) {
    let mut v = Validator::new();
    check_period(&mut v, body.period_start, body.period_end);
    let fields = BudgetFields {
        product_id: body.product_id,
        category: v.opt_text("category", body.category.as_deref(), MAX_CATEGORY),
        period_start: body.period_start,
        period_end: body.period_end,
        budgeted_amount: v.decimal("budgeted_amount", &body.budgeted_amount, decimal::money),
        notes: v.opt_text("notes", body.notes.as_deref(), MAX_NOTES),
    };
    (fields, v)
}

/// `body` applied to the budget as it is now (read under lock by the caller).
pub fn validate_update(body: &UpdateBudget, now: &Budget) -> (BudgetFields, Validator) {
    let mut v = Validator::new();
    let period_start = body.period_start.unwrap_or(now.period_start);
    let period_end = body.period_end.unwrap_or(now.period_end);
    check_period(&mut v, period_start, period_end);
    let fields = BudgetFields {
        product_id: body.product_id.unwrap_or(now.product_id),
        category: match &body.category {
            None => now.category.clone(),
            Some(c) => v.opt_text("category", c.as_deref(), MAX_CATEGORY),
        },
        period_start,
        period_end,
        budgeted_amount: match &body.budgeted_amount {
            None => now.budgeted_amount.clone(),
            Some(d) => v.decimal("budgeted_amount", d, decimal::money),
        },
        notes: match &body.notes {
            None => now.notes.clone(),
            Some(n) => v.opt_text("notes", n.as_deref(), MAX_NOTES),
        },
    };
    (fields, v)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BudgetFilter {
    /// Budgets whose period ends on or after this date.
    pub from: Option<NaiveDate>,
    /// Budgets whose period starts on or before this date.
    pub to: Option<NaiveDate>,
    pub product_id: Option<Uuid>,
    pub category: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Sort key of the budget list: `(period_start, id)`.
pub type BudgetKey = (NaiveDate, Uuid);

/// A `from`/`to` window, `from` not after `to`.
pub fn check_window(from: Option<NaiveDate>, to: Option<NaiveDate>) -> ApiResult<()> {
    match (from, to) {
        (Some(from), Some(to)) if from > to => {
            Err(ApiError::invalid("from", "must not be after to"))
        }
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Variance
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VarianceFilter {
    /// Budgets whose period ends on or after this date.
    pub from: Option<NaiveDate>,
    /// Budgets whose period starts on or before this date.
    pub to: Option<NaiveDate>,
    /// The day projections are made on (default: today, UTC).
    pub as_of: Option<NaiveDate>,
}

/// One budget against what its scope actually cost.
#[derive(Debug, Clone, QueryableByName, Serialize, ToSchema)]
pub struct BudgetVariance {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub budget_id: Uuid,
    #[diesel(sql_type = Date)]
    pub period_start: NaiveDate,
    #[diesel(sql_type = Date)]
    pub period_end: NaiveDate,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    pub product_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub category: Option<String>,
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "decimal::plain")]
    #[schema(value_type = Decimal)]
    pub budgeted_amount: BigDecimal,
    /// Σ of the scope's monthly `total_cost`, each month prorated by the days it overlaps.
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "decimal::plain")]
    #[schema(value_type = Decimal)]
    pub actual_amount: BigDecimal,
    /// actual − budgeted: positive means overspent.
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "decimal::plain")]
    #[schema(value_type = Decimal)]
    pub variance_amount: BigDecimal,
    /// variance / budgeted × 100, two decimals; null when the budget is zero.
    #[diesel(sql_type = Nullable<Numeric>)]
    #[serde(serialize_with = "decimal::plain_opt")]
    #[schema(value_type = Option<Decimal>)]
    pub variance_percent: Option<BigDecimal>,
    /// `under`, `on_track` or `over` (|variance_percent| ≤ tolerance: `on_track`).
    #[diesel(sql_type = Text)]
    pub status: String,
    /// Run-rate projection to the period's end; equals the actual once the period ended;
    /// null before it starts.
    #[diesel(sql_type = Nullable<Numeric>)]
    #[serde(serialize_with = "decimal::plain_opt")]
    #[schema(value_type = Option<Decimal>)]
    pub projected_amount: Option<BigDecimal>,
    /// The status the projection would have; null before the period starts.
    #[diesel(sql_type = Nullable<Text>)]
    pub projected_status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VarianceReport {
    pub data: Vec<BudgetVariance>,
    /// The day projections were made on.
    pub as_of: NaiveDate,
    /// ± percent within which a budget is `on_track` (`BUDGET_TOLERANCE_PERCENT`).
    #[schema(value_type = Decimal)]
    pub tolerance_percent: Decimal,
}

// ---------------------------------------------------------------------------------------------
// Monthly cost tracking
// ---------------------------------------------------------------------------------------------

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
    pub limit: Option<i64>,
    pub cursor: Option<String>,
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
    #[serde(serialize_with = "decimal::plain")]
    #[schema(value_type = Decimal)]
    pub demand_value: BigDecimal,
    #[serde(serialize_with = "decimal::plain")]
    #[schema(value_type = Decimal)]
    pub average_stock_units: BigDecimal,
    /// The product's unit cost when the month was computed.
    #[serde(serialize_with = "decimal::plain_opt")]
    #[schema(value_type = Option<Decimal>)]
    pub unit_cost: Option<BigDecimal>,
    #[serde(serialize_with = "decimal::plain")]
    #[schema(value_type = Decimal)]
    pub holding_cost: BigDecimal,
    pub order_count: i32,
    #[serde(serialize_with = "decimal::plain")]
    #[schema(value_type = Decimal)]
    pub ordering_cost: BigDecimal,
    /// demand_value + holding_cost + ordering_cost.
    #[serde(serialize_with = "decimal::plain")]
    #[schema(value_type = Decimal)]
    pub total_cost: BigDecimal,
    /// Null when an EOQ input (reorder cost, unit cost, holding rate) is missing or zero.
    #[serde(serialize_with = "decimal::plain_opt")]
    #[schema(value_type = Option<Decimal>)]
    pub eoq_units: Option<BigDecimal>,
    #[serde(serialize_with = "decimal::plain_opt")]
    #[schema(value_type = Option<Decimal>)]
    pub eoq_orders_per_year: Option<BigDecimal>,
    #[serde(serialize_with = "decimal::plain_opt")]
    #[schema(value_type = Option<Decimal>)]
    pub eoq_annual_cost: Option<BigDecimal>,
    pub calculated_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------------------------
// EOQ
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EoqQuery {
    /// The last day of the trailing twelve months (default: today, UTC).
    pub as_of: Option<NaiveDate>,
}

/// What the EOQ query reads and computes for one product; the handler turns it into
/// [`ProductEoq`] or a 422 naming the missing inputs.
#[derive(Debug, Clone, QueryableByName)]
pub struct EoqFigures {
    #[diesel(sql_type = Nullable<Numeric>)]
    pub unit_cost: Option<BigDecimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub reorder_cost: Option<BigDecimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub holding_cost_rate: Option<BigDecimal>,
    /// unit_cost × holding_cost_rate, exact.
    #[diesel(sql_type = Nullable<Numeric>)]
    pub holding_cost_per_unit: Option<BigDecimal>,
    /// Days of the trailing window (365, or 366 across a 29 February).
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub window_days: i32,
    /// Units ordered in the window.
    #[diesel(sql_type = BigInt)]
    pub window_units: i64,
    /// Whether the product has any counted order up to the window's end.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub has_orders: bool,
    /// Set when the product's order history starts inside the window: the days it covers
    /// (at least 30, at most 365), over which the window's demand is annualised.
    #[diesel(sql_type = Nullable<diesel::sql_types::Integer>)]
    pub history_days: Option<i32>,
    #[diesel(sql_type = Numeric)]
    pub annual_demand_units: BigDecimal,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub eoq_units: Option<BigDecimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub orders_per_year: Option<BigDecimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub cycle_days: Option<BigDecimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub annual_total_cost: Option<BigDecimal>,
}

/// The economic order quantity of a product: Q* = √(2DS/H).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductEoq {
    pub product_id: Uuid,
    /// Last day of the trailing twelve months the demand was read from.
    pub as_of: NaiveDate,
    /// D: units a year, two decimals.
    #[schema(value_type = Decimal)]
    pub annual_demand_units: Decimal,
    /// How D was obtained: `"365 days"` (the whole trailing year), `"annualised from 92 days"`
    /// (history shorter than a year, scaled to 365 days) or `"no order history"`.
    pub demand_basis: String,
    /// S: the product's `reorder_cost`.
    #[schema(value_type = Decimal)]
    pub order_cost: Decimal,
    /// H = unit_cost × holding_cost_rate, a year.
    #[schema(value_type = Decimal)]
    pub holding_cost_per_unit: Decimal,
    /// √(2DS/H), two decimals.
    #[schema(value_type = Decimal)]
    pub eoq_units: Decimal,
    /// D / Q*, four decimals.
    #[schema(value_type = Decimal)]
    pub orders_per_year: Decimal,
    /// 365 / orders_per_year, two decimals; null without demand.
    #[schema(value_type = Option<Decimal>)]
    pub cycle_days: Option<Decimal>,
    /// √(2DSH): ordering plus holding cost a year at Q*, two decimals.
    #[schema(value_type = Decimal)]
    pub annual_total_cost: Decimal,
}

/// A decimal for display: trailing zeros dropped, but at least cents (`28` → `"28.00"`,
/// `0.000001` stays `"0.000001"`).
pub fn at_least_cents(v: &BigDecimal) -> Decimal {
    let n = v.normalized();
    let (_, scale) = n.as_bigint_and_exponent();
    Decimal(if scale < 2 { n.with_scale(2) } else { n })
}

impl EoqFigures {
    /// The EOQ, or a 422 naming every input that is missing or zero.
    pub fn into_view(self, product_id: Uuid, as_of: NaiveDate) -> ApiResult<ProductEoq> {
        use bigdecimal::Zero;
        let mut v = Validator::new();
        let mut require = |field: &str, value: &Option<BigDecimal>| match value {
            None => v.error(field, "is not set; the EOQ needs it"),
            Some(x) if x.is_zero() => v.error(field, "is 0; the EOQ needs it above 0"),
            Some(_) => {}
        };
        require("reorder_cost", &self.reorder_cost);
        require("unit_cost", &self.unit_cost);
        require("holding_cost_rate", &self.holding_cost_rate);
        v.finish()?;
        let missing =
            || ApiError::Internal(anyhow::anyhow!("EOQ figures missing for valid inputs"));
        let demand_basis = match self.history_days {
            _ if !self.has_orders => "no order history".to_owned(),
            Some(days) => format!("annualised from {days} days"),
            None => format!("{} days", self.window_days),
        };
        Ok(ProductEoq {
            product_id,
            as_of,
            annual_demand_units: Decimal(self.annual_demand_units),
            demand_basis,
            order_cost: Decimal(self.reorder_cost.ok_or_else(missing)?),
            holding_cost_per_unit: at_least_cents(
                self.holding_cost_per_unit.as_ref().ok_or_else(missing)?,
            ),
            eoq_units: Decimal(self.eoq_units.ok_or_else(missing)?),
            orders_per_year: Decimal(self.orders_per_year.ok_or_else(missing)?),
            cycle_days: self.cycle_days.map(Decimal),
            annual_total_cost: Decimal(self.annual_total_cost.ok_or_else(missing)?),
        })
    }
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
        assert_eq!(parse_period("1999-12", today), Ok(day("1999-12-01")));
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

    #[test]
    fn display_decimals_keep_at_least_cents() {
        let d = |s: &str| s.parse::<BigDecimal>().expect("decimal");
        assert_eq!(at_least_cents(&d("28.000000")).to_string(), "28.00");
        assert_eq!(at_least_cents(&d("0.300000")).to_string(), "0.30");
        assert_eq!(at_least_cents(&d("0.000001")).to_string(), "0.000001");
        assert_eq!(at_least_cents(&d("30.2500")).to_string(), "30.25");
    }
}
