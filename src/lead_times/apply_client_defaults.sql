-- Stores a client's default lead times (clients.default_*_lead_days) into its products that
-- have none of their own (all four components NULL), marking them 'client_default'. One
-- statement; run by src/lead_times/queries.rs (`apply_client_defaults`).
--
--   $1 uuid  client_id
--
-- In psql: PREPARE apply_defaults(uuid) AS <this statement>; EXECUTE apply_defaults('<id>');
--
-- The caller holds the client's lead-time writers' lock (so no recalculation runs on these
-- products meanwhile); the products are locked FOR NO KEY UPDATE in physical order, and the
-- outer WHERE re-checks "has none" on the locked row, so a product given lead times by a
-- concurrent PATCH keeps them. A client without any default changes nothing.

WITH c AS (
    SELECT cl.id, cl.default_supplier_lead_days, cl.default_shipping_lead_days,
           cl.default_processing_lead_days, cl.default_safety_buffer_days,
           (cl.default_supplier_lead_days IS NOT NULL
            OR cl.default_shipping_lead_days IS NOT NULL
            OR cl.default_processing_lead_days IS NOT NULL
            OR cl.default_safety_buffer_days IS NOT NULL) AS has_defaults
    FROM clients cl
    WHERE cl.id = $1
),
locked AS (
    SELECT p.id
    FROM products p
    WHERE p.client_id = $1
      AND p.supplier_lead_days IS NULL AND p.shipping_lead_days IS NULL
      AND p.processing_lead_days IS NULL AND p.safety_buffer_days IS NULL
    ORDER BY p.ctid
    FOR NO KEY UPDATE
),
updated AS (
    UPDATE products p
    SET supplier_lead_days = c.default_supplier_lead_days,
        shipping_lead_days = c.default_shipping_lead_days,
        processing_lead_days = c.default_processing_lead_days,
        safety_buffer_days = c.default_safety_buffer_days,
        lead_time_source = 'client_default',
        updated_at = now()
    FROM c, locked l
    WHERE p.id = l.id
      AND c.has_defaults
      AND p.supplier_lead_days IS NULL AND p.shipping_lead_days IS NULL
      AND p.processing_lead_days IS NULL AND p.safety_buffer_days IS NULL
    RETURNING p.id
)
SELECT (SELECT count(*) FROM updated) AS updated,
       COALESCE((SELECT has_defaults FROM c), false) AS has_defaults
