//! The replica's cache of the page-load reads (issue 13), on two app instances sharing one
//! database as two replicas behind a load balancer do: what one replica writes (or SQL does)
//! is what the other answers within a second, also while its listener is down; a replica's
//! own write is read back there at once; a warm read sends no statement.

use std::time::{Duration, Instant};

use axum::{
    Router,
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use fulfillment_ops::{
    auth::principal::Role,
    auth::user_cache::GRACE,
    dashboards::{cache::Read, effective::starter},
};
use serde_json::{Value, json};

use super::{LAYOUTS, PREFERENCES, create_layout, id_of, save, two_widgets};
use crate::{
    auth_cache::{
        allow_connections, count_statements, listeners, listening, silence_listener, statements,
    },
    common::{Actor, Api, TestApp, TestDb, TestResponse},
    live::Replica,
};

const DASHBOARD: &str = "/api/v1/me/dashboard";
const WITHIN: Duration = Duration::from_secs(1);

async fn get(router: &Router, path: &str, actor: &Actor, headers: &[(&str, &str)]) -> TestResponse {
    let mut req =
        Request::get(path).header(header::AUTHORIZATION, format!("Bearer {}", actor.token));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    Api::on(router)
        .send(req.body(Body::empty()).expect("request"))
        .await
}

/// Reads `path` on `router` until its body satisfies `seen`; how long after `changed` that was.
async fn seen_after(
    router: &Router,
    path: &str,
    actor: &Actor,
    changed: Instant,
    seen: impl Fn(&Value) -> bool,
) -> Duration {
    loop {
        let res = get(router, path, actor, &[]).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        if seen(&res.json()) {
            return changed.elapsed();
        }
        assert!(
            changed.elapsed() < Duration::from_secs(5),
            "{path}: still {}",
            res.text()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Reads `path` on the replica until it caches the user's page (the first read loads it);
/// the body.
async fn warm(replica: &Replica, read: Read, path: &str, actor: &Actor) -> Value {
    let before = replica.state.pages.len(read);
    let mut body = Value::Null;
    for _ in 0..2 {
        let res = get(&replica.router, path, actor, &[]).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        body = res.json();
    }
    assert!(
        replica.state.pages.len(read) > before || before > 0,
        "the replica caches {path}"
    );
    body
}

/// Two replicas listening, and an operator.
async fn replicas() -> (TestApp, Replica, Actor) {
    let app = TestApp::new().await;
    let b = Replica::on(&app, "replica-b", |_| {});
    listening(&[&app.state, &b.state]).await;
    let user = app.operator().await;
    (app, b, user)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_layout_saved_or_default_switched_on_one_replica_is_what_the_other_draws_within_a_second()
{
    let (app, b, user) = replicas().await;
    let drawn = warm(&b, Read::Dashboard, DASHBOARD, &user).await;
    assert_eq!(drawn["source"], "role_default");
    // While B hears, its entry outlives the fallback TTL ...
    tokio::time::sleep(GRACE + Duration::from_millis(400)).await;
    assert_eq!(b.state.pages.len(Read::Dashboard), 1);

    // ... and yet a first layout saved through A is what B draws at once.
    let changed = Instant::now();
    let first = create_layout(&app, &user, "Mine", two_widgets()).await;
    let took = seen_after(&b.router, DASHBOARD, &user, changed, |d| {
        d["layout_id"] == first["id"]
    });
    assert!(took.await < WITHIN);

    // A new version of it.
    warm(&b, Read::Dashboard, DASHBOARD, &user).await;
    let changed = Instant::now();
    save(
        &app,
        &user,
        &id_of(&first),
        1,
        json!({"name": "Mine, v2", "widgets": two_widgets()}),
    )
    .await;
    let took = seen_after(&b.router, DASHBOARD, &user, changed, |d| {
        d["name"] == "Mine, v2"
    });
    assert!(took.await < WITHIN);

    // A second layout (the latest), then the first made the default.
    let second = create_layout(&app, &user, "Other", two_widgets()).await;
    let changed = Instant::now();
    let took = seen_after(&b.router, DASHBOARD, &user, changed, |d| {
        d["layout_id"] == second["id"]
    });
    assert!(took.await < WITHIN);
    warm(&b, Read::Dashboard, DASHBOARD, &user).await;
    let changed = Instant::now();
    let res = app
        .post(
            &format!("{LAYOUTS}/{}/default", id_of(&first)),
            &user,
            json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let took = seen_after(&b.router, DASHBOARD, &user, changed, |d| {
        d["source"] == "default" && d["layout_id"] == first["id"]
    });
    assert!(took.await < WITHIN);

    // Every layout deleted in SQL: the role's starter again ...
    warm(&b, Read::Dashboard, DASHBOARD, &user).await;
    let changed = Instant::now();
    app.db
        .execute(&format!(
            "DELETE FROM dashboard_layouts WHERE user_id = '{}'",
            user.id
        ))
        .await;
    let operators = starter(Role::Operator).name.clone();
    let took = seen_after(&b.router, DASHBOARD, &user, changed, |d| {
        d["name"] == operators
    });
    assert!(took.await < WITHIN);
    // ... and a role change draws the new role's.
    warm(&b, Read::Dashboard, DASHBOARD, &user).await;
    let changed = Instant::now();
    app.db
        .execute(&format!(
            "UPDATE users SET role = 'admin' WHERE id = '{}'",
            user.id
        ))
        .await;
    let admins = starter(Role::Admin).name.clone();
    let took = seen_after(&b.router, DASHBOARD, &user, changed, |d| {
        d["name"] == admins
    });
    assert!(took.await < WITHIN);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_preference_changed_on_one_replica_is_what_the_other_answers_within_a_second() {
    let (app, b, user) = replicas().await;
    let prefs = warm(&b, Read::Preferences, PREFERENCES, &user).await;
    assert_eq!(prefs["version"], 1);
    tokio::time::sleep(GRACE + Duration::from_millis(400)).await;
    assert_eq!(b.state.pages.len(Read::Preferences), 1);

    let changed = Instant::now();
    let res = app
        .patch(PREFERENCES, &user, json!({"color_scheme": "dark"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let took = seen_after(&b.router, PREFERENCES, &user, changed, |p| {
        p["color_scheme"] == "dark"
    });
    assert!(took.await < WITHIN);
    // The cached answer keeps the ETag rules: the old tag is a 200 with the new one, the new
    // one a 304.
    let res = get(&b.router, PREFERENCES, &user, &[("if-none-match", "\"1\"")]).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("etag"), Some("\"2\""));
    assert_eq!(res.header("cache-control"), Some("private, no-cache"));
    assert_eq!(res.header("content-type"), Some("application/json"));
    let res = get(&b.router, PREFERENCES, &user, &[("if-none-match", "\"2\"")]).await;
    assert_eq!(res.status, StatusCode::NOT_MODIFIED);
    assert_eq!(res.header("etag"), Some("\"2\""));

    // In SQL.
    warm(&b, Read::Preferences, PREFERENCES, &user).await;
    let changed = Instant::now();
    app.db
        .execute(&format!(
            "UPDATE user_preferences SET timezone = 'Europe/Berlin', version = version + 1 \
             WHERE user_id = '{}'",
            user.id
        ))
        .await;
    let took = seen_after(&b.router, PREFERENCES, &user, changed, |p| {
        p["timezone"] == "Europe/Berlin" && p["version"] == 3
    });
    assert!(took.await < WITHIN);
}

#[tokio::test(flavor = "multi_thread")]
async fn while_a_replicas_listener_is_down_it_reads_its_own_writes_at_once_and_others_within_a_second()
 {
    let (app, b, user) = replicas().await;
    warm(&b, Read::Dashboard, DASHBOARD, &user).await;
    warm(&b, Read::Preferences, PREFERENCES, &user).await;
    let sql = app.db.client().await;
    let admin = silence_listener(&app, "replica-b").await;
    let on_b = Api::on(&b.router);

    // B's own writes: no notification reaches B, and its next read answers them all the same.
    warm(&b, Read::Preferences, PREFERENCES, &user).await;
    let res = on_b
        .patch(PREFERENCES.into(), &user, json!({"compact_mode": true}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let res = get(&b.router, PREFERENCES, &user, &[]).await;
    assert_eq!(res.json()["compact_mode"], true, "B reads its own write");
    warm(&b, Read::Dashboard, DASHBOARD, &user).await;
    let res = on_b
        .post(
            LAYOUTS.into(),
            &user,
            json!({"name": "Written on B", "widgets": two_widgets()}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let res = get(&b.router, DASHBOARD, &user, &[]).await;
    assert_eq!(res.json()["name"], "Written on B", "B draws its own write");

    // A change elsewhere reaches B within the fallback TTL.
    warm(&b, Read::Dashboard, DASHBOARD, &user).await;
    let changed = Instant::now();
    sql.execute(
        "UPDATE dashboard_layouts SET name = 'Renamed' WHERE user_id = $1",
        &[&user.id],
    )
    .await
    .expect("rename");
    let took = seen_after(&b.router, DASHBOARD, &user, changed, |d| {
        d["name"] == "Renamed"
    });
    assert!(took.await < WITHIN);
    assert_eq!(
        listeners(&admin, &app, "replica-b").await,
        0,
        "B's listener was down all along"
    );
    allow_connections(&admin, &app).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_warm_page_load_sends_no_statement() {
    count_statements();
    let db = TestDb::migrated().await;
    let name = db.name.clone();
    let app = TestApp::with(db, |c| c.database.instance_id = name).await;
    let user = app.operator().await;
    create_layout(&app, &user, "Mine", two_widgets()).await;
    let res = app
        .patch(PREFERENCES, &user, json!({"color_scheme": "dark"}))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let db = app.db.name.clone();
    let reads = async |n: usize, path: &str| {
        let before = statements(&db);
        for _ in 0..n {
            let res = app
                .request(Method::GET, path, Some(&user.token), None)
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        }
        statements(&db) - before
    };
    // With no listener, nothing is cached: the user and the page are read every time.
    assert_eq!(reads(5, DASHBOARD).await, 10);
    assert_eq!(reads(5, PREFERENCES).await, 10);
    listening(&[&app.state]).await;
    assert_eq!(
        reads(1, DASHBOARD).await,
        2,
        "the first read loads the user and the layout"
    );
    assert_eq!(reads(1, PREFERENCES).await, 1, "then the preferences");
    assert_eq!(reads(20, DASHBOARD).await, 0, "then nothing");
    assert_eq!(reads(20, PREFERENCES).await, 0, "then nothing");
}
