//! `POST …/events` stores its event and runs the status rule in one statement
//! (`events::apply_one_locked`); every other source (webhooks, the import) goes through the
//! batch path (`events::apply`). On shuffled histories, posted one event at a time to two
//! shipments, the two paths answer the same for every event and leave the same shipment row
//! and the same live-update events after each. In-order stretches take the one-event path's
//! shortcut for an event newer than the whole history (`append_newest.sql`), the rest its
//! full rule.

use super::World;
use crate::common::TestApp;
use axum::http::StatusCode;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use fulfillment_ops::{
    http::validation::validate,
    shipments::{
        events::{
            Outcome, apply,
            types::{CreateEvent, EventReceipt},
        },
        queries,
    },
};
use serde_json::{Value, json};
use uuid::Uuid;

/// A life with estimates (one already past: delayed), two exception reasons, two scans at one
/// time, raw payloads, a terminal status and scans after it.
fn history() -> Vec<Value> {
    let scans = [
        ("label_created", "2025-03-01T08:00:00Z"),
        ("in_transit", "2025-03-01T18:00:00Z"),
        ("in_transit", "2025-03-02T06:00:00Z"),
        ("exception", "2025-03-02T12:00:00Z"),
        ("exception", "2025-03-02T13:00:00Z"),
        ("in_transit", "2025-03-03T07:00:00Z"),
        ("out_for_delivery", "2025-03-04T07:00:00Z"),
        ("delivery_attempted", "2025-03-04T07:00:00Z"),
        ("delivered", "2025-03-05T15:00:00Z"),
        ("in_transit", "2025-03-06T10:00:00Z"),
        ("returned_to_sender", "2025-03-07T10:00:00Z"),
        ("exception", "2025-03-08T10:00:00Z"),
    ];
    let mut events: Vec<Value> = scans
        .iter()
        .enumerate()
        .map(|(i, (status, at))| json!({"status": status, "event_time": at, "raw": {"seq": i}}))
        .collect();
    events[1]["estimated_delivery_at"] = json!("2025-03-03T00:00:00Z");
    events[2]["location"] = json!("Louisville, KY");
    events[3]["description"] = json!("Weather delay");
    events[4]["description"] = json!("Road closed");
    events[5]["estimated_delivery_at"] = json!("2999-01-01T00:00:00Z");
    events
}

/// What a caller can tell of a receipt: its code and body, without the ids and times that
/// differ between two shipments.
fn comparable(created: bool, receipt: Value) -> Value {
    let mut r = receipt;
    for key in ["id", "shipment_id", "created_at"] {
        r.as_object_mut().expect("receipt").remove(key);
    }
    json!({"created": created, "receipt": r})
}

/// The batch path for one event, as the webhooks call it.
async fn via_apply(conn: &mut AsyncPgConnection, client: Uuid, id: Uuid, body: &Value) -> Value {
    let body: CreateEvent = serde_json::from_value(body.clone()).expect("event body");
    let applied = conn
        .transaction::<_, diesel::result::Error, _>(async |conn| {
            let rules = queries::get_for_update(conn, client, id)
                .await?
                .carrier
                .rules();
            let event = validate(|v| body.parts().checked(v, "", rules, id)).expect("valid");
            Ok(apply(conn, vec![event]).await?.pop().expect("one answer"))
        })
        .await
        .expect("apply");
    let created = applied.outcome != Outcome::Duplicate;
    let receipt = EventReceipt {
        applied: applied.outcome == Outcome::Applied,
        reason: applied.reason(),
        shipment_status: applied.shipment_status,
        event: applied.event,
    };
    comparable(created, serde_json::to_value(receipt).expect("receipt"))
}

/// The shipment row and its live-update events, without what differs between two shipments.
async fn outcome(db: &tokio_postgres::Client, id: Uuid) -> (String, Vec<(String, String)>) {
    let row = db
        .query_one(
            "SELECT (to_jsonb(s) - 'id' - 'created_at' - 'updated_at' - 'order_request_id')::text \
             FROM shipments s WHERE id = $1",
            &[&id],
        )
        .await
        .expect("shipment")
        .get(0);
    let outbox = db
        .query(
            "SELECT type, payload::text FROM activity_events WHERE subject_id = $1 ORDER BY id",
            &[&id],
        )
        .await
        .expect("outbox")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    (row, outbox)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_posted_event_ends_as_the_batch_path_would_in_any_order() {
    let app = TestApp::new().await;
    let db = app.db.client().await;
    let mut conn = app.conn().await;
    let events = history();
    let n = events.len();
    for (round, step) in [1, 5, 7, 11, 1].into_iter().enumerate() {
        let w = World::new(&app, &format!("Acme {round}")).await;
        let posted: Uuid = w.ship(&app, w.body(1)).await.parse().expect("id");
        let applied: Uuid = w.ship(&app, w.body(1)).await.parse().expect("id");
        // A permutation per round (the steps are coprime to 12), its first three again.
        let order: Vec<usize> = (0..n).map(|i| (i * step + round) % n).collect();
        for &i in order.iter().chain(&order[..3]) {
            let res = app
                .post(&w.events(&posted.to_string()), &w.user, events[i].clone())
                .await;
            assert!(res.status.is_success(), "{}", res.text());
            let fast = comparable(res.status == StatusCode::CREATED, res.json());
            let batch = via_apply(&mut conn, w.client, applied, &events[i]).await;
            assert_eq!(fast, batch, "round {round}, event {i}");
            // After every event, not only at the end: a later event's full rule would
            // rewrite a wrong row and hide the slip.
            assert_eq!(
                outcome(&db, posted).await,
                outcome(&db, applied).await,
                "round {round}, after event {i}"
            );
        }
    }
}
