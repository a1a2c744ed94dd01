//! Every SQL statement of the demo seed, in the order it runs.
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
pub(super) const SETTINGS: &str = "
    SET LOCAL statement_timeout = 0;
    SET LOCAL lock_timeout = '30s';
    SET LOCAL TimeZone = 'UTC';
    SET LOCAL temp_buffers = '256MB';
    SET LOCAL work_mem = '256MB';
";

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
pub(super) const FUNCTIONS: &str = "
    CREATE FUNCTION pg_temp.seed_u(stream int, a bigint, b bigint) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT ((hashint8extended(hashint8extended(a, {seed}::bigint # stream) # b, {seed}::bigint)
                 >> 11) & 9007199254740991)::float8 / 9007199254740992.0
    $$;

    -- A standard normal draw (Box-Muller); uses streams `stream` and `stream + 1`.
    CREATE FUNCTION pg_temp.seed_normal(stream int, a bigint, b bigint) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT sqrt(-2 * ln(1 - pg_temp.seed_u(stream, a, b)))
             * cos(2 * pi() * pg_temp.seed_u(stream + 1, a, b))
    $$;

    -- The seasonal curve, in two parts a product weights by its own amplitude:
    -- the Q4 peak (a bump centred on 1 December, about six weeks wide, wrapping into
    -- January) and the summer dip (centred on mid-July).
    CREATE FUNCTION pg_temp.seed_q4_peak(d date) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT exp(-power(least(abs(extract(doy FROM d)::float8 - 335),
                                365 - abs(extract(doy FROM d)::float8 - 335)) / 40, 2))
    $$;
    CREATE FUNCTION pg_temp.seed_summer_dip(d date) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT exp(-power((extract(doy FROM d)::float8 - 200) / 35, 2))
    $$;
";

/// The temporary tables the catalogue is loaded into. `ON COMMIT DROP`: nothing survives
/// the transaction.
pub(super) const TEMP_TABLES: &str = "
    CREATE TEMP TABLE seed_params (
        first_day date NOT NULL,  -- first day of the history
        last_day  date NOT NULL,  -- today
        mid_day   date NOT NULL,  -- trends pivot around the middle of the history
        started_at timestamptz NOT NULL  -- now(): the transaction's start
    ) ON COMMIT DROP;

    CREATE TEMP TABLE seed_clients (
        client_no               int PRIMARY KEY,
        id                      uuid NOT NULL DEFAULT gen_random_uuid(),
        name                    text NOT NULL,
        industry                text NOT NULL,
        default_supplier_days   int,
        default_shipping_days   int,
        default_processing_days int,
        default_safety_days     int,
        created_days_before     int NOT NULL
    ) ON COMMIT DROP;

    CREATE TEMP TABLE seed_products (
        product_no          int PRIMARY KEY,
        client_no           int NOT NULL,
        id                  uuid NOT NULL DEFAULT gen_random_uuid(),
        sku                 text NOT NULL,
        name                text NOT NULL,
        category            text NOT NULL,
        unit_cost_cents     bigint,
        unit_price_cents    bigint,
        reorder_cost_cents  bigint,
        holding_rate_bp     int,
        cost_days_ago       int,
        supplier_days       int,
        shipping_days       int,
        processing_days     int,
        safety_days         int,
        created_days_before int NOT NULL,
        lines_per_week      float8 NOT NULL,
        units_per_line      float8 NOT NULL,
        trend               float8 NOT NULL,
        season_amp          float8 NOT NULL,
        cycle_weeks         int NOT NULL,
        cycle_phase         int NOT NULL,
        order_up_to         int NOT NULL,
        forecast_noise      float8 NOT NULL,
        forecast_bias       float8 NOT NULL
    ) ON COMMIT DROP;
";

/// $1: months of history. The history ends today and starts the same day `months` ago.
pub(super) const LOAD_PARAMS: &str = "
    INSERT INTO seed_params (first_day, last_day, mid_day, started_at)
    SELECT first_day, current_date, first_day + (current_date - first_day) / 2, now()
    FROM (SELECT (current_date - make_interval(months => $1::int))::date AS first_day) f
";

pub(super) const LOAD_CLIENTS: &str = "
    INSERT INTO seed_clients (client_no, name, industry, default_supplier_days,
        default_shipping_days, default_processing_days, default_safety_days,
        created_days_before)
    SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[],
                         $7::int[], $8::int[])
";

pub(super) const LOAD_PRODUCTS: &str = "
    INSERT INTO seed_products (product_no, client_no, sku, name, category,
        unit_cost_cents, unit_price_cents, reorder_cost_cents, holding_rate_bp, cost_days_ago,
        supplier_days, shipping_days, processing_days, safety_days, created_days_before,
        lines_per_week, units_per_line, trend, season_amp,
        cycle_weeks, cycle_phase, order_up_to, forecast_noise, forecast_bias)
    SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[],
        $6::bigint[], $7::bigint[], $8::bigint[], $9::int[], $10::int[],
        $11::int[], $12::int[], $13::int[], $14::int[], $15::int[],
        $16::float8[], $17::float8[], $18::float8[], $19::float8[],
        $20::int[], $21::int[], $22::int[], $23::float8[], $24::float8[])
";

/// The history, step by step: (what, SQL). Each step is one statement or a short batch.
pub(super) const HISTORY: &[(&str, &str)] = &[
    (
        "analyze catalogue",
        "ANALYZE seed_params; ANALYZE seed_clients; ANALYZE seed_products;",
    ),
    (
        "calendar",
        "
        -- Every week (starting Monday) that overlaps the history, with its season and its
        -- distance in years from the middle of the history (for trends). week_key numbers
        -- weeks from a fixed Monday, so a week's random draws do not move with 'today'.
        CREATE TEMP TABLE seed_weeks ON COMMIT DROP AS
        SELECT w::date                                       AS week_start,
               (w::date - DATE '2000-01-03') / 7             AS week_key,
               pg_temp.seed_q4_peak(w::date + 3)             AS q4_peak,
               pg_temp.seed_summer_dip(w::date + 3)          AS summer_dip,
               ((w::date + 3) - prm.mid_day) / 365.25        AS years
        FROM seed_params prm,
             generate_series(date_trunc('week', prm.first_day::timestamp),
                             prm.last_day::timestamp, interval '1 week') AS w;

        -- Every month that overlaps the history, with the days of it inside the history.
        CREATE TEMP TABLE seed_months ON COMMIT DROP AS
        SELECT m::date                                                  AS period,
               LEAST((m + interval '1 month')::date - 1, prm.last_day)
                 - GREATEST(m::date, prm.first_day) + 1                 AS covered_days,
               pg_temp.seed_q4_peak(m::date + 14)                       AS q4_peak,
               pg_temp.seed_summer_dip(m::date + 14)                    AS summer_dip,
               ((m::date + 14) - prm.mid_day) / 365.25                  AS years
        FROM seed_params prm,
             generate_series(date_trunc('month', prm.first_day::timestamp),
                             prm.last_day::timestamp, interval '1 month') AS m;
        ANALYZE seed_weeks; ANALYZE seed_months;
        ",
    ),
    (
        "order lines",
        "
        CREATE TEMP TABLE seed_lines ON COMMIT DROP AS
        WITH product_weeks AS (
            -- Lines drawn this week: the expectation times log-normal noise (mean 1), rounded
            -- up or down at random, so the mean is kept even for rates well below 1.
            SELECT p.product_no, p.client_no, p.units_per_line, w.week_start, w.week_key,
                   floor(p.lines_per_week
                         * (1 + p.season_amp * (0.8 * w.q4_peak - 0.35 * w.summer_dip))
                         * exp(p.trend * w.years)
                         * exp(0.3 * pg_temp.seed_normal(1, p.product_no, w.week_key) - 0.045)
                         + pg_temp.seed_u(3, p.product_no, w.week_key))::int AS n
            FROM seed_products p CROSS JOIN seed_weeks w
        ),
        drawn AS (
            SELECT pw.product_no, pw.client_no,
                   pw.week_start + floor(7 * pg_temp.seed_u(4, pw.product_no,
                                                            pw.week_key::bigint << 20 | k))::int AS day,
                   -- Geometric quantity with mean units_per_line.
                   1 + floor(ln(1 - pg_temp.seed_u(5, pw.product_no, pw.week_key::bigint << 20 | k))
                             / ln(1 - 1 / pw.units_per_line))::int AS quantity
            FROM product_weeks pw CROSS JOIN LATERAL generate_series(1, pw.n) AS k
            WHERE pw.n > 0
        )
        SELECT d.product_no, d.client_no, d.day, sum(d.quantity)::int AS quantity
        FROM drawn d, seed_params prm
        WHERE d.day BETWEEN prm.first_day AND prm.last_day
        GROUP BY d.product_no, d.client_no, d.day;
        ANALYZE seed_lines;
        ",
    ),
    (
        "orders",
        "
        -- Deal each client-day's lines (shuffled) round-robin into ceil(lines / k) orders.
        CREATE TEMP TABLE seed_order_lines ON COMMIT DROP AS
        SELECT product_no, client_no, day, quantity,
               (rn % ceil(n_lines / k)::bigint)::int AS order_idx
        FROM (
            SELECT l.*,
                   row_number() OVER (PARTITION BY l.client_no, l.day
                                      ORDER BY pg_temp.seed_u(10, l.product_no,
                                                              l.day - DATE '2000-01-01'),
                                               l.product_no) - 1           AS rn,
                   count(*) OVER (PARTITION BY l.client_no, l.day)::float8 AS n_lines,
                   1 + floor(6 * pg_temp.seed_u(11, l.client_no,
                                                l.day - DATE '2000-01-01'))  AS k
            FROM seed_lines l
        ) dealt;

        CREATE TEMP TABLE seed_orders ON COMMIT DROP AS
        SELECT o.client_no, o.day, o.order_idx, gen_random_uuid() AS id, t.created_at,
               s.status,
               LEAST(prm.started_at, t.created_at + CASE s.status
                   WHEN 'fulfilled' THEN interval '1 day' * (1 + 3 * u.fulfil)
                   WHEN 'cancelled' THEN interval '1 hour' * (1 + 20 * u.fulfil)
                   WHEN 'approved'  THEN interval '1 hour' * (1 + 6 * u.fulfil)
                   ELSE interval '0'
               END) AS updated_at,
               CASE WHEN u.note < 0.04 THEN (ARRAY['Rush: promotion starts Monday',
                   'Partial shipment is fine', 'Please deliver before the weekend',
                   'Gift wrap requested'])[1 + floor(4 * u.note / 0.04)::int]
               END AS notes
        FROM (SELECT DISTINCT client_no, day, order_idx FROM seed_order_lines) o
        CROSS JOIN seed_params prm
        CROSS JOIN LATERAL (
            SELECT ((o.day - DATE '2000-01-01')::bigint << 20) | o.order_idx AS key,
                   prm.last_day - o.day                                   AS age_days
        ) k
        CROSS JOIN LATERAL (
            SELECT pg_temp.seed_u(20, o.client_no, k.key) AS status,
                   pg_temp.seed_u(21, o.client_no, k.key) AS hour1,
                   pg_temp.seed_u(22, o.client_no, k.key) AS hour2,
                   pg_temp.seed_u(23, o.client_no, k.key) AS fulfil,
                   pg_temp.seed_u(24, o.client_no, k.key) AS note
        ) u
        CROSS JOIN LATERAL (
            -- Older orders are done; the last two weeks are still moving through the funnel,
            -- the newest mostly drafts and submissions.
            SELECT CASE
                WHEN k.age_days > 14 THEN CASE WHEN u.status < 0.03 THEN 'cancelled'
                                               ELSE 'fulfilled' END
                WHEN k.age_days > 7  THEN CASE WHEN u.status < 0.05 THEN 'draft'
                                               WHEN u.status < 0.30 THEN 'submitted'
                                               ELSE 'approved' END
                WHEN k.age_days > 2  THEN CASE WHEN u.status < 0.10 THEN 'draft'
                                               WHEN u.status < 0.55 THEN 'submitted'
                                               ELSE 'approved' END
                ELSE                      CASE WHEN u.status < 0.30 THEN 'draft'
                                               WHEN u.status < 0.80 THEN 'submitted'
                                               ELSE 'approved' END
            END AS status
        ) s
        CROSS JOIN LATERAL (
            -- Business hours: a triangular spread from 07:00 to 21:00, busiest at 14:00.
            -- Today's orders fall in the part of today that has passed.
            SELECT CASE WHEN o.day = prm.last_day
                THEN prm.last_day::timestamptz
                     + (prm.started_at - prm.last_day::timestamptz) * u.hour1
                ELSE o.day::timestamptz
                     + interval '1 hour' * (7 + 14 * (u.hour1 + u.hour2) / 2)
            END AS created_at
        ) t;
        ANALYZE seed_order_lines; ANALYZE seed_orders;
        ",
    ),
    (
        "stock levels",
        "
        -- Periodic order-up-to: at the first Monday of each replenishment cycle the product
        -- is topped up to order_up_to; each later Monday shows what the cycle's demand so far
        -- has left, never below zero. Readings on the Mondays inside the history.
        CREATE TEMP TABLE seed_stock ON COMMIT DROP AS
        WITH weekly AS (
            SELECT product_no, date_trunc('week', day)::date AS week_start,
                   sum(quantity) AS units
            FROM seed_lines GROUP BY 1, 2
        ),
        cycles AS (
            SELECT p.product_no, p.order_up_to, w.week_start,
                   (w.week_key + p.cycle_phase) / p.cycle_weeks AS cycle,
                   COALESCE(d.units, 0) AS units
            FROM seed_products p
            CROSS JOIN seed_weeks w
            LEFT JOIN weekly d ON d.product_no = p.product_no AND d.week_start = w.week_start
        )
        SELECT c.product_no, c.week_start AS recorded_on, c.quantity
        FROM (
            SELECT product_no, week_start,
                   GREATEST(0, order_up_to - COALESCE(sum(units) OVER (
                       PARTITION BY product_no, cycle ORDER BY week_start
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))::int AS quantity
            FROM cycles
        ) c, seed_params prm
        WHERE c.week_start >= prm.first_day;

        -- On hand now: the latest reading less what was ordered since.
        CREATE TEMP TABLE seed_current_stock ON COMMIT DROP AS
        SELECT s.product_no, GREATEST(0, s.quantity - COALESCE(sum(l.quantity), 0))::int AS quantity
        FROM (SELECT DISTINCT ON (product_no) product_no, recorded_on, quantity
              FROM seed_stock ORDER BY product_no, recorded_on DESC) s
        LEFT JOIN seed_lines l ON l.product_no = s.product_no AND l.day >= s.recorded_on
        GROUP BY s.product_no, s.quantity;
        ANALYZE seed_stock; ANALYZE seed_current_stock;
        ",
    ),
    (
        "forecasts",
        "
        -- A forecast lands near the month's actual demand: 60 % actual, 40 % what the
        -- product's demand model expected for the days of the month inside the history,
        -- times log-normal noise and a per-product bias.
        CREATE TEMP TABLE seed_forecasts ON COMMIT DROP AS
        WITH actual AS (
            SELECT product_no, date_trunc('month', day)::date AS period, sum(quantity) AS units
            FROM seed_lines GROUP BY 1, 2
        )
        SELECT p.product_no, m.period,
               round((GREATEST(0,
                   (0.6 * COALESCE(a.units, 0)
                    + 0.4 * p.lines_per_week * p.units_per_line * m.covered_days / 7.0
                          * (1 + p.season_amp * (0.8 * m.q4_peak - 0.35 * m.summer_dip))
                          * exp(p.trend * m.years))
                   * exp(p.forecast_noise
                         * pg_temp.seed_normal(30, p.product_no, m.period - DATE '2000-01-01')
                         - p.forecast_noise ^ 2 / 2)
                   * (1 + p.forecast_bias)))::numeric, 2) AS forecast_units
        FROM seed_products p
        CROSS JOIN seed_months m
        LEFT JOIN actual a ON a.product_no = p.product_no AND a.period = m.period;
        ",
    ),
];

/// The real tables, in foreign-key order. Each returns its row count to the report.
pub(super) const INSERT_CLIENTS: &str = "
    INSERT INTO clients (id, name, industry, default_supplier_lead_days,
        default_shipping_lead_days, default_processing_lead_days, default_safety_buffer_days,
        created_at, updated_at)
    SELECT c.id, c.name, c.industry, c.default_supplier_days, c.default_shipping_days,
           c.default_processing_days, c.default_safety_days,
           ts, ts
    FROM seed_clients c, seed_params prm,
         LATERAL (SELECT (prm.first_day - c.created_days_before)::timestamptz
                         + interval '9 hours' AS ts) t
    ORDER BY c.client_no
";

/// $1 emails, $2 names, $3 roles, $4 client numbers (NULL for staff), $5 password hashes.
pub(super) const INSERT_USERS: &str = "
    INSERT INTO users (email, name, role, client_id, password_hash)
    SELECT u.email, u.name, u.role, c.id, u.password_hash
    FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[])
         AS u(email, name, role, client_no, password_hash)
    LEFT JOIN seed_clients c ON c.client_no = u.client_no
";

/// The lead-time trigger fills total_lead_days.
pub(super) const INSERT_PRODUCTS: &str = "
    INSERT INTO products (id, client_id, sku, name, category, current_stock,
        unit_cost, unit_price, reorder_cost, holding_cost_rate, last_cost_update, cost_source,
        supplier_lead_days, shipping_lead_days, processing_lead_days, safety_buffer_days,
        lead_time_source, created_at, updated_at)
    SELECT p.id, c.id, p.sku, p.name, p.category, COALESCE(s.quantity, 0),
           p.unit_cost_cents / 100.0, p.unit_price_cents / 100.0,
           p.reorder_cost_cents / 100.0, p.holding_rate_bp / 10000.0,
           CASE WHEN p.cost_days_ago IS NOT NULL
                THEN GREATEST(t.created_at, prm.started_at - make_interval(days => p.cost_days_ago))
           END,
           CASE WHEN p.unit_cost_cents IS NOT NULL THEN 'estimate' END,
           p.supplier_days, p.shipping_days, p.processing_days, p.safety_days,
           CASE WHEN p.supplier_days IS NOT NULL THEN 'supplier' END,
           t.created_at, GREATEST(t.created_at, prm.started_at - make_interval(days => p.cost_days_ago))
    FROM seed_products p
    JOIN seed_clients c ON c.client_no = p.client_no
    LEFT JOIN seed_current_stock s ON s.product_no = p.product_no
    CROSS JOIN seed_params prm
    CROSS JOIN LATERAL (SELECT (prm.first_day - p.created_days_before)::timestamptz
                               + interval '10 hours' AS created_at) t
    ORDER BY p.product_no
";

pub(super) const INSERT_ORDER_REQUESTS: &str = "
    INSERT INTO order_requests (id, client_id, status, notes, created_at, updated_at)
    SELECT o.id, c.id, o.status, o.notes, o.created_at, o.updated_at
    FROM seed_orders o JOIN seed_clients c ON c.client_no = o.client_no
    ORDER BY o.created_at
";

pub(super) const INSERT_ORDER_LINES: &str = "
    INSERT INTO order_request_items (order_request_id, product_id, quantity, created_at)
    SELECT o.id, p.id, l.quantity, o.created_at
    FROM seed_order_lines l
    JOIN seed_orders o USING (client_no, day, order_idx)
    JOIN seed_products p ON p.product_no = l.product_no
";

pub(super) const INSERT_STOCK_LEVELS: &str = "
    INSERT INTO stock_levels (product_id, recorded_on, quantity, created_at)
    SELECT p.id, s.recorded_on, s.quantity, s.recorded_on::timestamptz
    FROM seed_stock s JOIN seed_products p ON p.product_no = s.product_no
";

/// Each month's forecast is made a week before the month starts.
pub(super) const INSERT_DEMAND_FORECASTS: &str = "
    INSERT INTO demand_forecasts (product_id, period, forecast_units, created_at)
    SELECT p.id, f.period, f.forecast_units,
           LEAST(prm.started_at, (f.period - 7)::timestamptz)
    FROM seed_forecasts f
    JOIN seed_products p ON p.product_no = f.product_no
    CROSS JOIN seed_params prm
";
