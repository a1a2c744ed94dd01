//! Shipments on the wire and in the database.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::carriers::normalize;
use crate::{
    db::schema::{shipment_items, shipments},
    http::{patch::Patch, validation::Validator},
    text_enum,
};

text_enum! {
    /// The carriers the service tracks (their rules: [`super::carriers::CARRIERS`]).
    pub enum Carrier {
        Ups,
        Fedex,
        Usps,
        Dhl,
    }
}

text_enum! {
    /// Where a parcel is. `delivered`, `returned_to_sender` and `cancelled` are terminal.
    pub enum ShipmentStatus {
        LabelCreated,
        InTransit,
        OutForDelivery,
        AvailableForPickup,
        DeliveryAttempted,
        Exception,
        Delivered,
        ReturnedToSender,
        Cancelled,
    }
}

impl ShipmentStatus {
    /// The same list as the database's `shipment_status_is_terminal`.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Delivered | Self::ReturnedToSender | Self::Cancelled
        )
    }
}

/// Whether a shipment is delayed, computed at read time so it is true to the second: open
/// (not terminal) and its estimated delivery passed. The filter `?delayed=true` uses the same
/// text, which the partial index `shipments_open_estimated_delivery_idx` matches.
pub const DELAYED_SQL: &str = "(shipments.status NOT IN ('delivered', 'returned_to_sender', 'cancelled') \
     AND shipments.estimated_delivery_at IS NOT NULL AND shipments.estimated_delivery_at < now())";

pub type DelayedExpr = diesel::expression::SqlLiteral<diesel::sql_types::Bool>;

pub fn delayed() -> DelayedExpr {
    diesel::dsl::sql::<diesel::sql_types::Bool>(DELAYED_SQL)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ShipmentPath {
    pub client_id: Uuid,
    pub shipment_id: Uuid,
}

/// What posting an event reads of its shipment (`queries::event_target_for_update`).
#[derive(Debug, Clone, Copy, Queryable, Selectable)]
#[diesel(table_name = shipments)]
pub struct EventTarget {
    pub carrier: Carrier,
    pub status: ShipmentStatus,
    pub last_event_at: Option<DateTime<Utc>>,
}

impl EventTarget {
    /// Whether an event at `event_time` is newer than the whole history of a shipment that
    /// has not reached a terminal status: then it simply becomes the state (no earlier event
    /// can outrank it, nothing is cut off), which `events::one` applies without reading the
    /// history. A tie in time is not newer: the rule's tie-breaks need the history.
    pub fn appends(&self, event_time: DateTime<Utc>) -> bool {
        !self.status.is_terminal() && self.last_event_at.is_none_or(|last| event_time > last)
    }
}

/// A shipment's own row, as answered.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = shipments)]
pub struct ShipmentRow {
    pub id: Uuid,
    pub order_request_id: Uuid,
    pub client_id: Uuid,
    pub carrier: Carrier,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    pub service_level: Option<String>,
    /// Follows the newest event; see `POST …/events`.
    pub status: ShipmentStatus,
    pub shipped_at: Option<DateTime<Utc>>,
    pub estimated_delivery_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// Not terminal and the estimated delivery has passed, as of this response.
    #[diesel(select_expression = delayed())]
    #[diesel(select_expression_type = DelayedExpr)]
    pub is_delayed: bool,
    pub exception_reason: Option<String>,
    /// `event_time` of the event the status comes from.
    pub last_event_at: Option<DateTime<Utc>>,
    /// The carrier payload of that event.
    #[schema(value_type = Option<Object>)]
    pub raw_tracking_data: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = shipment_items)]
pub struct ShipmentItem {
    pub id: Uuid,
    #[serde(skip)]
    pub shipment_id: Uuid,
    pub product_id: Uuid,
    pub order_request_item_id: Option<Uuid>,
    pub quantity: i32,
}

/// A shipment with the items it carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct Shipment {
    #[serde(flatten)]
    pub shipment: ShipmentRow,
    pub items: Vec<ShipmentItem>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShipmentItem {
    #[schema(required)]
    pub product_id: Option<Uuid>,
    /// The order line shipped; when absent, the order's line of this product.
    pub order_request_item_id: Option<Uuid>,
    /// Whole units, at least 1, at most what remains to ship on the line.
    #[schema(required)]
    pub quantity: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateShipment {
    #[schema(required)]
    pub order_request_id: Option<Uuid>,
    #[schema(required, value_type = Carrier)]
    pub carrier: Option<String>,
    /// Spaces removed and upper-cased, then checked against the carrier's formats.
    pub tracking_number: Option<String>,
    pub service_level: Option<String>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub estimated_delivery_at: Option<DateTime<Utc>>,
    #[schema(required)]
    pub items: Option<Vec<NewShipmentItem>>,
}

/// PATCH: absent fields stay, `null` clears a nullable one. The status is not here: it
/// follows the events.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateShipment {
    #[serde(default)]
    #[schema(value_type = Option<Carrier>)]
    pub carrier: Patch<String>,
    #[serde(default)]
    pub tracking_number: Patch<String>,
    #[serde(default)]
    pub service_level: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub shipped_at: Patch<DateTime<Utc>>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub estimated_delivery_at: Patch<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShipmentFilter {
    pub status: Option<ShipmentStatus>,
    pub carrier: Option<Carrier>,
    pub order_request_id: Option<Uuid>,
    /// `true`: only delayed shipments; `false`: only those not delayed.
    pub delayed: Option<bool>,
    /// Shipped on or after this date (UTC).
    pub from: Option<chrono::NaiveDate>,
    /// Shipped on or before this date (UTC).
    pub to: Option<chrono::NaiveDate>,
}

/// A shipment's writable columns, validated.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = shipments, treat_none_as_null = true)]
pub struct ShipmentFields {
    pub carrier: Carrier,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    pub service_level: Option<String>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub estimated_delivery_at: Option<DateTime<Utc>>,
}

/// An item as asked for, before it is matched to the order's lines.
#[derive(Debug, Clone, Copy)]
pub struct ItemRequest {
    pub product_id: Uuid,
    pub order_request_item_id: Option<Uuid>,
    pub quantity: i32,
}

pub const MAX_ITEMS: usize = 500;
/// How far ahead of the server's clock a time a carrier reports may be.
pub const MAX_FUTURE: chrono::TimeDelta = chrono::TimeDelta::days(1);

/// A tracking number, normalised and checked against the carrier's formats (an unknown
/// carrier is reported on its own field, so the number is then only normalised).
pub fn tracking_number(
    v: &mut Validator,
    field: &str,
    carrier: Option<Carrier>,
    raw: &str,
) -> String {
    let number = normalize(raw);
    if number.is_empty() {
        v.error(field, "must not be empty");
    } else if let Some(rules) = carrier.map(Carrier::rules)
        && !rules.accepts(&number)
    {
        v.error(field, rules.format_hint);
    }
    number
}

/// A time a carrier reports: at most a day ahead of the server's clock.
pub fn not_far_future(v: &mut Validator, field: &str, at: DateTime<Utc>) -> DateTime<Utc> {
    if at > Utc::now() + MAX_FUTURE {
        v.error(field, "must not be more than a day in the future");
    }
    at
}

/// The items of a create (or import) body: present, 1 to 500, quantities 1 to 1 000 000.
pub fn item_requests(
    v: &mut Validator,
    prefix: &str,
    items: Option<&Vec<NewShipmentItem>>,
) -> Vec<ItemRequest> {
    let Some(items) = v.required(&format!("{prefix}items"), items) else {
        return Vec::new();
    };
    if items.is_empty() || items.len() > MAX_ITEMS {
        v.error(
            format!("{prefix}items"),
            format!("must hold 1 to {MAX_ITEMS} items"),
        );
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = |name: &str| format!("{prefix}items[{i}].{name}");
            let product_id = v.required(&field("product_id"), item.product_id.as_ref());
            let quantity = v
                .required(&field("quantity"), item.quantity.as_ref())
                .map(|q| v.int_range(&field("quantity"), *q, 1, 1_000_000))
                .unwrap_or(0);
            ItemRequest {
                product_id: product_id.copied().unwrap_or_default(),
                order_request_item_id: item.order_request_item_id,
                quantity,
            }
        })
        .collect()
}
