//! The database misbehaving under the service, through a chaos proxy (`common::proxy`): a
//! cut, a silent stall and a pooled connection dead unnoticed. What a user notices: never a
//! 500; a 503 with `Retry-After` within seconds, not after the request timeout; and answers
//! again once the database is back.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use futures_util::future::join_all;
use serde_json::json;

use crate::common::{Actor, TestApp, TestDb, TestResponse, proxy::ChaosProxy, server_addr};

/// The app on a database reached only through a proxy; its fixtures are written directly.
async fn behind_proxy(stall_timeout: Duration) -> (TestApp, ChaosProxy) {
    let db = TestDb::migrated().await;
    let proxy = ChaosProxy::start(server_addr()).await;
    let via_proxy = db
        .url
        .replacen(&server_addr(), &format!("127.0.0.1:{}", proxy.port), 1);
    let app = TestApp::with(db, |c| {
        c.database.url = fulfillment_ops::config::Secret::new(&via_proxy);
        c.database.stall_timeout = stall_timeout;
        c.request_timeout = Duration::from_secs(20);
    })
    .await;
    (app, proxy)
}

async fn products(app: &TestApp, user: &Actor, client: uuid::Uuid) -> TestResponse {
    app.get_as(&format!("/api/v1/clients/{client}/products"), user)
        .await
}

/// Ten concurrent reads, each timed.
async fn ten_reads(
    app: &TestApp,
    user: &Actor,
    client: uuid::Uuid,
) -> Vec<(TestResponse, Duration)> {
    join_all((0..10).map(|_| async {
        let started = Instant::now();
        let res = products(app, user, client).await;
        (res, started.elapsed())
    }))
    .await
}

#[track_caller]
fn assert_unavailable(res: &TestResponse) {
    res.assert_problem(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.header("retry-after"), Some("1"), "{res:?}");
}

/// Polls until a read answers 200; the time it took.
async fn until_ok(app: &TestApp, user: &Actor, client: uuid::Uuid, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let res = products(app, user, client).await;
        match res.status {
            StatusCode::OK => return started.elapsed(),
            StatusCode::SERVICE_UNAVAILABLE => assert_unavailable(&res),
            _ => panic!("while recovering: {res:?}"),
        }
        assert!(
            started.elapsed() < within,
            "not recovered within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A proxy that stops forwarding without closing anything: requests in flight and new ones
/// answer 503 within seconds (not the 20 s request timeout), more of them than the pool holds,
/// and the service answers again once the proxy does.
#[tokio::test(flavor = "multi_thread")]
async fn a_silent_database_answers_503_within_seconds_then_recovers() {
    let (app, proxy) = behind_proxy(Duration::from_secs(1)).await;
    let (acme, user) = app.client_with_user("Acme").await;
    assert!(
        ten_reads(&app, &user, acme)
            .await
            .iter()
            .all(|(r, _)| r.status == StatusCode::OK)
    );

    proxy.stall();
    for (res, took) in ten_reads(&app, &user, acme).await {
        assert_unavailable(&res);
        assert!(
            took < Duration::from_secs(5),
            "held {took:?} by a silent database"
        );
    }
    // Known stalled: a new request is refused without waiting.
    let started = Instant::now();
    assert_unavailable(&products(&app, &user, acme).await);
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    let write = app
        .post(
            &format!("/api/v1/clients/{acme}/products"),
            &user,
            json!({"sku": "X"}),
        )
        .await;
    assert_ne!(write.status, StatusCode::INTERNAL_SERVER_ERROR, "{write:?}");

    proxy.restore();
    let took = until_ok(&app, &user, acme, Duration::from_secs(5)).await;
    eprintln!("answering again {took:?} after the proxy recovered");
    assert!(
        ten_reads(&app, &user, acme)
            .await
            .iter()
            .all(|(r, _)| r.status == StatusCode::OK)
    );
}

/// A cut (every connection severed, new ones refused): 503s with `Retry-After`, never a 500,
/// and 200 again soon after the database is reachable.
#[tokio::test(flavor = "multi_thread")]
async fn a_cut_database_answers_503_then_recovers() {
    let (app, proxy) = behind_proxy(Duration::from_secs(3)).await;
    let (acme, user) = app.client_with_user("Acme").await;
    assert!(
        ten_reads(&app, &user, acme)
            .await
            .iter()
            .all(|(r, _)| r.status == StatusCode::OK)
    );

    proxy.cut();
    for (res, took) in ten_reads(&app, &user, acme).await {
        assert_unavailable(&res);
        assert!(took < Duration::from_secs(3), "{took:?}");
    }
    proxy.restore();
    until_ok(&app, &user, acme, Duration::from_secs(5)).await;
}

/// Pooled connections whose backend is gone while they look alive (the next statement never
/// reaches a server): a read meeting one is run again on a fresh connection, and the dead
/// one's siblings are checked before use, so no read answers 503 at all.
#[tokio::test(flavor = "multi_thread")]
async fn a_dead_pooled_connection_costs_a_read_a_retry_not_a_503() {
    let (app, proxy) = behind_proxy(Duration::from_secs(3)).await;
    let (acme, user) = app.client_with_user("Acme").await;
    // Four connections in the pool (the test pool size), all idle.
    assert!(
        ten_reads(&app, &user, acme)
            .await
            .iter()
            .all(|(r, _)| r.status == StatusCode::OK)
    );

    proxy.sever_on_next_use();
    for _ in 0..6 {
        let res = products(&app, &user, acme).await;
        assert_eq!(res.status, StatusCode::OK, "{res:?}");
    }
}
