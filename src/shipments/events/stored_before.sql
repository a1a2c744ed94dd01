-- The stored events of the (shipment, dedupe key) pairs in $1 (uuid[]) and $2 (text[]), taken
-- pairwise: one lookup of the unique index (shipment_id, dedupe_key) per pair. (Filtering by
-- `shipment_id = ANY($1) AND dedupe_key = ANY($2)` instead makes PostgreSQL 15 walk every
-- combination of the two arrays: seconds for an import batch of 10 000 duplicates.)
SELECT e.*
FROM unnest($1::uuid[], $2::text[]) AS k(shipment_id, dedupe_key)
JOIN shipment_events e ON e.shipment_id = k.shipment_id AND e.dedupe_key = k.dedupe_key
