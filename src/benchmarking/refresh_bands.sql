-- Before each snapshot run: re-derives the size band (and so the cohort) of every participant
-- whose band was derived from its active SKU count rather than declared, so a client that grew
-- moves to its new band. Run by src/benchmarking/queries.rs in the job's transaction.
UPDATE benchmark_participation bp
SET size_band = n.band,
    cohort = split_part(bp.cohort, '/', 1) || '/' || n.band
FROM (
    SELECT q.client_id,
           benchmark_size_band((SELECT count(*)
                                FROM products p
                                WHERE p.client_id = q.client_id AND p.archived_at IS NULL)) AS band
    FROM benchmark_participation q
    WHERE q.size_band_derived AND q.is_participating AND q.cohort IS NOT NULL
) n
WHERE bp.client_id = n.client_id
  AND bp.size_band IS DISTINCT FROM n.band
