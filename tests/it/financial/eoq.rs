//! EOQ: `GET …/products/{id}/eoq` against published examples, annualisation, its inputs.

use axum::http::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::common::{
    TestApp, assert_invalid_fields,
    builders::{OrderHistory, at, days_ago, months_ago},
    snapshot::assert_response_shape,
};

#[tokio::test(flavor = "multi_thread")]
async fn eoq_matches_the_published_example_with_d_8000_s_12000_h_0_3() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let product = app.insert_product(acme, "WIDGET").await;
    app.set_costs(
        &user,
        acme,
        product,
        json!({"unit_cost": "1.50", "holding_cost_rate": "0.2", "reorder_cost": "12000"}),
    )
    .await;
    // History older than the trailing year, so D is the year's demand as it is: 8000.
    let mut history = OrderHistory::of(acme).line(product, 1, months_ago(24), "fulfilled");
    for days in [10, 60, 120, 300] {
        history = history.line(product, 2000, days_ago(days), "submitted");
    }
    let history = history.line(product, 5000, days_ago(5), "draft").line(
        product,
        5000,
        days_ago(5),
        "cancelled",
    );
    app.insert(history).await;

    let res = app
        .get_as(
            &format!("/api/v1/clients/{acme}/products/{product}/eoq"),
            &user,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let e = res.json();
    assert_eq!(e["annual_demand_units"], "8000.00");
    assert!(
        ["365 days", "366 days"].contains(&e["demand_basis"].as_str().unwrap()),
        "{e}"
    );
    assert_eq!(e["order_cost"], "12000.00");
    assert_eq!(e["holding_cost_per_unit"], "0.30");
    assert_eq!(e["eoq_units"], "25298.22");
    assert_eq!(e["orders_per_year"], "0.3162");
    assert_eq!(e["cycle_days"], "1154.23");
    assert_eq!(
        e["annual_total_cost"], "7589.47",
        "√(2 × 8000 × 12000 × 0.3)"
    );
    assert_eq!(e["as_of"], chrono::Utc::now().date_naive().to_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn eoq_matches_the_published_example_with_d_5000_s_400_unit_cost_140_rate_0_2() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let product = app.insert_product(acme, "MOTOR").await;
    app.set_costs(
        &user,
        acme,
        product,
        json!({"unit_cost": 140, "holding_cost_rate": "0.2", "reorder_cost": 400}),
    )
    .await;
    app.insert(
        OrderHistory::of(acme)
            .line(product, 9, at("2024-01-10T00:00:00Z"), "fulfilled")
            // The trailing year of 30 June 2025 is 1 July 2024 to 30 June 2025, both included.
            .line(product, 9999, at("2024-06-30T23:59:59Z"), "fulfilled")
            .line(product, 1000, at("2024-07-01T00:00:00Z"), "fulfilled")
            .line(product, 2500, at("2025-01-15T12:00:00Z"), "approved")
            .line(product, 1500, at("2025-06-30T23:59:59Z"), "submitted")
            .line(product, 9999, at("2025-07-01T00:00:00Z"), "submitted"),
    )
    .await;

    let e = app
        .get_as(
            &format!("/api/v1/clients/{acme}/products/{product}/eoq?as_of=2025-06-30"),
            &user,
        )
        .await
        .json();
    assert_eq!(e["annual_demand_units"], "5000.00", "{e}");
    assert_eq!(e["demand_basis"], "365 days");
    assert_eq!(e["order_cost"], "400.00");
    assert_eq!(e["holding_cost_per_unit"], "28.00", "140 × 0.2");
    assert_eq!(e["eoq_units"], "377.96");
    assert_eq!(e["orders_per_year"], "13.2288");
    assert_eq!(e["cycle_days"], "27.59");
    assert_eq!(e["annual_total_cost"], "10583.01");
    assert_response_shape!("eoq_d_5000_s_400_h_28", &e);
}

#[tokio::test(flavor = "multi_thread")]
async fn eoq_annualises_a_short_history_and_answers_zero_without_demand() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let costs = json!({"unit_cost": "140", "holding_cost_rate": "0.2", "reorder_cost": "400"});
    let young = app.insert_product(acme, "YOUNG").await;
    let newborn = app.insert_product(acme, "NEWBORN").await;
    let idle = app.insert_product(acme, "IDLE").await;
    let yearling = app.insert_product(acme, "YEARLING").await;
    for p in [young, newborn, idle, yearling] {
        app.set_costs(&user, acme, p, costs.clone()).await;
    }
    app.insert(
        OrderHistory::of(acme)
            // First order 31 March: 92 days to 30 June inclusive; 92 units → 365 a year.
            .line(young, 50, at("2025-03-31T08:00:00Z"), "submitted")
            .line(young, 42, at("2025-05-31T08:00:00Z"), "submitted")
            // First order 25 June: 6 days, counted as the 30-day minimum; 30 units → 365.
            .line(newborn, 30, at("2025-06-25T08:00:00Z"), "submitted")
            // First order on the window's first day: the whole year, nothing to annualise.
            .line(yearling, 73, at("2024-07-01T08:00:00Z"), "submitted"),
    )
    .await;
    let eoq = |p: Uuid| format!("/api/v1/clients/{acme}/products/{p}/eoq?as_of=2025-06-30");

    let e = app.get_as(&eoq(young), &user).await.json();
    assert_eq!(e["annual_demand_units"], "365.00", "{e}");
    assert_eq!(e["demand_basis"], "annualised from 92 days");
    let e = app.get_as(&eoq(newborn), &user).await.json();
    assert_eq!(e["annual_demand_units"], "365.00", "{e}");
    assert_eq!(e["demand_basis"], "annualised from 30 days");
    let e = app.get_as(&eoq(yearling), &user).await.json();
    assert_eq!(e["annual_demand_units"], "73.00", "{e}");
    assert_eq!(
        e["demand_basis"], "365 days",
        "the same words as a longer history"
    );

    let e = app.get_as(&eoq(idle), &user).await.json();
    assert_eq!(e["annual_demand_units"], "0.00", "{e}");
    assert_eq!(e["demand_basis"], "no order history");
    assert_eq!(e["eoq_units"], "0.00");
    assert_eq!(e["orders_per_year"], "0.0000");
    assert!(e["cycle_days"].is_null());
    assert_eq!(e["annual_total_cost"], "0.00");
}

#[tokio::test(flavor = "multi_thread")]
async fn eoq_without_its_inputs_is_a_422_naming_each_missing_one() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let eoq = |p: Uuid| format!("/api/v1/clients/{acme}/products/{p}/eoq");

    let bare = app.insert_product(acme, "BARE").await;
    let res = app.get_as(&eoq(bare), &user).await;
    assert_invalid_fields(&res, &["reorder_cost", "unit_cost", "holding_cost_rate"]);

    let cases = [
        (
            json!({"unit_cost": "1"}),
            vec!["reorder_cost", "holding_cost_rate"],
        ),
        (
            json!({"reorder_cost": "1"}),
            vec!["unit_cost", "holding_cost_rate"],
        ),
        (
            json!({"holding_cost_rate": "0.1"}),
            vec!["reorder_cost", "unit_cost"],
        ),
        (
            json!({"unit_cost": "1", "holding_cost_rate": "0.1"}),
            vec!["reorder_cost"],
        ),
        (
            json!({"unit_cost": "0", "holding_cost_rate": "0.1", "reorder_cost": "5"}),
            vec!["unit_cost"],
        ),
        (
            json!({"unit_cost": "1", "holding_cost_rate": "0", "reorder_cost": "0"}),
            vec!["holding_cost_rate", "reorder_cost"],
        ),
    ];
    for (i, (costs, missing)) in cases.into_iter().enumerate() {
        let p = app.insert_product(acme, &format!("P-{i}")).await;
        app.set_costs(&user, acme, p, costs.clone()).await;
        let res = app.get_as(&eoq(p), &user).await;
        let body = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        let named: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        let mut named_sorted = named.clone();
        named_sorted.sort();
        let mut expected = missing.clone();
        expected.sort();
        assert_eq!(
            named_sorted, expected,
            "{costs}: exactly the missing inputs"
        );
    }
    app.get_as(&eoq(Uuid::new_v4()), &user)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}
