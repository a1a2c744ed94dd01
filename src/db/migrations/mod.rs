//! Embedded migrations, applied safely by several replicas at once, with a ledger for drift.
//!
//! * [`catalog`]: the migrations compiled into the binary (Diesel's `embed_migrations!`) and
//!   the checksum of every `up.sql`, computed at build time (`build.rs`).
//! * [`migrator`]: applying and reverting on a dedicated connection, under the advisory lock
//!   of [`lock`] when anything is pending, each migration in its own transaction.
//! * [`ledger`]: Diesel's `__diesel_schema_migrations` records only a version and a time;
//!   beside it `__migration_ledger` records every attempt (checksum, instance, timing, error).
//! * [`status`]: where every migration stands (applied, pending, modified, unknown), comparing
//!   the binary's checksums with the ledger's the way Flyway and Prisma report drift.
//!
//! Reading the status (`/admin/migrations`, `/readyz`, `migrate status`) never creates or
//! alters anything: tables that do not exist yet simply mean "nothing applied".

pub mod catalog;
pub mod ledger;
pub mod lock;
pub mod migrator;
pub mod status;

pub use catalog::{Catalog, EMBEDDED, EMBEDDED_CHECKSUMS, KnownMigration};
pub use lock::{LOCK_CLASS, LOCK_MIGRATIONS, LockHolder, lock_holder};
pub use migrator::{DDL_LOCK_TIMEOUT_SECS, MigrationRun, Migrator, RevertTarget};
pub use status::{
    MigrationFailure, MigrationReport, MigrationState, MigrationStatus, MigrationSummary, status,
};

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("database connection failed: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("timed out after {waited_secs}s waiting for the migration lock held by {holder}")]
    LockTimeout { waited_secs: u64, holder: String },
    #[error("migration {name} failed and was rolled back: {error}")]
    Failed {
        version: String,
        name: String,
        error: String,
    },
    #[error("cannot load migrations: {0}")]
    Source(String),
    #[error("{0}")]
    Refused(String),
}
