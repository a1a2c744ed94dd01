-- The delay refresh (job refresh_delays): shipments whose estimated delivery has passed since
-- their last event get is_delayed = true, and are answered so the job records one
-- shipment.delayed event each in this transaction. Run by src/shipments/delays.rs.
--
-- The rule is DELAYED_SQL's (src/shipments/types.rs): open (not terminal), an estimate, and
-- the estimate passed. The terminal list is repeated literally so the planner uses the
-- partial index shipments_open_estimated_delivery_idx. The shipments are locked in id order,
-- the order events::apply locks them in, so the job and a carrier's events queue rather than
-- deadlock; a shipment whose state an event changed meanwhile is re-checked under its lock.
-- (A shipment that stops being delayed — delivered, a later estimate — has its flag cleared
-- by events::apply, which derives it from the history.)
WITH due AS (
    SELECT s.id
    FROM shipments s
    WHERE s.status NOT IN ('delivered', 'returned_to_sender', 'cancelled')
      AND s.estimated_delivery_at IS NOT NULL
      AND s.estimated_delivery_at < now()
      AND NOT s.is_delayed
    ORDER BY s.id
    FOR NO KEY UPDATE OF s
)
UPDATE shipments s
SET is_delayed = true
FROM due
WHERE s.id = due.id
RETURNING s.id, s.client_id, s.tracking_number, s.status, s.estimated_delivery_at
