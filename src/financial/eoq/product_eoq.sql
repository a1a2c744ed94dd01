-- A product's EOQ over the twelve months ending with $3: the window (as_of − 1 year, as_of],
-- UTC days. D = the window's counted demand, annualised (× 365 / days, at least 30, at most
-- 365) when the product's first counted order falls inside the window; Q* = √(2DS/H).
-- The demand rules (counted_order_lines, demand_window_start, annualisation_days,
-- annualised_demand) are the database's, from migration 20251216000001_add_demand_rules.
-- Inputs come back too, so the caller can name the missing ones. No row: no such product of
-- this client. Run by src/financial/eoq/mod.rs (`eoq_figures`); formulas: docs/financial.md.
--
--   $1 uuid  product_id
--   $2 uuid  client_id
--   $3 date  as_of: the window's last day
--
-- In psql: PREPARE product_eoq(uuid, uuid, date) AS <this statement>;
--          EXECUTE product_eoq('<product id>', '<client id>', '2025-03-31');

WITH w AS (
    SELECT demand_window_start($3::date + 1) AS w_start, $3::date + 1 AS w_end
),
demand AS (
    SELECT COALESCE(SUM(c.quantity) FILTER (
               WHERE c.ordered_at >= w.w_start::timestamp AT TIME ZONE 'UTC'), 0)::bigint
               AS window_units,
           MIN(c.ordered_at) AS first_order_at,
           count(*) > 0 AS has_orders
    FROM counted_order_lines c
    CROSS JOIN w
    WHERE c.product_id = $1
      AND c.client_id = $2
      AND c.ordered_at < w.w_end::timestamp AT TIME ZONE 'UTC'
),
inputs AS (
    SELECT p.unit_cost, p.reorder_cost, p.holding_cost_rate,
           p.unit_cost * p.holding_cost_rate AS h,
           w.w_end - w.w_start AS window_days,
           d.window_units, d.has_orders,
           annualisation_days(d.first_order_at, w.w_start, w.w_end) AS history_days
    FROM products p
    CROSS JOIN w
    CROSS JOIN demand d
    WHERE p.id = $1 AND p.client_id = $2
),
annual AS (
    SELECT i.*, annualised_demand(i.window_units, i.history_days) AS d
    FROM inputs i
),
q AS (
    SELECT a.*,
           eoq_units(a.d, a.reorder_cost, a.h) AS q,
           eoq_annual_cost(a.d, a.reorder_cost, a.h) AS tc
    FROM annual a
)
SELECT q.unit_cost, q.reorder_cost, q.holding_cost_rate, q.h AS holding_cost_per_unit,
       q.window_days, q.window_units, q.has_orders, q.history_days,
       ROUND(q.d, 2) AS annual_demand_units,
       ROUND(q.q, 2) AS eoq_units,
       ROUND(CASE WHEN q.q IS NULL THEN NULL WHEN q.q = 0 THEN 0 ELSE q.d / q.q END, 4)
           AS orders_per_year,
       ROUND(CASE WHEN q.q > 0 THEN 365 * q.q / q.d END, 2) AS cycle_days,
       ROUND(q.tc, 2) AS annual_total_cost
FROM q
