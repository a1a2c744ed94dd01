-- Writes the state the CTE `target` names (`shipment_id, event_id, status, event_time,
-- raw_data, estimated_delivery_at, delivered_at, exception_reason`: from the status rule,
-- `status_rule.sql`, or from `append_newest.sql`'s one event) into the shipments, and ends
-- with the CTE `state`, which the statement selects from. Not a statement by itself.
--
-- `state` answers, per shipment with events, the event the state comes from, whether the row had to
-- change, and the state itself. Rows whose state is already right are not rewritten. For a
-- rewritten row it also answers what it was before (the self-join `o` reads the row as the
-- statement's snapshot saw it; the shipments are locked by the caller), so the caller can
-- record the live-update events (status changed, delayed, exception) in its transaction.
changed AS (
    UPDATE shipments s
    SET status = t.status,
        last_event_at = t.event_time,
        delivered_at = t.delivered_at,
        exception_reason = t.exception_reason,
        raw_tracking_data = t.raw_data,
        estimated_delivery_at = coalesce(t.estimated_delivery_at, s.estimated_delivery_at),
        is_delayed = NOT shipment_status_is_terminal(t.status)
            AND coalesce(coalesce(t.estimated_delivery_at, s.estimated_delivery_at) < now(), false)
    FROM target t
    JOIN shipments o ON o.id = t.shipment_id
    WHERE s.id = t.shipment_id
      AND (s.status, s.last_event_at, s.delivered_at, s.exception_reason)
          IS DISTINCT FROM (t.status, t.event_time, t.delivered_at, t.exception_reason)
    RETURNING s.id, s.client_id, s.tracking_number, s.is_delayed, s.estimated_delivery_at,
              o.status AS old_status, o.is_delayed AS was_delayed,
              o.exception_reason AS old_exception_reason
),
state AS (
    SELECT t.shipment_id, t.event_id, t.status AS state_status, t.event_time AS state_event_time,
           c.id IS NOT NULL AS changed,
           c.client_id, c.tracking_number, c.old_status, c.was_delayed, c.is_delayed,
           c.estimated_delivery_at AS new_estimated_delivery_at, c.old_exception_reason,
           t.exception_reason
    FROM target t
    LEFT JOIN changed c ON c.id = t.shipment_id
)
