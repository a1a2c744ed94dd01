-- PUT …/benchmark/participation: writes a client's participation in one statement and answers
-- the row. Run by src/benchmarking/queries.rs.
--
--   $1 uuid     the client
--   $2 boolean  is_participating
--   $3 text     industry, or null for the client's own industry
--   $4 text     size_band, or null to derive it from the active SKU count (benchmark_size_band)
--
-- The cohort is `<industry slug>/<size band>`: the industry lower-cased, every run of
-- characters other than a–z and 0–9 turned into one '-', trimmed of '-'. Opting in stamps
-- opted_in_at, opting out opted_out_at (each only on the change). When the resolved industry
-- has no slug (none given and none on the client), a participating write inserts nothing and
-- answers no row: the handler's 422 on `industry`.
WITH resolved AS (
    SELECT c.id AS client_id,
           COALESCE($3::text, c.industry) AS industry,
           COALESCE($4::text, benchmark_size_band((SELECT count(*)
                                                   FROM products p
                                                   WHERE p.client_id = c.id
                                                     AND p.archived_at IS NULL))) AS size_band
    FROM clients c
    WHERE c.id = $1::uuid
),
named AS (
    SELECT r.*,
           NULLIF(btrim(regexp_replace(lower(COALESCE(r.industry, '')), '[^a-z0-9]+', '-', 'g'),
                        '-'), '') AS slug
    FROM resolved r
)
INSERT INTO benchmark_participation AS bp (client_id, is_participating, industry, size_band,
                                          size_band_derived, cohort, opted_in_at, opted_out_at)
SELECT n.client_id, $2::boolean, n.industry, n.size_band, $4::text IS NULL,
       n.slug || '/' || n.size_band,
       CASE WHEN $2::boolean THEN now() END, NULL
FROM named n
WHERE n.slug IS NOT NULL OR NOT $2::boolean
ON CONFLICT (client_id) DO UPDATE SET
    is_participating = EXCLUDED.is_participating,
    industry = EXCLUDED.industry,
    size_band = EXCLUDED.size_band,
    size_band_derived = EXCLUDED.size_band_derived,
    cohort = EXCLUDED.cohort,
    opted_in_at = CASE WHEN EXCLUDED.is_participating AND NOT bp.is_participating THEN now()
                       ELSE bp.opted_in_at END,
    opted_out_at = CASE WHEN bp.is_participating AND NOT EXCLUDED.is_participating THEN now()
                        ELSE bp.opted_out_at END
RETURNING bp.client_id, bp.anonymous_id, bp.is_participating, bp.industry, bp.size_band,
          bp.size_band_derived, bp.cohort, bp.opted_in_at, bp.opted_out_at, bp.updated_at
