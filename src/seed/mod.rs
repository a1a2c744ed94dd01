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

mod catalog;
mod sql;
mod world;

use std::{fmt, str::FromStr, time::Duration, time::Instant};

use anyhow::{Context, bail};
use futures_util::{StreamExt, stream};
use rand::{Rng, distributions::Alphanumeric, rngs::OsRng};
use tokio_postgres::{NoTls, Transaction};

use crate::auth::password::hash_password_blocking;

/// Above this many clients the client users share one password, hashed once: Argon2 is
/// deliberately slow (tens of milliseconds a hash) and would otherwise dominate large runs.
const SHARED_CLIENT_PASSWORD_ABOVE: usize = 20;
/// Product numbers are 32-bit in the generator; far beyond any useful demo anyway.
const MAX_TOTAL_PRODUCTS: usize = 2_000_000;
const PASSWORD_LENGTH: usize = 16;
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

/// A login created by the seed, with its password in clear: shown once, stored only hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedCredential {
    pub email: String,
    pub password: String,
    /// `admin`, `operator` or `client`.
    pub role: String,
    /// The client of a `client` user.
    pub client_name: Option<String>,
}

/// What was created, counted from the inserts themselves.
#[derive(Debug, Clone)]
pub struct SeedReport {
    pub clients: i64,
    pub products: i64,
    pub order_requests: i64,
    pub order_lines: i64,
    pub stock_levels: i64,
    pub demand_forecasts: i64,
    /// One entry per user: admin, operator, then one per client. With more than 20 clients
    /// all client users share one password (every entry shows it); the `Display` output says
    /// so.
    pub credentials: Vec<SeedCredential>,
    pub elapsed: Duration,
}

impl SeedReport {
    fn client_password_shared(&self) -> bool {
        let mut client_passwords = self
            .credentials
            .iter()
            .filter(|c| c.role == "client")
            .map(|c| c.password.as_str());
        match client_passwords.next() {
            Some(first) => {
                self.credentials.len() > SHARED_CLIENT_PASSWORD_ABOVE + 2
                    && client_passwords.all(|p| p == first)
            }
            None => false,
        }
    }
}

/// The summary `seed-demo` prints: counts, time, then the logins (passwords appear nowhere
/// else).
impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Seeded in {:.1} s: {} clients, {} products, {} order requests, {} order lines, \
             {} stock levels, {} demand forecasts.",
            self.elapsed.as_secs_f64(),
            self.clients,
            self.products,
            self.order_requests,
            self.order_lines,
            self.stock_levels,
            self.demand_forecasts
        )?;
        writeln!(f, "Logins (passwords are shown only now):")?;
        if self.client_password_shared() {
            writeln!(
                f,
                "  (more than {SHARED_CLIENT_PASSWORD_ABOVE} clients: all client users share \
                 one password)"
            )?;
        }
        let width = self
            .credentials
            .iter()
            .map(|c| c.email.len())
            .max()
            .unwrap_or(0);
        for c in &self.credentials {
            write!(f, "  {:<8} {:<width$}  {}", c.role, c.email, c.password)?;
            match &c.client_name {
                Some(name) => writeln!(f, "  ({name})")?,
                None => writeln!(f)?,
            }
        }
        Ok(())
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

    let users = demo_users(&world);
    let (credentials, hashes) = passwords(&users).await?;

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
    insert_users(&tx, &users, &hashes).await?;
    let products = insert(&tx, "products", sql::INSERT_PRODUCTS).await?;
    let order_requests = insert(&tx, "order_requests", sql::INSERT_ORDER_REQUESTS).await?;
    let order_lines = insert(&tx, "order_request_items", sql::INSERT_ORDER_LINES).await?;
    let stock_levels = insert(&tx, "stock_levels", sql::INSERT_STOCK_LEVELS).await?;
    let demand_forecasts = insert(&tx, "demand_forecasts", sql::INSERT_DEMAND_FORECASTS).await?;

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
    let clients: i64 = tx
        .query_one(sql::COUNT_CLIENTS, &[])
        .await
        .context("counting clients")?
        .try_get(0)?;
    if clients > 0 {
        bail!("seed-demo fills an empty database; it already holds {clients} clients");
    }
    let demo_users: i64 = tx
        .query_one(sql::COUNT_DEMO_USERS, &[])
        .await
        .context("counting demo users")?
        .try_get(0)?;
    if demo_users > 0 {
        bail!(
            "seed-demo fills an empty database; it already holds {demo_users} users \
             with @{DEMO_DOMAIN} addresses"
        );
    }
    Ok(())
}

async fn load_catalogue(
    tx: &Transaction<'_>,
    opts: &SeedOptions,
    world: &world::World,
) -> anyhow::Result<()> {
    let months = opts.months as i32;
    tx.execute(sql::LOAD_PARAMS, &[&months])
        .await
        .context("loading the seed parameters")?;
    let c = &world.client_columns;
    tx.execute(
        sql::LOAD_CLIENTS,
        &[
            &c.client_no,
            &c.name,
            &c.industry,
            &c.default_supplier_days,
            &c.default_shipping_days,
            &c.default_processing_days,
            &c.default_safety_days,
            &c.created_days_before,
        ],
    )
    .await
    .context("loading the demo clients")?;
    let p = &world.products;
    tx.execute(
        sql::LOAD_PRODUCTS,
        &[
            &p.product_no,
            &p.client_no,
            &p.sku,
            &p.name,
            &p.category,
            &p.unit_cost_cents,
            &p.unit_price_cents,
            &p.reorder_cost_cents,
            &p.holding_rate_bp,
            &p.cost_days_ago,
            &p.supplier_days,
            &p.shipping_days,
            &p.processing_days,
            &p.safety_days,
            &p.created_days_before,
            &p.lines_per_week,
            &p.units_per_line,
            &p.trend,
            &p.season_amp,
            &p.cycle_weeks,
            &p.cycle_phase,
            &p.order_up_to,
            &p.forecast_noise,
            &p.forecast_bias,
        ],
    )
    .await
    .context("loading the demo products")?;
    Ok(())
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

/// A user to create; `password_group` says which password it gets (see [`passwords`]).
struct DemoUser {
    email: String,
    name: String,
    role: &'static str,
    client_no: Option<i32>,
    client_name: Option<String>,
    password_group: usize,
}

/// Admin, operator, and one client user per client. Each has a password of its own, except
/// that with many clients all client users share group 2.
fn demo_users(world: &world::World) -> Vec<DemoUser> {
    let shared = world.clients.len() > SHARED_CLIENT_PASSWORD_ABOVE;
    let mut users = vec![
        DemoUser {
            email: format!("admin@{DEMO_DOMAIN}"),
            name: "Demo Admin".to_owned(),
            role: "admin",
            client_no: None,
            client_name: None,
            password_group: 0,
        },
        DemoUser {
            email: format!("operator@{DEMO_DOMAIN}"),
            name: "Demo Operator".to_owned(),
            role: "operator",
            client_no: None,
            client_name: None,
            password_group: 1,
        },
    ];
    for (i, c) in world.clients.iter().enumerate() {
        users.push(DemoUser {
            email: format!("{}@{DEMO_DOMAIN}", c.slug),
            name: format!("{} (demo)", c.name),
            role: "client",
            client_no: Some(i as i32 + 1),
            client_name: Some(c.name.clone()),
            password_group: if shared { 2 } else { 2 + i },
        });
    }
    users
}

/// Draws one random password per group and hashes each once with Argon2id on the blocking
/// pool, as many at a time as there are cores. Returns the credentials and, per user, the
/// hash to store.
async fn passwords(users: &[DemoUser]) -> anyhow::Result<(Vec<SeedCredential>, Vec<String>)> {
    let groups = users
        .iter()
        .map(|u| u.password_group + 1)
        .max()
        .unwrap_or(0);
    let clear: Vec<String> = (0..groups)
        .map(|_| {
            OsRng
                .sample_iter(&Alphanumeric)
                .take(PASSWORD_LENGTH)
                .map(char::from)
                .collect()
        })
        .collect();
    let parallel = std::thread::available_parallelism().map_or(2, |n| n.get());
    let hashed: Vec<String> = stream::iter(clear.clone())
        .map(|password| async move {
            tokio::task::spawn_blocking(move || hash_password_blocking(&password))
                .await
                .context("password hashing task")?
        })
        .buffered(parallel)
        .collect::<Vec<anyhow::Result<String>>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let credentials = users
        .iter()
        .map(|u| SeedCredential {
            email: u.email.clone(),
            password: clear[u.password_group].clone(),
            role: u.role.to_owned(),
            client_name: u.client_name.clone(),
        })
        .collect();
    let hashes = users
        .iter()
        .map(|u| hashed[u.password_group].clone())
        .collect();
    Ok((credentials, hashes))
}

async fn insert_users(
    tx: &Transaction<'_>,
    users: &[DemoUser],
    hashes: &[String],
) -> anyhow::Result<()> {
    let emails: Vec<&str> = users.iter().map(|u| u.email.as_str()).collect();
    let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
    let roles: Vec<&str> = users.iter().map(|u| u.role).collect();
    let client_nos: Vec<Option<i32>> = users.iter().map(|u| u.client_no).collect();
    tx.execute(
        sql::INSERT_USERS,
        &[&emails, &names, &roles, &client_nos, &hashes],
    )
    .await
    .context("inserting the demo users")?;
    Ok(())
}
