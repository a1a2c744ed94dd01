//! Operating the service: liveness, readiness that follows the database and the migrations,
//! problem+json for every error, request ids, CORS, metrics.

use std::time::{Duration, Instant};

use crate::common::{TestApp, TestDb, proxy::ChaosProxy, server_addr};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode},
};
use fulfillment_ops::{
    config::MigrateMode,
    db::migrations::{Catalog, Migrator, RevertTarget},
};

#[tokio::test(flavor = "multi_thread")]
async fn healthz_answers_and_every_response_carries_a_request_id() {
    let app = TestApp::new().await;
    let res = app.get("/healthz", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["status"], "ok");
    let generated = res.header("x-request-id").expect("generated id");
    assert_eq!(generated.len(), 36, "a UUID: {generated}");

    let req = Request::get("/healthz")
        .header("x-request-id", "trace-me-123")
        .body(Body::empty())
        .expect("req");
    assert_eq!(
        app.send(req).await.header("x-request-id"),
        Some("trace-me-123")
    );

    let res = app.get("/no/such/route", None).await;
    assert!(res.header("x-request-id").is_some(), "errors carry it too");
}

#[tokio::test(flavor = "multi_thread")]
async fn readyz_is_ready_on_a_migrated_database_and_not_while_migrations_are_pending() {
    let app = TestApp::new().await;
    let res = app.get("/readyz", None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["status"], "ready");

    let empty = TestApp::with(TestDb::empty().await, |_| {}).await;
    let problem = empty
        .get("/readyz", None)
        .await
        .assert_problem(StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("8 migration(s) pending"),
        "{problem}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn readyz_follows_the_database_down_and_back_up_without_a_restart() {
    let db = TestDb::migrated().await;
    let proxy = ChaosProxy::start(server_addr()).await;
    let via_proxy = db
        .url
        .replacen(&server_addr(), &format!("127.0.0.1:{}", proxy.port), 1);
    assert_ne!(via_proxy, db.url, "the app talks through the proxy");
    let app = TestApp::with(db, |c| {
        c.database.url = fulfillment_ops::config::Secret::new(&via_proxy)
    })
    .await;

    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);

    proxy.cut();
    let res = wait_for(&app, "/readyz", StatusCode::SERVICE_UNAVAILABLE).await;
    let problem = res.assert_problem(StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("database"),
        "{problem}"
    );
    // A route that needs the database answers 503 too, never 500.
    app.admin_get("/admin/migrations")
        .await
        .assert_problem(StatusCode::SERVICE_UNAVAILABLE);

    proxy.restore();
    wait_for(&app, "/readyz", StatusCode::OK).await;
    assert_eq!(
        app.admin_get("/admin/migrations").await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_mode_stays_unready_until_a_migration_job_catches_up() {
    let db = TestDb::migrated().await;
    let catalog = Catalog::embedded();
    Migrator::new(&catalog, &db.url, "job")
        .revert(RevertTarget::Last)
        .await
        .expect("revert");
    let app = TestApp::with(db, |c| c.migrate_on_startup = MigrateMode::Verify).await;
    fulfillment_ops::migrate_on_startup(&app.state)
        .await
        .expect("verify applies nothing");
    let problem = app
        .get("/readyz", None)
        .await
        .assert_problem(StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("pending")
    );

    Migrator::new(&catalog, &app.db.url, "job")
        .run_pending()
        .await
        .expect("job");
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);

    app.db
        .execute(
            "UPDATE __migration_ledger SET checksum = 'edited' WHERE version = '20251215000002'",
        )
        .await;
    let problem = app
        .get("/readyz", None)
        .await
        .assert_problem(StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("differ"),
        "{problem}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_mode_at_startup_applies_what_is_pending() {
    let app = TestApp::with(TestDb::empty().await, |_| {}).await;
    assert_eq!(
        app.get("/readyz", None).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    fulfillment_ops::migrate_on_startup(&app.state)
        .await
        .expect("apply");
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn framework_errors_are_problem_json() {
    let app = TestApp::new().await;
    let problem = app
        .get("/no/such/route", None)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    assert_eq!(problem["title"], "Not Found");

    app.request(Method::DELETE, "/healthz", None, None)
        .await
        .assert_problem(StatusCode::METHOD_NOT_ALLOWED);

    let big = vec![b'x'; 2 * 1024 * 1024];
    let req = Request::post("/healthz")
        .header("content-type", "application/json")
        .header("content-length", big.len())
        .body(Body::from(big))
        .expect("req");
    app.send(req)
        .await
        .assert_problem(StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test(flavor = "multi_thread")]
async fn cors_allows_the_dashboard_origin_only() {
    let app = TestApp::new().await;
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/admin/migrations")
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .body(Body::empty())
            .expect("req")
    };
    let ok = app.send(preflight("https://dashboard.example.com")).await;
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("https://dashboard.example.com")
    );
    let other = app.send(preflight("https://evil.example.net")).await;
    assert_eq!(other.header("access-control-allow-origin"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_requests_by_route_template_and_status() {
    let app = TestApp::new().await;
    app.get("/healthz", None).await;
    app.get("/healthz", None).await;
    app.get("/admin/migrations", None).await;
    let res = app.get("/metrics", None).await;
    assert_eq!(res.status, StatusCode::OK);
    let text = res.text();
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/healthz",status="200"} 2"#),
        "{text}"
    );
    assert!(
        text.contains(
            r#"http_requests_total{method="GET",route="/admin/migrations",status="401"} 1"#
        )
    );
    assert!(text.contains("http_request_duration_seconds_bucket{"));
    assert!(text.contains("db_pool_connections{state=\"max\"} 4"));
}

async fn wait_for(app: &TestApp, path: &str, want: StatusCode) -> crate::common::TestResponse {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let res = app.get(path, None).await;
        if res.status == want || Instant::now() > deadline {
            assert_eq!(
                res.status,
                want,
                "{path} never answered {want}: {}",
                res.text()
            );
            return res;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn readiness_does_not_depend_on_a_free_pool_connection() {
    let app = TestApp::with(TestDb::migrated().await, |c| c.database.pool_size = 1).await;
    let held = app
        .state
        .pool
        .get()
        .await
        .expect("the only pooled connection");
    let res = app.get("/readyz", None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    drop(held);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_running_past_the_timeout_answers_503_problem() {
    let app = TestApp::with(TestDb::migrated().await, |c| {
        c.request_timeout = Duration::from_millis(300)
    })
    .await;
    // A body that never finishes arriving keeps the handler waiting.
    let never = futures_util::stream::pending::<Result<Vec<u8>, std::io::Error>>();
    let req = Request::post("/api/v1/auth/login")
        .header("content-type", "application/json")
        .body(Body::from_stream(never))
        .expect("req");
    let started = Instant::now();
    let problem = app
        .send(req)
        .await
        .assert_problem(StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("longer"),
        "{problem}"
    );
}
