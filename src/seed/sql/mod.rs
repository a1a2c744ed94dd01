//! Every SQL statement of the demo seed, in the order it runs; the longer ones are `.sql`
//! files beside this one, pasteable into psql once the temporary tables exist.
//!
//! How the history is generated, set-based:
//! 1. Rust loads the catalogue (`seed_clients`, `seed_products`: temporary tables keyed by
//!    small integers, holding each product's demand parameters).
//! 2. `seed_lines`: for every product and week, the expected number of order lines is
//!    `lines_per_week × season(week) × trend(week)`, with log-normal week-to-week noise; the
//!    drawn lines fall on random days of the week and carry geometric quantities. Lines of
//!    the same product on the same day are merged, so an order never repeats a product.
//! 3. `seed_order_lines` / `seed_orders`: each client's lines of one day are shuffled and
//!    dealt round-robin into `ceil(lines / k)` orders, `k` drawn from 1..=6 per client-day,
//!    so every order holds 1–6 distinct products. Orders get a time of day and a status
//!    from their age.
//! 4. `seed_stock`: a periodic order-up-to policy; the reading each Monday is the
//!    order-up-to level minus the demand since the cycle's replenishment, floored at zero.
//! 5. `seed_forecasts`: per product and month, a blend of actual and expected demand with
//!    the product's noise and bias.
//! 6. Only then the real tables are written, each with one `INSERT … SELECT`.
//!
//! Randomness in SQL does not use `random()`: every draw is `seed_u(stream, a, b)`, a hash
//! of the seed, a stream number (one per purpose) and the row's identity (product number,
//! week, …). The data therefore depends only on the seed and the calendar, never on row
//! order, plans, parallelism or `work_mem`, which `setseed()` + `random()` cannot promise.
//! The UUID keys come from `gen_random_uuid()` and differ between runs; nothing is derived
//! from them.

/// Session settings for the one big transaction. `TimeZone` fixes what "today" and a time of
/// day mean; `temp_buffers` must be set before the first temporary table is touched.
pub(super) const SETTINGS: &str = include_str!("session.sql");

/// Keeps a second seed from interleaving with this one: it waits here, then sees our clients
/// and is refused. Readers are not blocked.
pub(super) const LOCK: &str = "LOCK TABLE clients IN EXCLUSIVE MODE";

pub(super) const COUNT_CLIENTS: &str = "SELECT count(*) FROM clients";

pub(super) const COUNT_DEMO_USERS: &str =
    "SELECT count(*) FROM users WHERE lower(email) LIKE '%@demo.example'";

/// The deterministic random functions. `{seed}` is replaced by the seed (an integer literal;
/// the functions are inlined by the planner, so a literal beats a parameter here).
///
/// `hashint8extended` is PostgreSQL's own 64-bit hash (PostgreSQL 11+). 53 bits of it make
/// a uniform double in [0, 1).
pub(super) const FUNCTIONS: &str = include_str!("functions.sql");

/// The temporary tables the catalogue is loaded into. `ON COMMIT DROP`: nothing survives
/// the transaction.
pub(super) const TEMP_TABLES: &str = include_str!("temp_tables.sql");

/// $1: months of history. The history ends today and starts the same day `months` ago.
pub(super) const LOAD_PARAMS: &str = include_str!("load/params.sql");
/// One array per `seed_clients` column, in `world::ClientColumns` order.
pub(super) const LOAD_CLIENTS: &str = include_str!("load/clients.sql");
/// One array per `seed_products` column, in `world::ProductColumns` order.
pub(super) const LOAD_PRODUCTS: &str = include_str!("load/products.sql");

/// The history, step by step: (what, SQL). Each step is one statement or a short batch.
pub(super) const HISTORY: &[(&str, &str)] = &[
    (
        "analyze catalogue",
        "ANALYZE seed_params; ANALYZE seed_clients; ANALYZE seed_products;",
    ),
    ("calendar", include_str!("history/calendar.sql")),
    ("order lines", include_str!("history/order_lines.sql")),
    ("orders", include_str!("history/orders.sql")),
    ("stock levels", include_str!("history/stock_levels.sql")),
    ("forecasts", include_str!("history/forecasts.sql")),
    ("shipments", include_str!("history/shipments.sql")),
];

/// The real tables, in foreign-key order. Each returns its row count to the report.
pub(super) const INSERT_CLIENTS: &str = include_str!("insert/clients.sql");

/// $1 emails, $2 names, $3 roles, $4 client numbers (NULL for staff), $5 password hashes.
pub(super) const INSERT_USERS: &str = include_str!("insert/users.sql");

/// The lead-time trigger fills total_lead_days.
pub(super) const INSERT_PRODUCTS: &str = include_str!("insert/products.sql");

pub(super) const INSERT_ORDER_REQUESTS: &str = include_str!("insert/order_requests.sql");

/// Each order's transitions along the state machine, up to its status.
pub(super) const INSERT_ORDER_TRANSITIONS: &str = include_str!("insert/order_transitions.sql");

pub(super) const INSERT_ORDER_LINES: &str = include_str!("insert/order_lines.sql");

pub(super) const INSERT_STOCK_LEVELS: &str = include_str!("insert/stock_levels.sql");

/// Each month's forecast is made a week before the month starts.
pub(super) const INSERT_DEMAND_FORECASTS: &str = include_str!("insert/demand_forecasts.sql");
/// $1 the starter layouts (JSON text): every demo user's layouts and preferences.
pub(super) const INSERT_DASHBOARDS: &str = include_str!("insert/dashboards.sql");

/// $1 the carriers, $2 their tracking URL templates (text[] each, same order).
pub(super) const INSERT_SHIPMENTS: &str = include_str!("insert/shipments.sql");

pub(super) const INSERT_SHIPMENT_ITEMS: &str = include_str!("insert/shipment_items.sql");

pub(super) const INSERT_SHIPMENT_EVENTS: &str = include_str!("insert/shipment_events.sql");

/// The first day of every month of the history, oldest first, as `YYYY-MM-DD` text.
pub(super) const HISTORY_MONTHS: &str = "SELECT to_char(m, 'YYYY-MM-DD') \
     FROM seed_params p, \
          generate_series(date_trunc('month', p.first_day), date_trunc('month', p.last_day), \
                          interval '1 month') m \
     ORDER BY m";

/// Runs after the cost aggregation: budgets from the months' actuals (see the file).
pub(super) const INSERT_BUDGETS: &str = include_str!("insert/budgets.sql");
/// The demo clients' ids in seed order, for the benchmark programme.
pub(super) const BENCHMARK_CLIENTS: &str = include_str!("benchmark_clients.sql");
