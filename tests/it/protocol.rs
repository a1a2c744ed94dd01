//! The request protocol every route shares (src/http/): errors in the caller's words, every
//! failing field at once, one problem `type` scheme, and one pooled connection per request.

use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use serde_json::json;

use crate::common::{TestApp, assert_invalid_fields};

/// The message the 422 gives for `field`.
fn message(body: &serde_json::Value, field: &str) -> String {
    body["errors"]
        .as_array()
        .and_then(|errors| errors.iter().find(|e| e["field"] == field))
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| panic!("no error for {field}: {body}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_create_body_names_every_missing_field() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let acme = app.insert_client("Acme").await;
    let res = app
        .post(
            &format!("/api/v1/clients/{acme}/products"),
            &admin,
            json!({}),
        )
        .await;
    assert_invalid_fields(&res, &["sku", "name"]);
    let body = res.json();
    assert_eq!(message(&body, "sku"), "is required");
    assert_eq!(body["type"], "/problems/validation");
    let res = app.post("/api/v1/clients", &admin, json!({})).await;
    assert_invalid_fields(&res, &["name"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_types_are_named_with_the_expected_format() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let acme = app.insert_client("Acme").await;
    let product = app.insert_product(acme, "P-1").await;
    let orders = format!("/api/v1/clients/{acme}/order-requests");

    let res = app
        .get_as(&format!("{orders}?from=2026-13-01"), &admin)
        .await;
    let body = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(message(&body, "from"), "must be a date like 2026-03-31");

    let res = app
        .get_as(&format!("{orders}?status=shipped"), &admin)
        .await;
    let body = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        message(&body, "status"),
        "must be one of: draft, submitted, approved, fulfilled, cancelled"
    );

    let res = app
        .post(
            &orders,
            &admin,
            json!({"items": [{"product_id": "nope", "quantity": 1}]}),
        )
        .await;
    let body = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        message(&body, "items[0].product_id").starts_with("must be a UUID"),
        "{body}"
    );

    let res = app
        .post(
            &orders,
            &admin,
            json!({"items": [{"product_id": product, "quantity": "two"}]}),
        )
        .await;
    let body = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        message(&body, "items[0].quantity"),
        "must be a whole number"
    );

    let res = app
        .get_as(
            &format!("/api/v1/clients/{acme}/products/not-a-uuid"),
            &admin,
        )
        .await;
    let body = res.assert_problem(StatusCode::BAD_REQUEST);
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("must be a UUID"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_json_body_followed_by_text_is_malformed_and_writes_nothing() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/clients")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {}", admin.token))
        .body(Body::from(r#"{"name": "Acme"} {"name": "Again"}"#))
        .expect("request");
    let body = app.send(req).await.assert_problem(StatusCode::BAD_REQUEST);
    assert_eq!(body["type"], "/problems/bad-request");
    let list = app.get_as("/api/v1/clients", &admin).await.json();
    assert_eq!(list["data"].as_array().map(Vec::len), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn framework_errors_use_the_same_problem_types() {
    let app = TestApp::new().await;
    let res = app.request(Method::DELETE, "/healthz", None, None).await;
    let body = res.assert_problem(StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["type"], "/problems/method-not-allowed");
    let body = app
        .get("/no/such/route", None)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    assert_eq!(body["type"], "/problems/not-found");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_scoped_request_checks_out_one_connection() {
    // A pool of one: the request holds its connection in its slot from authentication on, so
    // a handler or tenancy check that checked out a connection of its own instead of taking
    // that one would wait for the pool and answer 503 instead of 200.
    let db = crate::common::TestDb::migrated().await;
    let app = TestApp::with(db, |c| {
        c.database.pool_size = 1;
        c.database.connect_timeout = std::time::Duration::from_millis(500);
    })
    .await;
    let admin = app.admin().await;
    let acme = app.insert_client("Acme").await;
    let product = app.insert_product(acme, "P-1").await;
    let res = app
        .get_as(
            &format!("/api/v1/clients/{acme}/products/{product}"),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let res = app
        .patch(
            &format!("/api/v1/clients/{acme}/products/{product}"),
            &admin,
            json!({"name": "Renamed"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}
