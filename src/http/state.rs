//! What every handler can reach: the pool, the configuration, the migration catalog and
//! who this instance is.

use std::sync::Arc;

use axum::extract::FromRef;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::metrics::Metrics;
use crate::{config::Config, db::DbPool, db::migrations::Catalog};

/// Which replica answered, for operators comparing instances behind a load balancer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InstanceInfo {
    pub id: String,
    /// The release (crate version) this instance runs.
    pub version: String,
    pub started_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    /// `/readyz`'s own connection, outside the pool: a pool saturated by heavy requests must
    /// not make every replica look unready at once. Reopened on the next check after an error.
    pub readiness_conn: Arc<tokio::sync::Mutex<Option<diesel_async::AsyncPgConnection>>>,
    pub config: Arc<Config>,
    pub catalog: Arc<Catalog>,
    pub instance: Arc<InstanceInfo>,
    pub metrics: Arc<Metrics>,
    /// Set at SIGTERM: `/readyz` answers 503 so the load balancer stops sending new work while
    /// the server still serves for `SHUTDOWN_DRAIN` (see `http::server`).
    pub draining: Arc<std::sync::atomic::AtomicBool>,
    /// The replica's live-update fan-out (listener, broadcast, stream limits).
    pub live: Arc<crate::activity::hub::Hub>,
    /// The facts bearer tokens are checked against, kept fresh by `live`'s listener.
    pub users: Arc<crate::auth::user_cache::UserCache>,
    /// The page-load reads (dashboard, preferences), kept fresh by `live`'s listener too.
    pub pages: Arc<crate::dashboards::cache::PageCache>,
    /// The budget variance reports, kept fresh by `live`'s listener too.
    pub variance: Arc<crate::financial::variance::cache::VarianceCache>,
}

impl AppState {
    pub fn new(config: Config, pool: DbPool, catalog: Catalog) -> Self {
        let instance = InstanceInfo {
            id: config.database.instance_id.clone(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at: Utc::now(),
        };
        let metrics = Arc::new(Metrics::new(pool.clone()));
        let users = Arc::new(crate::auth::user_cache::UserCache::default());
        let pages = Arc::new(crate::dashboards::cache::PageCache::default());
        let variance = Arc::new(crate::financial::variance::cache::VarianceCache::default());
        let live = crate::activity::hub::Hub::new(
            config.live.clone(),
            &config.database,
            vec![users.clone(), pages.clone(), variance.clone()],
        );
        match crate::activity::gauges::HubGauges::new(live.clone()) {
            Ok(g) => {
                if let Err(e) = metrics.registry().register(Box::new(g)) {
                    tracing::error!(error = %e, "cannot register the live-update gauges");
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot build the live-update gauges"),
        }
        Self {
            live,
            users,
            pages,
            variance,
            pool,
            readiness_conn: Arc::default(),
            config: Arc::new(config),
            catalog: Arc::new(catalog),
            instance: Arc::new(instance),
            metrics,
            draining: Arc::default(),
        }
    }
}

/// What the metrics middleware and `/metrics` take from the state (they know no `AppState`).
impl FromRef<AppState> for Arc<Metrics> {
    fn from_ref(state: &AppState) -> Self {
        state.metrics.clone()
    }
}
