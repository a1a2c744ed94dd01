use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    db::schema::{order_request_items, order_request_transitions, order_requests},
    http::{
        error::ApiResult,
        patch::Patch,
        validation::{Validator, validate},
    },
    text_enum,
};

text_enum! {
    /// Where an order request stands. Which of these count as demand is the database's one
    /// rule (see docs/financial.md), not decided here.
    pub enum OrderStatus {
        Draft,
        Submitted,
        Approved,
        Fulfilled,
        Cancelled,
    }
}

impl OrderStatus {
    /// The order request's state machine (docs/order-requests.md): draft → submitted →
    /// approved → fulfilled, and cancelled from any status that is not final. The statuses
    /// an order in this one may move to; none for the final `fulfilled` and `cancelled`.
    pub fn next(self) -> &'static [OrderStatus] {
        use OrderStatus::*;
        match self {
            Draft => &[Submitted, Cancelled],
            Submitted => &[Approved, Cancelled],
            Approved => &[Fulfilled, Cancelled],
            Fulfilled | Cancelled => &[],
        }
    }

    /// Why `self → to` is refused, in the user's words; `None` when it is allowed.
    pub fn refuses(self, to: OrderStatus) -> Option<String> {
        let next = self.next();
        if next.contains(&to) {
            return None;
        }
        Some(if next.is_empty() {
            format!("the order request is {self}, which is final; its status cannot change")
        } else {
            let words: Vec<&str> = next.iter().map(|s| s.as_str()).collect();
            format!(
                "an order request that is {self} cannot become {to}; it can become: {}",
                words.join(", ")
            )
        })
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
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Serialize, ToSchema)]
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

/// One change of an order request's status (its creation included, `from_status` null).
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = order_request_transitions)]
pub struct Transition {
    #[serde(skip)]
    pub id: i64,
    pub from_status: Option<OrderStatus>,
    pub to_status: OrderStatus,
    /// The user who made the change; null when that user was deleted since.
    pub changed_by: Option<Uuid>,
    pub changed_at: DateTime<Utc>,
    /// The reason given with the change, if any.
    pub note: Option<String>,
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

/// An order's items, checked: at least one, at most [`MAX_ITEMS`], each product once, whole
/// quantities from 1 to 1 000 000. Ownership is the database's to check (under a lock).
fn check_items(v: &mut Validator, items: &[NewItem]) -> Vec<(Uuid, i32)> {
    if items.is_empty() {
        v.error("items", "must hold at least one item");
    }
    if items.len() > MAX_ITEMS {
        v.error("items", format!("must hold at most {MAX_ITEMS} items"));
    }
    let mut seen = std::collections::HashSet::new();
    items
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
        .collect()
}

impl CreateOrderRequest {
    pub fn validate(&self) -> ApiResult<NewOrder> {
        validate(|v| {
            let items = check_items(v, &self.items);
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

/// `PATCH …/order-requests/{id}`: move the order along its state machine, change its notes,
/// and, while it is a draft, replace its items. Absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrderRequest {
    /// The next status: draft → submitted → approved → fulfilled, or cancelled from any
    /// status that is not final. The current status again changes nothing.
    #[serde(default)]
    #[schema(value_type = Option<OrderStatus>)]
    pub status: Patch<String>,
    /// Why the status changes (kept in the order's transitions, at most 500 characters).
    #[serde(default)]
    pub reason: Patch<String>,
    /// `null` clears the notes.
    #[serde(default)]
    pub notes: Patch<String>,
    /// The order's new items, replacing all of them; only while it is a draft.
    #[serde(default)]
    #[schema(value_type = Option<Vec<NewItem>>)]
    pub items: Patch<Vec<NewItem>>,
}

/// A validated PATCH of an order request.
pub struct OrderChange {
    pub status: Option<OrderStatus>,
    pub reason: Option<String>,
    /// `None`: the notes stay; `Some(None)`: cleared.
    pub notes: Option<Option<String>>,
    pub items: Option<Vec<(Uuid, i32)>>,
}

impl UpdateOrderRequest {
    pub fn validate(&self) -> ApiResult<OrderChange> {
        validate(|v| {
            let status = match &self.status {
                Patch::Absent => None,
                Patch::Null => {
                    v.error("status", "must not be null");
                    None
                }
                Patch::Value(word) => v.word::<OrderStatus>("status", word),
            };
            let reason = self
                .reason
                .value()
                .and_then(|r| v.opt_text("reason", Some(r), 500));
            if reason.is_some() && status.is_none() {
                v.error("reason", "goes with a status change; name the new status");
            }
            let notes = v.change(&self.notes, |v, n| v.opt_text("notes", Some(n), 2000));
            let items = match &self.items {
                Patch::Absent => None,
                Patch::Null => {
                    v.error(
                        "items",
                        "must not be null; an order holds at least one item",
                    );
                    None
                }
                Patch::Value(items) => Some(check_items(v, items)),
            };
            OrderChange {
                status,
                reason,
                notes: notes.map(Option::flatten),
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
