-- Each demo order's path through the state machine (docs/order-requests.md) up to its status,
-- spread from its creation to its last update; changed_by is NULL (made outside the API).
INSERT INTO order_request_transitions (order_request_id, from_status, to_status, changed_at)
SELECT o.id,
       lag(p.step) OVER (PARTITION BY o.id ORDER BY p.n),
       p.step,
       o.created_at + (o.updated_at - o.created_at) * (p.n - 1)
                      / GREATEST(cardinality(path.steps) - 1, 1)
FROM order_requests o
CROSS JOIN LATERAL (
    SELECT CASE o.status
               WHEN 'draft'     THEN ARRAY['draft']
               WHEN 'submitted' THEN ARRAY['submitted']
               WHEN 'approved'  THEN ARRAY['submitted', 'approved']
               WHEN 'fulfilled' THEN ARRAY['submitted', 'approved', 'fulfilled']
               WHEN 'cancelled' THEN ARRAY['submitted', 'cancelled']
           END AS steps
) path
CROSS JOIN LATERAL unnest(path.steps) WITH ORDINALITY AS p(step, n)
ORDER BY o.id, p.n
