//! Budgets: CRUD and pages, the overlap rule (also under concurrent creates), validation.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::{
    TestApp, assert_invalid_fields, concurrently, snapshot::assert_response_shape,
};

#[tokio::test(flavor = "multi_thread")]
async fn budgets_are_created_read_listed_by_page_patched_and_deleted() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
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
    assert_response_shape!("created_budget", &b);

    // Eleven more months, by staff and the client's own user alike, plus scoped budgets.
    for month in 2..=12 {
        let who = if month % 2 == 0 { &operator } else { &user };
        app.create_budget(
            who,
            acme,
            json!({"period_start": format!("2025-{month:02}-01"),
                   "period_end": format!("2025-{month:02}-28"), "budgeted_amount": 1000}),
        )
        .await;
    }
    let for_product = app
        .create_budget(
            &user,
            acme,
            json!({"period_start": "2025-03-01", "period_end": "2025-05-31",
               "product_id": product, "budgeted_amount": "300.50"}),
        )
        .await;
    let for_category = app
        .create_budget(
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
    let (_, intruder) = app.client_with_user("Other").await;
    app.get_as(&format!("{base}/{for_category}"), &intruder)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_overlapping_budget_of_the_same_scope_is_a_409_naming_the_other() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let product = app.insert_product(acme, "TEE-1").await;
    let base = format!("/api/v1/clients/{acme}/budgets");
    let q1 = app.create_budget(&user,
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
    app.create_budget(
        &user,
        acme,
        json!({"period_start": "2025-04-01", "period_end": "2025-06-30", "budgeted_amount": 1}),
    )
    .await;
    // A category, or a product, is a scope of its own; the same category again is not.
    let tops = app
        .create_budget(
            &user,
            acme,
            json!({"period_start": "2025-02-01", "period_end": "2025-02-28",
               "category": "tops", "budgeted_amount": 1}),
        )
        .await;
    app.create_budget(
        &user,
        acme,
        json!({"period_start": "2025-02-01", "period_end": "2025-02-28",
               "category": "bottoms", "budgeted_amount": 1}),
    )
    .await;
    app.create_budget(
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
    let (acme, user) = app.client_with_user("Acme").await;
    let base = format!("/api/v1/clients/{acme}/budgets");
    // Several rounds, each a burst of overlapping creates for a fresh period.
    for round in 1..=6 {
        let results = concurrently((0..4).map(|i| {
            app.api().post(
                base.clone(),
                &user,
                json!({"period_start": format!("2024-{round:02}-01"),
                       "period_end": format!("2024-{round:02}-{:02}", 20 + i),
                       "budgeted_amount": 10 + i}),
            )
        }))
        .await;
        let created = results
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count();
        let conflicts = results
            .iter()
            .filter(|r| r.status == StatusCode::CONFLICT)
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
    let (acme, user) = app.client_with_user("Acme").await;
    let (other, _) = app.client_with_user("Other").await;
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
    assert_response_shape!("invalid_budget_problem", res.json());
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
    let res = app.post(&base, &user, json!({})).await;
    assert_invalid_fields(&res, &["period_start", "period_end", "budgeted_amount"]);
    assert_eq!(
        res.json()["errors"].as_array().map(Vec::len),
        Some(3),
        "an empty body names every missing field, and only those: {}",
        res.text()
    );
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

    let id = app
        .create_budget(
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
