-- The economic order quantity, defined once for every feature that needs it: the monthly cost
-- aggregation and a product's EOQ today, the reorder suggestion of lead times next.
-- docs/financial.md ("EOQ") states the formulas in words.
--
-- D = annual demand in units, S = cost of placing one order, H = holding cost of one unit for
-- a year (unit_cost x holding_cost_rate). Both are NULL when S or H is not positive: without
-- an ordering or a holding cost there is no trade-off to optimise.

-- Q* = sqrt(2DS / H): the order size that minimises ordering plus holding cost.
CREATE FUNCTION eoq_units(annual_demand numeric, reorder_cost numeric, holding_cost_per_unit numeric)
    RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT CASE
                   WHEN reorder_cost > 0 AND holding_cost_per_unit > 0
                   THEN sqrt(2 * annual_demand * reorder_cost / holding_cost_per_unit)
               END
    $$;

COMMENT ON FUNCTION eoq_units(numeric, numeric, numeric) IS
    'Economic order quantity sqrt(2DS/H); NULL unless the ordering cost S and the unit holding '
    'cost H are positive.';

-- TC* = sqrt(2DSH): the yearly ordering plus holding cost when ordering Q* at a time.
CREATE FUNCTION eoq_annual_cost(annual_demand numeric, reorder_cost numeric, holding_cost_per_unit numeric)
    RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT CASE
                   WHEN reorder_cost > 0 AND holding_cost_per_unit > 0
                   THEN sqrt(2 * annual_demand * reorder_cost * holding_cost_per_unit)
               END
    $$;

COMMENT ON FUNCTION eoq_annual_cost(numeric, numeric, numeric) IS
    'Yearly ordering plus holding cost at the economic order quantity, sqrt(2DSH); NULL unless '
    'S and H are positive.';
