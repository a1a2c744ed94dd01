//! One default per user, by the database: switching is one transaction, concurrent switches
//! leave exactly one, and deleting the default leaves none.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{LAYOUTS, create_layout, id_of, save, two_widgets};
use crate::common::{TestApp, concurrently};

async fn defaults_of(app: &TestApp, user: &crate::common::Actor) -> Vec<String> {
    let (rows, _) = app.collect_pages(LAYOUTS, user, 100).await;
    rows.iter()
        .filter(|r| r["is_default"] == true)
        .map(id_of)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn making_a_layout_the_default_moves_the_default_to_it() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    let a = id_of(&create_layout(&app, &user, "A", two_widgets()).await);
    let b = id_of(&create_layout(&app, &user, "B", json!([])).await);

    let res = app
        .post(&format!("{LAYOUTS}/{a}/default"), &user, json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["is_default"], true);
    assert_eq!(defaults_of(&app, &user).await, [a.as_str()]);

    let res = app
        .post(&format!("{LAYOUTS}/{b}/default"), &user, json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(defaults_of(&app, &user).await, [b.as_str()]);

    // Creating with is_default, and saving with is_default, move it too.
    let c = app
        .post(LAYOUTS, &user, json!({"name": "C", "is_default": true}))
        .await
        .json();
    assert_eq!(defaults_of(&app, &user).await, [id_of(&c)]);
    save(
        &app,
        &user,
        &a,
        1,
        json!({"name": "A", "widgets": [], "is_default": true}),
    )
    .await;
    assert_eq!(defaults_of(&app, &user).await, [a.as_str()]);

    // Another user's default is their own business.
    let other = app.operator().await;
    let theirs = id_of(&create_layout(&app, &other, "Theirs", json!([])).await);
    app.post(&format!("{LAYOUTS}/{theirs}/default"), &other, json!({}))
        .await;
    assert_eq!(defaults_of(&app, &user).await, [a]);
    assert_eq!(defaults_of(&app, &other).await, [theirs]);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_make_default_calls_leave_exactly_one_default() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(id_of(
            &create_layout(&app, &user, &format!("L{i}"), json!([])).await,
        ));
    }
    let api = app.api();
    for _round in 0..3 {
        let results = concurrently(ids.iter().map(|id| {
            api.clone().call(
                Method::POST,
                format!("{LAYOUTS}/{id}/default"),
                Some(user.token.clone()),
                None,
            )
        }))
        .await;
        for r in &results {
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        }
        assert_eq!(defaults_of(&app, &user).await.len(), 1);
    }
    let n: i64 = app
        .db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM dashboard_layouts WHERE user_id = $1 AND is_default",
            &[&user.id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_database_refuses_a_second_default() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    let a = id_of(&create_layout(&app, &user, "A", json!([])).await);
    let b = id_of(&create_layout(&app, &user, "B", json!([])).await);
    app.post(&format!("{LAYOUTS}/{a}/default"), &user, json!({}))
        .await;
    let client = app.db.client().await;
    let err = client
        .execute(
            "UPDATE dashboard_layouts SET is_default = true WHERE id = $1::text::uuid",
            &[&b],
        )
        .await
        .expect_err("a second default violates the partial unique index");
    assert_eq!(
        err.as_db_error().and_then(|e| e.constraint()),
        Some("dashboard_layouts_one_default_per_user"),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_the_default_leaves_the_user_with_none() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    let a = id_of(&create_layout(&app, &user, "A", json!([])).await);
    create_layout(&app, &user, "B", json!([])).await;
    app.post(&format!("{LAYOUTS}/{a}/default"), &user, json!({}))
        .await;
    let res = app.delete(&format!("{LAYOUTS}/{a}"), &user).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert!(defaults_of(&app, &user).await.is_empty());
    let dashboard = app.get_as("/api/v1/me/dashboard", &user).await.json();
    assert_eq!(dashboard["source"], "latest");
    assert_eq!(dashboard["name"], "B");
}
