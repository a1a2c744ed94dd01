-- $1: the carriers (text[]), $2: their tracking URL templates (text[], same order).
INSERT INTO shipments (id, order_request_id, client_id, carrier, tracking_number, tracking_url,
                       service_level, shipped_at, estimated_delivery_at, created_at, updated_at)
SELECT s.id, s.order_request_id, s.client_id, s.carrier, s.number,
       replace(($2::text[])[array_position($1::text[], s.carrier)], '{tracking_number}', s.number),
       s.service_level, s.shipped_at, s.eta,
       s.shipped_at - interval '2 hours', s.shipped_at - interval '2 hours'
FROM seed_shipments s
