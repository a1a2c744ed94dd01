-- Rollback template of the migration guide (20251215000003).
-- Dropping benchmark_participation also drops its trigger.

-- Drop tables
DROP TABLE IF EXISTS "benchmark_snapshots";
DROP TABLE IF EXISTS "benchmark_participation";

-- Drop function
DROP FUNCTION IF EXISTS update_benchmark_participation_updated_at();
