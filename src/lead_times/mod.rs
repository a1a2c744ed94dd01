//! Product lead times and reorder timing, under `/api/v1/clients/{client_id}`:
//!
//! - `PATCH /products/{product_id}/lead-times`: a product's lead-time components and their
//!   source; the database's trigger `calculate_product_total_lead_days` adds up the total;
//! - `POST /lead-times/apply-client-defaults`: stores the client's `default_*_lead_days` into
//!   its products that have none, in one statement;
//! - `POST /lead-times/recalculate` (and `fulfillment-ops jobs recalculate-lead-times` for
//!   every client): the stockout and order-by dates, one set-based statement (`recalculate.sql`);
//! - `GET /reorder-alerts`: what to reorder, by when, how many and why, from that cache.
//!
//! Every handler takes [`crate::auth::tenancy::ClientScope`], so tenancy is checked before it
//! runs; like the product's own PATCH, staff and the client's own users may write.
//! Rules, formulas and vocabularies: `docs/lead-times.md`.
//!
//! Environment: `LEAD_TIME_DEMAND_WINDOW_DAYS` (default 90, 1 to 365, via
//! [`crate::config`]): the days of counted orders the average daily demand is taken over.

pub mod alerts;
pub mod handlers;
pub mod queries;
pub mod types;
