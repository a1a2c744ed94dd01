use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    clients::types::{Client, lead_days},
    db::schema::products,
    http::{
        decimal::{self, Decimal},
        extract::{double_option, not_null},
        validation::Validator,
    },
};

/// Where cost figures came from.
pub const COST_SOURCES: &[&str] = &["manual", "supplier_invoice", "erp_import", "estimate"];

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = products)]
pub struct Product {
    pub id: Uuid,
    pub client_id: Uuid,
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    /// On-hand units.
    pub current_stock: i32,
    #[serde(serialize_with = "decimal::plain_opt")]
    #[schema(value_type = Option<Decimal>)]
    pub unit_cost: Option<BigDecimal>,
    #[serde(serialize_with = "decimal::plain_opt")]
    #[schema(value_type = Option<Decimal>)]
    pub unit_price: Option<BigDecimal>,
    /// Fixed cost of placing one replenishment order.
    #[serde(serialize_with = "decimal::plain_opt")]
    #[schema(value_type = Option<Decimal>)]
    pub reorder_cost: Option<BigDecimal>,
    /// Annual holding cost as a fraction of `unit_cost` (`"0.2500"` = 25 % a year).
    #[serde(serialize_with = "decimal::plain_opt")]
    #[schema(value_type = Option<Decimal>)]
    pub holding_cost_rate: Option<BigDecimal>,
    pub last_cost_update: Option<DateTime<Utc>>,
    /// `manual`, `supplier_invoice`, `erp_import` or `estimate`.
    pub cost_source: Option<String>,
    pub supplier_lead_days: Option<i32>,
    pub shipping_lead_days: Option<i32>,
    pub processing_lead_days: Option<i32>,
    pub safety_buffer_days: Option<i32>,
    /// Computed by the database (trigger `calculate_product_total_lead_days`).
    pub total_lead_days: Option<i32>,
    pub lead_time_source: Option<String>,
    pub projected_stockout_date: Option<NaiveDate>,
    pub last_order_by_date: Option<NaiveDate>,
    pub timing_last_calculated: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProduct {
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    /// Default 0.
    pub current_stock: Option<i64>,
    pub unit_cost: Option<Decimal>,
    pub unit_price: Option<Decimal>,
    pub reorder_cost: Option<Decimal>,
    pub holding_cost_rate: Option<Decimal>,
    pub cost_source: Option<String>,
    /// Lead times default to the client's defaults when absent.
    pub supplier_lead_days: Option<i64>,
    pub shipping_lead_days: Option<i64>,
    pub processing_lead_days: Option<i64>,
    pub safety_buffer_days: Option<i64>,
    pub lead_time_source: Option<String>,
}

/// PATCH: absent fields stay, `null` clears a nullable field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProduct {
    #[serde(default, deserialize_with = "not_null")]
    pub sku: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    pub current_stock: Option<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Decimal>)]
    pub unit_cost: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Decimal>)]
    pub unit_price: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Decimal>)]
    pub reorder_cost: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Decimal>)]
    pub holding_cost_rate: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub cost_source: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub supplier_lead_days: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub shipping_lead_days: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub processing_lead_days: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub safety_buffer_days: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub lead_time_source: Option<Option<String>>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductFilter {
    pub category: Option<String>,
    /// Products whose SKU or name contains this text (case-insensitive).
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A product's writable columns, validated. `last_cost_update` is stamped by the caller when
/// a cost field changes.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = products, treat_none_as_null = true)]
pub struct ProductFields {
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub current_stock: i32,
    pub unit_cost: Option<BigDecimal>,
    pub unit_price: Option<BigDecimal>,
    pub reorder_cost: Option<BigDecimal>,
    pub holding_cost_rate: Option<BigDecimal>,
    pub cost_source: Option<String>,
    pub supplier_lead_days: Option<i32>,
    pub shipping_lead_days: Option<i32>,
    pub processing_lead_days: Option<i32>,
    pub safety_buffer_days: Option<i32>,
    pub lead_time_source: Option<String>,
}

impl ProductFields {
    pub fn costs_differ(&self, p: &Product) -> bool {
        self.unit_cost != p.unit_cost
            || self.unit_price != p.unit_price
            || self.reorder_cost != p.reorder_cost
            || self.holding_cost_rate != p.holding_cost_rate
            || self.cost_source != p.cost_source
    }
}

fn sku(v: &mut Validator, value: &str) -> String {
    let s = v.text("sku", value, 64);
    if s.chars().any(char::is_whitespace) {
        v.error("sku", "must not contain spaces");
    }
    s
}

fn stock(v: &mut Validator, value: i64) -> i32 {
    v.int_range("current_stock", value, 0, i64::from(i32::MAX))
}

fn cost_source(v: &mut Validator, value: Option<&str>) -> Option<String> {
    value.map(|s| v.one_of("cost_source", s, COST_SOURCES))
}

fn money(v: &mut Validator, field: &str, value: Option<&Decimal>) -> Option<BigDecimal> {
    value.map(|d| v.decimal(field, d, decimal::money))
}

pub fn validate_create(body: &CreateProduct, client: &Client) -> (ProductFields, Validator) {
    let mut v = Validator::new();
    let fields = ProductFields {
        sku: sku(&mut v, &body.sku),
        name: v.text("name", &body.name, 200),
        category: v.opt_text("category", body.category.as_deref(), 100),
        current_stock: stock(&mut v, body.current_stock.unwrap_or(0)),
        unit_cost: money(&mut v, "unit_cost", body.unit_cost.as_ref()),
        unit_price: money(&mut v, "unit_price", body.unit_price.as_ref()),
        reorder_cost: money(&mut v, "reorder_cost", body.reorder_cost.as_ref()),
        holding_cost_rate: body
            .holding_cost_rate
            .as_ref()
            .map(|d| v.decimal("holding_cost_rate", d, decimal::rate)),
        cost_source: cost_source(&mut v, body.cost_source.as_deref()),
        supplier_lead_days: lead_days(&mut v, "supplier_lead_days", body.supplier_lead_days)
            .or(client.default_supplier_lead_days),
        shipping_lead_days: lead_days(&mut v, "shipping_lead_days", body.shipping_lead_days)
            .or(client.default_shipping_lead_days),
        processing_lead_days: lead_days(&mut v, "processing_lead_days", body.processing_lead_days)
            .or(client.default_processing_lead_days),
        safety_buffer_days: lead_days(&mut v, "safety_buffer_days", body.safety_buffer_days)
            .or(client.default_safety_buffer_days),
        lead_time_source: v.opt_text("lead_time_source", body.lead_time_source.as_deref(), 50),
    };
    (fields, v)
}

/// `patch` applied to `now`: absent keeps, null clears, a value is validated.
fn patched<T: Clone, R>(
    patch: &Option<Option<R>>,
    now: &Option<T>,
    mut check: impl FnMut(&R) -> T,
) -> Option<T> {
    match patch {
        None => now.clone(),
        Some(None) => None,
        Some(Some(value)) => Some(check(value)),
    }
}

pub fn validate_update(body: &UpdateProduct, p: &Product) -> (ProductFields, Validator) {
    let mut v = Validator::new();
    let fields = ProductFields {
        sku: match &body.sku {
            Some(s) => sku(&mut v, s),
            None => p.sku.clone(),
        },
        name: match &body.name {
            Some(n) => v.text("name", n, 200),
            None => p.name.clone(),
        },
        category: match &body.category {
            None => p.category.clone(),
            Some(c) => v.opt_text("category", c.as_deref(), 100),
        },
        current_stock: match body.current_stock {
            Some(s) => stock(&mut v, s),
            None => p.current_stock,
        },
        unit_cost: patched(&body.unit_cost, &p.unit_cost, |d| {
            v.decimal("unit_cost", d, decimal::money)
        }),
        unit_price: patched(&body.unit_price, &p.unit_price, |d| {
            v.decimal("unit_price", d, decimal::money)
        }),
        reorder_cost: patched(&body.reorder_cost, &p.reorder_cost, |d| {
            v.decimal("reorder_cost", d, decimal::money)
        }),
        holding_cost_rate: patched(&body.holding_cost_rate, &p.holding_cost_rate, |d| {
            v.decimal("holding_cost_rate", d, decimal::rate)
        }),
        cost_source: patched(&body.cost_source, &p.cost_source, |s: &String| {
            v.one_of("cost_source", s, COST_SOURCES)
        }),
        supplier_lead_days: patched(&body.supplier_lead_days, &p.supplier_lead_days, |d| {
            v.int_range(
                "supplier_lead_days",
                *d,
                0,
                crate::clients::types::MAX_LEAD_DAYS,
            )
        }),
        shipping_lead_days: patched(&body.shipping_lead_days, &p.shipping_lead_days, |d| {
            v.int_range(
                "shipping_lead_days",
                *d,
                0,
                crate::clients::types::MAX_LEAD_DAYS,
            )
        }),
        processing_lead_days: patched(&body.processing_lead_days, &p.processing_lead_days, |d| {
            v.int_range(
                "processing_lead_days",
                *d,
                0,
                crate::clients::types::MAX_LEAD_DAYS,
            )
        }),
        safety_buffer_days: patched(&body.safety_buffer_days, &p.safety_buffer_days, |d| {
            v.int_range(
                "safety_buffer_days",
                *d,
                0,
                crate::clients::types::MAX_LEAD_DAYS,
            )
        }),
        lead_time_source: match &body.lead_time_source {
            None => p.lead_time_source.clone(),
            Some(s) => v.opt_text("lead_time_source", s.as_deref(), 50),
        },
    };
    (fields, v)
}
