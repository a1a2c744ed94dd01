//! `POST /api/v1/webhooks/carriers/{carrier}`: carriers push scans, signed with a per-carrier
//! secret (`CARRIER_WEBHOOK_SECRET_<CARRIER>`), no user token.
//!
//! Order of checks: the carrier, the signature and its timestamp (401, nothing stored), then
//! the payload is kept as received in `carrier_webhook_deliveries` whatever follows: a
//! repeated `event_id` of the carrier is a `duplicate`; an unreadable one is `rejected`
//! (422); a tracking number no shipment of that carrier has is `unmatched` (202, so the
//! carrier stops retrying; kept for later matching); else the scan goes through
//! [`super::events::apply`] exactly like a posted event.

pub mod handlers;
pub mod queries;
pub mod signature;
