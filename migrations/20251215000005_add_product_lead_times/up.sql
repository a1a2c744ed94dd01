-- Product lead times and the order-timing cache used for reorder alerts.
-- All columns are nullable: existing products start without lead times.

ALTER TABLE products
    ADD COLUMN supplier_lead_days      INTEGER     NULL,
    ADD COLUMN shipping_lead_days      INTEGER     NULL,
    ADD COLUMN processing_lead_days    INTEGER     NULL,
    ADD COLUMN safety_buffer_days      INTEGER     NULL,
    ADD COLUMN total_lead_days         INTEGER     NULL,
    ADD COLUMN lead_time_source        TEXT        NULL,
    ADD COLUMN projected_stockout_date DATE        NULL,
    ADD COLUMN last_order_by_date      DATE        NULL,
    ADD COLUMN timing_last_calculated  TIMESTAMPTZ NULL;

-- No lead time may be negative; NULL means "unknown".
-- It names several columns, so dropping any of them (down.sql) drops it as well.
ALTER TABLE products ADD CONSTRAINT products_total_lead_days_check CHECK (
        (supplier_lead_days   IS NULL OR supplier_lead_days   >= 0)
    AND (shipping_lead_days   IS NULL OR shipping_lead_days   >= 0)
    AND (processing_lead_days IS NULL OR processing_lead_days >= 0)
    AND (safety_buffer_days   IS NULL OR safety_buffer_days   >= 0)
    AND (total_lead_days      IS NULL OR total_lead_days      >= 0)
);

-- total_lead_days = sum of the four parts, a missing part counting as 0;
-- NULL when all four parts are NULL. Overrides any value the caller wrote.
CREATE FUNCTION calculate_total_lead_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.supplier_lead_days IS NULL
       AND NEW.shipping_lead_days IS NULL
       AND NEW.processing_lead_days IS NULL
       AND NEW.safety_buffer_days IS NULL THEN
        NEW.total_lead_days := NULL;
    ELSE
        NEW.total_lead_days := COALESCE(NEW.supplier_lead_days, 0)
                             + COALESCE(NEW.shipping_lead_days, 0)
                             + COALESCE(NEW.processing_lead_days, 0)
                             + COALESCE(NEW.safety_buffer_days, 0);
    END IF;
    RETURN NEW;
END;
$$;

-- Deliberately without "UPDATE OF <columns>": a column-specific trigger depends on
-- those columns and would make the rollback's DROP COLUMN fail. BEFORE row triggers
-- run before CHECK constraints, so the computed total is checked too.
CREATE TRIGGER calculate_product_total_lead_days
    BEFORE INSERT OR UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION calculate_total_lead_days();

-- Reorder alerts: a client's products by order deadline.
CREATE INDEX products_client_id_last_order_by_date_idx ON products (client_id, last_order_by_date);

COMMENT ON COLUMN products.supplier_lead_days IS 'Days the supplier needs to fulfil a replenishment order';
COMMENT ON COLUMN products.shipping_lead_days IS 'Transit days from supplier to warehouse';
COMMENT ON COLUMN products.processing_lead_days IS 'Internal days to receive and process inbound stock';
COMMENT ON COLUMN products.safety_buffer_days IS 'Extra safety margin in days';
COMMENT ON COLUMN products.total_lead_days IS 'Auto-calculated by trigger calculate_product_total_lead_days: supplier + shipping + processing + safety buffer';
COMMENT ON COLUMN products.lead_time_source IS 'Provenance of the lead-time values (e.g. manual, supplier, client default)';
COMMENT ON COLUMN products.projected_stockout_date IS 'Cached: date on which stock is projected to run out at current demand';
COMMENT ON COLUMN products.last_order_by_date IS 'Cached: latest date to reorder without a stockout (projected_stockout_date - total_lead_days)';
COMMENT ON COLUMN products.timing_last_calculated IS 'When projected_stockout_date and last_order_by_date were last calculated';
