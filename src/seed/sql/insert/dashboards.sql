-- Demo dashboards (issue 13): every demo user gets their role's starter layout as their
-- default, staff a second, compact "Exceptions" layout, and saved preferences, so the
-- effective dashboard answers `default` and preferences show saved values.
-- $1: the starter layouts by role (src/dashboards/starters.json) as JSON text.
WITH starters AS (
    SELECT key AS role, value->>'name' AS name, value->'widgets' AS widgets
    FROM jsonb_each($1::text::jsonb)
), demo_users AS (
    SELECT id, role FROM users WHERE lower(email) LIKE '%@demo.example'
), starter_layouts AS (
    INSERT INTO dashboard_layouts (user_id, name, is_default, widgets)
    SELECT u.id, s.name, true, s.widgets
    FROM demo_users u JOIN starters s ON s.role = u.role
    RETURNING 1
), exception_layouts AS (
    INSERT INTO dashboard_layouts (user_id, name, is_default, widgets)
    SELECT u.id, 'Exceptions', false, jsonb_build_array(
        jsonb_build_object('id', 'delayed', 'type', 'delayed_shipments', 'x', 0, 'y', 0, 'w', 16, 'h', 10, 'config', '{}'::jsonb),
        jsonb_build_object('id', 'alerts', 'type', 'reorder_alerts', 'x', 16, 'y', 0, 'w', 8, 'h', 10, 'config', jsonb_build_object('within_days', 3)),
        jsonb_build_object('id', 'note', 'type', 'note', 'x', 0, 'y', 10, 'w', 24, 'h', 2, 'config', jsonb_build_object('text', 'Call the carrier for anything delayed more than 2 days.')))
    FROM demo_users u WHERE u.role IN ('admin', 'operator')
    RETURNING 1
)
INSERT INTO user_preferences (user_id, compact_mode, color_scheme, default_view, timezone,
                              realtime_refresh_seconds, notification_settings)
SELECT u.id,
       u.role = 'operator',
       CASE u.role WHEN 'client' THEN 'light' ELSE 'dark' END,
       CASE u.role WHEN 'client' THEN 'dashboard' ELSE 'shipments' END,
       CASE u.role WHEN 'client' THEN 'America/New_York' ELSE 'Europe/Berlin' END,
       CASE u.role WHEN 'operator' THEN 15 ELSE 30 END,
       jsonb_build_object(
           'email', true, 'in_app', true,
           'digest', CASE u.role WHEN 'client' THEN 'weekly' ELSE 'daily' END,
           'events', CASE u.role WHEN 'client'
               THEN '["shipment.delayed", "shipment.exception", "budget.over"]'::jsonb
               ELSE '["shipment.delayed", "shipment.exception", "budget.over", "reorder_alert.raised"]'::jsonb END,
           'quiet_hours', jsonb_build_object('start', '22:00', 'end', '07:00'))
FROM demo_users u
