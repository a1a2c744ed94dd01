-- A client's cost_tracking rows by month (issue 16): the one index that serves both readers
-- that take a client's months in order.
--   - GET …/cost-tracking lists a client's rows by (period, product_id): its keyset order, so
--     a page is an index range instead of a sort of every row of the client.
--   - The variance report sums a client's months over its budgets' span; total_cost is
--     included so that scan reads the index only.
-- cost_tracking_client_id_product_id_period_key (the upsert's key) leads with the product,
-- and cost_tracking_period_idx with the month across every client: neither does this.
CREATE INDEX cost_tracking_client_id_period_product_id_idx
    ON cost_tracking (client_id, period, product_id) INCLUDE (total_cost);
