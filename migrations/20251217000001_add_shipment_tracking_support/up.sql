-- Shipment tracking support (issue 10): what the API needs beyond the guide's tables.
--
-- * The status rules, defined once in the database: which statuses are terminal, and the
--   order of statuses that share one event time (so events posted in any order end in the
--   same state).
-- * The indexes behind the shipment list (newest first per client) and behind
--   `?delayed=true` (open shipments of a client by estimated delivery).
-- * `shipments.import_key`: what makes re-importing the same NDJSON file change nothing.
-- * `shipment_events.estimated_delivery_at`: a carrier's new estimate travels with its scan.
-- * `carrier_webhook_deliveries`: every authenticated webhook payload, kept as received,
--   idempotent by the carrier's event id.

CREATE FUNCTION shipment_status_is_terminal(status TEXT) RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN status IN ('delivered', 'returned_to_sender', 'cancelled');

-- Ties on event_time are broken by this rank (then by dedupe_key): later in a parcel's
-- life ranks higher.
CREATE FUNCTION shipment_status_rank(status TEXT) RETURNS INTEGER
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE status
    WHEN 'label_created' THEN 1
    WHEN 'in_transit' THEN 2
    WHEN 'exception' THEN 3
    WHEN 'delivery_attempted' THEN 4
    WHEN 'available_for_pickup' THEN 5
    WHEN 'out_for_delivery' THEN 6
    WHEN 'cancelled' THEN 7
    WHEN 'returned_to_sender' THEN 8
    WHEN 'delivered' THEN 9
    ELSE 0
END;

ALTER TABLE shipments ADD COLUMN import_key TEXT NULL;
CREATE UNIQUE INDEX shipments_client_id_import_key_key ON shipments (client_id, import_key)
    WHERE import_key IS NOT NULL;
CREATE INDEX shipments_client_id_created_at_id_idx ON shipments (client_id, created_at DESC, id DESC);
-- `?delayed=true`: a delayed shipment is open (not terminal) with its estimate passed. The
-- predicate repeats the terminal list literally so the planner can match it.
CREATE INDEX shipments_open_estimated_delivery_idx ON shipments (client_id, estimated_delivery_at)
    WHERE status NOT IN ('delivered', 'returned_to_sender', 'cancelled')
      AND estimated_delivery_at IS NOT NULL;

ALTER TABLE shipment_events ADD COLUMN estimated_delivery_at TIMESTAMPTZ NULL;

CREATE TABLE carrier_webhook_deliveries (
    id                UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    carrier           TEXT        NOT NULL,
    -- The provider's id of the event; NULL when the payload could not be read.
    event_id          TEXT        NULL,
    tracking_number   TEXT        NULL,
    -- The request body exactly as received (text, not JSONB, which would normalise it).
    payload           TEXT        NOT NULL,
    result            TEXT        NOT NULL,
    reason            TEXT        NULL,
    shipment_id       UUID        NULL,
    shipment_event_id UUID        NULL,
    received_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT carrier_webhook_deliveries_carrier_check
        CHECK (carrier IN ('ups', 'fedex', 'usps', 'dhl')),
    CONSTRAINT carrier_webhook_deliveries_result_check CHECK (result IN (
        'received', 'applied', 'ignored_terminal', 'stored', 'unmatched', 'duplicate', 'rejected'
    )),
    CONSTRAINT carrier_webhook_deliveries_shipment_id_fkey FOREIGN KEY (shipment_id)
        REFERENCES shipments (id) ON DELETE SET NULL,
    CONSTRAINT carrier_webhook_deliveries_shipment_event_id_fkey FOREIGN KEY (shipment_event_id)
        REFERENCES shipment_events (id) ON DELETE SET NULL
);

-- One delivery per carrier event id; duplicates and unreadable payloads are kept beside it.
CREATE UNIQUE INDEX carrier_webhook_deliveries_carrier_event_id_key
    ON carrier_webhook_deliveries (carrier, event_id)
    WHERE result NOT IN ('duplicate', 'rejected');
CREATE INDEX carrier_webhook_deliveries_shipment_id_idx ON carrier_webhook_deliveries (shipment_id);
CREATE INDEX carrier_webhook_deliveries_shipment_event_id_idx
    ON carrier_webhook_deliveries (shipment_event_id);
-- Unmatched payloads, to match them once their shipment exists.
CREATE INDEX carrier_webhook_deliveries_unmatched_idx
    ON carrier_webhook_deliveries (carrier, tracking_number) WHERE result = 'unmatched';
