-- Per table of the schema (the core's, the guide's and this service's own), what the
-- migration guide asks operators to watch after deploying: size and growth, sequential
-- versus index scans, dead tuples and the last (auto)vacuum and analyze. Read-only, from
-- PostgreSQL's statistics views (counters since the last stats reset). Run by
-- src/db/health.rs for GET /admin/database and the db_table_* gauges of /metrics.
SELECT t.relname::text AS table_name,
       (CASE WHEN c.reltuples < 0 THEN t.n_live_tup ELSE c.reltuples END)::bigint AS rows_estimate,
       pg_table_size(c.oid) AS table_bytes,
       pg_indexes_size(c.oid) AS index_bytes,
       coalesce(t.seq_scan, 0) AS seq_scans,
       coalesce(t.idx_scan, 0) AS index_scans,
       t.n_live_tup AS live_tuples,
       t.n_dead_tup AS dead_tuples,
       coalesce(io.heap_blks_hit, 0) AS heap_blocks_hit,
       coalesce(io.heap_blks_read, 0) AS heap_blocks_read,
       coalesce(io.idx_blks_hit, 0) AS index_blocks_hit,
       coalesce(io.idx_blks_read, 0) AS index_blocks_read,
       greatest(t.last_vacuum, t.last_autovacuum) AS last_vacuum,
       greatest(t.last_analyze, t.last_autoanalyze) AS last_analyze
FROM pg_stat_user_tables t
JOIN pg_class c ON c.oid = t.relid
LEFT JOIN pg_statio_user_tables io ON io.relid = t.relid
WHERE t.schemaname = 'public'
ORDER BY t.relname
