-- The variance statement before issue 16 (one actuals join per budget), kept only as the
-- reference tests/it/financial/variance_plan.rs compares the answers with and shows failing
-- the plan check. Not run by the application.
--
-- Budget variance: every budget of client $1 overlapping [$2, $3] against the actual cost of
-- its scope, with a run-rate projection as of $4 and a status against ±$5 percent.
-- Run by src/financial/variance/mod.rs (`budget_variances`); formulas: docs/financial.md.
--
--   $1 uuid     client_id (NULL: every client; the crossing check after an aggregation)
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

WITH scoped AS (
    SELECT b.id, b.client_id, b.product_id, b.category, b.period_start, b.period_end,
           b.budgeted_amount
    FROM budgets b
    WHERE ($1::uuid IS NULL OR b.client_id = $1::uuid)
      AND ($2::date IS NULL OR b.period_end >= $2::date)
      AND ($3::date IS NULL OR b.period_start <= $3::date)
),
actuals AS (
    SELECT s.id,
           ROUND(COALESCE(SUM(
               ct.total_cost
               * (LEAST(s.period_end, (ct.period + INTERVAL '1 month')::date - 1)
                  - GREATEST(s.period_start, ct.period) + 1)
               / ((ct.period + INTERVAL '1 month')::date - ct.period)
           ), 0), 2) AS actual_amount
    FROM scoped s
    LEFT JOIN cost_tracking ct
           ON ct.client_id = s.client_id
          AND ct.period <= s.period_end
          AND (ct.period + INTERVAL '1 month')::date > s.period_start
          AND (s.product_id IS NULL OR ct.product_id = s.product_id)
          AND (s.category IS NULL OR EXISTS (
                   SELECT 1 FROM products p
                   WHERE p.id = ct.product_id AND p.category = s.category))
    GROUP BY s.id
),
figures AS (
    SELECT s.*, a.actual_amount,
           a.actual_amount - s.budgeted_amount AS variance_amount,
           CASE
               WHEN $4::date < s.period_start THEN NULL
               WHEN $4::date >= s.period_end THEN a.actual_amount
               ELSE ROUND(a.actual_amount * (s.period_end - s.period_start + 1)
                          / ($4::date - s.period_start + 1), 2)
           END AS projected_amount
    FROM scoped s
    JOIN actuals a ON a.id = s.id
),
percents AS (
    SELECT f.*,
           CASE WHEN f.budgeted_amount = 0 THEN NULL
                ELSE ROUND(f.variance_amount * 100 / f.budgeted_amount, 2)
           END AS variance_percent,
           CASE WHEN f.budgeted_amount = 0 OR f.projected_amount IS NULL THEN NULL
                ELSE ROUND((f.projected_amount - f.budgeted_amount) * 100 / f.budgeted_amount, 2)
           END AS projected_percent
    FROM figures f
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
