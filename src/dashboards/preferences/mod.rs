//! `GET/PUT/PATCH /api/v1/me/preferences`: the caller's UI, real-time and notification
//! preferences, with an `ETag` so two tabs cannot overwrite each other.

pub mod body;
pub mod handlers;
pub mod queries;
pub mod types;
