//! Prometheus metrics: request counts and latency histograms by route and status, pool usage.
//!
//! A small registry of our own rather than a global recorder, so several apps in one test
//! process keep separate figures. Routes are labelled by their template (`/api/v1/clients/{client_id}`),
//! never by the concrete path, so the label set stays bounded.

use std::{collections::BTreeMap, fmt::Write, sync::Mutex, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::state::AppState;

const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Series {
    count: u64,
    sum_seconds: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut map = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let s = map
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default();
        s.count += 1;
        s.sum_seconds += seconds;
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                s.buckets[i] += 1;
            }
        }
    }

    fn render(&self, pool: &deadpool::Status) -> String {
        let mut out = String::new();
        let map = self.series.lock().unwrap_or_else(|p| p.into_inner());
        out.push_str(
            "# HELP http_requests_total HTTP requests answered, by route template and status.\n",
        );
        out.push_str("# TYPE http_requests_total counter\n");
        for ((m, r, st), s) in map.iter() {
            let _ = writeln!(
                out,
                "http_requests_total{{method=\"{m}\",route=\"{r}\",status=\"{st}\"}} {}",
                s.count
            );
        }
        out.push_str(
            "# HELP http_request_duration_seconds Time to answer, by route template and status.\n",
        );
        out.push_str("# TYPE http_request_duration_seconds histogram\n");
        for ((m, r, st), s) in map.iter() {
            let labels = format!("method=\"{m}\",route=\"{r}\",status=\"{st}\"");
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum_seconds
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out.push_str("# HELP db_pool_connections Database connections of this instance's pool.\n");
        out.push_str("# TYPE db_pool_connections gauge\n");
        let in_use = pool.size.saturating_sub(pool.available);
        let _ = writeln!(out, "db_pool_connections{{state=\"in_use\"}} {in_use}");
        let _ = writeln!(
            out,
            "db_pool_connections{{state=\"idle\"}} {}",
            pool.available
        );
        let _ = writeln!(
            out,
            "db_pool_connections{{state=\"max\"}} {}",
            pool.max_size
        );
        out.push_str("# HELP db_pool_waiting Requests waiting for a database connection.\n");
        out.push_str("# TYPE db_pool_waiting gauge\n");
        let _ = writeln!(out, "db_pool_waiting {}", pool.waiting);
        out
    }
}

/// Records every routed request.
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
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
    state.metrics.observe(
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
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let body = state.metrics.render(&state.pool.status());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
}
