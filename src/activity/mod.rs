//! Live updates (issue 14): the outbox every live change is written to, the per-replica
//! listener that fans it out, and `GET /api/v1/me/stream`.
//!
//! - [`types`]: the event types and [`Activity`], the typed event a feature records;
//! - [`record`]: [`record()`]/[`record_all`], in the caller's transaction (outbox row +
//!   `pg_notify`, ids in commit order);
//! - [`hub`]: one dedicated `LISTEN activity_events` connection per replica, reconnected with
//!   backoff, catching up from the outbox by id, broadcasting each row once to every stream;
//! - [`stream`]: the SSE handler (replay after `Last-Event-ID`, then live; filters; limits);
//! - [`queries`]: the outbox reads (replay page, retention horizon, pruning).
//!
//! Environment (via [`crate::config::LiveConfig`]): `LIVE_STREAM_BUFFER`,
//! `LIVE_MAX_STREAMS_PER_USER`, `LIVE_MAX_STREAMS`, `LIVE_HEARTBEAT`, `ACTIVITY_RETENTION`.
//! Rules and the reasoning behind them: `docs/live-updates.md`.

pub mod config;
pub mod gauges;
pub mod hub;
pub mod queries;
pub mod record;
pub mod stream;
pub mod types;

pub use record::{record, record_all};
pub use types::{Activity, EventType};
