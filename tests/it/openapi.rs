//! The OpenAPI document is generated from the code; this snapshot makes every change to the
//! HTTP contract visible in review. After an intended change, regenerate it with
//! `UPDATE_SNAPSHOTS=1 scripts/test.sh --test it openapi` and commit `docs/openapi.json`.

use std::path::Path;

use crate::common::TestApp;
use axum::http::StatusCode;

#[test]
fn openapi_document_matches_the_committed_snapshot() {
    let doc = fulfillment_ops::routes::openapi();
    let generated = serde_json::to_string_pretty(&doc).expect("serialize") + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &generated).expect("write snapshot");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is stale: run `UPDATE_SNAPSHOTS=1 scripts/test.sh --test it openapi` \
         and review the diff"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn openapi_json_is_served_as_openapi_3_1() {
    let app = TestApp::new().await;
    let res = app.get("/openapi.json", None).await;
    assert_eq!(res.status, StatusCode::OK);
    let body = res.json();
    assert!(
        body["openapi"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3.1")
    );
    assert!(body["paths"]["/admin/migrations"]["get"].is_object());
    assert!(body["components"]["securitySchemes"]["bearer"].is_object());
}

/// `/docs` serves Swagger UI from the binary itself (no CDN): the page, its script and style,
/// and an initializer pointing at our own `/openapi.json`. That the page renders in a browser
/// is checked with headless Chromium by `scripts/check-docs-ui.sh`.
#[tokio::test(flavor = "multi_thread")]
async fn docs_serve_swagger_ui_from_the_binary_pointing_at_our_document() {
    let app = TestApp::new().await;
    let res = app.get("/docs", None).await;
    assert!(res.status.is_redirection(), "{}", res.status);
    assert_eq!(res.header("location"), Some("/docs/"));

    let page = app.get("/docs/", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.header("content-type")
            .unwrap_or_default()
            .starts_with("text/html")
    );
    let html = page.text();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("://"),
        "no asset from another origin: {html}"
    );

    for (asset, kind, marker) in [
        ("swagger-ui-bundle.js", "javascript", "SwaggerUIBundle"),
        ("swagger-ui.css", "text/css", ".swagger-ui"),
        ("swagger-initializer.js", "javascript", "\"/openapi.json\""),
    ] {
        let res = app.get(&format!("/docs/{asset}"), None).await;
        assert_eq!(res.status, StatusCode::OK, "{asset}");
        let content_type = res.header("content-type").unwrap_or_default().to_owned();
        assert!(content_type.contains(kind), "{asset}: {content_type}");
        assert!(res.text().contains(marker), "{asset} lacks {marker}");
    }
}

/// The document declares what the stack answers on every route, as it answers it: every error
/// response is `application/problem+json`, every route but `/healthz` can answer 503, every
/// secured one 401 and 403, every one with a body 400, 413, 415 and 422.
#[test]
fn every_operation_declares_the_errors_the_stack_can_answer_as_problem_json() {
    let doc = serde_json::to_value(fulfillment_ops::routes::openapi()).expect("json");
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let responses = op["responses"].as_object().expect("responses");
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let types: Vec<&String> = response["content"]
                        .as_object()
                        .map(|c| c.keys().collect())
                        .unwrap_or_default();
                    assert_eq!(
                        types,
                        ["application/problem+json"],
                        "{method} {path} {status}"
                    );
                }
            }
            let has = |s: &str| responses.contains_key(s);
            if path != "/healthz" {
                assert!(has("503"), "{method} {path} lacks 503");
            }
            if op
                .get("security")
                .is_some_and(|s| !s.as_array().is_some_and(Vec::is_empty))
            {
                assert!(has("401") && has("403"), "{method} {path} lacks 401/403");
            }
            if op.get("requestBody").is_some() {
                for s in ["400", "413", "415", "422"] {
                    assert!(has(s), "{method} {path} lacks {s}");
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "{checked} operations");
}
