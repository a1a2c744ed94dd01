//! A real PostgreSQL restart under the service: a cluster of the test's own (started with the
//! same shell library as `scripts/run.sh`, on a free port, removed afterwards) is restarted
//! with `pg_ctl restart -m fast` while requests and a live stream run. Unlike the chaos proxy
//! (`stream.rs`), a real restart also answers "the database system is shutting down / starting
//! up" on new connections for a moment, and drops every session's state (LISTEN included).

use std::{
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use axum::http::StatusCode;
use serde_json::json;

use super::{aggregated, open, record};
use crate::common::{TestApp, TestDb};

/// A PostgreSQL cluster of this test's own; stopped and deleted on drop.
struct PrivateCluster {
    port: u16,
}

impl PrivateCluster {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let cluster = Self { port };
        cluster.shell("ensure_postgres >/dev/null");
        cluster
    }

    /// Runs `script` in bash with scripts/lib/postgres.sh loaded for this cluster's port.
    fn shell(&self, script: &str) -> String {
        let root = env!("CARGO_MANIFEST_DIR");
        let out = Command::new("bash")
            .current_dir(root)
            .env("FO_PG_PORT", self.port.to_string())
            .args([
                "-c",
                &format!(
                    "set -e; . scripts/lib/postgres.sh; ensure_postgres 2>/dev/null; {script}"
                ),
            ])
            .output()
            .expect("bash");
        assert!(
            out.status.success(),
            "{script}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    fn restart(&self) {
        self.shell(
            r#"pg_ctl=$(_fo_pg_server_bindir)/pg_ctl
               _fo_pg_as_owner "$pg_ctl" -D "$FO_PG_DATA" restart -m fast -w >/dev/null"#,
        );
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/postgres.sh"))
            .env("FO_PG_PORT", self.port.to_string())
            .arg("remove")
            .output();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_postgresql_restart_answers_503_not_500_and_loses_no_event() {
    let cluster = tokio::task::spawn_blocking(PrivateCluster::start)
        .await
        .expect("start a private cluster");
    let name = "fo_restart".to_owned();
    let url = cluster.url(&name);
    let admin = cluster.url("postgres");
    let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .expect("connect to the private cluster");
    tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create");
    drop(client);
    let migrate = Command::new(env!("CARGO_BIN_EXE_fulfillment-ops"))
        .env_clear()
        .current_dir(std::env::temp_dir())
        .env("DATABASE_URL", &url)
        .args(["migrate", "run"])
        .output()
        .expect("migrate");
    assert!(migrate.status.success(), "{migrate:?}");

    // The database lives on the private cluster (dropping the TestDb asks the shared server
    // to drop a database it does not have: harmless; the cluster's removal deletes it).
    let app = Arc::new(TestApp::with(TestDb { name, url }, |_| {}).await);
    let (acme, user) = app.client_with_user("Acme").await;
    let product = app
        .create_product(
            &user,
            acme,
            json!({"sku": "TEE", "name": "Tee", "current_stock": 5}),
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mut s = open(&app.router, &user.token, "", None)
        .await
        .expect("stream");
    s.next().await;
    let before = record(&app, aggregated(acme, "2025-01")).await;
    assert_eq!(s.next_event().await.id(), before);

    // Reads all through the restart; every answer is 200 or 503 with Retry-After.
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (app, stop, token) = (app.clone(), stop.clone(), user.token.clone());
        let path = format!("/api/v1/clients/{acme}/products/{product}");
        tokio::spawn(async move {
            let mut seen: Vec<(StatusCode, bool)> = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let res = app.get(&path, Some(&token)).await;
                seen.push((res.status, res.headers.contains_key("retry-after")));
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            seen
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let c = Arc::new(cluster);
    tokio::task::spawn_blocking({
        let c = c.clone();
        move || c.restart()
    })
    .await
    .expect("restart");
    // Written as soon as the server is back, before the listener has necessarily reconnected.
    let after = record(&app, aggregated(acme, "2025-02")).await;
    assert_eq!(
        s.next_event().await.id(),
        after,
        "the stream survives the restart and misses nothing"
    );
    // Reads answer 200 again.
    let mut ok = false;
    for _ in 0..300 {
        let res = app
            .get(
                &format!("/api/v1/clients/{acme}/products/{product}"),
                Some(&user.token),
            )
            .await;
        if res.status == StatusCode::OK {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ok, "reads recover after the restart");
    stop.store(true, Ordering::SeqCst);
    let seen = reader.await.expect("reader");
    let bad: Vec<_> = seen
        .iter()
        .filter(|(st, retry)| {
            !(*st == StatusCode::OK || (*st == StatusCode::SERVICE_UNAVAILABLE && *retry))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "every answer during the restart is 200 or 503 with Retry-After: {bad:?} of {}",
        seen.len()
    );
    assert!(seen.len() > 10, "the reader ran through the restart");
    let unavailable = seen.iter().filter(|(st, _)| *st != StatusCode::OK).count();
    eprintln!(
        "restart: {} reads, {unavailable} answered 503 with Retry-After",
        seen.len()
    );
    let third = record(&app, aggregated(acme, "2025-03")).await;
    assert_eq!(s.next_event().await.id(), third);
    drop(s);
    drop(app);
    drop(c);
}
