//! Tenancy over every client-scoped route, driven by the route list itself
//! (`fulfillment_ops::routes::client_scoped`, the same list the router mounts behind the
//! tenancy layer): a route added there is in this test automatically, and fails it unless a
//! client user of another client gets 404 from it. A route naming `{client_id}` mounted
//! anywhere else fails `every_route_naming_a_client_is_behind_the_tenancy_layer`.

use crate::common::{
    Actor, TestApp,
    builders::{NewBudget, NewClient, NewOrder, NewProduct, NewShipment},
};
use axum::http::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

/// Every (method, path template) of a list of routes.
fn operations(doc: utoipa::openapi::OpenApi) -> Vec<(Method, String)> {
    let mut routes = Vec::new();
    for (path, item) in doc.paths.paths {
        let ops = [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::PUT, item.put.is_some()),
            (Method::PATCH, item.patch.is_some()),
            (Method::DELETE, item.delete.is_some()),
        ];
        for (method, present) in ops {
            if present {
                routes.push((method, path.clone()));
            }
        }
    }
    routes
}

/// Every (method, path template) mounted behind the tenancy layer.
fn client_scoped_routes() -> Vec<(Method, String)> {
    let routes = operations(fulfillment_ops::routes::client_scoped().into_openapi());
    assert!(
        routes.len() >= 11,
        "the document lists the client-scoped routes: {routes:?}"
    );
    routes
}

#[test]
fn every_route_naming_a_client_is_behind_the_tenancy_layer() {
    let scoped = client_scoped_routes();
    for (method, path) in operations(fulfillment_ops::routes::unscoped().into_openapi()) {
        assert!(
            !path.contains("{client_id}"),
            "{method} {path} names a client but is mounted outside routes::client_scoped"
        );
    }
    for (method, path) in &scoped {
        assert!(
            path.starts_with("/api/v1/clients/{client_id}"),
            "{method} {path} is behind the tenancy layer but does not start with the client"
        );
    }
    // The document served is exactly the two lists: nothing mounted escapes it.
    let served = operations(fulfillment_ops::routes::openapi()).len();
    let unscoped = operations(fulfillment_ops::routes::unscoped().into_openapi()).len();
    assert_eq!(served, scoped.len() + unscoped);
}

/// Client A's world: a resource for every path parameter a client-scoped route can name.
struct World {
    client_a: Uuid,
    params: Vec<(&'static str, Uuid)>,
}

async fn world(app: &TestApp) -> World {
    let client_a = app.insert(NewClient::named("Client A")).await;
    // The EOQ inputs, so the owner's GET of /products/{product_id}/eoq answers 200, not 422.
    let product = app
        .insert(NewProduct::new(client_a, "A-1").costs("10", "50", "0.2"))
        .await;
    let order = app.insert(NewOrder::new(client_a).item(product, 3)).await;
    let shipment = app
        .insert(NewShipment::new(client_a, order.id, "ups").item(product, Some(order.items[0]), 1))
        .await;
    let order = order.id;
    let budget = app
        .insert(NewBudget::new(client_a, "2025-01-01", "2025-12-31", "1000"))
        .await;
    World {
        client_a,
        params: vec![
            ("client_id", client_a),
            ("product_id", product),
            ("order_request_id", order),
            ("budget_id", budget),
            ("shipment_id", shipment),
        ],
    }
}

fn fill(template: &str, world: &World) -> String {
    let mut path = template.to_owned();
    for (name, id) in &world.params {
        path = path.replace(&format!("{{{name}}}"), &id.to_string());
    }
    assert!(
        !path.contains('{'),
        "{template}: add a fixture of client A for this path parameter to tests/it/tenancy.rs"
    );
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_user_gets_404_from_every_route_of_another_client() {
    let app = TestApp::new().await;
    let world = world(&app).await;
    let client_b = app.insert_client("Client B").await;
    let intruder: Actor = app.client_user(client_b).await;
    let owner: Actor = app.client_user(world.client_a).await;

    for (method, template) in client_scoped_routes() {
        let path = fill(&template, &world);
        let body = matches!(method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({}));
        let res = app
            .request(method.clone(), &path, Some(&intruder.token), body)
            .await;
        res.assert_problem(StatusCode::NOT_FOUND);
        assert!(
            !res.text().contains(&world.client_a.to_string()),
            "{method} {template}: the 404 does not echo the other client's id"
        );
        // Not a 404 for any other reason: the owner reads the same resource.
        if method == Method::GET {
            let own = app.get_as(&path, &owner).await;
            assert_eq!(
                own.status,
                StatusCode::OK,
                "{method} {template} as the owner: {}",
                own.text()
            );
        }
    }
    // Nothing was changed by the refused writes.
    let products = app
        .get_as(
            &format!("/api/v1/clients/{}/products", world.client_a),
            &owner,
        )
        .await;
    assert_eq!(products.json()["data"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_client_scoped_route_requires_a_token_and_hides_unknown_clients() {
    let app = TestApp::new().await;
    let world = world(&app).await;
    let admin = app.admin().await;
    for (method, template) in client_scoped_routes() {
        let path = fill(&template, &world);
        app.request(method.clone(), &path, None, None)
            .await
            .assert_problem(StatusCode::UNAUTHORIZED);
        app.request(method.clone(), &path, Some("not-a-token"), None)
            .await
            .assert_problem(StatusCode::UNAUTHORIZED);
        // Even an admin gets 404 for a client that does not exist.
        let missing = path.replacen(&world.client_a.to_string(), &Uuid::new_v4().to_string(), 1);
        let body = matches!(method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({}));
        app.request(method.clone(), &missing, Some(&admin.token), body)
            .await
            .assert_problem(StatusCode::NOT_FOUND);
        let not_uuid = path.replacen(&world.client_a.to_string(), "not-a-uuid", 1);
        app.request(method, &not_uuid, Some(&admin.token), None)
            .await
            .assert_problem(StatusCode::NOT_FOUND);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resource_of_another_client_is_not_found_under_ones_own_client() {
    let app = TestApp::new().await;
    let world = world(&app).await;
    let client_b = app.insert_client("Client B").await;
    let intruder = app.client_user(client_b).await;
    // Client B's own client id with client A's product id.
    let product_a = world.params[1].1;
    let res = app
        .get_as(
            &format!("/api/v1/clients/{client_b}/products/{product_a}"),
            &intruder,
        )
        .await;
    res.assert_problem(StatusCode::NOT_FOUND);
    let res = app
        .delete(
            &format!("/api/v1/clients/{client_b}/products/{product_a}"),
            &intruder,
        )
        .await;
    res.assert_problem(StatusCode::NOT_FOUND);
    let order_a = world.params[2].1;
    app.get_as(
        &format!("/api/v1/clients/{client_b}/order-requests/{order_a}"),
        &intruder,
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);
    // And an order request of B cannot name A's product.
    let res = app
        .post(
            &format!("/api/v1/clients/{client_b}/order-requests"),
            &intruder,
            json!({"items": [{"product_id": product_a, "quantity": 1}]}),
        )
        .await;
    crate::common::assert_invalid_fields(&res, &["items[0].product_id"]);
}
