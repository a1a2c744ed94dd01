//! The monthly cost aggregation: a hand-computed month, idempotence, concurrency, the job,
//! the list and its filters, validation.

use axum::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{
    Actor, TestApp,
    api::{entry_of, row_of},
    assert_invalid_fields,
    builders::{NewProduct, OrderHistory, StockReadings, at},
    concurrently,
};

/// Client "Acme" with three products and a March 2025 whose every figure is known:
/// - A: unit 2.50, rate 0.24, reorder 10, stock readings 100, 200, 301 in March; counted
///   orders 100 + 50 in March, 7 on 28 Feb, 43 on 1 Apr 2024 (window start), and history
///   before the window (so D is not annualised); draft, cancelled, April 2025 and pre-window
///   orders that must not count in the month.
/// - B: no costs, no orders, current_stock 100.
/// - C: unit 10, rate 0.2, reorder 5, no readings, current_stock 100; first order ever on
///   1 March 2025 (30 units), so D is annualised over 31 days.
struct March {
    acme: Uuid,
    user: Actor,
    a: Uuid,
    b: Uuid,
    c: Uuid,
}

async fn march_2025(app: &TestApp) -> March {
    let (acme, user) = app.client_with_user("Acme").await;
    let a = app.insert_product(acme, "A").await;
    let b = app.insert_product(acme, "B").await;
    let c = app.insert_product(acme, "C").await;
    app.set_costs(
        &user,
        acme,
        a,
        json!({"unit_cost": "2.50", "holding_cost_rate": "0.24", "reorder_cost": "10"}),
    )
    .await;
    app.set_costs(
        &user,
        acme,
        c,
        json!({"unit_cost": "10", "holding_cost_rate": "0.2", "reorder_cost": "5"}),
    )
    .await;
    let mut history = OrderHistory::of(acme);
    for (qty, when, status) in [
        (100, "2025-03-05T10:00:00Z", "submitted"),
        (50, "2025-03-31T23:59:59Z", "approved"),
        (999, "2025-03-10T10:00:00Z", "draft"),
        (999, "2025-03-11T10:00:00Z", "cancelled"),
        (7, "2025-02-28T23:59:59Z", "fulfilled"),
        (1000, "2025-04-01T00:00:00Z", "submitted"),
        (43, "2024-04-01T00:00:00Z", "submitted"),
        (1000, "2024-03-31T23:59:59Z", "submitted"),
    ] {
        history = history.line(a, qty, at(when), status);
    }
    app.insert(history.line(c, 30, at("2025-03-01T00:00:00Z"), "submitted"))
        .await;
    app.insert(
        StockReadings::of(a)
            .on("2025-02-28", 9999)
            .on("2025-03-01", 100)
            .on("2025-03-15", 200)
            .on("2025-03-31", 301)
            .on("2025-04-01", 9999),
    )
    .await;
    // Another client's month must not leak in.
    let (other, _) = app.client_with_user("Other").await;
    let theirs = app.insert_product(other, "THEIRS").await;
    app.insert(OrderHistory::of(other).line(theirs, 5, at("2025-03-05T10:00:00Z"), "submitted"))
        .await;
    March {
        acme,
        user,
        a,
        b,
        c,
    }
}

/// A row without the columns that change on every run.
fn figures(row: &Value) -> Value {
    let mut row = row.clone();
    for volatile in ["calculated_at", "updated_at"] {
        row.as_object_mut().unwrap().remove(volatile);
    }
    row
}

#[tokio::test(flavor = "multi_thread")]
async fn aggregation_matches_a_hand_computed_month_and_is_idempotent() {
    let app = TestApp::new().await;
    let m = march_2025(&app).await;
    let res = app.aggregate(&m.user, m.acme, "2025-03").await;
    assert_eq!(res["period"], "2025-03");
    assert_eq!(res["products"], 3, "one row per product of the client");
    assert!(res["calculated_at"].is_string());

    let rows = app
        .cost_rows(&m.user, m.acme, "from=2025-03-01&to=2025-03-01")
        .await;
    assert_eq!(rows.len(), 3);

    // A: D = 100 + 50 + 7 + 43 = 200, S = 10, H = 2.50 × 0.24 = 0.6.
    let a = row_of(&rows, m.a);
    assert_eq!(a["period"], "2025-03-01");
    assert_eq!(a["client_id"], m.acme.to_string());
    assert_eq!(a["demand_units"], 150);
    assert_eq!(a["demand_value"], "375.00", "150 × 2.50");
    assert_eq!(a["average_stock_units"], "200.33", "(100 + 200 + 301) / 3");
    assert_eq!(a["unit_cost"], "2.50");
    assert_eq!(
        a["holding_cost"], "10.21",
        "601/3 × 2.50 × 0.24 × 31 / 365 = 10.2088"
    );
    assert_eq!(a["eoq_units"], "81.65", "√(2 × 200 × 10 / 0.6) = 81.6497");
    assert_eq!(a["eoq_orders_per_year"], "2.4495", "200 / 81.6497");
    assert_eq!(
        a["eoq_annual_cost"], "48.99",
        "√(2 × 200 × 10 × 0.6) = 48.9898"
    );
    assert_eq!(a["order_count"], 2, "⌈150 / 81.65⌉");
    assert_eq!(a["ordering_cost"], "20.00");
    assert_eq!(a["total_cost"], "405.21", "375 + 10.2088 + 20");

    // B: nothing but stock on hand.
    let b = row_of(&rows, m.b);
    assert_eq!(b["demand_units"], 0);
    assert_eq!(b["demand_value"], "0.00");
    assert_eq!(
        b["average_stock_units"], "100.00",
        "no readings: current_stock"
    );
    assert!(b["unit_cost"].is_null());
    assert_eq!(b["holding_cost"], "0.00");
    assert!(b["eoq_units"].is_null() && b["eoq_orders_per_year"].is_null());
    assert!(b["eoq_annual_cost"].is_null());
    assert_eq!(b["order_count"], 0);
    assert_eq!(b["ordering_cost"], "0.00");
    assert_eq!(b["total_cost"], "0.00");

    // C: history starts 1 March: D = 30 × 365 / 31 = 353.2258; H = 10 × 0.2 = 2.
    let c = row_of(&rows, m.c);
    assert_eq!(c["demand_units"], 30);
    assert_eq!(c["demand_value"], "300.00");
    assert_eq!(c["average_stock_units"], "100.00");
    assert_eq!(
        c["holding_cost"], "16.99",
        "100 × 10 × 0.2 × 31 / 365 = 16.9863"
    );
    assert_eq!(c["eoq_units"], "42.03", "√(2 × 353.2258 × 5 / 2)");
    assert_eq!(c["eoq_orders_per_year"], "8.4051");
    assert_eq!(c["eoq_annual_cost"], "84.05");
    assert_eq!(c["order_count"], 1);
    assert_eq!(c["ordering_cost"], "5.00");
    assert_eq!(c["total_cost"], "321.99");

    // Again: the same rows (same ids), the same figures.
    let again = app.aggregate(&m.user, m.acme, "2025-03").await;
    assert_eq!(again["products"], 3);
    let rows_again = app.cost_rows(&m.user, m.acme, "").await;
    assert_eq!(rows_again.len(), 3);
    for (before, after) in rows.iter().zip(&rows_again) {
        assert_eq!(figures(before), figures(after));
        assert!(after["calculated_at"].as_str() >= before["calculated_at"].as_str());
    }

    // A cost change is picked up by the next run, overwriting the month.
    app.set_costs(&m.user, m.acme, m.b, json!({"unit_cost": "1.00"}))
        .await;
    app.aggregate(&m.user, m.acme, "2025-03").await;
    let rows = app
        .cost_rows(&m.user, m.acme, &format!("product_id={}", m.b))
        .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["unit_cost"], "1.00");
    assert_eq!(rows[0]["id"], b["id"], "updated in place");
}

#[tokio::test(flavor = "multi_thread")]
async fn many_small_amounts_add_up_exactly() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let penny = app.insert_product(acme, "PENNY").await;
    app.set_costs(&user, acme, penny, json!({"unit_cost": "0.01"}))
        .await;
    // A thousand one-unit orders, forty minutes apart from 1 May (all in May).
    let mut history = OrderHistory::of(acme);
    for n in 0..1000 {
        history = history.line_at(
            penny,
            1,
            at("2025-05-01T00:00:00Z") + chrono::Duration::minutes(40 * n),
        );
    }
    app.insert(history).await;
    app.aggregate(&user, acme, "2025-05").await;
    let rows = app.cost_rows(&user, acme, "").await;
    assert_eq!(rows[0]["demand_units"], 1000);
    assert_eq!(rows[0]["demand_value"], "10.00", "1000 lines × 0.01");
    assert_eq!(rows[0]["total_cost"], "10.00");

    // And a budget over them: 10.00 against 9.99 budgeted.
    let id = app.create_budget(&user,
        acme,
        json!({"period_start": "2025-05-01", "period_end": "2025-05-31", "budgeted_amount": "9.99"}),
    )
    .await;
    let e = app.variance(&user, acme, "as_of=2025-06-01").await;
    let e = entry_of(&e, &id);
    assert_eq!(e["actual_amount"], "10.00");
    assert_eq!(e["variance_amount"], "0.01");
    assert_eq!(e["variance_percent"], "0.10");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_aggregations_of_a_month_leave_one_row_per_product() {
    let app = TestApp::new().await;
    let m = march_2025(&app).await;
    let operator = app.operator().await;
    let path = format!("/api/v1/clients/{}/cost-tracking/aggregate", m.acme);
    for _ in 0..3 {
        let results = concurrently([&m.user, &operator, &m.user].map(|actor| {
            app.api()
                .post(path.clone(), actor, json!({"period": "2025-03"}))
        }))
        .await;
        for res in &results {
            assert_eq!(res.status, StatusCode::OK, "{}", res.text());
            assert_eq!(res.json()["products"], 3);
        }
    }
    let rows = app.cost_rows(&m.user, m.acme, "").await;
    assert_eq!(rows.len(), 3, "one row per product: {rows:?}");
    assert_eq!(row_of(&rows, m.a)["total_cost"], "405.21");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cost_job_aggregates_every_client_with_the_same_figures() {
    let app = TestApp::new().await;
    let m = march_2025(&app).await;
    let mut conn = app.db.diesel().await;
    let (clients, rows) =
        fulfillment_ops::financial::aggregate_all_clients(&mut conn, "2025-03", &5.into())
            .await
            .expect("job");
    assert_eq!(
        (clients, rows),
        (2, 4),
        "Acme's three products and Other's one"
    );
    let from_job = app.cost_rows(&m.user, m.acme, "").await;
    app.aggregate(&m.user, m.acme, "2025-03").await;
    let from_route = app.cost_rows(&m.user, m.acme, "").await;
    assert_eq!(
        from_job.iter().map(figures).collect::<Vec<_>>(),
        from_route.iter().map(figures).collect::<Vec<_>>()
    );
    let other_rows: i64 = app
        .db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM cost_tracking WHERE client_id <> $1",
            &[&m.acme],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(other_rows, 1);
    for bad in ["2025-13", "2025-3", "next month"] {
        let err = fulfillment_ops::financial::aggregate_all_clients(&mut conn, bad, &5.into())
            .await
            .expect_err(bad);
        assert!(err.to_string().contains(bad), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn cost_tracking_lists_by_month_and_product_with_filters() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let mut products = Vec::new();
    for i in 0..3 {
        products.push(app.insert_product(acme, &format!("P-{i}")).await);
    }
    for month in ["2025-01", "2025-02", "2025-03", "2025-04"] {
        app.aggregate(&user, acme, month).await;
    }
    let (all, pages) = app
        .collect_pages(&format!("/api/v1/clients/{acme}/cost-tracking"), &user, 5)
        .await;
    assert_eq!((all.len(), pages), (12, 3));
    let keys: Vec<(String, String)> = all
        .iter()
        .map(|r| {
            (
                r["period"].as_str().unwrap().to_owned(),
                r["product_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        keys, sorted,
        "by (period, product_id), none lost or repeated"
    );

    let window = app
        .cost_rows(&user, acme, "from=2025-01-02&to=2025-03-01")
        .await;
    let periods: Vec<&str> = window
        .iter()
        .map(|r| r["period"].as_str().unwrap())
        .collect();
    assert_eq!(
        periods,
        ["2025-02-01"; 3]
            .iter()
            .chain(&["2025-03-01"; 3])
            .copied()
            .collect::<Vec<_>>()
    );
    let one = app
        .cost_rows(&user, acme, &format!("product_id={}", products[1]))
        .await;
    assert_eq!(one.len(), 4);
    assert!(
        one.iter()
            .all(|r| r["product_id"] == products[1].to_string())
    );
    assert_invalid_fields(
        &app.get_as(
            &format!("/api/v1/clients/{acme}/cost-tracking?from=2025-04-01&to=2025-01-01"),
            &user,
        )
        .await,
        &["from"],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn aggregation_periods_are_validated() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let path = format!("/api/v1/clients/{acme}/cost-tracking/aggregate");
    for bad in [
        "2026-13",
        "2026-00",
        "2026-1",
        "26-01",
        "2026-01-01",
        "January",
        "",
    ] {
        let res = app.post(&path, &user, json!({ "period": bad })).await;
        assert_invalid_fields(&res, &["period"]);
    }
    let next_year = chrono::Utc::now().date_naive().format("%Y").to_string();
    let future = format!("{}-01", next_year.parse::<i32>().unwrap() + 1);
    assert_invalid_fields(
        &app.post(&path, &user, json!({ "period": future })).await,
        &["period"],
    );
    assert_invalid_fields(&app.post(&path, &user, json!({})).await, &["period"]);
    assert_invalid_fields(
        &app.post(&path, &user, json!({"period": 202601})).await,
        &["period"],
    );
    let this_month = chrono::Utc::now().date_naive().format("%Y-%m").to_string();
    let res = app
        .post(&path, &user, json!({ "period": this_month }))
        .await;
    assert_eq!(
        res.status,
        StatusCode::OK,
        "the current month may be aggregated"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_month_too_large_for_its_columns_is_a_422_and_writes_nothing() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let product = app
        .insert(NewProduct::new(acme, "GOLD").stock(i32::MAX))
        .await;
    let modest = app.insert_product(acme, "TIN").await;
    app.set_costs(
        &user,
        acme,
        product,
        json!({"unit_cost": "9999999999.99", "holding_cost_rate": "1"}),
    )
    .await;
    let res = app
        .post(
            &format!("/api/v1/clients/{acme}/cost-tracking/aggregate"),
            &user,
            json!({"period": "2025-01"}),
        )
        .await;
    assert_invalid_fields(&res, &["period"]);
    assert!(
        app.cost_rows(&user, acme, "").await.is_empty(),
        "one statement: not even {modest}'s row was written"
    );
}
