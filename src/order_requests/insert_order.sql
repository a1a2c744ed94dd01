-- A new order request ($1 client_id, $2 status, $3 notes) and its first transition, made by
-- user $4, in one statement. Run by src/order_requests/queries.rs (`insert`).
WITH o AS (
    INSERT INTO order_requests (client_id, status, notes)
    VALUES ($1, $2, $3)
    RETURNING id, client_id, status, notes, created_at, updated_at
),
t AS (
    INSERT INTO order_request_transitions (order_request_id, from_status, to_status, changed_by, changed_at)
    SELECT id, NULL, status, $4, created_at FROM o
)
SELECT id, client_id, status, notes, created_at, updated_at FROM o
