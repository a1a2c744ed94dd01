//! Variance: actual against budget, prorated months, projection, the tolerance.

use serde_json::{Value, json};

use crate::common::{
    TestApp, TestDb,
    api::entry_of,
    builders::{NewCostRow, NewProduct},
    snapshot::assert_response_shape,
};

#[tokio::test(flavor = "multi_thread")]
async fn variance_is_actual_minus_budget_with_status_at_the_tolerance_boundaries() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
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
        app.insert(NewCostRow::new(acme, product, "2025-01-01", actual))
            .await;
        ids.push(
            app.create_budget(
                &user,
                acme,
                json!({"period_start": "2025-01-01", "period_end": "2025-01-31",
                       "product_id": product, "budgeted_amount": budgeted}),
            )
            .await,
        );
    }
    let entries = app
        .variance(
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
        app.variance(&user, acme, "from=2025-02-01")
            .await
            .is_empty()
    );
    assert!(app.variance(&user, acme, "to=2024-12-31").await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn actuals_prorate_months_by_overlapping_days_and_follow_the_budgets_scope() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let (other, _) = app.client_with_user("Other").await;
    let tee = app
        .insert(NewProduct::new(acme, "TEE").category("tops"))
        .await;
    let polo = app
        .insert(NewProduct::new(acme, "POLO").category("tops"))
        .await;
    let jeans = app
        .insert(NewProduct::new(acme, "JEANS").category("bottoms"))
        .await;
    let theirs = app.insert_product(other, "THEIRS").await;
    for (product, jan, feb) in [
        (tee, "310.00", "280.00"),
        (polo, "31.00", "28.00"),
        (jeans, "62.00", "56.00"),
    ] {
        app.insert(NewCostRow::new(acme, product, "2025-01-01", jan))
            .await;
        app.insert(NewCostRow::new(acme, product, "2025-02-01", feb))
            .await;
    }
    app.insert(NewCostRow::new(acme, tee, "2024-12-01", "999.00"))
        .await;
    app.insert(NewCostRow::new(acme, tee, "2025-03-01", "999.00"))
        .await;
    app.insert(NewCostRow::new(other, theirs, "2025-01-01", "5000.00"))
        .await;

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
    let client_wide = app.create_budget(&user, acme, with(json!({}))).await;
    let tops = app
        .create_budget(&user, acme, with(json!({"category": "tops"})))
        .await;
    let tee_only = app
        .create_budget(&user, acme, with(json!({"product_id": tee})))
        .await;
    let entries = app.variance(&user, acme, "as_of=2025-12-31").await;

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
    let (acme, user) = app.client_with_user("Acme").await;
    let product = app.insert_product(acme, "TEE").await;
    // Q1 2025: 90 days. January cost 310, February (so far) 140.
    app.insert(NewCostRow::new(acme, product, "2025-01-01", "310.00"))
        .await;
    app.insert(NewCostRow::new(acme, product, "2025-02-01", "140.00"))
        .await;
    let q1 = app.create_budget(&user,
        acme,
        json!({"period_start": "2025-01-01", "period_end": "2025-03-31", "budgeted_amount": "850"}),
    )
    .await;

    // 14 February: 45 days elapsed (inclusive), actual 450 → 450 × 90 / 45 = 900.
    let e = app.variance(&user, acme, "as_of=2025-02-14").await;
    let e = entry_of(&e, &q1);
    assert_eq!(e["actual_amount"], "450.00");
    assert_eq!(e["status"], "under", "450 of 850 spent so far");
    assert_eq!(e["projected_amount"], "900.00");
    assert_eq!(e["projected_status"], "over", "900 is 5.88 % over 850");
    assert_response_shape!("variance_entry_in_progress", e);

    // First day: one day elapsed.
    let e = app.variance(&user, acme, "as_of=2025-01-01").await;
    assert_eq!(entry_of(&e, &q1)["projected_amount"], "40500.00");
    // Last day and after: the actual.
    for as_of in ["2025-03-31", "2025-04-01"] {
        let e = app.variance(&user, acme, &format!("as_of={as_of}")).await;
        assert_eq!(entry_of(&e, &q1)["projected_amount"], "450.00");
        assert_eq!(entry_of(&e, &q1)["projected_status"], "under");
    }
    // Not started: no projection.
    let e = app.variance(&user, acme, "as_of=2024-12-31").await;
    let e = entry_of(&e, &q1);
    assert!(e["projected_amount"].is_null() && e["projected_status"].is_null());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_on_track_tolerance_comes_from_configuration() {
    let db = TestDb::migrated().await;
    let app = TestApp::with(db, |c| {
        c.budget_tolerance_percent = "7.5".parse().expect("decimal")
    })
    .await;
    let (acme, user) = app.client_with_user("Acme").await;
    let mut ids = Vec::new();
    for (i, actual) in ["107.50", "107.51", "92.50", "92.49"].iter().enumerate() {
        let product = app.insert_product(acme, &format!("P-{i}")).await;
        app.insert(NewCostRow::new(acme, product, "2025-01-01", actual))
            .await;
        ids.push(
            app.create_budget(
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
