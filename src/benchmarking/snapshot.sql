-- The snapshots of one month: every participating cohort's percentiles per metric, written in
-- one statement. queries.rs runs it as `WITH client_metrics AS MATERIALIZED (<metrics.sql>),`
-- followed by this text, after deleting the month's old snapshots in the same transaction and
-- under the month's advisory lock. Rules: docs/benchmarking.md ("Privacy rules").
--
--   $1 date     the month's first day
--   $2 uuid[]   the participating clients (metrics.sql computes their figures)
--   $3 numeric  the dominance share (0.5: suppress a metric where one participant holds more
--               than half of the group's total)
--
-- Participants are read here again, so a client that opted out after $2 was read is left out.
-- A cohort with fewer than 5 participants falls back to its industry (`<industry>/*`), then
-- to everyone (`all`); a cohort too small for all three gets no snapshot and is listed in
-- benchmark_snapshot_runs.suppressed_cohorts. Per metric of a group: fewer than 5 contributing
-- participants (a non-null value) or one participant above the dominance share of the total:
-- no figures, and the reason in `suppressed`; P90 only from 10 contributors. Percentiles are
-- percentile_cont's linear interpolation between ranks ((n − 1)·p, 0-based), in NUMERIC
-- (percentile_cont itself takes only double precision), rounded once to 4 places.
participants AS (
    SELECT bp.anonymous_id, bp.cohort, split_part(bp.cohort, '/', 1) AS industry, bp.client_id
    FROM benchmark_participation bp
    JOIN client_metrics m ON m.client_id = bp.client_id
    WHERE bp.is_participating AND bp.cohort IS NOT NULL
),
sizes AS (
    SELECT p.cohort, p.industry,
           count(*) OVER (PARTITION BY p.cohort) AS cohort_n,
           count(*) OVER (PARTITION BY p.industry) AS industry_n,
           count(*) OVER () AS all_n
    FROM participants p
),
chosen AS (
    SELECT DISTINCT s.cohort,
           CASE WHEN s.cohort_n >= 5 THEN s.cohort
                WHEN s.industry_n >= 5 THEN s.industry || '/*'
                WHEN s.all_n >= 5 THEN 'all' END AS cohort_used,
           CASE WHEN s.cohort_n >= 5 THEN s.cohort_n
                WHEN s.industry_n >= 5 THEN s.industry_n
                WHEN s.all_n >= 5 THEN s.all_n END AS used_n
    FROM sizes s
),
groups AS (
    SELECT DISTINCT c.cohort_used FROM chosen c WHERE c.cohort_used IS NOT NULL
),
metric_names (metric) AS (
    VALUES ('product_count'), ('order_frequency'), ('stockout_rate'), ('forecast_accuracy'),
           ('inventory_turnover')
),
contributions AS (
    SELECT p.anonymous_id, p.cohort, p.industry, v.metric, v.value
    FROM participants p
    JOIN client_metrics m ON m.client_id = p.client_id
    CROSS JOIN LATERAL (VALUES ('product_count', m.product_count),
                               ('order_frequency', m.order_frequency),
                               ('stockout_rate', m.stockout_rate),
                               ('forecast_accuracy', m.forecast_accuracy),
                               ('inventory_turnover', m.inventory_turnover)) v (metric, value)
    WHERE v.value IS NOT NULL
),
stats AS (
    SELECT g.cohort_used, c.metric,
           count(DISTINCT c.anonymous_id) AS k,
           SUM(c.value) AS total,
           MAX(c.value) AS top,
           array_agg(c.value ORDER BY c.value) AS vals
    FROM groups g
    JOIN contributions c
      ON g.cohort_used IN ('all', c.industry || '/*', c.cohort)
    GROUP BY g.cohort_used, c.metric
),
judged AS (
    SELECT g.cohort_used, n.metric, s.k, s.vals,
           CASE WHEN COALESCE(s.k, 0) < 5 THEN 'too_few_contributors'
                WHEN s.total > 0 AND s.top > s.total * $3::numeric THEN 'dominance' END AS reason
    FROM groups g
    CROSS JOIN metric_names n
    LEFT JOIN stats s ON s.cohort_used = g.cohort_used AND s.metric = n.metric
),
figures AS (
    SELECT j.cohort_used, j.metric, j.reason, j.k, f.percentiles
    FROM judged j
    LEFT JOIN LATERAL (
        SELECT jsonb_object_agg(q.key, CASE
                   WHEN q.key = 'p90' AND j.k < 10 THEN NULL
                   ELSE to_jsonb(ROUND(j.vals[floor(x.h)::int + 1]
                                       + (x.h - floor(x.h))
                                         * (j.vals[ceil(x.h)::int + 1] - j.vals[floor(x.h)::int + 1]),
                                       4)::text)
               END) AS percentiles
        FROM (VALUES ('p25', 0.25), ('p50', 0.50), ('p75', 0.75), ('p90', 0.90)) q (key, p)
        CROSS JOIN LATERAL (SELECT (cardinality(j.vals) - 1) * q.p AS h) x
    ) f ON j.reason IS NULL
),
group_json AS (
    SELECT f.cohort_used,
           jsonb_object_agg(f.metric, f.percentiles) AS metrics,
           COALESCE(jsonb_object_agg(f.metric, f.reason) FILTER (WHERE f.reason IS NOT NULL),
                    '{}') AS suppressed
    FROM figures f
    GROUP BY f.cohort_used
),
written AS (
    INSERT INTO benchmark_snapshots (cohort, period, participant_count, participant_band,
                                     cohort_used, metrics, suppressed, calculated_at)
    SELECT c.cohort, $1::date, c.used_n,
           CASE WHEN c.used_n >= 25 THEN '25+' WHEN c.used_n >= 10 THEN '10–24' ELSE '5–9' END,
           c.cohort_used, g.metrics, g.suppressed, now()
    FROM chosen c
    JOIN group_json g ON g.cohort_used = c.cohort_used
    ORDER BY c.cohort
    RETURNING cohort
),
too_small AS (
    SELECT COALESCE(array_agg(c.cohort ORDER BY c.cohort), '{}') AS cohorts
    FROM chosen c
    WHERE c.cohort_used IS NULL
),
run AS (
    INSERT INTO benchmark_snapshot_runs AS r (period, calculated_at, cohorts_published,
                                             suppressed_cohorts)
    SELECT $1::date, now(), (SELECT count(*) FROM written), t.cohorts
    FROM too_small t
    ON CONFLICT (period) DO UPDATE SET
        calculated_at = EXCLUDED.calculated_at,
        cohorts_published = EXCLUDED.cohorts_published,
        suppressed_cohorts = EXCLUDED.suppressed_cohorts
    RETURNING r.calculated_at
)
SELECT to_char($1::date, 'YYYY-MM') AS period,
       (SELECT count(*) FROM participants) AS participants,
       (SELECT count(*) FROM written) AS cohorts,
       (SELECT cardinality(t.cohorts) FROM too_small t)::bigint AS cohorts_too_small,
       (SELECT count(*) FROM chosen WHERE cohort_used <> cohort) AS cohorts_fell_back,
       (SELECT count(*) FROM figures WHERE reason = 'too_few_contributors') AS too_few_contributors,
       (SELECT count(*) FROM figures WHERE reason = 'dominance') AS dominance,
       (SELECT count(*) FROM figures WHERE reason IS NULL AND k < 10) AS p90_withheld,
       (SELECT calculated_at FROM run) AS calculated_at
