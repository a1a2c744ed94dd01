//! `/api/v1/clients/{client_id}/products`: exact decimals, lead-time defaults, validation,
//! pagination, 409s.

use std::collections::HashSet;

use crate::common::{
    TestApp, assert_invalid_fields,
    builders::{NewClient, NewShipment},
    snapshot::assert_response_shape,
};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_product_keeps_exact_decimals_and_takes_the_clients_lead_time_defaults() {
    let app = TestApp::new().await;
    let acme = app
        .insert(NewClient::named("Acme").default_lead_days(10, 4))
        .await;
    let user = app.client_user(acme).await;
    let res = app
        .post(
            &format!("/api/v1/clients/{acme}/products"),
            &user,
            json!({"sku": "TSHIRT-001", "name": "T-shirt", "current_stock": 120,
                   "unit_cost": "0.10", "unit_price": 19.99, "reorder_cost": "250",
                   "holding_cost_rate": "0.25", "cost_source": "manual",
                   "shipping_lead_days": 2, "processing_lead_days": 1}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let p = res.json();
    assert_eq!(p["unit_cost"], "0.10");
    assert_eq!(
        p["unit_price"], "19.99",
        "a JSON number is converted exactly"
    );
    assert_eq!(p["reorder_cost"], "250.00");
    assert_eq!(p["holding_cost_rate"], "0.2500");
    assert_eq!(p["supplier_lead_days"], 10, "from the client's default");
    assert_eq!(p["shipping_lead_days"], 2, "given beats the default");
    assert_eq!(p["total_lead_days"], 13, "computed by the database trigger");
    assert!(p["last_cost_update"].is_string(), "costs given: stamped");
    let location = res.header("location").expect("location").to_owned();
    let again = app.get_as(&location, &user).await.json();
    assert_eq!(again["unit_cost"], "0.10");
    assert_response_shape!("created_product", &p);
}

#[tokio::test(flavor = "multi_thread")]
async fn patch_changes_only_what_it_names_and_stamps_cost_changes() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let user = app.operator().await;
    let id = app.insert_product(acme, "SKU-1").await;
    let path = format!("/api/v1/clients/{acme}/products/{id}");

    let res = app.patch(&path, &user, json!({"name": "Renamed"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.json()["last_cost_update"].is_null(), "no cost changed");

    let res = app
        .patch(
            &path,
            &user,
            json!({"unit_cost": "12.5", "category": "tops"}),
        )
        .await;
    let p = res.json();
    assert_eq!(p["unit_cost"], "12.50");
    assert_eq!(p["name"], "Renamed");
    assert!(p["last_cost_update"].is_string());

    let p = app
        .patch(&path, &user, json!({"unit_cost": null, "category": null}))
        .await
        .json();
    assert!(
        p["unit_cost"].is_null() && p["category"].is_null(),
        "null clears"
    );
    assert_eq!(p["sku"], "SKU-1");
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_products_name_every_bad_field_and_write_nothing() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let user = app.client_user(acme).await;
    let path = format!("/api/v1/clients/{acme}/products");
    let res = app
        .post(
            &path,
            &user,
            json!({"sku": "HAS SPACE", "name": "", "current_stock": -1, "unit_cost": "-0.01",
                   "unit_price": "1.005", "holding_cost_rate": "1.5", "cost_source": "guess",
                   "supplier_lead_days": -2}),
        )
        .await;
    assert_invalid_fields(
        &res,
        &[
            "sku",
            "name",
            "current_stock",
            "unit_cost",
            "unit_price",
            "holding_cost_rate",
            "cost_source",
            "supplier_lead_days",
        ],
    );
    let res = app
        .post(
            &path,
            &user,
            json!({"sku": "A", "name": "A", "unit_cost": "abc"}),
        )
        .await;
    assert_invalid_fields(&res, &["unit_cost"]);
    let res = app
        .post(
            &path,
            &user,
            json!({"sku": "A", "name": "A", "total_lead_days": 5}),
        )
        .await;
    assert_invalid_fields(&res, &["total_lead_days"]);
    // The lead-time source takes the same vocabulary as PATCH …/lead-times, on create and on
    // PATCH.
    let res = app
        .post(
            &path,
            &user,
            json!({"sku": "A", "name": "A", "lead_time_source": "guesswork"}),
        )
        .await;
    assert_invalid_fields(&res, &["lead_time_source"]);
    let body = res.json();
    assert!(
        body.to_string()
            .contains("must be one of: supplier, historical, manual, client_default"),
        "{body}"
    );
    let (rows, _) = app.collect_pages(&path, &user, 50).await;
    assert!(rows.is_empty());
    let created = app
        .create_product(
            &user,
            acme,
            json!({"sku": "B", "name": "B", "lead_time_source": " historical "}),
        )
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(created["lead_time_source"], "historical");
    let res = app
        .patch(
            &format!("{path}/{id}"),
            &user,
            json!({"lead_time_source": "vibes"}),
        )
        .await;
    assert_invalid_fields(&res, &["lead_time_source"]);
    let res = app
        .patch(
            &format!("{path}/{id}"),
            &user,
            json!({"lead_time_source": "manual"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["lead_time_source"], "manual");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_sku_conflicts_within_a_client_but_not_across_clients() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let globex = app.insert_client("Globex").await;
    let admin = app.admin().await;
    let body = json!({"sku": "SAME", "name": "Thing"});
    app.create_product(&admin, acme, body.clone()).await;
    let problem = app
        .post(
            &format!("/api/v1/clients/{acme}/products"),
            &admin,
            body.clone(),
        )
        .await
        .assert_problem(StatusCode::CONFLICT);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("SAME")
    );
    app.create_product(&admin, globex, body).await;
    // Renaming onto an existing sku conflicts too.
    let other = app.insert_product(acme, "OTHER").await;
    app.patch(
        &format!("/api/v1/clients/{acme}/products/{other}"),
        &admin,
        json!({"sku": "SAME"}),
    )
    .await
    .assert_problem(StatusCode::CONFLICT);
}

#[tokio::test(flavor = "multi_thread")]
async fn products_page_by_sku_without_loss_and_filter() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let user = app.client_user(acme).await;
    let skus = ["B-2", "A-1", "C-3", "A-2", "D-9", "B-1", "Z-0"];
    for sku in skus {
        app.insert_product(acme, sku).await;
    }
    let path = format!("/api/v1/clients/{acme}/products");
    let (rows, pages) = app.collect_pages(&path, &user, 3).await;
    assert_eq!(pages, 3);
    let got: Vec<&str> = rows
        .iter()
        .map(|r| r["sku"].as_str().unwrap_or_default())
        .collect();
    let mut want = skus.to_vec();
    want.sort();
    assert_eq!(got, want, "sorted by sku, each once");

    // A product added behind the cursor does not shift later pages.
    let first = app.get_as(&format!("{path}?limit=3"), &user).await.json();
    app.insert_product(acme, "A-0").await;
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let second = app
        .get_as(&format!("{path}?limit=3&cursor={cursor}"), &user)
        .await
        .json();
    assert_eq!(second["data"][0]["sku"], "B-2");

    let (found, _) = app.collect_pages(&format!("{path}?q=b-"), &user, 50).await;
    let set: HashSet<&str> = found
        .iter()
        .map(|r| r["sku"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(set, HashSet::from(["B-1", "B-2"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shipped_product_cannot_be_deleted_but_others_can() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let user = app.client_user(acme).await;
    let shipped = app.insert_product(acme, "SHIPPED").await;
    let spare = app.insert_product(acme, "SPARE").await;
    let (order, item) = app.insert_order(acme, shipped, 2).await;
    app.insert(NewShipment::new(acme, order, "fedex").item(shipped, Some(item), 2))
        .await;
    let problem = app
        .delete(&format!("/api/v1/clients/{acme}/products/{shipped}"), &user)
        .await
        .assert_problem(StatusCode::CONFLICT);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("shipped")
    );
    let path = format!("/api/v1/clients/{acme}/products/{spare}");
    assert_eq!(
        app.delete(&path, &user).await.status,
        StatusCode::NO_CONTENT
    );
    app.get_as(&path, &user)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}
