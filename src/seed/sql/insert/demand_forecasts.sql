INSERT INTO demand_forecasts (product_id, period, forecast_units, created_at)
SELECT p.id, f.period, f.forecast_units,
       LEAST(prm.started_at, (f.period - 7)::timestamptz)
FROM seed_forecasts f
JOIN seed_products p ON p.product_no = f.product_no
CROSS JOIN seed_params prm
