-- Room on every page for one more version of each row (issue 11: recalculation at scale).
--
-- The lead-time recalculation rewrites every product row (the guide's timing cache:
-- projected_stockout_date, last_order_by_date, timing_last_calculated) and every
-- product_timing_inputs row, in one statement. With full pages (fillfactor 100) each new
-- version lands on another page, so every index of the table gets a new entry for every row
-- (products has three), and the pages touched wander over the whole table: at 1 000 000
-- products that is 15 million buffer visits and a million page writes for the UPDATE alone,
-- and the time grows faster than the data once the table and its indexes outgrow
-- shared_buffers. With half of each page free the new version stays on its page: a HOT
-- update, no index entry (unless last_order_by_date itself changed), and the next VACUUM
-- frees the room again. The cost is pages half full: products and product_timing_inputs take
-- about twice the space. Applies to pages written from now on; `VACUUM FULL products` (or
-- pg_repack) applies it to existing rows at once.
ALTER TABLE products SET (fillfactor = 50);
ALTER TABLE product_timing_inputs SET (fillfactor = 50);
