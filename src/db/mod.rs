//! Everything that talks to PostgreSQL at the lowest level: the pool, the embedded
//! migrations with their lock and ledger, and the Diesel schema.

pub mod checksum;
pub mod errors;
pub mod health;
pub mod liveness;
pub mod migrations;
pub mod notified;
pub mod pool;
pub mod prepared;
pub mod query;
pub mod schema;
pub mod text_enum;

pub use pool::{DbConn, DbPool};
