INSERT INTO shipment_items (shipment_id, product_id, order_request_item_id, quantity, created_at)
SELECT s.id, i.product_id, i.id, i.quantity, s.shipped_at
FROM seed_shipments s
JOIN order_request_items i ON i.order_request_id = s.order_request_id
