//! Creating and changing shipments: items must belong to the order, quantities never
//! exceed what was ordered (also under concurrent creates), carriers' formats.

use super::World;
use crate::common::{TestApp, assert_invalid_fields, concurrently};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_shipment_is_created_with_its_items_and_a_tracking_url() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let mut body = w.body(2);
    body["tracking_number"] = json!("1z 999 aa1 0123456784");
    body["service_level"] = json!("ground");
    let res = app.post(&w.shipments(), &w.user, body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let s = res.json();
    assert_eq!(s["tracking_number"], "1Z999AA10123456784");
    assert_eq!(
        s["tracking_url"],
        "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    );
    assert_eq!(s["status"], "label_created");
    assert_eq!(s["is_delayed"], false);
    assert_eq!(s["service_level"], "ground");
    let items = s["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["order_request_item_id"], w.lines[0].to_string());
    assert_eq!(items[0]["quantity"], 2);
    let fetched = app
        .get_as(res.header("location").expect("location"), &w.user)
        .await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.json()["items"], s["items"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tracking_url_template_comes_from_configuration_and_encodes_the_number() {
    let app = TestApp::with(crate::common::TestDb::migrated().await, |c| {
        c.shipments.tracking_urls[0] = "https://track.example/{tracking_number}?x=1".into();
    })
    .await;
    let w = World::new(&app, "Acme").await;
    let s = app.post(&w.shipments(), &w.user, w.body(1)).await.json();
    assert_eq!(
        s["tracking_url"],
        "https://track.example/1Z999AA10123456784?x=1"
    );
    let url = fulfillment_ops::shipments::config::ShipmentsConfig::default()
        .tracking_url(fulfillment_ops::shipments::types::Carrier::Dhl, "A B&C");
    assert!(url.ends_with("AWB=A+B%26C"), "{url}");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_carrier_takes_its_formats_and_names_the_expected_one() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let (big_order, _) = app.insert_order(w.client, w.products[0], 100).await;
    let valid = [
        ("ups", "1Z999AA10123456784"),
        ("fedex", "123456789012"),
        ("fedex", "1234 5678 9012 345"),
        ("fedex", "12345678901234567890"),
        ("fedex", "1234567890123456789012"),
        ("usps", "9400100000000000000000"),
        ("usps", "94001000000000000000"),
        ("usps", "ea123456789us"),
        ("dhl", "1234567890"),
        ("dhl", "12345678901"),
    ];
    for (carrier, number) in valid {
        let mut body = w.body(1);
        body["order_request_id"] = json!(big_order);
        body["carrier"] = json!(carrier);
        body["tracking_number"] = json!(number);
        let res = app.post(&w.shipments(), &w.user, body).await;
        assert_eq!(
            res.status,
            StatusCode::CREATED,
            "{carrier} {number}: {}",
            res.text()
        );
    }
    let invalid = [
        ("ups", "1Z999AA1012345678", "1Z followed by 16"),
        ("ups", "123456789012", "1Z followed by 16"),
        ("fedex", "1234567890123", "12, 15, 20 or 22 digits"),
        ("usps", "EA12345678US", "20 to 22 digits"),
        ("usps", "1Z999AA10123456784", "20 to 22 digits"),
        ("dhl", "123456789", "10 or 11 digits"),
        ("dhl", "12345ABCDE", "10 or 11 digits"),
    ];
    for (carrier, number, hint) in invalid {
        let mut body = w.body(1);
        body["carrier"] = json!(carrier);
        body["tracking_number"] = json!(number);
        let res = app.post(&w.shipments(), &w.user, body).await;
        let problem = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            problem["errors"][0]["field"], "tracking_number",
            "{carrier} {number}"
        );
        let message = problem["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(hint), "{carrier} {number}: {message}");
    }
    let mut body = w.body(1);
    body["carrier"] = json!("royal_mail");
    let problem = app
        .post(&w.shipments(), &w.user, body)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "carrier");
    assert_eq!(
        problem["errors"][0]["message"],
        "must be one of: ups, fedex, usps, dhl"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn items_must_belong_to_the_order_request_and_the_client() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let other = World::new(&app, "Globex").await;
    let stray = app.insert_product(w.client, "STRAY").await;
    let body = json!({
        "order_request_id": w.order,
        "carrier": "dhl",
        "items": [
            {"product_id": stray, "quantity": 1},
            {"product_id": w.products[1], "order_request_item_id": w.lines[0], "quantity": 1},
            {"product_id": w.products[0], "order_request_item_id": other.lines[0], "quantity": 1},
            {"product_id": other.products[0], "quantity": 1},
        ],
    });
    let res = app.post(&w.shipments(), &w.user, body).await;
    assert_invalid_fields(
        &res,
        &[
            "items[0].product_id",
            "items[1].product_id",
            "items[2].order_request_item_id",
            "items[3].product_id",
        ],
    );
    // Another client's order request is not this client's.
    let mut body = w.body(1);
    body["order_request_id"] = json!(other.order);
    assert_invalid_fields(
        &app.post(&w.shipments(), &w.user, body).await,
        &["order_request_id"],
    );
    let list = app.get_as(&w.shipments(), &w.user).await.json();
    assert_eq!(list["data"], json!([]), "nothing was written");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_names_every_field_and_writes_nothing() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let res = app.post(&w.shipments(), &w.user, json!({})).await;
    assert_invalid_fields(&res, &["order_request_id", "carrier", "items"]);
    let far = (chrono::Utc::now() + chrono::TimeDelta::days(3)).to_rfc3339();
    let body = json!({
        "order_request_id": w.order, "carrier": "ups", "shipped_at": far,
        "items": [{"product_id": w.products[0], "quantity": 0}, {"product_id": w.products[1]}],
    });
    let res = app.post(&w.shipments(), &w.user, body).await;
    assert_invalid_fields(
        &res,
        &["shipped_at", "items[0].quantity", "items[1].quantity"],
    );
    let res = app
        .post(
            &w.shipments(),
            &w.user,
            json!({"order_request_id": "nope", "carrier": "ups", "items": []}),
        )
        .await;
    assert_invalid_fields(&res, &["order_request_id"]);
    let list = app.get_as(&w.shipments(), &w.user).await.json();
    assert_eq!(list["data"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn shipped_quantities_never_exceed_what_was_ordered() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    w.ship(&app, w.body(3)).await;
    let res = app.post(&w.shipments(), &w.user, w.body(3)).await;
    let problem = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "items[0].quantity");
    assert_eq!(
        problem["errors"][0]["message"],
        "exceeds what remains to ship on this order line: 2 of 5 ordered (3 already shipped)"
    );
    // Two items of one shipment for the same line count together.
    let mut body = w.body(2);
    body["items"] = json!([
        {"product_id": w.products[0], "quantity": 1},
        {"product_id": w.products[0], "order_request_item_id": w.lines[0], "quantity": 2},
    ]);
    assert_invalid_fields(
        &app.post(&w.shipments(), &w.user, body).await,
        &["items[1].quantity"],
    );
    w.ship(&app, w.body(2)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_shipments_of_one_order_never_ship_more_than_ordered() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let api = app.api();
    // 8 shipments of 2 units each race for 5 ordered: exactly 2 can be made.
    let results = concurrently((0..8).map(|_| api.post(w.shipments(), &w.user, w.body(2)))).await;
    let created = results
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let refused = results
        .iter()
        .filter(|r| r.status == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert_eq!((created, refused), (2, 6), "{results:?}");
    let list = app.get_as(&w.shipments(), &w.user).await.json();
    let shipped: i64 = list["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|s| s["items"][0]["quantity"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(shipped, 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patch_changes_fields_and_rechecks_the_number_against_a_new_carrier() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let id = w.ship(&app, w.body(1)).await;
    let path = format!("{}/{id}", w.shipments());
    // The UPS number is not a DHL number.
    let res = app.patch(&path, &w.user, json!({"carrier": "dhl"})).await;
    assert_invalid_fields(&res, &["tracking_number"]);
    let eta = "2030-01-02T10:00:00Z";
    let res = app
        .patch(
            &path,
            &w.user,
            json!({"carrier": "dhl", "tracking_number": "12345 67890", "estimated_delivery_at": eta, "service_level": null}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let s = res.json();
    assert_eq!(s["carrier"], "dhl");
    assert_eq!(s["tracking_number"], "1234567890");
    assert_eq!(
        s["tracking_url"],
        "https://www.dhl.com/en/express/tracking.html?AWB=1234567890"
    );
    assert_eq!(s["estimated_delivery_at"], eta);
    assert_eq!(s["items"].as_array().map(Vec::len), Some(1));
    let res = app
        .patch(&path, &w.user, json!({"status": "delivered"}))
        .await;
    assert_invalid_fields(&res, &["status"]);
    let missing = format!("{}/{}", w.shipments(), uuid::Uuid::new_v4());
    app.patch(&missing, &w.user, json!({}))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}
