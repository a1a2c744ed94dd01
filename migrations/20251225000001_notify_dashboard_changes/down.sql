DROP TRIGGER user_preferences_truncated ON user_preferences;
DROP TRIGGER user_preferences_changed ON user_preferences;
DROP TRIGGER dashboard_layouts_truncated ON dashboard_layouts;
DROP TRIGGER dashboard_layouts_changed ON dashboard_layouts;
DROP FUNCTION notify_dashboard_change();
