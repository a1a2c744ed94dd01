CREATE FUNCTION pg_temp.seed_u(stream int, a bigint, b bigint) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((hashint8extended(hashint8extended(a, {seed}::bigint # stream) # b, {seed}::bigint)
             >> 11) & 9007199254740991)::float8 / 9007199254740992.0
$$;

-- A standard normal draw (Box-Muller); uses streams `stream` and `stream + 1`.
CREATE FUNCTION pg_temp.seed_normal(stream int, a bigint, b bigint) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT sqrt(-2 * ln(1 - pg_temp.seed_u(stream, a, b)))
         * cos(2 * pi() * pg_temp.seed_u(stream + 1, a, b))
$$;

-- The seasonal curve, in two parts a product weights by its own amplitude:
-- the Q4 peak (a bump centred on 1 December, about six weeks wide, wrapping into
-- January) and the summer dip (centred on mid-July).
CREATE FUNCTION pg_temp.seed_q4_peak(d date) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT exp(-power(least(abs(extract(doy FROM d)::float8 - 335),
                            365 - abs(extract(doy FROM d)::float8 - 335)) / 40, 2))
$$;
CREATE FUNCTION pg_temp.seed_summer_dip(d date) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT exp(-power((extract(doy FROM d)::float8 - 200) / 35, 2))
$$;

-- An order's key in the random streams, the same in every file that draws for one order
-- (orders.sql, shipments.sql): its day and its index on that day.
CREATE FUNCTION pg_temp.seed_order_key(day date, order_idx int) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((day - DATE '2000-01-01')::bigint << 20) | order_idx
$$;
