-- Budgets that crossed into `over` (actual) or into projected `over` since the statuses in
-- $6..$8 were read, in the same transaction, before a cost aggregation rewrote their months.
-- Run by src/financial/variance/crossings.rs (`crossings`); the variance statement itself
-- (budget_variance.sql, $1..$5) is spliced in at the slot below, so the status rule is
-- written once.
--
--   $1..$5      as budget_variance.sql: client (NULL: all), from, to, as_of, tolerance
--   $6 uuid[]   budgets read before
--   $7 text[]   their status then
--   $8 text[]   their projected_status then
--
-- A budget already `over` is not announced again; a budget whose actual crossed is
-- announced as budget.over only (its projection is over too), so one change is one event.
WITH before AS (
    SELECT * FROM unnest($6::uuid[], $7::text[], $8::text[]) AS b(budget_id, status, projected_status)
),
now_ AS (
    SELECT v.*, bu.client_id
    FROM (
/* budget_variance.sql */
    ) v
    JOIN budgets bu ON bu.id = v.budget_id
)
SELECT n.client_id, n.budget_id, n.period_start, n.period_end, n.budgeted_amount,
       n.actual_amount, n.projected_amount, n.variance_percent,
       n.status = 'over' AS actual_over
FROM now_ n
LEFT JOIN before b USING (budget_id)
WHERE (n.status = 'over' AND b.status IS DISTINCT FROM 'over')
   OR (n.status <> 'over' AND n.projected_status = 'over'
       AND b.projected_status IS DISTINCT FROM 'over')
ORDER BY n.client_id, n.period_start, n.budget_id
