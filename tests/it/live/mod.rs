//! Live updates through the real router on real PostgreSQL: the outbox written by each
//! feature in its transaction, the fan-out across two app instances on one database, the
//! stream's resume, filters, limits and faults, and the jobs that run once.

mod database;
mod jobs;
mod outbox;
mod restart;
mod stream;

use std::time::Duration;

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use fulfillment_ops::{
    activity::{self, Activity},
    config::Config,
    http::state::AppState,
};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use uuid::Uuid;

use crate::common::{TestApp, test_config};

/// A second app instance (replica) on the test's database.
pub struct Replica {
    pub state: AppState,
    pub router: Router,
}

impl Replica {
    pub fn on(app: &TestApp, name: &str, adjust: impl FnOnce(&mut Config)) -> Replica {
        let mut config = test_config(&app.db.url);
        config.database.instance_id = name.to_owned();
        adjust(&mut config);
        let state = fulfillment_ops::build_state(config).expect("state");
        let router = fulfillment_ops::router(state.clone());
        Replica { state, router }
    }
}

/// One server-sent event as the browser sees it.
#[derive(Debug, Clone, Default)]
pub struct Sse {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
}

impl Sse {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or_else(|e| panic!("{e}: {}", self.data))
    }
    pub fn id(&self) -> i64 {
        self.id
            .as_deref()
            .and_then(|i| i.parse().ok())
            .expect("numeric id")
    }
}

/// An open `GET /api/v1/me/stream`, read frame by frame.
pub struct Stream {
    body: Body,
    buf: String,
    pub ended: bool,
    /// Heartbeat comments seen so far.
    pub heartbeats: usize,
}

/// Opens a stream; `Err` with the status and body when it is refused.
pub async fn open(
    router: &Router,
    token: &str,
    query: &str,
    last_event_id: Option<&str>,
) -> Result<Stream, (StatusCode, String)> {
    let mut req = Request::builder()
        .uri(format!("/api/v1/me/stream{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id);
    }
    let res = router
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    if res.status() != StatusCode::OK {
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .expect("body");
        return Err((status, String::from_utf8_lossy(&body).into_owned()));
    }
    assert_eq!(
        res.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    Ok(Stream {
        body: res.into_body(),
        buf: String::new(),
        ended: false,
        heartbeats: 0,
    })
}

impl Stream {
    /// The next message (event, or an `id:`-only marker), skipping heartbeat comments;
    /// `None` when the stream ended or nothing came within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<Sse> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut sse = Sse::default();
                let mut any = false;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        sse.id = Some(v.trim().to_owned());
                        any = true;
                    } else if let Some(v) = line.strip_prefix("event:") {
                        sse.event = Some(v.trim().to_owned());
                        any = true;
                    } else if let Some(v) = line.strip_prefix("data:") {
                        sse.data.push_str(v.trim_start());
                        any = true;
                    } else if line.starts_with(':') {
                        self.heartbeats += 1;
                    }
                }
                if any {
                    return Some(sse);
                }
                continue;
            }
            if self.ended {
                return None;
            }
            match tokio::time::timeout_at(deadline, self.body.frame()).await {
                Err(_) => return None,
                Ok(None) => self.ended = true,
                Ok(Some(frame)) => {
                    let frame = frame.expect("body frame");
                    if let Some(data) = frame.data_ref() {
                        self.buf.push_str(&String::from_utf8_lossy(data));
                    }
                }
            }
        }
    }

    /// The next message within 10 s; panics when none comes.
    pub async fn next(&mut self) -> Sse {
        self.next_within(Duration::from_secs(10))
            .await
            .expect("a message on the stream within 10 s")
    }

    /// The next message that is an event (not an `id:` marker).
    pub async fn next_event(&mut self) -> Sse {
        loop {
            let m = self.next().await;
            if m.event.is_some() {
                return m;
            }
        }
    }

    /// Asserts that no event arrives within `wait`.
    pub async fn assert_quiet(&mut self, wait: Duration) {
        while let Some(m) = self.next_within(wait).await {
            assert!(m.event.is_none(), "unexpected event {m:?}");
        }
    }
}

/// Records an event for `client` the way a feature does, in a committed transaction of its
/// own; answers its outbox id.
pub async fn record(app: &TestApp, event: Activity) -> i64 {
    use diesel_async::AsyncConnection;
    let mut conn = app.conn().await;
    conn.transaction::<_, diesel::result::Error, _>(async |c| activity::record(c, &event).await)
        .await
        .expect("record")
}

/// A `cost_tracking.aggregated` event of `client` (the simplest to make by hand).
pub fn aggregated(client_id: Uuid, period: &str) -> Activity {
    Activity::CostTrackingAggregated {
        client_id,
        period: period.to_owned(),
        products: 1,
    }
}

/// Waits until the replica's listener has broadcast `id`.
pub async fn until_broadcast(state: &AppState, id: i64) {
    for _ in 0..200 {
        if state.live.position() >= id {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "the listener never broadcast {id} (at {})",
        state.live.position()
    );
}
