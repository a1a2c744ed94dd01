//! Shipment events on the wire and in the database.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    db::schema::shipment_events,
    http::validation::Validator,
    shipments::{
        carriers::CarrierRules,
        types::{ShipmentStatus, not_far_future},
    },
};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Serialize, ToSchema)]
#[diesel(table_name = shipment_events)]
pub struct ShipmentEvent {
    pub id: Uuid,
    pub shipment_id: Uuid,
    /// Ours, after the carrier's native code was mapped.
    pub status: ShipmentStatus,
    /// The carrier's text (an exception's reason), as posted.
    pub description: Option<String>,
    /// Where the scan happened, as the carrier names it.
    pub location: Option<String>,
    /// When the carrier scanned it: the history's order, and what decides the state.
    pub event_time: DateTime<Utc>,
    /// The estimate this scan brought; null when it brought none (the shipment keeps its own).
    pub estimated_delivery_at: Option<DateTime<Utc>>,
    /// The carrier's payload as posted (`raw`).
    #[schema(value_type = Option<Object>)]
    pub raw_data: Option<serde_json::Value>,
    #[serde(skip)]
    pub dedupe_key: String,
    /// When this service stored it (not when it was scanned).
    pub created_at: DateTime<Utc>,
}

/// A scan to append, as posted (`POST …/events`, and in each import line).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEvent {
    /// One of ours, or the carrier's native code.
    #[schema(required, value_type = ShipmentStatus)]
    pub status: Option<String>,
    /// The carrier's text; an `exception`'s becomes the shipment's `exception_reason`.
    pub description: Option<String>,
    /// Where the scan happened.
    pub location: Option<String>,
    /// When the carrier scanned it; at most a day ahead of the server's clock.
    #[schema(required)]
    pub event_time: Option<DateTime<Utc>>,
    /// The carrier's new estimate, if the scan brought one.
    pub estimated_delivery_at: Option<DateTime<Utc>>,
    /// The carrier's payload, kept as JSONB.
    #[schema(value_type = Option<Object>)]
    pub raw: Option<serde_json::Value>,
}

/// A validated event for one shipment, with its dedupe key.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = shipment_events)]
pub struct NewEvent {
    pub shipment_id: Uuid,
    pub status: ShipmentStatus,
    pub description: Option<String>,
    pub location: Option<String>,
    pub event_time: DateTime<Utc>,
    pub estimated_delivery_at: Option<DateTime<Utc>>,
    pub raw_data: Option<serde_json::Value>,
    pub dedupe_key: String,
}

/// The fields that identify a scan, hashed: the same scan posted twice (by the API, a
/// webhook or an import) has the same key and is stored once.
pub fn dedupe_key(
    status: ShipmentStatus,
    event_time: DateTime<Utc>,
    location: Option<&str>,
    description: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    for part in [
        status.as_str(),
        &event_time.timestamp_micros().to_string(),
        location.unwrap_or(""),
        description.unwrap_or(""),
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// The parts of an event every source shares, validated: status (ours or the carrier's
/// native code), texts, time (not far in the future) and the new estimate.
pub struct EventParts<'a> {
    pub status: Option<&'a str>,
    pub description: Option<&'a str>,
    pub location: Option<&'a str>,
    pub event_time: Option<DateTime<Utc>>,
    pub estimated_delivery_at: Option<DateTime<Utc>>,
    pub raw: Option<serde_json::Value>,
}

impl EventParts<'_> {
    /// Records every error on `v` under `prefix` (`events[3].` in an import line).
    pub fn checked(
        self,
        v: &mut Validator,
        prefix: &str,
        rules: &CarrierRules,
        shipment_id: Uuid,
    ) -> NewEvent {
        let field = |name: &str| format!("{prefix}{name}");
        let status = v
            .required(&field("status"), self.status.as_ref())
            .and_then(|s| {
                let found = rules.status(s);
                if found.is_none() {
                    v.error(
                        field("status"),
                        format!(
                            "must be one of: {}, or a native {} status code",
                            <ShipmentStatus as crate::db::text_enum::Vocabulary>::WORDS.join(", "),
                            rules.carrier
                        ),
                    );
                }
                found
            })
            .unwrap_or(ShipmentStatus::InTransit);
        let event_time = v
            .required(&field("event_time"), self.event_time.as_ref())
            .map(|t| not_far_future(v, &field("event_time"), *t))
            .unwrap_or_default();
        let description = v.opt_text(&field("description"), self.description, 1000);
        let location = v.opt_text(&field("location"), self.location, 200);
        if self.raw.as_ref().is_some_and(holds_nul) {
            // JSONB cannot store \u0000: refused here, not as a database error.
            v.error(field("raw"), "must not contain NUL characters (\\u0000)");
        }
        NewEvent {
            shipment_id,
            dedupe_key: dedupe_key(
                status,
                event_time,
                location.as_deref(),
                description.as_deref(),
            ),
            status,
            description,
            location,
            event_time,
            estimated_delivery_at: self.estimated_delivery_at,
            raw_data: self.raw,
        }
    }
}

/// Whether a JSON value holds a NUL character in a string or a key.
fn holds_nul(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

impl CreateEvent {
    pub fn parts(&self) -> EventParts<'_> {
        EventParts {
            status: self.status.as_deref(),
            description: self.description.as_deref(),
            location: self.location.as_deref(),
            event_time: self.event_time,
            estimated_delivery_at: self.estimated_delivery_at,
            raw: self.raw.clone(),
        }
    }
}

/// The answer to a posted event: the stored event, and whether it moved the shipment.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventReceipt {
    #[serde(flatten)]
    pub event: ShipmentEvent,
    /// Whether the shipment's state now comes from this event.
    pub applied: bool,
    /// Why not, when not applied: a duplicate, an older event, or a terminal shipment.
    pub reason: Option<String>,
    /// The shipment's status after this event.
    pub shipment_status: ShipmentStatus,
}
