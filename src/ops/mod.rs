//! Command-line operations besides `serve`.

pub mod healthcheck;
pub mod migrate;
pub mod users;
