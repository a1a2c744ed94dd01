//! `/api/v1/clients/{client_id}/order-requests`: one transaction per order, validation,
//! newest-first pagination, filters.

use std::collections::HashSet;

use crate::common::{
    TestApp, assert_invalid_fields,
    builders::{NewOrder, at},
};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn an_order_request_is_written_with_its_items() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let user = app.client_user(acme).await;
    let a = app.insert_product(acme, "A").await;
    let b = app.insert_product(acme, "B").await;
    let res = app
        .post(
            &format!("/api/v1/clients/{acme}/order-requests"),
            &user,
            json!({"items": [{"product_id": a, "quantity": 3}, {"product_id": b, "quantity": 1}],
                   "notes": "rush"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let order = res.json();
    assert_eq!(order["status"], "submitted");
    assert_eq!(order["notes"], "rush");
    let items = order["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i["id"].is_string()));
    let quantities: HashSet<(String, i64)> = items
        .iter()
        .map(|i| {
            (
                i["product_id"].as_str().unwrap_or_default().to_owned(),
                i["quantity"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        quantities,
        HashSet::from([(a.to_string(), 3), (b.to_string(), 1)])
    );
    let fetched = app
        .get_as(res.header("location").expect("location"), &user)
        .await
        .json();
    assert_eq!(fetched["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(fetched["id"], order["id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_order_request_names_its_items_and_writes_nothing() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let user = app.client_user(acme).await;
    let a = app.insert_product(acme, "A").await;
    let path = format!("/api/v1/clients/{acme}/order-requests");
    assert_invalid_fields(
        &app.post(&path, &user, json!({"items": []})).await,
        &["items"],
    );
    let res = app
        .post(
            &path,
            &user,
            json!({"items": [{"product_id": a, "quantity": 0}, {"product_id": a, "quantity": 2}],
                   "status": "fulfilled"}),
        )
        .await;
    assert_invalid_fields(
        &res,
        &["items[0].quantity", "items[1].product_id", "status"],
    );
    let res = app
        .post(
            &path,
            &user,
            json!({"items": [{"product_id": a, "quantity": 1}, {"product_id": uuid::Uuid::new_v4(), "quantity": 1}]}),
        )
        .await;
    assert_invalid_fields(&res, &["items[1].product_id"]);
    let res = app
        .post(
            &path,
            &user,
            json!({"items": [{"product_id": "nope", "quantity": 1}]}),
        )
        .await;
    assert_invalid_fields(&res, &["items[0].product_id"]);
    let res = app
        .post(&path, &user, json!({"items": [{"product_id": a}]}))
        .await;
    assert_invalid_fields(&res, &["items[0].quantity"]);
    let counts = app
        .db
        .client()
        .await
        .query_one(
            "SELECT (SELECT count(*) FROM order_requests), (SELECT count(*) FROM order_request_items)",
            &[],
        )
        .await
        .expect("count");
    assert_eq!((counts.get::<_, i64>(0), counts.get::<_, i64>(1)), (0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn order_requests_list_newest_first_across_pages_and_filter() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let user = app.client_user(acme).await;
    let a = app.insert_product(acme, "A").await;
    // Two orders created in the same instant still page apart (ties broken by id).
    let same_instant = at("2026-01-15T10:00:00Z");
    let mut ids = Vec::new();
    for order in [
        NewOrder::new(acme).at(same_instant),
        NewOrder::new(acme).at(same_instant),
        NewOrder::new(acme)
            .at(at("2025-12-31T23:59:59Z"))
            .status("fulfilled"),
    ] {
        ids.push(app.insert(order.item(a, 1)).await.id.to_string());
    }
    for _ in 3..7 {
        ids.push(app.insert_order(acme, a, 1).await.0.to_string());
    }
    let path = format!("/api/v1/clients/{acme}/order-requests");
    let (rows, pages) = app.collect_pages(&path, &user, 2).await;
    assert_eq!(pages, 4);
    assert_eq!(rows.len(), 7);
    let seen: HashSet<String> = rows
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(seen, ids.iter().cloned().collect::<HashSet<_>>());
    let times: Vec<&str> = rows
        .iter()
        .map(|r| r["created_at"].as_str().unwrap_or_default())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|x, y| y.cmp(x));
    assert_eq!(times, sorted, "newest first");
    assert!(
        rows.iter()
            .all(|r| r["items"].as_array().map(Vec::len) == Some(1))
    );

    let (fulfilled, _) = app
        .collect_pages(&format!("{path}?status=fulfilled"), &user, 50)
        .await;
    assert_eq!(fulfilled.len(), 1);
    let (january, _) = app
        .collect_pages(&format!("{path}?from=2026-01-01&to=2026-01-15"), &user, 50)
        .await;
    assert_eq!(january.len(), 2, "to is inclusive");
    let res = app
        .get_as(&format!("{path}?from=2026-02-01&to=2026-01-01"), &user)
        .await;
    assert_invalid_fields(&res, &["from"]);
    let res = app.get_as(&format!("{path}?status=lost"), &user).await;
    assert_invalid_fields(&res, &["status"]);
    let res = app.get_as(&format!("{path}?from=yesterday"), &user).await;
    assert_invalid_fields(&res, &["from"]);
}

/// Statements a connection sends while `run` runs.
async fn statements_sent<F>(conn: &mut diesel_async::AsyncPgConnection, run: F) -> usize
where
    F: AsyncFnOnce(&mut diesel_async::AsyncPgConnection),
{
    use diesel::connection::InstrumentationEvent;
    use diesel_async::AsyncConnection;
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&sent);
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    run(conn).await;
    sent.load(Ordering::SeqCst)
}

#[tokio::test(flavor = "multi_thread")]
async fn creating_an_order_request_is_one_prepared_statement() {
    use diesel_async::RunQueryDsl;
    use fulfillment_ops::order_requests::{
        queries::{Inserted, insert},
        types::{NewOrder as Order, OrderStatus},
    };
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let user = app.client_user(acme).await;
    let a = app.insert_product(acme, "A").await;
    let b = app.insert_product(acme, "B").await;
    let order = Order {
        status: OrderStatus::Submitted,
        notes: None,
        items: vec![(a, 2), (b, 5)],
    };
    let mut conn = app.conn().await;
    for _ in 0..3 {
        let sent = statements_sent(&mut conn, async |conn| {
            match insert(conn, acme, &order, user.id).await.expect("insert") {
                Inserted::Created(o) => assert_eq!(o.items.len(), 2),
                Inserted::Refused(r) => panic!("refused: {r:?}"),
            }
        })
        .await;
        assert_eq!(
            sent, 1,
            "the check, the order, its transition and its items"
        );
    }
    let runs: Vec<i64> = diesel::sql_query(
        "SELECT generic_plans + custom_plans AS runs FROM pg_prepared_statements \
         WHERE statement LIKE '%INSERT INTO order_request_items%' \
         AND statement NOT LIKE '%pg_prepared_statements%'",
    )
    .load::<Runs>(&mut conn)
    .await
    .expect("pg_prepared_statements")
    .into_iter()
    .map(|r| r.runs)
    .collect();
    assert_eq!(
        runs,
        [3],
        "prepared once on the connection, run three times"
    );
    let counts: Vec<Runs> = diesel::sql_query(
        "SELECT (SELECT count(*) FROM order_requests) + (SELECT count(*) FROM order_request_items) \
         * 100 + (SELECT count(*) FROM order_request_transitions) * 10000 AS runs",
    )
    .load(&mut conn)
    .await
    .expect("counts");
    assert_eq!(
        counts[0].runs,
        3 + 6 * 100 + 3 * 10000,
        "3 orders, 6 lines, 3 transitions"
    );
}

#[derive(diesel::QueryableByName)]
struct Runs {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    runs: i64,
}
