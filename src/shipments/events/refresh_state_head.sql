-- The head of the batch refresh (`events::REFRESH_STATE`: this, `status_rule.sql`, then
-- `SELECT * FROM state`): the histories of the shipments in $1 (uuid[]), as stored.
WITH ev AS (
    SELECT e.id, e.shipment_id, e.status, e.description, e.event_time, e.raw_data,
           e.estimated_delivery_at, e.dedupe_key, shipment_status_rank(e.status) AS rnk
    FROM shipment_events e
    WHERE e.shipment_id = ANY($1)
),
