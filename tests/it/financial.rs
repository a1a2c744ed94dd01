//! Financial tracking through the real router on real PostgreSQL: product costs, budgets
//! (overlap rule, race-free), variance and projection, the monthly aggregation (hand-computed,
//! idempotent, concurrent), EOQ against published figures, and validation.

use crate::common::{Actor, TestApp, assert_invalid_fields};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A client with one of its users.
async fn client_with_user(app: &TestApp, name: &str) -> (Uuid, Actor) {
    let client = app.insert_client(name).await;
    let user = app.client_user(client).await;
    (client, user)
}

/// An order request of one line, created at `at_sql` (an SQL expression) with `status`.
async fn order_at(
    app: &TestApp,
    client: Uuid,
    product: Uuid,
    quantity: i32,
    at_sql: &str,
    status: &str,
) {
    app.db
        .execute(&format!(
            "WITH o AS (INSERT INTO order_requests (client_id, status, created_at) \
                        VALUES ('{client}', '{status}', {at_sql}) RETURNING id) \
             INSERT INTO order_request_items (order_request_id, product_id, quantity) \
             SELECT id, '{product}', {quantity} FROM o"
        ))
        .await;
}

async fn set_costs(app: &TestApp, user: &Actor, client: Uuid, product: Uuid, costs: Value) {
    let res = app
        .patch(
            &format!("/api/v1/clients/{client}/products/{product}/costs"),
            user,
            costs,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

/// A month's total cost of a product, as the aggregation would have stored it.
async fn cost_row(app: &TestApp, client: Uuid, product: Uuid, period: &str, total: &str) {
    app.db
        .execute(&format!(
            "INSERT INTO cost_tracking (client_id, product_id, period, total_cost) \
             VALUES ('{client}', '{product}', '{period}', {total})"
        ))
        .await;
}

async fn aggregate(app: &TestApp, user: &Actor, client: Uuid, period: &str) -> Value {
    let res = app
        .post(
            &format!("/api/v1/clients/{client}/cost-tracking/aggregate"),
            user,
            json!({ "period": period }),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

/// Every cost-tracking row of the client in `[from, to]`, by (period, product_id).
async fn cost_rows(app: &TestApp, user: &Actor, client: Uuid, query: &str) -> Vec<Value> {
    app.collect_pages(
        &format!("/api/v1/clients/{client}/cost-tracking?{query}"),
        user,
        500,
    )
    .await
    .0
}

fn row_of(rows: &[Value], product: Uuid) -> &Value {
    rows.iter()
        .find(|r| r["product_id"] == product.to_string())
        .unwrap_or_else(|| panic!("no row for {product} in {rows:?}"))
}

/// Sends the requests at the same time, each on its own task (so on its own connection), and
/// returns (status, body) in order.
async fn concurrently(
    app: &TestApp,
    requests: Vec<(Method, String, &Actor, Value)>,
) -> Vec<(StatusCode, Value)> {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(requests.len()));
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(method, path, actor, body)| {
            let req = Request::builder()
                .method(method)
                .uri(path)
                .header(header::AUTHORIZATION, format!("Bearer {}", actor.token))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .expect("request");
            let router = app.router.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                let res = router.oneshot(req).await.expect("infallible");
                let status = res.status();
                let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
                    .await
                    .expect("body");
                (
                    status,
                    serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                )
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

async fn variance(app: &TestApp, user: &Actor, client: Uuid, query: &str) -> Vec<Value> {
    let res = app
        .get_as(
            &format!("/api/v1/clients/{client}/budgets/variance?{query}"),
            user,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()["data"].as_array().expect("data").clone()
}

fn entry_of<'a>(entries: &'a [Value], budget: &str) -> &'a Value {
    entries
        .iter()
        .find(|e| e["budget_id"] == budget)
        .unwrap_or_else(|| panic!("no variance for {budget} in {entries:?}"))
}

async fn create_budget(app: &TestApp, user: &Actor, client: Uuid, body: Value) -> String {
    let res = app
        .post(&format!("/api/v1/clients/{client}/budgets"), user, body)
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()["id"].as_str().expect("id").to_owned()
}

// ---------------------------------------------------------------------------------------------
// Product costs
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn cost_patch_keeps_exact_decimals_changes_only_what_it_names_and_stamps() {
    let app = TestApp::new().await;
    let (acme, user) = client_with_user(&app, "Acme").await;
    let product = app.insert_product(acme, "TEE-1").await;
    let path = format!("/api/v1/clients/{acme}/products/{product}/costs");

    let res = app
        .patch(
            &path,
            &user,
            json!({"unit_cost": "0.10", "unit_price": 19.99, "reorder_cost": "250",
                   "holding_cost_rate": "0.25", "cost_source": "supplier_invoice"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let p = res.json();
    assert_eq!(p["id"], product.to_string(), "answers the product");
    assert_eq!(p["unit_cost"], "0.10", "\"0.10\" in, \"0.10\" out");
    assert_eq!(p["unit_price"], "19.99", "a JSON number converts exactly");
    assert_eq!(p["reorder_cost"], "250.00");
    assert_eq!(p["holding_cost_rate"], "0.2500");
    assert_eq!(p["cost_source"], "supplier_invoice");
    let stamped = p["last_cost_update"].as_str().expect("stamped").to_owned();

    let p = app
        .patch(&path, &user, json!({"unit_price": null}))
        .await
        .json();
    assert!(p["unit_price"].is_null(), "null clears");
    assert_eq!(p["unit_cost"], "0.10", "absent stays");
    assert_eq!(p["reorder_cost"], "250.00");
    assert_eq!(p["cost_source"], "supplier_invoice");
    assert!(p["last_cost_update"].as_str().expect("stamped") >= stamped.as_str());

    let p = app.patch(&path, &user, json!({})).await.json();
    assert_eq!(
        p["last_cost_update"].as_str(),
        app.get_as(&format!("/api/v1/clients/{acme}/products/{product}"), &user)
            .await
            .json()["last_cost_update"]
            .as_str(),
        "an empty patch answers the product unchanged"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_costs_name_every_bad_field_and_change_nothing() {
    let app = TestApp::new().await;
    let (acme, user) = client_with_user(&app, "Acme").await;
    let product = app.insert_product(acme, "TEE-1").await;
    let path = format!("/api/v1/clients/{acme}/products/{product}/costs");
    let res = app
        .patch(
            &path,
            &user,
            json!({"unit_cost": "-0.01", "unit_price": "1.005", "reorder_cost": -3,
                   "holding_cost_rate": "1.5", "cost_source": "guess"}),
        )
        .await;
    assert_invalid_fields(
        &res,
        &[
            "unit_cost",
            "unit_price",
            "reorder_cost",
            "holding_cost_rate",
            "cost_source",
        ],
    );
    assert_invalid_fields(
        &app.patch(&path, &user, json!({"holding_cost_rate": "-0.1"}))
            .await,
        &["holding_cost_rate"],
    );
    assert_invalid_fields(
        &app.patch(&path, &user, json!({"unit_cost": "abc"})).await,
        &["unit_cost"],
    );
    assert_invalid_fields(
        &app.patch(&path, &user, json!({"margin": "1"})).await,
        &["margin"],
    );
    let p = app
        .get_as(&format!("/api/v1/clients/{acme}/products/{product}"), &user)
        .await
        .json();
    assert!(p["unit_cost"].is_null() && p["last_cost_update"].is_null());

    // Another client's product is not found under one's own client.
    let (other, other_user) = client_with_user(&app, "Other").await;
    app.patch(
        &format!("/api/v1/clients/{other}/products/{product}/costs"),
        &other_user,
        json!({"unit_cost": "1"}),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------------------------------------
// Budgets
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn budgets_are_created_read_listed_by_page_patched_and_deleted() {
    let app = TestApp::new().await;
    let (acme, user) = client_with_user(&app, "Acme").await;
    let operator = app.operator().await;
    let product = app.insert_product(acme, "TEE-1").await;
    let base = format!("/api/v1/clients/{acme}/budgets");

    let res = app
        .post(
            &base,
            &user,
            json!({"period_start": "2025-01-01", "period_end": "2025-01-31",
                   "budgeted_amount": "0.10", "notes": "January"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let b = res.json();
    assert_eq!(b["budgeted_amount"], "0.10");
    assert_eq!(b["period_start"], "2025-01-01");
    assert!(b["product_id"].is_null() && b["category"].is_null());
    let location = res.header("location").expect("location").to_owned();
    assert_eq!(location, format!("{base}/{}", b["id"].as_str().unwrap()));
    assert_eq!(app.get_as(&location, &user).await.json(), b);

    // Eleven more months, by staff and the client's own user alike, plus scoped budgets.
    for month in 2..=12 {
        let who = if month % 2 == 0 { &operator } else { &user };
        create_budget(
            &app,
            who,
            acme,
            json!({"period_start": format!("2025-{month:02}-01"),
                   "period_end": format!("2025-{month:02}-28"), "budgeted_amount": 1000}),
        )
        .await;
    }
    let for_product = create_budget(
        &app,
        &user,
        acme,
        json!({"period_start": "2025-03-01", "period_end": "2025-05-31",
               "product_id": product, "budgeted_amount": "300.50"}),
    )
    .await;
    let for_category = create_budget(
        &app,
        &user,
        acme,
        json!({"period_start": "2025-03-01", "period_end": "2025-05-31",
               "category": "tops", "budgeted_amount": "77"}),
    )
    .await;

    let (all, pages) = app.collect_pages(&base, &user, 5).await;
    assert_eq!(all.len(), 14);
    assert_eq!(pages, 3);
    let keys: Vec<(String, String)> = all
        .iter()
        .map(|b| {
            (
                b["period_start"].as_str().unwrap().to_owned(),
                b["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "ordered by (period_start, id), none lost");

    // from/to keep budgets overlapping the window.
    let (window, _) = app
        .collect_pages(&format!("{base}?from=2025-04-15&to=2025-06-01"), &user, 50)
        .await;
    let starts: Vec<&str> = window
        .iter()
        .map(|b| b["period_start"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        [
            "2025-03-01",
            "2025-03-01",
            "2025-04-01",
            "2025-05-01",
            "2025-06-01"
        ]
    );
    let (by_product, _) = app
        .collect_pages(&format!("{base}?product_id={product}"), &user, 50)
        .await;
    assert_eq!(by_product.len(), 1);
    assert_eq!(by_product[0]["id"], for_product);
    let (by_category, _) = app
        .collect_pages(&format!("{base}?category=tops"), &user, 50)
        .await;
    assert_eq!(by_category.len(), 1);
    assert_eq!(by_category[0]["id"], for_category);

    // PATCH: absent stays, null clears.
    let res = app
        .patch(
            &format!("{base}/{for_product}"),
            &operator,
            json!({"budgeted_amount": "310", "notes": "revised"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let b = res.json();
    assert_eq!(b["budgeted_amount"], "310.00");
    assert_eq!(b["product_id"], product.to_string());
    assert_eq!(b["notes"], "revised");
    let b = app
        .patch(
            &format!("{base}/{for_product}"),
            &user,
            json!({"notes": null}),
        )
        .await
        .json();
    assert!(b["notes"].is_null());

    let res = app.delete(&format!("{base}/{for_product}"), &user).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    app.get_as(&format!("{base}/{for_product}"), &user)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    app.delete(&format!("{base}/{for_product}"), &user)
        .await
        .assert_problem(StatusCode::NOT_FOUND);

    // Another client's user cannot see or touch them (tests/it/tenancy.rs covers every route).
    let (_, intruder) = client_with_user(&app, "Other").await;
    app.get_as(&format!("{base}/{for_category}"), &intruder)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_overlapping_budget_of_the_same_scope_is_a_409_naming_the_other() {
    let app = TestApp::new().await;
    let (acme, user) = client_with_user(&app, "Acme").await;
    let product = app.insert_product(acme, "TEE-1").await;
    let base = format!("/api/v1/clients/{acme}/budgets");
    let q1 = create_budget(
        &app,
        &user,
        acme,
        json!({"period_start": "2025-01-01", "period_end": "2025-03-31", "budgeted_amount": 100}),
    )
    .await;

    let res = app
        .post(
            &base,
            &user,
            json!({"period_start": "2025-03-31", "period_end": "2025-04-30", "budgeted_amount": 1}),
        )
        .await;
    let problem = res.assert_problem(StatusCode::CONFLICT);
    assert!(
        problem["detail"].as_str().unwrap().contains(&q1),
        "names the other budget: {problem}"
    );

    // The day after the end does not overlap (period_end is inclusive).
    create_budget(
        &app,
        &user,
        acme,
        json!({"period_start": "2025-04-01", "period_end": "2025-06-30", "budgeted_amount": 1}),
    )
    .await;
    // A category, or a product, is a scope of its own; the same category again is not.
    let tops = create_budget(
        &app,
        &user,
        acme,
        json!({"period_start": "2025-02-01", "period_end": "2025-02-28",
               "category": "tops", "budgeted_amount": 1}),
    )
    .await;
    create_budget(
        &app,
        &user,
        acme,
        json!({"period_start": "2025-02-01", "period_end": "2025-02-28",
               "category": "bottoms", "budgeted_amount": 1}),
    )
    .await;
    create_budget(
        &app,
        &user,
        acme,
        json!({"period_start": "2025-02-01", "period_end": "2025-02-28",
               "product_id": product, "budgeted_amount": 1}),
    )
    .await;
    let res = app
        .post(
            &base,
            &user,
            json!({"period_start": "2025-01-15", "period_end": "2025-02-01",
                   "category": "tops", "budgeted_amount": 1}),
        )
        .await;
    let problem = res.assert_problem(StatusCode::CONFLICT);
    assert!(problem["detail"].as_str().unwrap().contains(&tops));

    // A PATCH moving a budget onto another is refused; one changing itself in place is not.
    let res = app
        .patch(
            &format!("{base}/{tops}"),
            &user,
            json!({"category": "bottoms"}),
        )
        .await;
    res.assert_problem(StatusCode::CONFLICT);
    let res = app
        .patch(
            &format!("{base}/{q1}"),
            &user,
            json!({"period_end": "2025-03-30", "budgeted_amount": 90}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let (all, _) = app.collect_pages(&base, &user, 50).await;
    assert_eq!(all.len(), 5, "no refused write left a row");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_overlapping_budget_creates_let_exactly_one_through() {
    let app = TestApp::new().await;
    let (acme, user) = client_with_user(&app, "Acme").await;
    let base = format!("/api/v1/clients/{acme}/budgets");
    // Several rounds, each a burst of overlapping creates for a fresh period.
    for round in 1..=6 {
        let requests = (0..4)
            .map(|i| {
                (
                    Method::POST,
                    base.clone(),
                    &user,
                    json!({"period_start": format!("2024-{round:02}-01"),
                           "period_end": format!("2024-{round:02}-{:02}", 20 + i),
                           "budgeted_amount": 10 + i}),
                )
            })
            .collect();
        let results = concurrently(&app, requests).await;
        let created = results
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count();
        let conflicts = results
            .iter()
            .filter(|(s, _)| *s == StatusCode::CONFLICT)
            .count();
        assert_eq!(
            (created, conflicts),
            (1, 3),
            "round {round}: exactly one create wins: {results:?}"
        );
    }
    let (all, _) = app.collect_pages(&base, &user, 50).await;
    assert_eq!(all.len(), 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_budgets_are_422s_naming_the_fields() {
    let app = TestApp::new().await;
    let (acme, user) = client_with_user(&app, "Acme").await;
    let (other, _) = client_with_user(&app, "Other").await;
    let foreign_product = app.insert_product(other, "THEIRS").await;
    let base = format!("/api/v1/clients/{acme}/budgets");

    let res = app
        .post(
            &base,
            &user,
            json!({"period_start": "2025-02-01", "period_end": "2025-01-31",
                   "budgeted_amount": "-1", "category": "x".repeat(101)}),
        )
        .await;
    assert_invalid_fields(&res, &["period_end", "budgeted_amount", "category"]);
    let res = app
        .post(
            &base,
            &user,
            json!({"period_start": "2025-02-30", "period_end": "2025-03-01", "budgeted_amount": 1}),
        )
        .await;
    assert_invalid_fields(&res, &["period_start"]);
    let res = app
        .post(
            &base,
            &user,
            json!({"period_start": "2025-01-01", "budgeted_amount": 1}),
        )
        .await;
    assert_invalid_fields(&res, &["period_end"]);
    let res = app
        .post(
            &base,
            &user,
            json!({"period_start": "2025-01-01", "period_end": "2025-01-31",
                   "budgeted_amount": "1.001"}),
        )
        .await;
    assert_invalid_fields(&res, &["budgeted_amount"]);
    let res = app
        .post(
            &base,
            &user,
            json!({"period_start": "2025-01-01", "period_end": "2025-01-31",
                   "product_id": foreign_product, "budgeted_amount": 1}),
        )
        .await;
    assert_invalid_fields(&res, &["product_id"]);

    let id = create_budget(
        &app,
        &user,
        acme,
        json!({"period_start": "2025-01-01", "period_end": "2025-01-31", "budgeted_amount": 1}),
    )
    .await;
    let res = app
        .patch(
            &format!("{base}/{id}"),
            &user,
            json!({"period_start": "2025-02-01"}),
        )
        .await;
    assert_invalid_fields(&res, &["period_end"]);
    let res = app
        .patch(
            &format!("{base}/{id}"),
            &user,
            json!({"budgeted_amount": -5}),
        )
        .await;
    assert_invalid_fields(&res, &["budgeted_amount"]);
    let res = app
        .get_as(&format!("{base}?from=2025-02-01&to=2025-01-01"), &user)
        .await;
    assert_invalid_fields(&res, &["from"]);
    let res = app
        .get_as(&format!("{base}/variance?from=2025-13-01"), &user)
        .await;
    assert_invalid_fields(&res, &["from"]);
    let b = app.get_as(&format!("{base}/{id}"), &user).await.json();
    assert_eq!(
        b["budgeted_amount"], "1.00",
        "refused patches changed nothing"
    );
    assert_eq!(b["period_start"], "2025-01-01");
}

// ---------------------------------------------------------------------------------------------
// Variance
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn variance_is_actual_minus_budget_with_status_at_the_tolerance_boundaries() {
    let app = TestApp::new().await;
    let (acme, user) = client_with_user(&app, "Acme").await;
    // (budgeted, actual, variance, percent, status): one product each, all of January 2025.
    let cases = [
        ("100.00", "105.00", "5.00", Some("5.00"), "on_track"),
        ("100.00", "105.01", "5.01", Some("5.01"), "over"),
        ("100.00", "95.00", "-5.00", Some("-5.00"), "on_track"),
        ("100.00", "94.99", "-5.01", Some("-5.01"), "under"),
        ("200.00", "150.00", "-50.00", Some("-25.00"), "under"),
        ("80.00", "100.00", "20.00", Some("25.00"), "over"),
        ("0.00", "12.00", "12.00", None, "over"),
        ("0.00", "0.00", "0.00", None, "on_track"),
    ];
    let mut ids = Vec::new();
    for (i, (budgeted, actual, ..)) in cases.iter().enumerate() {
        let product = app.insert_product(acme, &format!("P-{i}")).await;
        cost_row(&app, acme, product, "2025-01-01", actual).await;
        ids.push(
            create_budget(
                &app,
                &user,
                acme,
                json!({"period_start": "2025-01-01", "period_end": "2025-01-31",
                       "product_id": product, "budgeted_amount": budgeted}),
            )
            .await,
        );
    }
    let entries = variance(
        &app,
        &user,
        acme,
        "from=2025-01-01&to=2025-01-31&as_of=2025-06-01",
    )
    .await;
    assert_eq!(entries.len(), cases.len());
    for (id, (budgeted, actual, var, percent, status)) in ids.iter().zip(cases) {
        let e = entry_of(&entries, id);
        assert_eq!(e["budgeted_amount"], budgeted, "{e}");
        assert_eq!(e["actual_amount"], actual, "{e}");
        assert_eq!(e["variance_amount"], var, "{e}");
        assert_eq!(e["variance_percent"].as_str(), percent, "{e}");
        assert_eq!(e["status"], status, "{e}");
        assert_eq!(e["projected_amount"], actual, "ended: projected = actual");
        assert_eq!(e["projected_status"], status);
        assert_eq!(e["period_start"], "2025-01-01");
        assert!(e["product_id"].is_string() && e["category"].is_null());
    }
    let res = app
        .get_as(&format!("/api/v1/clients/{acme}/budgets/variance"), &user)
        .await
        .json();
    assert_eq!(res["tolerance_percent"], "5");
    assert_eq!(res["data"].as_array().map(Vec::len), Some(cases.len()));
    // The window keeps only budgets overlapping it.
    assert!(
        variance(&app, &user, acme, "from=2025-02-01")
            .await
            .is_empty()
    );
    assert!(
        variance(&app, &user, acme, "to=2024-12-31")
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn actuals_prorate_months_by_overlapping_days_and_follow_the_budgets_scope() {
    let app = TestApp::new().await;
    let (acme, user) = client_with_user(&app, "Acme").await;
    let (other, _) = client_with_user(&app, "Other").await;
    let tee = app.insert_product(acme, "TEE").await;
    let polo = app.insert_product(acme, "POLO").await;
    let jeans = app.insert_product(acme, "JEANS").await;
    let theirs = app.insert_product(other, "THEIRS").await;
    app.db
        .execute(&format!(
            "UPDATE products SET category = 'tops' WHERE id IN ('{tee}', '{polo}'); \
             UPDATE products SET category = 'bottoms' WHERE id = '{jeans}'"
        ))
        .await;
    for (product, jan, feb) in [
        (tee, "310.00", "280.00"),
        (polo, "31.00", "28.00"),
        (jeans, "62.00", "56.00"),
    ] {
        cost_row(&app, acme, product, "2025-01-01", jan).await;
        cost_row(&app, acme, product, "2025-02-01", feb).await;
    }
    cost_row(&app, acme, tee, "2024-12-01", "999.00").await;
    cost_row(&app, acme, tee, "2025-03-01", "999.00").await;
    cost_row(&app, other, theirs, "2025-01-01", "5000.00").await;

    // 16 January to 14 February: 16/31 of January, 14/28 of February.
    let window =
        json!({"period_start": "2025-01-16", "period_end": "2025-02-14", "budgeted_amount": 100});
    let with = |extra: Value| {
        let mut b = window.clone();
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let client_wide = create_budget(&app, &user, acme, with(json!({}))).await;
    let tops = create_budget(&app, &user, acme, with(json!({"category": "tops"}))).await;
    let tee_only = create_budget(&app, &user, acme, with(json!({"product_id": tee}))).await;
    let entries = variance(&app, &user, acme, "as_of=2025-12-31").await;

    // tee: 310×16/31 + 280×14/28 = 160 + 140; polo: 16 + 14; jeans: 32 + 28.
    assert_eq!(entry_of(&entries, &tee_only)["actual_amount"], "300.00");
    assert_eq!(entry_of(&entries, &tops)["actual_amount"], "330.00");
    assert_eq!(entry_of(&entries, &client_wide)["actual_amount"], "390.00");
    assert_eq!(
        entry_of(&entries, &client_wide)["variance_amount"],
        "290.00"
    );
    assert_eq!(
        entry_of(&entries, &client_wide)["variance_percent"],
        "290.00"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_period_in_progress_is_projected_at_its_run_rate() {
    let app = TestApp::new().await;
    let (acme, user) = client_with_user(&app, "Acme").await;
    let product = app.insert_product(acme, "TEE").await;
    // Q1 2025: 90 days. January cost 310, February (so far) 140.
    cost_row(&app, acme, product, "2025-01-01", "310.00").await;
    cost_row(&app, acme, product, "2025-02-01", "140.00").await;
    let q1 = create_budget(
        &app,
        &user,
        acme,
        json!({"period_start": "2025-01-01", "period_end": "2025-03-31", "budgeted_amount": "850"}),
    )
    .await;

    // 14 February: 45 days elapsed (inclusive), actual 450 → 450 × 90 / 45 = 900.
    let e = variance(&app, &user, acme, "as_of=2025-02-14").await;
    let e = entry_of(&e, &q1);
    assert_eq!(e["actual_amount"], "450.00");
    assert_eq!(e["status"], "under", "450 of 850 spent so far");
    assert_eq!(e["projected_amount"], "900.00");
    assert_eq!(e["projected_status"], "over", "900 is 5.88 % over 850");

    // First day: one day elapsed.
    let e = variance(&app, &user, acme, "as_of=2025-01-01").await;
    assert_eq!(entry_of(&e, &q1)["projected_amount"], "40500.00");
    // Last day and after: the actual.
    for as_of in ["2025-03-31", "2025-04-01"] {
        let e = variance(&app, &user, acme, &format!("as_of={as_of}")).await;
        assert_eq!(entry_of(&e, &q1)["projected_amount"], "450.00");
        assert_eq!(entry_of(&e, &q1)["projected_status"], "under");
    }
    // Not started: no projection.
    let e = variance(&app, &user, acme, "as_of=2024-12-31").await;
    let e = entry_of(&e, &q1);
    assert!(e["projected_amount"].is_null() && e["projected_status"].is_null());
}

// ---------------------------------------------------------------------------------------------
// Monthly aggregation
// ---------------------------------------------------------------------------------------------

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
    let (acme, user) = client_with_user(app, "Acme").await;
    let a = app.insert_product(acme, "A").await;
    let b = app.insert_product(acme, "B").await;
    let c = app.insert_product(acme, "C").await;
    set_costs(
        app,
        &user,
        acme,
        a,
        json!({"unit_cost": "2.50", "holding_cost_rate": "0.24", "reorder_cost": "10"}),
    )
    .await;
    set_costs(
        app,
        &user,
        acme,
        c,
        json!({"unit_cost": "10", "holding_cost_rate": "0.2", "reorder_cost": "5"}),
    )
    .await;
    for (qty, at, status) in [
        (100, "2025-03-05T10:00:00Z", "submitted"),
        (50, "2025-03-31T23:59:59Z", "approved"),
        (999, "2025-03-10T10:00:00Z", "draft"),
        (999, "2025-03-11T10:00:00Z", "cancelled"),
        (7, "2025-02-28T23:59:59Z", "fulfilled"),
        (1000, "2025-04-01T00:00:00Z", "submitted"),
        (43, "2024-04-01T00:00:00Z", "submitted"),
        (1000, "2024-03-31T23:59:59Z", "submitted"),
    ] {
        order_at(app, acme, a, qty, &format!("'{at}'"), status).await;
    }
    order_at(app, acme, c, 30, "'2025-03-01T00:00:00Z'", "submitted").await;
    app.db
        .execute(&format!(
            "INSERT INTO stock_levels (product_id, recorded_on, quantity) VALUES \
             ('{a}', '2025-02-28', 9999), ('{a}', '2025-03-01', 100), ('{a}', '2025-03-15', 200), \
             ('{a}', '2025-03-31', 301), ('{a}', '2025-04-01', 9999)"
        ))
        .await;
    // Another client's month must not leak in.
    let (other, _) = client_with_user(app, "Other").await;
    let theirs = app.insert_product(other, "THEIRS").await;
    order_at(app, other, theirs, 5, "'2025-03-05T10:00:00Z'", "submitted").await;
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
    let res = aggregate(&app, &m.user, m.acme, "2025-03").await;
    assert_eq!(res["period"], "2025-03");
    assert_eq!(res["products"], 3, "one row per product of the client");
    assert!(res["calculated_at"].is_string());

    let rows = cost_rows(&app, &m.user, m.acme, "from=2025-03-01&to=2025-03-01").await;
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
    let again = aggregate(&app, &m.user, m.acme, "2025-03").await;
    assert_eq!(again["products"], 3);
    let rows_again = cost_rows(&app, &m.user, m.acme, "").await;
    assert_eq!(rows_again.len(), 3);
    for (before, after) in rows.iter().zip(&rows_again) {
        assert_eq!(figures(before), figures(after));
        assert!(after["calculated_at"].as_str() >= before["calculated_at"].as_str());
    }

    // A cost change is picked up by the next run, overwriting the month.
    set_costs(&app, &m.user, m.acme, m.b, json!({"unit_cost": "1.00"})).await;
    aggregate(&app, &m.user, m.acme, "2025-03").await;
    let rows = cost_rows(&app, &m.user, m.acme, &format!("product_id={}", m.b)).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["unit_cost"], "1.00");
    assert_eq!(rows[0]["id"], b["id"], "updated in place");
}

#[tokio::test(flavor = "multi_thread")]
async fn many_small_amounts_add_up_exactly() {
    let app = TestApp::new().await;
    let (acme, user) = client_with_user(&app, "Acme").await;
    let penny = app.insert_product(acme, "PENNY").await;
    set_costs(&app, &user, acme, penny, json!({"unit_cost": "0.01"})).await;
    app.db
        .execute(&format!(
            "WITH o AS (INSERT INTO order_requests (client_id, created_at) \
                        SELECT '{acme}', '2025-05-01T00:00:00Z'::timestamptz + n * INTERVAL '40 minutes' \
                        FROM generate_series(0, 999) n RETURNING id) \
             INSERT INTO order_request_items (order_request_id, product_id, quantity) \
             SELECT id, '{penny}', 1 FROM o"
        ))
        .await;
    aggregate(&app, &user, acme, "2025-05").await;
    let rows = cost_rows(&app, &user, acme, "").await;
    assert_eq!(rows[0]["demand_units"], 1000);
    assert_eq!(rows[0]["demand_value"], "10.00", "1000 lines × 0.01");
    assert_eq!(rows[0]["total_cost"], "10.00");

    // And a budget over them: 10.00 against 9.99 budgeted.
    let id = create_budget(
        &app,
        &user,
        acme,
        json!({"period_start": "2025-05-01", "period_end": "2025-05-31", "budgeted_amount": "9.99"}),
    )
    .await;
    let e = variance(&app, &user, acme, "as_of=2025-06-01").await;
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
        let results = concurrently(
            &app,
            vec![
                (
                    Method::POST,
                    path.clone(),
                    &m.user,
                    json!({"period": "2025-03"}),
                ),
                (
                    Method::POST,
                    path.clone(),
                    &operator,
                    json!({"period": "2025-03"}),
                ),
                (
                    Method::POST,
                    path.clone(),
                    &m.user,
                    json!({"period": "2025-03"}),
                ),
            ],
        )
        .await;
        for (status, body) in &results {
            assert_eq!(*status, StatusCode::OK, "{body}");
            assert_eq!(body["products"], 3);
        }
    }
    let rows = cost_rows(&app, &m.user, m.acme, "").await;
    assert_eq!(rows.len(), 3, "one row per product: {rows:?}");
    assert_eq!(row_of(&rows, m.a)["total_cost"], "405.21");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cost_job_aggregates_every_client_with_the_same_figures() {
    let app = TestApp::new().await;
    let m = march_2025(&app).await;
    let mut conn = app.db.diesel().await;
    let (clients, rows) = fulfillment_ops::financial::aggregate_all_clients(&mut conn, "2025-03")
        .await
        .expect("job");
    assert_eq!(
        (clients, rows),
        (2, 4),
        "Acme's three products and Other's one"
    );
    let from_job = cost_rows(&app, &m.user, m.acme, "").await;
    aggregate(&app, &m.user, m.acme, "2025-03").await;
    let from_route = cost_rows(&app, &m.user, m.acme, "").await;
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
        let err = fulfillment_ops::financial::aggregate_all_clients(&mut conn, bad)
            .await
            .expect_err(bad);
        assert!(err.to_string().contains(bad), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn cost_tracking_lists_by_month_and_product_with_filters() {
    let app = TestApp::new().await;
    let (acme, user) = client_with_user(&app, "Acme").await;
    let mut products = Vec::new();
    for i in 0..3 {
        products.push(app.insert_product(acme, &format!("P-{i}")).await);
    }
    for month in ["2025-01", "2025-02", "2025-03", "2025-04"] {
        aggregate(&app, &user, acme, month).await;
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

    let window = cost_rows(&app, &user, acme, "from=2025-01-02&to=2025-03-01").await;
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
    let one = cost_rows(&app, &user, acme, &format!("product_id={}", products[1])).await;
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
    let (acme, user) = client_with_user(&app, "Acme").await;
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

// ---------------------------------------------------------------------------------------------
// EOQ
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn eoq_matches_the_published_example_with_d_8000_s_12000_h_0_3() {
    let app = TestApp::new().await;
    let (acme, user) = client_with_user(&app, "Acme").await;
    let product = app.insert_product(acme, "WIDGET").await;
    set_costs(
        &app,
        &user,
        acme,
        product,
        json!({"unit_cost": "1.50", "holding_cost_rate": "0.2", "reorder_cost": "12000"}),
    )
    .await;
    // History older than the trailing year, so D is the year's demand as it is: 8000.
    order_at(
        &app,
        acme,
        product,
        1,
        "now() - INTERVAL '2 years'",
        "fulfilled",
    )
    .await;
    for days in [10, 60, 120, 300] {
        order_at(
            &app,
            acme,
            product,
            2000,
            &format!("now() - INTERVAL '{days} days'"),
            "submitted",
        )
        .await;
    }
    order_at(
        &app,
        acme,
        product,
        5000,
        "now() - INTERVAL '5 days'",
        "draft",
    )
    .await;
    order_at(
        &app,
        acme,
        product,
        5000,
        "now() - INTERVAL '5 days'",
        "cancelled",
    )
    .await;

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
    let (acme, user) = client_with_user(&app, "Acme").await;
    let product = app.insert_product(acme, "MOTOR").await;
    set_costs(
        &app,
        &user,
        acme,
        product,
        json!({"unit_cost": 140, "holding_cost_rate": "0.2", "reorder_cost": 400}),
    )
    .await;
    order_at(
        &app,
        acme,
        product,
        9,
        "'2024-01-10T00:00:00Z'",
        "fulfilled",
    )
    .await;
    // The trailing year of 30 June 2025 is 1 July 2024 to 30 June 2025, both included.
    order_at(
        &app,
        acme,
        product,
        9999,
        "'2024-06-30T23:59:59Z'",
        "fulfilled",
    )
    .await;
    order_at(
        &app,
        acme,
        product,
        1000,
        "'2024-07-01T00:00:00Z'",
        "fulfilled",
    )
    .await;
    order_at(
        &app,
        acme,
        product,
        2500,
        "'2025-01-15T12:00:00Z'",
        "approved",
    )
    .await;
    order_at(
        &app,
        acme,
        product,
        1500,
        "'2025-06-30T23:59:59Z'",
        "submitted",
    )
    .await;
    order_at(
        &app,
        acme,
        product,
        9999,
        "'2025-07-01T00:00:00Z'",
        "submitted",
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
}

#[tokio::test(flavor = "multi_thread")]
async fn eoq_annualises_a_short_history_and_answers_zero_without_demand() {
    let app = TestApp::new().await;
    let (acme, user) = client_with_user(&app, "Acme").await;
    let costs = json!({"unit_cost": "140", "holding_cost_rate": "0.2", "reorder_cost": "400"});
    let young = app.insert_product(acme, "YOUNG").await;
    let newborn = app.insert_product(acme, "NEWBORN").await;
    let idle = app.insert_product(acme, "IDLE").await;
    for p in [young, newborn, idle] {
        set_costs(&app, &user, acme, p, costs.clone()).await;
    }
    // First order 31 March: 92 days to 30 June inclusive; 92 units → 365 a year.
    order_at(&app, acme, young, 50, "'2025-03-31T08:00:00Z'", "submitted").await;
    order_at(&app, acme, young, 42, "'2025-05-31T08:00:00Z'", "submitted").await;
    // First order 25 June: 6 days, counted as the 30-day minimum; 30 units → 365.
    order_at(
        &app,
        acme,
        newborn,
        30,
        "'2025-06-25T08:00:00Z'",
        "submitted",
    )
    .await;
    let eoq = |p: Uuid| format!("/api/v1/clients/{acme}/products/{p}/eoq?as_of=2025-06-30");

    let e = app.get_as(&eoq(young), &user).await.json();
    assert_eq!(e["annual_demand_units"], "365.00", "{e}");
    assert_eq!(e["demand_basis"], "annualised from 92 days");
    let e = app.get_as(&eoq(newborn), &user).await.json();
    assert_eq!(e["annual_demand_units"], "365.00", "{e}");
    assert_eq!(e["demand_basis"], "annualised from 30 days");

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
    let (acme, user) = client_with_user(&app, "Acme").await;
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
        set_costs(&app, &user, acme, p, costs.clone()).await;
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

#[tokio::test(flavor = "multi_thread")]
async fn a_month_too_large_for_its_columns_is_a_422_and_writes_nothing() {
    let app = TestApp::new().await;
    let (acme, user) = client_with_user(&app, "Acme").await;
    let product = app.insert_product(acme, "GOLD").await;
    let modest = app.insert_product(acme, "TIN").await;
    set_costs(
        &app,
        &user,
        acme,
        product,
        json!({"unit_cost": "9999999999.99", "holding_cost_rate": "1"}),
    )
    .await;
    app.db
        .execute(&format!(
            "UPDATE products SET current_stock = 2147483647 WHERE id = '{product}'"
        ))
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
        cost_rows(&app, &user, acme, "").await.is_empty(),
        "one statement: not even {modest}'s row was written"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_on_track_tolerance_comes_from_configuration() {
    let db = crate::common::TestDb::migrated().await;
    let app = TestApp::with(db, |c| {
        c.budget_tolerance_percent = "7.5".parse().expect("decimal")
    })
    .await;
    let (acme, user) = client_with_user(&app, "Acme").await;
    let mut ids = Vec::new();
    for (i, actual) in ["107.50", "107.51", "92.50", "92.49"].iter().enumerate() {
        let product = app.insert_product(acme, &format!("P-{i}")).await;
        cost_row(&app, acme, product, "2025-01-01", actual).await;
        ids.push(
            create_budget(
                &app,
                &user,
                acme,
                json!({"period_start": "2025-01-01", "period_end": "2025-01-31",
                       "product_id": product, "budgeted_amount": "100"}),
            )
            .await,
        );
    }
    let res = app
        .get_as(
            &format!("/api/v1/clients/{acme}/budgets/variance?as_of=2025-02-01"),
            &user,
        )
        .await
        .json();
    assert_eq!(res["tolerance_percent"], "7.5");
    let entries = res["data"].as_array().unwrap().clone();
    let statuses: Vec<&str> = ids
        .iter()
        .map(|id| entry_of(&entries, id)["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["on_track", "over", "on_track", "under"]);
}
