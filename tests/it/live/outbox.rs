//! The outbox rows each feature writes in its own transaction.

use serde_json::{Value, json};

use crate::{
    common::{
        TestApp,
        builders::{NewProduct, OrderHistory, days_ago},
    },
    shipments::World,
};
use axum::http::StatusCode;

/// Every outbox row, oldest first: (type, subject_id, payload).
async fn outbox(app: &TestApp) -> Vec<(String, Option<uuid::Uuid>, Value)> {
    app.db
        .client()
        .await
        .query(
            "SELECT type, subject_id, payload FROM activity_events ORDER BY id",
            &[],
        )
        .await
        .expect("outbox")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

fn types(rows: &[(String, Option<uuid::Uuid>, Value)]) -> Vec<&str> {
    rows.iter().map(|r| r.0.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn shipment_events_record_status_changes_delays_and_exceptions() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let shipment = w.ship(&app, w.body(1)).await;
    let events = w.events(&shipment);
    let post = |body: Value| app.post(&events, &w.user, body);
    let res = post(
        json!({"status": "in_transit", "event_time": "2025-03-01T10:00:00Z",
                          "estimated_delivery_at": "2025-03-03T10:00:00Z"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let rows = outbox(&app).await;
    assert_eq!(
        types(&rows),
        ["shipment.status_changed", "shipment.delayed"]
    );
    assert_eq!(rows[0].1.map(|s| s.to_string()), Some(shipment.clone()));
    assert_eq!(rows[1].2["status"], "in_transit");

    // The same scan again changes nothing and records nothing.
    post(
        json!({"status": "in_transit", "event_time": "2025-03-01T10:00:00Z",
                "estimated_delivery_at": "2025-03-03T10:00:00Z"}),
    )
    .await;
    assert_eq!(outbox(&app).await.len(), 2);

    post(
        json!({"status": "exception", "event_time": "2025-03-02T10:00:00Z",
                "description": "Address not found"}),
    )
    .await;
    let rows = outbox(&app).await;
    assert_eq!(
        types(&rows[2..]),
        ["shipment.status_changed", "shipment.exception"]
    );
    assert_eq!(rows[3].2["reason"], "Address not found");
    assert_eq!(rows[2].2["from"], "in_transit");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_aggregation_records_the_month_and_budgets_crossing_into_over_once() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let product = app.insert_product(acme, "A").await;
    app.set_costs(
        &user,
        acme,
        product,
        json!({"unit_cost": "2.50", "holding_cost_rate": "0.24", "reorder_cost": "10"}),
    )
    .await;
    app.insert(OrderHistory::of(acme).line_at(
        product,
        100,
        "2025-03-05T10:00:00Z".parse().expect("instant"),
    ))
    .await;
    let budget = app
        .create_budget(
            &user,
            acme,
            json!({"period_start": "2025-03-01", "period_end": "2025-03-31",
                   "budgeted_amount": "0.01"}),
        )
        .await;
    app.aggregate(&user, acme, "2025-03").await;
    let rows = outbox(&app).await;
    assert_eq!(types(&rows), ["cost_tracking.aggregated", "budget.over"]);
    assert_eq!(rows[0].2["period"], "2025-03");
    assert_eq!(rows[1].1.map(|b| b.to_string()), Some(budget));
    assert_eq!(rows[1].2["budgeted_amount"], "0.01");
    app.aggregate(&user, acme, "2025-03").await;
    assert_eq!(
        types(&outbox(&app).await[2..]),
        ["cost_tracking.aggregated"],
        "already over: not announced again"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recalculation_records_reorder_alerts_raised_and_resolved() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let product = app
        .insert(
            NewProduct::new(acme, "SOON")
                .stock(40)
                .lead_days(Some(6), None, None),
        )
        .await;
    app.insert(
        OrderHistory::of(acme)
            .line_at(product, 1, days_ago(200))
            .line_at(product, 180, days_ago(10)),
    )
    .await;
    let recalc = format!("/api/v1/clients/{acme}/lead-times/recalculate");
    assert_eq!(
        app.post(&recalc, &user, json!({})).await.status,
        StatusCode::OK
    );
    let rows = outbox(&app).await;
    assert_eq!(types(&rows), ["reorder_alert.raised"]);
    assert_eq!(rows[0].1, Some(product));
    assert_eq!(rows[0].2["sku"], "SOON");
    app.post(&recalc, &user, json!({})).await;
    assert_eq!(outbox(&app).await.len(), 1, "still alerting: nothing new");
    app.db
        .execute(&format!(
            "UPDATE products SET current_stock = 100000 WHERE id = '{product}'"
        ))
        .await;
    app.post(&recalc, &user, json!({})).await;
    let rows = outbox(&app).await;
    assert_eq!(types(&rows[1..]), ["reorder_alert.resolved"]);
}
