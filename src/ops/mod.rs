//! Command-line operations besides `serve`.

pub mod healthcheck;
pub mod jobs;
pub mod migrate;
pub mod users;
