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
