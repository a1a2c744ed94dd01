DROP TRIGGER clients_auth_truncated ON clients;
DROP TRIGGER clients_auth_deleted ON clients;
DROP TRIGGER users_auth_truncated ON users;
DROP TRIGGER users_auth_deleted ON users;
DROP TRIGGER users_auth_changed ON users;
DROP FUNCTION notify_user_auth_change();
