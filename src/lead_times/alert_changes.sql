-- Reorder alerts raised and resolved by a recalculation, for the live stream. Run twice by
-- src/lead_times/queries.rs (`recalculate`) in the recalculation's transaction: before it
-- (with $5 NULL: answers the alerting products of the scope, and locks every product of
-- the scope FOR NO KEY UPDATE in physical order, as the recalculation does, so a concurrent
-- PATCH cannot slip between before and after) and after it (with $5 the ids
-- answered before: answers the products that entered the window, raised = true, and those
-- that left it, raised = false).
--
--   $1 uuid     client_id, or NULL for every client
--   $2 uuid     product_id, or NULL
--   $3 date     as_of (today, UTC)
--   $4 integer  the window: the alert list's default within_days
--   $5 uuid[]   the alerting products before, or NULL (the "before" call)
--
-- Alerting is what GET /reorder-alerts lists by default (reorder_alerts.sql): not archived,
-- an order-by date within $4 days of $3 (or passed), from known lead times.
WITH scope AS (
    SELECT p.id, p.client_id, p.sku, p.archived_at, p.last_order_by_date,
           p.projected_stockout_date
    FROM products p
    WHERE ($1::uuid IS NULL OR p.client_id = $1::uuid)
      AND ($2::uuid IS NULL OR p.id = $2::uuid)
    ORDER BY p.ctid
    FOR NO KEY UPDATE OF p
),
alerting AS (
    SELECT s.*
    FROM scope s
    JOIN product_timing_inputs i ON i.product_id = s.id
    WHERE s.archived_at IS NULL
      AND s.last_order_by_date <= $3::date + $4::integer
      AND i.total_lead_days IS NOT NULL
)
SELECT a.id AS product_id, a.client_id, a.sku, a.last_order_by_date,
       a.projected_stockout_date, true AS raised
FROM alerting a
WHERE $5::uuid[] IS NULL OR NOT a.id = ANY ($5::uuid[])
UNION ALL
SELECT s.id, s.client_id, s.sku, s.last_order_by_date, s.projected_stockout_date, false
FROM scope s
WHERE s.id = ANY ($5::uuid[])
  AND NOT EXISTS (SELECT 1 FROM alerting a WHERE a.id = s.id)
ORDER BY 2, 1
