-- The rest of `events::APPEND_NEWEST` (`insert_one.sql`, this, `state_write.sql`, then the
-- state with the stored event), for an event newer than the shipment's whole history while
-- the shipment has not reached a terminal status (`EventTarget::appends`, read under the
-- shipment's lock): the event becomes the state.
--
-- The status rule (`status_rule.sql`) gives exactly this without reading the history: no
-- stored event is terminal (the state would be terminal), so every event counts and the
-- newest, this one, is the state; the exception reason is this event's when it is an
-- exception, else the last exception's, which the row holds already. A duplicate inserts
-- nothing, so `target` and the answer are empty: the caller then runs `APPLY_ONE`, which
-- reads the stored event back.
stored AS (
    SELECT true AS created, i.* FROM ins i
),
target AS (
    SELECT i.shipment_id, i.id AS event_id, i.status, i.event_time, i.raw_data,
           i.estimated_delivery_at,
           CASE WHEN i.status = 'delivered' THEN i.event_time END AS delivered_at,
           CASE WHEN i.status = 'exception'
                THEN coalesce(i.description, 'exception reported by the carrier')
                ELSE s.exception_reason
           END AS exception_reason
    FROM ins i
    JOIN shipments s ON s.id = i.shipment_id
),
