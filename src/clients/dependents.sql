-- What references a client ($1): what a confirmed delete takes with it (users, products with
-- their stock and forecast history, order requests with their lines and transitions, budgets,
-- monthly cost rows, benchmark participation) and the shipments that refuse it (the guide's
-- RESTRICT on shipments.client_id). Run by src/clients/queries.rs (`dependents`).
SELECT (SELECT count(*) FROM users WHERE client_id = $1) AS users,
       (SELECT count(*) FROM products WHERE client_id = $1) AS products,
       (SELECT count(*) FROM order_requests WHERE client_id = $1) AS order_requests,
       (SELECT count(*) FROM budgets WHERE client_id = $1) AS budgets,
       (SELECT count(*) FROM cost_tracking WHERE client_id = $1) AS cost_tracking_rows,
       (SELECT count(*) FROM shipments WHERE client_id = $1) AS shipments
