INSERT INTO order_request_items (order_request_id, product_id, quantity, created_at)
SELECT o.id, p.id, l.quantity, o.created_at
FROM seed_order_lines l
JOIN seed_orders o USING (client_no, day, order_idx)
JOIN seed_products p ON p.product_no = l.product_no
