//! Users of the dashboard: the 3PL's admins and operators, and client brands' users.
//! Managed by admins only; passwords are write-only and stored as Argon2id hashes.

pub mod handlers;
pub mod queries;
pub mod types;
