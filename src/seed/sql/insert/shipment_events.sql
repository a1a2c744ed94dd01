-- Each shipment's scans up to now; the dedupe key is the application's (sha256 of status,
-- event time in microseconds, location and description, each followed by 0x1f).
INSERT INTO shipment_events (shipment_id, status, description, location, event_time, raw_data,
                             dedupe_key)
SELECT e.shipment_id, e.status, e.description, e.location, e.event_time,
       jsonb_build_object('source', 'seed-demo', 'status', e.status),
       encode(sha256(convert_to(
           e.status || chr(31)
           || (extract(epoch FROM e.event_time) * 1000000)::bigint || chr(31)
           || coalesce(e.location, '') || chr(31) || coalesce(e.description, '') || chr(31),
           'UTF8')), 'hex')
FROM (
    SELECT s.id AS shipment_id, step.*
    FROM seed_shipments s
    CROSS JOIN seed_params prm
    CROSS JOIN LATERAL (VALUES
        ('label_created', NULL, 'Origin facility', s.shipped_at - interval '2 hours', true),
        ('in_transit', 'Departed origin facility', 'Origin facility', s.shipped_at + interval '4 hours', true),
        ('in_transit', 'Arrived at regional hub', 'Regional hub', s.shipped_at + interval '28 hours', true),
        ('exception', s.reason, 'Regional hub', s.shipped_at + interval '40 hours', s.fate = 'exception'),
        ('out_for_delivery', 'Out for delivery', 'Local depot', s.eta - interval '8 hours', s.fate IN ('delivered', 'moving')),
        ('delivered', 'Delivered, left at front door', 'Destination', s.eta - interval '3 hours', s.fate = 'delivered')
    ) AS step (status, description, location, event_time, happens)
    WHERE step.happens AND step.event_time < prm.started_at
) e
