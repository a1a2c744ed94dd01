-- Every replica caches, per user, the two reads a page load makes (issue 13): the effective
-- dashboard and the preferences, rendered (src/dashboards/cache.rs). These triggers tell every
-- replica at once, through LISTEN/NOTIFY on `dashboard_changes`, that a user's layouts or
-- preferences changed: the payload is the user's id (both the old and the new owner when a
-- row changes hands), or '*' after a TRUNCATE (forget every user). Inserts notify too: a
-- first layout replaces the role's starter, a first preferences row gives `updated_at`.
-- PostgreSQL sends a notification at commit (none for a rolled-back change) and folds equal
-- payloads of one transaction into one, so switching the default notifies once.
-- The kept versions (dashboard_layout_versions) are not part of the effective dashboard: no
-- trigger there. The starter layouts are compiled into the binary, not stored.

CREATE FUNCTION notify_dashboard_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        PERFORM pg_notify('dashboard_changes', '*');
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('dashboard_changes', OLD.user_id::text);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pg_notify('dashboard_changes', NEW.user_id::text);
    END IF;
    RETURN NULL;
END
$$;

-- Also the rows ON DELETE CASCADE removes when their user is deleted.
CREATE TRIGGER dashboard_layouts_changed
    AFTER INSERT OR UPDATE OR DELETE ON dashboard_layouts
    FOR EACH ROW
    EXECUTE FUNCTION notify_dashboard_change();

CREATE TRIGGER dashboard_layouts_truncated
    AFTER TRUNCATE ON dashboard_layouts
    FOR EACH STATEMENT
    EXECUTE FUNCTION notify_dashboard_change();

CREATE TRIGGER user_preferences_changed
    AFTER INSERT OR UPDATE OR DELETE ON user_preferences
    FOR EACH ROW
    EXECUTE FUNCTION notify_dashboard_change();

CREATE TRIGGER user_preferences_truncated
    AFTER TRUNCATE ON user_preferences
    FOR EACH STATEMENT
    EXECUTE FUNCTION notify_dashboard_change();
