INSERT INTO order_requests (id, client_id, status, notes, created_at, updated_at)
SELECT o.id, c.id, o.status, o.notes, o.created_at, o.updated_at
FROM seed_orders o JOIN seed_clients c ON c.client_no = o.client_no
ORDER BY o.created_at
