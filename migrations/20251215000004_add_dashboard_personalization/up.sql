-- Dashboard personalization: saved layouts and UI preferences, per user.

CREATE TABLE dashboard_layouts (
    id         UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    UUID        NOT NULL,
    name       TEXT        NOT NULL,
    is_default BOOLEAN     NOT NULL DEFAULT false,
    -- [{"id","type","x","y","w","h","config"}, ...]; grid rules are validated by the API.
    widgets    JSONB       NOT NULL DEFAULT '[]',
    -- Optimistic concurrency: writes send the version they read; the application
    -- bumps it (UPDATE ... SET version = version + 1 WHERE id = $1 AND version = $2).
    version    INTEGER     NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT dashboard_layouts_widgets_check CHECK (jsonb_typeof(widgets) = 'array'),
    CONSTRAINT dashboard_layouts_version_check CHECK (version >= 1),
    CONSTRAINT dashboard_layouts_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE
);

-- Both guide-named indexes are plain (non-unique), as their _idx names say.
CREATE INDEX dashboard_layouts_user_id_idx ON dashboard_layouts (user_id);
CREATE INDEX dashboard_layouts_user_id_is_default_idx ON dashboard_layouts (user_id, is_default);
-- "At most one default per user" is enforced here. To switch defaults, clear the old
-- one before setting the new one (in one transaction).
CREATE UNIQUE INDEX dashboard_layouts_one_default_per_user ON dashboard_layouts (user_id) WHERE is_default;

CREATE FUNCTION update_dashboard_layouts_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER update_dashboard_layouts_updated_at
    BEFORE UPDATE ON dashboard_layouts
    FOR EACH ROW EXECUTE FUNCTION update_dashboard_layouts_updated_at();

-- No row means "all defaults": the API answers the column defaults below until the
-- user saves something.
CREATE TABLE user_preferences (
    id                       UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                  UUID        NOT NULL,
    compact_mode             BOOLEAN     NOT NULL DEFAULT false,
    color_scheme             TEXT        NOT NULL DEFAULT 'system',
    default_view             TEXT        NULL,
    realtime_updates_enabled BOOLEAN     NOT NULL DEFAULT true,
    realtime_refresh_seconds INTEGER     NOT NULL DEFAULT 30,
    notification_settings    JSONB       NOT NULL DEFAULT '{}',
    -- Source of the ETag; a write with a stale If-Match is refused (412).
    version                  INTEGER     NOT NULL DEFAULT 1,
    created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT user_preferences_color_scheme_check CHECK (color_scheme IN ('light', 'dark', 'system')),
    CONSTRAINT user_preferences_realtime_refresh_seconds_check
        CHECK (realtime_refresh_seconds BETWEEN 5 AND 3600),
    CONSTRAINT user_preferences_notification_settings_check
        CHECK (jsonb_typeof(notification_settings) = 'object'),
    CONSTRAINT user_preferences_version_check CHECK (version >= 1),
    CONSTRAINT user_preferences_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX user_preferences_user_id_key ON user_preferences (user_id);

CREATE FUNCTION update_user_preferences_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER update_user_preferences_updated_at
    BEFORE UPDATE ON user_preferences
    FOR EACH ROW EXECUTE FUNCTION update_user_preferences_updated_at();
