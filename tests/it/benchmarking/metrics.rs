//! The five metrics of one client, hand-computed for March 2025 (31 days).

use serde_json::json;

use super::view;
use crate::common::{
    TestApp,
    builders::{NewClient, NewForecast, NewOrder, NewProduct, StockReadings, at},
};

#[tokio::test(flavor = "multi_thread")]
async fn a_clients_own_metrics_follow_the_documented_formulas() {
    let app = TestApp::new().await;
    let client = app.insert(NewClient::named("Metrics Co")).await;
    let user = app.client_user(client).await;
    let jan = at("2025-01-01T00:00:00Z");
    // A: a unit cost, stock 10 from before March, 0 from 10 March, 30 from 20 March.
    let a = app
        .insert(
            NewProduct::new(client, "A")
                .costs("2.00", "5", "0.2")
                .created_at(jan),
        )
        .await;
    app.insert(
        StockReadings::of(a)
            .on("2025-02-24", 10)
            .on("2025-03-10", 0)
            .on("2025-03-20", 30)
            .on("2025-04-02", 0),
    )
    .await;
    // B: no cost; first reading ever on 16 March (days before it are unknown).
    let b = app
        .insert(NewProduct::new(client, "B").created_at(jan))
        .await;
    app.insert(StockReadings::of(b).on("2025-03-16", 5)).await;
    // C: created after March; D: archived during March. Neither is an active SKU of March.
    app.insert(NewProduct::new(client, "C").created_at(at("2025-04-05T00:00:00Z")))
        .await;
    let d = app
        .insert(NewProduct::new(client, "D").created_at(jan))
        .await;
    app.db
        .execute(&format!(
            "UPDATE products SET archived_at = '2025-03-15T00:00:00Z' WHERE id = '{d}'"
        ))
        .await;
    // Two counted orders in March; a draft, a cancelled one and one on 1 April do not count.
    for order in [
        NewOrder::new(client)
            .at(at("2025-03-05T10:00:00Z"))
            .item(a, 20)
            .item(b, 5),
        NewOrder::new(client)
            .at(at("2025-03-31T23:59:59Z"))
            .status("fulfilled")
            .item(a, 10),
        NewOrder::new(client)
            .at(at("2025-03-06T10:00:00Z"))
            .status("draft")
            .item(a, 100),
        NewOrder::new(client)
            .at(at("2025-03-07T10:00:00Z"))
            .status("cancelled")
            .item(a, 100),
        NewOrder::new(client)
            .at(at("2025-04-01T00:00:00Z"))
            .item(a, 100),
    ] {
        app.insert(order).await;
    }
    app.insert(NewForecast::new(a, "2025-03-01", "25")).await;
    app.insert(NewForecast::new(b, "2025-03-01", "10")).await;
    app.insert(NewForecast::new(a, "2025-04-01", "999")).await;

    let body = view(&app, &user, client, "2025-03").await;
    assert_eq!(body["period"], "2025-03");
    assert_eq!(body["participating"], false);
    assert_eq!(body["reason"], "not_participating");
    assert_eq!(body["percentiles"], json!(null));
    // product_count: A and B. order_frequency: 2 orders / 31 days = 0.064516…
    // stockout_rate: A 31 SKU-days (10 at zero), B 16 → 10 / 47 = 0.212765…
    // forecast_accuracy: |30 − 25| + |5 − 10| = 10 over 35 actual → 1 − 0.285714… = 0.714285…
    // inventory_turnover: cost of goods 30 × 2.00 = 60; A's average stock (9·10 + 10·0 +
    // 12·30) / 31 = 450/31 units at 2.00 = 900/31; 60 × 365/31 ÷ 900/31 = 24.3333…
    assert_eq!(
        body["metrics"],
        json!({
            "product_count": "2",
            "order_frequency": "0.0645",
            "stockout_rate": "0.2128",
            "forecast_accuracy": "0.7143",
            "inventory_turnover": "24.3333",
        })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_stock_forecasts_or_costs_those_metrics_are_null() {
    let app = TestApp::new().await;
    let client = app.insert(NewClient::named("Bare Co")).await;
    let user = app.client_user(client).await;
    let p = app
        .insert(NewProduct::new(client, "P").created_at(at("2025-01-01T00:00:00Z")))
        .await;
    app.insert(
        NewOrder::new(client)
            .at(at("2025-03-02T00:00:00Z"))
            .item(p, 3),
    )
    .await;
    let body = view(&app, &user, client, "2025-03").await;
    assert_eq!(
        body["metrics"],
        json!({
            "product_count": "1",
            "order_frequency": "0.0323",
            "stockout_rate": null,
            "forecast_accuracy": null,
            "inventory_turnover": null,
        })
    );
    // Forecasts but no demand at all: a perfect zero forecast is 1, any other is clamped to 0.
    app.insert(NewForecast::new(p, "2025-02-01", "0")).await;
    let feb = view(&app, &user, client, "2025-02").await;
    assert_eq!(feb["metrics"]["forecast_accuracy"], "1.0000");
    app.insert(NewForecast::new(p, "2025-01-01", "4")).await;
    let jan = view(&app, &user, client, "2025-01").await;
    assert_eq!(jan["metrics"]["forecast_accuracy"], "0.0000");
}
