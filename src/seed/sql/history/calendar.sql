-- Each week (starting Monday) or month that overlaps the history, with its season and its
-- distance in years from the middle of the history (for trends), both measured `mid` days
-- into the period (Thursday of a week, the 15th of a month).
CREATE FUNCTION pg_temp.seed_periods(unit text, mid int)
RETURNS TABLE (start date, q4_peak float8, summer_dip float8, years numeric)
LANGUAGE sql STABLE AS $$
    SELECT p::date,
           pg_temp.seed_q4_peak(p::date + mid),
           pg_temp.seed_summer_dip(p::date + mid),
           ((p::date + mid) - prm.mid_day) / 365.25
    FROM seed_params prm,
         generate_series(date_trunc(unit, prm.first_day::timestamp),
                         prm.last_day::timestamp, ('1 ' || unit)::interval) AS p
$$;

-- week_key numbers weeks from a fixed Monday, so a week's random draws do not move with
-- 'today'.
CREATE TEMP TABLE seed_weeks ON COMMIT DROP AS
SELECT start AS week_start, (start - DATE '2000-01-03') / 7 AS week_key,
       q4_peak, summer_dip, years
FROM pg_temp.seed_periods('week', 3);

-- The months also carry how many of their days are inside the history.
CREATE TEMP TABLE seed_months ON COMMIT DROP AS
SELECT m.start AS period,
       LEAST((m.start + interval '1 month')::date - 1, prm.last_day)
         - GREATEST(m.start, prm.first_day) + 1 AS covered_days,
       m.q4_peak, m.summer_dip, m.years
FROM pg_temp.seed_periods('month', 14) m, seed_params prm;
ANALYZE seed_weeks; ANALYZE seed_months;
