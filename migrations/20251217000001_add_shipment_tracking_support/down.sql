DROP TABLE carrier_webhook_deliveries;
ALTER TABLE shipment_events DROP COLUMN estimated_delivery_at;
DROP INDEX shipments_open_estimated_delivery_idx;
DROP INDEX shipments_client_id_created_at_id_idx;
DROP INDEX shipments_client_id_import_key_key;
ALTER TABLE shipments DROP COLUMN import_key;
DROP FUNCTION shipment_status_rank(TEXT);
DROP FUNCTION shipment_status_is_terminal(TEXT);
