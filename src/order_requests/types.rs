use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    db::schema::{order_request_items, order_requests},
    http::{
        error::ApiResult,
        validation::{Validator, validate},
    },
    text_enum,
};

text_enum! {
    /// Where an order request stands. Which of these count as demand is the database's one
    /// rule (see docs/financial.md), not decided here.
    pub enum OrderStatus {
        Draft = "draft",
        Submitted = "submitted",
        Approved = "approved",
        Fulfilled = "fulfilled",
        Cancelled = "cancelled",
    }
}

/// Items per order request.
pub const MAX_ITEMS: usize = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OrderRequestPath {
    pub client_id: Uuid,
    pub order_request_id: Uuid,
}

/// An order request's own row.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = order_requests)]
pub struct OrderRequestRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub status: OrderStatus,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = order_request_items)]
pub struct OrderItem {
    pub id: Uuid,
    #[serde(skip)]
    pub order_request_id: Uuid,
    pub product_id: Uuid,
    pub quantity: i32,
}

/// An order request with its items, as answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderRequest {
    #[serde(flatten)]
    pub order: OrderRequestRow,
    pub items: Vec<OrderItem>,
}

impl OrderRequest {
    pub fn new(order: OrderRequestRow, items: Vec<OrderItem>) -> Self {
        Self { order, items }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    pub product_id: Uuid,
    /// Whole units, at least 1.
    pub quantity: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrderRequest {
    pub items: Vec<NewItem>,
    pub notes: Option<String>,
    /// `submitted` (default) or `draft`.
    pub status: Option<OrderStatus>,
}

/// A validated new order request: status, notes, and (product, quantity) per item.
pub struct NewOrder {
    pub status: OrderStatus,
    pub notes: Option<String>,
    pub items: Vec<(Uuid, i32)>,
}

impl CreateOrderRequest {
    pub fn validate(&self) -> ApiResult<NewOrder> {
        validate(|v| {
            if self.items.is_empty() {
                v.error("items", "must hold at least one item");
            }
            if self.items.len() > MAX_ITEMS {
                v.error("items", format!("must hold at most {MAX_ITEMS} items"));
            }
            let mut seen = std::collections::HashSet::new();
            let items = self
                .items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    if !seen.insert(item.product_id) {
                        v.error(
                            format!("items[{i}].product_id"),
                            "appears twice; put the total quantity on one item",
                        );
                    }
                    let field = format!("items[{i}].quantity");
                    (
                        item.product_id,
                        v.int_range(&field, item.quantity, 1, 1_000_000),
                    )
                })
                .collect();
            let status = self.status.unwrap_or(OrderStatus::Submitted);
            if !matches!(status, OrderStatus::Draft | OrderStatus::Submitted) {
                v.error("status", "must be one of: draft, submitted");
            }
            NewOrder {
                status,
                notes: v.opt_text("notes", self.notes.as_deref(), 2000),
                items,
            }
        })
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderRequestFilter {
    pub status: Option<OrderStatus>,
    /// Created on or after this date (UTC).
    pub from: Option<NaiveDate>,
    /// Created on or before this date (UTC).
    pub to: Option<NaiveDate>,
}

impl OrderRequestFilter {
    pub fn validate(&self, v: &mut Validator) {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            v.error("from", "must not be after to");
        }
    }
}
