//! The variance statement's plan on realistic data: the costs are read and summed once for all
//! the client's budgets, whatever the planner expects (custom or generic plan), and the
//! answers are the ones the per-budget statement gave.

use serde_json::Value;

use crate::common::TestDb;

/// 20 clients × 100 products (five categories, every tenth without) × 15 months of costs;
/// the first client ("Client 01") holds 15 budgets: twelve months of the whole client, a
/// category quarter cut mid-month, a product across a month boundary and a product whose
/// category is not its own; every other client three budgets.
const WORLD: &str = "
INSERT INTO clients (name) SELECT 'Client ' || lpad(c::text, 2, '0') FROM generate_series(1, 20) c;
INSERT INTO products (client_id, sku, name, category)
SELECT c.id, 'SKU-' || g, 'Product ' || g, CASE WHEN g % 10 <> 0 THEN 'cat-' || g % 5 END
FROM clients c, generate_series(1, 100) g;
INSERT INTO cost_tracking (client_id, product_id, period, total_cost)
SELECT p.client_id, p.id, (date '2024-01-01' + make_interval(months => m))::date,
       ((hashtext(p.sku || c.name || m) & 65535) % 100000) / 100.0
FROM products p JOIN clients c ON c.id = p.client_id, generate_series(0, 14) m;
INSERT INTO budgets (client_id, period_start, period_end, budgeted_amount)
SELECT c.id, (date '2024-01-01' + make_interval(months => m))::date,
       (date '2024-02-01' + make_interval(months => m))::date - 1, 25000
FROM clients c, generate_series(0, 11) m WHERE c.name = 'Client 01' OR m < 2;
INSERT INTO budgets (client_id, category, period_start, period_end, budgeted_amount)
SELECT id, 'cat-3', '2024-04-10', '2024-07-09', 9000 FROM clients;
INSERT INTO budgets (client_id, product_id, category, period_start, period_end, budgeted_amount)
SELECT p.client_id, p.id, NULL, date '2024-02-15', date '2024-03-14', 0
FROM products p JOIN clients c ON c.id = p.client_id WHERE c.name = 'Client 01' AND p.sku = 'SKU-7'
UNION ALL
SELECT p.client_id, p.id, 'cat-1', date '2024-05-01', date '2024-12-31', 300
FROM products p JOIN clients c ON c.id = p.client_id WHERE c.name = 'Client 01' AND p.sku = 'SKU-8';
ANALYZE;
";

/// What the plan must not hold: an aggregate run more than once, or a sub-plan run per row.
fn loops_in(node: &Value, path: &str, found: &mut Vec<String>) {
    let kind = node["Node Type"].as_str().unwrap_or("?");
    let here = format!("{path} > {kind}");
    let loops = node["Actual Loops"].as_u64().unwrap_or(0);
    if kind == "Aggregate" && loops > 1 {
        found.push(format!("{here} ran {loops} times"));
    }
    if node["Parent Relationship"] == "SubPlan" {
        found.push(format!("{here} is a per-row {}", node["Subplan Name"]));
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        loops_in(child, &here, found);
    }
}

/// The loops of `EXECUTE name(args)` under `mode` (`plan_cache_mode`), and its answer.
async fn run(
    client: &tokio_postgres::Client,
    mode: &str,
    name: &str,
    args: &str,
) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    client
        .batch_execute(&format!("SET plan_cache_mode = {mode}"))
        .await
        .expect("set");
    let explain = format!("EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE {name}({args})");
    let rows = client.simple_query(&explain).await.expect("explain");
    let json = rows.iter().find_map(|m| match m {
        tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
        _ => None,
    });
    let plan: Value = serde_json::from_str(&json.expect("a plan")).expect("json");
    let mut found = Vec::new();
    loops_in(&plan[0]["Plan"], "", &mut found);
    let answer = client
        .simple_query(&format!("EXECUTE {name}({args})"))
        .await
        .expect("execute")
        .into_iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect())
            }
            _ => None,
        })
        .collect();
    (found, answer)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_variance_statement_reads_the_costs_once() {
    let db = TestDb::migrated().await;
    db.execute(WORLD).await;
    let client = db.client().await;
    let acme: uuid::Uuid = client
        .query_one("SELECT id FROM clients WHERE name = 'Client 01'", &[])
        .await
        .expect("client")
        .get(0);
    let types = "(uuid, date, date, date, numeric)";
    let now = fulfillment_ops::financial::variance::VARIANCE_SQL.text();
    let before = include_str!("variance_before.sql");
    client
        .batch_execute(&format!(
            "PREPARE now_ {types} AS {now}; PREPARE before_ {types} AS {before};"
        ))
        .await
        .expect("prepare");

    let windows = [
        format!("'{acme}', NULL, NULL, '2024-06-15', 5"),
        format!("'{acme}', '2024-03-01', '2024-05-31', '2024-12-31', 5"),
        format!("'{acme}', NULL, '2024-02-20', '2024-02-20', 7.5"),
    ];
    let mut checked = 0;
    for mode in ["force_custom_plan", "force_generic_plan"] {
        for args in &windows {
            let (loops, answer) = run(&client, mode, "now_", args).await;
            assert!(loops.is_empty(), "{mode}, ({args}): {loops:#?}");
            let (_, expected) = run(&client, mode, "before_", args).await;
            assert_eq!(
                answer, expected,
                "{mode}, ({args}): the same figures as before"
            );
            checked += answer.len();
        }
    }
    let (_, all) = run(&client, "auto", "now_", &windows[0]).await;
    assert_eq!(
        all.len(),
        15,
        "every budget of the client, no other client's"
    );
    assert!(checked > 40, "{checked} rows compared");
    // The check can fail: the per-budget statement it replaced does not pass it.
    let (loops, _) = run(&client, "force_generic_plan", "before_", &windows[0]).await;
    assert!(!loops.is_empty(), "the old statement looped per budget");
}
