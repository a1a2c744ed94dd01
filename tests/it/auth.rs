//! Sign-in, tokens and roles.

use std::time::{Duration, Instant};

use crate::common::{JWT_SECRET, TEST_PASSWORD, TestApp};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode},
};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use fulfillment_ops::{auth::token, db::schema::users};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn login_returns_an_expiring_token_that_names_the_user() {
    let app = TestApp::new().await;
    let client = app.insert_client("Acme").await;
    let user = app.client_user(client).await;
    let res = app.login(&user.email.to_uppercase(), TEST_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let access = body["access_token"].as_str().expect("token");
    let claims = token::verify(JWT_SECRET.as_bytes(), access).expect("signed with JWT_SECRET");
    assert_eq!(claims.sub, user.id);

    let me = app.get("/api/v1/me", Some(access)).await;
    assert_eq!(me.status, StatusCode::OK);
    let me = me.json();
    assert_eq!(me["id"], user.id.to_string());
    assert_eq!(me["email"], user.email);
    assert_eq!(me["role"], "client");
    assert_eq!(me["client_id"], client.to_string());
    assert!(me.get("password_hash").is_none() && me.get("password").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_email_and_a_wrong_password_get_the_same_answer_in_about_the_same_time() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    // Interleaved, and the fastest of each kept: other tests hashing in parallel slow both
    // kinds alike, and the minimum is what the work itself costs.
    let attempts = [
        (user.email.as_str(), "not the password at all"),
        ("nobody@example.com", TEST_PASSWORD),
    ];
    let mut timings = [Duration::MAX; 2];
    let mut bodies = Vec::new();
    for _ in 0..5 {
        for (k, (email, password)) in attempts.iter().enumerate() {
            let started = Instant::now();
            let res = app.login(email, password).await;
            timings[k] = timings[k].min(started.elapsed());
            let problem = res.assert_problem(StatusCode::UNAUTHORIZED);
            bodies.push(problem["detail"].clone());
        }
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "same detail: {bodies:?}"
    );
    let ratio = timings[1].as_secs_f64() / timings[0].as_secs_f64();
    assert!(
        (0.5..2.0).contains(&ratio),
        "an unknown email costs an Argon2 verification too: {timings:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_forged_or_orphaned_tokens_are_refused() {
    let app = TestApp::new().await;
    let user = app.admin().await;
    let fp = crate::common::test_password_fingerprint();
    let expired = token::issue(JWT_SECRET.as_bytes(), user.id, &fp, -10);
    let problem = app
        .get("/api/v1/me", Some(&expired))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("expired")
    );

    let forged = token::issue(b"some-other-secret-some-other-secret", user.id, &fp, 3600);
    app.get("/api/v1/me", Some(&forged))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED);

    let mut tampered = user.token.clone();
    tampered.pop();
    tampered.push(if user.token.ends_with('A') { 'B' } else { 'A' });
    app.get("/api/v1/me", Some(&tampered))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED);

    app.get("/api/v1/me", None)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED);

    diesel::delete(users::table.find(user.id))
        .execute(&mut app.conn().await)
        .await
        .expect("delete the user");
    let problem = app
        .get("/api/v1/me", Some(&user.token))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("no longer exists")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn login_rejects_bad_input_with_problems() {
    let app = TestApp::new().await;
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "a@b.co"})),
        )
        .await;
    crate::common::assert_invalid_fields(&res, &["password"]);

    let req = Request::post("/api/v1/auth/login")
        .header("content-type", "application/json")
        .body(Body::from("{\"email\": "))
        .expect("req");
    let problem = app.send(req).await.assert_problem(StatusCode::BAD_REQUEST);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("malformed JSON")
    );

    let req = Request::post("/api/v1/auth/login")
        .header("content-type", "text/plain")
        .body(Body::from("email=a"))
        .expect("req");
    app.send(req)
        .await
        .assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": 42, "password": "x"})),
        )
        .await;
    crate::common::assert_invalid_fields(&res, &["email"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_routes_take_an_admin_users_token_and_refuse_other_roles() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    assert_eq!(
        app.get_as("/admin/migrations", &admin).await.status,
        StatusCode::OK
    );
    let operator = app.operator().await;
    app.get_as("/admin/migrations", &operator)
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    let client = app.insert_client("Acme").await;
    let client_user = app.client_user(client).await;
    app.get_as("/admin/migrations", &client_user)
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    app.get("/admin/migrations", Some("garbage.token.here"))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn changing_a_password_revokes_the_tokens_issued_before() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    // Signed in through the API, as a dashboard would.
    let user = app.signed_in("operator", None).await;
    let old_token = user.token.clone();
    assert_eq!(
        app.get("/api/v1/me", Some(&old_token)).await.status,
        StatusCode::OK
    );
    let res = app
        .patch(
            &format!("/api/v1/users/{}", user.id),
            &admin,
            json!({"password": "a completely new password"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let problem = app
        .get("/api/v1/me", Some(&old_token))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("sign in again")
    );
    let fresh = app
        .login_token(&user.email, "a completely new password")
        .await;
    assert_eq!(
        app.get("/api/v1/me", Some(&fresh)).await.status,
        StatusCode::OK
    );
}
