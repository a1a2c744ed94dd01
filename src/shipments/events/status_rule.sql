-- The status rule: a shipment's state from its whole event history. Not a statement by
-- itself: it continues a `WITH ev AS (…),` that lists the histories (`id, shipment_id,
-- status, description, event_time, raw_data, estimated_delivery_at, dedupe_key, rnk`, with
-- `rnk = shipment_status_rank(status)`), and ends with the CTE `target`, the state each
-- shipment should have, which `state_write.sql` writes. Two statements are made of it, the
-- same text after their own head (see `events::REFRESH_STATE` and `events::APPLY_ONE`):
-- * `refresh_state_head.sql`: the histories of the shipments in $1 (uuid[]), as stored
--   (`apply`, for batches: the import, webhooks);
-- * `apply_one_head.sql`: one event inserted in the same statement, and its shipment's
--   history with it (`POST …/events`).
--
-- Events are ordered by (event_time, shipment_status_rank(status), dedupe_key): a total
-- order that does not depend on when events arrived. The history stops at the first
-- terminal event; the state is the last event up to there. So events posted in any order
-- end in the same state as posted in order, an older event arriving late changes nothing,
-- and nothing after a terminal status counts.
--
first_terminal AS (
    SELECT DISTINCT ON (shipment_id) shipment_id, event_time, rnk, dedupe_key
    FROM ev
    WHERE shipment_status_is_terminal(status)
    ORDER BY shipment_id, event_time, rnk, dedupe_key
),
counted AS (
    SELECT ev.*
    FROM ev
    LEFT JOIN first_terminal t USING (shipment_id)
    WHERE t.shipment_id IS NULL
       OR (ev.event_time, ev.rnk, ev.dedupe_key) <= (t.event_time, t.rnk, t.dedupe_key)
),
effective AS (
    SELECT DISTINCT ON (shipment_id) *
    FROM counted
    ORDER BY shipment_id, event_time DESC, rnk DESC, dedupe_key DESC
),
last_exception AS (
    SELECT DISTINCT ON (shipment_id) shipment_id,
           coalesce(description, 'exception reported by the carrier') AS reason
    FROM counted
    WHERE status = 'exception'
    ORDER BY shipment_id, event_time DESC, rnk DESC, dedupe_key DESC
),
target AS (
    SELECT f.shipment_id, f.id AS event_id, f.status, f.event_time, f.raw_data,
           f.estimated_delivery_at,
           CASE WHEN f.status = 'delivered' THEN f.event_time END AS delivered_at,
           x.reason AS exception_reason
    FROM effective f
    LEFT JOIN last_exception x USING (shipment_id)
),
