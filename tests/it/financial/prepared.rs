//! The computing statements are prepared once per connection and then only executed, so
//! planning is not paid on every request (issue 16).

use diesel::{
    QueryableByName,
    sql_types::{BigInt, Text},
};
use diesel_async::RunQueryDsl;
use fulfillment_ops::financial::{eoq::eoq_figures, variance::budget_variances};

use crate::common::{
    TestApp,
    builders::{NewProduct, date, dec},
};

#[derive(QueryableByName)]
struct Prepared {
    #[diesel(sql_type = Text)]
    statement: String,
    #[diesel(sql_type = BigInt)]
    runs: i64,
}

#[tokio::test(flavor = "multi_thread")]
async fn eoq_and_variance_are_prepared_once_per_connection() {
    let app = TestApp::new().await;
    let acme = app.insert_client("Acme").await;
    let tee = app
        .insert(NewProduct::new(acme, "TEE").costs("10.00", "50.00", "0.2"))
        .await;
    let mut conn = app.conn().await;
    for day in ["2025-06-28", "2025-06-29", "2025-06-30"] {
        eoq_figures(&mut conn, acme, tee, date(day))
            .await
            .expect("eoq");
        budget_variances(&mut conn, acme, None, None, date(day), &dec("5"))
            .await
            .expect("variance");
    }
    let prepared: Vec<Prepared> = diesel::sql_query(
        "SELECT statement, generic_plans + custom_plans AS runs FROM pg_prepared_statements",
    )
    .load(&mut conn)
    .await
    .expect("pg_prepared_statements");
    for (what, marker) in [("EOQ", "eoq_units("), ("variance", "budgeted_amount")] {
        let runs: Vec<i64> = (prepared.iter())
            .filter(|p| p.statement.contains(marker) && !p.statement.contains("pg_prepared"))
            .map(|p| p.runs)
            .collect();
        assert_eq!(runs, [3], "{what}: one prepared statement, run three times");
    }
}
