//! Failed sign-ins are throttled per (account, client address) and per address, in the
//! database (so every replica counts the same): over budget, 429 with `Retry-After` before
//! any password is checked; another address is never locked out by someone else's failures;
//! a correct password resets its count; a window that has ended starts over.

use crate::common::{TEST_PASSWORD, TestApp, TestDb, TestResponse};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode},
};
use serde_json::json;

async fn app_with(per_account: i32, per_address: i32) -> TestApp {
    TestApp::with(TestDb::migrated().await, |c| {
        c.sign_in.failures_per_account = per_account;
        c.sign_in.failures_per_address = per_address;
        c.sign_in.trust_forwarded_for = true;
    })
    .await
}

async fn login_from(app: &TestApp, address: &str, email: &str, password: &str) -> TestResponse {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header("content-type", "application/json")
        // A client may send its own entries; the load balancer appends the real one last.
        .header("x-forwarded-for", format!("203.0.113.250, {address}"))
        .body(Body::from(
            json!({"email": email, "password": password}).to_string(),
        ))
        .expect("request");
    app.send(req).await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_account_is_throttled_from_the_guessing_address_only() {
    let app = app_with(3, 100).await;
    let acme = app.insert_client("Acme").await;
    let user = app.client_user(acme).await;

    for _ in 0..3 {
        let res = login_from(&app, "198.51.100.7", &user.email, "wrong password!").await;
        res.assert_problem(StatusCode::UNAUTHORIZED);
    }
    // Over budget: refused before the password is checked, even the right one.
    let res = login_from(
        &app,
        "198.51.100.7",
        &user.email.to_uppercase(),
        TEST_PASSWORD,
    )
    .await;
    let problem = res.assert_problem(StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("try again")
    );

    // The real user, elsewhere, is not locked out by those failures.
    let res = login_from(&app, "192.0.2.10", &user.email, TEST_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());

    // Nothing identifying is stored in clear.
    let db = app.db.client().await;
    let clear: i64 = db
        .query_one(
            "SELECT count(*) FROM sign_in_throttle \
             WHERE encode(key, 'escape') LIKE '%' || $1 || '%' OR encode(key, 'escape') LIKE '%198.51%'",
            &[&user.email],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(clear, 0);

    // When the window has ended, the address may try again.
    db.batch_execute(
        "UPDATE sign_in_throttle SET window_started_at = now() - interval '16 minutes'",
    )
    .await
    .expect("age the window");
    let res = login_from(&app, "198.51.100.7", &user.email, TEST_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_correct_password_resets_the_count_and_one_address_has_a_budget_across_accounts() {
    let app = app_with(3, 5).await;
    let acme = app.insert_client("Acme").await;
    let user = app.client_user(acme).await;

    // Two failures, a success, two failures: never three in a row, never throttled.
    for round in 0..2 {
        for _ in 0..2 {
            login_from(&app, "198.51.100.8", &user.email, "wrong password!")
                .await
                .assert_problem(StatusCode::UNAUTHORIZED);
        }
        if round == 0 {
            let res = login_from(&app, "198.51.100.8", &user.email, TEST_PASSWORD).await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        }
    }
    // The address has failed 4 times (across resets); a 5th on any account uses its budget up.
    login_from(
        &app,
        "198.51.100.8",
        "nobody@acme.example",
        "wrong password!",
    )
    .await
    .assert_problem(StatusCode::UNAUTHORIZED);
    let res = login_from(
        &app,
        "198.51.100.8",
        "someone.else@acme.example",
        "whatever it is",
    )
    .await;
    res.assert_problem(StatusCode::TOO_MANY_REQUESTS);
    assert!(res.header("retry-after").is_some());
}
