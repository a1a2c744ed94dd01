-- A new order request of client $1 (status $2, notes $3) made by user $4, with its items ($5
-- product ids and $6 quantities, in the request's order) and its first transition: the check
-- of the items' products and every write in ONE statement. Run by src/order_requests/queries.rs
-- (`insert`), kept prepared on the connection, outside any explicit transaction: a statement
-- is atomic by itself, so BEGIN/COMMIT and the separate product check would only add round
-- trips (issue 16: five statements and seven round trips before, one now).
--
--   $1 uuid     client_id        $4 uuid     the user making it
--   $2 text     status           $5 uuid[]   items' product ids (each once, checked before)
--   $3 text     notes (or NULL)  $6 int4[]   items' quantities, same order
--
-- In psql: PREPARE insert_order(uuid, text, text, uuid, uuid[], int4[]) AS <this statement>;
--          EXECUTE insert_order('<client>', 'submitted', NULL, '<user>', '{<product>}', '{2}');
--
-- Every item's product must be the client's and not archived. The products are key-share
-- locked as they are read (`locked`), so none is deleted between the check and the lines'
-- insert; a product archived concurrently may still be ordered, as before.
-- One row per item, in the request's order: `owned` and `active` of its product, and, when
-- every item passed, the new order's columns and the item's id. When any item fails, nothing
-- is written and the order's columns are NULL: the caller answers 422 naming the items.
WITH items AS (
    SELECT i.product_id, i.quantity, i.ord
    FROM unnest($5::uuid[], $6::int4[]) WITH ORDINALITY AS i(product_id, quantity, ord)
),
locked AS (
    SELECT p.id, p.archived_at IS NULL AS active
    FROM products p
    WHERE p.client_id = $1::uuid AND p.id = ANY ($5::uuid[])
    FOR KEY SHARE
),
checked AS (
    SELECT i.ord, i.product_id, i.quantity, l.id IS NOT NULL AS owned,
           COALESCE(l.active, false) AS active
    FROM items i
    LEFT JOIN locked l ON l.id = i.product_id
),
o AS (
    INSERT INTO order_requests (client_id, status, notes)
    SELECT $1::uuid, $2::text, $3::text
    WHERE NOT EXISTS (SELECT 1 FROM checked c WHERE NOT (c.owned AND c.active))
    RETURNING id, client_id, status, notes, created_at, updated_at
),
t AS (
    INSERT INTO order_request_transitions
        (order_request_id, from_status, to_status, changed_by, changed_at)
    SELECT o.id, NULL, o.status, $4::uuid, o.created_at FROM o
),
lines AS (
    INSERT INTO order_request_items (order_request_id, product_id, quantity)
    SELECT o.id, c.product_id, c.quantity FROM o CROSS JOIN checked c ORDER BY c.ord
    RETURNING id, product_id
)
SELECT c.owned, c.active, c.product_id, c.quantity, l.id AS item_id,
       o.id, o.client_id, o.status, o.notes, o.created_at, o.updated_at
FROM checked c
LEFT JOIN o ON true
LEFT JOIN lines l ON l.product_id = c.product_id
ORDER BY c.ord
