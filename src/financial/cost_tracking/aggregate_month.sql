-- Monthly cost aggregation: (re)computes one cost_tracking row per product for the month
-- starting $1, of client $2, or of every client when $2 is null (the CLI job).
-- Run by src/financial/cost_tracking/queries.rs (`aggregate_month`); formulas:
-- docs/financial.md.
--
--   $1 date  the month's first day
--   $2 uuid  client_id, or null for every client
--
-- In psql (it writes; wrap it in BEGIN … ROLLBACK to look only):
--   PREPARE aggregate_month(date, uuid) AS <this statement>;
--   EXECUTE aggregate_month('2025-03-01', NULL);
--
-- One statement, so a run is atomic; the upsert makes it idempotent, and two concurrent runs
-- both end with one row per product (the later one waits on the earlier one's rows, then
-- overwrites them with the same figures).
-- Rows are written in (client_id, product_id) order, so concurrent runs, per client or for
-- all clients, take row locks in the same order and cannot deadlock.
--
-- Per product, with m = the month, W = the twelve months ending with m, UTC boundaries. What
-- counts as demand, W and the annualisation are the database's demand rules
-- (counted_order_lines, demand_window_start, annualisation_days, annualised_demand; migration
-- 20251216000001_add_demand_rules), shared with the EOQ route:
-- - demand_units = Σ quantity of its counted order lines created in m; demand_value = demand_units × unit_cost (0 without cost).
-- - average_stock_units = mean of its stock_levels readings in m, else current_stock.
-- - holding_cost = average_stock × unit_cost × holding_cost_rate × days(m) / 365 (0 when
--   an input is null).
-- - D (annual demand) = Σ demand over W; when the product's first counted order ever falls
--   inside W, D = that Σ × 365 / days from that order's day to m's end (at least 30, at most
--   365). S = reorder_cost, H = unit_cost × holding_cost_rate.
-- - eoq_units = √(2DS/H), eoq_annual_cost = √(2DSH), eoq_orders_per_year = D / eoq_units
--   (0 without demand); all null unless S > 0 and H > 0.
-- - order_count = ⌈demand_units / eoq_units⌉ (0 without EOQ or demand); ordering_cost =
--   order_count × S; total_cost = demand_value + holding_cost + ordering_cost.
--
-- inputs and eoq are MATERIALIZED: inlined, PostgreSQL would copy their expressions (the
-- history probe, the square roots) into every later reference and evaluate them a dozen times
-- per product.
--
-- Intermediates stay unrounded NUMERIC; each stored money figure is rounded to cents once.
-- Because demand_value and ordering_cost are whole cents already, the stored total equals the
-- sum of the stored parts.

WITH bounds AS (
    SELECT $1::date AS m_start,
           ($1::date + INTERVAL '1 month')::date AS m_end,
           demand_window_start(($1::date + INTERVAL '1 month')::date) AS w_start
),
counted AS (
    SELECT c.product_id, c.quantity, c.ordered_at,
           c.ordered_at >= b.m_start::timestamp AT TIME ZONE 'UTC' AS in_month
    FROM counted_order_lines c
    CROSS JOIN bounds b
    WHERE ($2::uuid IS NULL OR c.client_id = $2::uuid)
      AND c.ordered_at >= b.w_start::timestamp AT TIME ZONE 'UTC'
      AND c.ordered_at < b.m_end::timestamp AT TIME ZONE 'UTC'
),
demand AS (
    SELECT c.product_id,
           COALESCE(SUM(c.quantity) FILTER (WHERE c.in_month), 0) AS month_units,
           SUM(c.quantity) AS window_units,
           MIN(c.ordered_at) AS first_order_at
    FROM counted c
    GROUP BY c.product_id
),
stock AS (
    SELECT s.product_id, AVG(s.quantity) AS average_units
    FROM stock_levels s
    JOIN products p ON p.id = s.product_id
    CROSS JOIN bounds b
    WHERE ($2::uuid IS NULL OR p.client_id = $2::uuid)
      AND s.recorded_on >= b.m_start
      AND s.recorded_on < b.m_end
    GROUP BY s.product_id
),
inputs AS MATERIALIZED (
    SELECT p.client_id, p.id AS product_id, b.m_start AS period,
           b.m_end - b.m_start AS days_in_month,
           COALESCE(d.month_units, 0) AS demand_units,
           COALESCE(st.average_units, p.current_stock) AS average_stock,
           p.unit_cost, p.holding_cost_rate, p.reorder_cost,
           p.unit_cost * p.holding_cost_rate AS h,
           -- annualisation_days needs the first counted order ever only when it falls
           -- inside W; any counted order before W gives the same answer (no scaling), so
           -- the probe takes the first one it finds (LIMIT 1: as cheap as EXISTS).
           (CASE
               WHEN d.product_id IS NULL THEN 0
               ELSE annualised_demand(d.window_units, annualisation_days(
                        LEAST(d.first_order_at, (
                            SELECT e.ordered_at
                            FROM counted_order_lines e
                            WHERE e.product_id = p.id
                              AND e.ordered_at < b.w_start::timestamp AT TIME ZONE 'UTC'
                            LIMIT 1)),
                        b.w_start, b.m_end))
           END)::numeric AS annual_demand
    FROM products p
    CROSS JOIN bounds b
    LEFT JOIN demand d ON d.product_id = p.id
    LEFT JOIN stock st ON st.product_id = p.id
    WHERE ($2::uuid IS NULL OR p.client_id = $2::uuid)
),
eoq AS MATERIALIZED (
    SELECT i.*,
           eoq_units(i.annual_demand, i.reorder_cost, i.h) AS eoq_units,
           eoq_annual_cost(i.annual_demand, i.reorder_cost, i.h) AS eoq_annual_cost
    FROM inputs i
),
costs AS (
    SELECT e.*,
           e.demand_units * COALESCE(e.unit_cost, 0) AS demand_value,
           COALESCE(e.average_stock * e.unit_cost * e.holding_cost_rate * e.days_in_month
                    / 365, 0) AS holding_cost,
           CASE WHEN e.eoq_units > 0 AND e.demand_units > 0
                THEN ceil(e.demand_units / e.eoq_units) ELSE 0 END AS order_count,
           CASE WHEN e.eoq_units IS NULL THEN NULL
                WHEN e.eoq_units = 0 THEN 0
                ELSE e.annual_demand / e.eoq_units END AS orders_per_year
    FROM eoq e
),
written AS (
    INSERT INTO cost_tracking AS ct (
        client_id, product_id, period, demand_units, demand_value, average_stock_units,
        unit_cost, holding_cost, order_count, ordering_cost, total_cost, eoq_units,
        eoq_orders_per_year, eoq_annual_cost, calculated_at, updated_at)
    SELECT c.client_id, c.product_id, c.period, c.demand_units, ROUND(c.demand_value, 2),
           ROUND(c.average_stock, 2), c.unit_cost, ROUND(c.holding_cost, 2), c.order_count,
           ROUND(c.order_count * COALESCE(c.reorder_cost, 0), 2),
           ROUND(c.demand_value + c.holding_cost + c.order_count * COALESCE(c.reorder_cost, 0), 2),
           ROUND(c.eoq_units, 2), ROUND(c.orders_per_year, 4), ROUND(c.eoq_annual_cost, 2),
           now(), now()
    FROM costs c
    ORDER BY c.client_id, c.product_id
    ON CONFLICT (client_id, product_id, period) DO UPDATE SET
        demand_units = EXCLUDED.demand_units,
        demand_value = EXCLUDED.demand_value,
        average_stock_units = EXCLUDED.average_stock_units,
        unit_cost = EXCLUDED.unit_cost,
        holding_cost = EXCLUDED.holding_cost,
        order_count = EXCLUDED.order_count,
        ordering_cost = EXCLUDED.ordering_cost,
        total_cost = EXCLUDED.total_cost,
        eoq_units = EXCLUDED.eoq_units,
        eoq_orders_per_year = EXCLUDED.eoq_orders_per_year,
        eoq_annual_cost = EXCLUDED.eoq_annual_cost,
        calculated_at = EXCLUDED.calculated_at,
        updated_at = EXCLUDED.updated_at
    RETURNING ct.client_id
)
SELECT count(DISTINCT w.client_id) AS clients, count(*) AS rows, now() AS calculated_at
FROM written w
