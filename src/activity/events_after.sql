-- Outbox rows after an id, oldest first, each with the SSE `data` line already rendered, so
-- a row is serialized once per replica rather than once per stream. Run by the replica's
-- listener (src/activity/hub/listener.rs, no filter: every row, to broadcast) and by a stream
-- replaying what a browser missed (src/activity/queries.rs, with its filter).
--
--   $1 bigint   after this id
--   $2 text[]   client ids (as text), or NULL for every client
--   $3 text[]   event types, or NULL for every type
--   $4 bigint   at most this many rows
--   $5 bigint   ids up to this one (a stream replays up to its replica's settled position)
--
-- Served by the primary key (every client) or activity_events_client_id_id_idx (one).
SELECT e.id, e.client_id::text AS client_id, e.type,
       json_build_object(
           'id', e.id,
           'type', e.type,
           'client_id', e.client_id,
           'subject_id', e.subject_id,
           'payload', e.payload,
           'created_at', to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
       )::text AS data
FROM activity_events e
WHERE e.id > $1::bigint
  AND e.id <= $5::bigint
  AND ($2::text[] IS NULL OR e.client_id = ANY ($2::text[]::uuid[]))
  AND ($3::text[] IS NULL OR e.type = ANY ($3::text[]))
ORDER BY e.id
LIMIT $4::bigint
