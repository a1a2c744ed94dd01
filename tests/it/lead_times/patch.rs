//! `PATCH …/products/{id}/lead-times`: the trigger's total, validation, the constraint net.

use axum::{http::StatusCode, response::IntoResponse};
use serde_json::json;

use crate::common::{TestApp, assert_invalid_fields, builders::NewProduct};
use fulfillment_ops::lead_times::{queries, types::LeadTimeChanges};

#[tokio::test(flavor = "multi_thread")]
async fn patch_sets_components_and_answers_the_triggers_total() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let product = app.insert_product(acme, "TEE-1").await;
    let path = format!("/api/v1/clients/{acme}/products/{product}/lead-times");

    let res = app
        .patch(
            &path,
            &user,
            json!({"supplier_lead_days": 10, "shipping_lead_days": 4,
                   "processing_lead_days": 2, "safety_buffer_days": 3,
                   "lead_time_source": "supplier"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let p = res.json();
    assert_eq!(p["id"], product.to_string());
    assert_eq!(p["total_lead_days"], 19, "10 + 4 + 2 + 3, by the trigger");
    assert_eq!(p["lead_time_source"], "supplier");

    let p = app
        .patch(
            &path,
            &user,
            json!({"safety_buffer_days": null, "shipping_lead_days": 6}),
        )
        .await
        .json();
    assert_eq!(
        p["total_lead_days"], 18,
        "null clears, absent stays: 10 + 6 + 2"
    );
    assert!(p["safety_buffer_days"].is_null());
    assert_eq!(p["lead_time_source"], "supplier", "absent source stays");

    let p = app
        .patch(
            &path,
            &user,
            json!({"supplier_lead_days": null, "shipping_lead_days": null,
                   "processing_lead_days": null}),
        )
        .await
        .json();
    assert!(
        p["total_lead_days"].is_null(),
        "no component: unknown, not 0"
    );

    let p = app.patch(&path, &user, json!({})).await.json();
    assert!(
        p["total_lead_days"].is_null(),
        "an empty patch changes nothing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_lead_times_are_422_naming_each_field_and_write_nothing() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let product = app
        .insert(NewProduct::new(acme, "TEE-1").lead_days(Some(5), None, None))
        .await;
    let path = format!("/api/v1/clients/{acme}/products/{product}/lead-times");

    let res = app
        .patch(
            &path,
            &user,
            json!({"supplier_lead_days": -1, "shipping_lead_days": 3651,
                   "processing_lead_days": 2, "lead_time_source": "guesswork"}),
        )
        .await;
    assert_invalid_fields(
        &res,
        &[
            "supplier_lead_days",
            "shipping_lead_days",
            "lead_time_source",
        ],
    );
    let detail = res.json().to_string();
    assert!(detail.contains("between 0 and 3650"), "{detail}");
    assert!(
        detail.contains("supplier, historical, manual, client_default"),
        "{detail}"
    );

    for body in [
        json!({"supplier_lead_days": 2.5}),
        json!({"supplier_lead_days": "7"}),
        json!({"supplier_lead_days": 1e20}),
    ] {
        let res = app.patch(&path, &user, body.clone()).await;
        assert_invalid_fields(&res, &["supplier_lead_days"]);
    }
    let res = app
        .patch(
            &path,
            &user,
            json!({"supplier_lead_days": 1, "lead_days": 3}),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );

    let p = app
        .get_as(&format!("/api/v1/clients/{acme}/products/{product}"), &user)
        .await
        .json();
    assert_eq!(p["supplier_lead_days"], 5, "nothing was written");
    assert_eq!(p["total_lead_days"], 5);
    assert!(p["processing_lead_days"].is_null());

    let other = app.insert_client("Other").await;
    let res = app
        .patch(
            &format!(
                "/api/v1/clients/{acme}/products/{}/lead-times",
                uuid::Uuid::new_v4()
            ),
            &user,
            json!({"supplier_lead_days": 1}),
        )
        .await;
    res.assert_problem(StatusCode::NOT_FOUND);
    let foreign = app.insert_product(other, "OTHER-1").await;
    app.patch(
        &format!("/api/v1/clients/{acme}/products/{foreign}/lead-times"),
        &user,
        json!({"supplier_lead_days": 1}),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_may_set_lead_times_of_any_client() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let product = app.insert_product(acme, "TEE-1").await;
    let operator = app.operator().await;
    let res = app
        .patch(
            &format!("/api/v1/clients/{acme}/products/{product}/lead-times"),
            &operator,
            json!({"processing_lead_days": 1, "lead_time_source": "historical"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["total_lead_days"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_check_violation_that_slips_past_validation_is_a_422_not_a_500() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let product = app.insert_product(acme, "TEE-1").await;
    let mut conn = app.conn().await;
    // Unvalidated changes straight to the query: the database's check refuses them.
    let changes = LeadTimeChanges {
        shipping_lead_days: Some(Some(-4)),
        ..Default::default()
    };
    let err = queries::update_lead_times(&mut conn, acme, product, &changes)
        .await
        .expect_err("the check constraint refuses a negative lead time");
    let res = err.into_response();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p = app
        .get_as(
            &format!("/api/v1/clients/{acme}/products/{product}"),
            &app.admin().await,
        )
        .await
        .json();
    assert!(p["shipping_lead_days"].is_null(), "nothing was written");
}
