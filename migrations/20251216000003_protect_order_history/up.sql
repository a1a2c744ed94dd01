-- Order history is kept: a product that was ordered can be archived but not deleted, and an
-- order request's status changes along a documented state machine with a record of who moved
-- it when (docs/order-requests.md). Only the core's own rules change here; the guide's
-- RESTRICT/CASCADE rules stay as they are.

-- Archived products are hidden from lists and refused in new orders, but stay in every
-- computation over history (counted_order_lines does not look at this column).
ALTER TABLE products ADD COLUMN archived_at TIMESTAMPTZ NULL;

COMMENT ON COLUMN products.archived_at IS
    'Set when the product was archived: hidden from lists by default and refused in new '
    'orders, still counted in order history. NULL: active.';

-- Deleting a product with order lines was a CASCADE that emptied order requests and erased
-- demand. NO ACTION (checked at the end of the statement) refuses a direct delete but lets an
-- admin's confirmed client delete, which removes the client's orders in the same statement,
-- go through.
ALTER TABLE order_request_items
    DROP CONSTRAINT order_request_items_product_id_fkey,
    ADD CONSTRAINT order_request_items_product_id_fkey FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE NO ACTION;

-- Every status an order request has had, the first one included (from_status NULL).
CREATE TABLE order_request_transitions (
    id               BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_request_id UUID        NOT NULL,
    from_status      TEXT        NULL,
    to_status        TEXT        NOT NULL,
    -- NULL when the user was deleted since, or for changes made outside the API.
    changed_by       UUID        NULL,
    changed_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    note             TEXT        NULL,
    CONSTRAINT order_request_transitions_order_request_id_fkey FOREIGN KEY (order_request_id)
        REFERENCES order_requests (id) ON DELETE CASCADE,
    CONSTRAINT order_request_transitions_changed_by_fkey FOREIGN KEY (changed_by)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT order_request_transitions_to_status_check
        CHECK (to_status IN ('draft', 'submitted', 'approved', 'fulfilled', 'cancelled'))
);

CREATE INDEX order_request_transitions_order_request_id_idx
    ON order_request_transitions (order_request_id, id);
CREATE INDEX order_request_transitions_changed_by_idx ON order_request_transitions (changed_by);

COMMENT ON TABLE order_request_transitions IS
    'History of order request statuses: one row per change, the creation included '
    '(from_status NULL), with who (changed_by) and when (changed_at).';

-- Orders created before this migration get their creation as the first entry.
INSERT INTO order_request_transitions (order_request_id, from_status, to_status, changed_at)
SELECT id, NULL, status, created_at FROM order_requests;
