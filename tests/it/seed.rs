//! `seed_demo`: the demo world it writes into a fresh migrated database.

use std::sync::{Arc, Weak};

use crate::common::TestDb;
use fulfillment_ops::{
    auth::password::verify_password,
    seed::{SeedOptions, SeedReport, seed_demo},
};

fn small(seed: u64) -> SeedOptions {
    SeedOptions {
        clients: 3,
        products_per_client: 10,
        months: 3,
        rng_seed: seed,
    }
}

/// A connection to the test database in UTC, the time zone the seed's days are in.
async fn utc_client(tdb: &TestDb) -> tokio_postgres::Client {
    let db = tdb.client().await;
    db.batch_execute("SET TimeZone = 'UTC'")
        .await
        .expect("set time zone");
    db
}

async fn count(db: &tokio_postgres::Client, sql: &str) -> i64 {
    db.query_one(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

async fn float(db: &tokio_postgres::Client, sql: &str) -> f64 {
    db.query_one(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

/// The small world (3 clients × 10 products × 3 months, seed 7), seeded once and shared by the
/// tests below, which only read it; it is dropped with the last of them that holds it.
struct SmallWorld {
    db: TestDb,
    report: SeedReport,
}

async fn small_world() -> Arc<SmallWorld> {
    static SHARED: tokio::sync::Mutex<Weak<SmallWorld>> =
        tokio::sync::Mutex::const_new(Weak::new());
    let mut shared = SHARED.lock().await;
    if let Some(world) = shared.upgrade() {
        return world;
    }
    let db = TestDb::migrated().await;
    let report = seed_demo(&db.url, &small(7)).await.expect("seed");
    let world = Arc::new(SmallWorld { db, report });
    *shared = Arc::downgrade(&world);
    world
}

#[tokio::test(flavor = "multi_thread")]
async fn the_small_world_report_counts_what_is_in_the_database() {
    let world = small_world().await;
    let report = &world.report;
    let db = utc_client(&world.db).await;
    // The report counts what is in the database.
    assert_eq!(report.clients, 3);
    assert_eq!(report.products, 30);
    for (table, reported) in [
        ("clients", report.clients),
        ("products", report.products),
        ("order_requests", report.order_requests),
        ("order_request_items", report.order_lines),
        ("stock_levels", report.stock_levels),
        ("demand_forecasts", report.demand_forecasts),
        ("shipments", report.shipments),
        ("shipment_events", report.shipment_events),
        ("cost_tracking", report.cost_rows),
        ("budgets", report.budgets),
    ] {
        let actual = count(&db, &format!("SELECT count(*) FROM {table}")).await;
        assert_eq!(actual, reported, "{table}");
    }
    // Every month of the history (three, plus the partial first and the current one) is
    // aggregated for every product; each client has four monthly budgets and a category one.
    assert!((4..=5).contains(&report.cost_months), "{report}");
    assert_eq!(report.cost_rows, report.cost_months * report.products);
    assert_eq!(report.budgets, report.clients * 5);
    assert!(report.order_requests > 50, "{report}");
    assert!(report.order_lines >= report.order_requests);
}

#[tokio::test(flavor = "multi_thread")]
async fn small_world_clients_have_different_industries() {
    let world = small_world().await;
    let db = utc_client(&world.db).await;
    // Clients: different industries, some with default lead times.
    assert_eq!(
        count(&db, "SELECT count(DISTINCT industry) FROM clients").await,
        3
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM clients WHERE name = 'Northwind Apparel'"
        )
        .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn small_world_products_have_plausible_skus_costs_and_lead_times() {
    let world = small_world().await;
    let db = utc_client(&world.db).await;
    // Products: plausible SKUs, unique per client; prices above costs; about 10 % without
    // costs and 10 % without lead times; the trigger computed total lead days.
    assert_eq!(
        count(&db, "SELECT count(DISTINCT (client_id, sku)) FROM products").await,
        30
    );
    assert_eq!(
        count(
            &db,
            r"SELECT count(*) FROM products WHERE sku !~ '^[A-Z0-9]+-[A-Z]+-\d{4}$'"
        )
        .await,
        0
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM products WHERE sku LIKE 'NWA-%'").await,
        10
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM products WHERE unit_cost IS NULL").await,
        3
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM products WHERE total_lead_days IS NULL"
        )
        .await,
        3
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM products WHERE unit_cost IS NOT NULL AND NOT (
                 unit_price > unit_cost AND cost_source = 'estimate'
                 AND holding_cost_rate BETWEEN 0.15 AND 0.35 AND reorder_cost > 0
                 AND last_cost_update <= now())"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM products WHERE unit_cost IS NULL AND (unit_price IS NOT NULL
                 OR reorder_cost IS NOT NULL OR holding_cost_rate IS NOT NULL
                 OR last_cost_update IS NOT NULL OR cost_source IS NOT NULL)"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM products WHERE supplier_lead_days IS NOT NULL AND (
                 lead_time_source IS DISTINCT FROM 'supplier' OR total_lead_days IS DISTINCT FROM
                 supplier_lead_days + shipping_lead_days + processing_lead_days
                 + safety_buffer_days)"
        )
        .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn small_world_order_lines_belong_to_the_orders_client_and_differ() {
    let world = small_world().await;
    let db = utc_client(&world.db).await;
    // Orders: lines belong to products of the order's client; 1–6 distinct products each.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM order_request_items i
             JOIN order_requests o ON o.id = i.order_request_id
             JOIN products p ON p.id = i.product_id
             WHERE p.client_id <> o.client_id"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM (
                 SELECT o.id, count(i.id) AS n, count(DISTINCT i.product_id) AS d
                 FROM order_requests o LEFT JOIN order_request_items i ON i.order_request_id = o.id
                 GROUP BY o.id) x
             WHERE n NOT BETWEEN 1 AND 6 OR d <> n"
        )
        .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn small_world_orders_span_the_months_with_statuses_by_age() {
    let world = small_world().await;
    let db = utc_client(&world.db).await;
    // The history: inside the last 3 months, never in the future.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM order_requests
             WHERE created_at > now() OR created_at < now() - interval '3 months 1 day'
                OR updated_at < created_at OR updated_at > now()"
        )
        .await,
        0
    );
    // Statuses by age: old orders are done (a few cancelled); the last two weeks are open.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM order_requests
             WHERE (created_at::date < current_date - 14
                    AND status NOT IN ('fulfilled', 'cancelled'))
                OR (created_at::date > current_date - 14
                    AND status NOT IN ('draft', 'submitted', 'approved'))"
        )
        .await,
        0
    );
    let cancelled = float(
        &db,
        "SELECT avg((status = 'cancelled')::int)::float8 FROM order_requests
         WHERE created_at::date < current_date - 14",
    )
    .await;
    assert!(cancelled < 0.10, "cancelled share {cancelled}");
    assert!(
        count(
            &db,
            "SELECT count(DISTINCT status) FROM order_requests
             WHERE created_at::date > current_date - 14"
        )
        .await
            >= 2
    );
    // Spread through the day, not all at midnight.
    assert!(
        count(
            &db,
            "SELECT count(DISTINCT extract(hour FROM created_at)) FROM order_requests"
        )
        .await
            >= 8
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn small_world_stock_is_read_every_monday_and_current_stock_agrees() {
    let world = small_world().await;
    let report = &world.report;
    let db = utc_client(&world.db).await;
    // Stock: one reading per product per Monday of the period, current_stock consistent.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM stock_levels WHERE extract(isodow FROM recorded_on) <> 1"
        )
        .await,
        0
    );
    let mondays = count(
        &db,
        "SELECT count(*) FROM generate_series((current_date - interval '3 months')::date,
                                              current_date, interval '1 day') d
         WHERE extract(isodow FROM d) = 1",
    )
    .await;
    assert_eq!(report.stock_levels, 30 * mondays);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM products p
             WHERE p.current_stock > (SELECT s.quantity FROM stock_levels s
                                      WHERE s.product_id = p.id
                                      ORDER BY s.recorded_on DESC LIMIT 1)"
        )
        .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn small_world_forecasts_are_monthly_and_near_actual_demand() {
    let world = small_world().await;
    let db = utc_client(&world.db).await;
    // Forecasts: one per product and month, on the first, near actual demand.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM demand_forecasts WHERE extract(day FROM period) <> 1"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM (SELECT DISTINCT product_id FROM demand_forecasts) x"
        )
        .await,
        30
    );
    let ratio = float(
        &db,
        "SELECT (SELECT sum(forecast_units) FROM demand_forecasts)::float8
              / (SELECT sum(quantity) FROM order_request_items)::float8",
    )
    .await;
    assert!((0.7..1.3).contains(&ratio), "forecast / actual = {ratio}");
}

#[tokio::test(flavor = "multi_thread")]
async fn small_world_logins_verify_against_their_stored_hashes() {
    let world = small_world().await;
    let report = &world.report;
    let db = utc_client(&world.db).await;
    // Logins: one per role and client, each verifying against its stored hash.
    assert_eq!(report.credentials.len(), 5);
    assert_eq!(count(&db, "SELECT count(*) FROM users").await, 5);
    for c in &report.credentials {
        assert_eq!(c.password.len(), 16);
        let row = db
            .query_one(
                "SELECT u.password_hash, u.role, cl.name FROM users u
                 LEFT JOIN clients cl ON cl.id = u.client_id WHERE lower(u.email) = lower($1)",
                &[&c.email],
            )
            .await
            .unwrap_or_else(|e| panic!("user {}: {e}", c.email));
        let hash: String = row.get(0);
        assert_eq!(row.get::<_, String>(1), c.role);
        assert_eq!(row.get::<_, Option<String>>(2), c.client_name);
        assert!(
            verify_password(c.password.clone(), Some(hash.clone())).await,
            "{}",
            c.email
        );
        assert!(!verify_password("not-the-password".into(), Some(hash)).await);
    }
    let emails: Vec<&str> = report
        .credentials
        .iter()
        .map(|c| c.email.as_str())
        .collect();
    assert!(emails.contains(&"admin@demo.example"));
    assert!(emails.contains(&"operator@demo.example"));
    assert!(emails.contains(&"northwind-apparel@demo.example"));
    assert!(report.to_string().contains("admin@demo.example"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_seed_run_is_refused_and_changes_nothing() {
    // A database of its own: were the refusal broken, the shared world would not be touched.
    let tdb = TestDb::migrated().await;
    let report = seed_demo(&tdb.url, &small(7)).await.expect("seed");
    let db = utc_client(&tdb).await;
    // A second run is refused, and changes nothing.
    let err = seed_demo(&tdb.url, &small(7))
        .await
        .expect_err("second run must be refused");
    assert!(
        err.to_string()
            .contains("seed-demo fills an empty database; it already holds 3 clients"),
        "{err:#}"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM order_requests").await,
        report.order_requests
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_world_is_seasonal_and_has_stockouts() {
    let tdb = TestDb::migrated().await;
    let report = seed_demo(&tdb.url, &SeedOptions::default())
        .await
        .expect("seed");
    let db = utc_client(&tdb).await;
    assert_eq!((report.clients, report.products), (6, 240));
    assert!(
        (2_000..10_000).contains(&report.order_requests),
        "a few thousand orders: {report}"
    );
    assert_eq!(report.credentials.len(), 8);

    // Units a day in the Q4 peak (November, December) against the summer dip (June–August).
    let peak_over_summer = float(
        &db,
        "WITH daily AS (
             SELECT o.created_at::date AS day, sum(i.quantity) AS units
             FROM order_request_items i JOIN order_requests o ON o.id = i.order_request_id
             GROUP BY 1)
         SELECT (avg(units) FILTER (WHERE extract(month FROM day) IN (11, 12))
               / avg(units) FILTER (WHERE extract(month FROM day) IN (6, 7, 8)))::float8
         FROM daily",
    )
    .await;
    assert!(peak_over_summer > 1.3, "peak / summer = {peak_over_summer}");

    // Some weeks at zero stock, but not most of them.
    let stockout_rate = float(
        &db,
        "SELECT avg((quantity = 0)::int)::float8 FROM stock_levels",
    )
    .await;
    assert!(
        (0.01..0.25).contains(&stockout_rate),
        "stockout rate {stockout_rate}"
    );
    // Twelve (or thirteen, with the partial first month) forecasts per product.
    let per_product = report.demand_forecasts / report.products;
    assert!((12..=13).contains(&per_product), "{per_product}");
    // Some products are trending: their last quarter differs from their first by half.
    assert!(
        count(
            &db,
            "SELECT count(*) FROM (
                 SELECT i.product_id,
                        sum(i.quantity) FILTER (WHERE o.created_at > now() - interval '3 months') AS late,
                        sum(i.quantity) FILTER (WHERE o.created_at < now() - interval '9 months') AS early
                 FROM order_request_items i JOIN order_requests o ON o.id = i.order_request_id
                 GROUP BY 1) x
             WHERE late > 1.5 * early OR early > 1.5 * late"
        )
        .await
            > 10
    );
}

/// An aggregate fingerprint of everything the seed decides (ids and passwords excepted).
async fn fingerprint(report: &SeedReport, tdb: &TestDb) -> Vec<String> {
    let db = utc_client(tdb).await;
    let mut out = vec![format!(
        "{} {} {} {} {}",
        report.products,
        report.order_requests,
        report.order_lines,
        report.stock_levels,
        report.demand_forecasts
    )];
    for sql in [
        "SELECT sum(quantity)::text FROM order_request_items",
        "SELECT md5(string_agg(p.sku || '@' || o.created_at::text || '=' || i.quantity || o.status,
                               ',' ORDER BY p.sku, o.created_at, i.quantity))
         FROM order_request_items i
         JOIN order_requests o ON o.id = i.order_request_id
         JOIN products p ON p.id = i.product_id
         WHERE o.created_at::date < current_date",
        "SELECT md5(string_agg(p.sku || p.name || coalesce(p.unit_cost::text, '-')
                               || coalesce(p.total_lead_days::text, '-'), ',' ORDER BY p.sku))
         FROM products p",
        "SELECT md5(string_agg(p.sku || s.recorded_on || '=' || s.quantity, ','
                               ORDER BY p.sku, s.recorded_on))
         FROM stock_levels s JOIN products p ON p.id = s.product_id",
        "SELECT sum(forecast_units)::text FROM demand_forecasts",
    ] {
        let row = db
            .query_one(sql, &[])
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        out.push(row.get::<_, Option<String>>(0).unwrap_or_default());
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_seed_gives_the_same_data() {
    let (a, b, c) = (
        TestDb::migrated().await,
        TestDb::migrated().await,
        TestDb::migrated().await,
    );
    let ra = seed_demo(&a.url, &small(11)).await.expect("seed a");
    let rb = seed_demo(&b.url, &small(11)).await.expect("seed b");
    let rc = seed_demo(&c.url, &small(12)).await.expect("seed c");
    let (fa, fb, fc) = (
        fingerprint(&ra, &a).await,
        fingerprint(&rb, &b).await,
        fingerprint(&rc, &c).await,
    );
    assert_eq!(fa, fb);
    assert_ne!(fa[1], fc[1], "another seed, other orders");
    // Passwords are random on every run, so a seed never reveals a login.
    assert_ne!(ra.credentials[0].password, rb.credentials[0].password);
}

#[tokio::test(flavor = "multi_thread")]
async fn options_are_validated_before_connecting() {
    let url = "postgres://nobody@127.0.0.1:1/none";
    for (opts, message) in [
        (
            SeedOptions {
                clients: 0,
                ..SeedOptions::default()
            },
            "--clients must be at least 1",
        ),
        (
            SeedOptions {
                products_per_client: 0,
                ..SeedOptions::default()
            },
            "--products-per-client must be at least 1",
        ),
        (
            SeedOptions {
                months: 0,
                ..SeedOptions::default()
            },
            "--months must be between 1 and 60",
        ),
        (
            SeedOptions {
                months: 61,
                ..SeedOptions::default()
            },
            "--months must be between 1 and 60",
        ),
    ] {
        let err = seed_demo(url, &opts).await.expect_err("invalid options");
        assert!(err.to_string().contains(message), "{err:#}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn many_clients_share_one_client_password() {
    let tdb = TestDb::migrated().await;
    let opts = SeedOptions {
        clients: 21,
        products_per_client: 2,
        months: 1,
        rng_seed: 1,
    };
    let report = seed_demo(&tdb.url, &opts).await.expect("seed");
    assert_eq!(report.credentials.len(), 23);
    let client_passwords: std::collections::HashSet<&str> = report
        .credentials
        .iter()
        .filter(|c| c.role == "client")
        .map(|c| c.password.as_str())
        .collect();
    assert_eq!(client_passwords.len(), 1);
    assert!(report.to_string().contains("share one password"));
    let db = utc_client(&tdb).await;
    assert_eq!(
        count(
            &db,
            "SELECT count(DISTINCT email) FROM users WHERE role = 'client'"
        )
        .await,
        21
    );
    assert_eq!(
        count(&db, "SELECT count(DISTINCT industry) FROM clients").await,
        10
    );
}

/// The scale run: `DATABASE_URL` names a migrated, empty database. `SEED_CLIENTS`,
/// `SEED_PRODUCTS_PER_CLIENT` and `SEED_MONTHS` override the size (1000 × 100 × 12).
/// `cargo test --release --test it seed::seed_at_scale -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs DATABASE_URL and minutes; run by hand"]
async fn seed_at_scale() {
    // Step timings go to stderr (`RUST_LOG` to change).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "fulfillment_ops::seed=info".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let opts = SeedOptions {
        clients: env("SEED_CLIENTS", 1000),
        products_per_client: env("SEED_PRODUCTS_PER_CLIENT", 100),
        months: env("SEED_MONTHS", 12) as u32,
        rng_seed: 42,
    };
    let report = seed_demo(&url, &opts).await.expect("seed at scale");
    println!("{report}");
    assert_eq!(
        report.products,
        (opts.clients * opts.products_per_client) as i64
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn small_world_ships_over_four_carriers_with_delays_exceptions_and_deliveries() {
    use fulfillment_ops::shipments::types::Carrier;
    let world = small_world().await;
    let db = utc_client(&world.db).await;
    let rows = db
        .query(
            "SELECT carrier, tracking_number, status, delivered_at IS NOT NULL AS delivered,
                    exception_reason, estimated_delivery_at < now() AND NOT shipment_status_is_terminal(status) AS delayed,
                    (SELECT count(*) FROM shipment_events e WHERE e.shipment_id = s.id) AS events,
                    (SELECT count(*) FROM shipment_items i WHERE i.shipment_id = s.id) AS items
             FROM shipments s",
            &[],
        )
        .await
        .expect("shipments");
    assert!(rows.len() >= 12, "{} shipments", rows.len());
    let mut carriers = std::collections::HashSet::new();
    let (mut delivered, mut exceptions, mut delayed) = (0, 0, 0);
    for row in &rows {
        let carrier = Carrier::parse(row.get(0)).expect("a known carrier");
        carriers.insert(carrier);
        let number: String = row.get(1);
        assert!(carrier.rules().accepts(&number), "{carrier} {number}");
        let status: String = row.get(2);
        assert_eq!(status == "delivered", row.get::<_, bool>(3), "{status}");
        if status == "delivered" {
            delivered += 1;
        }
        if status == "exception" {
            assert!(row.get::<_, Option<String>>(4).is_some());
            exceptions += 1;
        }
        if row.get::<_, bool>(5) {
            delayed += 1;
        }
        assert!(row.get::<_, i64>(6) >= 1, "every shipment has a history");
        assert!(row.get::<_, i64>(7) >= 1, "every shipment carries items");
    }
    assert_eq!(carriers.len(), 4);
    assert!(
        delivered > 0 && exceptions > 0 && delayed > 0,
        "{delivered} {exceptions} {delayed}"
    );
}
