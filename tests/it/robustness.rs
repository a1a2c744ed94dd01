//! Hostile or odd input gets a 4xx problem, never a 500 (found in review; kept as regressions).

use crate::common::{TestApp, assert_invalid_fields, concurrently};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode},
};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn nul_characters_are_refused_not_500() {
    let app = TestApp::new().await;
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "a\u{0000}b@x.test", "password": "whatever it is"})),
        )
        .await;
    res.assert_problem(StatusCode::BAD_REQUEST);

    let admin = app.admin().await;
    let res = app
        .post(
            "/api/v1/clients",
            &admin,
            json!({"name": "Acme\u{0000}", "industry": "a\u{0000}"}),
        )
        .await;
    assert_invalid_fields(&res, &["name", "industry"]);

    let acme = app.insert_client("Acme").await;
    app.get_as(&format!("/api/v1/clients/{acme}/products?q=%00"), &admin)
        .await
        .assert_problem(StatusCode::BAD_REQUEST);
    app.get_as("/api/v1/clients?industry=%00", &admin)
        .await
        .assert_problem(StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread")]
async fn dates_beyond_what_postgresql_stores_are_a_422() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let user = app.client_user(acme).await;
    let res = app
        .get_as(
            &format!("/api/v1/clients/{acme}/order-requests?from=-200000-01-01"),
            &user,
        )
        .await;
    res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread")]
async fn invented_methods_do_not_grow_the_metrics() {
    let app = TestApp::new().await;
    for m in ["FOO", "BAR", "BAZ"] {
        let req = Request::builder()
            .method(Method::from_bytes(m.as_bytes()).expect("method"))
            .uri("/healthz")
            .body(Body::empty())
            .expect("req");
        app.send(req).await;
    }
    let text = app.get("/metrics", None).await.text();
    assert!(!text.contains("FOO") && !text.contains("BAZ"), "{text}");
    assert!(
        text.contains(r#"method="other",route="/healthz",status="405"} 3"#),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_chunked_body_is_a_413() {
    let app = TestApp::new().await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..40).map(|_| Ok(vec![b' '; 64 * 1024])).collect();
    let req = Request::post("/api/v1/auth/login")
        .header("content-type", "application/json")
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .expect("req");
    app.send(req)
        .await
        .assert_problem(StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_patches_of_different_fields_both_land() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let user = app.operator().await;
    let id = app.insert_product(acme, "SKU-1").await;
    let path = format!("/api/v1/clients/{acme}/products/{id}");
    for round in 0..10 {
        let name = format!("name {round}");
        let api = app.api();
        let statuses: Vec<StatusCode> = concurrently([
            api.patch(path.clone(), &user, json!({"name": name})),
            api.patch(path.clone(), &user, json!({"current_stock": round})),
        ])
        .await
        .iter()
        .map(|r| r.status)
        .collect();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::OK]);
        let now = app.get_as(&path, &user).await.json();
        assert_eq!(now["name"], name, "round {round}");
        assert_eq!(now["current_stock"], round, "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn null_on_a_field_that_cannot_be_cleared_is_a_422() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let admin = app.admin().await;
    let id = app.insert_product(acme, "SKU-1").await;
    let res = app
        .patch(
            &format!("/api/v1/clients/{acme}/products/{id}"),
            &admin,
            json!({"sku": null}),
        )
        .await;
    assert_invalid_fields(&res, &["sku"]);
    let res = app
        .patch(
            &format!("/api/v1/clients/{acme}"),
            &admin,
            json!({"name": null}),
        )
        .await;
    assert_invalid_fields(&res, &["name"]);
    let other = app.operator().await;
    let res = app
        .patch(
            &format!("/api/v1/users/{}", other.id),
            &admin,
            json!({"role": null}),
        )
        .await;
    assert_invalid_fields(&res, &["role"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_id_that_is_too_long_or_odd_is_replaced_not_echoed() {
    let app = TestApp::new().await;
    let echoed = |id: String| {
        let req = Request::get("/healthz")
            .header("x-request-id", id)
            .body(Body::empty())
            .expect("req");
        async {
            app.send(req)
                .await
                .header("x-request-id")
                .map(str::to_owned)
        }
    };
    let kept = "0af7651916cd43dd8448eb211c80319c-b7ad6b71-01";
    assert_eq!(echoed(kept.to_owned()).await.as_deref(), Some(kept));
    for unfit in [
        "a".repeat(100_000),
        "two words".to_owned(),
        "<script>".to_owned(),
    ] {
        let got = echoed(unfit.clone()).await.expect("an id");
        assert_ne!(got, unfit);
        assert!(uuid::Uuid::parse_str(&got).is_ok(), "a generated id: {got}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_period_in_year_zero_is_a_422_and_writes_nothing() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    app.insert_product(acme, "A-1").await;
    let user = app.client_user(acme).await;
    for period in ["0000-01", "0001-12", "1999-12"] {
        let res = app
            .post(
                &format!("/api/v1/clients/{acme}/cost-tracking/aggregate"),
                &user,
                json!({ "period": period }),
            )
            .await;
        assert_invalid_fields(&res, &["period"]);
    }
    let rows: i64 = app
        .db
        .client()
        .await
        .query_one("SELECT count(*) FROM cost_tracking", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(rows, 0);
}

/// A restart, a failover or `pg_terminate_backend` kills the pool's connections under it,
/// here five times while eight workers read and write: no request answers 500; a write that
/// met a dead connection answers 503 with `Retry-After` (a read is run again on a fresh
/// connection first, see `http::conn`); every acknowledged write is there; and the service
/// recovers by itself.
#[tokio::test(flavor = "multi_thread")]
async fn terminated_database_connections_under_load_answer_no_500_then_recover() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let user = app.client_user(acme).await;
    let path = format!("/api/v1/clients/{acme}/products");
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (api, user, path, stop) = (app.api(), user.clone(), path.clone(), stop.clone());
            tokio::spawn(async move {
                let (mut statuses, mut written) = (Vec::new(), Vec::new());
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    i += 1;
                    let res = if w % 2 == 0 {
                        let token = Some(user.token.clone());
                        api.clone()
                            .call(Method::GET, path.clone(), token, None)
                            .await
                    } else {
                        let sku = format!("W{w}-{i}");
                        let res = api
                            .post(path.clone(), &user, json!({"sku": sku, "name": "T-shirt"}))
                            .await;
                        if res.status == StatusCode::CREATED {
                            written.push(sku);
                        }
                        res
                    };
                    if res.status == StatusCode::SERVICE_UNAVAILABLE {
                        assert_eq!(res.header("retry-after"), Some("1"));
                        res.assert_problem(StatusCode::SERVICE_UNAVAILABLE);
                    }
                    assert_ne!(
                        res.status,
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "{}",
                        res.text()
                    );
                    statuses.push((w % 2 == 0, res.status));
                }
                (statuses, written)
            })
        })
        .collect();

    let db = app.db.client().await;
    let mut killed = 0;
    for _ in 0..5 {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        killed += db
            .query_one(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid() \
                   AND application_name LIKE 'fulfillment-ops/pool/%'",
                &[],
            )
            .await
            .expect("terminate")
            .get::<_, i64>(0);
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    let (mut statuses, mut written) = (Vec::new(), Vec::new());
    for w in workers {
        let (s, wr) = w.await.expect("a worker panicked");
        statuses.extend(s);
        written.extend(wr);
    }
    assert!(killed >= 5, "the pool had connections to kill ({killed})");
    let count = |read: bool, status: StatusCode| {
        statuses
            .iter()
            .filter(|(r, s)| *r == read && *s == status)
            .count()
    };
    eprintln!(
        "{killed} backends terminated under {} requests: reads {} ok / {} 503, writes {} created / {} 503",
        statuses.len(),
        count(true, StatusCode::OK),
        count(true, StatusCode::SERVICE_UNAVAILABLE),
        count(false, StatusCode::CREATED),
        count(false, StatusCode::SERVICE_UNAVAILABLE),
    );
    let stored: i64 = db
        .query_one(
            "SELECT count(*) FROM products WHERE sku = ANY($1)",
            &[&written],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(
        stored as usize,
        written.len(),
        "every acknowledged write is stored"
    );
    let res = app.get_as(&path, &user).await;
    assert_eq!(res.status, StatusCode::OK, "recovered: {}", res.text());
}
