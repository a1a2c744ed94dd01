//! An import line on the wire, validated, and the import's report.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    http::{error::FieldError, validation::Validator},
    shipments::{
        config::ShipmentsConfig,
        events::types::{CreateEvent, NewEvent},
        types::{CreateShipment, NewShipmentItem},
        validate::NewShipment,
    },
};

/// Events one line may carry.
pub const MAX_EVENTS_PER_LINE: usize = 10_000;
/// Characters of an explicit `import_key`.
pub const MAX_IMPORT_KEY: usize = 200;

/// One NDJSON line: the fields of `POST /shipments`, the shipment's `import_key` and its
/// `events` (bodies of `POST …/events`). The shipment fields are repeated here, not
/// flattened in, because serde's flatten loses the field paths of its errors (and so the
/// `field` of a line's error).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportLine {
    /// What makes a re-import change nothing: a shipment of this client with this key is
    /// kept as it is (its new events are still added). When absent:
    /// `<order_request_id>/<carrier>/<normalised tracking_number>`; a line with neither an
    /// `import_key` nor a `tracking_number` is refused.
    pub import_key: Option<String>,
    #[schema(required)]
    pub order_request_id: Option<uuid::Uuid>,
    #[schema(required, value_type = crate::shipments::types::Carrier)]
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub service_level: Option<String>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub estimated_delivery_at: Option<DateTime<Utc>>,
    #[schema(required)]
    pub items: Option<Vec<NewShipmentItem>>,
    /// The shipment's history, in any order: applied by the same rules as `POST …/events`.
    #[serde(default)]
    pub events: Vec<CreateEvent>,
}

/// A line that passed every check that needs no database.
#[derive(Debug, Clone)]
pub struct ValidLine {
    pub line: u64,
    pub import_key: String,
    pub shipment: NewShipment,
    /// Their `shipment_id` is set once the shipment is known.
    pub events: Vec<NewEvent>,
}

impl ImportLine {
    /// Every error is recorded on `v`, named like the fields of `POST /shipments` and
    /// `events[i].…`.
    pub fn checked(self, v: &mut Validator, cfg: &ShipmentsConfig, line: u64) -> ValidLine {
        let events = self.events;
        let create = CreateShipment {
            order_request_id: self.order_request_id,
            carrier: self.carrier,
            tracking_number: self.tracking_number,
            service_level: self.service_level,
            shipped_at: self.shipped_at,
            estimated_delivery_at: self.estimated_delivery_at,
            items: self.items,
        };
        let shipment = create.checked(v, cfg);
        let import_key = match (self.import_key, &shipment.fields.tracking_number) {
            (Some(key), _) => v.text("import_key", &key, MAX_IMPORT_KEY),
            (None, Some(number)) => format!(
                "{}/{}/{number}",
                shipment.order_request_id, shipment.fields.carrier
            ),
            (None, None) => {
                v.error(
                    "import_key",
                    "is required when the line has no tracking_number",
                );
                String::new()
            }
        };
        if events.len() > MAX_EVENTS_PER_LINE {
            v.error(
                "events",
                format!("must hold at most {MAX_EVENTS_PER_LINE} events"),
            );
        }
        let rules = shipment.fields.carrier.rules();
        let events = events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                e.parts()
                    .checked(v, &format!("events[{i}]."), rules, uuid::Uuid::nil())
            })
            .collect();
        ValidLine {
            line,
            import_key,
            shipment,
            events,
        }
    }
}

/// One error of one line.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LineError {
    /// 1-based line number in the body.
    pub line: u64,
    /// The field, named as in `POST /shipments` (`items[0].quantity`, `events[2].status`);
    /// `line` when the line is not a JSON object at all.
    pub field: String,
    pub message: String,
}

/// The answer of an import.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ImportReport {
    /// Non-blank lines read.
    pub lines: u64,
    pub shipments_created: u64,
    /// Lines whose `import_key` named a shipment that already existed: kept as it is.
    pub shipments_unchanged: u64,
    pub events_created: u64,
    /// Events stored before (the same scan: same dedupe key as `POST …/events`).
    pub events_duplicate: u64,
    /// Lines skipped, each with every failing field. At most [`MAX_REPORTED_ERRORS`] entries.
    pub errors: Vec<LineError>,
    /// Errors beyond those listed.
    pub errors_omitted: u64,
}

/// Entries of `errors` kept in the answer; the rest are counted in `errors_omitted`.
pub const MAX_REPORTED_ERRORS: usize = 1000;

impl ImportReport {
    pub fn reject(&mut self, line: u64, errors: impl IntoIterator<Item = FieldError>) {
        for e in errors {
            if self.errors.len() < MAX_REPORTED_ERRORS {
                self.errors.push(LineError {
                    line,
                    field: e.field,
                    message: e.message,
                });
            } else {
                self.errors_omitted += 1;
            }
        }
    }
}
