-- Rollback template of the migration guide (20251215000004).
-- Dropping the tables also drops their triggers and indexes, so the functions can go next.

-- Drop tables (cascades to dependent records)
DROP TABLE IF EXISTS "user_preferences";
DROP TABLE IF EXISTS "dashboard_layouts";

-- Drop functions
DROP FUNCTION IF EXISTS update_user_preferences_updated_at();
DROP FUNCTION IF EXISTS update_dashboard_layouts_updated_at();
