INSERT INTO seed_clients (client_no, name, industry, default_supplier_days,
    default_shipping_days, default_processing_days, default_safety_days,
    created_days_before)
SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[],
                     $7::int[], $8::int[])
