//! Saved layouts: CRUD, the one default, and the kept versions with restore.

pub mod handlers;
pub mod queries;
pub mod types;
