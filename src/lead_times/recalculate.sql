-- Lead-time recalculation: each product's projected stockout date and last order-by date,
-- for one client, one product, or every client, in one statement. Run by
-- src/lead_times/queries.rs (`recalculate`); rules and a worked example: docs/lead-times.md.
--
--   $1 date     as_of: "today" (UTC); the demand window is the $2 days ending with it
--   $2 integer  demand window in days (LEAD_TIME_DEMAND_WINDOW_DAYS, 1 to 365)
--   $3 uuid     client_id, or NULL for every client
--   $4 uuid     product_id, or NULL for every product of the scope
--   $5 integer  the reorder alerts' window in days: the alert list's default within_days
--
-- In psql: PREPARE recalc(date, integer, uuid, uuid, integer) AS <this statement>;
--          EXECUTE recalc(current_date, 90, NULL, NULL, 14);
--
-- Demand: the shared rules of migration 20251216000001_add_demand_rules. A counted order line
-- (view counted_order_lines) is demand on the UTC day its order was created. The window is
-- [as_of + 1 - $2, as_of + 1) in UTC days. When the product's first counted order ever falls
-- inside the window its history is shorter: the units are averaged over
-- annualisation_days(...) days instead (from that order's day to as_of, at least 30), never
-- more than the window. daily demand = window units / those days.
--
-- Lead times: the product's own when it has any (total_lead_days, from the guide's trigger,
-- is not null; lead_time_source as recorded, 'manual' when none is), else the client's
-- default_*_lead_days when it has any ('client_default'; a missing part counts 0, as in the
-- trigger), else none ('unknown': no order-by date, never a silent 0).
--
-- Dates: cover = on-hand (at least 0) × days / window units, exact; stockout = as_of +
-- ⌊cover⌋; order-by = stockout − total lead days. No demand: no dates (reason no_demand);
-- cover over 36500 days: no dates (beyond_horizon); no lead time: stockout only
-- (no_lead_time).
--
-- Concurrency: the caller holds the lead-time writers' advisory lock of the scope
-- (src/lead_times/queries.rs, `lock_scope`), so no two multi-row writers of one client's
-- products overlap; within it the products are locked FOR NO KEY UPDATE before anything is
-- written (single-row writers such as a lead-time PATCH queue on them); FK inserts (orders,
-- cost rows) are not blocked. A second run recomputes the same figures into the same rows:
-- idempotent.
--
-- Order of work: rows are locked and rewritten in their physical order (ctid), not by id.
-- Ids are random UUIDs: in id order every row is on another page, and once the table
-- outgrows shared_buffers (about 500 000 products with PostgreSQL's default 128 MB) each
-- row costs a page read and a page write (at 1 000 000 products: half a million of each for
-- the lock alone). In ctid order each page is visited once. Two multi-row writers never run
-- on one client's products at once (the advisory lock above), so their lock order cannot
-- deadlock whatever it is.
--
-- Reorder alerts raised and resolved, for the live stream: a product is alerting when GET
-- /reorder-alerts lists it by default (reorder_alerts.sql: not archived, an order-by date
-- within $5 days of $1 or passed, from known lead times). Before is what the statement's
-- snapshot holds (the locked row's order-by date; product_timing_inputs as the last run left
-- it: a data-modifying CTE's writes are invisible to the rest of the statement), after is
-- what it computes; the last column lists the products whose alerting changed, as JSON, in
-- the same pass as the counts (no second read of the scope before or after).

WITH w AS (
    SELECT $1::date AS as_of,
           $2::integer AS window_days,
           $1::date + 1 - $2::integer AS w_start,
           $1::date + 1 AS w_end
),
targets AS (
    SELECT p.id, p.ctid AS row_at, p.client_id, p.sku, p.archived_at,
           p.last_order_by_date AS order_by_before, p.current_stock,
           p.supplier_lead_days, p.shipping_lead_days, p.processing_lead_days,
           p.safety_buffer_days, p.total_lead_days, p.lead_time_source
    FROM products p
    WHERE ($3::uuid IS NULL OR p.client_id = $3::uuid)
      AND ($4::uuid IS NULL OR p.id = $4::uuid)
    ORDER BY p.ctid
    FOR NO KEY UPDATE OF p
),
-- The window's bounds are written out here rather than taken from w: behind a CTE the planner
-- cannot see them, guesses a third of the orders, and at ten million lines picks a nested
-- loop of index probes into order_request_items (random reads: 75 of the statement's 107 s
-- at 1 000 000 products) instead of one hash join over a sequential scan.
demand AS (
    SELECT c.product_id, c.client_id,
           COALESCE(SUM(c.quantity) FILTER (
               WHERE c.ordered_at >= ($1::date + 1 - $2::integer)::timestamp AT TIME ZONE 'UTC'),
               0)::bigint AS window_units,
           MIN(c.ordered_at) AS first_counted_at
    FROM counted_order_lines c
    WHERE c.ordered_at < ($1::date + 1)::timestamp AT TIME ZONE 'UTC'
      AND ($3::uuid IS NULL OR c.client_id = $3::uuid)
      AND ($4::uuid IS NULL OR c.product_id = $4::uuid)
    GROUP BY c.product_id, c.client_id
),
inputs AS (
    SELECT t.id AS product_id, t.row_at, t.client_id, t.sku, t.archived_at, t.order_by_before,
           w.as_of, w.window_days,
           LEAST(w.window_days, COALESCE(
               annualisation_days(d.first_counted_at, w.w_start, w.w_end), w.window_days))
               AS demand_days,
           COALESCE(d.window_units, 0) AS window_units,
           t.current_stock AS on_hand,
           l.supplier_lead_days, l.shipping_lead_days, l.processing_lead_days,
           l.safety_buffer_days, l.total_lead_days, l.lead_time_source
    FROM targets t
    CROSS JOIN w
    JOIN clients cl ON cl.id = t.client_id
    LEFT JOIN demand d ON d.product_id = t.id AND d.client_id = t.client_id
    CROSS JOIN LATERAL (
        SELECT t.total_lead_days IS NOT NULL AS own,
               (cl.default_supplier_lead_days IS NOT NULL
                OR cl.default_shipping_lead_days IS NOT NULL
                OR cl.default_processing_lead_days IS NOT NULL
                OR cl.default_safety_buffer_days IS NOT NULL) AS defaults
    ) has
    CROSS JOIN LATERAL (
        SELECT CASE WHEN has.own THEN t.supplier_lead_days
                    WHEN has.defaults THEN cl.default_supplier_lead_days END AS supplier_lead_days,
               CASE WHEN has.own THEN t.shipping_lead_days
                    WHEN has.defaults THEN cl.default_shipping_lead_days END AS shipping_lead_days,
               CASE WHEN has.own THEN t.processing_lead_days
                    WHEN has.defaults THEN cl.default_processing_lead_days END AS processing_lead_days,
               CASE WHEN has.own THEN t.safety_buffer_days
                    WHEN has.defaults THEN cl.default_safety_buffer_days END AS safety_buffer_days,
               CASE WHEN has.own THEN t.total_lead_days
                    WHEN has.defaults THEN COALESCE(cl.default_supplier_lead_days, 0)
                                         + COALESCE(cl.default_shipping_lead_days, 0)
                                         + COALESCE(cl.default_processing_lead_days, 0)
                                         + COALESCE(cl.default_safety_buffer_days, 0)
               END AS total_lead_days,
               CASE WHEN has.own THEN COALESCE(t.lead_time_source, 'manual')
                    WHEN has.defaults THEN 'client_default'
                    ELSE 'unknown' END AS lead_time_source
    ) l
),
cover AS (
    SELECT i.*,
           CASE WHEN i.window_units > 0
                THEN floor(GREATEST(i.on_hand, 0)::numeric * i.demand_days / i.window_units)
           END AS cover_days
    FROM inputs i
),
timing AS (
    SELECT c.*,
           CASE WHEN c.cover_days <= 36500 THEN c.as_of + c.cover_days::integer END
               AS stockout_date,
           CASE WHEN c.window_units = 0 THEN 'no_demand'
                WHEN c.cover_days > 36500 THEN 'beyond_horizon'
                WHEN c.total_lead_days IS NULL THEN 'no_lead_time'
           END AS reason
    FROM cover c
),
cached AS (
    UPDATE products p
    SET projected_stockout_date = t.stockout_date,
        last_order_by_date = t.stockout_date - t.total_lead_days,
        timing_last_calculated = now()
    -- In the rows' physical order (see Concurrency above), which a hash join probing with
    -- these rows keeps.
    FROM (SELECT product_id, row_at, stockout_date, total_lead_days
          FROM timing ORDER BY row_at) t
    WHERE p.id = t.product_id
    RETURNING p.id
),
saved AS (
    INSERT INTO product_timing_inputs AS s (
        product_id, client_id, calculated_at, as_of, demand_window_days, demand_days,
        window_units, daily_demand, on_hand, supplier_lead_days, shipping_lead_days,
        processing_lead_days, safety_buffer_days, total_lead_days, lead_time_source, reason)
    SELECT t.product_id, t.client_id, now(), t.as_of, t.window_days, t.demand_days,
           t.window_units, ROUND(t.window_units::numeric / t.demand_days, 4), t.on_hand,
           t.supplier_lead_days, t.shipping_lead_days, t.processing_lead_days,
           t.safety_buffer_days, t.total_lead_days, t.lead_time_source, t.reason
    FROM timing t
    ON CONFLICT (product_id) DO UPDATE SET
        client_id = EXCLUDED.client_id,
        calculated_at = EXCLUDED.calculated_at,
        as_of = EXCLUDED.as_of,
        demand_window_days = EXCLUDED.demand_window_days,
        demand_days = EXCLUDED.demand_days,
        window_units = EXCLUDED.window_units,
        daily_demand = EXCLUDED.daily_demand,
        on_hand = EXCLUDED.on_hand,
        supplier_lead_days = EXCLUDED.supplier_lead_days,
        shipping_lead_days = EXCLUDED.shipping_lead_days,
        processing_lead_days = EXCLUDED.processing_lead_days,
        safety_buffer_days = EXCLUDED.safety_buffer_days,
        total_lead_days = EXCLUDED.total_lead_days,
        lead_time_source = EXCLUDED.lead_time_source,
        reason = EXCLUDED.reason
    RETURNING s.reason
)
SELECT now() AS calculated_at,
       count(*) AS products,
       count(DISTINCT t.client_id) AS clients,
       count(*) FILTER (WHERE t.reason IS NULL) AS dated,
       count(*) FILTER (WHERE t.reason = 'no_demand') AS no_demand,
       count(*) FILTER (WHERE t.reason = 'no_lead_time') AS no_lead_time,
       count(*) FILTER (WHERE t.reason = 'beyond_horizon') AS beyond_horizon,
       count(*) FILTER (WHERE t.lead_time_source = 'client_default') AS client_defaults,
       json_agg(json_build_object(
                    'product_id', t.product_id, 'client_id', t.client_id, 'sku', t.sku,
                    'last_order_by_date', t.stockout_date - t.total_lead_days,
                    'projected_stockout_date', t.stockout_date, 'raised', a.alerting)
                ORDER BY t.client_id, t.product_id)
           FILTER (WHERE a.alerting <> a.was_alerting)::text AS alert_changes
FROM timing t
CROSS JOIN LATERAL (
    SELECT COALESCE(t.archived_at IS NULL AND t.total_lead_days IS NOT NULL
                    AND t.stockout_date - t.total_lead_days <= t.as_of + $5::integer, false)
               AS alerting,
           -- The inputs row is only looked up for a product whose old date was in the window.
           CASE WHEN t.archived_at IS NULL AND t.order_by_before <= t.as_of + $5::integer
                THEN EXISTS (SELECT 1 FROM product_timing_inputs i
                             WHERE i.product_id = t.product_id
                               AND i.total_lead_days IS NOT NULL)
                ELSE false
           END AS was_alerting
) a
