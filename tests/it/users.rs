//! `/api/v1/users` (admin only) and `fulfillment-ops user create`.

use std::process::{Command, Stdio};

use crate::common::{TestApp, TestDb, assert_invalid_fields};
use axum::http::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_manages_users_and_passwords_never_come_back() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let acme = app.insert_client("Acme").await;
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"email": "Buyer@Acme.example", "name": "Buyer", "role": "client",
                   "client_id": acme, "password": "a long enough password"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let user = res.json();
    let id = user["id"].as_str().expect("id").to_owned();
    assert!(user.get("password").is_none() && user.get("password_hash").is_none());
    assert!(!res.text().contains("argon2"));
    assert_eq!(user["client_id"], acme.to_string());

    // The new user signs in.
    let login = |password: &'static str| {
        app.request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "buyer@acme.example", "password": password})),
        )
    };
    assert_eq!(login("a long enough password").await.status, StatusCode::OK);

    // Same email in another case: 409.
    let dup = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"email": "BUYER@acme.example", "name": "Again", "role": "operator",
                   "password": "another long password"}),
        )
        .await;
    dup.assert_problem(StatusCode::CONFLICT);

    let path = format!("/api/v1/users/{id}");
    let res = app
        .patch(
            &path,
            &admin,
            json!({"password": "a brand new password", "name": "Chief Buyer"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["name"], "Chief Buyer");
    login("a long enough password")
        .await
        .assert_problem(StatusCode::UNAUTHORIZED);
    assert_eq!(login("a brand new password").await.status, StatusCode::OK);

    assert_eq!(
        app.delete(&path, &admin).await.status,
        StatusCode::NO_CONTENT
    );
    app.get_as(&path, &admin)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_created_without_a_name_is_called_by_its_email_as_from_the_cli() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"email": "night.shift@ops.example", "role": "operator",
                   "password": "long enough password"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["name"], "night.shift");
}

#[tokio::test(flavor = "multi_thread")]
async fn users_must_be_valid_as_a_whole() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"email": "not-an-email", "name": "", "role": "client", "password": "short"}),
        )
        .await;
    assert_invalid_fields(&res, &["email", "name", "client_id", "password"]);
    let acme = app.insert_client("Acme").await;
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"email": "ops@x.example", "name": "Ops", "role": "operator", "client_id": acme,
                   "password": "long enough password"}),
        )
        .await;
    assert_invalid_fields(&res, &["client_id"]);
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"email": "c@x.example", "name": "C", "role": "client",
                   "client_id": uuid::Uuid::new_v4(), "password": "long enough password"}),
        )
        .await;
    assert_invalid_fields(&res, &["client_id"]);
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"email": "c@x.example", "name": "C", "role": "superuser", "password": "long enough password"}),
        )
        .await;
    assert_invalid_fields(&res, &["role"]);

    let operator = app.operator().await;
    let res = app
        .patch(
            &format!("/api/v1/users/{}", operator.id),
            &admin,
            json!({"role": "client"}),
        )
        .await;
    assert_invalid_fields(&res, &["client_id"]);
    app.delete(&format!("/api/v1/users/{}", admin.id), &admin)
        .await
        .assert_problem(StatusCode::CONFLICT);
    let res = app
        .patch(
            &format!("/api/v1/users/{}", admin.id),
            &admin,
            json!({"role": "operator"}),
        )
        .await;
    assert_invalid_fields(&res, &["role"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_admins_reach_users_and_lists_page_without_loss() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let operator = app.operator().await;
    let acme = app.insert_client("Acme").await;
    let client_user = app.client_user(acme).await;
    for actor in [&operator, &client_user] {
        app.get_as("/api/v1/users", actor)
            .await
            .assert_problem(StatusCode::FORBIDDEN);
        app.get_as(&format!("/api/v1/users/{}", admin.id), actor)
            .await
            .assert_problem(StatusCode::FORBIDDEN);
    }
    for _ in 0..5 {
        app.client_user(acme).await;
    }
    let (rows, pages) = app.collect_pages("/api/v1/users", &admin, 2).await;
    assert_eq!(rows.len(), 8);
    assert_eq!(pages, 4);
    let unique: std::collections::HashSet<_> = rows.iter().map(|r| r["id"].to_string()).collect();
    assert_eq!(unique.len(), 8);
    let (clients_only, _) = app
        .collect_pages(
            &format!("/api/v1/users?role=client&client_id={acme}"),
            &admin,
            50,
        )
        .await;
    assert_eq!(clients_only.len(), 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_admin_is_created_from_the_command_line() {
    let db = TestDb::migrated().await;
    let bin = env!("CARGO_BIN_EXE_fulfillment-ops");
    let create = |email: &str| {
        Command::new(bin)
            .env_clear()
            .current_dir(std::env::temp_dir())
            .env("DATABASE_URL", &db.url)
            .args([
                "user",
                "create",
                "--email",
                email,
                "--role",
                "admin",
                "--password-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let mut child = create("root@ops.example");
    std::io::Write::write_all(
        child.stdin.as_mut().expect("stdin"),
        b"the first admin's password\n",
    )
    .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(
        uuid::Uuid::parse_str(&id).is_ok(),
        "prints the new id: {id}"
    );

    let mut again = create("ROOT@ops.example");
    std::io::Write::write_all(
        again.stdin.as_mut().expect("stdin"),
        b"another long password\n",
    )
    .expect("write");
    let out = again.wait_with_output().expect("wait");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));

    let out = Command::new(bin)
        .env_clear()
        .current_dir(std::env::temp_dir())
        .env("DATABASE_URL", &db.url)
        .args([
            "user",
            "create",
            "--email",
            "c@x.example",
            "--role",
            "client",
            "--password",
            "long enough password",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--client-id"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The admin can sign in with that password.
    let app = TestApp::with(db, |_| {}).await;
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "root@ops.example", "password": "the first admin's password"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
}
