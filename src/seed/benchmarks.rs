//! The demo benchmark programme, with the feature's own statements (`participation.sql`,
//! `snapshot.sql`; PREPAREd, so they run with literal arguments over the seed's connection):
//! four clients joined early, so the month before last was computed with too few
//! participants (no snapshot, the viewer's `too_few_participants`); every client but the last
//! is in now, and last month's snapshots exist (in the default six-client world every cohort
//! holds one client and falls back to everyone; P90s are withheld below 10 contributors). The
//! last client stays out (`not_participating`).

use anyhow::Context;
use tokio_postgres::Transaction;

use crate::benchmarking::queries::{PARTICIPATION_SQL, SNAPSHOT_SQL};

/// Clients that joined the programme before the rest.
const EARLY: usize = 4;

/// What the demo programme computed: (month, participants, the job's counts).
#[derive(Debug, Clone, Default)]
pub struct BenchmarkSeed {
    pub participants: usize,
    pub clients: usize,
    /// The month before last: cohorts too small (nothing published).
    pub early_too_small: i64,
    /// Last month: cohorts with a snapshot, of them from industry or everyone, P90s withheld,
    /// metric figures withheld for fewer than 5 contributors and by the dominance rule.
    pub cohorts: i64,
    pub fell_back: i64,
    pub p90_withheld: i64,
    pub too_few_contributors: i64,
    pub dominance: i64,
}

/// The line `seed-demo` prints: who participates, and what each privacy rule withheld.
impl std::fmt::Display for BenchmarkSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Benchmarks: {} of {} clients participate; the month before last: {} cohorts too \
             small (fewer than 5 even overall), nothing published; last month: {} cohorts with \
             a snapshot ({} from their industry or everyone), withheld {} P90s (under 10 \
             contributors), {} metrics (under 5), {} by dominance.",
            self.participants,
            self.clients,
            self.early_too_small,
            self.cohorts,
            self.fell_back,
            self.p90_withheld,
            self.too_few_contributors,
            self.dominance
        )
    }
}

pub(super) async fn seed(tx: &Transaction<'_>) -> anyhow::Result<BenchmarkSeed> {
    let share =
        crate::benchmarking::dominance_share(&crate::config::benchmark_dominance_percent()?);
    tx.batch_execute(&format!(
        "PREPARE seed_participation(uuid, boolean, text, text) AS {PARTICIPATION_SQL};
         PREPARE seed_snapshots(date, uuid[], numeric) AS {SNAPSHOT_SQL};"
    ))
    .await
    .context("preparing the benchmark statements")?;
    let clients: Vec<String> = tx
        .query(super::sql::BENCHMARK_CLIENTS, &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let participants = clients.len().saturating_sub(1);
    let early = participants.min(EARLY);
    let mut counts = BenchmarkSeed {
        participants,
        clients: clients.len(),
        ..Default::default()
    };
    opt_in(tx, &clients[..early]).await?;
    let row = snapshot(tx, 2, &clients[..early], &share).await?;
    counts.early_too_small = row.get("cohorts_too_small");
    opt_in(tx, &clients[early..participants]).await?;
    let row = snapshot(tx, 1, &clients[..participants], &share).await?;
    counts.cohorts = row.get("cohorts");
    counts.fell_back = row.get("cohorts_fell_back");
    counts.p90_withheld = row.get("p90_withheld");
    counts.too_few_contributors = row.get("too_few_contributors");
    counts.dominance = row.get("dominance");
    tx.batch_execute("DEALLOCATE seed_participation; DEALLOCATE seed_snapshots")
        .await?;
    Ok(counts)
}

async fn opt_in(tx: &Transaction<'_>, clients: &[String]) -> anyhow::Result<()> {
    for id in clients {
        tx.batch_execute(&format!(
            "EXECUTE seed_participation('{id}', true, NULL, NULL)"
        ))
        .await
        .context("opting a demo client in to benchmarking")?;
    }
    Ok(())
}

/// The snapshots of the month `months_back` before the current one (UTC).
async fn snapshot(
    tx: &Transaction<'_>,
    months_back: u32,
    clients: &[String],
    share: &bigdecimal::BigDecimal,
) -> anyhow::Result<tokio_postgres::Row> {
    let ids = clients.join(",");
    tx.query_one(
        &format!(
            "EXECUTE seed_snapshots((date_trunc('month', CURRENT_DATE) \
             - INTERVAL '{months_back} months')::date, '{{{ids}}}'::uuid[], {share})"
        ),
        &[],
    )
    .await
    .context("computing the demo benchmark snapshots")
}
