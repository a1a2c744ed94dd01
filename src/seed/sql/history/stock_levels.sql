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
