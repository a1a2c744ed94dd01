//! `GET /admin/migrations` through the real router: protection, every state, read-only.

use crate::common::{ADMIN_TOKEN, TestApp, TestDb};
use axum::http::StatusCode;
use fulfillment_ops::db::migrations::{Catalog, Migrator, RevertTarget};
use serde_json::Value;

fn state_of<'a>(body: &'a Value, version: &str) -> &'a str {
    body["migrations"]
        .as_array()
        .expect("migrations")
        .iter()
        .find(|m| m["version"] == version)
        .and_then(|m| m["state"].as_str())
        .unwrap_or_else(|| panic!("{version} not listed in {body}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_the_six_migrations_applied_with_a_summary() {
    let app = TestApp::new().await;
    let res = app.admin_get("/admin/migrations").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let body = res.json();
    let migrations = body["migrations"].as_array().expect("array");
    assert_eq!(migrations.len(), 8);
    for m in migrations {
        assert_eq!(m["state"], "applied", "{m}");
        assert!(m["applied_at"].is_string(), "{m}");
        assert_eq!(m["checksum"].as_str().map(str::len), Some(64), "{m}");
        assert!(m["duration_ms"].is_i64(), "{m}");
    }
    assert_eq!(
        migrations[1]["name"],
        "20251215000001_add_financial_tracking"
    );
    let summary = &body["summary"];
    assert_eq!(summary["current_version"], "20251217000001");
    assert_eq!(summary["latest_version"], "20251217000001");
    assert_eq!(summary["pending_count"], 0);
    assert_eq!(summary["up_to_date"], true);
    assert_eq!(body["lock"]["held"], false);
    assert_eq!(body["instance"]["id"], "test-instance");
    assert!(body["instance"]["version"].is_string() && body["instance"]["started_at"].is_string());

    let text = res.text();
    assert!(
        !text.contains("postgres://") && !text.contains(&app.db.name),
        "no URL leaks"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refuses_callers_without_the_admin_token() {
    let app = TestApp::new().await;
    let res = app.get("/admin/migrations", None).await;
    let problem = res.assert_problem(StatusCode::UNAUTHORIZED);
    assert_eq!(res.header("www-authenticate"), Some("Bearer"));
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("Bearer")
    );

    let res = app
        .get("/admin/migrations", Some("not-the-admin-token"))
        .await;
    res.assert_problem(StatusCode::UNAUTHORIZED);
    let res = app
        .get(
            "/admin/migrations",
            Some(&ADMIN_TOKEN[..ADMIN_TOKEN.len() - 1]),
        )
        .await;
    res.assert_problem(StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_configured_token_nobody_gets_in() {
    let app = TestApp::with(TestDb::migrated().await, |c| c.admin_token = None).await;
    app.admin_get("/admin/migrations")
        .await
        .assert_problem(StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn shows_a_reverted_migration_as_pending() {
    let app = TestApp::new().await;
    let catalog = Catalog::embedded();
    Migrator::new(&catalog, &app.db.url, "t")
        .revert(RevertTarget::Last)
        .await
        .expect("revert");
    let body = app.admin_get("/admin/migrations").await.json();
    assert_eq!(state_of(&body, "20251217000001"), "pending");
    assert_eq!(state_of(&body, "20251216000001"), "applied");
    assert_eq!(body["summary"]["pending_count"], 1);
    assert_eq!(body["summary"]["current_version"], "20251216000001");
    assert_eq!(body["summary"]["up_to_date"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn shows_drift_as_modified_and_foreign_versions_as_unknown() {
    let app = TestApp::new().await;
    app.db
        .execute(
            "UPDATE __migration_ledger SET checksum = repeat('0', 64) WHERE version = '20251215000003';
             INSERT INTO __diesel_schema_migrations (version) VALUES ('20991231000000');",
        )
        .await;
    let body = app.admin_get("/admin/migrations").await.json();
    assert_eq!(state_of(&body, "20251215000003"), "modified");
    assert_eq!(state_of(&body, "20991231000000"), "unknown");
    let unknown = body["migrations"]
        .as_array()
        .and_then(|m| m.last())
        .expect("last");
    assert_eq!(unknown["version"], "20991231000000", "sorted by version");
    assert!(unknown["name"].is_null(), "no ledger entry names it");
    assert_eq!(body["summary"]["modified_count"], 1);
    assert_eq!(body["summary"]["unknown_count"], 1);
    assert_eq!(body["summary"]["current_version"], "20991231000000");
    assert_eq!(body["summary"]["up_to_date"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn on_an_empty_database_reports_all_pending_and_creates_nothing() {
    let app = TestApp::with(TestDb::empty().await, |_| {}).await;
    let body = app.admin_get("/admin/migrations").await.json();
    assert_eq!(body["summary"]["pending_count"], 8);
    assert!(body["summary"]["current_version"].is_null());
    let row = app
        .db
        .client()
        .await
        .query_one(
            "SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public'",
            &[],
        )
        .await
        .expect("count");
    assert_eq!(row.get::<_, i64>("n"), 0, "the route is read-only");
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_who_holds_the_migration_lock() {
    let app = TestApp::new().await;
    let holder = app.db.client().await;
    holder
        .batch_execute(
            "SET application_name = 'replica-b-migrating'; \
             SELECT pg_advisory_lock(1179603027, 1);",
        )
        .await
        .expect("lock");
    let body = app.admin_get("/admin/migrations").await.json();
    assert_eq!(body["lock"]["held"], true, "{body}");
    assert_eq!(
        body["lock"]["holder"]["application_name"],
        "replica-b-migrating"
    );
    assert!(body["lock"]["holder"]["pid"].is_i64());
}
