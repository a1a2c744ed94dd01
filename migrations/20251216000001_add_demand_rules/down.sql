DROP FUNCTION annualised_demand(numeric, integer);
DROP FUNCTION annualisation_days(timestamptz, date, date);
DROP FUNCTION demand_window_start(date);
DROP VIEW counted_order_lines;
