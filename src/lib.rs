//! fulfillment-ops: the backend of the Fulfillment Operations Dashboard.
//!
//! `serve` reads the configuration, builds the pool, applies (or verifies) the embedded
//! migrations, then serves the HTTP API until SIGTERM, finishing in-flight requests.

pub mod activity;
pub mod admin;
pub mod auth;
pub mod benchmarking;
pub mod clients;
pub mod config;
pub mod dashboards;
pub mod db;
pub mod financial;
pub mod http;
pub mod jobs;
pub mod lead_times;
pub mod ops;
pub mod order_requests;
pub mod products;
pub mod routes;
pub mod seed;
pub mod shipments;
pub mod telemetry;
pub mod users;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::{
    config::{Config, MigrateMode},
    db::migrations::{Catalog, Migrator},
    http::state::AppState,
};

pub use routes::router;

/// Builds the shared state: pool and catalog. The pool connects lazily, on first use; with
/// `MIGRATE_ON_STARTUP=verify` or `off` an instance therefore starts (unready) while the
/// database is still coming up, whereas `apply` needs the database at startup.
pub fn build_state(config: Config) -> anyhow::Result<AppState> {
    let pool = db::pool::build_pool(&config.database).context("building the connection pool")?;
    Ok(AppState::new(config, pool, Catalog::embedded()))
}

/// Applies pending migrations when `MIGRATE_ON_STARTUP=apply`; a failure stops startup.
pub async fn migrate_on_startup(state: &AppState) -> anyhow::Result<()> {
    let cfg = &state.config;
    match cfg.migrate_on_startup {
        MigrateMode::Apply => {
            let started = std::time::Instant::now();
            let applied = Migrator::for_database(&state.catalog, &cfg.database)
                .run_pending()
                .await
                .context("applying migrations at startup")?;
            tracing::info!(
                applied = applied.len(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "migrations up to date"
            );
        }
        MigrateMode::Verify => {
            tracing::info!(
                "MIGRATE_ON_STARTUP=verify: not applying; /readyz reports pending or modified migrations"
            )
        }
        MigrateMode::Off => {
            tracing::info!("MIGRATE_ON_STARTUP=off: migrations neither applied nor checked")
        }
    }
    Ok(())
}

/// Runs the service until SIGTERM or Ctrl-C.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let listen_addr = config.listen_addr;
    let state = build_state(config)?;
    tracing::info!(
        instance = %state.instance.id,
        version = %state.instance.version,
        migrate_on_startup = ?state.config.migrate_on_startup,
        pool_size = state.config.database.pool_size,
        "starting"
    );
    migrate_on_startup(&state).await?;
    let listener = TcpListener::bind(listen_addr)
        .await
        .with_context(|| format!("binding LISTEN_ADDR {listen_addr}"))?;
    tracing::info!(addr = %listener.local_addr()?, "listening");
    let limits = http::server::ServerLimits {
        header_read_timeout: state.config.header_read_timeout,
        drain: state.config.request_timeout + std::time::Duration::from_secs(5),
        max_connections: state.config.max_connections,
        shutdown_drain: state.config.shutdown_drain,
        draining: state.draining.clone(),
    };
    // The listener starts now, so the first stream finds it connected. At the signal the
    // scheduler starts no new job; the streams (and the listener feeding them) go on through
    // the drain and end when it does — when the load balancer no longer sends this replica
    // anything — so browsers reconnect, with their Last-Event-ID, to another replica.
    let hub = state.live.clone();
    hub.start();
    let (stopping, stopped) = tokio::sync::watch::channel(false);
    if state.config.jobs.scheduler {
        jobs::scheduler::spawn(
            state.config.clone(),
            state.config.jobs.clone(),
            state.pool.clone(),
            stopped,
        );
    } else {
        tracing::info!("SCHEDULER=off: this replica runs no scheduled job");
    }
    let signal = async move {
        shutdown_signal().await;
        stopping.send_replace(true);
    };
    http::server::serve(listener, router(state), limits, signal, move || hub.close()).await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; draining in-flight requests");
}
