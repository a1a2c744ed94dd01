-- Shipment tracking: shipments of an order request, their carrier event history,
-- and which products (and order lines) each shipment carries.

CREATE TABLE shipments (
    id                    UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    order_request_id      UUID        NOT NULL,
    -- Denormalised from the order request for tenant-scoped queries; RESTRICT keeps a
    -- client with shipments from being deleted.
    client_id             UUID        NOT NULL,
    carrier               TEXT        NOT NULL,
    tracking_number       TEXT        NULL,
    tracking_url          TEXT        NULL,
    service_level         TEXT        NULL,
    status                TEXT        NOT NULL DEFAULT 'label_created',
    shipped_at            TIMESTAMPTZ NULL,
    estimated_delivery_at TIMESTAMPTZ NULL,
    delivered_at          TIMESTAMPTZ NULL,
    is_delayed            BOOLEAN     NOT NULL DEFAULT false,
    exception_reason      TEXT        NULL,
    last_event_at         TIMESTAMPTZ NULL, -- event_time of the newest applied event
    raw_tracking_data     JSONB       NULL, -- latest carrier payload, for future API integration
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT shipments_carrier_check CHECK (carrier IN ('ups', 'fedex', 'usps', 'dhl')),
    CONSTRAINT shipments_status_check CHECK (status IN (
        'label_created', 'in_transit', 'out_for_delivery', 'available_for_pickup',
        'delivery_attempted', 'exception',
        'delivered', 'returned_to_sender', 'cancelled'   -- terminal
    )),
    CONSTRAINT shipments_order_request_id_fkey FOREIGN KEY (order_request_id)
        REFERENCES order_requests (id) ON DELETE CASCADE,
    CONSTRAINT shipments_client_id_fkey FOREIGN KEY (client_id)
        REFERENCES clients (id) ON DELETE RESTRICT
);

CREATE INDEX shipments_order_request_id_idx ON shipments (order_request_id);
CREATE INDEX shipments_client_id_status_idx ON shipments (client_id, status);
-- Not unique: carriers recycle tracking numbers over time.
CREATE INDEX shipments_tracking_number_idx ON shipments (tracking_number);

CREATE FUNCTION update_shipments_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER update_shipments_updated_at
    BEFORE UPDATE ON shipments
    FOR EACH ROW EXECUTE FUNCTION update_shipments_updated_at();

CREATE TABLE shipment_events (
    id          UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    shipment_id UUID        NOT NULL,
    status      TEXT        NOT NULL,
    description TEXT        NULL,
    location    TEXT        NULL,
    event_time  TIMESTAMPTZ NOT NULL,
    raw_data    JSONB       NULL, -- the carrier's payload as received
    -- Derived by the application from the event's identifying fields, so the same
    -- scan posted twice is stored once (INSERT ... ON CONFLICT DO NOTHING).
    dedupe_key  TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT shipment_events_status_check CHECK (status IN (
        'label_created', 'in_transit', 'out_for_delivery', 'available_for_pickup',
        'delivery_attempted', 'exception',
        'delivered', 'returned_to_sender', 'cancelled'
    )),
    CONSTRAINT shipment_events_shipment_id_fkey FOREIGN KEY (shipment_id)
        REFERENCES shipments (id) ON DELETE CASCADE
);

CREATE INDEX shipment_events_shipment_id_event_time_idx ON shipment_events (shipment_id, event_time);
CREATE UNIQUE INDEX shipment_events_shipment_id_dedupe_key_key ON shipment_events (shipment_id, dedupe_key);

CREATE TABLE shipment_items (
    id                    UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    shipment_id           UUID        NOT NULL,
    product_id            UUID        NOT NULL,
    order_request_item_id UUID        NULL,
    quantity              INTEGER     NOT NULL,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT shipment_items_quantity_check CHECK (quantity > 0),
    CONSTRAINT shipment_items_shipment_id_fkey FOREIGN KEY (shipment_id)
        REFERENCES shipments (id) ON DELETE CASCADE,
    -- A product that was shipped cannot be deleted.
    CONSTRAINT shipment_items_product_id_fkey FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE RESTRICT,
    CONSTRAINT shipment_items_order_request_item_id_fkey FOREIGN KEY (order_request_item_id)
        REFERENCES order_request_items (id) ON DELETE SET NULL
);

-- Foreign key columns are indexed (guide, "Performance Considerations"): these also
-- keep the RESTRICT / SET NULL checks on product and order-line deletes cheap.
CREATE INDEX shipment_items_shipment_id_idx ON shipment_items (shipment_id);
CREATE INDEX shipment_items_product_id_idx ON shipment_items (product_id);
CREATE INDEX shipment_items_order_request_item_id_idx ON shipment_items (order_request_item_id);
