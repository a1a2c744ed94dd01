//! Shipment tracking: a client's shipments of its order requests with the items they carry,
//! their carrier event history (one status machine that never regresses), signed carrier
//! webhooks and the NDJSON historical import. See docs/shipments.md.
//!
//! Environment: `TRACKING_URL_<CARRIER>` (tracking page templates),
//! `CARRIER_WEBHOOK_SECRET_<CARRIER>` (webhook HMAC keys), `IMPORT_BODY_LIMIT_BYTES`,
//! `IMPORT_REQUEST_TIMEOUT`; read by
//! [`config::ShipmentsConfig::from_env`].

pub mod allocation;
pub mod carriers;
pub mod config;
pub mod delays;
pub mod events;
pub mod handlers;
pub mod import;
pub mod queries;
pub mod types;
pub mod validate;
pub mod webhooks;
