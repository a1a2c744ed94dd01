//! Products on the wire and in the database.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    clients::types::{Client, MAX_LEAD_DAYS, lead_days},
    db::schema::products,
    http::{
        decimal::Decimal,
        error::ApiResult,
        json,
        patch::Patch,
        validation::{Validator, validate},
    },
    text_enum,
};

text_enum! {
    /// Where cost figures came from.
    pub enum CostSource {
        Manual,
        SupplierInvoice,
        ErpImport,
        Estimate,
    }
}

text_enum! {
    /// Where a product's lead times came from.
    pub enum LeadTimeSource {
        /// Quoted or confirmed by the supplier.
        Supplier,
        /// Measured from past replenishments.
        Historical,
        /// Entered by hand.
        Manual,
        /// Copied from the client's `default_*_lead_days`.
        ClientDefault,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ProductPath {
    pub client_id: Uuid,
    pub product_id: Uuid,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = products)]
pub struct Product {
    pub id: Uuid,
    pub client_id: Uuid,
    #[diesel(embed)]
    #[serde(flatten)]
    pub fields: ProductFields,
    #[serde(serialize_with = "json::opt_timestamp")]
    pub last_cost_update: Option<DateTime<Utc>>,
    /// Computed by the database (trigger `calculate_product_total_lead_days`).
    pub total_lead_days: Option<i32>,
    #[serde(serialize_with = "json::opt_date")]
    pub projected_stockout_date: Option<NaiveDate>,
    #[serde(serialize_with = "json::opt_date")]
    pub last_order_by_date: Option<NaiveDate>,
    #[serde(serialize_with = "json::opt_timestamp")]
    pub timing_last_calculated: Option<DateTime<Utc>>,
    /// Set when archived: hidden from lists unless `include_archived=true`, refused in new
    /// orders, still counted in order history. Null: active.
    #[serde(serialize_with = "json::opt_timestamp")]
    pub archived_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "json::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "json::timestamp")]
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProduct {
    #[schema(required)]
    pub sku: Option<String>,
    #[schema(required)]
    pub name: Option<String>,
    pub category: Option<String>,
    /// Default 0.
    pub current_stock: Option<i64>,
    pub unit_cost: Option<Decimal>,
    pub unit_price: Option<Decimal>,
    pub reorder_cost: Option<Decimal>,
    pub holding_cost_rate: Option<Decimal>,
    #[schema(value_type = Option<CostSource>)]
    pub cost_source: Option<String>,
    /// Lead times default to the client's defaults when absent.
    pub supplier_lead_days: Option<i64>,
    pub shipping_lead_days: Option<i64>,
    pub processing_lead_days: Option<i64>,
    pub safety_buffer_days: Option<i64>,
    /// Where the lead times came from (default: none recorded).
    #[schema(value_type = Option<LeadTimeSource>)]
    pub lead_time_source: Option<String>,
}

/// PATCH: absent fields stay, `null` clears a nullable field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProduct {
    #[serde(default)]
    pub sku: Patch<String>,
    #[serde(default)]
    pub name: Patch<String>,
    #[serde(default)]
    pub category: Patch<String>,
    #[serde(default)]
    pub current_stock: Patch<i64>,
    #[serde(default)]
    pub unit_cost: Patch<Decimal>,
    #[serde(default)]
    pub unit_price: Patch<Decimal>,
    #[serde(default)]
    pub reorder_cost: Patch<Decimal>,
    #[serde(default)]
    pub holding_cost_rate: Patch<Decimal>,
    #[serde(default)]
    #[schema(value_type = Option<CostSource>)]
    pub cost_source: Patch<String>,
    #[serde(default)]
    pub supplier_lead_days: Patch<i64>,
    #[serde(default)]
    pub shipping_lead_days: Patch<i64>,
    #[serde(default)]
    pub processing_lead_days: Patch<i64>,
    #[serde(default)]
    pub safety_buffer_days: Patch<i64>,
    /// Where the lead times came from; `null` clears it.
    #[serde(default)]
    #[schema(value_type = Option<LeadTimeSource>)]
    pub lead_time_source: Patch<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductFilter {
    pub category: Option<String>,
    /// Products whose SKU or name contains this text (case-insensitive).
    pub q: Option<String>,
    /// Archived products too (default: active products only).
    #[serde(default)]
    pub include_archived: bool,
}

/// A product's writable columns: validated on the way in, part of [`Product`] on the way out.
/// `last_cost_update` is stamped by the caller when a cost field changes.
#[derive(Debug, Clone, Queryable, Selectable, AsChangeset, Insertable, Serialize, ToSchema)]
#[diesel(table_name = products, treat_none_as_null = true)]
pub struct ProductFields {
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    /// On-hand units.
    pub current_stock: i32,
    pub unit_cost: Option<Decimal>,
    pub unit_price: Option<Decimal>,
    /// Fixed cost of placing one replenishment order.
    pub reorder_cost: Option<Decimal>,
    /// Annual holding cost as a fraction of `unit_cost` (`"0.2500"` = 25 % a year).
    pub holding_cost_rate: Option<Decimal>,
    pub cost_source: Option<CostSource>,
    pub supplier_lead_days: Option<i32>,
    pub shipping_lead_days: Option<i32>,
    pub processing_lead_days: Option<i32>,
    pub safety_buffer_days: Option<i32>,
    pub lead_time_source: Option<String>,
}

impl ProductFields {
    pub fn costs_differ(&self, p: &ProductFields) -> bool {
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

impl CreateProduct {
    /// The product to insert; lead times the body leaves out come from the client's defaults.
    pub fn validate(&self, client: &Client) -> ApiResult<ProductFields> {
        validate(|v| ProductFields {
            sku: v
                .required("sku", self.sku.as_ref())
                .map(|s| sku(v, s))
                .unwrap_or_default(),
            name: v
                .required("name", self.name.as_ref())
                .map(|n| v.text("name", n, 200))
                .unwrap_or_default(),
            category: v.opt_text("category", self.category.as_deref(), 100),
            current_stock: stock(v, self.current_stock.unwrap_or(0)),
            unit_cost: self.unit_cost.as_ref().map(|d| v.money("unit_cost", d)),
            unit_price: self.unit_price.as_ref().map(|d| v.money("unit_price", d)),
            reorder_cost: self
                .reorder_cost
                .as_ref()
                .map(|d| v.money("reorder_cost", d)),
            holding_cost_rate: self
                .holding_cost_rate
                .as_ref()
                .map(|d| v.rate("holding_cost_rate", d)),
            cost_source: (self.cost_source.as_deref()).and_then(|s| v.word("cost_source", s)),
            supplier_lead_days: lead_days(v, "supplier_lead_days", self.supplier_lead_days)
                .or(client.fields.default_supplier_lead_days),
            shipping_lead_days: lead_days(v, "shipping_lead_days", self.shipping_lead_days)
                .or(client.fields.default_shipping_lead_days),
            processing_lead_days: lead_days(v, "processing_lead_days", self.processing_lead_days)
                .or(client.fields.default_processing_lead_days),
            safety_buffer_days: lead_days(v, "safety_buffer_days", self.safety_buffer_days)
                .or(client.fields.default_safety_buffer_days),
            lead_time_source: (self.lead_time_source.as_deref().map(str::trim))
                .filter(|s| !s.is_empty())
                .and_then(|s| v.word::<LeadTimeSource>("lead_time_source", s))
                .map(|w| w.as_str().to_owned()),
        })
    }
}

impl UpdateProduct {
    /// The product's fields with this PATCH applied.
    pub fn merged(&self, product: &Product) -> ApiResult<ProductFields> {
        let p = &product.fields;
        let days = |v: &mut Validator, field: &str, patch: &Patch<i64>, now: &Option<i32>| {
            v.patch(patch, now, |v, d| v.int_range(field, *d, 0, MAX_LEAD_DAYS))
        };
        validate(|v| ProductFields {
            sku: v.patch_required("sku", &self.sku, &p.sku, |v, s| sku(v, s)),
            name: v.patch_required("name", &self.name, &p.name, |v, n| v.text("name", n, 200)),
            category: v.patch_text("category", &self.category, &p.category, 100),
            current_stock: v.patch_required(
                "current_stock",
                &self.current_stock,
                &p.current_stock,
                |v, s| stock(v, *s),
            ),
            unit_cost: v.patch(&self.unit_cost, &p.unit_cost, |v, d| {
                v.money("unit_cost", d)
            }),
            unit_price: v.patch(&self.unit_price, &p.unit_price, |v, d| {
                v.money("unit_price", d)
            }),
            reorder_cost: v.patch(&self.reorder_cost, &p.reorder_cost, |v, d| {
                v.money("reorder_cost", d)
            }),
            holding_cost_rate: v.patch(&self.holding_cost_rate, &p.holding_cost_rate, |v, d| {
                v.rate("holding_cost_rate", d)
            }),
            cost_source: v
                .patch(&self.cost_source, &p.cost_source.map(Some), |v, s| {
                    v.word("cost_source", s)
                })
                .flatten(),
            supplier_lead_days: days(
                v,
                "supplier_lead_days",
                &self.supplier_lead_days,
                &p.supplier_lead_days,
            ),
            shipping_lead_days: days(
                v,
                "shipping_lead_days",
                &self.shipping_lead_days,
                &p.shipping_lead_days,
            ),
            processing_lead_days: days(
                v,
                "processing_lead_days",
                &self.processing_lead_days,
                &p.processing_lead_days,
            ),
            safety_buffer_days: days(
                v,
                "safety_buffer_days",
                &self.safety_buffer_days,
                &p.safety_buffer_days,
            ),
            lead_time_source: match &self.lead_time_source {
                Patch::Absent => p.lead_time_source.clone(),
                Patch::Null => None,
                Patch::Value(s) => Some(s.trim())
                    .filter(|s| !s.is_empty())
                    .and_then(|s| v.word::<LeadTimeSource>("lead_time_source", s))
                    .map(|w| w.as_str().to_owned()),
            },
        })
    }
}
