DROP FUNCTION eoq_annual_cost(numeric, numeric, numeric);
DROP FUNCTION eoq_units(numeric, numeric, numeric);
