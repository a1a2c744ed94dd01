-- Rollback template of the migration guide (20251215000001).
-- Dropping budgets also drops its update_budgets_updated_at trigger, so the function
-- can go next. Dropping the product columns drops their CHECKs and comments too.

-- Drop tables
DROP TABLE IF EXISTS "cost_tracking";
DROP TABLE IF EXISTS "budgets";

-- Drop function
DROP FUNCTION IF EXISTS update_budgets_updated_at();

-- Remove financial fields from products
ALTER TABLE "products" DROP COLUMN IF EXISTS "unit_cost";
ALTER TABLE "products" DROP COLUMN IF EXISTS "unit_price";
ALTER TABLE "products" DROP COLUMN IF EXISTS "reorder_cost";
ALTER TABLE "products" DROP COLUMN IF EXISTS "holding_cost_rate";
ALTER TABLE "products" DROP COLUMN IF EXISTS "last_cost_update";
ALTER TABLE "products" DROP COLUMN IF EXISTS "cost_source";
