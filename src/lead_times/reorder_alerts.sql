-- Reorder alerts of a client: its products whose cached last_order_by_date falls within
-- $3 days of $2 or has passed, soonest first, one keyset page, with the inputs the last
-- recalculation stored (product_timing_inputs) and a suggested order quantity. Run by
-- src/lead_times/queries.rs (`reorder_alerts`); rules: docs/lead-times.md.
--
--   $1 uuid     client_id
--   $2 date     as_of: today (UTC)
--   $3 integer  within_days (0 to 365)
--   $4 text     status filter (out_of_stock, order_now, reorder_soon), or NULL
--   $5 date     keyset: last_order_by_date of the previous page's last row, or NULL
--   $6 uuid     keyset: its product_id
--   $7 bigint   rows to fetch (page size + 1)
--   $8 integer  review cycle in days, for the quantity without an EOQ
--
-- Status, against $2: out_of_stock when the stock used was 0 or its projected stockout date
-- has come; order_now when the order-by date has come or passed; reorder_soon otherwise.
-- Suggested quantity: ⌈EOQ⌉ when the product's EOQ exists (the financial feature's own
-- statement, src/financial/eoq/product_eoq.sql, spliced in below per row of the page, so the
-- formula is written once), else ⌈daily demand × (total lead days + review cycle)⌉.
-- The page is cut (ORDER BY … LIMIT) before the EOQ is computed, so a request costs
-- page-size EOQ lookups, whatever the client's size; the list is served by the guide's index
-- products_client_id_last_order_by_date_idx.

SELECT page.*,
       e.eoq_units,
       CASE WHEN e.eoq_units > 0 THEN ceil(e.eoq_units)
            ELSE ceil(page.window_units::numeric / page.demand_days
                      * (page.total_lead_days + $8::integer))
       END AS suggested_order_quantity,
       CASE WHEN e.eoq_units > 0 THEN 'eoq' ELSE 'lead_time_demand' END AS suggested_basis
FROM (
    SELECT a.*
    FROM (
        SELECT p.id AS product_id, p.client_id, p.sku, p.name,
               p.projected_stockout_date, p.last_order_by_date,
               p.timing_last_calculated AS calculated_at, i.as_of AS calculated_for,
               i.daily_demand, i.demand_window_days, i.demand_days, i.window_units, i.on_hand,
               i.supplier_lead_days, i.shipping_lead_days, i.processing_lead_days,
               i.safety_buffer_days, i.total_lead_days, i.lead_time_source,
               CASE WHEN i.on_hand <= 0 OR p.projected_stockout_date <= $2::date
                        THEN 'out_of_stock'
                    WHEN p.last_order_by_date <= $2::date THEN 'order_now'
                    ELSE 'reorder_soon'
               END AS status
        FROM products p
        JOIN product_timing_inputs i ON i.product_id = p.id
        WHERE p.client_id = $1::uuid
          AND p.archived_at IS NULL  -- an archived product is not reordered
          AND p.last_order_by_date <= $2::date + $3::integer
          AND i.total_lead_days IS NOT NULL
          AND ($5::date IS NULL
               OR (p.last_order_by_date, p.id) > ($5::date, $6::uuid))
    ) a
    WHERE ($4::text IS NULL OR a.status = $4::text)
    ORDER BY a.last_order_by_date, a.product_id
    LIMIT $7::bigint
) page
LEFT JOIN LATERAL (
/* product_eoq.sql */
) e ON true
ORDER BY page.last_order_by_date, page.product_id
