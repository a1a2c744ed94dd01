//! `POST /lead-times/recalculate` and `jobs recalculate-lead-times`: hand-computed dates,
//! the demand window's edges, zero demand, unknown lead times, idempotent and concurrent runs.

use std::process::{Command, Stdio};

use axum::http::StatusCode;
use serde_json::json;

use super::{in_days, inputs_of, product, recalculate};
use crate::common::{
    ADMIN_TOKEN, JWT_SECRET, TestApp, TestDb, TestResponse,
    builders::{NewClient, NewProduct, OrderHistory, days_ago},
    concurrently,
};

#[tokio::test(flavor = "multi_thread")]
async fn dates_match_a_hand_computation_over_the_window_of_counted_orders() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    // Lead time 10 + 3 + 1 + 2 = 16 days; 100 on hand.
    let tee = app
        .insert(
            NewProduct::new(acme, "TEE")
                .stock(100)
                .lead_days(Some(10), Some(3), Some(1)),
        )
        .await;
    app.patch(
        &format!("/api/v1/clients/{acme}/products/{tee}/lead-times"),
        &user,
        json!({"safety_buffer_days": 2, "lead_time_source": "supplier"}),
    )
    .await;
    app.insert(
        OrderHistory::of(acme)
            // Before the window: history, not demand (so no shorter-history scaling).
            .line_at(tee, 500, days_ago(200))
            .line_at(tee, 1000, days_ago(90))
            // The window's first day (today − 89) and today.
            .line_at(tee, 100, days_ago(89))
            .line_at(tee, 35, days_ago(0))
            // Orders that do not count, inside the window.
            .line(tee, 400, days_ago(5), "draft")
            .line(tee, 400, days_ago(5), "cancelled")
            .line(tee, 20, days_ago(3), "approved")
            .line(tee, 25, days_ago(2), "fulfilled"),
    )
    .await;

    let summary = recalculate(&app, &user, acme).await;
    assert_eq!(summary["products"], 1);
    assert_eq!(summary["with_order_by_date"], 1);
    assert_eq!(summary["demand_window_days"], 90);
    assert_eq!(summary["as_of"], in_days(0));

    // Window units 100 + 35 + 20 + 25 = 180 over 90 days: 2 a day. Cover 100 / 2 = 50 days.
    let p = product(&app, &user, acme, tee).await;
    assert_eq!(p["projected_stockout_date"], in_days(50));
    assert_eq!(p["last_order_by_date"], in_days(50 - 16));
    assert!(p["timing_last_calculated"].is_string());
    let (daily, days, source, reason) = inputs_of(&app, tee).await;
    assert_eq!((daily.as_str(), days), ("2.0000", 90));
    assert_eq!(source, "supplier");
    assert_eq!(reason, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn cover_is_floored_exactly_and_a_short_history_averages_over_its_own_days() {
    let app = TestApp::new().await;
    let acme = app
        .insert(NewClient::named("Acme").default_lead_days(7, 3))
        .await;
    let user = app.client_user(acme).await;
    // 135 units over 90 days = 1.5 a day; 100 on hand = 66.67 days → 66.
    let old = app
        .insert(
            NewProduct::new(acme, "OLD")
                .stock(100)
                .lead_days(Some(20), None, None),
        )
        .await;
    // First order ever 10 days ago: averaged over 30 days (the shared minimum), not 90.
    let new = app.insert(NewProduct::new(acme, "NEW").stock(50)).await;
    app.insert(
        OrderHistory::of(acme)
            .line_at(old, 1, days_ago(300))
            .line_at(old, 135, days_ago(45))
            .line_at(new, 60, days_ago(10)),
    )
    .await;
    let summary = recalculate(&app, &user, acme).await;
    assert_eq!(summary["using_client_defaults"], 1);

    let p = product(&app, &user, acme, old).await;
    assert_eq!(p["projected_stockout_date"], in_days(66));
    assert_eq!(p["last_order_by_date"], in_days(46));
    assert_eq!(inputs_of(&app, old).await.0, "1.5000");

    // 60 / 30 = 2 a day, 50 on hand: 25 days; the client's defaults 7 + 3 = 10 days.
    let p = product(&app, &user, acme, new).await;
    assert_eq!(p["projected_stockout_date"], in_days(25));
    assert_eq!(p["last_order_by_date"], in_days(15));
    assert!(
        p["total_lead_days"].is_null(),
        "the defaults are used, not stored"
    );
    let (daily, days, source, _) = inputs_of(&app, new).await;
    assert_eq!(
        (daily.as_str(), days, source.as_str()),
        ("2.0000", 30, "client_default")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_demand_gives_no_dates_and_no_lead_time_gives_no_order_by_date() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let idle = app
        .insert(NewProduct::new(acme, "IDLE").lead_days(Some(5), None, None))
        .await;
    let unknown = app.insert(NewProduct::new(acme, "UNKNOWN").stock(10)).await;
    let empty = app
        .insert(
            NewProduct::new(acme, "EMPTY")
                .stock(0)
                .lead_days(Some(4), None, None),
        )
        .await;
    app.insert(
        OrderHistory::of(acme)
            .line_at(idle, 50, days_ago(120))
            .line_at(unknown, 90, days_ago(100))
            .line_at(unknown, 90, days_ago(30))
            .line_at(empty, 9, days_ago(100))
            .line_at(empty, 9, days_ago(1)),
    )
    .await;
    let summary = recalculate(&app, &user, acme).await;
    assert_eq!(summary["products"], 3);
    assert_eq!(summary["no_demand"], 1);
    assert_eq!(summary["no_lead_time"], 1);
    assert_eq!(summary["with_order_by_date"], 1);

    let p = product(&app, &user, acme, idle).await;
    assert!(p["projected_stockout_date"].is_null() && p["last_order_by_date"].is_null());
    assert!(
        p["timing_last_calculated"].is_string(),
        "calculated, with nothing to date"
    );
    assert_eq!(inputs_of(&app, idle).await.3.as_deref(), Some("no_demand"));

    // 90 in the window, 1 a day, 10 on hand: out in 10 days; when to order is unknown.
    let p = product(&app, &user, acme, unknown).await;
    assert_eq!(p["projected_stockout_date"], in_days(10));
    assert!(
        p["last_order_by_date"].is_null(),
        "unknown, never a silent 0"
    );
    let (_, _, source, reason) = inputs_of(&app, unknown).await;
    assert_eq!(
        (source.as_str(), reason.as_deref()),
        ("unknown", Some("no_lead_time"))
    );

    // Nothing on hand: out today, and the order was due 4 days ago.
    let p = product(&app, &user, acme, empty).await;
    assert_eq!(p["projected_stockout_date"], in_days(0));
    assert_eq!(p["last_order_by_date"], in_days(-4));
    assert_eq!(
        inputs_of(&app, empty).await.2,
        "manual",
        "own days without a source"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_window_follows_lead_time_demand_window_days() {
    let db = TestDb::migrated().await;
    let app = TestApp::with(db, |c| c.lead_time_demand_window_days = 30).await;
    let (acme, user) = app.client_with_user("Acme").await;
    let tee = app
        .insert(
            NewProduct::new(acme, "TEE")
                .stock(30)
                .lead_days(Some(3), None, None),
        )
        .await;
    app.insert(
        OrderHistory::of(acme)
            .line_at(tee, 1000, days_ago(30))
            .line_at(tee, 60, days_ago(29)),
    )
    .await;
    let summary = recalculate(&app, &user, acme).await;
    assert_eq!(summary["demand_window_days"], 30);
    // 60 over the 30 days ending today: 2 a day, 30 on hand: 15 days.
    let p = product(&app, &user, acme, tee).await;
    assert_eq!(p["projected_stockout_date"], in_days(15));
    assert_eq!(p["last_order_by_date"], in_days(12));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_time_patch_refreshes_the_products_dates() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let tee = app.insert(NewProduct::new(acme, "TEE").stock(40)).await;
    app.insert(
        OrderHistory::of(acme)
            .line_at(tee, 9, days_ago(300))
            .line_at(tee, 90, days_ago(1)),
    )
    .await;
    recalculate(&app, &user, acme).await;
    assert!(product(&app, &user, acme, tee).await["last_order_by_date"].is_null());

    let p = app
        .patch(
            &format!("/api/v1/clients/{acme}/products/{tee}/lead-times"),
            &user,
            json!({"supplier_lead_days": 12}),
        )
        .await
        .json();
    assert_eq!(p["projected_stockout_date"], in_days(40));
    assert_eq!(p["last_order_by_date"], in_days(28));
}

#[tokio::test(flavor = "multi_thread")]
async fn recalculating_again_or_concurrently_gives_the_same_dates_and_one_inputs_row() {
    let app = TestApp::new().await;
    let (acme, user) = app.client_with_user("Acme").await;
    let mut ids = Vec::new();
    for i in 0..20 {
        let id = app
            .insert(
                NewProduct::new(acme, &format!("SKU-{i}"))
                    .stock(10 * i)
                    .lead_days(Some(i), None, None),
            )
            .await;
        ids.push(id);
    }
    let mut history = OrderHistory::of(acme);
    for (i, id) in ids.iter().enumerate() {
        history =
            history
                .line_at(*id, 1, days_ago(200))
                .line_at(*id, 9 * (i as i32 + 1), days_ago(3));
    }
    app.insert(history).await;

    let first = recalculate(&app, &user, acme).await;
    let dates = |ps: Vec<serde_json::Value>| {
        ps.iter()
            .map(|p| {
                (
                    p["projected_stockout_date"].clone(),
                    p["last_order_by_date"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let mut before = Vec::new();
    for id in &ids {
        before.push(product(&app, &user, acme, *id).await);
    }
    let second = recalculate(&app, &user, acme).await;
    assert_eq!(first["products"], second["products"]);
    assert_eq!(first["with_order_by_date"], second["with_order_by_date"]);
    assert!(second["calculated_at"].as_str() > first["calculated_at"].as_str());

    // Four recalculations and a lead-time PATCH at once: all answer, none deadlocks.
    let api = app.api();
    let path = format!("/api/v1/clients/{acme}/lead-times/recalculate");
    type Call = std::pin::Pin<Box<dyn std::future::Future<Output = TestResponse> + Send>>;
    let mut calls: Vec<Call> = (0..4)
        .map(|_| Box::pin(api.post(path.clone(), &user, json!({}))) as Call)
        .collect();
    calls.push(Box::pin(api.patch(
        format!("/api/v1/clients/{acme}/products/{}/lead-times", ids[5]),
        &user,
        json!({"supplier_lead_days": 5}),
    )));
    for res in concurrently(calls).await {
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    }
    let mut after = Vec::new();
    for id in &ids {
        after.push(product(&app, &user, acme, *id).await);
    }
    assert_eq!(
        dates(before),
        dates(after),
        "same figures, whatever the interleaving"
    );
    let rows = app
        .db
        .client()
        .await
        .query_one("SELECT count(*) FROM product_timing_inputs", &[])
        .await
        .expect("count");
    assert_eq!(rows.get::<_, i64>(0), 20, "one inputs row per product");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_job_recalculates_every_client() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let mut products = Vec::new();
    for name in ["Acme", "Globex"] {
        let client = app.insert_client(name).await;
        let id = app
            .insert(
                NewProduct::new(client, "TEE")
                    .stock(20)
                    .lead_days(Some(4), None, None),
            )
            .await;
        app.insert(
            OrderHistory::of(client)
                .line_at(id, 1, days_ago(100))
                .line_at(id, 90, days_ago(2)),
        )
        .await;
        products.push((client, id));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_fulfillment-ops"))
        .env_clear()
        .current_dir(std::env::temp_dir())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("JWT_SECRET", JWT_SECRET)
        .env("ADMIN_TOKEN", ADMIN_TOKEN)
        .env("DATABASE_URL", &app.db.url)
        .args(["jobs", "recalculate-lead-times"])
        .stdin(Stdio::null())
        .output()
        .expect("run the binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("2 products of 2 clients"), "{stdout}");
    for (client, id) in products {
        let p = product(&app, &admin, client, id).await;
        assert_eq!(p["projected_stockout_date"], in_days(20));
        assert_eq!(p["last_order_by_date"], in_days(16));
    }
}

/// A nightly run rewrites every product row (the guide's timing cache). The tables keep room on
/// each page (migration 20251229000001) so that, when a product's dates did not change, its new
/// version stays on its page without new index entries (a HOT update): what keeps the run's
/// cost growing with the products rather than faster (docs/benchmarks.md). Asserted on the
/// statement itself, in one transaction, from PostgreSQL's per-transaction counters.
#[tokio::test(flavor = "multi_thread")]
async fn a_second_run_rewrites_the_rows_in_place() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let db = app.db.client().await;
    // 300 products (a dozen pages when full), half of them with demand.
    db.batch_execute(&format!(
        "INSERT INTO products (client_id, sku, name, current_stock, supplier_lead_days)
         SELECT '{acme}', 'SKU-' || g, 'Product ' || g, 50 + g, 3 + g % 7
         FROM generate_series(1, 300) g;
         WITH o AS (INSERT INTO order_requests (client_id, status, created_at)
                    VALUES ('{acme}', 'approved', now() - interval '5 days') RETURNING id)
         INSERT INTO order_request_items (order_request_id, product_id, quantity)
         SELECT o.id, p.id, 1 + length(p.sku) FROM o, products p
         WHERE p.client_id = '{acme}' AND p.current_stock % 2 = 0;"
    ))
    .await
    .expect("products and orders");
    db.batch_execute(&format!(
        "PREPARE recalc(date, integer, uuid, uuid, integer) AS {}",
        include_str!("../../../src/lead_times/recalculate.sql")
    ))
    .await
    .expect("prepare");
    let run = format!("EXECUTE recalc(current_date, 90, '{acme}', NULL, 14)");
    // The first run dates the products with demand (an indexed column changes: not HOT).
    db.batch_execute(&run).await.expect("first run");
    // As the next night's run finds the table: vacuumed (autovacuum, after a full rewrite).
    db.batch_execute("VACUUM products").await.expect("vacuum");
    let counters = async || {
        let row = db
            .query_one(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables
                 WHERE relname = 'products'",
                &[],
            )
            .await
            .expect("counters");
        (row.get::<_, i64>(0), row.get::<_, i64>(1))
    };
    db.batch_execute("BEGIN").await.expect("begin");
    let before = counters().await;
    db.batch_execute(&run).await.expect("second run");
    let after = counters().await;
    db.batch_execute("COMMIT").await.expect("commit");
    let (updated, hot) = (after.0 - before.0, after.1 - before.1);
    assert_eq!(updated, 300, "the second run rewrote every product");
    // With full pages (fillfactor 100) about 20 of the 300 are HOT; with room, nearly all
    // (a page that took rows moved off a full neighbour in the first run may lack room).
    assert!(
        hot >= 270,
        "and nearly every rewrite stayed on its page: {hot} of 300 HOT"
    );
}
