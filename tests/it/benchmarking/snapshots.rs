//! The snapshot job: hand-computed percentiles, the privacy rules, atomic replacement and
//! concurrent runs. Figures come from `product_count` (products created now count in the
//! current month); the other metrics are zero or null for these clients.

use axum::http::StatusCode;
use serde_json::json;

use super::{list, of, opt_in, participant, snapshots, this_month, view};
use crate::common::{
    TestApp,
    builders::{NewForecast, NewProduct, StockReadings},
    concurrently,
};

#[tokio::test(flavor = "multi_thread")]
async fn percentiles_interpolate_linearly_between_ranks() {
    let app = TestApp::new().await;
    let staff = app.operator().await;
    let month = this_month();
    let mut clients = Vec::new();
    for (i, n) in [1, 2, 3, 4, 5, 10].into_iter().enumerate() {
        clients.push(participant(&app, &staff, &format!("Peer {i}"), "Apparel", n).await);
    }
    let run = snapshots(&app, &month).await;
    assert_eq!(run["participants"], 6);
    assert_eq!(run["cohorts"], 1);
    let rows = list(&app, &app.admin().await, &format!("period={month}")).await;
    let s = of(&rows, "apparel/small");
    assert_eq!(s["cohort_used"], "apparel/small");
    assert_eq!(s["participants"], "5–9");
    // Sorted 1 2 3 4 5 10, rank (n − 1)·p: p25 at 1.25 → 2 + 0.25 = 2.25; p50 at 2.5 → 3.5;
    // p75 at 3.75 → 4 + 0.75 = 4.75; no P90 from 6.
    assert_eq!(
        s["percentiles"]["product_count"],
        json!({"p25": "2.2500", "p50": "3.5000", "p75": "4.7500", "p90": null})
    );
    // Everyone has zero orders: published, all zero.
    assert_eq!(s["percentiles"]["order_frequency"]["p50"], "0.0000");
    // Nobody has stock readings, forecasts or costs: nothing from fewer than 5.
    for m in ["stockout_rate", "forecast_accuracy", "inventory_turnover"] {
        assert_eq!(s["percentiles"][m], json!(null), "{m}");
        assert_eq!(s["suppressed"][m], "too_few_contributors", "{m}");
    }
    // PostgreSQL's percentile_cont agrees (it computes in double precision).
    let pg = app
        .db
        .client()
        .await
        .query_one(
            "SELECT percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY v)
             FROM unnest(ARRAY[1, 2, 3, 4, 5, 10]) v",
            &[],
        )
        .await
        .expect("percentile_cont")
        .get::<_, Vec<f64>>(0);
    assert_eq!(pg, vec![2.25, 3.5, 4.75]);

    // The client with 3 products sits between P25 and P50; 10 is at or above P75.
    let third = app.client_user(clients[2]).await;
    let mine = view(&app, &third, clients[2], &month).await;
    assert_eq!(mine["reason"], json!(null));
    assert_eq!(mine["cohort"], "apparel/small");
    assert_eq!(mine["participants"], "5–9");
    assert_eq!(mine["position"]["product_count"], "p25_p50");
    assert_eq!(mine["position"]["stockout_rate"], json!(null));
    let top = app.client_user(clients[5]).await;
    let theirs = view(&app, &top, clients[5], &month).await;
    assert_eq!(theirs["position"]["product_count"], "p75_p90");
    assert_eq!(theirs["percentiles"], mine["percentiles"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_metric_needs_five_contributors_and_p90_needs_ten() {
    let app = TestApp::new().await;
    let staff = app.operator().await;
    let admin = app.admin().await;
    let month = this_month();
    let first_day = format!("{month}-01");
    let mut clients = Vec::new();
    for i in 0..9 {
        clients.push(participant(&app, &staff, &format!("Peer {i}"), "beauty", i + 1).await);
    }
    // Stock readings for four participants only: stockout_rate has 4 contributors.
    let mut products = Vec::new();
    for (i, c) in clients.iter().enumerate() {
        let p = app
            .insert(NewProduct::new(*c, &format!("stocked-{i}")))
            .await;
        products.push(p);
    }
    // Four participants contribute to stockout_rate (a reading), forecast_accuracy (a
    // forecast) and inventory_turnover (a product with a cost, stock 100 and no demand).
    let contribute = async |i: usize| {
        app.insert(StockReadings::of(products[i]).on(&first_day, 0))
            .await;
        let costed = app
            .insert(NewProduct::new(clients[i], "costed").costs("1.00", "1", "0.1"))
            .await;
        app.insert(NewForecast::new(costed, &first_day, "0")).await;
    };
    for i in 0..4 {
        contribute(i).await;
    }
    snapshots(&app, &month).await;
    let rows = list(&app, &admin, &format!("period={month}")).await;
    let s = of(&rows, "beauty/small");
    for m in ["stockout_rate", "forecast_accuracy", "inventory_turnover"] {
        assert_eq!(s["suppressed"][m], "too_few_contributors", "{m}");
        assert_eq!(s["percentiles"][m], json!(null), "{m}");
    }
    assert_eq!(s["percentiles"]["product_count"]["p90"], json!(null));
    assert_eq!(s["participants"], "5–9");

    // A fifth contributor: published. A tenth participant: P90 and the next band.
    contribute(4).await;
    participant(&app, &staff, "Peer 9", "beauty", 11).await;
    let run = snapshots(&app, &month).await;
    assert_eq!(run["participants"], 10);
    let rows = list(&app, &admin, &format!("period={month}")).await;
    let s = of(&rows, "beauty/small");
    assert_eq!(s["suppressed"], json!({}));
    assert_eq!(s["percentiles"]["stockout_rate"]["p50"], "1.0000");
    assert_eq!(s["percentiles"]["forecast_accuracy"]["p50"], "1.0000");
    assert_eq!(s["percentiles"]["inventory_turnover"]["p50"], "0.0000");
    assert_eq!(s["participants"], "10–24");
    // Product counts 3 4 5 6 7 (two more each), 7 8 9 10 (one more) and 11: p90 at rank 8.1
    // → 10 + 0.1 × (11 − 10) = 10.1.
    assert_eq!(s["percentiles"]["product_count"]["p90"], "10.1000");
    // stockout_rate has only 5 contributors: no P90 for it.
    assert_eq!(s["percentiles"]["stockout_rate"]["p90"], json!(null));
}

#[tokio::test(flavor = "multi_thread")]
async fn small_cohorts_fall_back_to_their_industry_then_to_everyone() {
    let app = TestApp::new().await;
    let staff = app.operator().await;
    let admin = app.admin().await;
    let month = this_month();
    for i in 0..3 {
        participant(&app, &staff, &format!("Small {i}"), "apparel", 1 + i).await;
    }
    for i in 0..2 {
        let c = participant(&app, &staff, &format!("Medium {i}"), "apparel", 4 + i).await;
        opt_in(
            &app,
            &staff,
            c,
            json!({"is_participating": true, "size_band": "medium"}),
        )
        .await;
    }
    for i in 0..2 {
        participant(&app, &staff, &format!("Beauty {i}"), "beauty", 10 + i).await;
    }
    let run = snapshots(&app, &month).await;
    assert_eq!(run["cohorts"], 3);
    assert_eq!(run["cohorts_fell_back"], 3);
    assert_eq!(run["cohorts_too_small"], 0);
    let rows = list(&app, &admin, &format!("period={month}")).await;
    assert_eq!(rows.len(), 3);
    // apparel/small (3) and apparel/medium (2): their industry has 5.
    for cohort in ["apparel/small", "apparel/medium"] {
        let s = of(&rows, cohort);
        assert_eq!(s["cohort_used"], "apparel/*", "{cohort}");
        assert_eq!(s["participants"], "5–9");
        // 1 2 3 4 5: the median is 3.
        assert_eq!(s["percentiles"]["product_count"]["p50"], "3.0000");
    }
    // beauty (2): everyone (7): 1 2 3 4 5 10 11, median 4.
    let s = of(&rows, "beauty/small");
    assert_eq!(s["cohort_used"], "all");
    assert_eq!(s["percentiles"]["product_count"]["p50"], "4.0000");
}

#[tokio::test(flavor = "multi_thread")]
async fn fewer_than_five_participants_in_all_gives_no_snapshot_and_a_reason() {
    let app = TestApp::new().await;
    let staff = app.operator().await;
    let month = this_month();
    let mut clients = Vec::new();
    for i in 0..4 {
        clients.push(participant(&app, &staff, &format!("Few {i}"), "toys", 1 + i).await);
    }
    let user = app.client_user(clients[0]).await;
    // Before any run: no snapshot.
    let before = view(&app, &user, clients[0], &month).await;
    assert_eq!(before["reason"], "no_snapshot");
    let run = snapshots(&app, &month).await;
    assert_eq!(run["cohorts"], 0);
    assert_eq!(run["cohorts_too_small"], 1);
    let after = view(&app, &user, clients[0], &month).await;
    assert_eq!(after["reason"], "too_few_participants");
    assert_eq!(after["percentiles"], json!(null));
    assert_eq!(after["participants"], json!(null));
    assert_eq!(after["metrics"]["product_count"], "1");
    assert!(
        list(&app, &app.admin().await, &format!("period={month}"))
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_dominant_participant_suppresses_the_metric() {
    let app = TestApp::new().await;
    let staff = app.operator().await;
    let month = this_month();
    // 10 of 14 products: 71 % of the cohort's total, above the default 50 %.
    for (i, n) in [1, 1, 1, 1, 10].into_iter().enumerate() {
        participant(&app, &staff, &format!("Dom {i}"), "food", n).await;
    }
    let run = snapshots(&app, &month).await;
    assert_eq!(run["dominance"], 1);
    let rows = list(&app, &app.admin().await, &format!("period={month}")).await;
    let s = of(&rows, "food/small");
    assert_eq!(s["percentiles"]["product_count"], json!(null));
    assert_eq!(s["suppressed"]["product_count"], "dominance");
    // Zero totals dominate nothing: order_frequency is published.
    assert_eq!(s["percentiles"]["order_frequency"]["p25"], "0.0000");

    // BENCHMARK_DOMINANCE_PERCENT=80 lets the same cohort through.
    let lenient = TestApp::with(crate::common::TestDb::migrated().await, |c| {
        c.benchmark_dominance_percent = 80.into()
    })
    .await;
    let staff = lenient.operator().await;
    for (i, n) in [1, 1, 1, 1, 10].into_iter().enumerate() {
        participant(&lenient, &staff, &format!("Dom {i}"), "food", n).await;
    }
    snapshots(&lenient, &month).await;
    let rows = list(&lenient, &lenient.admin().await, &format!("period={month}")).await;
    assert_eq!(
        of(&rows, "food/small")["percentiles"]["product_count"]["p50"],
        "1.0000"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn opting_out_removes_a_client_from_the_next_snapshot_and_snapshots_stay_frozen() {
    let app = TestApp::new().await;
    let staff = app.operator().await;
    let admin = app.admin().await;
    let month = this_month();
    let mut clients = Vec::new();
    for (i, n) in [1, 2, 3, 4, 5, 10].into_iter().enumerate() {
        clients.push(participant(&app, &staff, &format!("Peer {i}"), "apparel", n).await);
    }
    snapshots(&app, &month).await;
    let query = format!("period={month}");
    let first = list(&app, &admin, &query).await;
    assert_eq!(
        of(&first, "apparel/small")["percentiles"]["product_count"]["p50"],
        "3.5000"
    );
    // Live data changes: the stored snapshot does not move until the job runs again.
    app.insert(NewProduct::new(clients[0], "extra")).await;
    assert_eq!(list(&app, &admin, &query).await, first);

    opt_in(&app, &staff, clients[5], json!({"is_participating": false})).await;
    let run = snapshots(&app, &month).await;
    assert_eq!(run["participants"], 5);
    let second = list(&app, &admin, &query).await;
    // 2 2 3 4 5: the median is 3.
    assert_eq!(
        of(&second, "apparel/small")["percentiles"]["product_count"]["p50"],
        "3.0000"
    );
    // The opted-out client keeps its own metrics but sees no cohort figures.
    let user = app.client_user(clients[5]).await;
    let out = view(&app, &user, clients[5], &month).await;
    assert_eq!(out["reason"], "not_participating");
    assert_eq!(out["percentiles"], json!(null));
    assert_eq!(out["metrics"]["product_count"], "10");
    // One more opt-out: the cohort (and everyone) is too small; the month has no snapshot.
    opt_in(&app, &staff, clients[4], json!({"is_participating": false})).await;
    snapshots(&app, &month).await;
    assert!(list(&app, &admin, &query).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn two_runs_of_one_month_at_once_leave_one_snapshot_per_cohort() {
    let app = TestApp::new().await;
    let staff = app.operator().await;
    let month = this_month();
    for (i, n) in [1, 2, 3, 4, 5].into_iter().enumerate() {
        participant(&app, &staff, &format!("Peer {i}"), "apparel", n).await;
    }
    for (i, n) in [6, 7, 8, 9, 10].into_iter().enumerate() {
        participant(&app, &staff, &format!("Other {i}"), "beauty", n).await;
    }
    let api = app.api();
    let runs = concurrently((0..4).map(|_| {
        let api = api.clone();
        let month = month.clone();
        async move {
            api.call(
                axum::http::Method::POST,
                "/api/v1/admin/benchmarks/snapshots".to_owned(),
                Some(crate::common::ADMIN_TOKEN.to_owned()),
                Some(json!({ "period": month })),
            )
            .await
        }
    }))
    .await;
    for r in &runs {
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["cohorts"], 2);
    }
    let stored: i64 = app
        .db
        .client()
        .await
        .query_one("SELECT count(*) FROM benchmark_snapshots", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(stored, 2);
    let rows = list(&app, &app.admin().await, &format!("period={month}")).await;
    assert_eq!(
        of(&rows, "beauty/small")["percentiles"]["product_count"]["p50"],
        "8.0000"
    );
    // Running it again answers the same figures.
    snapshots(&app, &month).await;
    let again = list(&app, &app.admin().await, &format!("period={month}")).await;
    assert_eq!(
        of(&again, "beauty/small")["percentiles"],
        of(&rows, "beauty/small")["percentiles"]
    );
}

/// Publishing a month's snapshots tells each participant's live stream: one
/// `benchmark.snapshot_published` per participating client (with its cohort), none for a
/// client that does not participate, written in the job's transaction.
#[tokio::test(flavor = "multi_thread")]
async fn a_snapshot_run_announces_itself_to_every_participant() {
    let app = TestApp::new().await;
    let staff = app.operator().await;
    let month = this_month();
    let mut clients = Vec::new();
    for i in 0..5 {
        clients.push(participant(&app, &staff, &format!("Peer {i}"), "Apparel", 2).await);
    }
    let outsider = app.insert_client("Outsider").await;
    snapshots(&app, &month).await;
    let db = app.db.client().await;
    let rows = db
        .query(
            "SELECT client_id, payload->>'period', payload->>'cohort' FROM activity_events \
             WHERE type = 'benchmark.snapshot_published' ORDER BY id",
            &[],
        )
        .await
        .expect("events");
    let mut announced: Vec<uuid::Uuid> = rows.iter().map(|r| r.get(0)).collect();
    announced.sort();
    clients.sort();
    assert_eq!(announced, clients);
    assert!(!announced.contains(&outsider));
    for r in &rows {
        assert_eq!(
            r.get::<_, Option<String>>(1).as_deref(),
            Some(month.as_str())
        );
        assert_eq!(
            r.get::<_, Option<String>>(2).as_deref(),
            Some("apparel/small")
        );
    }
}
