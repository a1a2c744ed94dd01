//! The HTTP server loop: hyper (HTTP/1.1 and HTTP/2) with a header-read timeout, and a
//! graceful shutdown bounded by a deadline.
//!
//! `axum::serve` has neither knob: a client that opens a connection and sends its headers a
//! byte at a time would hold the connection forever, and after SIGTERM keep the process
//! waiting. Here such a connection is closed after `HEADER_READ_TIMEOUT`, and after the signal
//! in-flight requests get `REQUEST_TIMEOUT` plus a margin to finish before the process exits.

use std::{future::Future, time::Duration};

use axum::{Router, extract::ConnectInfo, http::Request};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto::Builder, graceful::GracefulShutdown},
    service::TowerToHyperService,
};
use tokio::net::TcpListener;
use tower::ServiceExt;

pub struct ServerLimits {
    pub header_read_timeout: Duration,
    /// How long in-flight requests may run on after the shutdown signal.
    pub drain: Duration,
}

/// Serves `app` on `listener` until `signal` completes, then drains.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    signal: impl Future<Output = ()>,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(signal);
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
                let _ = stream.set_nodelay(true);
                // The peer address, for handlers that need it (sign-in throttling).
                let service = app.clone().map_request(move |mut req: Request<Incoming>| {
                    req.extensions_mut().insert(ConnectInfo(peer));
                    req
                });
                let service = TowerToHyperService::new(service);
                let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                let conn = graceful.watch(conn.into_owned());
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                });
            }
            () = &mut signal => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("stopped after finishing in-flight requests"),
        () = tokio::time::sleep(limits.drain) => tracing::warn!(
            drain_secs = limits.drain.as_secs(),
            "connections still open at the drain deadline; closing them"
        ),
    }
}
