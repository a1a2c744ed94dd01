//! Clients: the 3PL's brands. Every other record belongs to one.

pub mod handlers;
pub mod queries;
pub mod types;
