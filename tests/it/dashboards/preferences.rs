//! Preferences: defaults, PUT replaces and PATCH merges, ETags (412 and 304), validation.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{PREFERENCES, put, send};
use crate::common::{Actor, TestApp, assert_invalid_fields, concurrently};

async fn read(app: &TestApp, user: &Actor) -> (Value, String) {
    let res = app.get_as(PREFERENCES, user).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    (res.json(), res.header("etag").expect("etag").to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn without_saved_preferences_get_answers_the_defaults_and_says_so() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    let (p, etag) = read(&app, &user).await;
    assert_eq!(etag, "\"1\"");
    assert_eq!(p["compact_mode"], false);
    assert_eq!(p["color_scheme"], "system");
    assert_eq!(p["default_view"], Value::Null);
    assert_eq!(p["timezone"], "UTC");
    assert_eq!(p["realtime"]["enabled"], true);
    assert_eq!(p["realtime"]["refresh_interval_seconds"], 30);
    assert_eq!(p["notifications"]["digest"], "none");
    assert_eq!(p["updated_at"], Value::Null);
    assert_eq!(p["defaults"].as_array().unwrap().len(), 12, "{p}");
}

#[tokio::test(flavor = "multi_thread")]
async fn put_replaces_and_patch_merges() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    let res = put(
        &app,
        PREFERENCES,
        &user,
        json!({
            "compact_mode": true,
            "color_scheme": "dark",
            "timezone": "Europe/Berlin",
            "realtime": {"refresh_interval_seconds": 60, "channels": ["shipments"]},
            "notifications": {"digest": "daily", "quiet_hours": {"start": "22:00", "end": "07:00"}}
        }),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let p = res.json();
    assert_eq!(res.header("etag"), Some("\"2\""));
    assert_eq!(p["timezone"], "Europe/Berlin");
    assert_eq!(
        p["realtime"]["enabled"], true,
        "left out of the nested object: its default"
    );
    assert_eq!(p["realtime"]["channels"], json!(["shipments"]));
    assert_eq!(
        p["notifications"]["quiet_hours"],
        json!({"start": "22:00", "end": "07:00"})
    );
    let defaults = p["defaults"].as_array().unwrap();
    assert!(defaults.contains(&json!("realtime.enabled")));
    assert!(!defaults.contains(&json!("compact_mode")));

    // PATCH: only what is sent changes, nested keys merge.
    let res = app
        .patch(
            PREFERENCES,
            &user,
            json!({"realtime": {"enabled": false}, "default_view": "shipments"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let p = res.json();
    assert_eq!(p["compact_mode"], true);
    assert_eq!(p["realtime"]["enabled"], false);
    assert_eq!(p["realtime"]["refresh_interval_seconds"], 60);
    assert_eq!(p["default_view"], "shipments");
    assert_eq!(p["version"], 3);

    // PATCH null clears a nullable value.
    let p = app
        .patch(
            PREFERENCES,
            &user,
            json!({"notifications": {"quiet_hours": null}}),
        )
        .await
        .json();
    assert_eq!(p["notifications"]["quiet_hours"], Value::Null);
    assert_eq!(p["notifications"]["digest"], "daily");

    // PUT with one key: everything else returns to its default.
    let p = put(&app, PREFERENCES, &user, json!({"color_scheme": "light"}))
        .await
        .json();
    assert_eq!(p["color_scheme"], "light");
    assert_eq!(p["compact_mode"], false);
    assert_eq!(p["timezone"], "UTC");
    assert_eq!(p["realtime"]["refresh_interval_seconds"], 30);
    assert_eq!(p["default_view"], Value::Null);

    // Read back on "a new device": the same.
    let (again, _) = read(&app, &user).await;
    assert_eq!(again, p);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_if_match_is_412_and_changes_nothing() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    let (_, first) = read(&app, &user).await;
    // Tab A writes with the ETag it read.
    let res = send(
        &app,
        Method::PATCH,
        PREFERENCES,
        &user,
        Some(json!({"compact_mode": true})),
        &[("if-match", &first)],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // Tab B read the same ETag: refused, nothing written.
    for method in [Method::PATCH, Method::PUT] {
        let res = send(
            &app,
            method,
            PREFERENCES,
            &user,
            Some(json!({"color_scheme": "dark"})),
            &[("if-match", &first)],
        )
        .await;
        let problem = res.assert_problem(StatusCode::PRECONDITION_FAILED);
        assert!(
            problem["detail"].as_str().unwrap().contains("\"2\""),
            "{problem}"
        );
    }
    let (p, etag) = read(&app, &user).await;
    assert_eq!(
        (p["compact_mode"].clone(), p["color_scheme"].clone()),
        (json!(true), json!("system"))
    );
    assert_eq!(etag, "\"2\"");
    let res = send(
        &app,
        Method::PATCH,
        PREFERENCES,
        &user,
        Some(json!({})),
        &[("if-match", "not-an-etag")],
    )
    .await;
    res.assert_problem(StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread")]
async fn of_concurrent_writes_on_one_etag_exactly_one_lands() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    let api = app.api();
    // The first write ever, from four tabs at once: each its own row insert would race.
    let results = concurrently((0..4).map(|i| {
        let api = api.clone();
        let token = user.token.clone();
        async move {
            let req = axum::http::Request::builder()
                .method(Method::PATCH)
                .uri(PREFERENCES)
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .header("if-match", "\"1\"")
                .body(axum::body::Body::from(
                    json!({"realtime": {"refresh_interval_seconds": 10 + i}}).to_string(),
                ))
                .unwrap();
            api.send(req).await
        }
    }))
    .await;
    let ok = results
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    let refused = results
        .iter()
        .filter(|r| r.status == StatusCode::PRECONDITION_FAILED)
        .count();
    assert_eq!((ok, refused), (1, 3), "{results:?}");
    assert_eq!(read(&app, &user).await.1, "\"2\"");
}

#[tokio::test(flavor = "multi_thread")]
async fn if_none_match_answers_304_until_something_changes() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    let (_, etag) = read(&app, &user).await;
    let res = send(
        &app,
        Method::GET,
        PREFERENCES,
        &user,
        None,
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_MODIFIED);
    assert!(res.body.is_empty());
    assert_eq!(res.header("etag"), Some(etag.as_str()));
    app.patch(PREFERENCES, &user, json!({"compact_mode": true}))
        .await;
    let res = send(
        &app,
        Method::GET,
        PREFERENCES,
        &user,
        None,
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["compact_mode"], true);
    // Writing what is already saved changes nothing, so the ETag stays.
    let before = read(&app, &user).await.1;
    app.patch(PREFERENCES, &user, json!({"compact_mode": true}))
        .await;
    assert_eq!(read(&app, &user).await.1, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_values_and_unknown_keys_are_422_naming_the_field_and_nothing_is_written() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    let cases = [
        (json!({"color_scheme": "purple"}), "color_scheme"),
        (json!({"timezone": "Mars/Olympus_Mons"}), "timezone"),
        (json!({"timezone": "europe/berlin"}), "timezone"),
        (
            json!({"realtime": {"refresh_interval_seconds": 4}}),
            "realtime.refresh_interval_seconds",
        ),
        (
            json!({"realtime": {"refresh_interval_seconds": 3601}}),
            "realtime.refresh_interval_seconds",
        ),
        (
            json!({"realtime": {"channels": ["shipments", "gossip"]}}),
            "realtime.channels[1]",
        ),
        (
            json!({"notifications": {"events": ["budget.over", "budget.under"]}}),
            "notifications.events[1]",
        ),
        (
            json!({"notifications": {"digest": "hourly"}}),
            "notifications.digest",
        ),
        (
            json!({"notifications": {"quiet_hours": {"start": "25:00", "end": "07:00"}}}),
            "notifications.quiet_hours.start",
        ),
        (
            json!({"notifications": {"quiet_hours": {"start": "07:00", "end": "07:00"}}}),
            "notifications.quiet_hours.end",
        ),
        (json!({"default_view": "everything"}), "default_view"),
        (json!({"compact_mode": null}), "compact_mode"),
        (json!({"colour_scheme": "dark"}), "colour_scheme"),
        (
            json!({"realtime": {"refresh_interval": 60}}),
            "realtime.refresh_interval",
        ),
        (json!({"notifications": {"sms": true}}), "notifications.sms"),
    ];
    for (body, field) in cases {
        for method in [Method::PUT, Method::PATCH] {
            let res = send(
                &app,
                method.clone(),
                PREFERENCES,
                &user,
                Some(body.clone()),
                &[],
            )
            .await;
            assert_invalid_fields(&res, &[field]);
        }
    }
    let (p, etag) = read(&app, &user).await;
    assert_eq!(etag, "\"1\"");
    assert_eq!(p["updated_at"], Value::Null, "nothing was saved");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_user_has_their_own_preferences() {
    let app = TestApp::new().await;
    let (a, b) = (app.operator().await, app.admin().await);
    app.patch(PREFERENCES, &a, json!({"color_scheme": "dark"}))
        .await;
    assert_eq!(read(&app, &b).await.0["color_scheme"], "system");
}
