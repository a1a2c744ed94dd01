//! Kept versions: each saved change keeps the one it replaced, the newest 20 are kept, and a
//! kept one restores as a new version.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{LAYOUTS, create_layout, id_of, save, widget};
use crate::common::{TestApp, assert_invalid_fields};

fn one_note(i: i64) -> Value {
    json!([widget(&format!("n{i}"), "note", 0, 0, 1 + i % 24, 1)])
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_one_saves_keep_the_newest_twenty_versions() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    let id = id_of(&create_layout(&app, &user, "v1", one_note(1)).await);
    for version in 1..=21 {
        let name = format!("v{}", version + 1);
        save(
            &app,
            &user,
            &id,
            version,
            json!({"name": name, "widgets": one_note(version + 1)}),
        )
        .await;
    }
    let (kept, _) = app
        .collect_pages(&format!("{LAYOUTS}/{id}/versions"), &user, 500)
        .await;
    let versions: Vec<i64> = kept
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(
        versions,
        (2..=21).rev().collect::<Vec<_>>(),
        "version 1 was pruned"
    );
    assert_eq!(kept[0]["name"], "v21");
    assert_eq!(kept[0]["widget_count"], 1);
    assert!(kept[0]["saved_at"].is_string());
    let rows: i64 = app
        .db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM dashboard_layout_versions WHERE layout_id = $1::text::uuid",
            &[&id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 20, "the database holds no more than the list shows");

    let res = app
        .post(
            &format!("{LAYOUTS}/{id}/restore"),
            &user,
            json!({"version": 1}),
        )
        .await;
    assert_invalid_fields(&res, &["version"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn restoring_a_version_saves_it_as_a_new_version_and_keeps_the_current_one() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    let original = json!([
        widget("a", "kpi_tile", 0, 0, 6, 3),
        widget("b", "note", 6, 0, 6, 3)
    ]);
    let id = id_of(&create_layout(&app, &user, "Good", original.clone()).await);
    save(
        &app,
        &user,
        &id,
        1,
        json!({"name": "Bad edit", "widgets": []}),
    )
    .await;

    let res = app
        .post(
            &format!("{LAYOUTS}/{id}/restore"),
            &user,
            json!({"version": 1}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let restored = res.json();
    assert_eq!(restored["version"], 3);
    assert_eq!(restored["name"], "Good");
    assert_eq!(restored["widgets"], original);
    assert_eq!(res.header("etag"), Some("\"3\""));

    let (kept, _) = app
        .collect_pages(&format!("{LAYOUTS}/{id}/versions"), &user, 10)
        .await;
    let listed: Vec<(i64, i64)> = kept
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["widget_count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [(2, 0), (1, 2)],
        "the bad edit is kept too: the restore can be undone"
    );

    for (body, why) in [
        (json!({"version": 3}), "the current version"),
        (json!({"version": 99}), "never existed"),
    ] {
        let res = app
            .post(&format!("{LAYOUTS}/{id}/restore"), &user, body)
            .await;
        assert_invalid_fields(&res, &["version"]);
        let _ = why;
    }
    let stale = super::send(
        &app,
        axum::http::Method::POST,
        &format!("{LAYOUTS}/{id}/restore"),
        &user,
        Some(json!({"version": 2})),
        &[("if-match", "\"2\"")],
    )
    .await;
    assert_eq!(
        stale.assert_problem(StatusCode::CONFLICT)["current_version"],
        3
    );
    assert_eq!(
        app.get_as(&format!("{LAYOUTS}/{id}"), &user).await.json()["version"],
        3
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_layout_deletes_its_history() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    let id = id_of(&create_layout(&app, &user, "A", json!([])).await);
    save(&app, &user, &id, 1, json!({"name": "B", "widgets": []})).await;
    app.delete(&format!("{LAYOUTS}/{id}"), &user).await;
    let rows: i64 = app
        .db
        .client()
        .await
        .query_one("SELECT count(*) FROM dashboard_layout_versions", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 0);
}
