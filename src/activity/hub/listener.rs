//! The hub's listening connection: `LISTEN activity_events`, read the outbox after the
//! position, broadcast, and reconnect when the connection is lost.
//!
//! - A notification carries the newest id of a committed transaction; the listener does not
//!   trust it beyond "there is something": it reads every id after its position. Ids become
//!   visible in commit order, not id order (see [`crate::activity::record`]): when a read shows a gap
//!   (an id missing below a visible one), the listener waits until the recording
//!   transactions holding the outbox's shared lock at that moment have ended (polling
//!   `pg_locks`, so it never queues in front of writers), re-reads up to the newest id it saw,
//!   and only then moves its position past the gap. The position is thus "settled": no id at
//!   or below it can still appear, which is what a stream's replay is bounded by.
//! - A lost connection (PostgreSQL restarted, the connection killed) is reopened with
//!   exponential backoff (100 ms doubling to 10 s); the first read after `LISTEN` catches up
//!   from the position, so nothing committed while it was down is skipped. Every few seconds
//!   it also reads without a notification, which bounds the delay if one is ever missed and
//!   notices a dead connection.
//! - The same connection also `LISTEN`s on the channel of each of the replica's notified
//!   caches ([`crate::db::notified`]: token users, `user_auth_changes`; page-load reads,
//!   `dashboard_changes`): one listening connection per replica. Each such notification goes
//!   to its cache; the caches are cleared at every (re)connection and the connection proves
//!   every 200 ms that it still hears (a cache trusts nothing long past the last proof).

use std::{
    sync::{Arc, atomic::Ordering},
    time::Duration,
};

use futures_util::{StreamExt, stream};
use tokio::sync::{Notify, watch};
use tokio_postgres::AsyncMessage;

use super::{Envelope, Hub};
use crate::{
    activity::queries::{EVENTS_AFTER_SQL, RECORDERS_SQL, STILL_RECORDING_SQL},
    db::notified,
};

/// Rows per read of the outbox.
const PAGE: i64 = 500;
/// A read without a notification this often.
const POLL: Duration = Duration::from_secs(5);
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(10);
/// How often a gap's recorders are looked up again, and the longest wait for them (a
/// transaction that recorded and then hangs: after this the listener moves on, with a
/// warning, rather than stop every stream of the replica).
const SETTLE_POLL: Duration = Duration::from_millis(2);
const SETTLE_MAX: Duration = Duration::from_secs(60);

impl Hub {
    pub(super) async fn listen(hub: std::sync::Weak<Self>) {
        let mut backoff = BACKOFF_MIN;
        loop {
            let Some(this) = hub.upgrade() else { return };
            let mut closing = this.closing();
            match this.session(&mut closing, &mut backoff).await {
                Ok(()) => return,
                Err(e) => tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64,
                    "live-update listener lost its connection; reconnecting"),
            }
            drop(this);
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                _ = closing.wait_for(|c| *c) => return,
            }
            backoff = (backoff * 2).min(BACKOFF_MAX);
        }
    }

    /// One connection's life: connect, `LISTEN`, catch up, then read on every notification.
    /// `Ok` only at shutdown.
    async fn session(
        &self,
        closing: &mut watch::Receiver<bool>,
        backoff: &mut Duration,
    ) -> anyhow::Result<()> {
        let connect = tokio_postgres::connect(self.url.expose(), tokio_postgres::NoTls);
        let (client, mut connection) =
            tokio::time::timeout(self.connect_timeout, connect)
                .await
                .map_err(|_| anyhow::anyhow!("no connection within the connect timeout"))??;
        let woken = Arc::new(Notify::new());
        let wake = woken.clone();
        let caches = self.caches.clone();
        let mut driver = tokio::spawn(async move {
            let mut messages = stream::poll_fn(move |cx| connection.poll_message(cx));
            while let Some(message) = messages.next().await {
                match message {
                    Ok(AsyncMessage::Notification(n)) => {
                        match caches.iter().find(|c| c.channel() == n.channel()) {
                            Some(cache) => cache.hear(n.payload()),
                            None => wake.notify_one(),
                        }
                    }
                    Ok(_) => {}
                    Err(e) => return e.to_string(),
                }
            }
            "the server closed the connection".to_owned()
        });
        let result = async {
            let mut setup = format!(
                "SET application_name = '{}'; LISTEN activity_events",
                self.app_name
            );
            for cache in self.caches.iter() {
                setup.push_str(&format!("; LISTEN {}", cache.channel()));
            }
            client.batch_execute(&setup).await?;
            // Listening from here on: whatever changed before is read afresh.
            for cache in self.caches.iter() {
                cache.reset();
            }
            tokio::select! {
                r = self.fan_out(&client, &woken, closing, backoff) => r,
                r = notified::keep_confirming(&self.caches, &client) => Ok(r?),
            }
        };
        let outcome = tokio::select! {
            r = result => r,
            reason = &mut driver => Err(anyhow::anyhow!(reason.unwrap_or_else(|e| e.to_string()))),
        };
        driver.abort();
        outcome
    }

    /// The outbox's part of a session: catch up, then read on every notification. `Ok` only at
    /// shutdown.
    async fn fan_out(
        &self,
        client: &tokio_postgres::Client,
        woken: &Notify,
        closing: &mut watch::Receiver<bool>,
        backoff: &mut Duration,
    ) -> anyhow::Result<()> {
        let statement = client.prepare(EVENTS_AFTER_SQL).await?;
        if self.position.load(Ordering::SeqCst) < 0 {
            // Where the outbox ends, once the ids below it are final.
            let row = client
                .query_one("SELECT coalesce(max(id), 0) FROM activity_events", &[])
                .await?;
            self.settle(client).await?;
            self.position.store(row.get(0), Ordering::SeqCst);
        }
        self.sessions.fetch_add(1, Ordering::Relaxed);
        self.catch_up(client, &statement).await?;
        self.ready.send_replace(true);
        *backoff = BACKOFF_MIN;
        loop {
            tokio::select! {
                () = woken.notified() => {}
                () = tokio::time::sleep(POLL) => {}
                _ = closing.wait_for(|c| *c) => return Ok(()),
            }
            self.catch_up(client, &statement).await?;
        }
    }

    /// Broadcasts every row after the position, in id order, never passing an id that may
    /// still appear (see the module doc).
    async fn catch_up(
        &self,
        client: &tokio_postgres::Client,
        statement: &tokio_postgres::Statement,
    ) -> Result<(), tokio_postgres::Error> {
        let read = |after: i64, until: i64| async move {
            client
                .query(
                    statement,
                    &[
                        &after,
                        &None::<Vec<String>>,
                        &None::<Vec<String>>,
                        &PAGE,
                        &until,
                    ],
                )
                .await
        };
        loop {
            let after = self.position.load(Ordering::SeqCst);
            let mut rows = read(after, i64::MAX).await?;
            let Some(newest) = rows.last().map(|r| r.get::<_, i64>(0)) else {
                return Ok(());
            };
            let contiguous = (0..)
                .zip(&rows)
                .all(|(i, r)| r.get::<_, i64>(0) == after + 1 + i);
            if !contiguous {
                self.settle(client).await?;
                rows = read(after, newest).await?;
            }
            let full = rows.len() as i64 == PAGE;
            for row in &rows {
                let id: i64 = row.get(0);
                // Before the send: a stream subscribing in between reads this position and
                // replays up to it, or receives the row; never neither.
                self.position.store(id, Ordering::SeqCst);
                if let Some(e) = Envelope::new(id, row.get(1), row.get(2), row.get(3)) {
                    // No receiver is not an error: there is simply no stream open.
                    let _ = self.tx.send(Arc::new(e));
                }
            }
            if contiguous && !full {
                return Ok(());
            }
        }
    }

    /// Waits until the transactions recording right now have ended (see the module doc).
    async fn settle(&self, client: &tokio_postgres::Client) -> Result<(), tokio_postgres::Error> {
        let recorders: Vec<String> = client.query_one(RECORDERS_SQL, &[]).await?.get(0);
        if recorders.is_empty() {
            return Ok(());
        }
        let started = tokio::time::Instant::now();
        loop {
            let left: i64 = client
                .query_one(STILL_RECORDING_SQL, &[&recorders])
                .await?
                .get(0);
            if left == 0 {
                return Ok(());
            }
            if started.elapsed() > SETTLE_MAX {
                tracing::warn!(
                    transactions = ?recorders,
                    "live updates: a transaction holding outbox ids has not ended within 60 s; \
                     moving on (an event it commits later is not broadcast by this replica)"
                );
                return Ok(());
            }
            tokio::time::sleep(SETTLE_POLL).await;
        }
    }
}
