//! `seed-demo` leaves lead times to show: most products with their own, some on client
//! defaults, some unknown, and a recalculation already run, so reorder alerts exist.

use crate::common::{TestApp, TestDb};
use fulfillment_ops::seed::{SeedOptions, seed_demo};

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_world_has_reorder_alerts_right_after_seeding() {
    let db = TestDb::migrated().await;
    let opts = SeedOptions {
        clients: 6,
        products_per_client: 20,
        months: 6,
        rng_seed: 11,
    };
    let report = seed_demo(&db.url, &opts).await.expect("seed");
    assert!(report.reorder_alerts > 0, "{report}");
    assert!(report.to_string().contains("reorder alerts"), "{report}");

    let pg = db.client().await;
    let sources = pg
        .query(
            "SELECT lead_time_source, count(*) FROM product_timing_inputs GROUP BY 1",
            &[],
        )
        .await
        .expect("sources");
    let count = |word: &str| -> i64 {
        sources
            .iter()
            .find(|r| r.get::<_, String>(0) == word)
            .map_or(0, |r| r.get(1))
    };
    assert_eq!(
        sources.iter().map(|r| r.get::<_, i64>(1)).sum::<i64>(),
        120,
        "every product recalculated"
    );
    assert!(
        count("supplier") >= 100,
        "most products have their own lead times"
    );
    assert!(
        count("client_default") > 0,
        "some fall back to their client's defaults"
    );
    assert!(count("unknown") > 0, "some have none at all");
    let dated: i64 = pg
        .query_one(
            "SELECT count(*) FROM products WHERE last_order_by_date IS NOT NULL",
            &[],
        )
        .await
        .expect("dated")
        .get(0);
    assert_eq!(dated, report.lead_time_dated);

    // And the API serves them.
    let app = TestApp::with(db, |_| {}).await;
    let admin = app.admin().await;
    let client: uuid::Uuid = pg
        .query_one(
            "SELECT client_id FROM products WHERE last_order_by_date <= CURRENT_DATE + 14 LIMIT 1",
            &[],
        )
        .await
        .expect("a client with alerts")
        .get(0);
    let page = app
        .get_as(&format!("/api/v1/clients/{client}/reorder-alerts"), &admin)
        .await
        .json();
    assert!(!page["data"].as_array().expect("data").is_empty(), "{page}");
}
