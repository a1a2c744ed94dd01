ALTER TABLE products RESET (fillfactor);
ALTER TABLE product_timing_inputs RESET (fillfactor);
