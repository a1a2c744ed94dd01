//! Checksums of migration scripts.
//!
//! Shared by `build.rs` (which fingerprints every embedded `up.sql` at build time) and by
//! the library (which fingerprints migrations read from a directory at run time), so both
//! sides of a drift comparison are computed the same way.

use sha2::{Digest, Sha256};

/// Hex SHA-256 of a migration's `up.sql`, byte for byte: any edit, even whitespace, is a change.
pub fn up_sql_checksum(up_sql: &[u8]) -> String {
    hex::encode(Sha256::digest(up_sql))
}
