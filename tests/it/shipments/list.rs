//! The shipment list: filters, newest-first keyset pagination, delay true to the second and
//! served by an index, tenancy.

use super::World;
use crate::common::{TestApp, builders::NewShipment};
use axum::http::StatusCode;
use chrono::{TimeDelta, Utc};
use serde_json::json;

fn ids(body: &serde_json::Value) -> Vec<String> {
    body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|s| s["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_filters_and_pages_newest_first() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let mut made = Vec::new();
    for (carrier, number) in [
        ("ups", "1Z999AA10123456784"),
        ("dhl", "1234567890"),
        ("dhl", "1234567891"),
    ] {
        let mut body = w.body(1);
        body["carrier"] = json!(carrier);
        body["tracking_number"] = json!(number);
        body["shipped_at"] = json!("2025-03-10T12:00:00Z");
        made.push(w.ship(&app, body).await);
    }
    let (rows, pages) = app.collect_pages(&w.shipments(), &w.user, 2).await;
    assert_eq!(pages, 2);
    let listed: Vec<String> = rows
        .iter()
        .map(|s| s["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    made.reverse();
    assert_eq!(listed, made, "newest first, each once");
    let dhl = app
        .get_as(&format!("{}?carrier=dhl", w.shipments()), &w.user)
        .await
        .json();
    assert_eq!(ids(&dhl).len(), 2);
    let by_order = app
        .get_as(
            &format!("{}?order_request_id={}", w.shipments(), w.order),
            &w.user,
        )
        .await
        .json();
    assert_eq!(ids(&by_order).len(), 3);
    let in_march = app
        .get_as(
            &format!("{}?from=2025-03-10&to=2025-03-10", w.shipments()),
            &w.user,
        )
        .await
        .json();
    assert_eq!(ids(&in_march).len(), 3, "to is inclusive");
    let after = app
        .get_as(&format!("{}?from=2025-03-11", w.shipments()), &w.user)
        .await
        .json();
    assert_eq!(ids(&after).len(), 0);
    let delivered = app
        .get_as(&format!("{}?status=delivered", w.shipments()), &w.user)
        .await
        .json();
    assert_eq!(ids(&delivered).len(), 0);
    for bad in [
        "status=lost",
        "carrier=royal_mail",
        "delayed=maybe",
        "from=2025-13-01",
    ] {
        app.get_as(&format!("{}?{bad}", w.shipments()), &w.user)
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shipment_is_delayed_the_second_its_estimate_passes() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let soon = Utc::now() + TimeDelta::seconds(2);
    let mut body = w.body(1);
    body["estimated_delivery_at"] = json!(soon.to_rfc3339());
    let late = w.ship(&app, body).await;
    let mut body = w.body(1);
    body["estimated_delivery_at"] = json!((Utc::now() + TimeDelta::days(3)).to_rfc3339());
    let on_time = w.ship(&app, body).await;
    let delayed = format!("{}?delayed=true", w.shipments());
    assert_eq!(
        ids(&app.get_as(&delayed, &w.user).await.json()),
        Vec::<String>::new()
    );
    let one = format!("{}/{late}", w.shipments());
    assert_eq!(app.get_as(&one, &w.user).await.json()["is_delayed"], false);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(app.get_as(&one, &w.user).await.json()["is_delayed"], true);
    assert_eq!(
        ids(&app.get_as(&delayed, &w.user).await.json()),
        vec![late.clone()]
    );
    let not_delayed = app
        .get_as(&format!("{}?delayed=false", w.shipments()), &w.user)
        .await
        .json();
    assert_eq!(ids(&not_delayed), vec![on_time]);
    // Delivered is never delayed.
    let res = app
        .post(
            &w.events(&late),
            &w.user,
            json!({"status": "delivered", "event_time": Utc::now().to_rfc3339()}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(app.get_as(&one, &w.user).await.json()["is_delayed"], false);
    assert_eq!(
        ids(&app.get_as(&delayed, &w.user).await.json()),
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_delayed_filter_is_served_by_the_partial_index() {
    let app = TestApp::new().await;
    let db = app.db.client().await;
    let plan = db
        .batch_execute("SET enable_seqscan = off")
        .await
        .map(|_| ());
    plan.expect("set");
    let rows = db
        .query(
            &format!(
                "EXPLAIN SELECT id FROM shipments WHERE client_id = gen_random_uuid() AND {}",
                fulfillment_ops::shipments::types::DELAYED_SQL
            ),
            &[],
        )
        .await
        .expect("explain");
    let plan: Vec<String> = rows.iter().map(|r| r.get::<_, String>(0)).collect();
    assert!(
        plan.iter()
            .any(|l| l.contains("shipments_open_estimated_delivery_idx")),
        "{plan:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn another_clients_shipment_is_not_found() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let other = World::new(&app, "Globex").await;
    let theirs = app
        .insert(NewShipment::new(other.client, other.order, "ups").item(
            other.products[0],
            Some(other.lines[0]),
            1,
        ))
        .await;
    for path in [
        format!("{}/{theirs}", w.shipments()),
        format!("{}/{theirs}/events", w.shipments()),
    ] {
        app.get_as(&path, &w.user)
            .await
            .assert_problem(StatusCode::NOT_FOUND);
    }
    app.post(
        &format!("{}/{theirs}/events", w.shipments()),
        &w.user,
        json!({"status": "delivered", "event_time": Utc::now().to_rfc3339()}),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);
    app.patch(
        &format!("{}/{theirs}", w.shipments()),
        &w.user,
        json!({"service_level": "x"}),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);
    assert_eq!(
        ids(&app.get_as(&w.shipments(), &w.user).await.json()),
        Vec::<String>::new()
    );
}
