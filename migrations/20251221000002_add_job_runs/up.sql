-- The ledger of scheduled jobs (issue 14): one row per run, written by the replica that won
-- the job's advisory lock (src/jobs/runner.rs). The next due time of a job is its last
-- finished run's start plus its interval, read under that lock, so N replicas run each
-- interval once. A run left 'running' by a replica that died is marked 'abandoned' by the
-- next replica to take the lock (the lock died with the connection).

CREATE TABLE job_runs (
    id BIGSERIAL PRIMARY KEY,
    job TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ,
    rows BIGINT,
    outcome TEXT NOT NULL DEFAULT 'running',
    error TEXT,
    instance TEXT NOT NULL,
    CONSTRAINT job_runs_job_check CHECK (job IN (
        'aggregate_costs', 'recalculate_lead_times', 'benchmark_snapshots',
        'refresh_delays', 'prune_activity'
    )),
    CONSTRAINT job_runs_outcome_check CHECK (outcome IN (
        'running', 'succeeded', 'failed', 'skipped', 'abandoned'
    )),
    CONSTRAINT job_runs_finished_check CHECK ((outcome = 'running') = (finished_at IS NULL))
);

CREATE INDEX job_runs_job_started_at_idx ON job_runs (job, started_at DESC);
