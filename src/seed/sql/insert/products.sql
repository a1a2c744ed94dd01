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
