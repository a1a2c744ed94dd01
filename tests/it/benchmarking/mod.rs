//! Benchmarking through the real router on real PostgreSQL: participation, the five metrics
//! (hand-computed), the snapshot job's privacy rules (k = 5 per metric, P90 from 10,
//! fallback, dominance, opt-out), concurrency, bad input and the no-identifier search.

mod metrics;
mod participation;
mod privacy;
mod seed;
mod snapshots;

use axum::http::{Method, StatusCode};
use chrono::Utc;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{ADMIN_TOKEN, Actor, TestApp, TestResponse, builders::NewClient};

/// The current month, `YYYY-MM`: products created now count in it.
pub fn this_month() -> String {
    Utc::now().format("%Y-%m").to_string()
}

pub fn participation_path(client: Uuid) -> String {
    format!("/api/v1/clients/{client}/benchmark/participation")
}

/// `PUT …/benchmark/participation`, answered as is.
pub async fn put_participation(
    app: &TestApp,
    actor: &Actor,
    client: Uuid,
    body: Value,
) -> TestResponse {
    app.request(
        Method::PUT,
        &participation_path(client),
        Some(&actor.token),
        Some(body),
    )
    .await
}

/// Opts a client in (as `actor`), which must answer 200; the participation.
pub async fn opt_in(app: &TestApp, actor: &Actor, client: Uuid, body: Value) -> Value {
    let res = put_participation(app, actor, client, body).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

/// A client of `industry` with `products` products (created now), opted in by `staff`.
pub async fn participant(
    app: &TestApp,
    staff: &Actor,
    name: &str,
    industry: &str,
    products: usize,
) -> Uuid {
    let client = app
        .insert(NewClient::named(name).industry(Some(industry)))
        .await;
    for i in 0..products {
        app.insert_product(client, &format!("{name}-{i}")).await;
    }
    opt_in(app, staff, client, json!({"is_participating": true})).await;
    client
}

/// `POST /api/v1/admin/benchmarks/snapshots` with the admin token, answered as is.
pub async fn run_job(app: &TestApp, period: &str) -> TestResponse {
    app.request(
        Method::POST,
        "/api/v1/admin/benchmarks/snapshots",
        Some(ADMIN_TOKEN),
        Some(json!({ "period": period })),
    )
    .await
}

/// Runs the job, which must answer 200; its summary.
pub async fn snapshots(app: &TestApp, period: &str) -> Value {
    let res = run_job(app, period).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

/// `GET /api/v1/benchmarks/snapshots?{query}` as `actor`, which must answer 200; the rows.
pub async fn list(app: &TestApp, actor: &Actor, query: &str) -> Vec<Value> {
    let res = app
        .get_as(&format!("/api/v1/benchmarks/snapshots?{query}"), actor)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()["data"].as_array().expect("data").clone()
}

/// The snapshot of `cohort` in a list.
#[track_caller]
pub fn of<'a>(rows: &'a [Value], cohort: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["cohort"] == cohort)
        .unwrap_or_else(|| panic!("no snapshot of {cohort} in {rows:?}"))
}

/// `GET …/benchmark?period=` as `actor`, which must answer 200.
pub async fn view(app: &TestApp, actor: &Actor, client: Uuid, period: &str) -> Value {
    let res = app
        .get_as(
            &format!("/api/v1/clients/{client}/benchmark?period={period}"),
            actor,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}
