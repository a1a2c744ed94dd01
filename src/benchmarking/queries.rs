//! Every SQL statement of benchmarking. The computing statements are `.sql` files beside this
//! one: `metrics.sql` (the five metrics of some clients for a month), `snapshot.sql` (every
//! cohort's percentiles from those, under the privacy rules), `refresh_bands.sql` and
//! `participation.sql`.

use bigdecimal::BigDecimal;
use chrono::NaiveDate;
use std::sync::LazyLock;

use diesel::{
    pg::Pg,
    prelude::*,
    query_builder::{AstPass, Query, QueryFragment, QueryId},
    sql_types::{Array, Bool, Date, Nullable, Numeric, Text},
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::participation::ParticipationRow;
use super::types::{MetricsRow, RunRow, SnapshotKey, SnapshotRow, SnapshotRun};
use crate::{
    activity::Activity,
    db::schema::{benchmark_participation, benchmark_snapshot_runs, benchmark_snapshots},
    http::pagination::PageRequest,
    keyset_page,
};

/// The five metrics of the clients `$2` for the month `$1`.
pub const METRICS_SQL: &str = include_str!("metrics.sql");

/// The snapshot statement: the metrics as its first CTE, then the cohorts and percentiles.
pub const SNAPSHOT_SQL: &str = concat!(
    "WITH client_metrics AS MATERIALIZED (\n",
    include_str!("metrics.sql"),
    "\n),\n",
    include_str!("snapshot.sql")
);

const REFRESH_BANDS_SQL: &str = include_str!("refresh_bands.sql");
/// The participation upsert (also PREPAREd by the demo seed).
pub const PARTICIPATION_SQL: &str = include_str!("participation.sql");

/// The client's participation, if it ever set one.
pub async fn participation(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
) -> QueryResult<Option<ParticipationRow>> {
    benchmark_participation::table
        .filter(benchmark_participation::client_id.eq(client_id))
        .select(ParticipationRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Writes the client's participation (see `participation.sql`); `None` when it opts in
/// without any industry (neither given nor on the client).
pub async fn put_participation(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    is_participating: bool,
    industry: Option<&str>,
    size_band: Option<&str>,
) -> QueryResult<Option<ParticipationRow>> {
    diesel::sql_query(PARTICIPATION_SQL)
        .bind::<diesel::sql_types::Uuid, _>(client_id)
        .bind::<Bool, _>(is_participating)
        .bind::<Nullable<Text>, _>(industry)
        .bind::<Nullable<Text>, _>(size_band)
        .get_result(conn)
        .await
        .optional()
}

/// One client's own metrics for the month starting `period`, from its own data only.
pub async fn client_metrics(
    conn: &mut AsyncPgConnection,
    period: NaiveDate,
    client_id: Uuid,
) -> QueryResult<MetricsRow> {
    PreparedMetrics {
        period,
        clients: vec![client_id],
    }
    .get_result(conn)
    .await
}

/// `metrics.sql` as a statement Diesel keeps prepared on each connection: `sql_query` is
/// never cached, and planning this statement costs about as much as running it for one
/// client, on every view request. Its `$1`/`$2` become bind parameters in place (the same
/// text each time, so the connection's statement cache finds it).
struct PreparedMetrics {
    period: NaiveDate,
    clients: Vec<Uuid>,
}

/// The statement's text cut at each `$1`/`$2`: (text before, the parameter after it).
static METRICS_PIECES: LazyLock<Vec<(String, Option<char>)>> = LazyLock::new(|| {
    let code: String = METRICS_SQL
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut pieces = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find('$') {
        let param = rest[at + 1..].chars().next();
        pieces.push((rest[..at].to_owned(), param));
        rest = &rest[at + 2..];
    }
    pieces.push((rest.to_owned(), None));
    pieces
});

impl QueryFragment<Pg> for PreparedMetrics {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        for (text, param) in METRICS_PIECES.iter() {
            out.push_sql(text);
            match param {
                Some('1') => out.push_bind_param::<Date, _>(&self.period)?,
                Some('2') => {
                    out.push_bind_param::<Array<diesel::sql_types::Uuid>, _>(&self.clients)?
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl QueryId for PreparedMetrics {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for PreparedMetrics {
    type SqlType = diesel::sql_types::Untyped;
}

/// The frozen snapshot of a cohort and month.
pub async fn snapshot(
    conn: &mut AsyncPgConnection,
    cohort: &str,
    period: NaiveDate,
) -> QueryResult<Option<SnapshotRow>> {
    benchmark_snapshots::table
        .filter(benchmark_snapshots::cohort.eq(cohort))
        .filter(benchmark_snapshots::period.eq(period))
        .select(SnapshotRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The record of the month's last snapshot run, if any.
pub async fn run(conn: &mut AsyncPgConnection, period: NaiveDate) -> QueryResult<Option<RunRow>> {
    benchmark_snapshot_runs::table
        .find(period)
        .select(RunRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Sort key of the aggregates list.
pub fn key(r: &SnapshotRow) -> SnapshotKey {
    (r.period, r.cohort.clone())
}

/// Snapshots, newest period first; `cohort` restricts to one cohort (a client user's).
pub async fn list_snapshots(
    conn: &mut AsyncPgConnection,
    cohort: Option<&str>,
    period: Option<NaiveDate>,
    page: &PageRequest<SnapshotKey>,
) -> QueryResult<Vec<SnapshotRow>> {
    let mut q = benchmark_snapshots::table
        .select(SnapshotRow::as_select())
        .into_boxed();
    if let Some(cohort) = cohort {
        q = q.filter(benchmark_snapshots::cohort.eq(cohort.to_owned()));
    }
    if let Some(period) = period {
        q = q.filter(benchmark_snapshots::period.eq(period));
    }
    keyset_page!(
        q,
        page,
        desc(benchmark_snapshots::period, benchmark_snapshots::cohort)
    )
    .load(conn)
    .await
}

/// Recomputes every cohort's snapshot of the month starting `period`, replacing the month's
/// snapshots atomically: one transaction, under a transaction-scoped advisory lock on the
/// month, so two runs of the same month queue instead of interleaving their delete and insert
/// (the second recomputes after the first committed; runs of other months do not wait).
/// `dominance_share` is the fraction (0.5) above which one participant's share of a group's
/// total suppresses the metric.
pub async fn compute_snapshots(
    conn: &mut AsyncPgConnection,
    period: NaiveDate,
    dominance_share: &BigDecimal,
) -> QueryResult<SnapshotRun> {
    conn.transaction(async |conn| {
            diesel::sql_query(
                "SELECT pg_advisory_xact_lock(hashtextextended('fulfillment-ops/benchmark-snapshots/' || $1::text, 0))",
            )
            .bind::<Date, _>(period)
            .execute(conn)
            .await?;
            diesel::sql_query(REFRESH_BANDS_SQL).execute(conn).await?;
            let participants: Vec<(Uuid, Option<String>)> = benchmark_participation::table
                .filter(benchmark_participation::is_participating.eq(true))
                .filter(benchmark_participation::cohort.is_not_null())
                .select((
                    benchmark_participation::client_id,
                    benchmark_participation::cohort,
                ))
                .load(conn)
                .await?;
            diesel::delete(
                benchmark_snapshots::table.filter(benchmark_snapshots::period.eq(period)),
            )
            .execute(conn)
            .await?;
            let ids: Vec<Uuid> = participants.iter().map(|(id, _)| *id).collect();
            let run: SnapshotRun = diesel::sql_query(SNAPSHOT_SQL)
                .bind::<Date, _>(period)
                .bind::<Array<diesel::sql_types::Uuid>, _>(ids)
                .bind::<Numeric, _>(dominance_share)
                .get_result(conn)
                .await?;
            // Every participant's benchmark page changed (figures, or the reason there are
            // none): one live event each, in this transaction, so a rolled-back run
            // announces nothing.
            let published: Vec<Activity> = participants
                .into_iter()
                .map(|(client_id, cohort)| Activity::BenchmarkSnapshotPublished {
                    client_id,
                    period: run.period.clone(),
                    cohort: cohort.unwrap_or_default(),
                })
                .collect();
            crate::activity::record_all(conn, &published).await?;
            Ok(run)
    })
    .await
}
