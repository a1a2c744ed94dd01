//! The HTTP server loop: hyper (HTTP/1.1 and HTTP/2) with a header-read timeout, and a
//! graceful shutdown bounded by a deadline.
//!
//! `axum::serve` has neither knob: a client that opens a connection and sends its headers a
//! byte at a time would hold the connection forever, and after SIGTERM keep the process
//! waiting. Here such a connection is closed after `HEADER_READ_TIMEOUT`, and after the signal
//! in-flight requests get `REQUEST_TIMEOUT` plus a margin to finish before the process exits.
//! A connection that sends nothing at all is closed after `HEADER_READ_TIMEOUT` too (hyper's
//! timer starts only at the first byte), idle keep-alive connections after the same time
//! (hyper's header timer runs while it waits for the next request), and open connections are
//! bounded by `MAX_CONNECTIONS` so a flood of sockets cannot take every file descriptor.

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{
    Router,
    extract::ConnectInfo,
    http::{HeaderValue, Request, header},
    response::{IntoResponse, Response},
};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto::Builder, graceful::GracefulShutdown},
    service::TowerToHyperService,
};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

use super::error::ApiError;

pub struct ServerLimits {
    pub header_read_timeout: Duration,
    /// After the signal: how long to keep accepting and serving while `/readyz` answers 503
    /// (`draining` is set), so the load balancer takes the replica out before it stops.
    pub shutdown_drain: Duration,
    pub draining: Arc<AtomicBool>,
    /// How long in-flight requests may run on after the shutdown signal.
    pub drain: Duration,
    /// Open client connections served normally; see [`OVERFLOW_RESERVE`] for the rest.
    pub max_connections: usize,
}

/// Connections beyond `max_connections` that are still accepted, so the load balancer's
/// `/healthz` and `/readyz` keep answering while the replica is full: on those every other
/// path answers 503 with `Retry-After` at once. Beyond this reserve a connection is closed as
/// soon as it is accepted.
pub const OVERFLOW_RESERVE: usize = 64;

/// How long a new connection may stay silent while `max_connections` others already are.
const FLOOD_GRACE: Duration = Duration::from_millis(200);

/// Serves `app` on `listener` until `signal` completes; then keeps serving for
/// `shutdown_drain` with `/readyz` unready, stops accepting, calls `drained` (which ends the
/// live streams: only now, once the load balancer has taken the replica out, so browsers
/// reconnect to another replica rather than back to this one), and lets in-flight requests
/// finish within `drain`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    signal: impl Future<Output = ()>,
    drained: impl FnOnce(),
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    let (open, waiting) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    tokio::pin!(signal);
    let drain_over = tokio::time::sleep(Duration::ZERO);
    tokio::pin!(drain_over);
    let mut stopping = false;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(conn) => conn,
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                // Until its first bytes arrive a connection is only "waiting"; waiting ones are
                // bounded too. Past that bound a newcomer gets a short grace: a real client
                // (a load balancer's health check) sends its request at once, a flood of
                // silent sockets does not, and each is closed within the grace.
                let waiting_slot = Slot::take(&waiting);
                let grace = if waiting_slot.number > limits.max_connections {
                    FLOOD_GRACE
                } else {
                    limits.header_read_timeout
                };
                let _ = stream.set_nodelay(true);
                let (app, open, max) = (app.clone(), open.clone(), limits.max_connections);
                let watcher = graceful.watcher();
                let builder = builder.clone();
                tokio::spawn(async move {
                    // hyper's header timeout starts with the first byte: a socket that sends
                    // nothing would otherwise be held (with its file descriptor) forever.
                    let ready = first_bytes(&stream, grace).await;
                    drop(waiting_slot);
                    if !ready {
                        return;
                    }
                    let slot = Slot::take(&open);
                    if slot.number > max + OVERFLOW_RESERVE {
                        tracing::debug!(open = slot.number, "connection closed: too many open");
                        return;
                    }
                    let overflow = slot.number > max;
                    let service = tower::service_fn(move |mut req: Request<Incoming>| {
                        // The peer address, for handlers that need it (sign-in throttling).
                        req.extensions_mut().insert(ConnectInfo(peer));
                        let app = app.clone();
                        async move {
                            if overflow && !matches!(req.uri().path(), "/healthz" | "/readyz") {
                                return Ok(too_many_connections());
                            }
                            app.oneshot(req).await
                        }
                    });
                    let service = TowerToHyperService::new(service);
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                    if let Err(e) = watcher.watch(conn.into_owned()).await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                    drop(slot);
                });
            }
            () = &mut signal, if !stopping => {
                stopping = true;
                limits.draining.store(true, Ordering::Release);
                tracing::info!(
                    drain_ms = limits.shutdown_drain.as_millis() as u64,
                    "shutting down: /readyz answers 503; still serving until the drain ends"
                );
                drain_over
                    .as_mut()
                    .reset(tokio::time::Instant::now() + limits.shutdown_drain);
            }
            () = &mut drain_over, if stopping => break,
        }
    }
    drop(listener);
    drained();
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("stopped after finishing in-flight requests"),
        () = tokio::time::sleep(limits.drain) => tracing::warn!(
            drain_secs = limits.drain.as_secs(),
            "connections still open at the drain deadline; closing them"
        ),
    }
}

/// One open connection, counted while it lives.
struct Slot {
    open: Arc<AtomicUsize>,
    /// This connection's place among the open ones (1 = the only one).
    number: usize,
}

impl Slot {
    fn take(open: &Arc<AtomicUsize>) -> Self {
        let number = open.fetch_add(1, Ordering::AcqRel) + 1;
        Self {
            open: open.clone(),
            number,
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Waits, at most `within`, until the client has sent enough to tell HTTP/1 from HTTP/2 (the
/// 24-byte HTTP/2 preface, or a whole HTTP/1 request line); false when it did not, or closed.
async fn first_bytes(stream: &TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 24];
    let enough = async {
        loop {
            match stream.peek(&mut buf).await {
                Ok(0) | Err(_) => return false,
                Ok(n) if n == buf.len() || buf[..n].contains(&b'\n') => return true,
                // A byte at a time: look again shortly (peek does not wait for more).
                Ok(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    };
    tokio::time::timeout(within, enough).await.unwrap_or(false)
}

/// What a connection beyond `max_connections` gets for anything but the health checks.
fn too_many_connections() -> Response {
    let mut res = ApiError::Unavailable(
        "this replica has too many open connections; retry, or try another replica".into(),
    )
    .into_response();
    res.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}

/// The default `MAX_CONNECTIONS`: the process's open-file limit, less room for the pool, the
/// listener connections, logs and the overflow reserve; at least 64.
pub fn default_max_connections(pool_size: usize) -> usize {
    let limit = open_file_limit().unwrap_or(1024);
    limit
        .saturating_sub(pool_size + OVERFLOW_RESERVE + 64)
        .max(64)
}

/// The soft `RLIMIT_NOFILE`, read from `/proc/self/limits` (no `unsafe` getrlimit here).
fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}
