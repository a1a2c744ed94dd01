//! The integration tests: one binary, one module per feature (as crates.io does), so the
//! crate and the harness are compiled and linked once rather than once per file.
//!
//! `tests/common/` is the harness (a fresh database per test cloned from a migrated template,
//! the app in process, Diesel builders, API helpers). It is a module of this binary, not a
//! target of its own: Cargo builds only `tests/*.rs` and `tests/*/main.rs` as test targets.
//!
//! Filter as usual: `scripts/test.sh --test it financial::` runs one feature's module.

#[path = "../common/mod.rs"]
mod common;

mod admin_migrations;
mod auth;
mod auth_cache;
mod benchmarking;
mod chaos;
mod clients;
mod dashboards;
mod demo_screens;
mod financial;
mod lead_times;
mod live;
mod migrations;
mod openapi;
mod operations;
mod order_history;
mod order_requests;
mod products;
mod protocol;
mod robustness;
mod run_script;
mod schema;
mod seed;
mod shipments;
mod sign_in_throttle;
mod startup;
mod tenancy;
mod users;
