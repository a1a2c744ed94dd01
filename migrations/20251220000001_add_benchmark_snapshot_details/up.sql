-- What the guide's benchmarking tables (20251215000003) lack for issue 12:
-- - benchmark_participation.size_band_derived: the band was derived from the client's active
--   SKU count (the caller gave none), so the snapshot job re-derives it before each run;
-- - benchmark_snapshots.cohort_used: the cohort whose participants the figures come from
--   (the cohort itself, its industry `<industry>/*`, or `all`) after the fallback;
-- - benchmark_snapshots.participant_band: the participant count as published (5–9, 10–24,
--   25+); participant_count keeps the exact figure for operators and is never served;
-- - benchmark_snapshots.suppressed: metric -> why it has no figures (`too_few_contributors`,
--   `dominance`);
-- - benchmark_snapshot_runs: that a period was computed, and which cohorts had too few
--   participants even after the fallback (so a client can be told why it sees nothing);
-- - benchmark_size_band(active_skus): the band edges, defined once.

ALTER TABLE benchmark_participation
    ADD COLUMN size_band_derived BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE benchmark_snapshots
    ADD COLUMN cohort_used TEXT,
    ADD COLUMN participant_band TEXT,
    ADD COLUMN suppressed JSONB NOT NULL DEFAULT '{}';

UPDATE benchmark_snapshots
SET cohort_used = cohort,
    participant_band = CASE WHEN participant_count >= 25 THEN '25+'
                            WHEN participant_count >= 10 THEN '10–24'
                            ELSE '5–9' END;

ALTER TABLE benchmark_snapshots
    ALTER COLUMN cohort_used SET NOT NULL,
    ALTER COLUMN participant_band SET NOT NULL,
    ADD CONSTRAINT benchmark_snapshots_participant_band_check
        CHECK (participant_band IN ('5–9', '10–24', '25+')),
    ADD CONSTRAINT benchmark_snapshots_suppressed_check CHECK (jsonb_typeof(suppressed) = 'object');

CREATE TABLE benchmark_snapshot_runs (
    period             DATE        PRIMARY KEY,
    calculated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    cohorts_published  INTEGER     NOT NULL,
    -- Cohorts with participants but fewer than 5 even in their industry and overall.
    suppressed_cohorts TEXT[]      NOT NULL DEFAULT '{}',
    CONSTRAINT benchmark_snapshot_runs_period_check CHECK (EXTRACT(DAY FROM period) = 1)
);

COMMENT ON TABLE benchmark_snapshot_runs IS
    'One row per computed benchmark period: when, how many cohorts got a snapshot, and which '
    'cohorts were too small (no participant identifiers).';

-- Size band of a client from its active (not archived) SKU count; docs/benchmarking.md.
CREATE FUNCTION benchmark_size_band(active_skus bigint) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT CASE WHEN active_skus < 100 THEN 'small'
                    WHEN active_skus < 1000 THEN 'medium'
                    WHEN active_skus < 10000 THEN 'large'
                    ELSE 'enterprise' END
    $$;

COMMENT ON FUNCTION benchmark_size_band(bigint) IS
    'small < 100 active SKUs <= medium < 1000 <= large < 10000 <= enterprise.';
