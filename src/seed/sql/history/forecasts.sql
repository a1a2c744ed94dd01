-- A forecast lands near the month's actual demand: 60 % actual, 40 % what the
-- product's demand model expected for the days of the month inside the history,
-- times log-normal noise and a per-product bias.
CREATE TEMP TABLE seed_forecasts ON COMMIT DROP AS
WITH actual AS (
    SELECT product_no, date_trunc('month', day)::date AS period, sum(quantity) AS units
    FROM seed_lines GROUP BY 1, 2
)
SELECT p.product_no, m.period,
       round((GREATEST(0,
           (0.6 * COALESCE(a.units, 0)
            + 0.4 * p.lines_per_week * p.units_per_line * m.covered_days / 7.0
                  * (1 + p.season_amp * (0.8 * m.q4_peak - 0.35 * m.summer_dip))
                  * exp(p.trend * m.years))
           * exp(p.forecast_noise
                 * pg_temp.seed_normal(30, p.product_no, m.period - DATE '2000-01-01')
                 - p.forecast_noise ^ 2 / 2)
           * (1 + p.forecast_bias)))::numeric, 2) AS forecast_units
FROM seed_products p
CROSS JOIN seed_months m
LEFT JOIN actual a ON a.product_no = p.product_no AND a.period = m.period;
