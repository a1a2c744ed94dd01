//! `/api/v1/clients`: who may do what, validation, pagination, the RESTRICT on shipments.

use std::collections::HashSet;

use crate::common::{TestApp, assert_invalid_fields, builders::NewShipment};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_creates_reads_updates_and_deletes_a_client() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let res = app
        .post(
            "/api/v1/clients",
            &admin,
            json!({"name": "  Northwind Apparel ", "industry": "apparel", "default_supplier_lead_days": 14}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let client = res.json();
    let id = client["id"].as_str().expect("id").to_owned();
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/clients/{id}").as_str())
    );
    assert_eq!(client["name"], "Northwind Apparel", "trimmed");
    assert_eq!(client["default_supplier_lead_days"], 14);
    assert!(client["default_shipping_lead_days"].is_null());

    let path = format!("/api/v1/clients/{id}");
    let res = app
        .patch(
            &path,
            &admin,
            json!({"industry": null, "default_shipping_lead_days": 3}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let patched = res.json();
    assert!(patched["industry"].is_null(), "null clears");
    assert_eq!(patched["default_shipping_lead_days"], 3);
    assert_eq!(patched["default_supplier_lead_days"], 14, "absent keeps");
    assert_eq!(patched["name"], "Northwind Apparel");

    assert_eq!(
        app.delete(&path, &admin).await.status,
        StatusCode::NO_CONTENT
    );
    app.get_as(&path, &admin)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_decide_who_creates_edits_and_deletes_clients() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let operator = app.operator().await;
    let client_user = app.client_user(acme).await;
    app.post("/api/v1/clients", &operator, json!({"name": "X"}))
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    app.post("/api/v1/clients", &client_user, json!({"name": "X"}))
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    let path = format!("/api/v1/clients/{acme}");
    assert_eq!(
        app.patch(&path, &operator, json!({"name": "Acme Ltd"}))
            .await
            .status,
        StatusCode::OK
    );
    app.patch(&path, &client_user, json!({"name": "Mine now"}))
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    app.delete(&path, &operator)
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    assert_eq!(
        app.get_as(&path, &client_user).await.json()["name"],
        "Acme Ltd"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_clients_are_refused_field_by_field() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let res = app
        .post(
            "/api/v1/clients",
            &admin,
            json!({"name": "   ", "default_safety_buffer_days": -1, "default_shipping_lead_days": 99999}),
        )
        .await;
    assert_invalid_fields(
        &res,
        &[
            "name",
            "default_safety_buffer_days",
            "default_shipping_lead_days",
        ],
    );
    let res = app
        .post(
            "/api/v1/clients",
            &admin,
            json!({"name": "X", "colour": "red"}),
        )
        .await;
    assert_invalid_fields(&res, &["colour"]);
    let count = app
        .db
        .client()
        .await
        .query_one("SELECT count(*) FROM clients", &[])
        .await
        .expect("count");
    assert_eq!(count.get::<_, i64>(0), 0, "nothing written");
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_page_through_every_client_and_a_client_user_sees_only_its_own() {
    let app = TestApp::new().await;
    let mut ids = HashSet::new();
    for name in [
        "Delta", "alpha", "Charlie", "Bravo", "Echo", "Bravo", "Foxtrot",
    ] {
        ids.insert(app.insert_client(name).await.to_string());
    }
    let operator = app.operator().await;
    let (rows, pages) = app.collect_pages("/api/v1/clients", &operator, 3).await;
    assert_eq!(pages, 3);
    let seen: HashSet<String> = rows
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(seen, ids, "every client once, duplicate names included");
    assert_eq!(rows.len(), 7);

    let mine = app.insert_client("Mine").await;
    let client_user = app.client_user(mine).await;
    let (rows, _) = app.collect_pages("/api/v1/clients", &client_user, 50).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], mine.to_string());

    app.get_as("/api/v1/clients?limit=0", &operator)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    app.get_as("/api/v1/clients?limit=501", &operator)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .get_as("/api/v1/clients?cursor=bm90LWEtY3Vyc29y", &operator)
        .await;
    assert_invalid_fields(&res, &["cursor"]);
    let res = app.get_as("/api/v1/clients?limit=ten", &operator).await;
    assert_invalid_fields(&res, &["limit"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_with_shipments_cannot_be_deleted() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let acme = app.insert_client("Acme").await;
    let product = app.insert_product(acme, "SKU-1").await;
    let (order, _) = app.insert_order(acme, product, 1).await;
    app.insert(NewShipment::new(acme, order, "ups")).await;
    let problem = app
        .delete(&format!("/api/v1/clients/{acme}"), &admin)
        .await
        .assert_problem(StatusCode::CONFLICT);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("shipments")
    );
    assert_eq!(
        app.get_as(
            &format!("/api/v1/clients/{acme}/products/{product}"),
            &admin
        )
        .await
        .status,
        StatusCode::OK,
        "nothing was deleted"
    );
}
