//! Embedded migrations, applied safely by several replicas at once, with a ledger for drift.
//!
//! * The SQL lives in `migrations/` and is embedded with Diesel's `embed_migrations!`; the
//!   checksum of every `up.sql` is computed at build time (`build.rs`).
//! * Applying: a fast path reads the applied set without any lock and returns when nothing is
//!   pending, so a normal restart costs one query. Otherwise the migrator takes a
//!   session-level advisory lock on its own dedicated connection (waiting a bounded time and
//!   logging who holds it), re-reads the applied set (another replica may have done the work
//!   while we waited), and applies what is still pending, each migration in its own
//!   transaction, so a failure leaves the database as it was before that migration.
//! * Diesel's `__diesel_schema_migrations` records only a version and a time. Beside it the
//!   `__migration_ledger` table records every attempt: the checksum applied, which instance,
//!   start and finish, duration, and the error of a failed attempt. The status report compares
//!   the binary's checksums with the ledger's to flag `modified` migrations, the way Flyway
//!   and Prisma report drift.
//! * Reading the status (`/admin/migrations`, `/readyz`, `migrate status`) never creates or
//!   alters anything: tables that do not exist yet simply mean "nothing applied".

use std::{
    collections::{BTreeMap, HashMap},
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use diesel::{
    migration::{Migration, MigrationSource},
    pg::Pg,
    sql_types::{BigInt, Bool, Integer, Nullable, Text, Timestamptz},
};
use diesel_async::{AsyncMigrationHarness, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{
    EmbeddedMigrations, FileBasedMigrations, MigrationHarness, embed_migrations,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{checksum::up_sql_checksum, pool};

/// Every migration in `migrations/`, compiled into the binary.
pub const EMBEDDED: EmbeddedMigrations = embed_migrations!("migrations");

include!(concat!(env!("OUT_DIR"), "/migration_checksums.rs"));

/// Advisory lock keys (two-int form): `classid` names this application, `objid` the purpose.
/// Visible in `pg_locks` as `classid = 0x464F5053` ("FOPS"), `objid = 1`, `objsubid = 2`.
pub const LOCK_CLASS: i32 = 0x464F_5053;
/// How long one migration statement may wait for a table lock (see `Migrator::connect`).
pub const DDL_LOCK_TIMEOUT_SECS: u64 = 15;
pub const LOCK_MIGRATIONS: i32 = 1;

const LEDGER_DDL: &str = r#"
CREATE TABLE IF NOT EXISTS __migration_ledger (
    id           BIGSERIAL PRIMARY KEY,
    version      VARCHAR(50) NOT NULL,
    name         TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('apply', 'revert')),
    checksum     TEXT,
    instance_id  TEXT NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    finished_at  TIMESTAMPTZ,
    duration_ms  BIGINT,
    success      BOOLEAN,
    error        TEXT
);
CREATE INDEX IF NOT EXISTS __migration_ledger_version_id_idx ON __migration_ledger (version, id);
COMMENT ON TABLE __migration_ledger IS
  'fulfillment-ops: every attempt to apply or revert a migration (checksum, instance, timing, error). Diesel''s own record is __diesel_schema_migrations.';
"#;

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

    fn get(&self, version: &str) -> Option<&KnownMigration> {
        self.migrations.iter().find(|m| m.version == version)
    }

    /// The runnable Diesel migration of a version.
    fn load(&self, version: &str) -> Result<Box<dyn Migration<Pg>>, MigrationError> {
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

// ---------------------------------------------------------------------------------------------
// Status (read-only)
// ---------------------------------------------------------------------------------------------

/// Where one migration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MigrationState {
    /// Applied, and its SQL is what this binary has.
    Applied,
    /// Known to this binary, not applied to the database.
    Pending,
    /// Applied, but this binary's `up.sql` differs from what was applied.
    Modified,
    /// Applied in the database, absent from this binary (a newer release applied it).
    Unknown,
}

/// The last failed (or interrupted) attempt to apply a migration that is still pending.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MigrationFailure {
    pub instance_id: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The database error, or null when the attempt never finished (the process died).
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MigrationStatus {
    /// `YYYYMMDDhhmmss`, Diesel's version.
    pub version: String,
    /// The migration's folder name; null for an `unknown` migration no ledger entry names.
    pub name: Option<String>,
    pub state: MigrationState,
    pub applied_at: Option<DateTime<Utc>>,
    /// How long applying took, when the ledger recorded it.
    pub duration_ms: Option<i64>,
    /// SHA-256 of this binary's `up.sql`, or of the applied one for an `unknown` migration.
    pub checksum: Option<String>,
    /// SHA-256 of the `up.sql` that was applied, when the ledger recorded it.
    pub applied_checksum: Option<String>,
    /// The instance that applied it, when the ledger recorded it.
    pub applied_by: Option<String>,
    pub last_failure: Option<MigrationFailure>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MigrationSummary {
    /// The newest applied version (null on an empty database).
    pub current_version: Option<String>,
    /// The newest version this binary knows.
    pub latest_version: Option<String>,
    pub pending_count: usize,
    pub modified_count: usize,
    pub unknown_count: usize,
    /// Nothing pending and nothing modified.
    pub up_to_date: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MigrationReport {
    pub migrations: Vec<MigrationStatus>,
    pub summary: MigrationSummary,
}

/// Who holds the migration lock right now.
#[derive(Debug, Clone, Serialize, ToSchema, diesel::QueryableByName)]
pub struct LockHolder {
    #[diesel(sql_type = Integer)]
    pub pid: i32,
    #[diesel(sql_type = Nullable<Text>)]
    pub application_name: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub backend_start: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    pub client_addr: Option<String>,
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} ({})",
            self.pid,
            self.application_name
                .as_deref()
                .unwrap_or("unknown application")
        )
    }
}

#[derive(diesel::QueryableByName)]
struct TablesPresent {
    #[diesel(sql_type = Bool)]
    diesel_table: bool,
    #[diesel(sql_type = Bool)]
    ledger_table: bool,
}

#[derive(diesel::QueryableByName)]
struct AppliedRow {
    #[diesel(sql_type = Text)]
    version: String,
    #[diesel(sql_type = Timestamptz)]
    run_on: DateTime<Utc>,
}

#[derive(diesel::QueryableByName)]
struct LedgerRow {
    #[diesel(sql_type = Text)]
    version: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    action: String,
    #[diesel(sql_type = Nullable<Text>)]
    checksum: Option<String>,
    #[diesel(sql_type = Text)]
    instance_id: String,
    #[diesel(sql_type = Timestamptz)]
    started_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    finished_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<BigInt>)]
    duration_ms: Option<i64>,
    #[diesel(sql_type = Nullable<Bool>)]
    success: Option<bool>,
    #[diesel(sql_type = Nullable<Text>)]
    error: Option<String>,
}

async fn tables_present(
    conn: &mut AsyncPgConnection,
) -> Result<TablesPresent, diesel::result::Error> {
    diesel::sql_query(
        "SELECT to_regclass('__diesel_schema_migrations') IS NOT NULL AS diesel_table, \
                to_regclass('__migration_ledger') IS NOT NULL AS ledger_table",
    )
    .get_result(conn)
    .await
}

async fn applied_versions(
    conn: &mut AsyncPgConnection,
) -> Result<BTreeMap<String, DateTime<Utc>>, diesel::result::Error> {
    if !tables_present(conn).await?.diesel_table {
        return Ok(BTreeMap::new());
    }
    read_applied(conn).await
}

/// Diesel's record of applied versions; the caller has checked that the table exists.
async fn read_applied(
    conn: &mut AsyncPgConnection,
) -> Result<BTreeMap<String, DateTime<Utc>>, diesel::result::Error> {
    let rows: Vec<AppliedRow> = diesel::sql_query(
        "SELECT version::text AS version, run_on::timestamptz AS run_on FROM __diesel_schema_migrations",
    )
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.version, r.run_on)).collect())
}

/// Reads where every migration stands, without creating or altering anything.
pub async fn status(
    conn: &mut AsyncPgConnection,
    catalog: &Catalog,
) -> Result<MigrationReport, diesel::result::Error> {
    let present = tables_present(conn).await?;
    let applied = if present.diesel_table {
        read_applied(conn).await?
    } else {
        BTreeMap::new()
    };
    // The latest ledger row per version, and the latest successful apply per version.
    let (latest, last_apply): (HashMap<String, LedgerRow>, HashMap<String, LedgerRow>) =
        if present.ledger_table {
            let latest: Vec<LedgerRow> = diesel::sql_query(
                "SELECT DISTINCT ON (version) version::text AS version, name, action, checksum, \
                        instance_id, started_at, finished_at, duration_ms, success, error \
                 FROM __migration_ledger ORDER BY version, id DESC",
            )
            .load(conn)
            .await?;
            let applies: Vec<LedgerRow> = diesel::sql_query(
                "SELECT DISTINCT ON (version) version::text AS version, name, action, checksum, \
                        instance_id, started_at, finished_at, duration_ms, success, error \
                 FROM __migration_ledger WHERE action = 'apply' AND success \
                 ORDER BY version, id DESC",
            )
            .load(conn)
            .await?;
            (
                latest.into_iter().map(|r| (r.version.clone(), r)).collect(),
                applies
                    .into_iter()
                    .map(|r| (r.version.clone(), r))
                    .collect(),
            )
        } else {
            Default::default()
        };

    let mut out = Vec::new();
    for known in catalog.migrations() {
        let ledger = last_apply.get(&known.version);
        let entry = match applied.get(&known.version) {
            Some(run_on) => {
                let applied_checksum = ledger.and_then(|l| l.checksum.clone());
                let modified = applied_checksum
                    .as_deref()
                    .is_some_and(|c| c != known.checksum);
                MigrationStatus {
                    version: known.version.clone(),
                    name: Some(known.name.clone()),
                    state: if modified {
                        MigrationState::Modified
                    } else {
                        MigrationState::Applied
                    },
                    applied_at: Some(ledger.and_then(|l| l.finished_at).unwrap_or(*run_on)),
                    duration_ms: ledger.and_then(|l| l.duration_ms),
                    checksum: Some(known.checksum.clone()),
                    applied_checksum,
                    applied_by: ledger.map(|l| l.instance_id.clone()),
                    last_failure: None,
                }
            }
            None => {
                let last_failure = latest
                    .get(&known.version)
                    .filter(|l| l.action == "apply" && l.success != Some(true))
                    .map(|l| MigrationFailure {
                        instance_id: l.instance_id.clone(),
                        started_at: l.started_at,
                        finished_at: l.finished_at,
                        error: l.error.clone(),
                    });
                MigrationStatus {
                    version: known.version.clone(),
                    name: Some(known.name.clone()),
                    state: MigrationState::Pending,
                    applied_at: None,
                    duration_ms: None,
                    checksum: Some(known.checksum.clone()),
                    applied_checksum: None,
                    applied_by: None,
                    last_failure,
                }
            }
        };
        out.push(entry);
    }
    for (version, run_on) in &applied {
        if catalog.get(version).is_some() {
            continue;
        }
        let ledger = last_apply.get(version);
        out.push(MigrationStatus {
            version: version.clone(),
            name: ledger.map(|l| l.name.clone()),
            state: MigrationState::Unknown,
            applied_at: Some(ledger.and_then(|l| l.finished_at).unwrap_or(*run_on)),
            duration_ms: ledger.and_then(|l| l.duration_ms),
            checksum: ledger.and_then(|l| l.checksum.clone()),
            applied_checksum: ledger.and_then(|l| l.checksum.clone()),
            applied_by: ledger.map(|l| l.instance_id.clone()),
            last_failure: None,
        });
    }
    out.sort_by(|a, b| a.version.cmp(&b.version));

    let count = |s: MigrationState| out.iter().filter(|m| m.state == s).count();
    let (pending_count, modified_count, unknown_count) = (
        count(MigrationState::Pending),
        count(MigrationState::Modified),
        count(MigrationState::Unknown),
    );
    let summary = MigrationSummary {
        current_version: applied.keys().next_back().cloned(),
        latest_version: catalog.latest_version().map(str::to_owned),
        pending_count,
        modified_count,
        unknown_count,
        up_to_date: pending_count == 0 && modified_count == 0,
    };
    Ok(MigrationReport {
        migrations: out,
        summary,
    })
}

/// Who holds the migration lock in this database, if anyone.
pub async fn lock_holder(
    conn: &mut AsyncPgConnection,
) -> Result<Option<LockHolder>, diesel::result::Error> {
    diesel::sql_query(
        "SELECT l.pid, a.application_name, a.backend_start, host(a.client_addr) AS client_addr \
         FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted \
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.objsubid = 2 \
         LIMIT 1",
    )
    .bind::<BigInt, _>(i64::from(LOCK_CLASS))
    .bind::<BigInt, _>(i64::from(LOCK_MIGRATIONS))
    .get_result(conn)
    .await
    .map(Some)
    .or_else(|e| match e {
        diesel::result::Error::NotFound => Ok(None),
        e => Err(e),
    })
}

// ---------------------------------------------------------------------------------------------
// Applying and reverting
// ---------------------------------------------------------------------------------------------

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

#[derive(Debug, Clone, Copy)]
enum Action {
    Apply,
    Revert,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Self::Apply => "apply",
            Self::Revert => "revert",
        }
    }
}

#[derive(diesel::QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

#[derive(diesel::QueryableByName)]
struct LedgerId {
    #[diesel(sql_type = BigInt)]
    id: i64,
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
            .pending_in(&applied_versions(&mut conn).await?)
            .iter()
            .any(within)
        {
            tracing::debug!("no pending migrations");
            return Ok(Vec::new());
        }
        self.acquire_lock(&mut conn).await?;
        prepare_tables(&mut conn).await?;
        // Re-read under the lock: the replica we waited for may have applied everything.
        let pending: Vec<KnownMigration> = self
            .pending_in(&applied_versions(&mut conn).await?)
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
        release_lock(&mut conn).await;
        Ok(done)
    }

    /// Reverts applied migrations, newest first.
    pub async fn revert(&self, target: RevertTarget) -> Result<Vec<MigrationRun>, MigrationError> {
        let mut conn = self.connect().await?;
        self.acquire_lock(&mut conn).await?;
        prepare_tables(&mut conn).await?;
        let applied = applied_versions(&mut conn).await?;
        let to_revert: Vec<String> = match &target {
            RevertTarget::Last => applied.keys().next_back().cloned().into_iter().collect(),
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
                    .cloned()
                    .collect()
            }
        };
        if to_revert.is_empty() {
            return Err(MigrationError::Refused(
                "nothing to revert: no migration is applied".into(),
            ));
        }
        // Refuse before touching anything when a step is not in this binary.
        let mut steps = Vec::new();
        for version in &to_revert {
            match self.catalog.get(version) {
                Some(m) => steps.push(m.clone()),
                None => {
                    return Err(MigrationError::Refused(format!(
                        "migration {version} was applied by another release and is not in this \
                         binary; revert it with the binary that applied it"
                    )));
                }
            }
        }
        let mut done = Vec::new();
        for m in &steps {
            tracing::info!(migration = %m.name, "reverting migration");
            let (next, run) = self.step(conn, m, Action::Revert).await?;
            conn = next;
            done.push(run);
        }
        release_lock(&mut conn).await;
        Ok(done)
    }

    /// Runs one migration step in its own transaction, with a ledger row around it.
    async fn step(
        &self,
        mut conn: AsyncPgConnection,
        m: &KnownMigration,
        action: Action,
    ) -> Result<(AsyncPgConnection, MigrationRun), MigrationError> {
        let LedgerId { id } = diesel::sql_query(
            "INSERT INTO __migration_ledger (version, name, action, checksum, instance_id) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind::<Text, _>(&m.version)
        .bind::<Text, _>(&m.name)
        .bind::<Text, _>(action.as_str())
        .bind::<Text, _>(&m.checksum)
        .bind::<Text, _>(self.instance_id)
        .get_result(&mut conn)
        .await?;

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
        diesel::sql_query(
            "UPDATE __migration_ledger SET finished_at = clock_timestamp(), duration_ms = $2, \
             success = $3, error = $4 WHERE id = $1",
        )
        .bind::<BigInt, _>(id)
        .bind::<BigInt, _>(duration_ms)
        .bind::<Bool, _>(error.is_none())
        .bind::<Nullable<Text>, _>(error.as_deref())
        .execute(&mut conn)
        .await?;

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

    /// Takes the session-level advisory lock, waiting at most `lock_timeout`.
    async fn acquire_lock(&self, conn: &mut AsyncPgConnection) -> Result<(), MigrationError> {
        let started = Instant::now();
        let mut last_report: Option<Instant> = None;
        loop {
            let Locked { locked } =
                diesel::sql_query("SELECT pg_try_advisory_lock($1, $2) AS locked")
                    .bind::<Integer, _>(LOCK_CLASS)
                    .bind::<Integer, _>(LOCK_MIGRATIONS)
                    .get_result(conn)
                    .await?;
            if locked {
                tracing::info!(
                    waited_ms = started.elapsed().as_millis() as u64,
                    "took the migration lock"
                );
                return Ok(());
            }
            let holder = lock_holder(conn)
                .await?
                .map_or_else(|| "another session".to_owned(), |h| h.to_string());
            if started.elapsed() >= self.lock_timeout {
                return Err(MigrationError::LockTimeout {
                    waited_secs: started.elapsed().as_secs(),
                    holder,
                });
            }
            if last_report.is_none_or(|t| t.elapsed() >= Duration::from_secs(5)) {
                tracing::info!(%holder, "waiting for the migration lock");
                last_report = Some(Instant::now());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Creates Diesel's table and the ledger; only ever called with the lock held.
async fn prepare_tables(conn: &mut AsyncPgConnection) -> Result<(), MigrationError> {
    conn.batch_execute(diesel::migration::CREATE_MIGRATIONS_TABLE)
        .await?;
    conn.batch_execute(LEDGER_DDL).await?;
    Ok(())
}

async fn release_lock(conn: &mut AsyncPgConnection) {
    let released = diesel::sql_query("SELECT pg_advisory_unlock($1, $2) AS locked")
        .bind::<Integer, _>(LOCK_CLASS)
        .bind::<Integer, _>(LOCK_MIGRATIONS)
        .get_result::<Locked>(conn)
        .await;
    if let Err(e) = released {
        // The lock is session-level: closing the connection (which follows) releases it.
        tracing::warn!(error = %e, "could not release the migration lock explicitly");
    }
}
