//! Order history is kept: the order request state machine and its transitions, archiving a
//! product that was ordered instead of deleting it, and client deletes that must be confirmed.

use crate::common::{TestApp, assert_invalid_fields, concurrently};
use axum::http::StatusCode;
use serde_json::{Value, json};

fn detail(problem: &Value) -> &str {
    problem["detail"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_moves_from_draft_to_fulfilled_and_keeps_who_moved_it_when() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let user = app.client_user(acme).await;
    let operator = app.operator().await;
    let a = app.insert_product(acme, "A").await;
    let b = app.insert_product(acme, "B").await;
    let res = app
        .post(
            &format!("/api/v1/clients/{acme}/order-requests"),
            &user,
            json!({"status": "draft", "items": [{"product_id": a, "quantity": 1}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let path = res.header("location").expect("location").to_owned();

    // While a draft, its items can be replaced.
    let res = app
        .patch(
            &path,
            &user,
            json!({"items": [{"product_id": b, "quantity": 4}], "notes": "changed my mind"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let order = res.json();
    assert_eq!(order["status"], "draft");
    assert_eq!(order["notes"], "changed my mind");
    assert_eq!(order["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(order["items"][0]["product_id"], b.to_string());
    assert_eq!(order["items"][0]["quantity"], 4);

    for (actor, status) in [
        (&user, "submitted"),
        (&operator, "approved"),
        (&operator, "fulfilled"),
    ] {
        let res = app.patch(&path, actor, json!({"status": status})).await;
        assert_eq!(res.status, StatusCode::OK, "{status}: {}", res.text());
        assert_eq!(res.json()["status"], status);
    }
    let transitions = app.get_as(&format!("{path}/transitions"), &user).await;
    assert_eq!(transitions.status, StatusCode::OK, "{}", transitions.text());
    let rows = transitions.json()["data"]
        .as_array()
        .cloned()
        .expect("data");
    let steps: Vec<(Value, Value, Value)> = rows
        .iter()
        .map(|t| {
            (
                t["from_status"].clone(),
                t["to_status"].clone(),
                t["changed_by"].clone(),
            )
        })
        .collect();
    let (u, o) = (json!(user.id), json!(operator.id));
    assert_eq!(
        steps,
        [
            (Value::Null, json!("draft"), u.clone()),
            (json!("draft"), json!("submitted"), u),
            (json!("submitted"), json!("approved"), o.clone()),
            (json!("approved"), json!("fulfilled"), o),
        ]
    );
    assert!(rows.iter().all(|t| t["changed_at"].is_string()));

    // Fulfilled is final.
    let problem = app
        .patch(&path, &operator, json!({"status": "cancelled"}))
        .await
        .assert_problem(StatusCode::CONFLICT);
    assert!(detail(&problem).contains("final"), "{problem}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_illegal_transition_names_the_allowed_ones_and_changes_nothing() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let user = app.client_user(acme).await;
    let a = app.insert_product(acme, "A").await;
    let (order, _) = app.insert_order(acme, a, 2).await;
    let path = format!("/api/v1/clients/{acme}/order-requests/{order}");
    let before = app.get_as(&path, &user).await.json();
    let status = before["status"].as_str().expect("status").to_owned();

    let problem = app
        .patch(&path, &user, json!({"status": "fulfilled"}))
        .await
        .assert_problem(StatusCode::CONFLICT);
    assert!(
        detail(&problem).contains("it can become: approved, cancelled"),
        "{problem}"
    );
    let problem = app
        .patch(
            &path,
            &user,
            json!({"items": [{"product_id": a, "quantity": 9}]}),
        )
        .await
        .assert_problem(StatusCode::CONFLICT);
    assert!(detail(&problem).contains("only while the order request is a draft"));

    let res = app
        .patch(&path, &user, json!({"status": "shipped", "reason": ""}))
        .await;
    assert_invalid_fields(&res, &["status"]);
    let res = app.patch(&path, &user, json!({"reason": "why not"})).await;
    assert_invalid_fields(&res, &["reason"]);
    let res = app
        .patch(&path, &user, json!({"items": null, "status": null}))
        .await;
    assert_invalid_fields(&res, &["items", "status"]);

    let after = app.get_as(&path, &user).await.json();
    assert_eq!(after, before, "nothing written");
    assert_eq!(status, "submitted");
    let transitions = app
        .get_as(&format!("{path}/transitions"), &user)
        .await
        .json();
    assert_eq!(transitions["data"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn cancelling_keeps_the_reason_and_the_status_filter_finds_it() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let user = app.client_user(acme).await;
    let a = app.insert_product(acme, "A").await;
    let (kept, _) = app.insert_order(acme, a, 1).await;
    let (cancelled, _) = app.insert_order(acme, a, 1).await;
    let path = format!("/api/v1/clients/{acme}/order-requests/{cancelled}");
    let res = app
        .patch(
            &path,
            &user,
            json!({"status": "cancelled", "reason": "customer withdrew"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let list = |status: &'static str| {
        let app = &app;
        let user = &user;
        async move {
            app.get_as(
                &format!("/api/v1/clients/{acme}/order-requests?status={status}"),
                user,
            )
            .await
            .json()["data"]
                .as_array()
                .expect("data")
                .iter()
                .map(|o| o["id"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list("cancelled").await, [cancelled.to_string()]);
    assert_eq!(list("submitted").await, [kept.to_string()]);
    let transitions = app
        .get_as(&format!("{path}/transitions"), &user)
        .await
        .json();
    assert_eq!(transitions["data"][1]["note"], "customer withdrew");
    // The same status again is no change and no new transition.
    let res = app
        .patch(&path, &user, json!({"status": "cancelled"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let again = app
        .get_as(&format!("{path}/transitions"), &user)
        .await
        .json();
    assert_eq!(again["data"].as_array().map(Vec::len), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn two_concurrent_transitions_from_the_same_status_cannot_both_land() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let user = app.client_user(acme).await;
    let a = app.insert_product(acme, "A").await;
    for round in 0..5 {
        let (order, _) = app.insert_order(acme, a, 1).await;
        let path = format!("/api/v1/clients/{acme}/order-requests/{order}");
        let res = app.patch(&path, &user, json!({"status": "approved"})).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        // From approved both are allowed, and each is final: only the first may land.
        let api = app.api();
        let mut statuses: Vec<StatusCode> = concurrently([
            api.patch(path.clone(), &user, json!({"status": "fulfilled"})),
            api.patch(path.clone(), &user, json!({"status": "cancelled"})),
        ])
        .await
        .iter()
        .map(|r| r.status)
        .collect();
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "round {round}"
        );
        let transitions = app
            .get_as(&format!("{path}/transitions"), &user)
            .await
            .json();
        let from_submitted = transitions["data"]
            .as_array()
            .expect("data")
            .iter()
            .filter(|t| t["from_status"] == "approved")
            .count();
        assert_eq!(from_submitted, 1, "round {round}: {transitions}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ordered_product_is_archived_not_deleted() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let user = app.client_user(acme).await;
    let ordered = app.insert_product(acme, "ORDERED").await;
    let other = app.insert_product(acme, "OTHER").await;
    let (order, _) = app.insert_order(acme, ordered, 3).await;
    let product = format!("/api/v1/clients/{acme}/products/{ordered}");

    let problem = app
        .delete(&product, &user)
        .await
        .assert_problem(StatusCode::CONFLICT);
    assert!(
        detail(&problem).contains("1 order request line(s)")
            && detail(&problem).contains("/archive"),
        "{problem}"
    );

    let res = app
        .post(&format!("{product}/archive"), &user, json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let archived_at = res.json()["archived_at"].clone();
    assert!(archived_at.is_string());
    let again = app
        .post(&format!("{product}/archive"), &user, json!({}))
        .await
        .json();
    assert_eq!(
        again["archived_at"], archived_at,
        "archiving twice keeps the first time"
    );

    let skus = |query: &'static str| {
        let (app, user) = (&app, &user);
        async move {
            app.get_as(&format!("/api/v1/clients/{acme}/products{query}"), user)
                .await
                .json()["data"]
                .as_array()
                .expect("data")
                .iter()
                .map(|p| p["sku"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(skus("").await, ["OTHER"]);
    assert_eq!(skus("?include_archived=true").await, ["ORDERED", "OTHER"]);

    // Refused in new orders, still in the old one.
    let res = app
        .post(
            &format!("/api/v1/clients/{acme}/order-requests"),
            &user,
            json!({"items": [{"product_id": other, "quantity": 1}, {"product_id": ordered, "quantity": 1}]}),
        )
        .await;
    assert_invalid_fields(&res, &["items[1].product_id"]);
    let old = app
        .get_as(
            &format!("/api/v1/clients/{acme}/order-requests/{order}"),
            &user,
        )
        .await
        .json();
    assert_eq!(old["items"][0]["product_id"], ordered.to_string());
    assert_eq!(app.get_as(&product, &user).await.status, StatusCode::OK);

    let res = app
        .post(&format!("{product}/unarchive"), &user, json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.json()["archived_at"].is_null());
    let res = app
        .post(
            &format!("/api/v1/clients/{acme}/order-requests"),
            &user,
            json!({"items": [{"product_id": ordered, "quantity": 1}]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_with_data_is_deleted_only_when_the_admin_confirms_with_its_name() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let acme = app.insert_client("Acme").await;
    let _user = app.client_user(acme).await;
    let a = app.insert_product(acme, "A").await;
    app.insert_order(acme, a, 2).await;
    let path = format!("/api/v1/clients/{acme}");

    let problem = app
        .delete(&path, &admin)
        .await
        .assert_problem(StatusCode::CONFLICT);
    assert!(
        detail(&problem).contains("1 user(s), 1 product(s), 1 order request(s)")
            && detail(&problem).contains("?confirm="),
        "{problem}"
    );
    app.delete(&format!("{path}?confirm=acme"), &admin)
        .await
        .assert_problem(StatusCode::CONFLICT);
    assert_eq!(app.get_as(&path, &admin).await.status, StatusCode::OK);

    let res = app.delete(&format!("{path}?confirm=Acme"), &admin).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    app.get_as(&path, &admin)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    let left = app
        .db
        .client()
        .await
        .query_one(
            "SELECT (SELECT count(*) FROM products) + (SELECT count(*) FROM order_requests) \
             + (SELECT count(*) FROM order_request_transitions)",
            &[],
        )
        .await
        .expect("count");
    assert_eq!(left.get::<_, i64>(0), 0);
}
