//! Where every migration stands (applied, pending, modified, unknown) and the summary, read
//! without creating or altering anything (`/admin/migrations`, `/readyz`, `migrate status`).
//!
//! Drift is found the way Flyway and Prisma report it: the binary's checksum of an applied
//! migration is compared with the one the ledger recorded when it was applied.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    catalog::{Catalog, KnownMigration},
    ledger::{self, Action, Attempts, LedgerRow},
};

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

/// Reads where every migration stands, without creating or altering anything.
pub async fn status(
    conn: &mut AsyncPgConnection,
    catalog: &Catalog,
) -> QueryResult<MigrationReport> {
    let present = ledger::tables_present(conn).await?;
    let applied = if present.diesel_table {
        ledger::read_applied(conn).await?
    } else {
        BTreeMap::new()
    };
    // The latest ledger row per version, and the latest successful apply per version.
    let (latest, last_apply) = if present.ledger_table {
        (
            ledger::latest_per_version(conn, Attempts::Any).await?,
            ledger::latest_per_version(conn, Attempts::SuccessfulApplies).await?,
        )
    } else {
        Default::default()
    };

    let mut out: Vec<MigrationStatus> = catalog
        .migrations()
        .iter()
        .map(|known| match applied.get(&known.version) {
            Some(run_on) => applied_status(known, *run_on, last_apply.get(&known.version)),
            None => pending_status(known, latest.get(&known.version)),
        })
        .collect();
    for (version, run_on) in &applied {
        if catalog.get(version).is_none() {
            out.push(unknown_status(version, *run_on, last_apply.get(version)));
        }
    }
    out.sort_by(|a, b| a.version.cmp(&b.version));
    let summary = summarize(&out, &applied, catalog);
    Ok(MigrationReport {
        migrations: out,
        summary,
    })
}

/// A migration this binary knows that is applied: `modified` when the ledger's checksum of
/// that apply differs from the binary's.
fn applied_status(
    known: &KnownMigration,
    run_on: DateTime<Utc>,
    last_apply: Option<&LedgerRow>,
) -> MigrationStatus {
    let applied_checksum = last_apply.and_then(|l| l.checksum.clone());
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
        applied_at: Some(last_apply.and_then(|l| l.finished_at).unwrap_or(run_on)),
        duration_ms: last_apply.and_then(|l| l.duration_ms),
        checksum: Some(known.checksum.clone()),
        applied_checksum,
        applied_by: last_apply.map(|l| l.instance_id.clone()),
        last_failure: None,
    }
}

/// A migration this binary knows that is not applied, with its last attempt when that was a
/// failed (or interrupted) apply.
fn pending_status(known: &KnownMigration, latest: Option<&LedgerRow>) -> MigrationStatus {
    let last_failure = latest
        .filter(|l| l.action == Action::Apply.as_str() && l.success != Some(true))
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

/// A migration applied in the database that this binary does not know (a newer release's).
fn unknown_status(
    version: &str,
    run_on: DateTime<Utc>,
    last_apply: Option<&LedgerRow>,
) -> MigrationStatus {
    MigrationStatus {
        version: version.to_owned(),
        name: last_apply.map(|l| l.name.clone()),
        state: MigrationState::Unknown,
        applied_at: Some(last_apply.and_then(|l| l.finished_at).unwrap_or(run_on)),
        duration_ms: last_apply.and_then(|l| l.duration_ms),
        checksum: last_apply.and_then(|l| l.checksum.clone()),
        applied_checksum: last_apply.and_then(|l| l.checksum.clone()),
        applied_by: last_apply.map(|l| l.instance_id.clone()),
        last_failure: None,
    }
}

fn summarize(
    statuses: &[MigrationStatus],
    applied: &BTreeMap<String, DateTime<Utc>>,
    catalog: &Catalog,
) -> MigrationSummary {
    let count = |s: MigrationState| statuses.iter().filter(|m| m.state == s).count();
    let (pending_count, modified_count, unknown_count) = (
        count(MigrationState::Pending),
        count(MigrationState::Modified),
        count(MigrationState::Unknown),
    );
    MigrationSummary {
        current_version: applied.keys().next_back().cloned(),
        latest_version: catalog.latest_version().map(str::to_owned),
        pending_count,
        modified_count,
        unknown_count,
        up_to_date: pending_count == 0 && modified_count == 0,
    }
}
