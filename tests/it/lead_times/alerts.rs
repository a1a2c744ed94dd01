//! `GET /reorder-alerts`: the window, statuses, order, quantities, inputs, cache age,
//! keyset pages, the status filter and bad input.

use axum::http::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use super::{in_days, recalculate};
use crate::common::{
    Actor, TestApp, assert_invalid_fields,
    builders::{NewClient, NewProduct, OrderHistory, days_ago},
};

/// A product selling 2 a day over the window (180 units, plus older history so the window is
/// not scaled), `stock` on hand and `lead` supplier days: stockout in ⌊stock / 2⌋ days.
async fn selling(app: &TestApp, client: Uuid, sku: &str, stock: i32, lead: Option<i32>) -> Uuid {
    let id = app
        .insert(
            NewProduct::new(client, sku)
                .stock(stock)
                .lead_days(lead, None, None),
        )
        .await;
    app.insert(
        OrderHistory::of(client)
            .line_at(id, 1, days_ago(200))
            .line_at(id, 180, days_ago(10)),
    )
    .await;
    id
}

async fn alerts(app: &TestApp, actor: &Actor, client: Uuid, query: &str) -> Value {
    let res = app
        .get_as(
            &format!("/api/v1/clients/{client}/reorder-alerts{query}"),
            actor,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

fn skus(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|a| a["sku"].as_str().expect("sku").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn alerts_list_the_window_soonest_first_with_statuses_and_their_inputs() {
    let app = TestApp::new().await;
    let acme = app
        .insert(NewClient::named("Acme").default_lead_days(6, 4))
        .await;
    let user = app.client_user(acme).await;
    // Order-by dates: stock/2 − lead.
    selling(&app, acme, "EMPTY", 0, Some(3)).await; // stockout today: out_of_stock, −3
    selling(&app, acme, "LATE", 20, Some(15)).await; // 10 − 15 = −5: order_now
    selling(&app, acme, "TODAY", 20, Some(10)).await; // 0: order_now
    selling(&app, acme, "SOON", 40, Some(6)).await; // 14: reorder_soon (the window's edge)
    selling(&app, acme, "LATER", 42, Some(6)).await; // 15: outside 14 days
    selling(&app, acme, "DEFAULT", 30, None).await; // 15 − (6 + 4) = 5: reorder_soon
    selling(&app, acme, "PLENTY", 1000, Some(5)).await; // 495: outside
    // No lead time anywhere: no order-by date, so no alert (another client without defaults).
    let bare = app.insert_client("Bare").await;
    selling(&app, bare, "UNKNOWN", 2, None).await;
    recalculate(&app, &user, acme).await;

    let page = alerts(&app, &user, acme, "").await;
    assert_eq!(page["within_days"], 14);
    assert_eq!(page["as_of"], in_days(0));
    assert_eq!(skus(&page), ["LATE", "EMPTY", "TODAY", "DEFAULT", "SOON"]);
    let status: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        status,
        [
            "order_now",
            "out_of_stock",
            "order_now",
            "reorder_soon",
            "reorder_soon"
        ]
    );

    let late = &page["data"][0];
    assert_eq!(late["projected_stockout_date"], in_days(10));
    assert_eq!(late["last_order_by_date"], in_days(-5));
    let inputs = &late["inputs"];
    assert_eq!(inputs["daily_demand"], "2.0000");
    assert_eq!(inputs["window_units"], 180);
    assert_eq!(inputs["demand_window_days"], 90);
    assert_eq!(inputs["on_hand"], 20);
    assert_eq!(inputs["supplier_lead_days"], 15);
    assert_eq!(inputs["total_lead_days"], 15);
    assert_eq!(inputs["lead_time_source"], "manual");
    // No EOQ inputs: 2 a day × (15 lead + 30 review) = 90.
    assert!(inputs["eoq_units"].is_null());
    assert_eq!(late["suggested_order_quantity"], "90");
    assert_eq!(late["suggested_quantity_basis"], "lead_time_demand");
    assert!(late["cache_age_seconds"].as_i64().expect("age") < 60);
    assert!(late["calculated_at"].is_string());

    let default = &page["data"][3];
    assert_eq!(default["inputs"]["lead_time_source"], "client_default");
    assert_eq!(default["inputs"]["supplier_lead_days"], 6);
    assert_eq!(default["inputs"]["shipping_lead_days"], 4);
    assert_eq!(default["inputs"]["total_lead_days"], 10);

    let wide = alerts(&app, &user, acme, "?within_days=15").await;
    assert!(skus(&wide).contains(&"LATER".to_owned()));
    let none_ahead = alerts(&app, &user, acme, "?within_days=0").await;
    assert_eq!(
        skus(&none_ahead),
        ["LATE", "EMPTY", "TODAY"],
        "0: due or overdue only"
    );

    let now = alerts(&app, &user, acme, "?status=order_now").await;
    assert_eq!(skus(&now), ["LATE", "TODAY"]);
    let out = alerts(&app, &user, acme, "?status=out_of_stock").await;
    assert_eq!(skus(&out), ["EMPTY"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_suggested_quantity_is_the_products_eoq_when_it_has_one() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    // D = 8000 over the trailing year, S = 12000, H = 1.50 × 0.2: EOQ 25298.22 (as in
    // docs/financial.md); 0 on hand, so the alert is due now.
    let id = app
        .insert(
            NewProduct::new(acme, "BULK")
                .stock(0)
                .costs("1.50", "12000", "0.2")
                .lead_days(Some(7), None, None),
        )
        .await;
    app.insert(
        OrderHistory::of(acme)
            .line_at(id, 1, days_ago(500))
            .line_at(id, 7001, days_ago(300))
            .line_at(id, 999, days_ago(20)),
    )
    .await;
    recalculate(&app, &user, acme).await;
    let page = alerts(&app, &user, acme, "").await;
    let alert = &page["data"][0];
    assert_eq!(alert["inputs"]["eoq_units"], "25298.22");
    assert_eq!(alert["suggested_order_quantity"], "25299");
    assert_eq!(alert["suggested_quantity_basis"], "eoq");
    let eoq = app
        .get_as(&format!("/api/v1/clients/{acme}/products/{id}/eoq"), &user)
        .await
        .json();
    assert_eq!(
        eoq["eoq_units"], alert["inputs"]["eoq_units"],
        "the same EOQ as the route"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn alerts_come_in_keyset_pages_and_bad_queries_are_422() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    for i in 0..7 {
        // Two products per order-by date, so pages split ties on product_id.
        selling(&app, acme, &format!("P-{i}"), 2 * (i / 2) + 10, Some(5)).await;
    }
    recalculate(&app, &user, acme).await;
    let all = alerts(&app, &user, acme, "?limit=500").await;
    let (rows, pages) = app
        .collect_pages(&format!("/api/v1/clients/{acme}/reorder-alerts"), &user, 2)
        .await;
    assert_eq!(pages, 4);
    assert_eq!(
        Value::Array(rows),
        all["data"],
        "the same rows, in the same order"
    );

    for query in [
        "?within_days=-1",
        "?within_days=366",
        "?status=urgent",
        "?limit=0",
    ] {
        let res = app
            .get_as(
                &format!("/api/v1/clients/{acme}/reorder-alerts{query}"),
                &user,
            )
            .await;
        res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = app
        .get_as(
            &format!("/api/v1/clients/{acme}/reorder-alerts?within_days=400&status=x"),
            &user,
        )
        .await;
    assert_invalid_fields(&res, &["within_days", "status"]);
    let res = app
        .get_as(
            &format!("/api/v1/clients/{acme}/reorder-alerts?within_days=1.5"),
            &user,
        )
        .await;
    assert!(res.status.is_client_error(), "{}", res.text());
}
