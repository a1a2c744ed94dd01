//! Order requests: what a client asks the 3PL to ship. Their items are the demand that costs,
//! lead-time timing and benchmarks read.

pub mod handlers;
pub mod queries;
pub mod types;
