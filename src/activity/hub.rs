//! The replica's fan-out: one dedicated PostgreSQL connection that `LISTEN`s on
//! `activity_events`, reads every outbox row after the last one it saw, and broadcasts each
//! (rendered once) to the streams of this replica. How the connection listens, reads and
//! reconnects is in [`listener`]; here are what the streams see of it and their limits.
//!
//! - The broadcast is one ring of `LIVE_STREAM_BUFFER` events shared by every stream: memory
//!   does not grow with slow consumers; a stream that falls a full ring behind is closed
//!   with `resync` (see [`super::stream`]).
//! - A stream takes a place in `LIVE_MAX_STREAMS` and `LIVE_MAX_STREAMS_PER_USER` for as long
//!   as it is open ([`Admission`]).
//! - It starts with the first stream (or at `serve`), and stops at shutdown, which also ends
//!   every stream so a rolling deploy moves browsers to another replica.

mod listener;

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering},
    },
    time::Duration,
};

use tokio::sync::{broadcast, watch};
use uuid::Uuid;

use super::{EventType, config::LiveConfig};
use crate::{
    config::{DatabaseConfig, Secret},
    db::notified::Listening,
};

/// One outbox row as the streams send it: `data` is the SSE data line, rendered once.
#[derive(Debug)]
pub struct Envelope {
    pub id: i64,
    pub client_id: Uuid,
    pub kind: EventType,
    pub data: String,
}

impl Envelope {
    /// `None` for a row this binary cannot name (a newer release's type): skipped.
    pub fn new(id: i64, client_id: &str, kind: &str, data: String) -> Option<Self> {
        Some(Self {
            id,
            client_id: client_id.parse().ok()?,
            kind: EventType::parse(kind)?,
            data,
        })
    }
}

/// Why a stream is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    PerUser,
    Replica,
}

#[derive(Default)]
struct Open {
    total: usize,
    per_user: HashMap<Uuid, usize>,
}

pub struct Hub {
    pub config: LiveConfig,
    url: Secret,
    connect_timeout: Duration,
    app_name: String,
    tx: broadcast::Sender<Arc<Envelope>>,
    /// The newest id broadcast; -1 until the listener has read where the outbox ends.
    position: AtomicI64,
    ready: watch::Sender<bool>,
    started: AtomicBool,
    shutdown: watch::Sender<bool>,
    open: Mutex<Open>,
    /// Listener sessions opened (1 + reconnects), for `/metrics`.
    pub sessions: AtomicU64,
    /// The caches fed by this connection, each told of its channel's notifications.
    caches: Arc<[Arc<dyn Listening>]>,
}

/// A stream's place in the limits; dropping it frees the place.
pub struct Admission {
    hub: Arc<Hub>,
    user: Uuid,
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut open = self.hub.open.lock().unwrap_or_else(|e| e.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.per_user.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                open.per_user.remove(&self.user);
            }
        }
    }
}

impl Hub {
    pub fn new(
        config: LiveConfig,
        db: &DatabaseConfig,
        caches: Vec<Arc<dyn Listening>>,
    ) -> Arc<Self> {
        let (tx, _) = broadcast::channel(config.stream_buffer);
        Arc::new(Self {
            config,
            url: db.url.clone(),
            connect_timeout: db.connect_timeout,
            app_name: crate::db::pool::application_name(&db.instance_id, "listen"),
            tx,
            position: AtomicI64::new(-1),
            ready: watch::channel(false).0,
            started: AtomicBool::new(false),
            shutdown: watch::channel(false).0,
            open: Mutex::default(),
            sessions: AtomicU64::new(0),
            caches: caches.into(),
        })
    }

    /// Starts the listener once (later calls do nothing). The task holds the hub only while
    /// a session is open, so an app dropped (a test's) lets it end at its next reconnect.
    pub fn start(self: &Arc<Self>) {
        if !self.started.swap(true, Ordering::SeqCst) {
            tokio::spawn(Self::listen(Arc::downgrade(self)));
        }
    }

    /// Waits until the listener knows where the outbox ends (at most `within`).
    pub async fn ready(&self, within: Duration) -> bool {
        let mut ready = self.ready.subscribe();
        tokio::time::timeout(within, ready.wait_for(|r| *r))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// A receiver of every row broadcast from now on, and the settled position: every row at
    /// or below it is final (a replay up to it is complete), every row after it reaches the
    /// receiver.
    pub fn subscribe(&self) -> (broadcast::Receiver<Arc<Envelope>>, i64) {
        let rx = self.tx.subscribe();
        (rx, self.position.load(Ordering::SeqCst).max(0))
    }

    pub fn position(&self) -> i64 {
        self.position.load(Ordering::SeqCst).max(0)
    }

    /// Takes a place for a stream of `user`, or says which limit refuses it.
    pub fn admit(self: &Arc<Self>, user: Uuid) -> Result<Admission, Refusal> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.total >= self.config.max_streams {
            return Err(Refusal::Replica);
        }
        let mine = open.per_user.entry(user).or_default();
        if *mine >= self.config.max_streams_per_user {
            return Err(Refusal::PerUser);
        }
        *mine += 1;
        open.total += 1;
        Ok(Admission {
            hub: self.clone(),
            user,
        })
    }

    /// Open streams on this replica.
    pub fn open_streams(&self) -> usize {
        self.open.lock().map(|o| o.total).unwrap_or_default()
    }

    /// Ends every stream and the listener (SIGTERM).
    pub fn close(&self) {
        self.shutdown.send_replace(true);
    }

    pub fn closing(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }
}
