//! Signed carrier webhooks: HMAC and replay window, idempotent by event id, unmatched kept
//! and answered 202, native codes mapped, every authenticated payload kept as received.

use super::World;
use crate::common::{TestApp, TestDb, TestResponse};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use fulfillment_ops::{config::Secret, shipments::webhooks::signature::sign};
use serde_json::{Value, json};

const SECRET: &str = "ups-webhook-secret-0123";

async fn app() -> TestApp {
    TestApp::with(TestDb::migrated().await, |c| {
        c.shipments.webhook_secrets[0] = Some(Secret::new(SECRET));
    })
    .await
}

async fn push(
    app: &TestApp,
    carrier: &str,
    body: &str,
    ts: i64,
    signature: Option<String>,
) -> TestResponse {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/webhooks/carriers/{carrier}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-webhook-timestamp", ts.to_string());
    if let Some(s) = signature {
        req = req.header("x-webhook-signature", s);
    }
    app.send(req.body(Body::from(body.to_owned())).expect("request"))
        .await
}

async fn signed(app: &TestApp, body: &Value) -> TestResponse {
    let body = body.to_string();
    let ts = chrono::Utc::now().timestamp();
    push(
        app,
        "ups",
        &body,
        ts,
        Some(sign(SECRET.as_bytes(), ts, body.as_bytes())),
    )
    .await
}

async fn deliveries(app: &TestApp) -> Vec<(String, String)> {
    let db = app.db.client().await;
    db.query(
        "SELECT result, payload FROM carrier_webhook_deliveries ORDER BY received_at",
        &[],
    )
    .await
    .expect("deliveries")
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

fn scan(event_id: &str, status: &str, at: &str) -> Value {
    json!({"event_id": event_id, "tracking_number": "1Z999AA10123456784", "status": status,
           "event_time": at, "location": "Louisville, KY", "carrier_extra": {"hub": "SDF"}})
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_scan_lands_exactly_once() {
    let app = app().await;
    let w = World::new(&app, "Acme").await;
    let id = w.ship(&app, w.body(1)).await;
    let body = scan("evt-1", "I", "2025-03-01T10:00:00Z");
    let res = signed(&app, &body).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["result"], "applied");
    assert_eq!(res.json()["shipment_id"], id);
    let again = signed(&app, &body).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["result"], "duplicate");
    let s = app
        .get_as(&format!("{}/{id}", w.shipments()), &w.user)
        .await
        .json();
    assert_eq!(s["status"], "in_transit", "UPS I is in transit");
    assert_eq!(
        s["raw_tracking_data"]["carrier_extra"],
        json!({"hub": "SDF"})
    );
    let history = app.get_as(&w.events(&id), &w.user).await.json();
    assert_eq!(history["data"].as_array().map(Vec::len), Some(1));
    // Delivered, then a scan after it: stored, ignored.
    assert_eq!(
        signed(&app, &scan("evt-2", "D", "2025-03-02T10:00:00Z"))
            .await
            .json()["result"],
        "applied"
    );
    let late = signed(&app, &scan("evt-3", "I", "2025-03-03T10:00:00Z"))
        .await
        .json();
    assert_eq!(late["result"], "ignored_terminal");
    let kept = deliveries(&app).await;
    let results: Vec<&str> = kept.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        results,
        ["applied", "duplicate", "applied", "ignored_terminal"]
    );
    assert_eq!(kept[0].1, body.to_string(), "kept as received");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_stale_or_missing_signatures_are_refused_and_store_nothing() {
    let app = app().await;
    let w = World::new(&app, "Acme").await;
    w.ship(&app, w.body(1)).await;
    let body = scan("evt-1", "in_transit", "2025-03-01T10:00:00Z").to_string();
    let now = chrono::Utc::now().timestamp();
    let key = SECRET.as_bytes();
    let cases = [
        (
            now,
            Some(sign(b"not-the-secret-at-all", now, body.as_bytes())),
        ),
        (now, Some(sign(key, now, b"another body"))),
        (now - 301, Some(sign(key, now - 301, body.as_bytes()))),
        (now + 400, Some(sign(key, now + 400, body.as_bytes()))),
        (now, None),
        (now, Some("sha256=nothex".into())),
    ];
    for (ts, sig) in cases {
        push(&app, "ups", &body, ts, sig)
            .await
            .assert_problem(StatusCode::UNAUTHORIZED);
    }
    // A carrier without a configured secret.
    let sig = sign(key, now, body.as_bytes());
    push(&app, "fedex", &body, now, Some(sig.clone()))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED);
    push(&app, "royal_mail", &body, now, Some(sig))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    assert!(deliveries(&app).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_number_is_kept_and_answered_202_and_bad_payloads_422() {
    let app = app().await;
    let mut body = scan("evt-9", "in_transit", "2025-03-01T10:00:00Z");
    body["tracking_number"] = json!("1Z999AA10000000000");
    let res = signed(&app, &body).await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text());
    assert_eq!(res.json()["result"], "unmatched");
    let mut bad = scan("evt-10", "teleported", "2025-03-01T10:00:00Z");
    bad["tracking_number"] = json!("12345");
    let res = signed(&app, &bad).await;
    crate::common::assert_invalid_fields(&res, &["status", "tracking_number"]);
    let kept = deliveries(&app).await;
    let results: Vec<&str> = kept.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(results, ["unmatched", "rejected"]);
}
