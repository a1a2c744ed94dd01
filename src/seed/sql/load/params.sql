INSERT INTO seed_params (first_day, last_day, mid_day, started_at)
SELECT first_day, current_date, first_day + (current_date - first_day) / 2, now()
FROM (SELECT (current_date - make_interval(months => $1::int))::date AS first_day) f
