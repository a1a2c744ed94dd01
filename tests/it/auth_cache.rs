//! The replica's cache of token users (issue 16 item 1), on two app instances sharing one
//! database as two replicas behind a load balancer do: a warm read sends the handler's
//! statement alone, and a token whose user was deleted, demoted, moved to another client or
//! given a new password is refused by every replica within a second, also while a replica's
//! listener is down.

use std::{
    collections::HashMap,
    sync::{Mutex, OnceLock},
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use diesel::connection::{Instrumentation, InstrumentationEvent, set_default_instrumentation};
use fulfillment_ops::{auth::user_cache::GRACE, http::state::AppState};
use serde_json::json;
use tower::ServiceExt;
use uuid::Uuid;

use crate::{
    common::{TestApp, TestDb, admin_client},
    live::Replica,
};

const WITHIN: Duration = Duration::from_secs(1);

async fn status(router: &Router, path: &str, token: &str) -> StatusCode {
    let req = Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    router
        .clone()
        .oneshot(req)
        .await
        .expect("infallible")
        .status()
}

/// Starts the replicas' listeners, as `serve` does, and waits until they listen.
pub async fn listening(states: &[&AppState]) {
    for state in states {
        state.live.start();
    }
    for state in states {
        assert!(state.live.ready(Duration::from_secs(10)).await);
    }
}

/// Reads `path` on `router` until it answers `refused` (it must answer 200 until then); how
/// long after `changed` that was.
async fn refused_after(
    router: &Router,
    path: &str,
    token: &str,
    refused: StatusCode,
    changed: Instant,
) -> Duration {
    loop {
        match status(router, path, token).await {
            s if s == refused => return changed.elapsed(),
            StatusCode::OK if changed.elapsed() < Duration::from_secs(5) => {}
            s => panic!("{path}: {s} after {:?}", changed.elapsed()),
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Reads `path` on the replica until its cache holds `user` (the first read loads it).
async fn warm(replica: &Replica, path: &str, user: Uuid, token: &str) {
    for _ in 0..2 {
        assert_eq!(status(&replica.router, path, token).await, StatusCode::OK);
    }
    assert!(
        replica.state.users.get(user, Instant::now()).is_some(),
        "the replica caches the token's user"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_replica_refuses_a_revoked_token_within_a_second() {
    let app = TestApp::new().await;
    let b = Replica::on(&app, "replica-b", |_| {});
    listening(&[&app.state, &b.state]).await;
    let admin = app.admin().await;
    let acme = app.insert_client("Acme").await;
    let globex = app.insert_client("Globex").await;
    let product = app.insert_product(acme, "A").await;
    let path = format!("/api/v1/clients/{acme}/products/{product}");

    // A new password, set through replica A's API.
    let user = app.signed_in("client", Some(acme)).await;
    warm(&b, &path, user.id, &user.token).await;
    // While B's listener hears, its entry outlives the fallback TTL ...
    tokio::time::sleep(GRACE + Duration::from_millis(400)).await;
    assert!(b.state.users.get(user.id, Instant::now()).is_some());
    let changed = Instant::now();
    let res = app
        .patch(
            &format!("/api/v1/users/{}", user.id),
            &admin,
            json!({"password": "a completely new password"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // ... and yet the old token stops working on B at once.
    let took = refused_after(
        &b.router,
        &path,
        &user.token,
        StatusCode::UNAUTHORIZED,
        changed,
    );
    assert!(took.await < WITHIN);

    // Moved to another client, in SQL.
    let moved = app.client_user(acme).await;
    warm(&b, &path, moved.id, &moved.token).await;
    let changed = Instant::now();
    app.db
        .execute(&format!(
            "UPDATE users SET client_id = '{globex}' WHERE id = '{}'",
            moved.id
        ))
        .await;
    let took = refused_after(
        &b.router,
        &path,
        &moved.token,
        StatusCode::NOT_FOUND,
        changed,
    );
    assert!(took.await < WITHIN);

    // An admin demoted to operator, through A's API: B's admin routes refuse it.
    let demoted = app.admin().await;
    warm(&b, "/api/v1/users", demoted.id, &demoted.token).await;
    let changed = Instant::now();
    let res = app
        .patch(
            &format!("/api/v1/users/{}", demoted.id),
            &admin,
            json!({"role": "operator"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let took = refused_after(
        &b.router,
        "/api/v1/users",
        &demoted.token,
        StatusCode::FORBIDDEN,
        changed,
    );
    assert!(took.await < WITHIN);

    // Deleted through A's API.
    let deleted = app.client_user(acme).await;
    warm(&b, &path, deleted.id, &deleted.token).await;
    let changed = Instant::now();
    let res = app
        .delete(&format!("/api/v1/users/{}", deleted.id), &admin)
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let took = refused_after(
        &b.router,
        &path,
        &deleted.token,
        StatusCode::UNAUTHORIZED,
        changed,
    );
    assert!(took.await < WITHIN);

    // A client deleted in SQL: B's staff, who knew it existed, get 404 for it (not an empty
    // list).
    let initech = app.insert_client("Initech").await;
    let list = format!("/api/v1/clients/{initech}/products");
    for _ in 0..2 {
        assert_eq!(status(&b.router, &list, &admin.token).await, StatusCode::OK);
    }
    assert!(b.state.users.client_exists(initech, Instant::now()));
    let changed = Instant::now();
    app.db
        .execute(&format!("DELETE FROM clients WHERE id = '{initech}'"))
        .await;
    let took = refused_after(
        &b.router,
        &list,
        &admin.token,
        StatusCode::NOT_FOUND,
        changed,
    );
    assert!(took.await < WITHIN);
}

#[tokio::test(flavor = "multi_thread")]
async fn while_a_replicas_listener_is_down_it_trusts_its_cache_for_under_a_second() {
    let app = TestApp::new().await;
    let b = Replica::on(&app, "replica-b", |_| {});
    listening(&[&app.state, &b.state]).await;
    let acme = app.insert_client("Acme").await;
    let product = app.insert_product(acme, "A").await;
    let path = format!("/api/v1/clients/{acme}/products/{product}");
    let user = app.client_user(acme).await;
    warm(&b, &path, user.id, &user.token).await;

    // B's listener loses its connection and cannot reconnect (the database refuses new
    // connections; the connections already open stay).
    let sql = app.db.client().await;
    let admin = silence_listener(&app, "replica-b").await;

    // The deletion's notification reaches nobody on B ...
    let changed = Instant::now();
    sql.execute("DELETE FROM users WHERE id = $1", &[&user.id])
        .await
        .expect("delete");
    // ... and the token still stops working there within the second.
    let took = refused_after(
        &b.router,
        &path,
        &user.token,
        StatusCode::UNAUTHORIZED,
        changed,
    );
    assert!(took.await < WITHIN);
    assert_eq!(
        listeners(&admin, &app, "replica-b").await,
        0,
        "B's listener was down all along"
    );
    allow_connections(&admin, &app).await;
}

/// Ends the listener of the replica named `instance` and keeps it from reconnecting: the
/// database refuses new connections (those already open, the pools', stay) until
/// [`allow_connections`]. Answers the administrative connection that did it.
pub async fn silence_listener(app: &TestApp, instance: &str) -> tokio_postgres::Client {
    let admin = admin_client().await;
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {} ALLOW_CONNECTIONS false",
            app.db.name
        ))
        .await
        .expect("refuse connections");
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 \
             AND application_name = $2",
            &[&app.db.name, &format!("fulfillment-ops/listen/{instance}")],
        )
        .await
        .expect("terminate the listener");
    for _ in 0..200 {
        if listeners(&admin, app, instance).await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    admin
}

/// The listening connections of the replica named `instance`.
pub async fn listeners(admin: &tokio_postgres::Client, app: &TestApp, instance: &str) -> i64 {
    admin
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2",
            &[&app.db.name, &format!("fulfillment-ops/listen/{instance}")],
        )
        .await
        .expect("count")
        .get(0)
}

pub async fn allow_connections(admin: &tokio_postgres::Client, app: &TestApp) {
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {} ALLOW_CONNECTIONS true",
            app.db.name
        ))
        .await
        .expect("allow connections");
}

/// Statements sent by the app's Diesel connections, per database (tests run side by side, each
/// on a database of its own).
pub fn statements(database: &str) -> usize {
    STATEMENTS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap()
        .get(database)
        .copied()
        .unwrap_or(0)
}

static STATEMENTS: OnceLock<Mutex<HashMap<String, usize>>> = OnceLock::new();

/// Counts `StartQuery` events of every connection opened from now on in this process.
pub fn count_statements() {
    struct Counter(Option<String>);
    impl Instrumentation for Counter {
        fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
            match event {
                InstrumentationEvent::StartEstablishConnection { url, .. } => {
                    let path = url.split('?').next().unwrap_or(url);
                    self.0 = path.rsplit('/').next().map(str::to_owned);
                }
                InstrumentationEvent::StartQuery { query, .. } => {
                    // A pooled connection is opened from a tokio-postgres client (no
                    // establish event): it names itself in its setup's application_name,
                    // which carries the instance id, set to the database's name below.
                    if self.0.is_none() {
                        let text = query.to_string();
                        if let Some(rest) = text.split("application_name = '").nth(1) {
                            let name = rest.split('\'').next().unwrap_or_default();
                            self.0 = name.rsplit('/').next().map(str::to_owned);
                        }
                    }
                    if let Some(db) = &self.0 {
                        let mut all = STATEMENTS.get_or_init(Mutex::default).lock().unwrap();
                        *all.entry(db.clone()).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
    }
    fn counter() -> Option<Box<dyn Instrumentation>> {
        Some(Box::new(Counter(None)))
    }
    set_default_instrumentation(counter).expect("instrumentation");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_warm_read_sends_the_handlers_statement_alone() {
    count_statements();
    let db = TestDb::migrated().await;
    let name = db.name.clone();
    let app = TestApp::with(db, |c| c.database.instance_id = name).await;
    let (acme, user) = app.client_with_user("Acme").await;
    let product = app.insert_product(acme, "A").await;
    let path = format!("/api/v1/clients/{acme}/products/{product}");
    let db = app.db.name.clone();
    let admin = app.admin().await;
    let reads = async |n: usize, token: &str| {
        let before = statements(&db);
        for _ in 0..n {
            assert_eq!(status(&app.router, &path, token).await, StatusCode::OK);
        }
        statements(&db) - before
    };
    reads(1, &user.token).await; // opens the pool's connection
    // With no listener, nothing is cached: the user is read with every request (and, for
    // staff, whether the client exists).
    assert_eq!(reads(5, &user.token).await, 10);
    assert_eq!(reads(5, &admin.token).await, 15);
    listening(&[&app.state]).await;
    assert_eq!(
        reads(1, &user.token).await,
        2,
        "the first read loads the user"
    );
    assert_eq!(
        reads(20, &user.token).await,
        20,
        "then one statement per read"
    );
    assert_eq!(reads(1, &admin.token).await, 3, "user, client, product");
    assert_eq!(reads(20, &admin.token).await, 20, "also for staff");
}
