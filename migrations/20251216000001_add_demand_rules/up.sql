-- The demand rules, defined once for every feature that reads demand from order history:
-- financial tracking (monthly cost aggregation, EOQ) today, lead times and benchmarking next.
-- docs/financial.md ("Demand rules") states them in words.

-- A counted order: an order request that is neither a draft nor cancelled (so `submitted`,
-- `approved` and `fulfilled` count). Its lines are demand on the day the order was created.
CREATE VIEW counted_order_lines AS
SELECT i.id AS order_request_item_id,
       i.order_request_id,
       o.client_id,
       i.product_id,
       i.quantity,
       o.status,
       o.created_at AS ordered_at
FROM order_request_items i
JOIN order_requests o ON o.id = i.order_request_id
WHERE o.status NOT IN ('draft', 'cancelled');

COMMENT ON VIEW counted_order_lines IS
    'Order lines that count as demand: their order request is neither draft nor cancelled. '
    'ordered_at is the order request''s created_at.';

-- The demand window: the year of demand that ends the day before window_end (exclusive), in
-- UTC days: [window_end - 1 year, window_end). For a month m that is the twelve calendar
-- months ending with m; for a day d, (d - 1 year, d].
CREATE FUNCTION demand_window_start(window_end date) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (window_end - INTERVAL '1 year')::date $$;

COMMENT ON FUNCTION demand_window_start(date) IS
    'First day of the year of demand ending the day before window_end (exclusive).';

-- The annualisation window: when a product's first counted order ever falls inside
-- [window_start, window_end), its history is shorter than the window, and the window's demand
-- is scaled to a year over the days from that order's day (UTC) to the window's last day,
-- inclusive, at least 30 and at most 365. NULL when there is nothing to scale: the history
-- starts before the window (take the window's demand as it is) or there is none.
CREATE FUNCTION annualisation_days(first_counted_at timestamptz, window_start date, window_end date)
    RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT CASE
                   WHEN first_counted_at IS NULL
                        OR first_counted_at < window_start::timestamp AT TIME ZONE 'UTC' THEN NULL
                   ELSE LEAST(365, GREATEST(30,
                            window_end - (first_counted_at AT TIME ZONE 'UTC')::date))
               END
    $$;

COMMENT ON FUNCTION annualisation_days(timestamptz, date, date) IS
    'Days (30 to 365) over which a window''s demand is annualised when the product''s first '
    'counted order falls inside the window; NULL when its history covers the whole window.';

-- Annual demand from a window's counted units and its annualisation_days.
CREATE FUNCTION annualised_demand(window_units numeric, annualisation_days integer)
    RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT CASE
                   WHEN annualisation_days IS NULL THEN window_units
                   ELSE window_units * 365.0 / annualisation_days
               END
    $$;

COMMENT ON FUNCTION annualised_demand(numeric, integer) IS
    'window_units, or window_units x 365 / annualisation_days when the history is shorter '
    'than the window.';
