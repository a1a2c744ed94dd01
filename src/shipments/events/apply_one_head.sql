-- The head of the one-event statement of `POST …/events` (`events::APPLY_ONE`: this,
-- `status_rule.sql`, then the state with the stored event): stores the event $1…$8
-- (shipment_id, status, description, location, event_time, estimated_delivery_at, raw_data,
-- dedupe_key) unless its scan was stored before, and gives the rule the shipment's history
-- with it, in one round trip and with one plan PostgreSQL can keep (every parameter a scalar:
-- the batch head's `ANY($1)` gets a fresh custom plan on every call, 0.7 ms, several times
-- what it takes to run for one shipment).
--
-- All parts of a statement read one snapshot, so `ev` does not see the row `ins` inserts:
-- it adds it. The snapshot is taken after the caller locked the shipment, and every writer
-- of events holds that lock until it commits, so it sees every event stored before (and a
-- duplicate's stored row, for `stored`).
WITH ins AS (
    INSERT INTO shipment_events (shipment_id, status, description, location, event_time,
                                 estimated_delivery_at, raw_data, dedupe_key)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (shipment_id, dedupe_key) DO NOTHING
    RETURNING *
),
stored AS (
    SELECT true AS created, i.* FROM ins i
    UNION ALL
    SELECT false, e.*
    FROM shipment_events e
    WHERE e.shipment_id = $1 AND e.dedupe_key = $8 AND NOT EXISTS (SELECT FROM ins)
),
ev AS (
    SELECT e.id, e.shipment_id, e.status, e.description, e.event_time, e.raw_data,
           e.estimated_delivery_at, e.dedupe_key, shipment_status_rank(e.status) AS rnk
    FROM shipment_events e
    WHERE e.shipment_id = $1
    UNION ALL
    SELECT i.id, i.shipment_id, i.status, i.description, i.event_time, i.raw_data,
           i.estimated_delivery_at, i.dedupe_key, shipment_status_rank(i.status)
    FROM ins i
),
