DROP TABLE order_request_transitions;

ALTER TABLE order_request_items
    DROP CONSTRAINT order_request_items_product_id_fkey,
    ADD CONSTRAINT order_request_items_product_id_fkey FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE CASCADE;

ALTER TABLE products DROP COLUMN archived_at;
