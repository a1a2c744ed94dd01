//! The real binary: replicas starting together, the `migrate` commands, configuration errors
//! and a migration that fails at startup.

use std::{
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

use crate::common::{ADMIN_TOKEN, JWT_SECRET, TestDb, free_port};

const BIN: &str = env!("CARGO_BIN_EXE_fulfillment-ops");

/// The binary with a clean environment: no `.env` (it runs in a temp dir) and only what the
/// test gives it.
fn command(db_url: Option<&str>) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .current_dir(std::env::temp_dir())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "info")
        .env("JWT_SECRET", JWT_SECRET)
        .env("ADMIN_TOKEN", ADMIN_TOKEN)
        // Stop at once after SIGTERM unless a test is about the drain.
        .env("SHUTDOWN_DRAIN", "0");
    if let Some(url) = db_url {
        cmd.env("DATABASE_URL", url);
    }
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("run the binary")
}

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(db_url: &str, instance: &str) -> Self {
        Self::start_with(db_url, instance, &[])
    }

    fn start_with(db_url: &str, instance: &str, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let mut cmd = command(Some(db_url));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("INSTANCE_ID", instance)
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn serve");
        Self { child, port }
    }

    async fn wait_ready(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("poll") {
                let out = self.child.stderr.take().map(|mut s| {
                    let mut buf = String::new();
                    let _ = std::io::Read::read_to_string(&mut s, &mut buf);
                    buf
                });
                panic!("server exited with {status}: {}", out.unwrap_or_default());
            }
            let url = format!("http://127.0.0.1:{}/readyz", self.port);
            if let Ok(res) = client.get(&url).send().await
                && res.status() == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "server on {} never became ready",
                self.port
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGTERM, then the exit status of a graceful shutdown and what the server logged.
    fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                let mut logs = String::new();
                if let Some(mut err) = self.child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut err, &mut logs);
                }
                return (status, logs);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not stop after SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn three_replicas_starting_together_apply_each_migration_exactly_once() {
    let db = TestDb::empty().await;
    // Hold the migration lock while the replicas start, so all three find work pending and
    // contend for the lock when it is released, whatever the machine's timing.
    let blocker = db.client().await;
    blocker
        .batch_execute("SELECT pg_advisory_lock(1179603027, 1)")
        .await
        .expect("hold the lock");
    let mut servers: Vec<Server> = (0..3)
        .map(|i| Server::start(&db.url, &format!("replica-{i}")))
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for s in &mut servers {
        assert!(
            s.child.try_wait().expect("poll").is_none(),
            "replicas wait, not fail"
        );
    }
    blocker
        .batch_execute("SELECT pg_advisory_unlock(1179603027, 1)")
        .await
        .expect("release");
    for s in &mut servers {
        s.wait_ready().await;
    }
    let client = db.client().await;
    let rows = client
        .query(
            "SELECT version::text, count(*) FILTER (WHERE success) AS ok, count(*) AS attempts \
             FROM __migration_ledger WHERE action = 'apply' GROUP BY version ORDER BY version",
            &[],
        )
        .await
        .expect("ledger");
    assert_eq!(
        rows.len(),
        fulfillment_ops::db::migrations::Catalog::embedded()
            .migrations()
            .len(),
        "every migration is in the ledger"
    );
    for row in &rows {
        let version: String = row.get(0);
        assert_eq!(row.get::<_, i64>("ok"), 1, "{version} applied once");
        assert_eq!(row.get::<_, i64>("attempts"), 1, "{version} attempted once");
    }
    let applied = client
        .query_one("SELECT count(*) FROM __diesel_schema_migrations", &[])
        .await
        .expect("diesel table");
    assert_eq!(applied.get::<_, i64>(0), rows.len() as i64);
    let appliers = client
        .query_one(
            "SELECT count(DISTINCT instance_id) FROM __migration_ledger",
            &[],
        )
        .await
        .expect("instances");
    assert_eq!(
        appliers.get::<_, i64>(0),
        1,
        "one replica did all the work under the lock"
    );

    // Every replica answers the admin route, naming itself.
    let http = reqwest::Client::new();
    for (i, s) in servers.iter().enumerate() {
        let body: serde_json::Value = http
            .get(format!("http://127.0.0.1:{}/admin/migrations", s.port))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json");
        assert_eq!(body["summary"]["up_to_date"], true);
        assert_eq!(body["instance"]["id"], format!("replica-{i}"));
    }
    let mut appliers = 0;
    for s in servers {
        let (status, logs) = s.terminate();
        assert!(status.success(), "SIGTERM is a clean shutdown: {logs}");
        assert!(logs.contains("waiting for the migration lock"), "{logs}");
        assert!(
            logs.contains("pid "),
            "the wait names the lock holder: {logs}"
        );
        if logs.contains("applying migration") {
            appliers += 1;
        } else {
            assert!(
                logs.contains("applied by another instance while we waited"),
                "{logs}"
            );
        }
    }
    assert_eq!(appliers, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn migrate_commands_report_apply_and_revert() {
    let db = TestDb::empty().await;
    let names: Vec<String> = fulfillment_ops::db::migrations::Catalog::embedded()
        .migrations()
        .iter()
        .map(|m| m.name.clone())
        .collect();

    let out = run(command(Some(&db.url)).args(["migrate", "status"]));
    assert_eq!(out.status.code(), Some(3), "pending: not up to date");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("20251215000005_add_product_lead_times") && table.contains("pending"));

    let out = run(command(Some(&db.url)).args(["migrate", "run"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .matches("applied ")
            .count(),
        names.len()
    );

    let out = run(command(Some(&db.url)).args(["migrate", "status", "--json"]));
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["summary"]["up_to_date"], true);
    assert_eq!(
        report["migrations"].as_array().map(Vec::len),
        Some(names.len())
    );

    for expected in names.iter().rev().take(3) {
        let out = run(command(Some(&db.url)).args(["migrate", "revert"]));
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains(expected));
    }
    let out = run(command(Some(&db.url)).args(["migrate", "revert", "--to", "20251201000000"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .matches("reverted ")
            .count(),
        names.len() - 4,
        "all but the core and the three reverted above"
    );

    let out = run(command(Some(&db.url)).args(["migrate", "status", "--json"]));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["summary"]["current_version"], "20251201000000");
    assert_eq!(report["summary"]["pending_count"], names.len() - 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_refuses_to_start_with_a_missing_or_invalid_setting_and_names_it() {
    let out = run(command(None).arg("serve"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL is not set"));

    let db = TestDb::empty().await;
    let out = run(command(Some(&db.url))
        .env("MIGRATE_ON_STARTUP", "sometimes")
        .arg("serve"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("MIGRATE_ON_STARTUP is invalid"));

    let out = run(command(Some(&db.url))
        .env("JWT_SECRET", "short")
        .arg("serve"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("JWT_SECRET is invalid"));

    // .env.example's placeholders, copied as they are, never run a server.
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.env.example"))
        .expect(".env.example");
    for name in ["ADMIN_TOKEN", "JWT_SECRET"] {
        let placeholder = example
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!(".env.example sets {name}"));
        let out = run(command(Some(&db.url)).env(name, placeholder).arg("serve"));
        assert!(!out.status.success(), "{name}={placeholder} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{name} is invalid")) && stderr.contains(".env.example"),
            "{stderr}"
        );
    }

    let out = run(command(Some(&db.url))
        .env("DATABASE_STATEMENT_TIMEOUT", "soon")
        .arg("serve"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_STATEMENT_TIMEOUT is invalid"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_migration_failing_at_startup_stops_the_server_and_names_it() {
    let db = TestDb::empty().await;
    let out = run(command(Some(&db.url)).args(["migrate", "run", "--to", "20251201000000"]));
    assert!(out.status.success());
    // A stray table makes the financial tracking migration fail halfway.
    db.execute("CREATE TABLE cost_tracking (id INT)").await;

    let out = run(command(Some(&db.url))
        .env("LISTEN_ADDR", format!("127.0.0.1:{}", free_port()))
        .arg("serve"));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("20251215000001_add_financial_tracking"),
        "{stderr}"
    );
    assert!(
        stderr.contains("already exists"),
        "the database error is shown: {stderr}"
    );
    assert!(!stderr.contains("postgres://"), "no URL in errors");

    let client = db.client().await;
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns \
                            WHERE table_name = 'products' AND column_name = 'unit_cost') AS half, \
                    to_regclass('budgets') IS NOT NULL AS budgets",
            &[],
        )
        .await
        .expect("inspect");
    assert!(
        !row.get::<_, bool>("half"),
        "the products columns were rolled back"
    );
    assert!(
        !row.get::<_, bool>("budgets"),
        "the budgets table was rolled back"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_seed_demo_is_refused_with_its_reason_said_once() {
    let db = TestDb::empty().await;
    let seed = || {
        run(command(Some(&db.url)).args([
            "seed-demo",
            "--clients",
            "1",
            "--products-per-client",
            "2",
            "--months",
            "1",
        ]))
    };
    let first = seed();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let second = seed();
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(
        stderr.matches("it already holds 1 client").count(),
        1,
        "the reason, once: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn text_logs_to_a_pipe_carry_no_colour_codes() {
    let db = TestDb::empty().await;
    let out = run(command(Some(&db.url))
        .env("LOG_FORMAT", "text")
        .args(["migrate", "run"]));
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("INFO"), "migrations are logged: {stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "escape codes in piped logs: {stderr:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn log_format_json_writes_one_json_object_per_line_on_stderr() {
    let db = TestDb::empty().await;
    let out = run(command(Some(&db.url))
        .env("LOG_FORMAT", "json")
        .args(["migrate", "run"]));
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "migrations are logged on stderr");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().all(|l| l.starts_with("applied ")),
        "stdout is output only: {stdout}"
    );
    for line in lines {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(
            v["level"].is_string() && v["timestamp"].is_string(),
            "{line}"
        );
    }
    assert!(stderr.contains("\"migration\":\"20251215000005_add_product_lead_times\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_the_server_even_while_a_client_stalls_mid_request() {
    let db = TestDb::migrated().await;
    let port = free_port();
    let child = command(Some(&db.url))
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("REQUEST_TIMEOUT", "1s")
        .env("HEADER_READ_TIMEOUT", "1s")
        .arg("serve")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut server = Server { child, port };
    server.wait_ready().await;
    // Half a request, never finished: the server closes it after HEADER_READ_TIMEOUT.
    let mut stalled = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    std::io::Write::write_all(&mut stalled, b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .expect("write");
    stalled
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("read timeout");
    let waited = Instant::now();
    let mut rest = Vec::new();
    let closed = std::io::Read::read_to_end(&mut stalled, &mut rest);
    assert!(
        closed.is_ok() && waited.elapsed() < Duration::from_secs(4),
        "the server closes a slow connection after about 1 s: {closed:?} after {:?}",
        waited.elapsed()
    );
    // A client stalled mid-body while SIGTERM drains: the drain deadline still ends it.
    let mut stalled = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    std::io::Write::write_all(
        &mut stalled,
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{",
    )
    .expect("write");
    let started = Instant::now();
    let (status, _) = server.terminate();
    assert!(status.success());
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "stopped after {:?}: the drain deadline is REQUEST_TIMEOUT + 5 s",
        started.elapsed()
    );
    drop(stalled);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_an_in_flight_request_finish() {
    use std::io::{Read, Write};
    let db = TestDb::migrated().await;
    let mut server = Server::start(&db.url, "draining");
    server.wait_ready().await;
    let body = br#"{"email":"nobody@example.com","password":"some password here"}"#;
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    write!(
        conn,
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .expect("headers");
    conn.write_all(&body[..10]).expect("half the body");
    std::thread::sleep(Duration::from_millis(300));
    // SIGTERM while the request is in flight.
    let _ = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        server.child.try_wait().expect("poll").is_none(),
        "still draining"
    );
    conn.write_all(&body[10..]).expect("the rest of the body");
    let mut answer = String::new();
    conn.read_to_string(&mut answer).expect("response");
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "the request was answered: {answer}"
    );
    let (status, _) = server.terminate();
    assert!(status.success());
}

/// A raw HTTP/1.1 request on an open socket, answering the status line (the socket stays open
/// for keep-alive).
async fn raw_get(stream: &mut tokio::net::TcpStream, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes())
        .await
        .expect("write");
    let mut buf = vec![0u8; 4096];
    let n = stream.read(&mut buf).await.expect("read");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_silent_sockets_is_closed_and_a_full_replica_keeps_its_health_checks() {
    use tokio::io::AsyncReadExt;
    let db = TestDb::migrated().await;
    let mut server = Server::start_with(
        &db.url,
        "bounded",
        &[("MAX_CONNECTIONS", "4"), ("HEADER_READ_TIMEOUT", "2s")],
    );
    server.wait_ready().await;
    let addr = format!("127.0.0.1:{}", server.port);

    // 300 sockets that never send a byte.
    let mut silent = Vec::new();
    for _ in 0..300 {
        silent.push(
            tokio::net::TcpStream::connect(&addr)
                .await
                .expect("connect"),
        );
    }
    // Meanwhile the service answers, health checks and data routes alike.
    let client = reqwest::Client::new();
    for path in ["/healthz", "/readyz", "/api/v1/me"] {
        let res = client
            .get(format!("http://{addr}{path}"))
            .send()
            .await
            .expect(path);
        let expected = if path == "/api/v1/me" { 401 } else { 200 };
        assert_eq!(res.status(), expected, "{path} during the flood");
    }
    // Every silent socket is closed by the server within HEADER_READ_TIMEOUT.
    let deadline = Instant::now() + Duration::from_secs(5);
    for mut s in silent {
        let mut byte = [0u8; 1];
        let left = deadline.saturating_duration_since(Instant::now());
        let read = tokio::time::timeout(left, s.read(&mut byte)).await;
        assert!(
            matches!(read, Ok(Ok(0)) | Ok(Err(_))),
            "a silent socket stayed open"
        );
    }

    // Four keep-alive connections fill the replica; a fifth gets 503 for data, 200 for health.
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut s = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        assert!(
            raw_get(&mut s, "/healthz")
                .await
                .starts_with("HTTP/1.1 200")
        );
        held.push(s);
    }
    let mut extra = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let answer = raw_get(&mut extra, "/api/v1/me").await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("retry-after: 1"),
        "{answer}"
    );
    let mut health = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    assert!(
        raw_get(&mut health, "/readyz")
            .await
            .starts_with("HTTP/1.1 200")
    );
    drop(held);
}

/// A rolling deploy: at SIGTERM `/readyz` turns 503 at once (the load balancer takes the
/// replica out) while new connections and requests are still served for `SHUTDOWN_DRAIN`;
/// then the process stops.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_turns_readiness_off_then_serves_on_for_the_drain() {
    let db = TestDb::migrated().await;
    let mut server = Server::start_with(&db.url, "rolling", &[("SHUTDOWN_DRAIN", "2s")]);
    server.wait_ready().await;
    let base = format!("http://127.0.0.1:{}", server.port);
    let client = reqwest::Client::new();
    let signalled = Instant::now();
    let _ = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let ready = client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 503);
    // New connections, new requests: still answered.
    for _ in 0..5 {
        let fresh = reqwest::Client::new();
        let res = fresh
            .get(format!("{base}/api/v1/me"))
            .send()
            .await
            .expect("served");
        assert_eq!(res.status(), 401);
        assert_eq!(
            fresh
                .get(format!("{base}/healthz"))
                .send()
                .await
                .expect("healthz")
                .status(),
            200
        );
    }
    assert!(
        server.child.try_wait().expect("poll").is_none(),
        "still serving"
    );
    let (status, logs) = server.terminate();
    assert!(status.success(), "{logs}");
    let took = signalled.elapsed();
    assert!(
        (Duration::from_millis(1900)..Duration::from_secs(10)).contains(&took),
        "stopped {took:?} after SIGTERM (drain 2 s)"
    );
}

/// A live stream through the drain: at SIGTERM it stays open and keeps getting events (the load
/// balancer may still route here; reconnecting now would come back to this replica), and it
/// ends when the drain does, so the browser reconnects elsewhere; then the process exits.
#[tokio::test(flavor = "multi_thread")]
async fn a_live_stream_stays_open_through_the_drain_then_ends() {
    use fulfillment_ops::activity::{Activity, record};
    let db = TestDb::migrated().await;
    let created = run(command(Some(&db.url)).args([
        "user",
        "create",
        "--email",
        "ops@example.com",
        "--role",
        "admin",
        "--password",
        "drain password 123",
    ]));
    assert!(created.status.success(), "{created:?}");
    let client_id: uuid::Uuid = db
        .client()
        .await
        .query_one(
            "INSERT INTO clients (name) VALUES ('Acme') RETURNING id",
            &[],
        )
        .await
        .expect("client")
        .get(0);
    let mut server = Server::start_with(&db.url, "draining", &[("SHUTDOWN_DRAIN", "3s")]);
    server.wait_ready().await;
    let base = format!("http://127.0.0.1:{}", server.port);
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "ops@example.com", "password": "drain password 123"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("token");
    let token = login["access_token"].as_str().expect("access_token");
    let mut stream = http
        .get(format!("{base}/api/v1/me/stream"))
        .bearer_auth(token)
        .send()
        .await
        .expect("stream");
    assert_eq!(stream.status(), 200);
    let first = stream
        .chunk()
        .await
        .expect("read")
        .expect("the opening message");
    assert!(String::from_utf8_lossy(&first).contains("id:"), "{first:?}");

    let signalled = Instant::now();
    let _ = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status();
    tokio::time::sleep(Duration::from_millis(500)).await;
    // An event committed during the drain reaches the open stream.
    let mut conn = db.diesel().await;
    let id = {
        use diesel_async::AsyncConnection;
        let event = Activity::CostTrackingAggregated {
            client_id,
            period: "2025-01".into(),
            products: 1,
        };
        conn.transaction::<_, diesel::result::Error, _>(async |c| record(c, &event).await)
            .await
            .expect("record")
    };
    let mut seen = String::new();
    let ended_at = loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.chunk()).await {
            Ok(Ok(Some(bytes))) => seen.push_str(&String::from_utf8_lossy(&bytes)),
            Ok(Ok(None) | Err(_)) => break signalled.elapsed(),
            Err(_) => panic!("the stream outlived the drain: {seen}"),
        }
    };
    assert!(
        seen.contains(&format!("id: {id}")) || seen.contains(&format!("id:{id}")),
        "the event committed during the drain was delivered: {seen}"
    );
    assert!(
        ended_at >= Duration::from_millis(2800),
        "the stream ended {ended_at:?} after SIGTERM, before the 3 s drain was over"
    );
    let (status, logs) = server.terminate();
    assert!(status.success(), "{logs}");
}

/// Migrations while serving: a newer release has applied a migration this binary does not know
/// (additive, as the guide's are). This replica, in `verify` mode, reports it as `unknown`,
/// stays ready and keeps serving reads and writes against the newer schema.
#[tokio::test(flavor = "multi_thread")]
async fn an_older_replica_keeps_serving_a_database_migrated_ahead_of_it() {
    let db = TestDb::migrated().await;
    db.execute(
        "ALTER TABLE products ADD COLUMN shelf_label TEXT NOT NULL DEFAULT 'unlabelled'; \
         CREATE TABLE future_feature (id BIGSERIAL PRIMARY KEY); \
         INSERT INTO __diesel_schema_migrations (version) VALUES ('20991231000000')",
    )
    .await;
    let out = run(command(Some(&db.url)).args([
        "user",
        "create",
        "--email",
        "old@replica.example",
        "--role",
        "admin",
        "--password",
        "a long enough password",
    ]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut server = Server::start_with(&db.url, "older", &[("MIGRATE_ON_STARTUP", "verify")]);
    server.wait_ready().await;
    let base = format!("http://127.0.0.1:{}", server.port);
    let http = reqwest::Client::new();
    let status: serde_json::Value = http
        .get(format!("{base}/admin/migrations"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("status")
        .json()
        .await
        .expect("json");
    let states: Vec<&str> = status["migrations"]
        .as_array()
        .expect("migrations")
        .iter()
        .filter(|m| m["version"] == "20991231000000")
        .filter_map(|m| m["state"].as_str())
        .collect();
    assert_eq!(states, ["unknown"], "{status}");

    let login: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "old@replica.example", "password": "a long enough password"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let token = login["access_token"].as_str().expect("token");
    let client: serde_json::Value = http
        .post(format!("{base}/api/v1/clients"))
        .bearer_auth(token)
        .json(&serde_json::json!({"name": "Acme", "industry": "retail"}))
        .send()
        .await
        .expect("create client")
        .json()
        .await
        .expect("json");
    let id = client["id"].as_str().expect("client id");
    let res = http
        .post(format!("{base}/api/v1/clients/{id}/products"))
        .bearer_auth(token)
        .json(&serde_json::json!({"sku": "A-1", "name": "Anvil", "current_stock": 3}))
        .send()
        .await
        .expect("create product");
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    let list: serde_json::Value = http
        .get(format!("{base}/api/v1/clients/{id}/products"))
        .bearer_auth(token)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(list["data"][0]["sku"], "A-1", "{list}");
}
