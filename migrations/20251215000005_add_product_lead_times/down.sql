-- Rollback template of the migration guide (20251215000005), verbatim.
-- The order works on PostgreSQL: dropping a column also drops the multi-column CHECK
-- and the index that use it, and the trigger has no column list, so nothing blocks
-- the DROP COLUMNs; the final DROP CONSTRAINT IF EXISTS is then a no-op.

-- Remove lead time fields
ALTER TABLE "products" DROP COLUMN IF EXISTS "supplier_lead_days";
ALTER TABLE "products" DROP COLUMN IF EXISTS "shipping_lead_days";
ALTER TABLE "products" DROP COLUMN IF EXISTS "processing_lead_days";
ALTER TABLE "products" DROP COLUMN IF EXISTS "safety_buffer_days";
ALTER TABLE "products" DROP COLUMN IF EXISTS "total_lead_days";
ALTER TABLE "products" DROP COLUMN IF EXISTS "lead_time_source";
ALTER TABLE "products" DROP COLUMN IF EXISTS "projected_stockout_date";
ALTER TABLE "products" DROP COLUMN IF EXISTS "last_order_by_date";
ALTER TABLE "products" DROP COLUMN IF EXISTS "timing_last_calculated";

-- Drop trigger and function
DROP TRIGGER IF EXISTS calculate_product_total_lead_days ON "products";
DROP FUNCTION IF EXISTS calculate_total_lead_days();

-- Drop constraint
ALTER TABLE "products" DROP CONSTRAINT IF EXISTS "products_total_lead_days_check";
