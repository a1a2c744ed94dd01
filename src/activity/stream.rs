//! `GET /api/v1/me/stream`: the caller's live updates as server-sent events.
//!
//! A stream starts at a position — the `Last-Event-ID` (header, or `?last_event_id=`) the
//! browser resumes after, else the replica's current position — and sends, in id order,
//! every outbox row after it that the caller may see and wants: first those already
//! committed (read from the outbox in pages, on a pooled connection taken per page), then
//! the replica's broadcast, skipping what the replay already sent. The first message is an
//! `id:` line without data, so a browser that reconnects before any event still resumes
//! from where it started. Nothing is held per stream but a broadcast receiver and this state.
//!
//! Ends: at shutdown (the browser reconnects to another replica with its `Last-Event-ID`);
//! with a final `resync` event when the stream fell `LIVE_STREAM_BUFFER` events behind the
//! fan-out (a slow consumer); on a database error during replay (the browser reconnects).

use std::{collections::VecDeque, convert::Infallible, sync::Arc, time::Duration};

use axum::{
    extract::State,
    http::HeaderMap,
    response::sse::{Event, KeepAlive, Sse},
};
use futures_util::{Stream, stream};
use serde::Deserialize;
use tokio::sync::{broadcast, watch};
use utoipa::IntoParams;
use uuid::Uuid;

use super::{
    EventType,
    hub::{Admission, Envelope, Hub, Refusal},
    queries,
};
use crate::{
    auth::principal::CurrentUser,
    dashboards::preferences::{queries as preferences, types::Preferences},
    db::DbPool,
    http::{
        conn::Db,
        error::{ApiError, ApiResult, Problem},
        extract::Query,
        state::AppState,
    },
};

/// Rows per replay page.
const REPLAY_PAGE: i64 = 200;
/// How long the browser waits before reconnecting (the SSE `retry:` field).
const RETRY: Duration = Duration::from_secs(2);

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// Staff: only this client's events (default: every client's). A client user may name
    /// only its own client.
    pub client_id: Option<Uuid>,
    /// Resume after this outbox id, as the `Last-Event-ID` header does (the header wins).
    pub last_event_id: Option<String>,
}

/// What one stream sends: whose events, of which types.
#[derive(Debug, Clone)]
pub struct Filter {
    /// `None`: every client's (staff without `?client_id=`).
    pub client: Option<Uuid>,
    pub types: Vec<EventType>,
}

impl Filter {
    fn matches(&self, e: &Envelope) -> bool {
        self.client.is_none_or(|c| c == e.client_id) && self.types.contains(&e.kind)
    }
}

#[utoipa::path(get, path = "/api/v1/me/stream", tag = "live", security(("bearer" = [])),
    params(StreamQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this outbox id (the browser sends it on reconnect)")),
    responses(
        (status = 200, description = "`text/event-stream`: `id: <outbox id>`, `event: <type>`, `data: {id, type, client_id, subject_id, payload, created_at}`; `resync` when the client must reload; heartbeat comments", content_type = "text/event-stream", body = String),
        (status = 400, description = "Last-Event-ID is not a number", body = Problem),
        (status = 401, body = Problem),
        (status = 404, description = "No such client, or another tenant's", body = Problem),
        (status = 429, description = "Too many open streams (per user or on this replica)", body = Problem),
        (status = 503, description = "The replica's listener is not connected", body = Problem)))]
pub async fn stream(
    user: CurrentUser,
    State(state): State<AppState>,
    Db(mut conn): Db,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let resume = resume_id(&headers, query.last_event_id.as_deref())?;
    let client = match (user.client_id, query.client_id) {
        (Some(own), Some(asked)) if own != asked => return Err(ApiError::not_found("client")),
        (Some(own), _) => Some(own),
        (None, Some(asked)) => {
            crate::clients::queries::get(&mut conn, asked)
                .await
                .map_err(|e| ApiError::from_query(e, "client"))?;
            Some(asked)
        }
        (None, None) => None,
    };
    let prefs = preferences::get(&mut conn, user.id)
        .await?
        .map(|row| row.preferences())
        .unwrap_or_else(Preferences::default);
    let types = if prefs.realtime.enabled {
        EventType::of_channels(&prefs.realtime.channels)
    } else {
        Vec::new()
    };
    let hub = state.live.clone();
    let admission = hub.admit(user.id).map_err(|r| {
        ApiError::TooManyRequests(match r {
            Refusal::PerUser => format!(
                "this user already has {} live streams open on this replica \
                 (LIVE_MAX_STREAMS_PER_USER); close one (another tab) first",
                hub.config.max_streams_per_user
            ),
            Refusal::Replica => "this replica serves as many live streams as it may \
                                 (LIVE_MAX_STREAMS); retry, another replica may answer"
                .to_owned(),
        })
    })?;
    hub.start();
    if !hub.ready(state.config.database.connect_timeout).await {
        return Err(ApiError::Unavailable(
            "live updates are not connected to the database yet; retry shortly".into(),
        ));
    }
    let (rx, position) = hub.subscribe();
    let mut first = VecDeque::new();
    let start = match resume {
        Some(after) if queries::resume_is_lost(&mut conn, after).await? => {
            first.push_back(resync(
                position,
                "the events after your last id are no longer kept",
            ));
            position
        }
        Some(after) => after,
        None => position,
    };
    drop(conn);
    first.push_front(Event::default().id(start.to_string()).retry(RETRY));
    let live = Live {
        closing: hub.closing(),
        hub,
        pool: state.pool.clone(),
        rx,
        filter: Filter { client, types },
        last: start,
        until: position,
        queue: first,
        replaying: true,
        done: false,
        _admission: admission,
    };
    let heartbeat = KeepAlive::new()
        .interval(state.config.live.heartbeat)
        .text("heartbeat");
    Ok(Sse::new(live.into_stream()).keep_alive(heartbeat))
}

/// The resume id: the header, else the query; a value that is not a whole number is a 400.
fn resume_id(headers: &HeaderMap, query: Option<&str>) -> ApiResult<Option<i64>> {
    let raw = match headers.get("last-event-id") {
        Some(v) => Some(v.to_str().unwrap_or("\u{fffd}")),
        None => query,
    };
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    match raw.parse::<i64>() {
        Ok(id) if id >= 0 => Ok(Some(id)),
        _ => Err(ApiError::BadRequest(format!(
            "Last-Event-ID: {raw:?} is not an event id; expected the whole number of the \
             last event's `id:` line"
        ))),
    }
}

fn resync(position: i64, reason: &str) -> Event {
    let data = serde_json::json!({"type": "resync", "reason": reason}).to_string();
    Event::default()
        .id(position.to_string())
        .event("resync")
        .data(data)
}

fn event_of(e: &Envelope) -> Event {
    Event::default()
        .id(e.id.to_string())
        .event(e.kind.as_str())
        .data(&e.data)
}

/// One stream's state (see the module doc).
struct Live {
    hub: Arc<Hub>,
    pool: DbPool,
    rx: broadcast::Receiver<Arc<Envelope>>,
    closing: watch::Receiver<bool>,
    filter: Filter,
    /// The id the browser would resume after.
    last: i64,
    /// The replay reads up to the replica's settled position at subscription (no id at or
    /// below it can still appear); what comes after arrives through the broadcast.
    until: i64,
    queue: VecDeque<Event>,
    replaying: bool,
    done: bool,
    _admission: Admission,
}

impl Live {
    fn into_stream(self) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
        stream::unfold(self, |mut s| async move {
            let event = s.next().await?;
            Some((Ok(event), s))
        })
    }

    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.queue.pop_front() {
                return Some(e);
            }
            if self.done || *self.closing.borrow() {
                return None;
            }
            if self.replaying {
                if let Err(e) = self.replay_page().await {
                    tracing::warn!(error = %e, "live stream replay failed; closing the stream");
                    return None;
                }
                continue;
            }
            let received = tokio::select! {
                r = self.rx.recv() => r,
                _ = self.closing.wait_for(|c| *c) => return None,
            };
            match received {
                Ok(e) if e.id <= self.last || !self.filter.matches(&e) => continue,
                Ok(e) => {
                    self.last = e.id;
                    return Some(event_of(&e));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    self.done = true;
                    return Some(resync(
                        self.hub.position(),
                        "this stream fell too far behind; reload, then reconnect",
                    ));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// One page of committed rows after `last`; the replay ends with a short page.
    async fn replay_page(&mut self) -> anyhow::Result<()> {
        if self.filter.types.is_empty() || self.last >= self.until {
            self.replaying = false;
            return Ok(());
        }
        let clients = self.filter.client.map(|c| vec![c.to_string()]);
        let types: Vec<&str> = self.filter.types.iter().map(|t| t.as_str()).collect();
        let mut conn = self.pool.get().await?;
        let rows = queries::events_after(
            &mut conn,
            (self.last, self.until),
            clients.as_deref(),
            &types,
            REPLAY_PAGE,
        )
        .await?;
        drop(conn);
        self.replaying = rows.len() as i64 == REPLAY_PAGE;
        for e in rows {
            self.last = e.id;
            self.queue.push_back(event_of(&e));
        }
        Ok(())
    }
}
