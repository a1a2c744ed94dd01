-- Indexes never scanned since the last stats reset (pg_stat_user_indexes), largest first:
-- candidates to drop, unless they enforce uniqueness (is_unique) or serve a foreign key's
-- deletes that simply have not happened yet. Primary keys are left out. Read-only.
SELECT s.relname::text AS table_name,
       s.indexrelname::text AS index_name,
       pg_relation_size(s.indexrelid) AS index_bytes,
       i.indisunique AS is_unique
FROM pg_stat_user_indexes s
JOIN pg_index i ON i.indexrelid = s.indexrelid
WHERE s.schemaname = 'public'
  AND s.idx_scan = 0
  AND NOT i.indisprimary
ORDER BY index_bytes DESC, s.indexrelname
