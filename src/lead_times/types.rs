//! Request bodies, vocabularies and validation of lead times.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{prelude::*, sql_types::BigInt};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    clients::types::MAX_LEAD_DAYS,
    db::schema::products,
    http::{error::ApiResult, patch::Patch, validation::validate},
};

/// The vocabulary of `lead_time_source`, owned by the products' columns.
pub use crate::products::types::LeadTimeSource;

/// `PATCH /products/{product_id}/lead-times`: absent fields stay as they are, `null` clears
/// one. Days are whole numbers from 0 to 3650 (ten years).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLeadTimes {
    /// Days the supplier needs to fulfil a replenishment order.
    #[serde(default)]
    pub supplier_lead_days: Patch<i64>,
    /// Transit days from the supplier to the warehouse.
    #[serde(default)]
    pub shipping_lead_days: Patch<i64>,
    /// Days to receive and process inbound stock.
    #[serde(default)]
    pub processing_lead_days: Patch<i64>,
    /// Extra safety margin in days.
    #[serde(default)]
    pub safety_buffer_days: Patch<i64>,
    /// `supplier`, `historical`, `manual` or `client_default`.
    #[serde(default)]
    #[schema(value_type = Option<LeadTimeSource>)]
    pub lead_time_source: Patch<String>,
}

/// The validated lead-time columns to write. `None` leaves a column alone, `Some(None)` clears
/// it, so the UPDATE touches exactly what the request named. `total_lead_days` is not here:
/// the trigger computes it.
#[derive(Debug, Default, PartialEq, AsChangeset)]
#[diesel(table_name = products)]
pub struct LeadTimeChanges {
    pub supplier_lead_days: Option<Option<i32>>,
    pub shipping_lead_days: Option<Option<i32>>,
    pub processing_lead_days: Option<Option<i32>>,
    pub safety_buffer_days: Option<Option<i32>>,
    pub lead_time_source: Option<Option<String>>,
}

impl LeadTimeChanges {
    /// Nothing named: the request changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl UpdateLeadTimes {
    /// The columns this PATCH names, checked before the database sees them; one 422 names
    /// every bad field.
    pub fn validate(&self) -> ApiResult<LeadTimeChanges> {
        let days = |v: &mut crate::http::validation::Validator, field: &str, p: &Patch<i64>| {
            v.change(p, |v, d| v.int_range(field, *d, 0, MAX_LEAD_DAYS))
        };
        validate(|v| LeadTimeChanges {
            supplier_lead_days: days(v, "supplier_lead_days", &self.supplier_lead_days),
            shipping_lead_days: days(v, "shipping_lead_days", &self.shipping_lead_days),
            processing_lead_days: days(v, "processing_lead_days", &self.processing_lead_days),
            safety_buffer_days: days(v, "safety_buffer_days", &self.safety_buffer_days),
            lead_time_source: v
                .change(&self.lead_time_source, |v, s| {
                    v.word::<LeadTimeSource>("lead_time_source", s)
                        .map(|w| w.as_str().to_owned())
                })
                .map(Option::flatten),
        })
    }
}

/// What one recalculation statement counted (`recalculate.sql`'s last SELECT).
#[derive(Debug, Clone, QueryableByName)]
pub struct RecalcCounts {
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub calculated_at: DateTime<Utc>,
    #[diesel(sql_type = BigInt)]
    pub products: i64,
    #[diesel(sql_type = BigInt)]
    pub clients: i64,
    #[diesel(sql_type = BigInt)]
    pub dated: i64,
    #[diesel(sql_type = BigInt)]
    pub no_demand: i64,
    #[diesel(sql_type = BigInt)]
    pub no_lead_time: i64,
    #[diesel(sql_type = BigInt)]
    pub beyond_horizon: i64,
    #[diesel(sql_type = BigInt)]
    pub client_defaults: i64,
}

/// `POST /lead-times/recalculate`: what was computed, and why some dates are missing.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recalculation {
    /// The day the dates were computed for (today, UTC).
    pub as_of: NaiveDate,
    /// Days of counted orders the daily demand is averaged over (`LEAD_TIME_DEMAND_WINDOW_DAYS`).
    pub demand_window_days: i32,
    /// Written to every product's `timing_last_calculated`.
    pub calculated_at: DateTime<Utc>,
    /// Products recalculated.
    pub products: i64,
    /// Products that now have a stockout and a last order-by date.
    pub with_order_by_date: i64,
    /// No counted demand in the window: no stockout date (reason `no_demand`).
    pub no_demand: i64,
    /// Neither the product nor its client has lead times: a stockout date but no order-by
    /// date (reason `no_lead_time`, source `unknown`).
    pub no_lead_time: i64,
    /// Stock lasting over 100 years at current demand: no dates (reason `beyond_horizon`).
    pub beyond_horizon: i64,
    /// Products computed with the client's default lead times (source `client_default`).
    pub using_client_defaults: i64,
}

impl Recalculation {
    pub fn new(as_of: NaiveDate, demand_window_days: i32, c: RecalcCounts) -> Self {
        Self {
            as_of,
            demand_window_days,
            calculated_at: c.calculated_at,
            products: c.products,
            with_order_by_date: c.dated,
            no_demand: c.no_demand,
            no_lead_time: c.no_lead_time,
            beyond_horizon: c.beyond_horizon,
            using_client_defaults: c.client_defaults,
        }
    }
}

/// What `apply-client-defaults` did, in one statement.
#[derive(Debug, Clone, QueryableByName)]
pub struct AppliedDefaults {
    #[diesel(sql_type = BigInt)]
    pub updated: i64,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub has_defaults: bool,
}

/// `POST /lead-times/apply-client-defaults`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DefaultsApplied {
    /// Products that had no lead time of their own and now store the client's defaults
    /// (`lead_time_source` `client_default`).
    pub updated: i64,
}
