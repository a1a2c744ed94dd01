//! The replica's cache of variance reports (issue 16), on two app instances sharing one
//! database as two replicas behind a load balancer do: what changes a report (a budget written
//! on the other replica; cost rows or a product's category changed in SQL, as the aggregation
//! job in another process writes them) is what the other replica answers within a second; a
//! replica's own write is read back there at once; a warm report is served from the cache.

use std::time::{Duration, Instant};

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use fulfillment_ops::db::notified::GRACE;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    auth_cache::listening,
    common::{
        Actor, Api, TestApp, TestResponse,
        builders::{NewCostRow, NewProduct},
    },
    live::Replica,
};

const WITHIN: Duration = Duration::from_secs(1);
const WINDOW: &str = "from=2025-01-01&to=2025-01-31&as_of=2025-06-01";

fn path(client: Uuid) -> String {
    format!("/api/v1/clients/{client}/budgets/variance?{WINDOW}")
}

async fn get(router: &Router, path: &str, actor: &Actor) -> TestResponse {
    let req = Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {}", actor.token))
        .body(Body::empty())
        .expect("request");
    Api::on(router).send(req).await
}

/// The one budget's entry of the report `router` answers.
async fn entry(router: &Router, client: Uuid, actor: &Actor) -> Value {
    let res = get(router, &path(client), actor).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("application/json"));
    let data = res.json()["data"].clone();
    assert_eq!(data.as_array().map(Vec::len), Some(1), "{data}");
    data[0].clone()
}

/// Reads the report on `router` until its entry satisfies `seen`; how long after `changed`.
async fn seen_after(
    router: &Router,
    client: Uuid,
    actor: &Actor,
    changed: Instant,
    seen: impl Fn(&Value) -> bool,
) -> Duration {
    loop {
        let e = entry(router, client, actor).await;
        if seen(&e) {
            return changed.elapsed();
        }
        assert!(changed.elapsed() < Duration::from_secs(5), "still {e}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn what_a_report_is_computed_from_changed_anywhere_is_what_every_replica_answers_within_a_second()
 {
    let app = TestApp::new().await;
    let b = Replica::on(&app, "replica-b", |_| {});
    listening(&[&app.state, &b.state]).await;
    let (acme, user) = app.client_with_user("Acme").await;
    let tee = app
        .insert(NewProduct::new(acme, "TEE").category("tops"))
        .await;
    let tee_cost = app
        .insert(NewCostRow::new(acme, tee, "2025-01-01", "100.00"))
        .await;
    let budget = app
        .create_budget(
            &user,
            acme,
            json!({"period_start": "2025-01-01", "period_end": "2025-01-31",
                   "category": "tops", "budgeted_amount": "100.00"}),
        )
        .await;

    // B caches the report, and keeps it past the fallback TTL while it hears.
    assert_eq!(
        entry(&b.router, acme, &user).await["actual_amount"],
        "100.00"
    );
    assert_eq!(b.state.variance.len(), 1);
    tokio::time::sleep(GRACE + Duration::from_millis(400)).await;
    assert_eq!(b.state.variance.len(), 1);
    // Served from the cache: a change no trigger reports (triggers off for the session) is
    // not seen by B, which read the report before, and is by A, which reads it now.
    let quiet = app.db.client().await;
    quiet
        .batch_execute(&format!(
            "SET session_replication_role = replica;
             UPDATE cost_tracking SET total_cost = 101 WHERE id = '{tee_cost}';"
        ))
        .await
        .expect("unannounced change");
    assert_eq!(
        entry(&app.router, acme, &user).await["actual_amount"],
        "101.00"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        entry(&b.router, acme, &user).await["actual_amount"],
        "100.00"
    );

    // A budget written through A.
    let changed = Instant::now();
    let res = app
        .patch(
            &format!("/api/v1/clients/{acme}/budgets/{budget}"),
            &user,
            json!({"budgeted_amount": "90.00"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let took = seen_after(&b.router, acme, &user, changed, |e| {
        e["budgeted_amount"] == "90.00" && e["actual_amount"] == "101.00"
    });
    assert!(took.await < WITHIN);

    // Cost rows in SQL: one changed, one added (the aggregation job's writes).
    let changed = Instant::now();
    app.db
        .execute(&format!(
            "UPDATE cost_tracking SET total_cost = 120 WHERE id = '{tee_cost}'"
        ))
        .await;
    let took = seen_after(&b.router, acme, &user, changed, |e| {
        e["actual_amount"] == "120.00"
    });
    assert!(took.await < WITHIN);
    let cap = app
        .insert(NewProduct::new(acme, "CAP").category("tops"))
        .await;
    let changed = Instant::now();
    app.insert(NewCostRow::new(acme, cap, "2025-01-01", "30.00"))
        .await;
    let took = seen_after(&b.router, acme, &user, changed, |e| {
        e["actual_amount"] == "150.00"
    });
    assert!(took.await < WITHIN);

    // A product moved to another category leaves the category budget's scope.
    let changed = Instant::now();
    app.db
        .execute(&format!(
            "UPDATE products SET category = 'hats' WHERE id = '{cap}'"
        ))
        .await;
    let took = seen_after(&b.router, acme, &user, changed, |e| {
        e["actual_amount"] == "120.00"
    });
    assert!(took.await < WITHIN);
    // Writes that change no report leave the cache alone.
    assert_eq!(b.state.variance.len(), 1);
    app.db
        .execute(&format!(
            "UPDATE products SET current_stock = 7, category = 'hats' WHERE id = '{cap}'"
        ))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        b.state.variance.len(),
        1,
        "no news of an unchanged category"
    );

    // B's own write is read back there at once.
    let on_b = Api::on(&b.router);
    let res = on_b
        .patch(
            format!("/api/v1/clients/{acme}/budgets/{budget}"),
            &user,
            json!({"budgeted_amount": "80.00"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(
        entry(&b.router, acme, &user).await["budgeted_amount"],
        "80.00"
    );

    // Another client's news forgets nothing of Acme's (B's entry warmed again once the news of
    // its own write has come: a read begun before that news is not stored).
    tokio::time::sleep(Duration::from_millis(300)).await;
    entry(&b.router, acme, &user).await;
    assert_eq!(b.state.variance.len(), 1);
    let (other, other_user) = app.client_with_user("Other").await;
    app.create_budget(
        &other_user,
        other,
        json!({"period_start": "2025-01-01", "period_end": "2025-01-31",
               "budgeted_amount": "5.00"}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(b.state.variance.len(), 1, "Acme's report is still cached");
}
