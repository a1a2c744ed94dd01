//! Who is calling and what they may do: passwords (Argon2id), access tokens (HS256 JWT), the
//! operators' `ADMIN_TOKEN`.

pub mod admin;
pub mod handlers;
pub mod password;
pub mod principal;
pub mod tenancy;
pub mod throttle;
pub mod token;
pub mod user_cache;
