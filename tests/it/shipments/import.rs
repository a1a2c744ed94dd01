//! The NDJSON import: counts, idempotent re-import (also two imports at once), bad lines
//! reported with their line number and field and never half-written, events by the rules of
//! `POST …/events`, and the route's own body limit beside everyone else's.

use super::World;
use crate::common::{TestApp, TestDb, TestResponse, concurrently};
use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use serde_json::{Value, json};
use uuid::Uuid;

fn import_path(w: &World) -> String {
    format!("{}/import", w.shipments())
}

fn ndjson(lines: &[Value]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn request(w: &World, body: Body, content_type: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(import_path(w))
        .header(header::AUTHORIZATION, format!("Bearer {}", w.user.token))
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .expect("request")
}

async fn import(app: &TestApp, w: &World, body: String) -> TestResponse {
    app.send(request(w, Body::from(body), "application/x-ndjson"))
        .await
}

/// Imports and expects 200; the report.
async fn imported(app: &TestApp, w: &World, body: String) -> Value {
    let res = import(app, w, body).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

fn scan(status: &str, at: &str) -> Value {
    json!({"status": status, "event_time": at, "location": "Memphis, TN"})
}

/// A line shipping `quantity` of product `p` of the world's order by UPS with this number.
fn line(w: &World, p: usize, quantity: i64, number: &str, events: Vec<Value>) -> Value {
    json!({
        "order_request_id": w.order,
        "carrier": "ups",
        "tracking_number": number,
        "shipped_at": "2025-03-01T08:00:00Z",
        "items": [{"product_id": w.products[p], "quantity": quantity}],
        "events": events,
    })
}

async fn shipments(app: &TestApp, w: &World) -> Vec<Value> {
    app.collect_pages(&w.shipments(), &w.user, 100).await.0
}

fn counts(report: &Value) -> [u64; 5] {
    [
        "lines",
        "shipments_created",
        "shipments_unchanged",
        "events_created",
        "events_duplicate",
    ]
    .map(|k| {
        report[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k} in {report}"))
    })
}

/// (line, field) of every error of a report.
fn errors(report: &Value) -> Vec<(u64, String)> {
    report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().expect("line"),
                e["field"].as_str().expect("field").to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_creates_shipments_and_events_and_a_second_import_changes_nothing() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let body = ndjson(&[
        line(
            &w,
            0,
            2,
            "1Z999AA10123456784",
            vec![
                scan("label_created", "2025-03-01T08:00:00Z"),
                scan("in_transit", "2025-03-01T12:00:00Z"),
                scan("out_for_delivery", "2025-03-02T07:00:00Z"),
            ],
        ),
        line(
            &w,
            1,
            3,
            "1Z999AA10123456785",
            vec![
                scan("in_transit", "2025-03-01T12:00:00Z"),
                scan("delivered", "2025-03-02T15:00:00Z"),
            ],
        ),
    ]);
    let first = imported(&app, &w, body.clone()).await;
    assert_eq!(counts(&first), [2, 2, 0, 5, 0], "{first}");
    assert_eq!(first["errors"], json!([]));
    let listed = shipments(&app, &w).await;
    assert_eq!(listed.len(), 2);
    let by_number = |n: &str| {
        listed
            .iter()
            .find(|s| s["tracking_number"] == n)
            .unwrap_or_else(|| panic!("{n} not in {listed:?}"))
            .clone()
    };
    let a = by_number("1Z999AA10123456784");
    assert_eq!(a["status"], "out_for_delivery");
    assert_eq!(a["items"][0]["quantity"], 2);
    assert_eq!(
        a["items"][0]["order_request_item_id"],
        w.lines[0].to_string()
    );
    assert_eq!(a["shipped_at"], "2025-03-01T08:00:00Z");
    assert!(
        a["tracking_url"]
            .as_str()
            .unwrap_or_default()
            .contains("1Z999AA10123456784")
    );
    let b = by_number("1Z999AA10123456785");
    assert_eq!(b["status"], "delivered");
    assert_eq!(b["delivered_at"], "2025-03-02T15:00:00Z");

    let again = imported(&app, &w, body).await;
    assert_eq!(counts(&again), [2, 0, 2, 0, 5], "{again}");
    assert_eq!(shipments(&app, &w).await.len(), 2);
    let history = app
        .get_as(&w.events(a["id"].as_str().expect("id")), &w.user)
        .await
        .json();
    assert_eq!(history["data"].as_array().map(Vec::len), Some(3));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_re_import_adds_new_events_to_the_shipment_its_key_names() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let mut first = line(&w, 0, 1, "1Z999AA10123456784", vec![]);
    first["import_key"] = json!("legacy-42");
    first["events"] = json!([scan("in_transit", "2025-03-01T12:00:00Z")]);
    imported(&app, &w, ndjson(&[first.clone()])).await;
    first["events"] = json!([
        scan("in_transit", "2025-03-01T12:00:00Z"),
        scan("delivered", "2025-03-02T12:00:00Z")
    ]);
    // The key, not the number, names the shipment: a corrected number changes nothing.
    first["tracking_number"] = json!("1Z999AA10123456785");
    let report = imported(&app, &w, ndjson(&[first])).await;
    assert_eq!(counts(&report), [1, 0, 1, 1, 1], "{report}");
    let listed = shipments(&app, &w).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["status"], "delivered");
    assert_eq!(listed[0]["tracking_number"], "1Z999AA10123456784");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_lines_are_reported_with_their_line_and_field_and_the_good_ones_land() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let other = World::new(&app, "Other").await;
    let mut unknown_carrier = line(&w, 0, 1, "1Z999AA10123456786", vec![]);
    unknown_carrier["carrier"] = json!("pigeon");
    let bad_number = line(&w, 0, 1, "1Z123", vec![]);
    let mut unknown_product = line(&w, 0, 1, "1Z999AA10123456787", vec![]);
    unknown_product["items"][0]["product_id"] = json!(Uuid::new_v4());
    let mut others_order = line(&w, 0, 1, "1Z999AA10123456788", vec![]);
    others_order["order_request_id"] = json!(other.order);
    let bad_event = line(
        &w,
        0,
        1,
        "1Z999AA10123456789",
        vec![
            scan("in_transit", "2025-03-01T10:00:00Z"),
            scan("lost", "2025-03-01T11:00:00Z"),
        ],
    );
    let mut body = String::new();
    body += &ndjson(&[line(&w, 0, 4, "1Z999AA10123456780", vec![])]); // 1: good, 4 of 5
    body += "{\"order_request_id\": \n"; // 2: not JSON
    body += &ndjson(&[
        unknown_carrier,                                    // 3
        bad_number,                                         // 4
        line(&w, 0, 2, "1Z999AA10123456781", vec![]),       // 5: only 1 of 5 remains
        unknown_product,                                    // 6
        others_order,                                       // 7
        bad_event,                                          // 8
        json!({"carrier": "ups", "items": [], "color": 1}), // 9
    ]);
    body += "\n   \n"; // 10, 11: blank, skipped
    body += &ndjson(&[line(
        &w,
        1,
        3,
        "1Z999AA10123456782",
        vec![scan("in_transit", "2025-03-01T10:00:00Z")],
    )]); // 12: good
    let report = imported(&app, &w, body).await;
    assert_eq!(counts(&report), [10, 2, 0, 1, 0], "{report}");
    let errs = errors(&report);
    for expected in [
        (2, "line"),
        (3, "carrier"),
        (4, "tracking_number"),
        (5, "items[0].quantity"),
        (6, "items[0].product_id"),
        (7, "order_request_id"),
        (8, "events[1].status"),
        (9, "color"),
    ] {
        assert!(
            errs.iter()
                .any(|(l, f)| *l == expected.0 && f == expected.1),
            "{expected:?} not in {errs:?}"
        );
    }
    assert!(
        errs.iter().all(|(l, _)| ![1, 10, 11, 12].contains(l)),
        "{errs:?}"
    );
    let over = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .find(|e| e["line"] == 5)
        .expect("line 5");
    assert!(
        over["message"]
            .as_str()
            .unwrap_or_default()
            .contains("1 of 5 ordered (4 already shipped)"),
        "{over}"
    );
    let bad_number = errs.iter().find(|(l, _)| *l == 4).expect("line 4");
    assert_eq!(bad_number.1, "tracking_number");
    let listed = shipments(&app, &w).await;
    assert_eq!(listed.len(), 2, "lines 1 and 12 only: {listed:?}");
    assert!(shipments(&app, &other).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_line_writes_nothing_not_even_its_good_items_or_events() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let mut half = line(
        &w,
        0,
        5,
        "1Z999AA10123456784",
        vec![scan("in_transit", "2025-03-01T10:00:00Z")],
    );
    // 5 of the first product fit; 4 of the second (3 ordered) do not.
    half["items"] = json!([
        {"product_id": w.products[0], "quantity": 5},
        {"product_id": w.products[1], "quantity": 4},
    ]);
    // The next line may take the 5 the bad line did not.
    let next = line(&w, 0, 5, "1Z999AA10123456785", vec![]);
    let report = imported(&app, &w, ndjson(&[half, next])).await;
    assert_eq!(counts(&report), [2, 1, 0, 0, 0], "{report}");
    assert_eq!(errors(&report), [(1, "items[1].quantity".to_owned())]);
    let listed = shipments(&app, &w).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["tracking_number"], "1Z999AA10123456785");
}

#[tokio::test(flavor = "multi_thread")]
async fn imported_events_follow_the_rules_of_posted_events_in_any_order() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let mut exception = scan("exception", "2025-03-02T09:00:00Z");
    exception["description"] = json!("Address incomplete");
    let mut late = scan("in_transit", "2025-03-01T10:00:00Z");
    late["raw"] = json!({"code": "I"});
    // Out of order, an exception, delivery, a scan after delivery, the same scan twice.
    let events = vec![
        scan("delivered", "2025-03-03T15:00:00Z"),
        exception,
        late.clone(),
        scan("out_for_delivery", "2025-03-04T08:00:00Z"),
        late,
        scan("D", "2025-03-03T15:00:00Z"),
    ];
    let report = imported(
        &app,
        &w,
        ndjson(&[line(&w, 0, 1, "1Z999AA10123456784", events)]),
    )
    .await;
    // UPS "D" is `delivered` at the same time: the same scan as the first.
    assert_eq!(counts(&report), [1, 1, 0, 4, 2], "{report}");
    let s = &shipments(&app, &w).await[0];
    assert_eq!(s["status"], "delivered");
    assert_eq!(s["delivered_at"], "2025-03-03T15:00:00Z");
    assert_eq!(s["exception_reason"], "Address incomplete");
    assert_eq!(s["last_event_at"], "2025-03-03T15:00:00Z");
    let history = app
        .get_as(&w.events(s["id"].as_str().expect("id")), &w.user)
        .await
        .json();
    let statuses: Vec<&str> = history["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|e| e["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        statuses,
        ["in_transit", "exception", "delivered", "out_for_delivery"]
    );
    // A posted event after the import meets the same state.
    let res = app
        .post(
            &w.events(s["id"].as_str().expect("id")),
            &w.user,
            scan("in_transit", "2025-03-05T10:00:00Z"),
        )
        .await
        .json();
    assert_eq!(res["applied"], false);
    assert_eq!(res["shipment_status"], "delivered");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_imports_of_one_file_at_once_create_each_shipment_once() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let body = ndjson(&[
        line(
            &w,
            0,
            3,
            "1Z999AA10123456784",
            vec![scan("in_transit", "2025-03-01T10:00:00Z")],
        ),
        line(&w, 1, 3, "1Z999AA10123456785", vec![]),
    ]);
    let api = app.api();
    let reports = concurrently((0..4).map(|_| {
        let req = request(&w, Body::from(body.clone()), "application/x-ndjson");
        api.clone().send(req)
    }))
    .await;
    let mut created = 0;
    for r in &reports {
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let r = r.json();
        assert_eq!(r["errors"], json!([]), "{r}");
        created += r["shipments_created"].as_u64().unwrap_or_default();
    }
    assert_eq!(created, 2);
    assert_eq!(shipments(&app, &w).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_line_needs_an_import_key_or_a_tracking_number_and_the_body_ndjson() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let mut no_key = line(&w, 0, 1, "x", vec![]);
    no_key
        .as_object_mut()
        .expect("object")
        .remove("tracking_number");
    let mut keyed = no_key.clone();
    keyed["import_key"] = json!("batch-7/row-1");
    let report = imported(&app, &w, ndjson(&[no_key, keyed.clone()])).await;
    assert_eq!(errors(&report), [(1, "import_key".to_owned())]);
    assert_eq!(report["shipments_created"], 1);
    let res = app
        .send(request(
            &w,
            Body::from(ndjson(&[keyed])),
            "application/json",
        ))
        .await;
    res.assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

/// 1 MiB for every route (the test configuration's BODY_LIMIT_BYTES), 3 MiB for the import.
async fn limited_app() -> TestApp {
    TestApp::with(TestDb::migrated().await, |c| {
        c.shipments.import_body_limit_bytes = 3 * 1024 * 1024;
    })
    .await
}

/// Lines of one shipment each, padded to about `bytes` in all.
fn big_body(w: &World, bytes: usize) -> String {
    let pad = "x".repeat(900);
    let mut body = String::new();
    let mut i = 0;
    while body.len() < bytes {
        let mut l = line(w, 0, 1, "1Z999AA10123456784", vec![]);
        l["import_key"] = json!(format!("k{i}"));
        l["service_level"] = json!("ground");
        l["events"] = json!([{"status": "in_transit", "event_time": "2025-03-01T10:00:00Z",
            "description": "padding", "raw": {"pad": pad}}]);
        body += &format!("{l}\n");
        i += 1;
    }
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn the_import_takes_bodies_over_the_global_limit_and_others_keep_it() {
    let app = limited_app().await;
    let w = World::new(&app, "Acme").await;
    let (order, _) = app.insert_order(w.client, w.products[0], 10_000).await;
    let w = World { order, ..w };
    let body = big_body(&w, 2 * 1024 * 1024);
    let lines = body.lines().count() as u64;
    let report = imported(&app, &w, body).await;
    assert_eq!(report["shipments_created"], lines, "{}", report["errors"]);
    assert_eq!(count_shipments(&app).await, lines as i64);
    // Any other route: 413 over 1 MiB, as before.
    let mut create = w.body(1);
    create["service_level"] = json!("y".repeat(1024 * 1024));
    let res = app.post(&w.shipments(), &w.user, create).await;
    res.assert_problem(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(count_shipments(&app).await, lines as i64);
}

async fn count_shipments(app: &TestApp) -> i64 {
    let row = app
        .db
        .client()
        .await
        .query_one("SELECT count(*) FROM shipments", &[])
        .await
        .expect("count");
    row.get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_over_its_own_limit_is_refused_declared_or_streamed() {
    let app = limited_app().await;
    let w = World::new(&app, "Acme").await;
    let (order, _) = app.insert_order(w.client, w.products[0], 10_000).await;
    let w = World { order, ..w };
    let body = big_body(&w, 4 * 1024 * 1024);
    // With Content-Length: refused before anything is read.
    let res = import(&app, &w, body.clone()).await;
    let problem = res.assert_problem(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(count_shipments(&app).await, 0, "{problem}");
    // Streamed without a length: refused when the limit is passed, saying what was kept.
    let chunks: Vec<Result<String, std::io::Error>> = body
        .as_bytes()
        .chunks(64 * 1024)
        .map(|c| Ok(String::from_utf8_lossy(c).into_owned()))
        .collect();
    let res = app
        .send(request(
            &w,
            Body::from_stream(futures_util::stream::iter(chunks)),
            "application/x-ndjson",
        ))
        .await;
    let problem = res.assert_problem(StatusCode::PAYLOAD_TOO_LARGE);
    let detail = problem["detail"].as_str().unwrap_or_default().to_owned();
    assert!(detail.contains("3145728 bytes"), "{detail}");
    assert!(detail.contains("were imported"), "{detail}");
    let kept = count_shipments(&app).await;
    assert!(kept > 0 && kept % 1000 == 0, "whole batches only: {kept}");
    // Re-sending what fits completes that part of the import without doubles.
    let mut fits = String::new();
    for l in body.lines() {
        if fits.len() + l.len() + 1 > 3 * 1024 * 1024 {
            break;
        }
        fits += &format!("{l}\n");
    }
    let n = fits.lines().count() as u64;
    let report = imported(&app, &w, fits).await;
    assert_eq!(report["shipments_unchanged"].as_u64(), Some(kept as u64));
    assert_eq!(
        report["shipments_created"].as_u64().unwrap_or_default() + kept as u64,
        n
    );
    assert_eq!(count_shipments(&app).await, n as i64);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_line_the_database_refuses_is_reported_alone_and_the_rest_of_its_batch_lands() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    // A rule the import does not know, so only the database can refuse the line.
    app.db
        .execute(
            "ALTER TABLE shipments ADD CONSTRAINT shipments_no_refused_check \
             CHECK (service_level IS DISTINCT FROM 'refused')",
        )
        .await;
    let mut refused = line(&w, 0, 1, "1Z999AA10123456785", vec![]);
    refused["service_level"] = json!("refused");
    let body = ndjson(&[
        line(
            &w,
            0,
            1,
            "1Z999AA10123456784",
            vec![scan("in_transit", "2025-03-01T10:00:00Z")],
        ),
        refused,
        line(&w, 1, 1, "1Z999AA10123456786", vec![]),
    ]);
    let report = imported(&app, &w, body).await;
    assert_eq!(counts(&report), [3, 2, 0, 1, 0], "{report}");
    assert_eq!(errors(&report), [(2, "line".to_owned())]);
    let message = report["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("shipments_no_refused_check"), "{message}");
    assert_eq!(count_shipments(&app).await, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_raw_payload_holding_nul_is_a_field_error_posted_or_imported() {
    let app = TestApp::new().await;
    let w = World::new(&app, "Acme").await;
    let mut nul = scan("in_transit", "2025-03-01T10:00:00Z");
    nul["raw"] = json!({"note": "a\u{0}b"});
    let report = imported(
        &app,
        &w,
        ndjson(&[line(&w, 0, 1, "1Z999AA10123456784", vec![nul.clone()])]),
    )
    .await;
    assert_eq!(errors(&report), [(1, "events[0].raw".to_owned())]);
    assert_eq!(count_shipments(&app).await, 0);
    let id = w.ship(&app, w.body(1)).await;
    crate::common::assert_invalid_fields(&app.post(&w.events(&id), &w.user, nul).await, &["raw"]);
}
