-- The start of both one-event statements of `POST …/events` (`events::APPLY_ONE` and
-- `events::APPEND_NEWEST`): stores the event $1…$8 (shipment_id, status, description,
-- location, event_time, estimated_delivery_at, raw_data, dedupe_key) unless its scan was
-- stored before; `ins` holds the stored row, or none for a duplicate. Every parameter is a
-- scalar, so PostgreSQL keeps one plan (the batch head's `ANY($1)` gets a fresh custom plan
-- on every call, 0.7 ms, several times what it takes to run for one shipment).
WITH ins AS (
    INSERT INTO shipment_events (shipment_id, status, description, location, event_time,
                                 estimated_delivery_at, raw_data, dedupe_key)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (shipment_id, dedupe_key) DO NOTHING
    RETURNING *
),
