DROP TABLE product_timing_inputs;
