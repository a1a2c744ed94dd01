-- The one-event statement of `POST …/events` when the event is newer than the shipment's
-- whole history and the shipment has not reached a terminal status (`EventTarget::appends`,
-- read under the shipment's lock): stores the event $1…$8 (shipment_id, status, description,
-- location, event_time, estimated_delivery_at, raw_data, dedupe_key) and makes it the state.
--
-- The status rule (`status_rule.sql`) then gives exactly this without reading the history:
-- no stored event is terminal (the state would be terminal), so every event counts and the
-- newest, this one, is the state; the exception reason is this event's when it is an
-- exception, else the last exception's, which the row holds already. Answers the same
-- columns as `APPLY_ONE`, and no row for a duplicate (nothing inserted): the caller then
-- runs `APPLY_ONE`, which reads the stored event back.
WITH ins AS (
    INSERT INTO shipment_events (shipment_id, status, description, location, event_time,
                                 estimated_delivery_at, raw_data, dedupe_key)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (shipment_id, dedupe_key) DO NOTHING
    RETURNING *
),
changed AS (
    UPDATE shipments s
    SET status = i.status,
        last_event_at = i.event_time,
        delivered_at = CASE WHEN i.status = 'delivered' THEN i.event_time END,
        exception_reason = CASE WHEN i.status = 'exception'
                                THEN coalesce(i.description, 'exception reported by the carrier')
                                ELSE s.exception_reason END,
        raw_tracking_data = i.raw_data,
        estimated_delivery_at = coalesce(i.estimated_delivery_at, s.estimated_delivery_at),
        is_delayed = NOT shipment_status_is_terminal(i.status)
            AND coalesce(coalesce(i.estimated_delivery_at, s.estimated_delivery_at) < now(), false)
    FROM ins i
    JOIN shipments o ON o.id = i.shipment_id
    WHERE s.id = i.shipment_id
    RETURNING s.id, s.client_id, s.tracking_number, s.is_delayed, s.estimated_delivery_at,
              s.exception_reason, o.status AS old_status, o.is_delayed AS was_delayed,
              o.exception_reason AS old_exception_reason
)
SELECT c.id AS shipment_id, i.id AS event_id, i.status AS state_status,
       i.event_time AS state_event_time, true AS changed, c.client_id, c.tracking_number,
       c.old_status, c.was_delayed, c.is_delayed,
       c.estimated_delivery_at AS new_estimated_delivery_at, c.old_exception_reason,
       c.exception_reason,
       true AS created, i.id, i.status, i.description, i.location, i.event_time,
       i.estimated_delivery_at, i.raw_data, i.dedupe_key, i.created_at
FROM ins i
JOIN changed c ON c.id = i.shipment_id
