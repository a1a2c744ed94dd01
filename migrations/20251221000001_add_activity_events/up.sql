-- The outbox of live updates (issue 14): every change the dashboard shows live is written
-- here in the same transaction as the change itself, and announced with
-- pg_notify('activity_events', id) in that transaction, so a rolled-back change announces
-- nothing. Ids become visible in commit order, not id order: recording transactions hold a
-- shared advisory lock (src/activity/record.rs) so the listener can wait out an id still in
-- flight before it moves its resume position past it (src/activity/hub.rs).
-- Rows older than the retention (ACTIVITY_RETENTION, default 7 days) are pruned by the
-- prune_activity job.

CREATE TABLE activity_events (
    id BIGSERIAL PRIMARY KEY,
    client_id UUID NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    subject_id UUID,
    payload JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT activity_events_type_check CHECK (type IN (
        'shipment.status_changed', 'shipment.delayed', 'shipment.exception',
        'budget.over', 'budget.projected_over',
        'reorder_alert.raised', 'reorder_alert.resolved',
        'cost_tracking.aggregated', 'benchmark.snapshot_published'
    )),
    CONSTRAINT activity_events_payload_check CHECK (jsonb_typeof(payload) = 'object')
);

-- A client's stream resumes "after id N of this client".
CREATE INDEX activity_events_client_id_id_idx ON activity_events (client_id, id);
-- The prune job deletes by age.
CREATE INDEX activity_events_created_at_idx ON activity_events (created_at);
