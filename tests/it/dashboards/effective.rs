//! The effective dashboard: the default, else the latest saved, else the role's starter.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{LAYOUTS, create_layout, id_of, save, two_widgets};
use crate::common::{Actor, TestApp};

async fn dashboard(app: &TestApp, user: &Actor) -> Value {
    let res = app.get_as("/api/v1/me/dashboard", user).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_role_without_layouts_gets_its_own_starter_layout() {
    let app = TestApp::new().await;
    let (_, client_user) = app.client_with_user("Acme").await;
    let mut names = Vec::new();
    for user in [app.admin().await, app.operator().await, client_user] {
        let d = dashboard(&app, &user).await;
        assert_eq!(d["source"], "role_default");
        assert_eq!(d["layout_id"], Value::Null);
        assert_eq!(d["version"], Value::Null);
        assert!(!d["widgets"].as_array().unwrap().is_empty());
        names.push(d["name"].as_str().unwrap().to_owned());
    }
    names.dedup();
    assert_eq!(
        names.len(),
        3,
        "admin, operator and client starters differ: {names:?}"
    );
    // A starter is a valid layout: saving it as is works.
    let user = app.operator().await;
    let d = dashboard(&app, &user).await;
    create_layout(
        &app,
        &user,
        d["name"].as_str().unwrap(),
        d["widgets"].clone(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_latest_saved_layout_is_drawn_until_one_is_the_default() {
    let app = TestApp::new().await;
    let (_, user) = app.client_with_user("Acme").await;
    let a = id_of(&create_layout(&app, &user, "A", two_widgets()).await);
    let b = id_of(&create_layout(&app, &user, "B", json!([])).await);
    let d = dashboard(&app, &user).await;
    assert_eq!(
        (d["source"].clone(), d["layout_id"].clone()),
        (json!("latest"), json!(b))
    );

    save(
        &app,
        &user,
        &a,
        1,
        json!({"name": "A2", "widgets": two_widgets()}),
    )
    .await;
    let d = dashboard(&app, &user).await;
    assert_eq!(d["layout_id"], json!(a), "the most recently saved one");
    assert_eq!(d["version"], 2);
    assert_eq!(d["widgets"], two_widgets());

    app.post(&format!("{LAYOUTS}/{b}/default"), &user, json!({}))
        .await;
    let d = dashboard(&app, &user).await;
    assert_eq!(
        (d["source"].clone(), d["layout_id"].clone()),
        (json!("default"), json!(b))
    );

    // Deleting everything falls back to the role's starter.
    app.delete(&format!("{LAYOUTS}/{a}"), &user).await;
    app.delete(&format!("{LAYOUTS}/{b}"), &user).await;
    assert_eq!(dashboard(&app, &user).await["source"], "role_default");
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_users_open_on_their_saved_default_with_saved_preferences() {
    use fulfillment_ops::seed::{SeedOptions, seed_demo};
    let db = crate::common::TestDb::migrated().await;
    let opts = SeedOptions {
        clients: 2,
        products_per_client: 3,
        months: 1,
        rng_seed: 1,
    };
    let report = seed_demo(&db.url, &opts).await.expect("seed");
    let app = TestApp::with(db, |_| {}).await;
    for cred in &report.credentials {
        let token = app.login_token(&cred.email, &cred.password).await;
        let actor = Actor {
            id: uuid::Uuid::nil(),
            email: cred.email.clone(),
            token,
        };
        let d = dashboard(&app, &actor).await;
        assert_eq!(d["source"], "default", "{}", cred.email);
        let (layouts, _) = app.collect_pages(LAYOUTS, &actor, 10).await;
        let expected = if cred.role == "client" { 1 } else { 2 };
        assert_eq!(layouts.len(), expected, "{}", cred.email);
        // Every seeded layout passes the API's own grid rules: saving it unchanged works.
        for l in &layouts {
            let id = id_of(l);
            save(
                &app,
                &actor,
                &id,
                1,
                json!({"name": l["name"], "widgets": l["widgets"]}),
            )
            .await;
        }
        let p = app.get_as("/api/v1/me/preferences", &actor).await.json();
        assert!(p["updated_at"].is_string(), "{}: {p}", cred.email);
        assert!(
            !p["defaults"]
                .as_array()
                .unwrap()
                .contains(&json!("timezone"))
        );
    }
}
