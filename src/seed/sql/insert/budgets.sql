-- Demo budgets (issue 9): the variance screen shows every status right after seeding.
-- Per client, one whole-client budget a month for the three closed months before this one,
-- set from the month's aggregated actual (cost_tracking, written just before): 85 % of it
-- (over), 100 % (on_track) or 120 % (under), rotating with client and month so each client
-- and each month shows more than one status. The current month's budget is set against its
-- projection (the run rate so far, as GET …/budgets/variance computes it): 80 % for the
-- first client (projected over) and 115 % for the others (projected under). Each client also
-- gets a category budget for the current month: its costliest category at 100 % of that
-- category's projection. Amounts are whole currency units, at least 100.
WITH months AS (
    SELECT k, m::date AS period_start,
           (m + interval '1 month' - interval '1 day')::date AS period_end,
           -- The variance route's projection factor: total days / elapsed days (1 when closed).
           CASE WHEN k = 0
                THEN ((m + interval '1 month')::date - m::date)::numeric
                     / (p.last_day - m::date + 1)
                ELSE 1 END AS projection
    FROM seed_params p,
         generate_series(0, 3) k,
         LATERAL (SELECT date_trunc('month', p.last_day) - make_interval(months => k) AS m) x
),
client_actuals AS (
    SELECT c.client_no, c.id AS client_id, m.k, m.period_start, m.period_end, m.projection,
           COALESCE(sum(ct.total_cost), 0) AS actual
    FROM seed_clients c
    CROSS JOIN months m
    LEFT JOIN cost_tracking ct ON ct.client_id = c.id AND ct.period = m.period_start
    GROUP BY 1, 2, 3, 4, 5, 6
),
category_actuals AS (
    SELECT DISTINCT ON (c.client_no)
           c.id AS client_id, p.category, m.period_start, m.period_end,
           sum(ct.total_cost) * m.projection AS projected
    FROM seed_clients c
    JOIN months m ON m.k = 0
    JOIN cost_tracking ct ON ct.client_id = c.id AND ct.period = m.period_start
    JOIN products p ON p.id = ct.product_id
    GROUP BY c.client_no, c.id, p.category, m.period_start, m.period_end, m.projection
    ORDER BY c.client_no, sum(ct.total_cost) DESC, p.category
)
INSERT INTO budgets (client_id, product_id, category, period_start, period_end,
                     budgeted_amount, notes)
SELECT client_id, NULL::uuid, NULL::text, period_start, period_end,
       GREATEST(100, ROUND(actual * projection * factor)), note
FROM client_actuals,
     LATERAL (SELECT CASE
                  WHEN k = 0 AND client_no = 1 THEN 0.80
                  WHEN k = 0 THEN 1.15
                  ELSE (ARRAY[0.85, 1.00, 1.20])[1 + (client_no + k) % 3]
              END AS factor) f,
     LATERAL (SELECT CASE WHEN k = 0 THEN 'Monthly fulfilment budget (this month)'
                          ELSE 'Monthly fulfilment budget' END AS note) n
UNION ALL
SELECT client_id, NULL::uuid, category, period_start, period_end,
       GREATEST(100, ROUND(projected)), 'Category budget: ' || category
FROM category_actuals
ORDER BY 1, 4, 3 NULLS FIRST
