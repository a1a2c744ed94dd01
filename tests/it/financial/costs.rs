//! Product costs: `PATCH …/products/{id}/costs`, exact decimals, validation.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::{TestApp, assert_invalid_fields};

#[tokio::test(flavor = "multi_thread")]
async fn cost_patch_keeps_exact_decimals_changes_only_what_it_names_and_stamps() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
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
    let (acme, user) = app.client_with_user("Acme").await;
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
    let (other, other_user) = app.client_with_user("Other").await;
    app.patch(
        &format!("/api/v1/clients/{other}/products/{product}/costs"),
        &other_user,
        json!({"unit_cost": "1"}),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);
}
