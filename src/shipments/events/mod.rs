//! A shipment's carrier events, and [`apply`]: the one way an event reaches a shipment. The
//! carrier webhooks and the import call it, `POST …/events` its one-event form
//! [`apply_one_locked`] (one statement instead of three; tested to answer the same), so the
//! rules (idempotent by dedupe key, the newest event wins, nothing leaves a terminal status)
//! live in one place, the SQL of `status_rule.sql`, which both statements end with. It also
//! records the live-update events of what changed (`shipment.status_changed`,
//! `shipment.delayed`, `shipment.exception`) in the caller's transaction, last, so every
//! path that changes a shipment's state announces it the same way.

pub mod handlers;
mod one;
pub mod types;

pub use self::one::apply_one_locked;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::{
    prelude::*,
    sql_types::{Array, Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use self::types::{NewEvent, ShipmentEvent};
use super::types::ShipmentStatus;
use crate::{
    activity::{self, Activity},
    db::prepared::Sql,
    db::schema::{shipment_events, shipments},
    http::pagination::PageRequest,
    keyset_page,
};

/// The state of the shipments in `$1` (uuid[]) from their histories: the status rule
/// (`status_rule.sql`, then `state_write.sql`) after the batch head. [`APPLY_ONE`] is the same
/// rule after another head.
pub const REFRESH_STATE: &str = concat!(
    include_str!("refresh_state_head.sql"),
    include_str!("status_rule.sql"),
    include_str!("state_write.sql"),
    "SELECT * FROM state\n"
);

/// [`REFRESH_STATE`], kept prepared on the connection. (As a `sql_query` it was parsed and
/// planned on every call: 1.2 ms of planning, more than it takes to run for one shipment.)
static REFRESH: Sql = Sql::new(REFRESH_STATE);

/// [`APPLY_ONE`], kept prepared on the connection.
static APPLY_ONE_SQL: Sql = Sql::new(APPLY_ONE);

/// [`APPEND_NEWEST`], kept prepared on the connection.
static APPEND_NEWEST_SQL: Sql = Sql::new(APPEND_NEWEST);

/// What both one-event statements answer: the state, the stored event (for a duplicate: the
/// one stored before) and whether it is new.
macro_rules! one_event_answer {
    () => {
        "SELECT s.*, e.created, e.id, e.status, e.description, e.location, e.event_time,
       e.estimated_delivery_at, e.raw_data, e.dedupe_key, e.created_at
FROM state s CROSS JOIN stored e\n"
    };
}

/// One event stored and its shipment's state brought up to date, in one statement: the same
/// status rule after a head that inserts the event (`insert_one.sql`, `apply_one_head.sql`).
pub const APPLY_ONE: &str = concat!(
    include_str!("insert_one.sql"),
    include_str!("apply_one_head.sql"),
    include_str!("status_rule.sql"),
    include_str!("state_write.sql"),
    one_event_answer!()
);

/// [`APPLY_ONE`] for an event newer than the whole history of a shipment that is not
/// terminal: the event is the state, without reading the history (`append_newest.sql`); the
/// same write and answer.
pub const APPEND_NEWEST: &str = concat!(
    include_str!("insert_one.sql"),
    include_str!("append_newest.sql"),
    include_str!("state_write.sql"),
    one_event_answer!()
);

/// The events already stored for (shipment, dedupe key) pairs: the duplicates of a batch.
const STORED_BEFORE: &str = include_str!("stored_before.sql");

/// Rows per multi-row INSERT (8 parameters a row, PostgreSQL takes 65 535).
const INSERT_CHUNK: usize = 5000;

/// What became of one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Stored, and the shipment's state now comes from it.
    Applied,
    /// The same scan was stored before; nothing changed.
    Duplicate,
    /// Stored in the history; a newer event already set the state.
    Older,
    /// Stored in the history; the shipment had already reached a terminal status.
    AfterTerminal,
}

#[derive(Debug, Clone)]
pub struct Applied {
    /// The stored event (for a duplicate: the one stored before).
    pub event: ShipmentEvent,
    pub outcome: Outcome,
    /// The shipment's status after the batch.
    pub shipment_status: ShipmentStatus,
}

impl Applied {
    pub fn reason(&self) -> Option<String> {
        match self.outcome {
            Outcome::Applied => None,
            Outcome::Duplicate => {
                Some("the same event was posted before; it is stored once".into())
            }
            Outcome::Older => Some(
                "a newer event already set the shipment's status; this one is kept in the history"
                    .into(),
            ),
            Outcome::AfterTerminal => Some(format!(
                "the shipment is already {}, a terminal status; this event is kept in the history",
                self.shipment_status
            )),
        }
    }
}

#[derive(QueryableByName)]
struct State {
    #[diesel(sql_type = SqlUuid)]
    shipment_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    event_id: Uuid,
    // The state's columns are named apart from the event's: `APPLY_ONE` answers both.
    #[diesel(sql_type = Text, column_name = state_status)]
    status: ShipmentStatus,
    #[diesel(sql_type = Timestamptz, column_name = state_event_time)]
    event_time: DateTime<Utc>,
    #[diesel(sql_type = Bool)]
    changed: bool,
    // What the row was before, when it was rewritten (null otherwise).
    #[diesel(sql_type = Nullable<SqlUuid>)]
    client_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    tracking_number: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    old_status: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    was_delayed: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    is_delayed: Option<bool>,
    #[diesel(sql_type = Nullable<Timestamptz>, column_name = new_estimated_delivery_at)]
    estimated_delivery_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Text>)]
    old_exception_reason: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    exception_reason: Option<String>,
}

impl State {
    /// What became of `event` (`new`: stored now, not before) in this state.
    fn outcome_of(&self, event: &ShipmentEvent, new: bool) -> Outcome {
        if !new {
            Outcome::Duplicate
        } else if self.event_id == event.id {
            Outcome::Applied
        } else if self.status.is_terminal() && event.event_time >= self.event_time {
            Outcome::AfterTerminal
        } else {
            Outcome::Older
        }
    }

    /// The live-update events of a rewritten row: its status changed; it became delayed; it
    /// entered an exception (or a new exception reason was reported).
    fn announcements(&self) -> Vec<Activity> {
        let (Some(client_id), true) = (self.client_id, self.changed) else {
            return Vec::new();
        };
        let shipment_id = self.shipment_id;
        let tracking_number = self.tracking_number.clone().unwrap_or_default();
        let to = self.status.as_str();
        let from = self.old_status.as_deref().unwrap_or_default();
        let mut out = Vec::new();
        if from != to {
            out.push(Activity::ShipmentStatusChanged {
                client_id,
                shipment_id,
                tracking_number: tracking_number.clone(),
                from: from.to_owned(),
                to: to.to_owned(),
                event_time: self.event_time,
            });
        }
        if self.is_delayed == Some(true) && self.was_delayed != Some(true) {
            out.push(Activity::ShipmentDelayed {
                client_id,
                shipment_id,
                tracking_number: tracking_number.clone(),
                status: to.to_owned(),
                estimated_delivery_at: self.estimated_delivery_at,
            });
        }
        if self.status == ShipmentStatus::Exception
            && (from != to || self.old_exception_reason != self.exception_reason)
        {
            out.push(Activity::ShipmentException {
                client_id,
                shipment_id,
                tracking_number,
                reason: self.exception_reason.clone(),
            });
        }
        out
    }
}

/// Stores the events (each once: a known dedupe key is a duplicate) and brings their
/// shipments' state up to date from their history, answering what became of each event in
/// the order given. Run it inside a transaction: it locks the shipments first (in id order),
/// so concurrent callers for one shipment apply one after the other.
pub async fn apply(
    conn: &mut AsyncPgConnection,
    events: Vec<NewEvent>,
) -> QueryResult<Vec<Applied>> {
    shipments::table
        .filter(shipments::id.eq_any(shipment_ids(&events)))
        .select(shipments::id)
        .order(shipments::id)
        .for_no_key_update()
        .load::<Uuid>(conn)
        .await?;
    apply_locked(conn, events).await
}

fn shipment_ids(events: &[NewEvent]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = events.iter().map(|e| e.shipment_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// [`apply`] for a caller that already holds every event's shipment `FOR NO KEY UPDATE` in
/// this transaction (one round trip fewer: `POST …/events` reads its shipment with the lock).
pub async fn apply_locked(
    conn: &mut AsyncPgConnection,
    events: Vec<NewEvent>,
) -> QueryResult<Vec<Applied>> {
    let ids = shipment_ids(&events);
    let mut stored: HashMap<(Uuid, String), ShipmentEvent> = HashMap::new();
    for chunk in events.chunks(INSERT_CHUNK) {
        let rows: Vec<ShipmentEvent> = diesel::insert_into(shipment_events::table)
            .values(chunk)
            .on_conflict((shipment_events::shipment_id, shipment_events::dedupe_key))
            .do_nothing()
            .returning(ShipmentEvent::as_returning())
            .get_results(conn)
            .await?;
        stored.extend(
            rows.into_iter()
                .map(|e| ((e.shipment_id, e.dedupe_key.clone()), e)),
        );
    }
    let created: HashSet<Uuid> = stored.values().map(|e| e.id).collect();
    let (missing_ids, missing_keys): (Vec<Uuid>, Vec<&str>) = events
        .iter()
        .filter(|e| !stored.contains_key(&(e.shipment_id, e.dedupe_key.clone())))
        .map(|e| (e.shipment_id, e.dedupe_key.as_str()))
        .unzip();
    if !missing_ids.is_empty() {
        let before: Vec<ShipmentEvent> = diesel::sql_query(STORED_BEFORE)
            .bind::<Array<SqlUuid>, _>(&missing_ids)
            .bind::<Array<Text>, _>(&missing_keys)
            .load(conn)
            .await?;
        stored.extend(
            before
                .into_iter()
                .map(|e| ((e.shipment_id, e.dedupe_key.clone()), e)),
        );
    }

    let states: HashMap<Uuid, State> = REFRESH
        .query()
        .bind::<Array<SqlUuid>, _>(&ids)
        .load::<State>(conn)
        .await?
        .into_iter()
        .map(|s| (s.shipment_id, s))
        .collect();
    let mut changes: Vec<&State> = states.values().collect();
    changes.sort_by_key(|s| s.shipment_id);
    let announced: Vec<Activity> = changes.iter().flat_map(|s| s.announcements()).collect();
    activity::record_all(conn, &announced).await?;

    let mut first_seen = HashSet::new();
    Ok(events
        .iter()
        .filter_map(|e| {
            let event = stored.get(&(e.shipment_id, e.dedupe_key.clone()))?.clone();
            let state = states.get(&e.shipment_id)?;
            let new = created.contains(&event.id) && first_seen.insert(event.id);
            let outcome = state.outcome_of(&event, new);
            Some(Applied {
                event,
                outcome,
                shipment_status: state.status,
            })
        })
        .collect())
}

/// Sort key of a history: oldest first.
pub type EventKey = (DateTime<Utc>, Uuid);

pub fn event_key(e: &ShipmentEvent) -> EventKey {
    (e.event_time, e.id)
}

/// A page of a shipment's history, chronological.
pub async fn history(
    conn: &mut AsyncPgConnection,
    shipment_id: Uuid,
    page: &PageRequest<EventKey>,
) -> QueryResult<Vec<ShipmentEvent>> {
    let q = shipment_events::table
        .filter(shipment_events::shipment_id.eq(shipment_id))
        .select(ShipmentEvent::as_select())
        .into_boxed();
    keyset_page!(
        q,
        page,
        asc(shipment_events::event_time, shipment_events::id)
    )
    .load(conn)
    .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_statement_writes_the_state_the_one_way() {
        let (insert, rule, write) = (
            include_str!("insert_one.sql"),
            include_str!("status_rule.sql"),
            include_str!("state_write.sql"),
        );
        let refresh = [include_str!("refresh_state_head.sql"), rule, write].concat();
        assert!(super::REFRESH_STATE.starts_with(&refresh));
        let one = [insert, include_str!("apply_one_head.sql"), rule, write].concat();
        assert!(super::APPLY_ONE.starts_with(&one));
        let newest = [insert, include_str!("append_newest.sql"), write].concat();
        assert!(super::APPEND_NEWEST.starts_with(&newest));
        assert_eq!(super::REFRESH.params(), 1);
        assert_eq!(super::APPLY_ONE_SQL.params(), 8);
        assert_eq!(super::APPEND_NEWEST_SQL.params(), 8);
    }
}
