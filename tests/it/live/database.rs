//! `GET /admin/database` and the `db_table_*` gauges: the guide's monitoring, served.

use axum::http::StatusCode;

use crate::common::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn admin_database_reports_every_core_and_guide_table_and_unused_indexes() {
    let app = TestApp::new().await;
    let (acme, _) = app.client_with_user("Acme").await;
    app.insert_product(acme, "A").await;
    app.db.execute("ANALYZE products").await;
    let res = app.admin_get("/admin/database").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let body = res.json();
    let tables = body["tables"].as_array().expect("tables");
    for name in [
        "clients",
        "products",
        "budgets",
        "cost_tracking",
        "shipments",
        "shipment_events",
        "benchmark_participation",
        "benchmark_snapshots",
        "dashboard_layouts",
        "user_preferences",
        "activity_events",
        "job_runs",
    ] {
        let t = tables
            .iter()
            .find(|t| t["table_name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        for field in [
            "rows_estimate",
            "table_bytes",
            "index_bytes",
            "seq_scans",
            "index_scans",
            "dead_tuples",
        ] {
            assert!(t[field].is_i64(), "{name}.{field}: {t}");
        }
        assert!(t.get("last_vacuum").is_some() && t.get("last_analyze").is_some());
    }
    let products = tables
        .iter()
        .find(|t| t["table_name"] == "products")
        .expect("products");
    assert_eq!(products["rows_estimate"], 1);
    assert!(products["last_analyze"].is_string());
    assert!(products["table_bytes"].as_i64() > Some(0));
    let unused = body["unused_indexes"].as_array().expect("unused");
    assert!(
        unused
            .iter()
            .any(|i| i["index_name"] == "budgets_product_id_idx"),
        "a fresh database has unused indexes: {unused:?}"
    );
    assert!(
        unused
            .iter()
            .all(|i| !i["index_name"].as_str().unwrap_or("").ends_with("_pkey"))
    );
    app.get("/admin/database", None)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_expose_the_table_statistics_as_gauges() {
    let app = TestApp::new().await;
    let res = app.get("/metrics", None).await;
    assert_eq!(res.status, StatusCode::OK);
    let text = res.text();
    for series in [
        "db_table_rows_estimate{table=\"shipments\"}",
        "db_table_bytes{table=\"activity_events\"}",
        "db_table_seq_scans{table=\"products\"}",
        "db_table_dead_tuples{table=\"cost_tracking\"}",
        "db_table_last_vacuum_timestamp_seconds{table=\"budgets\"}",
        "db_table_unused_indexes{table=\"budgets\"}",
        "live_streams_open 0",
        "live_listener_sessions_total",
    ] {
        assert!(text.contains(series), "{series} missing");
    }
}
