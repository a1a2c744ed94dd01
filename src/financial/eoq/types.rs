//! Request and response types of a product's EOQ, and the check that its inputs are set.

use bigdecimal::Zero;
use chrono::NaiveDate;
use diesel::{
    prelude::*,
    sql_types::{BigInt, Nullable, Numeric},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::{
    decimal::Decimal,
    error::{ApiError, ApiResult},
    validation::{Validator, validate},
};

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
    pub unit_cost: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub reorder_cost: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub holding_cost_rate: Option<Decimal>,
    /// unit_cost × holding_cost_rate, exact.
    #[diesel(sql_type = Nullable<Numeric>)]
    pub holding_cost_per_unit: Option<Decimal>,
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
    pub annual_demand_units: Decimal,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub eoq_units: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub orders_per_year: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub cycle_days: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub annual_total_cost: Option<Decimal>,
}

/// The economic order quantity of a product: Q* = √(2DS/H).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductEoq {
    pub product_id: Uuid,
    /// Last day of the trailing twelve months the demand was read from.
    pub as_of: NaiveDate,
    /// D: units a year, two decimals.
    pub annual_demand_units: Decimal,
    /// How D was obtained: `"365 days"` (the whole trailing year), `"annualised from 92 days"`
    /// (history shorter than a year, scaled to 365 days) or `"no order history"`.
    pub demand_basis: String,
    /// S: the product's `reorder_cost`.
    pub order_cost: Decimal,
    /// H = unit_cost × holding_cost_rate, a year.
    pub holding_cost_per_unit: Decimal,
    /// √(2DS/H), two decimals.
    pub eoq_units: Decimal,
    /// D / Q*, four decimals.
    pub orders_per_year: Decimal,
    /// 365 / orders_per_year, two decimals; null without demand.
    pub cycle_days: Option<Decimal>,
    /// √(2DSH): ordering plus holding cost a year at Q*, two decimals.
    pub annual_total_cost: Decimal,
}

/// A decimal for display: trailing zeros dropped, but at least cents (`28` → `"28.00"`,
/// `0.000001` stays `"0.000001"`).
pub fn at_least_cents(v: &Decimal) -> Decimal {
    let n = v.0.normalized();
    let (_, scale) = n.as_bigint_and_exponent();
    Decimal(if scale < 2 { n.with_scale(2) } else { n })
}

/// An EOQ input of the product: set and above 0, or an error naming it.
fn input<'a>(v: &mut Validator, field: &str, value: &'a Option<Decimal>) -> Option<&'a Decimal> {
    match value {
        None => v.error(field, "is not set; the EOQ needs it"),
        Some(x) if x.0.is_zero() => v.error(field, "is 0; the EOQ needs it above 0"),
        Some(x) => return Some(x),
    }
    None
}

impl EoqFigures {
    /// The EOQ, or a 422 naming every input that is missing or zero.
    pub fn into_view(self, product_id: Uuid, as_of: NaiveDate) -> ApiResult<ProductEoq> {
        validate(|v| {
            input(v, "reorder_cost", &self.reorder_cost);
            input(v, "unit_cost", &self.unit_cost);
            input(v, "holding_cost_rate", &self.holding_cost_rate);
        })?;
        let missing =
            || ApiError::Internal(anyhow::anyhow!("EOQ figures missing for valid inputs"));
        let demand_basis = match self.history_days {
            _ if !self.has_orders => "no order history".to_owned(),
            // A history that covers the whole window is not scaled: say so the same way.
            Some(days) if days < self.window_days => format!("annualised from {days} days"),
            _ => format!("{} days", self.window_days),
        };
        Ok(ProductEoq {
            product_id,
            as_of,
            annual_demand_units: self.annual_demand_units,
            demand_basis,
            order_cost: self.reorder_cost.ok_or_else(missing)?,
            holding_cost_per_unit: at_least_cents(
                self.holding_cost_per_unit.as_ref().ok_or_else(missing)?,
            ),
            eoq_units: self.eoq_units.ok_or_else(missing)?,
            orders_per_year: self.orders_per_year.ok_or_else(missing)?,
            cycle_days: self.cycle_days,
            annual_total_cost: self.annual_total_cost.ok_or_else(missing)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bigdecimal::BigDecimal;

    #[test]
    fn display_decimals_keep_at_least_cents() {
        let d = |s: &str| Decimal(s.parse::<BigDecimal>().expect("decimal"));
        assert_eq!(at_least_cents(&d("28.000000")).to_string(), "28.00");
        assert_eq!(at_least_cents(&d("0.300000")).to_string(), "0.30");
        assert_eq!(at_least_cents(&d("0.000001")).to_string(), "0.000001");
        assert_eq!(at_least_cents(&d("30.2500")).to_string(), "30.25");
    }
}
