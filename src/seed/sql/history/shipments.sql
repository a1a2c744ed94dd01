-- Shipments for the demo: one per approved or fulfilled order of the last 30 days, carrying
-- all its lines, spread over the four carriers with numbers in each carrier's format.
-- Fates, drawn per order: an estimate still ahead ("moving"), or passed and then mostly
-- delivered, some stuck with an exception, some simply late (both of these show as delayed).
CREATE TEMP TABLE seed_shipments ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, o.id AS order_request_id, c.id AS client_id,
       cr.carrier, t.number, sh.shipped_at, sh.eta,
       CASE WHEN sh.eta > prm.started_at THEN 'moving'
            WHEN u.fate < 0.7 THEN 'delivered'
            WHEN u.fate < 0.85 THEN 'exception'
            ELSE 'late' END AS fate,
       (ARRAY['ground', 'express', 'two_day'])[1 + floor(3 * u.level)::int] AS service_level,
       (ARRAY['Address incomplete', 'Weather delay', 'Recipient not available',
              'Damaged label, re-labelled at hub'])[1 + floor(4 * u.fate)::int] AS reason
FROM seed_orders o
JOIN seed_clients c USING (client_no)
CROSS JOIN seed_params prm
CROSS JOIN LATERAL (
    SELECT pg_temp.seed_order_key(o.day, o.order_idx) AS key
) k
CROSS JOIN LATERAL (
    SELECT pg_temp.seed_u(60, o.client_no, k.key) AS carrier,
           pg_temp.seed_u(61, o.client_no, k.key) AS n1,
           pg_temp.seed_u(62, o.client_no, k.key) AS n2,
           pg_temp.seed_u(63, o.client_no, k.key) AS transit,
           pg_temp.seed_u(64, o.client_no, k.key) AS fate,
           pg_temp.seed_u(65, o.client_no, k.key) AS level
) u
CROSS JOIN LATERAL (
    SELECT (ARRAY['ups', 'fedex', 'usps', 'dhl'])[1 + floor(4 * u.carrier)::int] AS carrier
) cr
CROSS JOIN LATERAL (
    SELECT CASE cr.carrier
        WHEN 'ups' THEN '1Z' || upper(substr(md5(o.client_no || ':' || k.key), 1, 16))
        WHEN 'fedex' THEN lpad(floor(u.n1 * 1e12)::bigint::text, 12, '0')
        WHEN 'usps' THEN '9400' || lpad(floor(u.n1 * 1e9)::bigint::text, 9, '0')
                                || lpad(floor(u.n2 * 1e9)::bigint::text, 9, '0')
        ELSE lpad(floor(u.n1 * 1e10)::bigint::text, 10, '0')
    END AS number
) t
CROSS JOIN LATERAL (
    SELECT least(o.created_at + interval '20 hours', prm.started_at - interval '1 hour') AS shipped_at
) s0
CROSS JOIN LATERAL (
    SELECT s0.shipped_at, s0.shipped_at + interval '1 day' * (2 + floor(4 * u.transit)) AS eta
) sh
WHERE o.status IN ('approved', 'fulfilled') AND prm.last_day - o.day <= 30
