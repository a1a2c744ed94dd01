//! `fulfillment-ops jobs …`: scheduled work run from the command line (cron, a Kubernetes
//! CronJob) rather than from a request.
//!
//! `jobs aggregate-costs --period YYYY-MM` (re)computes the month's `cost_tracking` rows of
//! every client with the same statement `POST /cost-tracking/aggregate` runs for one client;
//! it is idempotent and may overlap with requests or another run (see
//! [`crate::financial::cost_tracking::queries::aggregate_month`]). Reads `DATABASE_URL` and the other
//! `DATABASE_*` variables through [`DatabaseConfig`].

use std::process::ExitCode;

use anyhow::Context;

use crate::{config::DatabaseConfig, db::pool};

/// The job itself lives with the feature (its SQL is the feature's); this is its CLI entry.
pub use crate::financial::aggregate_all_clients;

/// `jobs aggregate-costs --period YYYY-MM`: [`aggregate_all_clients`] on a connection of its
/// own; says how many product months of how many clients it wrote.
pub async fn aggregate_costs(period: &str) -> anyhow::Result<ExitCode> {
    let cfg = DatabaseConfig::from_env()?;
    let name = pool::application_name(&cfg.instance_id, "aggregate-costs");
    let mut conn = pool::connect(cfg.url.expose(), cfg.connect_timeout, &name)
        .await
        .context("connecting to the database")?;
    let tolerance = crate::config::budget_tolerance_percent()?;
    let (clients, rows) = aggregate_all_clients(&mut conn, period, &tolerance).await?;
    println!("aggregated {period}: {rows} product months of {clients} clients");
    Ok(ExitCode::SUCCESS)
}

/// `jobs recalculate-lead-times`: every client's stockout and order-by dates as of today (UTC),
/// with the statement `POST /lead-times/recalculate` runs for one client
/// ([`crate::lead_times::queries::recalculate`]); idempotent, safe beside the API and another
/// run. Reads `LEAD_TIME_DEMAND_WINDOW_DAYS` (default 90).
pub async fn recalculate_lead_times() -> anyhow::Result<ExitCode> {
    let cfg = DatabaseConfig::from_env()?;
    let window = crate::config::lead_time_demand_window_days()?;
    let name = pool::application_name(&cfg.instance_id, "recalculate-lead-times");
    let mut conn = pool::connect(cfg.url.expose(), cfg.connect_timeout, &name)
        .await
        .context("connecting to the database")?;
    let today = chrono::Utc::now().date_naive();
    let c = crate::lead_times::queries::recalculate(&mut conn, today, window, None, None)
        .await
        .context("recalculating lead times")?;
    println!(
        "recalculated lead times as of {today} ({window}-day demand window): {} products of {} \
         clients; {} with an order-by date, {} without demand, {} without lead times, {} beyond \
         100 years, {} on client defaults",
        c.products,
        c.clients,
        c.dated,
        c.no_demand,
        c.no_lead_time,
        c.beyond_horizon,
        c.client_defaults
    );
    Ok(ExitCode::SUCCESS)
}

/// `jobs benchmark-snapshots --period YYYY-MM`: every cohort's benchmark snapshot of the month
/// with the statement `POST /api/v1/admin/benchmarks/snapshots` runs
/// ([`crate::benchmarking::queries::compute_snapshots`]); replaces the month atomically, safe
/// beside another run. Reads `BENCHMARK_DOMINANCE_PERCENT` (default 50).
pub async fn benchmark_snapshots(period: &str) -> anyhow::Result<ExitCode> {
    let cfg = DatabaseConfig::from_env()?;
    let dominance = crate::config::benchmark_dominance_percent()?;
    let name = pool::application_name(&cfg.instance_id, "benchmark-snapshots");
    let mut conn = pool::connect(cfg.url.expose(), cfg.connect_timeout, &name)
        .await
        .context("connecting to the database")?;
    let started = std::time::Instant::now();
    let r = crate::benchmarking::snapshots_job(&mut conn, period, &dominance).await?;
    println!(
        "benchmark snapshots of {period} in {:.2} s: {} participants, {} cohorts with a \
         snapshot ({} from their industry or everyone), {} too small; metric figures withheld: \
         {} for fewer than 5 contributors, {} by the {dominance} % dominance rule; {} P90s \
         withheld below 10 contributors",
        started.elapsed().as_secs_f64(),
        r.participants,
        r.cohorts,
        r.cohorts_fell_back,
        r.cohorts_too_small,
        r.too_few_contributors,
        r.dominance,
        r.p90_withheld
    );
    Ok(ExitCode::SUCCESS)
}

/// `jobs run NAME`: one scheduled job now, under the scheduler's lock ([`crate::jobs::runner`]),
/// recorded in `job_runs`. Exit 0 when it succeeded or had nothing to do on this build, 1 when
/// it failed, 3 when another replica holds its lock (is running it).
pub async fn run(name: &str) -> anyhow::Result<ExitCode> {
    use crate::jobs::{JobName, config, runner};
    let job = JobName::parse(name).with_context(|| format!("{name:?} is not a job"))?;
    let cfg = DatabaseConfig::from_env()?;
    let ctx = config::JobContext::from_env()?;
    let interval = config::JobsConfig::from_env()?.interval(job);
    match runner::run(job, runner::When::Now, interval, &cfg, &ctx).await? {
        runner::Ran::Ran(run) => {
            println!(
                "{job}: {} ({} rows){}",
                run.outcome,
                run.rows.unwrap_or_default(),
                run.error.map(|e| format!(": {e}")).unwrap_or_default()
            );
            Ok(if run.outcome == "failed" {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        runner::Ran::Busy => {
            println!("{job}: another replica is running it (its lock is held); not run");
            Ok(ExitCode::from(3))
        }
        runner::Ran::NotDue(_) => Ok(ExitCode::SUCCESS),
    }
}
