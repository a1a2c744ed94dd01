//! Operator routes under `/admin`.

pub mod database;
pub mod migrations;
