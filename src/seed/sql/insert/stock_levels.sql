INSERT INTO stock_levels (product_id, recorded_on, quantity, created_at)
SELECT p.id, s.recorded_on, s.quantity, s.recorded_on::timestamptz
FROM seed_stock s JOIN seed_products p ON p.product_no = s.product_no
