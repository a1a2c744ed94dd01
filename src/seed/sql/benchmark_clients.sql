-- The demo clients in seed order, for the benchmark programme (src/seed/benchmarks.rs): the
-- first ones joined early, the last one stays out.
SELECT id::text FROM seed_clients ORDER BY client_no
