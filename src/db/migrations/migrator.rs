//! Applying and reverting, on a dedicated connection under the advisory lock.
//!
//! A fast path reads the applied set without any lock and returns when nothing is pending, so
//! a normal restart costs one round of reads. Otherwise the migrator takes the session-level
//! advisory lock (waiting a bounded time and logging who holds it), re-reads the applied set
//! (another replica may have done the work while we waited), and applies what is still
//! pending, each migration in its own transaction, so a failure leaves the database as it was
//! before that migration. Every attempt is recorded in the ledger.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use diesel_async::{AsyncMigrationHarness, AsyncPgConnection, SimpleAsyncConnection};
use diesel_migrations::MigrationHarness;
use serde::Serialize;

use super::{
    MigrationError,
    catalog::{Catalog, KnownMigration},
    ledger::{self, Action},
    lock,
};
use crate::db::pool;

/// How long one migration statement may wait for a table lock (see `Migrator::connect`).
pub const DDL_LOCK_TIMEOUT_SECS: u64 = 15;

/// One migration this run applied or reverted.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationRun {
    pub version: String,
    pub name: String,
    pub duration_ms: i64,
}

/// How far `revert` goes back.
#[derive(Debug, Clone)]
pub enum RevertTarget {
    /// The newest applied migration only.
    Last,
    /// Every applied migration newer than this version (`"0"`: all of them).
    To(String),
}

/// Applies or reverts migrations on a dedicated connection, under the advisory lock.
pub struct Migrator<'a> {
    catalog: &'a Catalog,
    database_url: &'a str,
    instance_id: &'a str,
    lock_timeout: Duration,
    connect_timeout: Duration,
}

impl<'a> Migrator<'a> {
    pub fn new(catalog: &'a Catalog, database_url: &'a str, instance_id: &'a str) -> Self {
        Self {
            catalog,
            database_url,
            instance_id,
            lock_timeout: Duration::from_secs(300),
            connect_timeout: Duration::from_secs(10),
        }
    }

    /// A migrator with the database, instance and timeouts of the configuration.
    pub fn for_database(catalog: &'a Catalog, cfg: &'a crate::config::DatabaseConfig) -> Self {
        Self::new(catalog, cfg.url.expose(), &cfg.instance_id)
            .lock_timeout(cfg.migration_lock_timeout)
            .connect_timeout(cfg.connect_timeout)
    }

    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    async fn connect(&self) -> Result<AsyncPgConnection, MigrationError> {
        let name = pool::application_name(self.instance_id, "migrate");
        let mut conn = pool::connect(self.database_url, self.connect_timeout, &name).await?;
        // A migration's ALTER TABLE waits for its table lock in a queue that also holds back
        // every later query on that table. Bounding the wait bounds that stall for live
        // traffic: past it the migration fails, is rolled back, and startup can be retried.
        // (A session setting, not a query: SET has no Diesel DSL.)
        conn.batch_execute(&format!("SET lock_timeout = '{}s'", DDL_LOCK_TIMEOUT_SECS))
            .await?;
        Ok(conn)
    }

    fn pending_in(&self, applied: &BTreeMap<String, DateTime<Utc>>) -> Vec<&'a KnownMigration> {
        self.catalog
            .migrations()
            .iter()
            .filter(|m| !applied.contains_key(&m.version))
            .collect()
    }

    /// Applies every pending migration; returns what this call applied (empty when another
    /// replica did the work or nothing was pending).
    pub async fn run_pending(&self) -> Result<Vec<MigrationRun>, MigrationError> {
        self.run_up_to(None).await
    }

    /// Applies pending migrations up to and including `target` (all of them with `None`).
    pub async fn run_up_to(
        &self,
        target: Option<&str>,
    ) -> Result<Vec<MigrationRun>, MigrationError> {
        if let Some(t) = target
            && self.catalog.get(t).is_none()
        {
            return Err(MigrationError::Refused(format!(
                "--to {t}: no such migration in this binary"
            )));
        }
        let within = |m: &&KnownMigration| target.is_none_or(|t| m.version.as_str() <= t);
        let mut conn = self.connect().await?;
        // Fast path: most starts have nothing to do and take no lock.
        if !self
            .pending_in(&ledger::applied_versions(&mut conn).await?)
            .iter()
            .any(within)
        {
            tracing::debug!("no pending migrations");
            return Ok(Vec::new());
        }
        lock::acquire(&mut conn, self.lock_timeout).await?;
        ledger::prepare_tables(&mut conn).await?;
        // Re-read under the lock: the replica we waited for may have applied everything.
        let pending: Vec<KnownMigration> = self
            .pending_in(&ledger::applied_versions(&mut conn).await?)
            .into_iter()
            .filter(within)
            .cloned()
            .collect();
        if pending.is_empty() {
            tracing::info!("migrations were applied by another instance while we waited");
        }
        let mut done = Vec::new();
        for m in &pending {
            tracing::info!(migration = %m.name, "applying migration");
            // On failure `conn` is dropped: closing the session releases the lock.
            let (next, run) = self.step(conn, m, Action::Apply).await?;
            conn = next;
            tracing::info!(migration = %m.name, duration_ms = run.duration_ms, "applied migration");
            done.push(run);
        }
        lock::release(&mut conn).await;
        Ok(done)
    }

    /// Reverts applied migrations, newest first.
    pub async fn revert(&self, target: RevertTarget) -> Result<Vec<MigrationRun>, MigrationError> {
        let mut conn = self.connect().await?;
        lock::acquire(&mut conn, self.lock_timeout).await?;
        ledger::prepare_tables(&mut conn).await?;
        let applied = ledger::applied_versions(&mut conn).await?;
        let steps = self.revert_steps(&applied, &target)?;
        let mut done = Vec::new();
        for m in &steps {
            tracing::info!(migration = %m.name, "reverting migration");
            let (next, run) = self.step(conn, m, Action::Revert).await?;
            conn = next;
            done.push(run);
        }
        lock::release(&mut conn).await;
        Ok(done)
    }

    /// The migrations `target` reverts, newest first; refused before anything is touched when
    /// there is nothing to revert or a step is not in this binary.
    fn revert_steps(
        &self,
        applied: &BTreeMap<String, DateTime<Utc>>,
        target: &RevertTarget,
    ) -> Result<Vec<KnownMigration>, MigrationError> {
        let to_revert: Vec<&String> = match target {
            RevertTarget::Last => applied.keys().next_back().into_iter().collect(),
            RevertTarget::To(version) => {
                if version != "0" && !applied.contains_key(version) {
                    return Err(MigrationError::Refused(format!(
                        "--to {version}: that version is not applied (use 0 to revert everything)"
                    )));
                }
                applied
                    .keys()
                    .rev()
                    .filter(|v| v.as_str() > version.as_str())
                    .collect()
            }
        };
        if to_revert.is_empty() {
            return Err(MigrationError::Refused(
                "nothing to revert: no migration is applied".into(),
            ));
        }
        to_revert
            .into_iter()
            .map(|version| {
                self.catalog.get(version).cloned().ok_or_else(|| {
                    MigrationError::Refused(format!(
                        "migration {version} was applied by another release and is not in this \
                         binary; revert it with the binary that applied it"
                    ))
                })
            })
            .collect()
    }

    /// Runs one migration step in its own transaction, with a ledger row around it.
    async fn step(
        &self,
        mut conn: AsyncPgConnection,
        m: &KnownMigration,
        action: Action,
    ) -> Result<(AsyncPgConnection, MigrationRun), MigrationError> {
        let attempt = ledger::start_attempt(&mut conn, m, action, self.instance_id).await?;

        let started = Instant::now();
        // Diesel runs the step and its bookkeeping in one transaction (run_in_transaction is
        // the default), so a failure rolls the database back to where it was before the step.
        let migration = self.catalog.load(&m.version)?;
        let mut harness = AsyncMigrationHarness::new(conn);
        let outcome = match action {
            Action::Apply => harness.run_migration(migration.as_ref()).map(|_| ()),
            Action::Revert => harness.revert_migration(migration.as_ref()).map(|_| ()),
        };
        drop(migration);
        let mut conn = harness.into_inner();
        let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);

        let error = outcome.as_ref().err().map(|e| e.to_string());
        ledger::finish_attempt(&mut conn, attempt, duration_ms, error.as_deref()).await?;

        match error {
            None => Ok((
                conn,
                MigrationRun {
                    version: m.version.clone(),
                    name: m.name.clone(),
                    duration_ms,
                },
            )),
            Some(error) => {
                tracing::error!(migration = %m.name, %error, "migration {} failed", action.as_str());
                Err(MigrationError::Failed {
                    version: m.version.clone(),
                    name: m.name.clone(),
                    error,
                })
            }
        }
    }
}
