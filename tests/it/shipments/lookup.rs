//! `GET /api/v1/shipments/by-tracking/{number}` and the delete rules around shipments.

use super::World;
use crate::common::TestApp;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_tracking_number_finds_the_newest_shipment_of_the_callers_client() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let other = World::new(&app, "Globex").await;
    let old = w.ship(&app, w.body(1)).await;
    let new = w.ship(&app, w.body(1)).await;
    let theirs = other.ship(&app, other.body(1)).await;
    let mut dhl = w.body(1);
    dhl["carrier"] = json!("dhl");
    dhl["tracking_number"] = json!("1234567890");
    let dhl = w.ship(&app, dhl).await;
    let url = "/api/v1/shipments/by-tracking/1z999aa1%200123456784";
    let found = app.get_as(url, &w.user).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text());
    assert_eq!(
        found.json()["id"],
        new,
        "the newest of the recycled number, normalised"
    );
    assert_ne!(found.json()["id"], old);
    assert_eq!(found.json()["items"].as_array().map(Vec::len), Some(1));
    // Another client's user sees only its own shipment with that number.
    assert_eq!(app.get_as(url, &other.user).await.json()["id"], theirs);
    // Staff see every client's; the carrier narrows it.
    let admin = app.admin().await;
    let any = app.get_as(url, &admin).await.json();
    assert_eq!(any["id"], theirs, "the newest of all clients");
    let by_dhl = app
        .get_as(
            "/api/v1/shipments/by-tracking/1234567890?carrier=dhl",
            &admin,
        )
        .await
        .json();
    assert_eq!(by_dhl["id"], dhl);
    app.get_as(
        "/api/v1/shipments/by-tracking/1234567890?carrier=ups",
        &admin,
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);
    app.get_as("/api/v1/shipments/by-tracking/1234567890", &other.user)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    app.get("/api/v1/shipments/by-tracking/1234567890", None)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn shipment_history_blocks_deleting_its_product_and_client() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let id = w.ship(&app, w.body(1)).await;
    let admin = app.admin().await;
    let product = format!("/api/v1/clients/{}/products/{}", w.client, w.products[0]);
    let problem = app
        .delete(&product, &admin)
        .await
        .assert_problem(StatusCode::CONFLICT);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("shipped")
    );
    // The product that was not shipped can go.
    let unshipped = app.insert_product(w.client, "LONE").await;
    let res = app
        .delete(
            &format!("/api/v1/clients/{}/products/{unshipped}", w.client),
            &admin,
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let client = format!("/api/v1/clients/{}", w.client);
    let problem = app
        .delete(&client, &admin)
        .await
        .assert_problem(StatusCode::CONFLICT);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("shipments")
    );
    let s = app
        .get_as(&format!("{}/{id}", w.shipments()), &w.user)
        .await;
    assert_eq!(s.status, StatusCode::OK, "the shipment is still there");
    // Deleting the order request takes its shipments and their history with it.
    let db = app.db.client().await;
    db.execute("DELETE FROM order_requests WHERE id = $1", &[&w.order])
        .await
        .expect("delete order");
    app.get_as(&format!("{}/{id}", w.shipments()), &w.user)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}
