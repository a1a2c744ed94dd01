CREATE TEMP TABLE seed_lines ON COMMIT DROP AS
WITH product_weeks AS (
    -- Lines drawn this week: the expectation times log-normal noise (mean 1), rounded
    -- up or down at random, so the mean is kept even for rates well below 1.
    SELECT p.product_no, p.client_no, p.units_per_line, w.week_start, w.week_key,
           floor(p.lines_per_week
                 * (1 + p.season_amp * (0.8 * w.q4_peak - 0.35 * w.summer_dip))
                 * exp(p.trend * w.years)
                 * exp(0.3 * pg_temp.seed_normal(1, p.product_no, w.week_key) - 0.045)
                 + pg_temp.seed_u(3, p.product_no, w.week_key))::int AS n
    FROM seed_products p CROSS JOIN seed_weeks w
),
drawn AS (
    SELECT pw.product_no, pw.client_no,
           pw.week_start + floor(7 * pg_temp.seed_u(4, pw.product_no,
                                                    pw.week_key::bigint << 20 | k))::int AS day,
           -- Geometric quantity with mean units_per_line.
           1 + floor(ln(1 - pg_temp.seed_u(5, pw.product_no, pw.week_key::bigint << 20 | k))
                     / ln(1 - 1 / pw.units_per_line))::int AS quantity
    FROM product_weeks pw CROSS JOIN LATERAL generate_series(1, pw.n) AS k
    WHERE pw.n > 0
)
SELECT d.product_no, d.client_no, d.day, sum(d.quantity)::int AS quantity
FROM drawn d, seed_params prm
WHERE d.day BETWEEN prm.first_day AND prm.last_day
GROUP BY d.product_no, d.client_no, d.day;
ANALYZE seed_lines;
