//! `POST /lead-times/apply-client-defaults`: one statement, only products without lead times.

use axum::http::StatusCode;
use serde_json::json;

use super::product;
use crate::common::{
    TestApp, assert_invalid_fields,
    builders::{NewClient, NewProduct},
};

#[tokio::test(flavor = "multi_thread")]
async fn defaults_are_stored_into_products_without_lead_times_only() {
    let app = TestApp::new().await;
    let acme = app
        .insert(NewClient::named("Acme").default_lead_days(9, 4))
        .await;
    let user = app.client_user(acme).await;
    let bare = app.insert(NewProduct::new(acme, "BARE")).await;
    let bare2 = app.insert(NewProduct::new(acme, "BARE-2")).await;
    let own = app
        .insert(NewProduct::new(acme, "OWN").lead_days(None, None, Some(2)))
        .await;
    let other = app
        .insert(NewClient::named("Other").default_lead_days(1, 1))
        .await;
    let foreign = app.insert(NewProduct::new(other, "FOREIGN")).await;
    let path = format!("/api/v1/clients/{acme}/lead-times/apply-client-defaults");

    let res = app.post(&path, &user, json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["updated"], 2);
    for id in [bare, bare2] {
        let p = product(&app, &user, acme, id).await;
        assert_eq!(p["supplier_lead_days"], 9);
        assert_eq!(p["shipping_lead_days"], 4);
        assert_eq!(
            p["total_lead_days"], 13,
            "the trigger adds the stored defaults"
        );
        assert_eq!(p["lead_time_source"], "client_default");
    }
    let p = product(&app, &user, acme, own).await;
    assert_eq!(
        p["total_lead_days"], 2,
        "a product with its own lead time keeps it"
    );
    assert!(p["lead_time_source"].is_null());
    let admin = app.admin().await;
    assert!(product(&app, &admin, other, foreign).await["total_lead_days"].is_null());

    let res = app.post(&path, &user, json!({})).await;
    assert_eq!(res.json()["updated"], 0, "nothing left without lead times");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_without_defaults_is_told_so() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let bare = app.insert(NewProduct::new(acme, "BARE")).await;
    let res = app
        .post(
            &format!("/api/v1/clients/{acme}/lead-times/apply-client-defaults"),
            &user,
            json!({}),
        )
        .await;
    assert_invalid_fields(&res, &["default_supplier_lead_days"]);
    assert!(product(&app, &user, acme, bare).await["lead_time_source"].is_null());
}
