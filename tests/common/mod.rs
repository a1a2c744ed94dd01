//! The integration-test harness: real PostgreSQL, one fresh database per test.
//!
//! `TEST_DATABASE_URL` (set by `scripts/test.sh`; default
//! `postgres://postgres@127.0.0.1:5432/postgres`) names a server and a role allowed to create
//! databases. The first test to need it builds a template database with every embedded
//! migration applied, named after the migrations' checksums (so a changed migration builds a
//! new template); each test then clones it with `CREATE DATABASE … TEMPLATE`, which takes
//! milliseconds, and drops its clone when it ends. Tests therefore run in parallel, in threads
//! or processes, without seeing each other's rows.
//!
//! Beside the database and the app in process:
//! - [`builders`]: typed fixtures written with Diesel (`app.insert(NewProduct::new(..))`),
//! - [`api`]: the API as tests call it, feature by feature (`app.create_budget(..)`),
//! - [`concurrently`]: N futures released at the same moment, their outputs in order,
//! - [`snapshot`]: `insta` snapshots of response shapes, ids and instants redacted.

#![allow(dead_code)]

pub mod api;
pub mod builders;
pub mod proxy;
pub mod snapshot;

use std::{sync::OnceLock, time::Duration};

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Method, Request, StatusCode, header},
};
use builders::{Fixture, NewClient, NewOrder, NewProduct, NewUser};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use fulfillment_ops::{
    config::{Config, DatabaseConfig, MigrateMode, Secret},
    db::migrations::{Catalog, EMBEDDED_CHECKSUMS, Migrator},
    http::state::AppState,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";
pub const JWT_SECRET: &str = "test-jwt-secret-0123456789-0123456789-abcdef";

/// The maintenance URL of the test server.
pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The same server and credentials, another database.
pub fn url_for_db(db: &str) -> String {
    let url = admin_url();
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b.to_owned(), format!("?{q}")),
        None => (url.clone(), String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| i + scheme_end);
    format!("{}/{db}{query}", &base[..path_start])
}

/// `host:port` of the test server, for proxies.
pub fn server_addr() -> String {
    let url = admin_url();
    let rest = &url[url.find("://").map_or(0, |i| i + 3)..];
    let authority = rest.split('/').next().unwrap_or(rest);
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:5432")
    }
}

pub async fn admin_client() -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(&admin_url(), tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "cannot reach the test PostgreSQL at TEST_DATABASE_URL ({e}); run scripts/test.sh"
            )
        });
    tokio::spawn(conn);
    client
}

fn template_name() -> String {
    let mut h = Sha256::new();
    for (v, n, c) in EMBEDDED_CHECKSUMS {
        h.update(format!("{v}{n}{c}"));
    }
    format!("fo_tpl_{}", &hex::encode(h.finalize())[..16])
}

static TEMPLATE: OnceLock<String> = OnceLock::new();

/// Builds the migrated template once per server and migration set (safe across processes).
async fn template() -> String {
    if let Some(t) = TEMPLATE.get() {
        return t.clone();
    }
    let name = template_name();
    let client = admin_client().await;
    client
        .execute(
            "SELECT pg_advisory_lock(hashtext('fulfillment-ops test template'))",
            &[],
        )
        .await
        .expect("template lock");
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .expect("look up template")
        .is_some();
    if !exists {
        let building = format!("{name}_building");
        // One statement per call: DROP/CREATE DATABASE refuse to run in a transaction block.
        for sql in [
            format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"),
            format!("CREATE DATABASE {building}"),
        ] {
            client.batch_execute(&sql).await.expect("create template");
        }
        let catalog = Catalog::embedded();
        Migrator::new(&catalog, &url_for_db(&building), "test-template")
            .run_pending()
            .await
            .expect("migrate template");
        for sql in [
            format!("ALTER DATABASE {building} RENAME TO {name}"),
            format!("ALTER DATABASE {name} WITH IS_TEMPLATE true"),
        ] {
            client.batch_execute(&sql).await.expect("publish template");
        }
    }
    client
        .execute(
            "SELECT pg_advisory_unlock(hashtext('fulfillment-ops test template'))",
            &[],
        )
        .await
        .expect("template unlock");
    let _ = TEMPLATE.set(name.clone());
    name
}

/// A database of its own for one test, dropped when the value is.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    /// A database with nothing in it (no migrations applied).
    pub async fn empty() -> Self {
        Self::create(None).await
    }

    /// A database with every embedded migration applied.
    pub async fn migrated() -> Self {
        let template = template().await;
        Self::create(Some(&template)).await
    }

    async fn create(template: Option<&str>) -> Self {
        let name = format!("fo_test_{}", uuid::Uuid::new_v4().simple());
        let client = admin_client().await;
        let sql = match template {
            Some(t) => format!("CREATE DATABASE {name} TEMPLATE {t}"),
            None => format!("CREATE DATABASE {name}"),
        };
        // Two tests cloning the template at the same instant can collide ("source database
        // is being accessed by other users"); retry briefly.
        let mut attempt = 0;
        loop {
            match client.batch_execute(&sql).await {
                Ok(()) => break,
                Err(e) if attempt < 50 => {
                    attempt += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("create test database: {e}"),
            }
        }
        let url = url_for_db(&name);
        Self { name, url }
    }

    pub async fn client(&self) -> tokio_postgres::Client {
        let (client, conn) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .expect("connect to test database");
        tokio::spawn(conn);
        client
    }

    pub async fn diesel(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.url)
            .await
            .expect("connect to test database")
    }

    pub async fn execute(&self, sql: &str) {
        self.client()
            .await
            .batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// `pg_dump --schema-only`, without the lines that differ between two dumps of the same
    /// schema (comments with versions, `\restrict` keys).
    pub fn schema_dump(&self) -> String {
        let pg_dump = std::env::var("PG_DUMP").unwrap_or_else(|_| "pg_dump".to_owned());
        let out = std::process::Command::new(&pg_dump)
            .args([
                "--schema-only",
                "--no-owner",
                "--no-privileges",
                "-d",
                &self.url,
            ])
            .output()
            .unwrap_or_else(|e| panic!("run {pg_dump} (install postgresql-client): {e}"));
        assert!(
            out.status.success(),
            "pg_dump failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| {
                !l.starts_with("--")
                    && !l.starts_with("\\restrict")
                    && !l.starts_with("\\unrestrict")
            })
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside (or outside) a runtime: do the async work on a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                if let Ok((client, conn)) =
                    tokio_postgres::connect(&admin_url(), tokio_postgres::NoTls).await
                {
                    tokio::spawn(conn);
                    let _ = client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}

pub fn test_config(database_url: &str) -> Config {
    Config {
        database: DatabaseConfig {
            url: Secret::new(database_url),
            pool_size: 4,
            statement_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(2),
            stall_timeout: Duration::from_secs(3),
            migration_lock_timeout: Duration::from_secs(60),
            instance_id: "test-instance".to_owned(),
        },
        listen_addr: "127.0.0.1:0".parse().expect("addr"),
        admin_token: Some(Secret::new(ADMIN_TOKEN)),
        jwt_secret: Secret::new(JWT_SECRET),
        jwt_ttl: Duration::from_secs(3600),
        sign_in: Default::default(),
        migrate_on_startup: MigrateMode::Apply,
        request_timeout: Duration::from_secs(10),
        header_read_timeout: Duration::from_secs(10),
        max_connections: 1000,
        shutdown_drain: Duration::ZERO,
        body_limit_bytes: 1024 * 1024,
        cors_allowed_origins: vec!["https://dashboard.example.com".to_owned()],
        budget_tolerance_percent: bigdecimal::BigDecimal::from(5),
        lead_time_demand_window_days: 90,
        benchmark_dominance_percent: bigdecimal::BigDecimal::from(50),
        shipments: Default::default(),
        live: Default::default(),
        jobs: Default::default(),
    }
}

/// The application in process, on its own database, answering through the real router.
pub struct TestApp {
    pub db: TestDb,
    pub state: AppState,
    pub router: Router,
}

impl TestApp {
    /// On a migrated database with the default test configuration.
    pub async fn new() -> Self {
        Self::with(TestDb::migrated().await, |_| {}).await
    }

    pub async fn with(db: TestDb, adjust: impl FnOnce(&mut Config)) -> Self {
        let mut config = test_config(&db.url);
        adjust(&mut config);
        let state = fulfillment_ops::build_state(config).expect("state");
        let router = fulfillment_ops::router(state.clone());
        Self { db, state, router }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> TestResponse {
        self.send(json_request(method, path, token, body)).await
    }

    pub async fn send(&self, req: Request<Body>) -> TestResponse {
        send(self.router.clone(), req).await
    }

    /// A handle on the router that futures of their own (see [`concurrently`]) can own.
    pub fn api(&self) -> Api {
        Api {
            router: self.router.clone(),
        }
    }

    /// A Diesel connection to the test's database.
    pub async fn conn(&self) -> AsyncPgConnection {
        self.db.diesel().await
    }

    /// Inserts a fixture (see [`builders`]) into the test's database.
    pub async fn insert<F: Fixture>(&self, fixture: F) -> F::Output {
        fixture.insert(&mut self.conn().await).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.request(Method::GET, path, token, None).await
    }

    pub async fn admin_get(&self, path: &str) -> TestResponse {
        self.get(path, Some(ADMIN_TOKEN)).await
    }
}

async fn send(router: Router, req: Request<Body>) -> TestResponse {
    let res = router.oneshot(req).await.expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let body = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024)
        .await
        .expect("body");
    TestResponse {
        status,
        headers,
        body: body.to_vec(),
    }
}

fn json_request(
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Request<Body> {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("request")
}

/// The router, owned: what a spawned future holds to send requests.
#[derive(Clone)]
pub struct Api {
    router: Router,
}

impl Api {
    /// A handle on another router (a second replica's).
    pub fn on(router: &Router) -> Self {
        Self {
            router: router.clone(),
        }
    }

    /// A request built by the test (headers of its own, e.g. `If-Match`), as an owned future.
    pub async fn send(self, req: Request<Body>) -> TestResponse {
        send(self.router, req).await
    }

    /// One request with owned arguments, so that calls return futures of one type.
    pub async fn call(
        self,
        method: Method,
        path: String,
        token: Option<String>,
        body: Option<Value>,
    ) -> TestResponse {
        send(
            self.router,
            json_request(method, &path, token.as_deref(), body),
        )
        .await
    }

    /// A POST as a future owning everything it needs (for [`concurrently`]).
    pub fn post(
        &self,
        path: String,
        actor: &Actor,
        body: Value,
    ) -> impl std::future::Future<Output = TestResponse> + Send + use<> {
        self.clone()
            .call(Method::POST, path, Some(actor.token.clone()), Some(body))
    }

    /// A PATCH as a future owning everything it needs (for [`concurrently`]).
    pub fn patch(
        &self,
        path: String,
        actor: &Actor,
        body: Value,
    ) -> impl std::future::Future<Output = TestResponse> + Send + use<> {
        self.clone()
            .call(Method::PATCH, path, Some(actor.token.clone()), Some(body))
    }
}

/// Runs the futures at the same moment, each on a task of its own (so, through the router, on
/// a pooled connection of its own), released together by a barrier; answers their outputs in
/// the order given.
pub async fn concurrently<T, F>(futures: impl IntoIterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let futures: Vec<F> = futures.into_iter().collect();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(futures.len()));
    let tasks: Vec<_> = futures
        .into_iter()
        .map(|f| {
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                f.await
            })
        })
        .collect();
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.expect("a concurrent future panicked"));
    }
    out
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl std::fmt::Debug for TestResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.text())
    }
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an RFC 9457 problem with this status, and returns its body.
    #[track_caller]
    pub fn assert_problem(&self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "body: {}", self.text());
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.text()
        );
        let body = self.json();
        assert_eq!(body["status"], status.as_u16());
        assert!(
            body["title"].is_string() && body["type"].is_string() && body["detail"].is_string()
        );
        body
    }
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

// ---------------------------------------------------------------------------------------------
// Actors and fixtures for API tests
// ---------------------------------------------------------------------------------------------

/// The password of every user the harness creates.
pub const TEST_PASSWORD: &str = "correct horse battery staple";

/// Argon2 is slow on purpose: hash the test password once per process.
fn test_password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        fulfillment_ops::auth::password::hash_password_blocking(TEST_PASSWORD).expect("hash")
    })
}

/// The `pwd` claim of tokens for users with [`TEST_PASSWORD`].
pub fn test_password_fingerprint() -> String {
    fulfillment_ops::auth::token::password_fingerprint(test_password_hash())
}

/// A signed-in user: its id, email and a valid access token.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: uuid::Uuid,
    pub email: String,
    pub token: String,
}

impl TestApp {
    /// Inserts a user (password [`TEST_PASSWORD`]) and mints a token for it.
    pub async fn user(&self, role: &str, client_id: Option<uuid::Uuid>) -> Actor {
        let user = NewUser::new(role, client_id, test_password_hash());
        let email = user.email().to_owned();
        let id = self.insert(user).await;
        let token = fulfillment_ops::auth::token::issue(
            JWT_SECRET.as_bytes(),
            id,
            &test_password_fingerprint(),
            3600,
        );
        Actor { id, email, token }
    }

    pub async fn admin(&self) -> Actor {
        self.user("admin", None).await
    }

    pub async fn operator(&self) -> Actor {
        self.user("operator", None).await
    }

    pub async fn client_user(&self, client_id: uuid::Uuid) -> Actor {
        self.user("client", Some(client_id)).await
    }

    /// A client in the apparel industry ([`NewClient`] for more).
    pub async fn insert_client(&self, name: &str) -> uuid::Uuid {
        self.insert(NewClient::named(name)).await
    }

    /// A product named after its sku, 100 in stock ([`NewProduct`] for more).
    pub async fn insert_product(&self, client_id: uuid::Uuid, sku: &str) -> uuid::Uuid {
        self.insert(NewProduct::new(client_id, sku)).await
    }

    /// An order request with one item, created now; returns (order id, item id).
    pub async fn insert_order(
        &self,
        client_id: uuid::Uuid,
        product_id: uuid::Uuid,
        quantity: i32,
    ) -> (uuid::Uuid, uuid::Uuid) {
        let order = self
            .insert(NewOrder::new(client_id).item(product_id, quantity))
            .await;
        (order.id, order.items[0])
    }

    pub async fn post(&self, path: &str, actor: &Actor, body: Value) -> TestResponse {
        self.request(Method::POST, path, Some(&actor.token), Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, actor: &Actor, body: Value) -> TestResponse {
        self.request(Method::PATCH, path, Some(&actor.token), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, actor: &Actor) -> TestResponse {
        self.request(Method::DELETE, path, Some(&actor.token), None)
            .await
    }

    pub async fn get_as(&self, path: &str, actor: &Actor) -> TestResponse {
        self.get(path, Some(&actor.token)).await
    }

    /// Follows `next_cursor` through every page of a list; returns all rows and the page count.
    pub async fn collect_pages(
        &self,
        path: &str,
        actor: &Actor,
        limit: usize,
    ) -> (Vec<Value>, usize) {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut rows = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
                None => format!("{path}{sep}limit={limit}"),
            };
            let res = self.get_as(&url, actor).await;
            assert_eq!(res.status, StatusCode::OK, "{url}: {}", res.text());
            let body = res.json();
            let data = body["data"].as_array().expect("data").clone();
            assert!(data.len() <= limit, "a page holds at most limit rows");
            pages += 1;
            rows.extend(data);
            match body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return (rows, pages),
            }
            assert!(pages < 1000, "pagination does not end");
        }
    }
}

/// Asserts a 422 naming these fields.
#[track_caller]
pub fn assert_invalid_fields(res: &TestResponse, fields: &[&str]) {
    let body = res.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    let named: Vec<String> = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors array: {body}"))
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    for f in fields {
        assert!(named.iter().any(|n| n == f), "{f} not among {named:?}");
    }
}
