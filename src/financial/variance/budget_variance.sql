-- Budget variance: every budget of client $1 overlapping [$2, $3] against the actual cost of
-- its scope, with a run-rate projection as of $4 and a status against ±$5 percent.
-- Run by src/financial/variance/mod.rs (`budget_variances`); formulas: docs/financial.md.
--
--   $1 uuid     client_id (crossings.rs widens each `<alias>.client_id = $1::uuid` so that
--               NULL means every client, for the check after an aggregation)
--   $2 date     from: budgets whose period ends on or after it (null: no bound)
--   $3 date     to: budgets whose period starts on or before it (null: no bound)
--   $4 date     as_of: the day projections are made on
--   $5 numeric  tolerance_percent (BUDGET_TOLERANCE_PERCENT)
--
-- In psql: PREPARE budget_variance(uuid, date, date, date, numeric) AS <this statement>;
--          EXECUTE budget_variance('<client id>', NULL, NULL, '2025-03-31', 5);
--
-- - actual: Σ over the scope's cost_tracking months overlapping the budget period of
--   total_cost × overlap_days / days_in_month, rounded to cents once, after summing.
--   Scope: the client; the product when set; the client's products whose (current)
--   category is the budget's when set (both set: both apply).
-- - variance_amount = actual − budgeted; variance_percent = round(variance × 100 / budgeted,
--   2), null when budgeted = 0.
-- - status compares the answered (rounded) percent with ±tolerance, so on_track can be
--   checked against the figures in the same row. A zero budget is over once anything was
--   spent, else on_track.
-- - projected: before the period, null; after its last day, = actual; in between, the run
--   rate actual × total_days / elapsed_days (elapsed counts as_of itself, so the last day
--   gives actual).
--
-- Shape: one pass. The client's cost_tracking months the budgets span are read once (index
-- (client_id, period)) and summed once per (month, category, product a budget names); each
-- budget then adds up the few sums in its scope. (Joining every budget to the raw rows ran the scan and the
-- per-row category look-up once per budget.) The test
-- financial::variance_plan::the_variance_statement_reads_the_costs_once checks the plan.
-- A month's total is prorated after summing its rows, so the rounding happens once per
-- (budget, month, group), to many more digits than the cents answered.

WITH scoped AS MATERIALIZED (
    SELECT b.id, b.client_id, b.product_id, b.category, b.period_start, b.period_end,
           b.budgeted_amount
    FROM budgets b
    WHERE b.client_id = $1::uuid
      AND ($2::date IS NULL OR b.period_end >= $2::date)
      AND ($3::date IS NULL OR b.period_start <= $3::date)
),
-- The client's products and their current category, read once by the index on client_id
-- (MATERIALIZED, so they are hashed, not looked up once per cost row).
categories AS MATERIALIZED (
    SELECT p.id, p.category FROM products p WHERE p.client_id = $1::uuid
),
-- The one scan: the client's months any budget overlaps, summed per (month, current
-- category, product when a budget names it, else NULL). MATERIALIZED: computed once even
-- where the planner expects one budget and would re-run it under a nested loop per budget.
monthly AS MATERIALIZED (
    SELECT ct.client_id, ct.period, c.category,
           CASE WHEN ct.product_id = ANY ((SELECT array_agg(s.product_id) FILTER (WHERE s.product_id IS NOT NULL)
                                       FROM scoped s)::uuid[])
                THEN ct.product_id
           END AS named_product_id,
           SUM(ct.total_cost) AS total_cost
    FROM cost_tracking ct
    JOIN categories c ON c.id = ct.product_id
    WHERE ct.client_id = $1::uuid
      AND ct.period <= (SELECT MAX(s.period_end) FROM scoped s)
      AND ct.period > (SELECT (MIN(s.period_start) - INTERVAL '1 month')::date FROM scoped s)
    GROUP BY ct.client_id, ct.period, c.category, named_product_id
),
figures AS (
    SELECT s.id, s.product_id, s.category, s.period_start, s.period_end, s.budgeted_amount,
           ROUND(COALESCE(SUM(
               m.total_cost
               * (LEAST(s.period_end, (m.period + INTERVAL '1 month')::date - 1)
                  - GREATEST(s.period_start, m.period) + 1)
               / ((m.period + INTERVAL '1 month')::date - m.period)
           ), 0), 2) AS actual_amount
    FROM scoped s
    LEFT JOIN monthly m
           ON m.client_id = s.client_id
          AND m.period <= s.period_end
          AND (m.period + INTERVAL '1 month')::date > s.period_start
          AND (s.product_id IS NULL OR m.named_product_id = s.product_id)
          AND (s.category IS NULL OR m.category = s.category)
    GROUP BY s.id, s.product_id, s.category, s.period_start, s.period_end, s.budgeted_amount
),
projected AS (
    SELECT f.*,
           f.actual_amount - f.budgeted_amount AS variance_amount,
           CASE
               WHEN $4::date < f.period_start THEN NULL
               WHEN $4::date >= f.period_end THEN f.actual_amount
               ELSE ROUND(f.actual_amount * (f.period_end - f.period_start + 1)
                          / ($4::date - f.period_start + 1), 2)
           END AS projected_amount
    FROM figures f
),
percents AS (
    SELECT f.*,
           CASE WHEN f.budgeted_amount = 0 THEN NULL
                ELSE ROUND(f.variance_amount * 100 / f.budgeted_amount, 2)
           END AS variance_percent,
           CASE WHEN f.budgeted_amount = 0 OR f.projected_amount IS NULL THEN NULL
                ELSE ROUND((f.projected_amount - f.budgeted_amount) * 100 / f.budgeted_amount, 2)
           END AS projected_percent
    FROM projected f
)
SELECT p.id AS budget_id, p.period_start, p.period_end, p.product_id, p.category,
       p.budgeted_amount, p.actual_amount, p.variance_amount, p.variance_percent,
       CASE
           WHEN p.budgeted_amount = 0 THEN
               CASE WHEN p.actual_amount > 0 THEN 'over' ELSE 'on_track' END
           WHEN p.variance_percent > $5::numeric THEN 'over'
           WHEN p.variance_percent < -($5::numeric) THEN 'under'
           ELSE 'on_track'
       END AS status,
       p.projected_amount,
       CASE
           WHEN p.projected_amount IS NULL THEN NULL
           WHEN p.budgeted_amount = 0 THEN
               CASE WHEN p.projected_amount > 0 THEN 'over' ELSE 'on_track' END
           WHEN p.projected_percent > $5::numeric THEN 'over'
           WHEN p.projected_percent < -($5::numeric) THEN 'under'
           ELSE 'on_track'
       END AS projected_status
FROM percents p
ORDER BY p.period_start, p.id
