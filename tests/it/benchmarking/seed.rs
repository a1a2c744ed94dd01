//! `seed-demo`'s benchmark programme: both paths can be seen in the default six-client world.

use chrono::{Datelike, Months, Utc};
use serde_json::json;
use uuid::Uuid;

use super::view;
use crate::common::{TestApp, TestDb};
use fulfillment_ops::seed::{SeedOptions, seed_demo};

fn month(back: u32) -> String {
    let first = Utc::now().date_naive().with_day(1).expect("first");
    (first - Months::new(back)).format("%Y-%m").to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_world_has_a_published_month_a_too_small_month_and_an_outsider() {
    let db = TestDb::migrated().await;
    let opts = SeedOptions {
        clients: 6,
        products_per_client: 8,
        months: 3,
        rng_seed: 11,
    };
    let report = seed_demo(&db.url, &opts).await.expect("seed");
    assert_eq!(report.benchmarks.participants, 5);
    assert_eq!(report.benchmarks.early_too_small, 4);
    assert_eq!(report.benchmarks.cohorts, 5);
    assert_eq!(report.benchmarks.fell_back, 5);
    assert!(
        report
            .to_string()
            .contains("Benchmarks: 5 of 6 clients participate")
    );

    let app = TestApp::with(db, |_| {}).await;
    let pg = app.db.client().await;
    let rows = pg
        .query(
            "SELECT c.id, bp.is_participating FROM clients c
             LEFT JOIN benchmark_participation bp ON bp.client_id = c.id ORDER BY c.name",
            &[],
        )
        .await
        .expect("participation");
    let participants: Vec<Uuid> = rows
        .iter()
        .filter(|r| r.get::<_, Option<bool>>(1) == Some(true))
        .map(|r| r.get(0))
        .collect();
    let outsider: Uuid = rows
        .iter()
        .find(|r| r.get::<_, Option<bool>>(1) != Some(true))
        .expect("one client stays out")
        .get(0);
    assert_eq!(participants.len(), 5);

    let user = app.client_user(participants[0]).await;
    let last = view(&app, &user, participants[0], &month(1)).await;
    assert_eq!(last["reason"], json!(null), "{last}");
    assert_eq!(last["cohort_used"], "all");
    assert_eq!(last["participants"], "5–9");
    assert!(
        last["percentiles"]["order_frequency"]["p50"].is_string(),
        "{last}"
    );
    assert_eq!(last["percentiles"]["order_frequency"]["p90"], json!(null));
    assert!(last["position"]["order_frequency"].is_string());
    // The month before last was computed when only four had joined: too few for anything.
    let mut too_few = 0;
    for p in &participants {
        let u = app.client_user(*p).await;
        let early = view(&app, &u, *p, &month(2)).await;
        assert_eq!(early["percentiles"], json!(null), "{early}");
        too_few += usize::from(early["reason"] == "too_few_participants");
    }
    assert_eq!(too_few, 4);
    let out_user = app.client_user(outsider).await;
    let out = view(&app, &out_user, outsider, &month(1)).await;
    assert_eq!(out["reason"], "not_participating");
    assert!(out["metrics"]["order_frequency"].is_string());
}
