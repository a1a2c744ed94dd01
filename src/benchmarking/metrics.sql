-- The five benchmark metrics of some clients for one month, one row per client; formulas and
-- inputs: docs/benchmarking.md. Run by src/benchmarking/queries.rs: alone for one client's
-- own figures (`GET …/benchmark`), and as the first CTE of snapshot.sql for every participant.
--
--   $1 date    the month's first day (not after the current month)
--   $2 uuid[]  the clients
--
-- In psql: PREPARE metrics(date, uuid[]) AS <this statement>;
--          EXECUTE metrics('2025-03-01', ARRAY(SELECT id FROM clients));
--
-- The period is [m_start, p_end): the calendar month, cut at the end of today (UTC) while it
-- is the current month. Demand is the database's demand rule (counted_order_lines: orders
-- neither draft nor cancelled, on the UTC day they were created), annualised by
-- annualised_demand. Stock is a step function: each stock_levels reading holds until the next
-- one, the reading on or before m_start opens the month, days before a product's first reading
-- are unknown and not counted. No statement text ends with a semicolon: snapshot.sql embeds it.
WITH bounds AS (
    SELECT $1::date AS m_start,
           LEAST(($1::date + INTERVAL '1 month')::date,
                 (now() AT TIME ZONE 'UTC')::date + 1) AS p_end
),
edges AS (
    SELECT b.m_start, b.p_end, b.p_end - b.m_start AS days,
           b.m_start::timestamp AT TIME ZONE 'UTC' AS t_start,
           b.p_end::timestamp AT TIME ZONE 'UTC' AS t_end
    FROM bounds b
),
scope AS (
    SELECT DISTINCT unnest($2::uuid[]) AS client_id
),
catalogue AS (
    SELECT p.client_id, p.id AS product_id, p.unit_cost, p.current_stock,
           p.created_at < e.t_end AND (p.archived_at IS NULL OR p.archived_at >= e.t_end) AS active
    FROM scope s
    JOIN products p ON p.client_id = s.client_id
    CROSS JOIN edges e
),
lines AS (
    SELECT l.client_id, l.product_id, l.order_request_id, l.quantity
    FROM scope s
    JOIN counted_order_lines l ON l.client_id = s.client_id
    CROSS JOIN edges e
    WHERE l.ordered_at >= e.t_start AND l.ordered_at < e.t_end
),
orders AS (
    SELECT l.client_id, count(DISTINCT l.order_request_id) AS n
    FROM lines l
    GROUP BY l.client_id
),
demand AS (
    SELECT l.product_id, SUM(l.quantity) AS units
    FROM lines l
    GROUP BY l.product_id
),
-- Per product, the day its readings for the period start from: the last reading on or
-- before m_start (one backward index probe per product), else m_start.
opening AS (
    SELECT c.product_id,
           COALESCE((SELECT max(o.recorded_on)
                     FROM stock_levels o
                     WHERE o.product_id = c.product_id
                       AND o.recorded_on <= e.m_start), e.m_start) AS from_day
    FROM catalogue c
    CROSS JOIN edges e
),
readings AS (
    SELECT r.product_id, r.recorded_on, r.quantity,
           LEAD(r.recorded_on) OVER (PARTITION BY r.product_id ORDER BY r.recorded_on) AS next_on
    FROM opening o
    CROSS JOIN edges e
    JOIN stock_levels r ON r.product_id = o.product_id
                       AND r.recorded_on >= o.from_day
                       AND r.recorded_on < e.p_end
),
spans AS (
    SELECT r.product_id, r.quantity,
           LEAST(COALESCE(r.next_on, e.p_end), e.p_end) - GREATEST(r.recorded_on, e.m_start) AS days
    FROM readings r
    CROSS JOIN edges e
),
stock AS (
    SELECT s.product_id,
           SUM(s.days) AS sku_days,
           COALESCE(SUM(s.days) FILTER (WHERE s.quantity <= 0), 0) AS out_days,
           SUM(s.quantity::numeric * s.days) / SUM(s.days) AS average_units
    FROM spans s
    WHERE s.days > 0
    GROUP BY s.product_id
),
per_client AS (
    SELECT c.client_id,
           count(*) FILTER (WHERE c.active) AS product_count,
           SUM(st.sku_days) AS sku_days,
           SUM(st.out_days) AS out_days,
           -- Cost of goods out and average inventory value, over the products with a cost.
           SUM(COALESCE(d.units, 0) * c.unit_cost) AS cogs,
           SUM(COALESCE(st.average_units, c.current_stock) * c.unit_cost) AS inventory_value
    FROM catalogue c
    LEFT JOIN stock st ON st.product_id = c.product_id
    LEFT JOIN demand d ON d.product_id = c.product_id
    GROUP BY c.client_id
),
forecast AS (
    SELECT c.client_id,
           SUM(abs(COALESCE(d.units, 0) - f.forecast_units)) AS abs_error,
           SUM(COALESCE(d.units, 0)) AS actual
    FROM catalogue c
    JOIN demand_forecasts f ON f.product_id = c.product_id AND f.period = $1::date
    LEFT JOIN demand d ON d.product_id = c.product_id
    GROUP BY c.client_id
)
SELECT s.client_id,
       COALESCE(pc.product_count, 0)::numeric AS product_count,
       ROUND(COALESCE(o.n, 0)::numeric / e.days, 4) AS order_frequency,
       ROUND(pc.out_days::numeric / NULLIF(pc.sku_days, 0), 4) AS stockout_rate,
       ROUND(CASE
                 WHEN f.client_id IS NULL THEN NULL
                 WHEN f.actual = 0 THEN CASE WHEN f.abs_error = 0 THEN 1 ELSE 0 END
                 ELSE GREATEST(0, LEAST(1, 1 - f.abs_error / f.actual))
             END, 4) AS forecast_accuracy,
       ROUND(annualised_demand(pc.cogs, e.days) / NULLIF(pc.inventory_value, 0), 4)
           AS inventory_turnover
FROM scope s
CROSS JOIN edges e
LEFT JOIN per_client pc ON pc.client_id = s.client_id
LEFT JOIN orders o ON o.client_id = s.client_id
LEFT JOIN forecast f ON f.client_id = s.client_id
