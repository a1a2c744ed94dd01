-- Rollback template of the migration guide (20251215000002).
-- Dropping shipments also drops its update_shipments_updated_at trigger.

-- Drop tables in reverse dependency order
DROP TABLE IF EXISTS "shipment_items";
DROP TABLE IF EXISTS "shipment_events";
DROP TABLE IF EXISTS "shipments";

-- Drop function
DROP FUNCTION IF EXISTS update_shipments_updated_at();
