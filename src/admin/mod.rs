//! Operator routes under `/admin`.

pub mod migrations;
