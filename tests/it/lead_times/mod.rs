//! Product lead times through the real router on real PostgreSQL: the PATCH and the guide's
//! trigger, client defaults, the set-based recalculation (hand-computed dates, zero demand,
//! unknown lead times, window boundaries, idempotent and concurrent runs) and reorder alerts.

mod alerts;
mod defaults;
mod patch;
mod recalculate;
mod seed;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{Actor, TestApp};

/// Today + `days`, UTC, as the API writes dates.
pub fn in_days(days: i64) -> String {
    (Utc::now().date_naive() + Duration::days(days)).to_string()
}

/// `POST /lead-times/recalculate` of a client; asserts 200.
pub async fn recalculate(app: &TestApp, actor: &Actor, client: Uuid) -> Value {
    let res = app
        .post(
            &format!("/api/v1/clients/{client}/lead-times/recalculate"),
            actor,
            json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

/// The product as `GET /products/{id}` answers it.
pub async fn product(app: &TestApp, actor: &Actor, client: Uuid, id: Uuid) -> Value {
    let res = app
        .get_as(&format!("/api/v1/clients/{client}/products/{id}"), actor)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

/// The stored inputs of a product's last recalculation: (daily_demand, demand_days,
/// lead_time_source, reason).
pub async fn inputs_of(app: &TestApp, id: Uuid) -> (String, i32, String, Option<String>) {
    let row = app
        .db
        .client()
        .await
        .query_one(
            "SELECT daily_demand::text, demand_days, lead_time_source, reason \
             FROM product_timing_inputs WHERE product_id = $1",
            &[&id],
        )
        .await
        .expect("inputs row");
    (row.get(0), row.get(1), row.get(2), row.get(3))
}
