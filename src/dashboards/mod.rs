//! Dashboard personalization (issue 13): every user's own saved layouts on a 24-column grid,
//! with versions and restore and one default (by the database's partial unique index), the
//! effective dashboard the front end draws, and the user's preferences. Routes are under
//! `/api/v1/me/…` and serve the caller only: another user's layout is not found, whatever
//! the caller's role. See docs/dashboards.md. Reads no environment variables.

pub mod cache;
pub mod concurrency;
pub mod effective;
pub mod layouts;
pub mod preferences;
pub mod widgets;
