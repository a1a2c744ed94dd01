//! Prometheus metrics: request counts and latency histograms by route and status, pool usage,
//! and the schema's table statistics (`db_table_*{table}`, read at each scrape from
//! PostgreSQL's statistics views, [`crate::db::health`]; a scrape whose read fails keeps the
//! previous figures rather than failing).
//!
//! Kept on a `prometheus::Registry` of this app's own (held by [`Metrics`] in the app state)
//! rather than the crate's global default registry, so several apps in one test process keep
//! separate figures. Routes are labelled by their template (`/api/v1/clients/{client_id}`),
//! never by the concrete path, and methods outside the standard verbs are one `other`, so the
//! label set stays bounded.
//!
//! This module knows nothing of the app state: the middleware and the handler take the
//! `Arc<Metrics>` the state hands out (`FromRef`), and the pool gauges read the pool given to
//! [`Metrics::new`] at every scrape.

use std::{sync::Arc, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
    core::{Collector, Desc},
    proto::MetricFamily,
};

use crate::db::{
    DbPool,
    health::{self, TableHealth, UnusedIndex},
};

const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// The labels of every request series, in this order.
const REQUEST_LABELS: [&str; 3] = ["method", "route", "status"];

/// The service's metrics and the registry they are exposed from.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    durations: HistogramVec,
    pool: DbPool,
    tables: TableGauges,
}

impl Metrics {
    /// A fresh registry with the request series and the gauges of `pool`.
    pub fn new(pool: DbPool) -> Self {
        // The definitions are constants: an error here is a bug, never something a request or
        // the database can cause.
        const VALID: &str = "the metric definitions are valid and registered once";
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests answered, by route template and status.",
            ),
            &REQUEST_LABELS,
        )
        .expect(VALID);
        let durations = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer, by route template and status.",
            )
            .buckets(BUCKETS.to_vec()),
            &REQUEST_LABELS,
        )
        .expect(VALID);
        registry.register(Box::new(requests.clone())).expect(VALID);
        registry.register(Box::new(durations.clone())).expect(VALID);
        registry
            .register(Box::new(PoolGauges::new(pool.clone()).expect(VALID)))
            .expect(VALID);
        let tables = TableGauges::new().expect(VALID);
        for gauge in tables.all() {
            registry.register(Box::new(gauge.clone())).expect(VALID);
        }
        Self {
            registry,
            requests,
            durations,
            pool,
            tables,
        }
    }

    /// The registry, for whatever else wants to be scraped with these metrics.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.durations.with_label_values(&labels).observe(seconds);
    }

    /// Everything registered, in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %e, "cannot encode the metrics");
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// The `db_table_*{table}` gauges.
struct TableGauges {
    rows: IntGaugeVec,
    table_bytes: IntGaugeVec,
    index_bytes: IntGaugeVec,
    seq_scans: IntGaugeVec,
    index_scans: IntGaugeVec,
    dead_tuples: IntGaugeVec,
    last_vacuum: IntGaugeVec,
    last_analyze: IntGaugeVec,
    unused_indexes: IntGaugeVec,
}

impl TableGauges {
    fn new() -> prometheus::Result<Self> {
        let vec = |name: &str, help: &str| IntGaugeVec::new(Opts::new(name, help), &["table"]);
        Ok(Self {
            rows: vec("db_table_rows_estimate", "Estimated rows of the table.")?,
            table_bytes: vec("db_table_bytes", "Size of the table (heap and TOAST).")?,
            index_bytes: vec("db_table_index_bytes", "Size of the table's indexes.")?,
            seq_scans: vec(
                "db_table_seq_scans",
                "Sequential scans since the stats reset.",
            )?,
            index_scans: vec("db_table_index_scans", "Index scans since the stats reset.")?,
            dead_tuples: vec("db_table_dead_tuples", "Dead tuples awaiting vacuum.")?,
            last_vacuum: vec(
                "db_table_last_vacuum_timestamp_seconds",
                "Last (auto)vacuum, Unix time; 0 when never.",
            )?,
            last_analyze: vec(
                "db_table_last_analyze_timestamp_seconds",
                "Last (auto)analyze, Unix time; 0 when never.",
            )?,
            unused_indexes: vec(
                "db_table_unused_indexes",
                "Indexes of the table never scanned since the stats reset (primary keys aside).",
            )?,
        })
    }

    fn all(&self) -> [&IntGaugeVec; 9] {
        [
            &self.rows,
            &self.table_bytes,
            &self.index_bytes,
            &self.seq_scans,
            &self.index_scans,
            &self.dead_tuples,
            &self.last_vacuum,
            &self.last_analyze,
            &self.unused_indexes,
        ]
    }

    fn set(&self, tables: &[TableHealth], unused: &[UnusedIndex]) {
        let at = |t: Option<chrono::DateTime<chrono::Utc>>| t.map_or(0, |t| t.timestamp());
        for t in tables {
            let l = [t.table_name.as_str()];
            self.rows.with_label_values(&l).set(t.rows_estimate);
            self.table_bytes.with_label_values(&l).set(t.table_bytes);
            self.index_bytes.with_label_values(&l).set(t.index_bytes);
            self.seq_scans.with_label_values(&l).set(t.seq_scans);
            self.index_scans.with_label_values(&l).set(t.index_scans);
            self.dead_tuples.with_label_values(&l).set(t.dead_tuples);
            self.last_vacuum
                .with_label_values(&l)
                .set(at(t.last_vacuum));
            self.last_analyze
                .with_label_values(&l)
                .set(at(t.last_analyze));
            let n = unused
                .iter()
                .filter(|i| i.table_name == t.table_name)
                .count();
            self.unused_indexes
                .with_label_values(&l)
                .set(i64::try_from(n).unwrap_or(i64::MAX));
        }
    }
}

impl Metrics {
    /// Reads the table statistics into the gauges (within a second; else keeps the last).
    async fn refresh_tables(&self) {
        let read = async {
            let mut conn = self.pool.get().await.map_err(|e| e.to_string())?;
            let tables = health::tables(&mut conn).await.map_err(|e| e.to_string())?;
            let unused = health::unused_indexes(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>((tables, unused))
        };
        match tokio::time::timeout(std::time::Duration::from_secs(1), read).await {
            Ok(Ok((tables, unused))) => self.tables.set(&tables, &unused),
            Ok(Err(e)) => tracing::warn!(error = %e, "metrics: cannot read table statistics"),
            Err(_) => tracing::warn!("metrics: table statistics took over 1s; kept the last"),
        }
    }
}

/// `db_pool_connections{state=in_use|idle|max}` and `db_pool_waiting`, read from the pool
/// at every scrape.
struct PoolGauges {
    pool: DbPool,
    connections: IntGaugeVec,
    waiting: IntGauge,
}

impl PoolGauges {
    fn new(pool: DbPool) -> prometheus::Result<Self> {
        Ok(Self {
            pool,
            connections: IntGaugeVec::new(
                Opts::new(
                    "db_pool_connections",
                    "Database connections of this instance's pool.",
                ),
                &["state"],
            )?,
            waiting: IntGauge::new(
                "db_pool_waiting",
                "Requests waiting for a database connection.",
            )?,
        })
    }
}

impl Collector for PoolGauges {
    fn desc(&self) -> Vec<&Desc> {
        let mut descs = self.connections.desc();
        descs.extend(self.waiting.desc());
        descs
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let status = self.pool.status();
        let gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        for (state, n) in [
            ("in_use", status.size.saturating_sub(status.available)),
            ("idle", status.available),
            ("max", status.max_size),
        ] {
            self.connections.with_label_values(&[state]).set(gauge(n));
        }
        self.waiting.set(gauge(status.waiting));
        let mut families = self.connections.collect();
        families.extend(self.waiting.collect());
        families
    }
}

/// Records every routed request.
pub async fn record(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    // Only the standard verbs become labels: a client inventing methods must not grow the
    // series without bound.
    let method = match req.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m,
        _ => "other",
    }
    .to_owned();
    let started = Instant::now();
    let res = next.run(req).await;
    metrics.observe(
        &method,
        &route,
        res.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    res
}

/// `GET /metrics`: Prometheus text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(metrics): State<Arc<Metrics>>) -> impl IntoResponse {
    metrics.refresh_tables().await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics.render(),
    )
}
