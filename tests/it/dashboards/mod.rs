//! Dashboard personalization through the real router on real PostgreSQL: layouts and their
//! grid rules, the one default, kept versions and restore, the effective dashboard, and
//! preferences with their ETags.

mod cache;
mod defaults;
mod effective;
mod layouts;
mod preferences;
mod versions;

use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use serde_json::{Value, json};

use crate::common::{Actor, TestApp, TestResponse};

pub const LAYOUTS: &str = "/api/v1/me/layouts";
pub const PREFERENCES: &str = "/api/v1/me/preferences";

/// A request as the caller sends it, with extra headers (`If-Match`, `If-None-Match`).
pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    actor: &Actor,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> TestResponse {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {}", actor.token));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    };
    app.send(req.expect("request")).await
}

pub async fn put(app: &TestApp, path: &str, actor: &Actor, body: Value) -> TestResponse {
    send(app, Method::PUT, path, actor, Some(body), &[]).await
}

/// A widget at a place on the grid.
pub fn widget(id: &str, kind: &str, x: i64, y: i64, w: i64, h: i64) -> Value {
    json!({"id": id, "type": kind, "x": x, "y": y, "w": w, "h": h, "config": {}})
}

/// Two widgets side by side.
pub fn two_widgets() -> Value {
    json!([
        widget("spend", "kpi_tile", 0, 0, 6, 3),
        widget("late", "delayed_shipments", 6, 0, 18, 6)
    ])
}

/// `POST /me/layouts`, which must answer 201; the layout.
pub async fn create_layout(app: &TestApp, actor: &Actor, name: &str, widgets: Value) -> Value {
    let res = app
        .post(LAYOUTS, actor, json!({"name": name, "widgets": widgets}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()
}

/// `PUT /me/layouts/{id}` based on `version`, which must answer 200; the layout.
pub async fn save(app: &TestApp, actor: &Actor, id: &str, version: i64, body: Value) -> Value {
    let mut body = body;
    body["version"] = json!(version);
    let res = put(app, &format!("{LAYOUTS}/{id}"), actor, body).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

/// The id of a layout in a response.
pub fn id_of(layout: &Value) -> String {
    layout["id"].as_str().expect("id").to_owned()
}
