//! `GET /api/v1/me/stream` across two instances on one database: fan-out, resume on the
//! other instance, rolled-back writes, preferences and tenancy, limits, bad resume ids,
//! slow consumers, retention, shutdown, a killed listener connection, heartbeats.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;

use super::{Replica, aggregated, open, record, until_broadcast};
use crate::{
    common::{TestApp, TestDb},
    shipments::World,
};

#[tokio::test(flavor = "multi_thread")]
async fn a_shipment_event_posted_through_one_instance_reaches_a_stream_on_the_other() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let b = Replica::on(&app, "replica-b", |_| {});
    let mut s = open(&b.router, &w.user.token, "", None)
        .await
        .expect("stream");
    let marker = s.next().await;
    assert!(
        marker.event.is_none(),
        "the first message only sets the id: {marker:?}"
    );
    let shipment = w.ship(&app, w.body(1)).await;
    let res = app
        .post(
            &w.events(&shipment),
            &w.user,
            json!({"status": "in_transit", "event_time": "2025-03-01T10:00:00Z"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let e = s.next_event().await;
    assert_eq!(e.event.as_deref(), Some("shipment.status_changed"));
    let data = e.json();
    assert_eq!(data["id"], e.id());
    assert!(e.id() > marker.id());
    assert_eq!(data["type"], "shipment.status_changed");
    assert_eq!(data["client_id"], w.client.to_string());
    assert_eq!(data["subject_id"], shipment);
    assert_eq!(data["payload"]["from"], "label_created");
    assert_eq!(data["payload"]["to"], "in_transit");
    assert!(
        data["created_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert!(
        b.state.live.position() >= e.id(),
        "B's own listener fanned it out"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reconnecting_to_the_other_instance_with_last_event_id_misses_nothing() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let b = Replica::on(&app, "replica-b", |_| {});
    let mut on_a = open(&app.router, &user.token, "", None)
        .await
        .expect("stream");
    let first = record(&app, aggregated(acme, "2025-01")).await;
    assert_eq!(on_a.next_event().await.id(), first);
    drop(on_a);
    let mut missed = vec![
        record(&app, aggregated(acme, "2025-02")).await,
        record(&app, aggregated(acme, "2025-03")).await,
        record(&app, aggregated(acme, "2025-04")).await,
    ];
    for resume in [
        open(&b.router, &user.token, "", Some(&first.to_string())).await,
        open(
            &b.router,
            &user.token,
            &format!("?last_event_id={first}"),
            None,
        )
        .await,
    ] {
        let mut on_b = resume.expect("stream");
        assert_eq!(on_b.next().await.id(), first, "resumes where it left off");
        let mut got = Vec::new();
        for _ in 0..missed.len() {
            got.push(on_b.next_event().await.id());
        }
        assert_eq!(got, missed, "every missed event, in order");
        let live = record(&app, aggregated(acme, "2025-05")).await;
        assert_eq!(on_b.next_event().await.id(), live, "then live ones");
        missed.push(live);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rolled_back_write_announces_nothing() {
    use diesel_async::AsyncConnection;
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let b = Replica::on(&app, "replica-b", |_| {});
    let mut s = open(&b.router, &user.token, "", None)
        .await
        .expect("stream");
    let mut conn = app.conn().await;
    let rolled_back = conn
        .transaction::<(), diesel::result::Error, _>(async |c| {
            fulfillment_ops::activity::record(c, &aggregated(acme, "2025-01")).await?;
            Err(diesel::result::Error::RollbackTransaction)
        })
        .await;
    assert!(rolled_back.is_err());
    let committed = record(&app, aggregated(acme, "2025-02")).await;
    let e = s.next_event().await;
    assert_eq!(e.id(), committed);
    assert_eq!(e.json()["payload"]["period"], "2025-02");
    let rows: i64 = app
        .db
        .client()
        .await
        .query_one("SELECT count(*) FROM activity_events", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(rows, 1, "the rolled-back row is not in the outbox either");
}

#[tokio::test(flavor = "multi_thread")]
async fn streams_carry_only_the_callers_clients_and_chosen_channels() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let other = app.insert_client("Other").await;
    let res = app
        .patch(
            "/api/v1/me/preferences",
            &user,
            json!({"realtime": {"channels": ["cost_tracking"]}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let mut mine = open(&app.router, &user.token, "", None)
        .await
        .expect("stream");
    let admin = app.admin().await;
    let mut all = open(&app.router, &admin.token, "", None)
        .await
        .expect("stream");
    let mut others = open(
        &app.router,
        &admin.token,
        &format!("?client_id={other}"),
        None,
    )
    .await
    .expect("stream");
    let theirs = record(&app, aggregated(other, "2025-01")).await;
    let unwanted = record(
        &app,
        fulfillment_ops::activity::Activity::ShipmentException {
            client_id: acme,
            shipment_id: uuid::Uuid::new_v4(),
            tracking_number: "1Z".into(),
            reason: None,
        },
    )
    .await;
    let wanted = record(&app, aggregated(acme, "2025-01")).await;
    assert_eq!(
        mine.next_event().await.id(),
        wanted,
        "not another client's, nor shipments"
    );
    let staff: Vec<i64> = [
        all.next_event().await,
        all.next_event().await,
        all.next_event().await,
    ]
    .iter()
    .map(|e| e.id())
    .collect();
    assert_eq!(staff, [theirs, unwanted, wanted], "staff see every client");
    assert_eq!(others.next_event().await.id(), theirs);
    others.assert_quiet(Duration::from_millis(300)).await;

    let (status, body) = open(
        &app.router,
        &user.token,
        &format!("?client_id={other}"),
        None,
    )
    .await
    .err()
    .expect("refused");
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let bad = app
        .patch(
            "/api/v1/me/preferences",
            &user,
            json!({"realtime": {"channels": ["shipment.delayed_x"]}}),
        )
        .await;
    bad.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);

    let res = app
        .patch(
            "/api/v1/me/preferences",
            &user,
            json!({"realtime": {"enabled": false}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let mut off = open(&app.router, &user.token, "", None)
        .await
        .expect("stream");
    record(&app, aggregated(acme, "2025-02")).await;
    off.assert_quiet(Duration::from_millis(500)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn streams_beyond_the_per_user_or_per_replica_limit_are_429() {
    let app = TestApp::with(TestDb::migrated().await, |c| {
        c.live.max_streams_per_user = 2;
        c.live.max_streams = 3;
    })
    .await;
    let (_, one) = app.client_with_user("Acme").await;
    let (_, two) = app.client_with_user("Beta").await;
    let (_, three) = app.client_with_user("Gamma").await;
    let a = open(&app.router, &one.token, "", None)
        .await
        .expect("first");
    let _b = open(&app.router, &one.token, "", None)
        .await
        .expect("second");
    let (status, body) = open(&app.router, &one.token, "", None)
        .await
        .err()
        .expect("third");
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.contains("LIVE_MAX_STREAMS_PER_USER"), "{body}");
    let _c = open(&app.router, &two.token, "", None)
        .await
        .expect("replica's third");
    let (status, body) = open(&app.router, &three.token, "", None)
        .await
        .err()
        .expect("fourth");
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.contains("LIVE_MAX_STREAMS"), "{body}");
    drop(a);
    open(&app.router, &one.token, "", None)
        .await
        .expect("a closed stream frees its place");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_last_event_id_that_is_not_a_number_is_400() {
    let app = TestApp::new().await;
    let (_, user) = app.client_with_user("Acme").await;
    for (query, header) in [
        ("", Some("abc")),
        ("", Some("-1")),
        ("?last_event_id=1.5", None),
    ] {
        let (status, body) = open(&app.router, &user.token, query, header)
            .await
            .err()
            .expect("refused");
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body.contains("Last-Event-ID"), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_that_falls_behind_its_buffer_ends_with_resync() {
    let app = TestApp::with(TestDb::migrated().await, |c| c.live.stream_buffer = 4).await;
    let (acme, user) = app.client_with_user("Acme").await;
    let mut slow = open(&app.router, &user.token, "", None)
        .await
        .expect("stream");
    let seen = record(&app, aggregated(acme, "2024-12")).await;
    assert_eq!(slow.next_event().await.id(), seen, "replayed, now live");
    // Ten events while the consumer reads nothing: more than its buffer of four.
    let mut last = 0;
    for month in 1..=10 {
        last = record(&app, aggregated(acme, &format!("2025-{month:02}"))).await;
    }
    until_broadcast(&app.state, last).await;
    let e = slow.next().await;
    assert_eq!(e.event.as_deref(), Some("resync"), "{e:?}");
    assert_eq!(e.json()["type"], "resync");
    assert!(slow.next_within(Duration::from_secs(2)).await.is_none());
    assert!(slow.ended, "the stream closes after resync");
}

#[tokio::test(flavor = "multi_thread")]
async fn resuming_from_an_id_no_longer_kept_starts_with_resync() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let first = record(&app, aggregated(acme, "2025-01")).await;
    let second = record(&app, aggregated(acme, "2025-02")).await;
    let third = record(&app, aggregated(acme, "2025-03")).await;
    app.db
        .execute(&format!("DELETE FROM activity_events WHERE id <= {second}"))
        .await;
    let mut lost = open(&app.router, &user.token, "", Some(&(first - 1).to_string()))
        .await
        .expect("stream");
    lost.next().await;
    assert_eq!(lost.next().await.event.as_deref(), Some("resync"));
    let mut kept = open(&app.router, &user.token, "", Some(&second.to_string()))
        .await
        .expect("stream");
    assert_eq!(
        kept.next_event().await.id(),
        third,
        "nothing lost: no resync"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn streams_end_at_shutdown() {
    let app = TestApp::new().await;
    let (_, user) = app.client_with_user("Acme").await;
    let mut s = open(&app.router, &user.token, "", None)
        .await
        .expect("stream");
    s.next().await;
    app.state.live.close();
    assert!(s.next_within(Duration::from_secs(5)).await.is_none());
    assert!(s.ended, "the stream ended rather than hanging");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_listener_connection_reconnects_and_misses_nothing() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let mut s = open(&app.router, &user.token, "", None)
        .await
        .expect("stream");
    s.next().await;
    let killed: i64 = app
        .db
        .client()
        .await
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = current_database() \
               AND application_name LIKE 'fulfillment-ops/listen/%'",
            &[],
        )
        .await
        .expect("terminate")
        .get(0);
    assert_eq!(killed, 1, "one listener connection per instance");
    let during = record(&app, aggregated(acme, "2025-01")).await;
    let sessions = || {
        app.state
            .live
            .sessions
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    for _ in 0..200 {
        if sessions() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(sessions() >= 2, "the listener reconnected");
    assert_eq!(
        s.next_event().await.id(),
        during,
        "what was committed meanwhile"
    );
    let after = record(&app, aggregated(acme, "2025-02")).await;
    assert_eq!(s.next_event().await.id(), after, "and live again");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_stream_gets_heartbeats() {
    let app = TestApp::with(TestDb::migrated().await, |c| {
        c.live.heartbeat = Duration::from_millis(200)
    })
    .await;
    let (_, user) = app.client_with_user("Acme").await;
    let mut s = open(&app.router, &user.token, "", None)
        .await
        .expect("stream");
    s.assert_quiet(Duration::from_millis(900)).await;
    assert!(s.heartbeats >= 2, "{} heartbeats", s.heartbeats);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_database_going_away_and_coming_back_loses_no_event() {
    use crate::common::{proxy::ChaosProxy, server_addr};
    let db = TestDb::migrated().await;
    let proxy = ChaosProxy::start(server_addr()).await;
    let via_proxy = db
        .url
        .replacen(&server_addr(), &format!("127.0.0.1:{}", proxy.port), 1);
    let app = TestApp::with(db, |c| {
        c.database.url = fulfillment_ops::config::Secret::new(&via_proxy)
    })
    .await;
    let (acme, user) = app.client_with_user("Acme").await;
    let mut s = open(&app.router, &user.token, "", None)
        .await
        .expect("stream");
    s.next().await;
    proxy.cut();
    // Written (directly, not through the proxy) while this instance has no database.
    let while_down = record(&app, aggregated(acme, "2025-01")).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    proxy.restore();
    assert_eq!(
        s.next_event().await.id(),
        while_down,
        "caught up after reconnecting"
    );
    let after = record(&app, aggregated(acme, "2025-02")).await;
    assert_eq!(s.next_event().await.id(), after);
}

/// A transaction takes an outbox id and stays open while a later one commits: the stream
/// holds the later event back until the earlier one commits (then both, in id order) or rolls
/// back (then the later one), so a browser's Last-Event-ID never passes an event still to come.
#[tokio::test(flavor = "multi_thread")]
async fn an_id_still_in_flight_holds_back_later_events_until_it_commits_or_rolls_back() {
    use diesel_async::SimpleAsyncConnection;
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let b = Replica::on(&app, "replica-b", |_| {});
    let mut s = open(&b.router, &user.token, "", None)
        .await
        .expect("stream");
    s.next().await;
    for end in ["COMMIT", "ROLLBACK"] {
        let mut slow = app.conn().await;
        slow.batch_execute("BEGIN").await.expect("begin");
        let early = fulfillment_ops::activity::record(&mut slow, &aggregated(acme, "2025-01"))
            .await
            .expect("record");
        let later = record(&app, aggregated(acme, "2025-02")).await;
        assert!(later > early);
        s.assert_quiet(Duration::from_millis(500)).await;
        slow.batch_execute(end).await.expect(end);
        if end == "COMMIT" {
            assert_eq!(s.next_event().await.id(), early, "the earlier id first");
        }
        assert_eq!(s.next_event().await.id(), later);
    }
}
