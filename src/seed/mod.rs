//! Demo data: `fulfillment-ops seed-demo` fills an empty database with a small, plausible
//! world so every screen (costs and EOQ, reorder timing, stockout and forecast benchmarks,
//! order lists) has something to show.
//!
//! The world: clients in different industries, each with a catalogue (SKUs, categories,
//! costs, lead times; about one product in ten deliberately without costs and one in ten
//! without lead times), a year (by default) of order requests with seasonal demand, a stock
//! reading per product every Monday and a demand forecast per product and month, plus one
//! login per role.
//!
//! Why it is built this way:
//! - **All or nothing**: one transaction; a failure leaves the database as it was.
//! - **Only into an empty database**: it refuses when any client exists, so it never mixes
//!   demo rows with real ones.
//! - **Fast at scale**: the catalogue (one row per product) is computed in Rust and sent as
//!   one array per column; the history (orders, lines, stock, forecasts: the bulk) is
//!   generated inside PostgreSQL with set-based `INSERT … SELECT … generate_series`, never
//!   one statement per row. All SQL is in [`sql`], with the model explained there.
//! - **Deterministic**: the same `rng_seed` gives the same data (on the same day; the
//!   history ends today). Rust draws from a seeded `StdRng`; SQL draws from a hash of the
//!   seed and each row's identity, so plans and row order cannot change the result.
//!   Passwords and UUIDs are the exception: they are random on every run, so a demo
//!   database's logins are never guessable from the seed.

mod benchmarks;
mod catalog;
mod finance;
mod report;
mod sql;
mod users;
mod world;

use std::{str::FromStr, time::Duration, time::Instant};

use anyhow::{Context, bail};
use tokio_postgres::{NoTls, Transaction, types::ToSql};

pub use benchmarks::BenchmarkSeed;
pub use report::{SeedCredential, SeedReport};

/// Above this many clients the client users share one password, hashed once: Argon2 is
/// deliberately slow (tens of milliseconds a hash) and would otherwise dominate large runs.
const SHARED_CLIENT_PASSWORD_ABOVE: usize = 20;
/// Product numbers are 32-bit in the generator; far beyond any useful demo anyway.
const MAX_TOTAL_PRODUCTS: usize = 2_000_000;
const DEMO_DOMAIN: &str = "demo.example";

/// The size of the world to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedOptions {
    pub clients: usize,
    pub products_per_client: usize,
    /// Months of order history, ending today (1..=60).
    pub months: u32,
    /// Same seed, same data (passwords and ids excepted).
    pub rng_seed: u64,
}

impl Default for SeedOptions {
    /// The small demo world: 6 clients (6 industries), 40 products each, 12 months.
    fn default() -> Self {
        Self {
            clients: 6,
            products_per_client: 40,
            months: 12,
            rng_seed: 42,
        }
    }
}

impl SeedOptions {
    fn validate(&self) -> anyhow::Result<()> {
        if self.clients < 1 {
            bail!("--clients must be at least 1");
        }
        if self.products_per_client < 1 {
            bail!("--products-per-client must be at least 1");
        }
        if !(1..=60).contains(&self.months) {
            bail!("--months must be between 1 and 60 (got {})", self.months);
        }
        match self.clients.checked_mul(self.products_per_client) {
            Some(n) if n <= MAX_TOTAL_PRODUCTS => Ok(()),
            _ => bail!(
                "--clients × --products-per-client must be at most {MAX_TOTAL_PRODUCTS} \
                 (got {} × {})",
                self.clients,
                self.products_per_client
            ),
        }
    }
}

/// Fills an empty, migrated database with the demo world described by `opts`.
///
/// Refuses when the database already holds a client (or a `@demo.example` user). Everything
/// happens in one transaction: on any error nothing is kept.
pub async fn seed_demo(database_url: &str, opts: &SeedOptions) -> anyhow::Result<SeedReport> {
    let started = Instant::now();
    opts.validate()?;
    let (clients, products, seed) = (opts.clients, opts.products_per_client, opts.rng_seed);
    let world = tokio::task::spawn_blocking(move || world::build(clients, products, seed))
        .await
        .context("building the demo catalogue")?;

    let mut client = connect(database_url).await?;
    let tx = client
        .transaction()
        .await
        .context("starting the seed transaction")?;
    tx.batch_execute(sql::SETTINGS)
        .await
        .context("configuring the seed transaction")?;
    refuse_unless_empty(&tx).await?;

    let users = users::demo_users(&world);
    let (credentials, hashes) = users::passwords(&users).await?;

    let functions = sql::FUNCTIONS.replace("{seed}", &(opts.rng_seed as i64).to_string());
    tx.batch_execute(&functions)
        .await
        .context("creating the seed's random functions")?;
    tx.batch_execute(sql::TEMP_TABLES)
        .await
        .context("creating the seed's work tables")?;
    load_catalogue(&tx, opts, &world).await?;

    for (step, statement) in sql::HISTORY {
        let t = Instant::now();
        tx.batch_execute(statement)
            .await
            .with_context(|| format!("seed step \"{step}\""))?;
        tracing::info!(step, elapsed_ms = t.elapsed().as_millis() as u64, "seed");
    }

    let clients = insert(&tx, "clients", sql::INSERT_CLIENTS).await?;
    users::insert_users(&tx, &users, &hashes).await?;
    let products = insert(&tx, "products", sql::INSERT_PRODUCTS).await?;
    let order_requests = insert(&tx, "order_requests", sql::INSERT_ORDER_REQUESTS).await?;
    insert(
        &tx,
        "order_request_transitions",
        sql::INSERT_ORDER_TRANSITIONS,
    )
    .await?;
    let order_lines = insert(&tx, "order_request_items", sql::INSERT_ORDER_LINES).await?;
    let stock_levels = insert(&tx, "stock_levels", sql::INSERT_STOCK_LEVELS).await?;
    let demand_forecasts = insert(&tx, "demand_forecasts", sql::INSERT_DEMAND_FORECASTS).await?;
    let (lead_time_dated, reorder_alerts) = recalculate_lead_times(&tx).await?;
    tx.execute(
        sql::INSERT_DASHBOARDS,
        &[&crate::dashboards::effective::STARTERS_JSON],
    )
    .await
    .context("seed step \"dashboards\"")?;
    let (shipments, shipment_events) = insert_shipments(&tx).await?;
    let finance = finance::insert_costs_and_budgets(&tx).await?;
    let benchmarks = benchmarks::seed(&tx).await?;

    let t = Instant::now();
    tx.commit().await.context("committing the demo data")?;
    tracing::info!(
        elapsed_ms = t.elapsed().as_millis() as u64,
        "seed committed"
    );

    Ok(SeedReport {
        clients,
        products,
        order_requests,
        order_lines,
        stock_levels,
        demand_forecasts,
        lead_time_dated,
        reorder_alerts,
        shipments,
        shipment_events,
        cost_months: finance.months,
        cost_rows: finance.cost_rows,
        budgets: finance.budgets,
        benchmarks,
        credentials,
        elapsed: started.elapsed(),
    })
}

/// A plain tokio-postgres connection (no pool, no statement timeout: the seed is one long
/// transaction), named in `pg_stat_activity`.
async fn connect(database_url: &str) -> anyhow::Result<tokio_postgres::Client> {
    let mut config =
        tokio_postgres::Config::from_str(database_url).context("parsing the database URL")?;
    config
        .application_name("fulfillment-ops/seed-demo")
        .connect_timeout(Duration::from_secs(10));
    let (client, connection) = config
        .connect(NoTls)
        .await
        .context("connecting to the database")?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "seed connection ended with an error");
        }
    });
    Ok(client)
}

async fn refuse_unless_empty(tx: &Transaction<'_>) -> anyhow::Result<()> {
    tx.batch_execute(sql::LOCK)
        .await
        .context("locking the clients table")?;
    let clients = count(tx, sql::COUNT_CLIENTS, "clients").await?;
    if clients > 0 {
        let noun = if clients == 1 { "client" } else { "clients" };
        bail!("seed-demo fills an empty database; it already holds {clients} {noun}");
    }
    let demo_users = count(tx, sql::COUNT_DEMO_USERS, "demo users").await?;
    if demo_users > 0 {
        bail!(
            "seed-demo fills an empty database; it already holds {demo_users} users \
             with @{DEMO_DOMAIN} addresses"
        );
    }
    Ok(())
}

async fn count(tx: &Transaction<'_>, statement: &str, what: &str) -> anyhow::Result<i64> {
    let row = tx
        .query_one(statement, &[])
        .await
        .with_context(|| format!("counting {what}"))?;
    Ok(row.try_get(0)?)
}

/// The seed parameters, then the catalogue, one array per column of each work table.
async fn load_catalogue(
    tx: &Transaction<'_>,
    opts: &SeedOptions,
    world: &world::World,
) -> anyhow::Result<()> {
    let months = opts.months as i32;
    let steps: [(&str, &str, Vec<&(dyn ToSql + Sync)>); 3] = [
        ("the seed parameters", sql::LOAD_PARAMS, vec![&months]),
        (
            "the demo clients",
            sql::LOAD_CLIENTS,
            world.client_columns.params(),
        ),
        (
            "the demo products",
            sql::LOAD_PRODUCTS,
            world.products.params(),
        ),
    ];
    for (what, statement, params) in steps {
        tx.execute(statement, &params)
            .await
            .with_context(|| format!("loading {what}"))?;
    }
    Ok(())
}

/// The lead-time recalculation of every client (the job's statement), so reorder alerts exist
/// right after the seed; answers the products with an order-by date and those due within
/// the alerts' default 14 days. The statement is PREPAREd so it runs over the simple protocol
/// with literal arguments (today, UTC, as the session's time zone is).
async fn recalculate_lead_times(tx: &Transaction<'_>) -> anyhow::Result<(i64, i64)> {
    let window = crate::config::lead_time_demand_window_days()?;
    let prepare = format!(
        "PREPARE seed_lead_times(date, integer, uuid, uuid, integer) AS {}",
        crate::lead_times::queries::RECALCULATE_SQL
    );
    tx.batch_execute(&prepare)
        .await
        .context("preparing the lead-time recalculation")?;
    let row = tx
        .query_one(
            &format!(
                "EXECUTE seed_lead_times(CURRENT_DATE, {window}, NULL, NULL, {})",
                crate::lead_times::alerts::DEFAULT_WITHIN_DAYS
            ),
            &[],
        )
        .await
        .context("recalculating lead times")?;
    tx.batch_execute("DEALLOCATE seed_lead_times").await?;
    let alerts = count(
        tx,
        "SELECT count(*) FROM products WHERE last_order_by_date <= CURRENT_DATE + 14",
        "reorder alerts",
    )
    .await?;
    Ok((row.try_get("dated")?, alerts))
}

async fn insert(tx: &Transaction<'_>, table: &str, statement: &str) -> anyhow::Result<i64> {
    let t = Instant::now();
    let rows = tx
        .execute(statement, &[])
        .await
        .with_context(|| format!("inserting the demo {table}"))?;
    tracing::info!(
        table,
        rows,
        elapsed_ms = t.elapsed().as_millis() as u64,
        "seed"
    );
    Ok(rows as i64)
}

/// The demo shipments (see `sql/history/shipments.sql`), their items and scans, then each
/// shipment's state from its history by the application's own rule
/// (`shipments::events::REFRESH_STATE`). Answers (shipments, events).
async fn insert_shipments(tx: &Transaction<'_>) -> anyhow::Result<(i64, i64)> {
    use crate::shipments::{carriers::CARRIERS, config::ShipmentsConfig, events::REFRESH_STATE};
    let carriers: Vec<&str> = CARRIERS.iter().map(|c| c.carrier.as_str()).collect();
    let templates = ShipmentsConfig::from_env()
        .context("reading the tracking URL templates")?
        .tracking_urls
        .to_vec();
    let shipments = tx
        .execute(sql::INSERT_SHIPMENTS, &[&carriers, &templates])
        .await
        .context("inserting the demo shipments")?;
    insert(tx, "shipment_items", sql::INSERT_SHIPMENT_ITEMS).await?;
    let events = insert(tx, "shipment_events", sql::INSERT_SHIPMENT_EVENTS).await?;
    tx.batch_execute(&REFRESH_STATE.replace("$1", "ARRAY(SELECT id FROM shipments)"))
        .await
        .context("deriving the demo shipments' state from their events")?;
    Ok((shipments as i64, events))
}
