INSERT INTO seed_products (product_no, client_no, sku, name, category,
    unit_cost_cents, unit_price_cents, reorder_cost_cents, holding_rate_bp, cost_days_ago,
    supplier_days, shipping_days, processing_days, safety_days, created_days_before,
    lines_per_week, units_per_line, trend, season_amp,
    cycle_weeks, cycle_phase, order_up_to, forecast_noise, forecast_bias)
SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[],
    $6::bigint[], $7::bigint[], $8::bigint[], $9::int[], $10::int[],
    $11::int[], $12::int[], $13::int[], $14::int[], $15::int[],
    $16::float8[], $17::float8[], $18::float8[], $19::float8[],
    $20::int[], $21::int[], $22::int[], $23::float8[], $24::float8[])
