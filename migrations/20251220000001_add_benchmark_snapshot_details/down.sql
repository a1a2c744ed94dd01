DROP FUNCTION benchmark_size_band(bigint);

DROP TABLE benchmark_snapshot_runs;

ALTER TABLE benchmark_snapshots
    DROP CONSTRAINT benchmark_snapshots_suppressed_check,
    DROP CONSTRAINT benchmark_snapshots_participant_band_check,
    DROP COLUMN suppressed,
    DROP COLUMN participant_band,
    DROP COLUMN cohort_used;

ALTER TABLE benchmark_participation
    DROP COLUMN size_band_derived;
