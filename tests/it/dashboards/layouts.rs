//! Layout CRUD, the grid rules (a table of cases), the version check and ownership.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{LAYOUTS, create_layout, id_of, put, save, send, two_widgets, widget};
use crate::common::{TestApp, assert_invalid_fields, concurrently};

#[tokio::test(flavor = "multi_thread")]
async fn a_user_creates_reads_lists_replaces_and_deletes_a_layout() {
    let app = TestApp::new().await;
    let (_, user) = app.client_with_user("Acme").await;

    let res = app
        .post(
            LAYOUTS,
            &user,
            json!({"name": "  Morning  ", "widgets": two_widgets()}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let layout = res.json();
    let id = id_of(&layout);
    assert_eq!(
        res.header("location"),
        Some(format!("{LAYOUTS}/{id}").as_str())
    );
    assert_eq!(res.header("etag"), Some("\"1\""));
    assert_eq!(layout["name"], "Morning");
    assert_eq!(layout["version"], 1);
    assert_eq!(layout["is_default"], false);
    assert_eq!(layout["widgets"], two_widgets());

    let res = app.get_as(&format!("{LAYOUTS}/{id}"), &user).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["widgets"], two_widgets());

    create_layout(&app, &user, "Evening", json!([])).await;
    let (rows, pages) = app.collect_pages(LAYOUTS, &user, 1).await;
    let names: Vec<&Value> = rows.iter().map(|r| &r["name"]).collect();
    assert_eq!(names, ["Evening", "Morning"]);
    assert_eq!(pages, 2);

    let saved = save(
        &app,
        &user,
        &id,
        1,
        json!({"name": "Morning v2", "widgets": [widget("n", "note", 0, 0, 24, 2)]}),
    )
    .await;
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["name"], "Morning v2");
    assert_eq!(saved["widgets"][0]["id"], "n");

    let res = app.delete(&format!("{LAYOUTS}/{id}"), &user).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    app.get_as(&format!("{LAYOUTS}/{id}"), &user)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
}

/// Each case: the widgets sent, and the field the 422 must name.
fn grid_cases() -> Vec<(&'static str, Value, &'static str)> {
    let ok = |id: &str| widget(id, "note", 0, 0, 4, 2);
    let mut unknown_key = ok("a");
    unknown_key["colour"] = json!("red");
    let mut string_config = ok("a");
    string_config["config"] = json!("big");
    let mut big_config = ok("a");
    big_config["config"] = json!({"text": "x".repeat(20_000)});
    let mut no_type = ok("a");
    no_type.as_object_mut().unwrap().remove("type");
    vec![
        (
            "negative x",
            json!([widget("a", "note", -1, 0, 4, 2)]),
            "widgets[0].x",
        ),
        (
            "negative y",
            json!([widget("a", "note", 0, -1, 4, 2)]),
            "widgets[0].y",
        ),
        (
            "zero width",
            json!([widget("a", "note", 0, 0, 0, 2)]),
            "widgets[0].w",
        ),
        (
            "zero height",
            json!([widget("a", "note", 0, 0, 4, 0)]),
            "widgets[0].h",
        ),
        (
            "past column 24",
            json!([ok("a"), widget("b", "note", 20, 5, 6, 2)]),
            "widgets[1].w",
        ),
        (
            "fractional x",
            json!([widget("a", "note", 0, 0, 4, 2), {"id": "b", "type": "note", "x": 1.5, "y": 9, "w": 1, "h": 1}]),
            "widgets[1].x",
        ),
        (
            "unknown type",
            json!([widget("a", "pie_chart", 0, 0, 4, 2)]),
            "widgets[0].type",
        ),
        ("missing type", json!([no_type]), "widgets[0].type"),
        (
            "duplicate id",
            json!([ok("a"), widget("a", "note", 4, 0, 4, 2)]),
            "widgets[1].id",
        ),
        (
            "bad id",
            json!([widget("a b", "note", 0, 0, 4, 2)]),
            "widgets[0].id",
        ),
        (
            "overlap",
            json!([ok("a"), widget("b", "note", 3, 1, 4, 2)]),
            "widgets[1]",
        ),
        ("not an object", json!([ok("a"), 7]), "widgets[1]"),
        (
            "unknown widget key",
            json!([unknown_key]),
            "widgets[0].colour",
        ),
        (
            "config not an object",
            json!([string_config]),
            "widgets[0].config",
        ),
        ("config too large", json!([big_config]), "widgets[0].config"),
        (
            "51 widgets",
            Value::Array(
                (0..51)
                    .map(|i| widget(&format!("w{i}"), "note", 0, i, 1, 1))
                    .collect(),
            ),
            "widgets",
        ),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn every_grid_rule_is_a_422_naming_the_widget_and_field_and_nothing_is_written() {
    let app = TestApp::new().await;
    let (_, user) = app.client_with_user("Acme").await;
    let layout = create_layout(&app, &user, "Kept", two_widgets()).await;
    let id = id_of(&layout);
    for (case, widgets, field) in grid_cases() {
        let res = app
            .post(
                LAYOUTS,
                &user,
                json!({"name": case, "widgets": widgets.clone()}),
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{case}: {}",
            res.text()
        );
        assert_invalid_fields(&res, &[field]);
        let res = put(
            &app,
            &format!("{LAYOUTS}/{id}"),
            &user,
            json!({"name": case, "widgets": widgets, "version": 1}),
        )
        .await;
        assert_invalid_fields(&res, &[field]);
        let message = res.json()["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if field != "widgets" && !case.contains("object") {
            assert!(
                message.contains("(widget \""),
                "{case}: {message} names the widget id"
            );
        }
    }
    let (rows, _) = app.collect_pages(LAYOUTS, &user, 50).await;
    assert_eq!(rows.len(), 1, "no invalid layout was created");
    assert_eq!(rows[0]["version"], 1, "no invalid replacement was saved");
    assert_eq!(rows[0]["widgets"], two_widgets());
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_widgets_filling_the_grid_are_accepted() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    let widgets: Vec<Value> = (0..50)
        .map(|i| widget(&format!("w{i}"), "kpi_tile", (i % 4) * 6, i / 4, 6, 1))
        .collect();
    let layout = create_layout(&app, &user, "Full", Value::Array(widgets)).await;
    assert_eq!(layout["widgets"].as_array().map(Vec::len), Some(50));
}

#[tokio::test(flavor = "multi_thread")]
async fn names_and_bodies_are_checked() {
    let app = TestApp::new().await;
    let user = app.admin().await;
    let long = "n".repeat(101);
    for (body, field) in [
        (json!({"name": "  ", "widgets": []}), "name"),
        (json!({"name": long, "widgets": []}), "name"),
        (json!({"widgets": []}), "name"),
        (json!({"name": "x", "widgets": {}}), "widgets"),
        (json!({"name": "x", "version": 3}), "version"),
        (json!({"name": "x", "owner": "someone"}), "owner"),
    ] {
        assert_invalid_fields(&app.post(LAYOUTS, &user, body).await, &[field]);
    }
    let id = id_of(&create_layout(&app, &user, "A", json!([])).await);
    let path = format!("{LAYOUTS}/{id}");
    assert_invalid_fields(
        &put(&app, &path, &user, json!({"name": "B", "widgets": []})).await,
        &["version"],
    );
    assert_invalid_fields(
        &put(&app, &path, &user, json!({"name": "B", "version": 1})).await,
        &["widgets"],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_two_megabyte_config_is_refused_whole() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    let mut huge = widget("a", "note", 0, 0, 4, 2);
    huge["config"] = json!({"text": "x".repeat(2 * 1024 * 1024)});
    let res = app
        .post(LAYOUTS, &user, json!({"name": "Huge", "widgets": [huge]}))
        .await;
    res.assert_problem(StatusCode::PAYLOAD_TOO_LARGE);
    assert!(app.collect_pages(LAYOUTS, &user, 10).await.0.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_tab_saving_a_stale_version_gets_409_with_the_current_version() {
    let app = TestApp::new().await;
    let (_, user) = app.client_with_user("Acme").await;
    let id = id_of(&create_layout(&app, &user, "Shared", two_widgets()).await);
    let path = format!("{LAYOUTS}/{id}");
    // Tab A saves on version 1.
    save(&app, &user, &id, 1, json!({"name": "Tab A", "widgets": []})).await;
    // Tab B also read version 1: by body version and by If-Match, both refused.
    let res = put(
        &app,
        &path,
        &user,
        json!({"name": "Tab B", "widgets": [], "version": 1}),
    )
    .await;
    let problem = res.assert_problem(StatusCode::CONFLICT);
    assert_eq!(problem["current_version"], 2);
    assert!(problem["detail"].as_str().unwrap().contains("version 2"));
    assert_eq!(res.header("etag"), Some("\"2\""));
    let res = send(
        &app,
        Method::PUT,
        &path,
        &user,
        Some(json!({"name": "Tab B", "widgets": []})),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(
        res.assert_problem(StatusCode::CONFLICT)["current_version"],
        2
    );
    // A stale delete is refused too.
    send(
        &app,
        Method::DELETE,
        &path,
        &user,
        None,
        &[("if-match", "\"1\"")],
    )
    .await
    .assert_problem(StatusCode::CONFLICT);
    let now = app.get_as(&path, &user).await.json();
    assert_eq!(now["name"], "Tab A", "tab A's save was not overwritten");
    // Reloaded, tab B saves on version 2 via If-Match.
    let res = send(
        &app,
        Method::PUT,
        &path,
        &user,
        Some(json!({"name": "Tab B", "widgets": []})),
        &[("if-match", "\"2\"")],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.header("etag"), Some("\"3\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn of_concurrent_saves_on_one_version_exactly_one_lands() {
    let app = TestApp::new().await;
    let user = app.operator().await;
    let id = id_of(&create_layout(&app, &user, "Race", json!([])).await);
    let api = app.api();
    let results = concurrently((0..6).map(|i| {
        api.clone().call(
            Method::PUT,
            format!("{LAYOUTS}/{id}"),
            Some(user.token.clone()),
            Some(json!({"name": format!("tab {i}"), "widgets": [], "version": 1})),
        )
    }))
    .await;
    let ok = results
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    let stale = results
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .count();
    assert_eq!((ok, stale), (1, 5), "{results:?}");
    let layout = app.get_as(&format!("{LAYOUTS}/{id}"), &user).await.json();
    assert_eq!(layout["version"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn another_users_layout_is_404_on_every_route_even_for_an_admin() {
    let app = TestApp::new().await;
    let (_, owner) = app.client_with_user("Acme").await;
    let layout = create_layout(&app, &owner, "Mine", two_widgets()).await;
    let id = id_of(&layout);
    let path = format!("{LAYOUTS}/{id}");
    save(
        &app,
        &owner,
        &id,
        1,
        json!({"name": "Mine v2", "widgets": []}),
    )
    .await;
    let body = json!({"name": "Hijack", "widgets": [], "version": 2});
    for other in [
        app.admin().await,
        app.operator().await,
        app.client_with_user("Other").await.1,
    ] {
        for (method, route, body) in [
            (Method::GET, path.clone(), None),
            (Method::PUT, path.clone(), Some(body.clone())),
            (Method::DELETE, path.clone(), None),
            (Method::POST, format!("{path}/default"), None),
            (Method::GET, format!("{path}/versions"), None),
            (
                Method::POST,
                format!("{path}/restore"),
                Some(json!({"version": 1})),
            ),
        ] {
            let res = send(&app, method.clone(), &route, &other, body, &[]).await;
            res.assert_problem(StatusCode::NOT_FOUND);
        }
        assert!(app.collect_pages(LAYOUTS, &other, 10).await.0.is_empty());
    }
    let after = app.get_as(&path, &owner).await.json();
    assert_eq!(
        (
            after["name"].clone(),
            after["version"].clone(),
            after["is_default"].clone()
        ),
        (json!("Mine v2"), json!(2), json!(false))
    );
}
