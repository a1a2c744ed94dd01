//! Create and PATCH bodies into validated shipment fields.

use uuid::Uuid;

use super::{
    config::ShipmentsConfig,
    types::{
        Carrier, CreateShipment, ItemRequest, ShipmentFields, ShipmentRow, UpdateShipment,
        item_requests, not_far_future, tracking_number,
    },
};
use crate::http::{
    error::ApiResult,
    validation::{Validator, validate},
};

/// A validated new shipment: its order request, its columns and the items asked for.
#[derive(Debug, Clone)]
pub struct NewShipment {
    pub order_request_id: Uuid,
    pub fields: ShipmentFields,
    pub items: Vec<ItemRequest>,
}

fn checked_times(v: &mut Validator, fields: &ShipmentFields) {
    if let (Some(shipped), Some(eta)) = (fields.shipped_at, fields.estimated_delivery_at)
        && eta < shipped
    {
        v.error("estimated_delivery_at", "must not be before shipped_at");
    }
}

impl CreateShipment {
    pub fn validate(&self, cfg: &ShipmentsConfig) -> ApiResult<NewShipment> {
        validate(|v| self.checked(v, cfg))
    }

    /// Records every error on `v` (the import reports them per line).
    pub fn checked(&self, v: &mut Validator, cfg: &ShipmentsConfig) -> NewShipment {
        let order_request_id = v.required("order_request_id", self.order_request_id.as_ref());
        let carrier = v
            .required("carrier", self.carrier.as_ref())
            .and_then(|c| v.word::<Carrier>("carrier", c));
        let number = self
            .tracking_number
            .as_deref()
            .map(|n| tracking_number(v, "tracking_number", carrier, n));
        let fields = ShipmentFields {
            carrier: carrier.unwrap_or(Carrier::Ups),
            tracking_url: carrier
                .zip(number.as_deref())
                .map(|(c, n)| cfg.tracking_url(c, n)),
            tracking_number: number,
            service_level: v.opt_text("service_level", self.service_level.as_deref(), 100),
            shipped_at: self.shipped_at.map(|t| not_far_future(v, "shipped_at", t)),
            estimated_delivery_at: self.estimated_delivery_at,
        };
        checked_times(v, &fields);
        NewShipment {
            order_request_id: order_request_id.copied().unwrap_or_default(),
            items: item_requests(v, "", self.items.as_ref()),
            fields,
        }
    }
}

impl UpdateShipment {
    /// The shipment's columns with this PATCH applied; a new carrier re-checks the number.
    pub fn merged(
        &self,
        current: &ShipmentRow,
        cfg: &ShipmentsConfig,
    ) -> ApiResult<ShipmentFields> {
        validate(|v| {
            let carrier = v.patch_required("carrier", &self.carrier, &current.carrier, |v, c| {
                v.word::<Carrier>("carrier", c).unwrap_or(current.carrier)
            });
            let number = match &self.tracking_number {
                crate::http::patch::Patch::Absent => current
                    .tracking_number
                    .as_deref()
                    .map(|n| tracking_number(v, "tracking_number", Some(carrier), n)),
                crate::http::patch::Patch::Null => None,
                crate::http::patch::Patch::Value(n) => {
                    Some(tracking_number(v, "tracking_number", Some(carrier), n))
                }
            };
            let fields = ShipmentFields {
                carrier,
                tracking_url: number.as_deref().map(|n| cfg.tracking_url(carrier, n)),
                tracking_number: number,
                service_level: v.patch_text(
                    "service_level",
                    &self.service_level,
                    &current.service_level,
                    100,
                ),
                shipped_at: v.patch(&self.shipped_at, &current.shipped_at, |v, t| {
                    not_far_future(v, "shipped_at", *t)
                }),
                estimated_delivery_at: v.patch(
                    &self.estimated_delivery_at,
                    &current.estimated_delivery_at,
                    |_, t| *t,
                ),
            };
            checked_times(v, &fields);
            fields
        })
    }
}
