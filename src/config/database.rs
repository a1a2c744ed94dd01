//! `DATABASE_*`, `MIGRATION_LOCK_TIMEOUT`, `INSTANCE_ID` and `MIGRATE_ON_STARTUP`: what every
//! database-touching command needs.

use std::{str::FromStr, time::Duration};

use super::env::{ConfigError, Secret, duration, one_of, parsed_within, required, var};

/// What `serve` does with pending migrations before it accepts traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrateMode {
    /// Apply pending migrations (under the advisory lock), then serve.
    Apply,
    /// Apply nothing; serve, but stay unready while a migration is pending or modified.
    /// For deployments that migrate in a separate job.
    Verify,
    /// Neither apply nor gate readiness on migrations.
    Off,
}

impl FromStr for MigrateMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let words = [
            ("apply", Self::Apply),
            ("verify", Self::Verify),
            ("off", Self::Off),
        ];
        one_of(s, &words, "apply, verify or off")
    }
}

/// What every database-touching command needs.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub url: Secret,
    pub pool_size: usize,
    pub statement_timeout: Duration,
    pub connect_timeout: Duration,
    /// How long the liveness probe waits for `SELECT 1` before the database counts as stalled.
    pub stall_timeout: Duration,
    pub migration_lock_timeout: Duration,
    pub instance_id: String,
}

fn default_instance_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{host}-{}", std::process::id())
}

impl DatabaseConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let url = required(
            "DATABASE_URL",
            "set it to postgres://user:password@host:5432/database (scripts/run.sh sets one up)",
        )?;
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(ConfigError::invalid(
                "DATABASE_URL",
                "must start with postgres:// or postgresql://",
            ));
        }
        let pool_size: usize = parsed_within(
            "DATABASE_POOL_SIZE",
            10,
            |n| (1..=1000).contains(n),
            |n| format!("{n} is outside 1..=1000"),
        )?;
        let stall_timeout = duration("DATABASE_STALL_TIMEOUT", Duration::from_secs(3))?;
        if stall_timeout.is_zero() {
            return Err(ConfigError::invalid(
                "DATABASE_STALL_TIMEOUT",
                "must be more than 0",
            ));
        }
        Ok(Self {
            url: Secret::new(url),
            pool_size,
            statement_timeout: duration("DATABASE_STATEMENT_TIMEOUT", Duration::from_secs(30))?,
            connect_timeout: duration("DATABASE_CONNECT_TIMEOUT", Duration::from_secs(5))?,
            stall_timeout,
            migration_lock_timeout: duration("MIGRATION_LOCK_TIMEOUT", Duration::from_secs(300))?,
            instance_id: var("INSTANCE_ID").unwrap_or_else(default_instance_id),
        })
    }
}
