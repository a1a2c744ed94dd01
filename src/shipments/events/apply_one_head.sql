-- The rest of the head of `events::APPLY_ONE` (`insert_one.sql`, this, `status_rule.sql`,
-- `state_write.sql`, then the state with the stored event): reads back a duplicate's stored
-- row and gives the rule the shipment's history with the inserted event, in one round trip.
--
-- All parts of a statement read one snapshot, so `ev` does not see the row `ins` inserts:
-- it adds it. The snapshot is taken after the caller locked the shipment, and every writer
-- of events holds that lock until it commits, so it sees every event stored before (and a
-- duplicate's stored row, for `stored`).
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
