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
