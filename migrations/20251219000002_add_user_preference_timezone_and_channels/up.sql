-- Preferences the guide's user_preferences lacks (issue 13): the user's time zone (an IANA
-- name, validated by the API; quiet hours are read in it) and the real-time channels the
-- live stream sends them. Notification settings stay in notification_settings (JSONB).

ALTER TABLE user_preferences
    ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC',
    ADD COLUMN realtime_channels TEXT[] NOT NULL
        DEFAULT ARRAY['shipments', 'budgets', 'reorder_alerts', 'cost_tracking', 'benchmarks'];

ALTER TABLE user_preferences
    ADD CONSTRAINT user_preferences_timezone_check CHECK (timezone <> ''),
    ADD CONSTRAINT user_preferences_realtime_channels_check CHECK (
        realtime_channels <@ ARRAY['shipments', 'budgets', 'reorder_alerts', 'cost_tracking', 'benchmarks']
    );
