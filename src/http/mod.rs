//! The HTTP surface: router, middleware, errors, extractors and operational routes.

pub mod decimal;
pub mod error;
pub mod extract;
pub mod health;
pub mod metrics;
pub mod openapi;
pub mod pagination;
pub mod paths;
pub mod problem_layer;
pub mod router;
pub mod server;
pub mod state;
pub mod validation;
