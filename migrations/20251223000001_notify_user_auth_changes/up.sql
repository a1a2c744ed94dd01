-- Every replica caches, per user, the facts a bearer token is checked against (role, client,
-- password fingerprint: src/auth/user_cache.rs) instead of reading the user on every request,
-- and which clients exist (staff's tenancy check). These triggers tell every replica at once,
-- through LISTEN/NOTIFY on `user_auth_changes`, when those facts change: the payload is the
-- user's id, 'client:<id>' for a deleted client, or '*' after a TRUNCATE (forget everything). The notification is sent at commit, so a rolled-back change announces nothing.
-- No trigger on INSERT: a replica caches only users it has read, so a new user is never
-- cached yet; updates of other columns (name, email, updated_at) do not notify either.

CREATE FUNCTION notify_user_auth_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        PERFORM pg_notify('user_auth_changes', '*');
    ELSIF TG_TABLE_NAME = 'clients' THEN
        PERFORM pg_notify('user_auth_changes', 'client:' || OLD.id);
    ELSE
        PERFORM pg_notify('user_auth_changes', OLD.id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_auth_changed
    AFTER UPDATE ON users
    FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id
          OR OLD.role IS DISTINCT FROM NEW.role
          OR OLD.client_id IS DISTINCT FROM NEW.client_id
          OR OLD.password_hash IS DISTINCT FROM NEW.password_hash)
    EXECUTE FUNCTION notify_user_auth_change();

-- Also the rows ON DELETE CASCADE removes when their client is deleted.
CREATE TRIGGER users_auth_deleted
    AFTER DELETE ON users
    FOR EACH ROW
    EXECUTE FUNCTION notify_user_auth_change();

CREATE TRIGGER users_auth_truncated
    AFTER TRUNCATE ON users
    FOR EACH STATEMENT
    EXECUTE FUNCTION notify_user_auth_change();

CREATE TRIGGER clients_auth_deleted
    AFTER DELETE ON clients
    FOR EACH ROW
    EXECUTE FUNCTION notify_user_auth_change();

CREATE TRIGGER clients_auth_truncated
    AFTER TRUNCATE ON clients
    FOR EACH STATEMENT
    EXECUTE FUNCTION notify_user_auth_change();
