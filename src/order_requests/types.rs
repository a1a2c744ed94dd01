use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::schema::{order_request_items, order_requests};

pub const STATUSES: &[&str] = &["draft", "submitted", "approved", "fulfilled", "cancelled"];
/// What a new order request may start as.
pub const INITIAL_STATUSES: &[&str] = &["draft", "submitted"];
/// Items per order request.
pub const MAX_ITEMS: usize = 500;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_requests)]
pub struct OrderRequestRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub status: String,
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

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderRequest {
    pub id: Uuid,
    pub client_id: Uuid,
    /// `draft`, `submitted`, `approved`, `fulfilled` or `cancelled`.
    pub status: String,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub items: Vec<OrderItem>,
}

impl OrderRequest {
    pub fn new(row: OrderRequestRow, items: Vec<OrderItem>) -> Self {
        Self {
            id: row.id,
            client_id: row.client_id,
            status: row.status,
            notes: row.notes,
            created_at: row.created_at,
            updated_at: row.updated_at,
            items,
        }
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
    pub status: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderRequestFilter {
    pub status: Option<String>,
    /// Created on or after this date (UTC).
    pub from: Option<NaiveDate>,
    /// Created on or before this date (UTC).
    pub to: Option<NaiveDate>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
