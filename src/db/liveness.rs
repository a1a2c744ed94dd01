//! Telling a database that stopped answering from one that is merely slow.
//!
//! A database behind a proxy or a NAT that silently stops forwarding leaves every socket open:
//! no error, no EOF, and TCP keepalive is answered by the proxy's kernel. A statement sent
//! then waits for the request timeout, and ten such requests hold the whole pool. A timeout
//! on each statement cannot tell this from a legitimately long query (the server sends
//! nothing while it runs), so the question is asked out of band instead: once a second a
//! probe runs `SELECT 1` on a connection of its own, and when the answer takes longer than
//! `DATABASE_STALL_TIMEOUT` the database counts as stalled. Then every pooled connection's
//! socket is dropped ([`Liveness::stalls`], watched by each connection's driver in
//! `db::pool`), so statements in flight fail at once (503) instead of hanging, and checkouts
//! answer 503 without waiting until a probe is answered again. A database that refuses or
//! closes connections is not stalled: the pool sees those errors itself, at once.
//!
//! The same place remembers when a pooled connection last died under the service (a
//! terminated backend, a restart, a cut): checkouts then check connections last used before
//! that moment with `SELECT 1` before handing them out (see `db::pool`), so one terminated
//! backend does not make the next request meet its dead siblings.

use std::{
    sync::{
        Arc, Mutex, Once, Weak,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use tokio::{sync::watch, task::AbortHandle};

/// How often the probe asks.
const PROBE_INTERVAL: Duration = Duration::from_secs(1);

pub struct Liveness {
    url: String,
    app_name: String,
    pub stall_timeout: Duration,
    stalled: AtomicBool,
    /// Bumped each time the database is found stalled.
    epoch: watch::Sender<u64>,
    last_loss: Mutex<Option<Instant>>,
    probe_started: Once,
}

impl Liveness {
    pub fn new(url: String, app_name: String, stall_timeout: Duration) -> Arc<Self> {
        Arc::new(Self {
            url,
            app_name,
            stall_timeout,
            stalled: AtomicBool::new(false),
            epoch: watch::Sender::new(0),
            last_loss: Mutex::new(None),
            probe_started: Once::new(),
        })
    }

    /// Starts the probe on first use (inside the runtime; a command that builds a pool and
    /// never checks out needs none). It ends once the pool is gone.
    pub fn ensure_probe(self: &Arc<Self>) {
        self.probe_started.call_once(|| {
            tokio::spawn(probe_loop(Arc::downgrade(self)));
        });
    }

    pub fn is_stalled(&self) -> bool {
        self.stalled.load(Ordering::SeqCst)
    }

    /// Changes each time the database is found stalled: a connection's driver drops its
    /// socket on the next change.
    pub fn stalls(&self) -> watch::Receiver<u64> {
        self.epoch.subscribe()
    }

    /// Resolves when the database is (or becomes) stalled.
    pub async fn stalled(&self) {
        let mut stalls = self.stalls();
        while !self.is_stalled() {
            if stalls.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// A pooled connection ended under the service.
    pub fn note_loss(&self) {
        if let Ok(mut at) = self.last_loss.lock() {
            *at = Some(Instant::now());
        }
    }

    /// Whether a connection was lost after `instant` (a connection last used then may be dead too).
    pub fn lost_since(&self, instant: Instant) -> bool {
        self.last_loss
            .lock()
            .map(|at| at.is_some_and(|at| at >= instant))
            .unwrap_or(true)
    }

    fn set_stalled(&self, stalled: bool) {
        let was = self.stalled.swap(stalled, Ordering::SeqCst);
        if stalled && !was {
            tracing::warn!(
                timeout_ms = self.stall_timeout.as_millis() as u64,
                "the database did not answer in time: pooled connections dropped, requests answer 503 until it answers"
            );
            self.note_loss();
            self.epoch.send_modify(|e| *e += 1);
        } else if was && !stalled {
            tracing::info!("the database answers again");
        }
    }

    async fn ask(&self, probe: &mut Option<Probe>) -> Result<(), tokio_postgres::Error> {
        if probe.as_ref().is_none_or(|p| p.client.is_closed()) {
            let (client, connection) =
                tokio_postgres::connect(&self.url, tokio_postgres::NoTls).await?;
            let driver = tokio::spawn(async move {
                let _ = connection.await;
            })
            .abort_handle();
            let opened = Probe { client, driver };
            opened
                .client
                .batch_execute(&format!("SET application_name = '{}'", self.app_name))
                .await?;
            *probe = Some(opened);
        }
        if let Some(p) = probe {
            p.client.batch_execute("SELECT 1").await?;
        }
        Ok(())
    }
}

/// The probe's own connection; its driver is stopped with it (a stalled socket would
/// otherwise keep the driver waiting for ever).
struct Probe {
    client: tokio_postgres::Client,
    driver: AbortHandle,
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

async fn probe_loop(liveness: Weak<Liveness>) {
    let mut probe: Option<Probe> = None;
    let mut tick = tokio::time::interval(PROBE_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(l) = liveness.upgrade() else { return };
        match tokio::time::timeout(l.stall_timeout, l.ask(&mut probe)).await {
            Ok(Ok(())) => l.set_stalled(false),
            // Refused, closed, failed: an answer, not silence. The pool meets the same errors.
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "liveness probe failed");
                probe = None;
                l.set_stalled(false);
            }
            Err(_) => {
                probe = None;
                l.set_stalled(true);
            }
        }
    }
}
