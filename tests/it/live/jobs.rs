//! Scheduled jobs: two schedulers on one database run each job once; a replica that died
//! mid-job (a dropped connection, or a real process killed mid-statement) leaves its run
//! abandoned, nothing committed and the job runnable; `GET /admin/jobs`; the delay
//! refresh and the outbox pruning.

use super::{Replica, aggregated, record};
use crate::{
    common::{TestApp, concurrently},
    shipments::World,
};
use axum::http::StatusCode;
use fulfillment_ops::{
    http::state::AppState,
    jobs::{
        JobName,
        config::JobContext,
        runner::{self, Ran, When},
        scheduler,
    },
};

async fn tick(state: AppState) {
    let ctx = JobContext::of(&state.config);
    scheduler::tick(&state.config, &state.config.jobs, &state.pool, &ctx).await;
}

async fn run_now(state: &AppState, job: JobName) -> Ran {
    let ctx = JobContext::of(&state.config);
    runner::run(
        job,
        When::Now,
        state.config.jobs.interval(job),
        &state.config.database,
        &ctx,
    )
    .await
    .expect("run")
}

/// (job, outcome, instance) of every run, in start order.
async fn runs(app: &TestApp) -> Vec<(String, String, String)> {
    app.db
        .client()
        .await
        .query(
            "SELECT job, outcome, instance FROM job_runs ORDER BY id",
            &[],
        )
        .await
        .expect("runs")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_schedulers_on_one_database_run_each_job_once_per_interval() {
    let app = TestApp::new().await;
    let b = Replica::on(&app, "replica-b", |_| {});
    concurrently([tick(app.state.clone()), tick(b.state.clone())]).await;
    let first = runs(&app).await;
    let mut jobs: Vec<&str> = first.iter().map(|r| r.0.as_str()).collect();
    jobs.sort_unstable();
    assert_eq!(
        jobs,
        [
            "aggregate_costs",
            "benchmark_snapshots",
            "prune_activity",
            "recalculate_lead_times",
            "refresh_delays"
        ],
        "each job once: {first:?}"
    );
    for (job, outcome, _) in &first {
        assert_eq!(outcome, "succeeded", "{job}");
    }
    concurrently([tick(app.state.clone()), tick(b.state.clone())]).await;
    assert_eq!(
        runs(&app).await.len(),
        5,
        "not due again within the interval"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_held_by_a_live_replica_is_not_run_and_one_that_died_mid_run_runs_again() {
    let app = TestApp::new().await;
    // A replica in the middle of prune_activity: its run recorded, its lock held.
    let other = app.db.client().await;
    other
        .batch_execute(
            "SELECT pg_advisory_lock(hashtextextended('fulfillment-ops job prune_activity', 0)); \
             INSERT INTO job_runs (job, instance) VALUES ('prune_activity', 'replica-dead')",
        )
        .await
        .expect("hold");
    assert!(matches!(
        run_now(&app.state, JobName::PruneActivity).await,
        Ran::Busy
    ));
    // It dies: its connection, and with it the lock, goes.
    drop(other);
    let mut ran = None;
    for _ in 0..100 {
        match run_now(&app.state, JobName::PruneActivity).await {
            Ran::Busy => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            r => {
                ran = Some(r);
                break;
            }
        }
    }
    let Some(Ran::Ran(run)) = ran else {
        panic!("ran once the lock was free: {ran:?}")
    };
    assert_eq!(run.outcome, "succeeded");
    assert_eq!(run.instance, "test-instance");
    let all = runs(&app).await;
    assert_eq!(
        all.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        ["abandoned", "succeeded"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_jobs_lists_every_job_with_its_next_due_time_and_runs() {
    let app = TestApp::new().await;
    run_now(&app.state, JobName::RefreshDelays).await;
    let res = app.admin_get("/admin/jobs").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    let jobs = body["jobs"].as_array().expect("jobs");
    assert_eq!(jobs.len(), 5);
    let delays = jobs
        .iter()
        .find(|j| j["job"] == "refresh_delays")
        .expect("job");
    assert_eq!(delays["interval_seconds"], 300);
    let runs = delays["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["outcome"], "succeeded");
    assert_eq!(runs[0]["instance"], "test-instance");
    assert!(runs[0]["finished_at"].is_string());
    assert!(delays["next_due_at"].as_str() > runs[0]["started_at"].as_str());
    let (_, user) = app.client_with_user("Acme").await;
    app.get_as("/admin/jobs", &user)
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_delay_refresh_announces_each_newly_delayed_shipment_once() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let shipment = w.ship(&app, w.body(1)).await;
    app.db
        .execute(&format!(
            "UPDATE shipments SET estimated_delivery_at = now() - interval '1 hour' \
             WHERE id = '{shipment}'"
        ))
        .await;
    for _ in 0..2 {
        run_now(&app.state, JobName::RefreshDelays).await;
    }
    let rows = app
        .db
        .client()
        .await
        .query("SELECT type, subject_id::text FROM activity_events", &[])
        .await
        .expect("outbox");
    assert_eq!(rows.len(), 1, "announced once");
    assert_eq!(rows[0].get::<_, String>(0), "shipment.delayed");
    assert_eq!(rows[0].get::<_, String>(1), shipment);
}

#[tokio::test(flavor = "multi_thread")]
async fn pruning_deletes_outbox_rows_older_than_the_retention() {
    let app = TestApp::new().await;
    let (acme, _) = app.client_with_user("Acme").await;
    let old = record(&app, aggregated(acme, "2025-01")).await;
    let kept = record(&app, aggregated(acme, "2025-02")).await;
    app.db
        .execute(&format!(
            "UPDATE activity_events SET created_at = now() - interval '8 days' WHERE id = {old}"
        ))
        .await;
    let Ran::Ran(run) = run_now(&app.state, JobName::PruneActivity).await else {
        panic!("ran")
    };
    assert_eq!(run.rows, Some(1));
    let ids: Vec<i64> = app
        .db
        .client()
        .await
        .query("SELECT id FROM activity_events", &[])
        .await
        .expect("ids")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, [kept]);
}

/// A real replica process killed (SIGKILL) while its job waits inside the recalculation
/// statement: its database session must not live on and finish the job behind its back. The
/// job connection asks PostgreSQL to check for a vanished client during statements, so the
/// orphaned backend ends within about a second: the advisory lock is free again, nothing the
/// killed run computed is committed, and the next run closes the dead run as `abandoned` and
/// computes each product once.
#[tokio::test(flavor = "multi_thread")]
async fn a_replica_process_killed_mid_job_commits_nothing_and_frees_the_lock() {
    use crate::common::builders::{NewClient, NewProduct, OrderHistory, days_ago};
    use std::time::{Duration, Instant};
    let app = TestApp::new().await;
    let acme = app.insert(NewClient::named("Acme")).await;
    let tee = app
        .insert(
            NewProduct::new(acme, "TEE")
                .stock(100)
                .lead_days(Some(10), Some(3), Some(1)),
        )
        .await;
    app.insert(OrderHistory::of(acme).line_at(tee, 90, days_ago(3)))
        .await;

    // Another writer holds the product: the job's statement will wait on its row lock.
    let holder = app.db.client().await;
    holder
        .batch_execute(&format!(
            "BEGIN; SELECT id FROM products WHERE id = '{tee}' FOR UPDATE"
        ))
        .await
        .expect("hold the product");

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_fulfillment-ops"))
        .env_clear()
        .current_dir(std::env::temp_dir())
        .env("DATABASE_URL", &app.db.url)
        .env("INSTANCE_ID", "replica-killed")
        .env("RUST_LOG", "warn")
        .args(["jobs", "run", "recalculate_lead_times"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn the job");

    let observer = app.db.client().await;
    let waiting = "SELECT count(*) FROM pg_stat_activity \
                   WHERE application_name LIKE '%job-recalculate_lead_times%' \
                     AND wait_event_type = 'Lock'";
    let started = Instant::now();
    loop {
        let n: i64 = observer.query_one(waiting, &[]).await.expect("q").get(0);
        if n == 1 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the job never reached the product's row lock"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");

    // Its backend notices the vanished client while still waiting for the lock and ends.
    let lock_held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted";
    let killed = Instant::now();
    loop {
        let n: i64 = observer.query_one(lock_held, &[]).await.expect("q").get(0);
        if n == 0 {
            break;
        }
        assert!(
            killed.elapsed() < Duration::from_secs(5),
            "the killed replica's session still holds the job lock {:?} after the kill",
            killed.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    holder.batch_execute("COMMIT").await.expect("release");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let computed: i64 = observer
        .query_one(
            "SELECT count(*) FROM products WHERE timing_last_calculated IS NOT NULL",
            &[],
        )
        .await
        .expect("q")
        .get(0);
    assert_eq!(computed, 0, "the killed run committed nothing");
    assert_eq!(
        runs(&app).await,
        [(
            "recalculate_lead_times".into(),
            "running".into(),
            "replica-killed".into()
        )]
    );

    let Ran::Ran(run) = run_now(&app.state, JobName::RecalculateLeadTimes).await else {
        panic!("the next run takes the free lock");
    };
    assert_eq!(run.outcome, "succeeded");
    assert_eq!(run.rows, Some(1));
    let all = runs(&app).await;
    assert_eq!(
        all.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        ["abandoned", "succeeded"]
    );
}
