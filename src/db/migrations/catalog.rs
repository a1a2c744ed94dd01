//! The migrations a binary (or a test) knows: their versions, names and `up.sql` checksums.
//!
//! The SQL lives in `migrations/` and is embedded with Diesel's `embed_migrations!`; the
//! checksum of every `up.sql` is computed at build time (`build.rs`), so the binary can tell a
//! migration whose SQL changed after it was applied.

use std::path::{Path, PathBuf};

use diesel::{
    migration::{Migration, MigrationSource},
    pg::Pg,
};
use diesel_migrations::{EmbeddedMigrations, FileBasedMigrations, embed_migrations};

use super::MigrationError;
use crate::db::checksum::up_sql_checksum;

/// Every migration in `migrations/`, compiled into the binary.
pub const EMBEDDED: EmbeddedMigrations = embed_migrations!("migrations");

include!(concat!(env!("OUT_DIR"), "/migration_checksums.rs"));

/// One migration the binary knows: its identity and fingerprint (the runnable migration is
/// loaded from the source only at the moment it runs; Diesel's migration objects are not
/// `Send`, and this catalog lives in the shared application state).
#[derive(Debug, Clone)]
pub struct KnownMigration {
    pub version: String,
    /// The folder name, e.g. `20251215000001_add_financial_tracking`.
    pub name: String,
    /// SHA-256 of `up.sql`.
    pub checksum: String,
}

#[derive(Debug, Clone)]
enum Source {
    Embedded,
    Dir(PathBuf),
}

/// The ordered set of migrations a binary (or a test) knows.
#[derive(Debug, Clone)]
pub struct Catalog {
    migrations: Vec<KnownMigration>,
    source: Source,
}

fn source_error(e: impl std::fmt::Display) -> MigrationError {
    MigrationError::Source(e.to_string())
}

impl Catalog {
    /// The migrations compiled into this binary, fingerprinted by `build.rs`.
    pub fn embedded() -> Self {
        let migrations = EMBEDDED_CHECKSUMS
            .iter()
            .map(|(version, name, checksum)| KnownMigration {
                version: (*version).to_owned(),
                name: (*name).to_owned(),
                checksum: (*checksum).to_owned(),
            })
            .collect();
        Self {
            migrations,
            source: Source::Embedded,
        }
    }

    /// Migrations read from a directory at run time (tests use it to stage failures and drift).
    pub fn from_dir(dir: &Path) -> Result<Self, MigrationError> {
        let mut migrations = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(source_error)? {
            let path = entry.map_err(source_error)?.path();
            let Ok(sql) = std::fs::read(path.join("up.sql")) else {
                continue;
            };
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            migrations.push(KnownMigration {
                version: name.split('_').next().unwrap_or_default().to_owned(),
                checksum: up_sql_checksum(&sql),
                name,
            });
        }
        migrations.sort_by(|a, b| a.version.cmp(&b.version));
        Ok(Self {
            migrations,
            source: Source::Dir(dir.to_owned()),
        })
    }

    pub fn migrations(&self) -> &[KnownMigration] {
        &self.migrations
    }

    pub fn latest_version(&self) -> Option<&str> {
        self.migrations.last().map(|m| m.version.as_str())
    }

    pub(super) fn get(&self, version: &str) -> Option<&KnownMigration> {
        self.migrations.iter().find(|m| m.version == version)
    }

    /// The runnable Diesel migration of a version.
    pub(super) fn load(&self, version: &str) -> Result<Box<dyn Migration<Pg>>, MigrationError> {
        let all = match &self.source {
            Source::Embedded => {
                MigrationSource::<Pg>::migrations(&EMBEDDED).map_err(source_error)?
            }
            Source::Dir(dir) => {
                let source = FileBasedMigrations::from_path(dir).map_err(source_error)?;
                MigrationSource::<Pg>::migrations(&source).map_err(source_error)?
            }
        };
        all.into_iter()
            .find(|m| m.name().version().to_string() == version)
            .ok_or_else(|| {
                MigrationError::Source(format!("migration {version} is not in the source"))
            })
    }
}
