//! The HTTP framework: errors, extractors, pagination, decimals, validation, the middleware
//! stack, the server and the operational routes. It imports no feature; `routes.rs` does.

pub mod conn;
pub mod decimal;
pub mod error;
pub mod extract;
pub mod health;
pub mod json;
pub mod metrics;
pub mod openapi_problems;
pub mod pagination;
pub mod patch;
pub mod prelude;
pub mod problem_layer;
pub mod response;
pub mod server;
pub mod stack;
pub mod state;
pub mod validation;
