-- Privacy-preserving cross-client benchmarking: per-client opt-in, and per-cohort
-- monthly aggregates that never identify a participant.

CREATE TABLE benchmark_participation (
    id               UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id        UUID        NOT NULL,
    -- Stable pseudonym of the client in benchmark computations; never joined back
    -- to client_id outside this table.
    anonymous_id     UUID        NOT NULL DEFAULT gen_random_uuid(),
    is_participating BOOLEAN     NOT NULL DEFAULT false, -- clients start as non-participating
    industry         TEXT        NULL,
    size_band        TEXT        NULL,
    cohort           TEXT        NULL, -- derived from industry and size_band
    opted_in_at      TIMESTAMPTZ NULL,
    opted_out_at     TIMESTAMPTZ NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT benchmark_participation_size_band_check
        CHECK (size_band IN ('small', 'medium', 'large', 'enterprise')),
    CONSTRAINT benchmark_participation_client_id_fkey FOREIGN KEY (client_id)
        REFERENCES clients (id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX benchmark_participation_client_id_key ON benchmark_participation (client_id);
CREATE UNIQUE INDEX benchmark_participation_anonymous_id_key ON benchmark_participation (anonymous_id);
-- Active participants of a cohort, for the snapshot job.
CREATE INDEX benchmark_participation_cohort_is_participating_idx
    ON benchmark_participation (cohort, is_participating);

CREATE FUNCTION update_benchmark_participation_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER update_benchmark_participation_updated_at
    BEFORE UPDATE ON benchmark_participation
    FOR EACH ROW EXECUTE FUNCTION update_benchmark_participation_updated_at();

CREATE TABLE benchmark_snapshots (
    id                UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    cohort            TEXT        NOT NULL,
    period            DATE        NOT NULL,
    participant_count INTEGER     NOT NULL,
    -- {"<metric>": {"p25": ..., "p50": ..., "p75": ..., "p90": ...}, ...}
    metrics           JSONB       NOT NULL,
    calculated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Monthly buckets: period is always the first day of its month.
    CONSTRAINT benchmark_snapshots_period_check CHECK (EXTRACT(DAY FROM period) = 1),
    -- Privacy: no aggregate is stored for fewer than 5 participants.
    CONSTRAINT benchmark_snapshots_participant_count_check CHECK (participant_count >= 5),
    CONSTRAINT benchmark_snapshots_metrics_check CHECK (jsonb_typeof(metrics) = 'object')
);

CREATE UNIQUE INDEX benchmark_snapshots_cohort_period_key ON benchmark_snapshots (cohort, period);
CREATE INDEX benchmark_snapshots_period_idx ON benchmark_snapshots (period);

COMMENT ON TABLE benchmark_snapshots IS
    'Per-cohort monthly benchmark aggregates (percentiles p25/p50/p75/p90 per metric). '
    'Aggregates only: no client id, anonymous id, name or other participant identifier, '
    'and never computed from fewer than 5 participants.';
