//! Reorder alerts on the wire: the query string, the row `reorder_alerts.sql` returns, and
//! the view that explains each alert.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    prelude::*,
    sql_types::{BigInt, Date, Integer, Nullable, Numeric, Text, Timestamptz},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    http::{decimal::Decimal, error::ApiResult, validation::validate},
    text_enum,
};

text_enum! {
    /// How urgent a reorder is, against today.
    pub enum AlertStatus {
        /// The stock used was 0, or its projected stockout date has come.
        OutOfStock,
        /// The last order-by date is today or has passed.
        OrderNow,
        /// The last order-by date falls within the window.
        ReorderSoon,
    }
}

/// Days of demand a quantity without an EOQ covers beyond the lead time.
pub const REVIEW_CYCLE_DAYS: i32 = 30;

/// The default and the largest `within_days`.
pub const DEFAULT_WITHIN_DAYS: i64 = 14;
pub const MAX_WITHIN_DAYS: i64 = 365;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertFilter {
    /// Products whose last order-by date is at most this many days ahead (or has passed);
    /// 0 to 365, default 14.
    pub within_days: Option<i64>,
    /// Only alerts of this status.
    #[param(value_type = Option<AlertStatus>)]
    pub status: Option<String>,
}

/// A checked [`AlertFilter`].
pub struct AlertQuery {
    pub within_days: i32,
    pub status: Option<AlertStatus>,
}

impl AlertFilter {
    pub fn validate(&self) -> ApiResult<AlertQuery> {
        validate(|v| AlertQuery {
            within_days: v.int_range(
                "within_days",
                self.within_days.unwrap_or(DEFAULT_WITHIN_DAYS),
                0,
                MAX_WITHIN_DAYS,
            ),
            status: self
                .status
                .as_deref()
                .and_then(|s| v.word::<AlertStatus>("status", s)),
        })
    }
}

/// Sort key of the alert list: `(last_order_by_date, product_id)`.
pub type AlertKey = (NaiveDate, Uuid);

/// One row of `reorder_alerts.sql`.
#[derive(Debug, Clone, QueryableByName)]
pub struct AlertRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub product_id: Uuid,
    #[diesel(sql_type = Text)]
    pub sku: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub status: AlertStatus,
    #[diesel(sql_type = Date)]
    pub projected_stockout_date: NaiveDate,
    #[diesel(sql_type = Date)]
    pub last_order_by_date: NaiveDate,
    #[diesel(sql_type = Timestamptz)]
    pub calculated_at: DateTime<Utc>,
    #[diesel(sql_type = Date)]
    pub calculated_for: NaiveDate,
    #[diesel(sql_type = Numeric)]
    pub daily_demand: Decimal,
    #[diesel(sql_type = Integer)]
    pub demand_window_days: i32,
    #[diesel(sql_type = Integer)]
    pub demand_days: i32,
    #[diesel(sql_type = BigInt)]
    pub window_units: i64,
    #[diesel(sql_type = Integer)]
    pub on_hand: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    pub supplier_lead_days: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub shipping_lead_days: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub processing_lead_days: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub safety_buffer_days: Option<i32>,
    #[diesel(sql_type = Integer)]
    pub total_lead_days: i32,
    #[diesel(sql_type = Text)]
    pub lead_time_source: String,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub eoq_units: Option<Decimal>,
    #[diesel(sql_type = Numeric)]
    pub suggested_order_quantity: Decimal,
    #[diesel(sql_type = Text)]
    pub suggested_basis: String,
}

/// A product to reorder: by when, how many, and the figures that say why.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReorderAlert {
    pub product_id: Uuid,
    pub sku: String,
    pub name: String,
    pub status: AlertStatus,
    /// Today + ⌊days of cover⌋, as of the last recalculation.
    pub projected_stockout_date: NaiveDate,
    /// `projected_stockout_date` − total lead days.
    pub last_order_by_date: NaiveDate,
    /// Whole units: ⌈EOQ⌉, or ⌈daily demand × (total lead days + review cycle)⌉.
    pub suggested_order_quantity: Decimal,
    /// `eoq` or `lead_time_demand`.
    pub suggested_quantity_basis: String,
    pub inputs: AlertInputs,
    /// When the dates were computed (`timing_last_calculated`).
    pub calculated_at: DateTime<Utc>,
    /// Age of that calculation, in whole seconds.
    pub cache_age_seconds: i64,
}

/// What produced an alert's dates, as the recalculation read them.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertInputs {
    /// Units a day: `window_units` / `demand_days`, four decimals.
    pub daily_demand: Decimal,
    /// The configured window (`LEAD_TIME_DEMAND_WINDOW_DAYS`).
    pub demand_window_days: i32,
    /// Days the units were averaged over: the window, or a shorter history (at least 30).
    pub demand_days: i32,
    /// Counted units ordered in the window.
    pub window_units: i64,
    /// On-hand units at the calculation.
    pub on_hand: i32,
    /// The day the dates were computed for (UTC).
    pub calculated_for: NaiveDate,
    pub supplier_lead_days: Option<i32>,
    pub shipping_lead_days: Option<i32>,
    pub processing_lead_days: Option<i32>,
    pub safety_buffer_days: Option<i32>,
    pub total_lead_days: i32,
    /// Where every component above came from: the product's `lead_time_source` (`supplier`,
    /// `historical`, `manual`, …) or `client_default` (the client's `default_*_lead_days`).
    pub lead_time_source: String,
    /// The product's EOQ over the trailing year (`GET …/eoq`), when its inputs exist.
    pub eoq_units: Option<Decimal>,
    /// Days beyond the lead time a quantity without an EOQ covers.
    pub review_cycle_days: i32,
}

/// A page of alerts, with the day the statuses were judged against.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertPage {
    pub data: Vec<ReorderAlert>,
    /// Pass as `?cursor=` for the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// Today (UTC): the statuses are against this day.
    pub as_of: NaiveDate,
    pub within_days: i32,
}

impl AlertRow {
    pub fn key(&self) -> AlertKey {
        (self.last_order_by_date, self.product_id)
    }

    pub fn into_view(self, now: DateTime<Utc>) -> ReorderAlert {
        ReorderAlert {
            product_id: self.product_id,
            sku: self.sku,
            name: self.name,
            status: self.status,
            projected_stockout_date: self.projected_stockout_date,
            last_order_by_date: self.last_order_by_date,
            suggested_order_quantity: self.suggested_order_quantity,
            suggested_quantity_basis: self.suggested_basis,
            cache_age_seconds: (now - self.calculated_at).num_seconds().max(0),
            calculated_at: self.calculated_at,
            inputs: AlertInputs {
                daily_demand: self.daily_demand,
                demand_window_days: self.demand_window_days,
                demand_days: self.demand_days,
                window_units: self.window_units,
                on_hand: self.on_hand,
                calculated_for: self.calculated_for,
                supplier_lead_days: self.supplier_lead_days,
                shipping_lead_days: self.shipping_lead_days,
                processing_lead_days: self.processing_lead_days,
                safety_buffer_days: self.safety_buffer_days,
                total_lead_days: self.total_lead_days,
                lead_time_source: self.lead_time_source,
                eoq_units: self.eoq_units,
                review_cycle_days: REVIEW_CYCLE_DAYS,
            },
        }
    }
}
