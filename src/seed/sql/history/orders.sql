-- Deal each client-day's lines (shuffled) round-robin into ceil(lines / k) orders.
CREATE TEMP TABLE seed_order_lines ON COMMIT DROP AS
SELECT product_no, client_no, day, quantity,
       (rn % ceil(n_lines / k)::bigint)::int AS order_idx
FROM (
    SELECT l.*,
           row_number() OVER (PARTITION BY l.client_no, l.day
                              ORDER BY pg_temp.seed_u(10, l.product_no,
                                                      l.day - DATE '2000-01-01'),
                                       l.product_no) - 1           AS rn,
           count(*) OVER (PARTITION BY l.client_no, l.day)::float8 AS n_lines,
           1 + floor(6 * pg_temp.seed_u(11, l.client_no,
                                        l.day - DATE '2000-01-01'))  AS k
    FROM seed_lines l
) dealt;

CREATE TEMP TABLE seed_orders ON COMMIT DROP AS
SELECT o.client_no, o.day, o.order_idx, gen_random_uuid() AS id, t.created_at,
       s.status,
       LEAST(prm.started_at, t.created_at + CASE s.status
           WHEN 'fulfilled' THEN interval '1 day' * (1 + 3 * u.fulfil)
           WHEN 'cancelled' THEN interval '1 hour' * (1 + 20 * u.fulfil)
           WHEN 'approved'  THEN interval '1 hour' * (1 + 6 * u.fulfil)
           ELSE interval '0'
       END) AS updated_at,
       CASE WHEN u.note < 0.04 THEN (ARRAY['Rush: promotion starts Monday',
           'Partial shipment is fine', 'Please deliver before the weekend',
           'Gift wrap requested'])[1 + floor(4 * u.note / 0.04)::int]
       END AS notes
FROM (SELECT DISTINCT client_no, day, order_idx FROM seed_order_lines) o
CROSS JOIN seed_params prm
CROSS JOIN LATERAL (
    SELECT pg_temp.seed_order_key(o.day, o.order_idx) AS key,
           prm.last_day - o.day                      AS age_days
) k
CROSS JOIN LATERAL (
    SELECT pg_temp.seed_u(20, o.client_no, k.key) AS status,
           pg_temp.seed_u(21, o.client_no, k.key) AS hour1,
           pg_temp.seed_u(22, o.client_no, k.key) AS hour2,
           pg_temp.seed_u(23, o.client_no, k.key) AS fulfil,
           pg_temp.seed_u(24, o.client_no, k.key) AS note
) u
CROSS JOIN LATERAL (
    -- Older orders are done; the last two weeks are still moving through the funnel,
    -- the newest mostly drafts and submissions.
    SELECT CASE
        WHEN k.age_days > 14 THEN CASE WHEN u.status < 0.03 THEN 'cancelled'
                                       ELSE 'fulfilled' END
        WHEN k.age_days > 7  THEN CASE WHEN u.status < 0.05 THEN 'draft'
                                       WHEN u.status < 0.30 THEN 'submitted'
                                       ELSE 'approved' END
        WHEN k.age_days > 2  THEN CASE WHEN u.status < 0.10 THEN 'draft'
                                       WHEN u.status < 0.55 THEN 'submitted'
                                       ELSE 'approved' END
        ELSE                      CASE WHEN u.status < 0.30 THEN 'draft'
                                       WHEN u.status < 0.80 THEN 'submitted'
                                       ELSE 'approved' END
    END AS status
) s
CROSS JOIN LATERAL (
    -- Business hours: a triangular spread from 07:00 to 21:00, busiest at 14:00.
    -- Today's orders fall in the part of today that has passed.
    SELECT CASE WHEN o.day = prm.last_day
        THEN prm.last_day::timestamptz
             + (prm.started_at - prm.last_day::timestamptz) * u.hour1
        ELSE o.day::timestamptz
             + interval '1 hour' * (7 + 14 * (u.hour1 + u.hour2) / 2)
    END AS created_at
) t;
ANALYZE seed_order_lines; ANALYZE seed_orders;
