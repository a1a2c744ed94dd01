//! Events: idempotent, the newest wins, nothing leaves a terminal status, raw payloads kept,
//! and any arrival order (also concurrent) ends in the state of the in-order posting.

use super::World;
use crate::common::{TestApp, assert_invalid_fields, concurrently};
use axum::http::StatusCode;
use serde_json::{Value, json};

fn scan(status: &str, at: &str) -> Value {
    json!({"status": status, "event_time": at, "location": "Memphis, TN"})
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_scan_posted_twice_is_stored_once() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let id = w.ship(&app, w.body(1)).await;
    let mut body = scan("in_transit", "2025-03-01T10:00:00Z");
    body["raw"] = json!({"code": "IT", "hub": "MEM"});
    let first = app.post(&w.events(&id), &w.user, body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let first = first.json();
    assert_eq!(first["applied"], true);
    assert_eq!(first["reason"], Value::Null);
    assert_eq!(first["shipment_status"], "in_transit");
    assert_eq!(first["raw_data"], json!({"code": "IT", "hub": "MEM"}));
    let again = app.post(&w.events(&id), &w.user, body).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    let again = again.json();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["applied"], false);
    assert!(
        again["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("posted before")
    );
    let history = app.get_as(&w.events(&id), &w.user).await.json();
    assert_eq!(history["data"].as_array().map(Vec::len), Some(1));
    let s = app
        .get_as(&format!("{}/{id}", w.shipments()), &w.user)
        .await
        .json();
    assert_eq!(s["status"], "in_transit");
    assert_eq!(s["raw_tracking_data"], json!({"code": "IT", "hub": "MEM"}));
    assert_eq!(s["last_event_at"], "2025-03-01T10:00:00Z");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_older_event_arriving_late_never_moves_the_shipment_back() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let id = w.ship(&app, w.body(1)).await;
    let res = app
        .post(
            &w.events(&id),
            &w.user,
            scan("out_for_delivery", "2025-03-02T08:00:00Z"),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    let late = app
        .post(
            &w.events(&id),
            &w.user,
            scan("in_transit", "2025-03-01T10:00:00Z"),
        )
        .await;
    assert_eq!(late.status, StatusCode::CREATED, "stored in the history");
    let late = late.json();
    assert_eq!(late["applied"], false);
    assert!(
        late["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("newer event"),
        "{late}"
    );
    assert_eq!(late["shipment_status"], "out_for_delivery");
    let history = app.get_as(&w.events(&id), &w.user).await.json();
    let statuses: Vec<&str> = history["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|e| e["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        statuses,
        ["in_transit", "out_for_delivery"],
        "chronological"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_leaves_a_terminal_status() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let id = w.ship(&app, w.body(1)).await;
    let mut exception = scan("exception", "2025-03-01T09:00:00Z");
    exception["description"] = json!("Address incomplete");
    app.post(&w.events(&id), &w.user, exception).await;
    let s = app
        .get_as(&format!("{}/{id}", w.shipments()), &w.user)
        .await
        .json();
    assert_eq!(s["status"], "exception");
    assert_eq!(s["exception_reason"], "Address incomplete");
    let done = app
        .post(
            &w.events(&id),
            &w.user,
            scan("delivered", "2025-03-02T15:00:00Z"),
        )
        .await
        .json();
    assert_eq!(done["applied"], true);
    let after = app
        .post(
            &w.events(&id),
            &w.user,
            scan("in_transit", "2025-03-03T10:00:00Z"),
        )
        .await;
    assert_eq!(after.status, StatusCode::CREATED);
    let after = after.json();
    assert_eq!(after["applied"], false);
    assert!(
        after["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("terminal"),
        "{after}"
    );
    let s = app
        .get_as(&format!("{}/{id}", w.shipments()), &w.user)
        .await
        .json();
    assert_eq!(s["status"], "delivered");
    assert_eq!(s["delivered_at"], "2025-03-02T15:00:00Z");
    assert_eq!(s["is_delayed"], false);
    let history = app.get_as(&w.events(&id), &w.user).await.json();
    assert_eq!(history["data"].as_array().map(Vec::len), Some(3));
}

#[tokio::test(flavor = "multi_thread")]
async fn native_codes_map_and_bad_events_are_refused() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let id = w.ship(&app, w.body(1)).await;
    // UPS "D" is delivered.
    let res = app
        .post(&w.events(&id), &w.user, scan("D", "2025-03-01T10:00:00Z"))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["status"], "delivered");
    let far = (chrono::Utc::now() + chrono::TimeDelta::hours(30)).to_rfc3339();
    let res = app
        .post(
            &w.events(&id),
            &w.user,
            json!({"status": "lost", "event_time": far}),
        )
        .await;
    assert_invalid_fields(&res, &["status", "event_time"]);
    let problem = res.json();
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("label_created")
    );
    assert_invalid_fields(
        &app.post(&w.events(&id), &w.user, json!({})).await,
        &["status", "event_time"],
    );
    let res = app
        .post(
            &w.events(&id),
            &w.user,
            json!({"status": "in_transit", "event_time": "yesterday"}),
        )
        .await;
    assert_invalid_fields(&res, &["event_time"]);
    let missing = w.events(&uuid::Uuid::new_v4().to_string());
    app.post(
        &missing,
        &w.user,
        scan("in_transit", "2025-03-01T10:00:00Z"),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);
    let history = app.get_as(&w.events(&id), &w.user).await.json();
    assert_eq!(
        history["data"].as_array().map(Vec::len),
        Some(1),
        "nothing else written"
    );
}

/// A parcel's life with a late estimate, an exception, a terminal status, scans after it
/// and two scans at one time.
fn life() -> Vec<Value> {
    let mut events = vec![
        scan("label_created", "2025-03-01T08:00:00Z"),
        scan("in_transit", "2025-03-01T18:00:00Z"),
        scan("in_transit", "2025-03-02T06:00:00Z"),
        scan("exception", "2025-03-02T12:00:00Z"),
        scan("in_transit", "2025-03-03T07:00:00Z"),
        scan("out_for_delivery", "2025-03-04T07:00:00Z"),
        scan("delivery_attempted", "2025-03-04T07:00:00Z"),
        scan("out_for_delivery", "2025-03-05T07:00:00Z"),
        scan("delivered", "2025-03-05T15:00:00Z"),
        scan("in_transit", "2025-03-06T10:00:00Z"),
        scan("returned_to_sender", "2025-03-07T10:00:00Z"),
        scan("exception", "2025-03-08T10:00:00Z"),
    ];
    events[3]["description"] = json!("Weather delay");
    events[2]["location"] = json!("Louisville, KY");
    events
}

async fn final_state(app: &TestApp, w: &World, id: &str) -> (Value, usize) {
    let s = app
        .get_as(&format!("{}/{id}", w.shipments()), &w.user)
        .await
        .json();
    let state = json!([
        s["status"],
        s["last_event_at"],
        s["delivered_at"],
        s["exception_reason"]
    ]);
    let history = app
        .get_as(&format!("{}?limit=500", w.events(id)), &w.user)
        .await
        .json();
    (state, history["data"].as_array().map(Vec::len).unwrap_or(0))
}

#[tokio::test(flavor = "multi_thread")]
async fn shuffled_concurrent_events_end_as_posted_in_order() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let in_order = w.ship(&app, w.body(1)).await;
    let shuffled = w.ship(&app, w.body(1)).await;
    let events = life();
    for e in &events {
        let res = app.post(&w.events(&in_order), &w.user, e.clone()).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    let expected = final_state(&app, &w, &in_order).await;
    assert_eq!(
        expected,
        (
            json!([
                "delivered",
                "2025-03-05T15:00:00Z",
                "2025-03-05T15:00:00Z",
                "Weather delay"
            ]),
            12
        )
    );
    let api = app.api();
    for round in 0..3 {
        let n = events.len();
        // A different permutation each round (7 and 5 are coprime to 12), every event twice.
        let order: Vec<usize> = (0..n)
            .map(|i| (i * [7, 5, 11][round] + round) % n)
            .collect();
        let posts = order
            .iter()
            .chain(order.iter().rev())
            .map(|&i| api.post(w.events(&shuffled), &w.user, events[i].clone()));
        let results = concurrently(posts).await;
        assert!(results.iter().all(|r| r.status.is_success()), "{results:?}");
        let created = results
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count();
        assert_eq!(
            created,
            if round == 0 { n } else { 0 },
            "each scan stored once"
        );
        assert_eq!(
            final_state(&app, &w, &shuffled).await,
            expected,
            "round {round}"
        );
    }
}
