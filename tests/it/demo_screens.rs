//! After `seed-demo`, every screen of the demo client has data: each list route the
//! client-scoped route list offers (walked from `routes::client_scoped`, so a list added later
//! is checked too) answers at least one row, and the money screens show every status.

use std::collections::BTreeSet;

use crate::common::{TestApp, TestDb};
use axum::http::StatusCode;
use fulfillment_ops::seed::{SeedOptions, seed_demo};
use serde_json::Value;

/// Every GET path template of the client-scoped routes.
fn client_scoped_gets() -> Vec<String> {
    let doc = fulfillment_ops::routes::client_scoped().into_openapi();
    let mut paths: Vec<String> = doc
        .paths
        .paths
        .into_iter()
        .filter(|(_, item)| item.get.is_some())
        .map(|(path, _)| path)
        .collect();
    // Parents before children, so each path parameter is known before it is needed.
    paths.sort_by_key(|p| p.matches('{').count());
    paths
}

/// The first row of a list answer, or the empty list's name.
fn rows(res: &Value) -> Option<&Vec<Value>> {
    res.get("data").and_then(Value::as_array)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_list_screen_of_a_demo_client_has_rows_right_after_seeding() {
    let db = TestDb::migrated().await;
    let report = seed_demo(&db.url, &SeedOptions::default())
        .await
        .expect("seed");
    let app = TestApp::with(db, |_| {}).await;
    let login = report
        .credentials
        .iter()
        .find(|c| c.role == "client")
        .expect("a client user");
    let token = app.login_token(&login.email, &login.password).await;
    let me = app.get("/api/v1/me", Some(&token)).await.json();
    let client_id = me["client_id"].as_str().expect("client id").to_owned();

    // Path parameters, each taken from the first row of its parent list.
    let parents = [
        ("product_id", "products"),
        ("budget_id", "budgets"),
        ("order_request_id", "order-requests"),
        ("shipment_id", "shipments"),
    ];
    let mut params = vec![("client_id".to_owned(), client_id.clone())];
    for (param, list) in parents {
        let res = app
            .get(&format!("/api/v1/clients/{client_id}/{list}"), Some(&token))
            .await;
        let first = rows(&res.json()).and_then(|r| r.first()).cloned();
        let id = first
            .and_then(|row| row["id"].as_str().map(str::to_owned))
            .unwrap_or_else(|| panic!("the demo client's {list} list is empty"));
        params.push((param.to_owned(), id));
    }

    let mut lists = BTreeSet::new();
    for template in client_scoped_gets() {
        let mut path = template.clone();
        for (name, id) in &params {
            path = path.replace(&format!("{{{name}}}"), id);
        }
        assert!(
            !path.contains('{'),
            "{template}: name in this test which list gives this path parameter"
        );
        let res = app.get(&path, Some(&token)).await;
        let body = res.json();
        let Some(data) = rows(&body) else { continue };
        assert_eq!(res.status, StatusCode::OK, "{template}: {body}");
        assert!(
            !data.is_empty(),
            "{template} answers no rows for the demo client after seed-demo"
        );
        lists.insert(template);
    }
    // The lists the features offer today; more may come, none may go missing.
    for expected in [
        "/products",
        "/budgets",
        "/budgets/variance",
        "/cost-tracking",
        "/order-requests",
        "/order-requests/{order_request_id}/transitions",
        "/shipments",
        "/shipments/{shipment_id}/events",
        "/reorder-alerts",
    ] {
        let template = format!("/api/v1/clients/{{client_id}}{expected}");
        assert!(
            lists.contains(&template),
            "{template} was not checked: {lists:?}"
        );
    }

    // The user's own screens.
    let layouts = app.get("/api/v1/me/layouts", Some(&token)).await.json();
    assert!(!rows(&layouts).expect("a list").is_empty(), "{layouts}");

    // Variance shows every status, and this month is projected over for the first client.
    let variance = app
        .get(
            &format!("/api/v1/clients/{client_id}/budgets/variance"),
            Some(&token),
        )
        .await
        .json();
    let entries = rows(&variance).expect("variance rows");
    let mut statuses = BTreeSet::new();
    let projected_over = entries
        .iter()
        .any(|e| e["projected_status"] == "over" && e["status"] != "over");
    assert!(projected_over, "no budget is projected over: {variance}");
    // Across the demo clients (an admin sees them all), every status occurs.
    let admin = report
        .credentials
        .iter()
        .find(|c| c.role == "admin")
        .expect("an admin");
    let admin_token = app.login_token(&admin.email, &admin.password).await;
    let clients = app.get("/api/v1/clients", Some(&admin_token)).await.json();
    for client in rows(&clients).expect("clients") {
        let id = client["id"].as_str().expect("id");
        let res = app
            .get(
                &format!("/api/v1/clients/{id}/budgets/variance"),
                Some(&admin_token),
            )
            .await
            .json();
        for e in rows(&res).expect("variance rows") {
            statuses.insert(e["status"].as_str().expect("status").to_owned());
        }
    }
    assert_eq!(
        statuses,
        BTreeSet::from(["on_track", "over", "under"].map(String::from)),
        "statuses across the demo clients"
    );
}
