-- Every replica caches the budget variance of a client (issue 16: src/financial/variance/
-- cache.rs), rendered, per (client, window, day). These triggers tell every replica at once,
-- through LISTEN/NOTIFY on `cost_changes`, that what a client's variance is computed from
-- changed: its budgets, its cost_tracking months, or the category of one of its products (a
-- category budget counts the products whose current category is its own). The payload is the
-- client's id, or '*' after a TRUNCATE (forget every client).
--
-- Budgets and cost_tracking notify per statement, from their transition tables, once per
-- client the statement touched: the monthly aggregation writes thousands of cost rows in one
-- statement, and a per-row trigger would cost it a function call each. PostgreSQL sends the
-- notifications at commit (none for a rolled-back change) and folds equal payloads of one
-- transaction into one. Products notify per row, and only for an UPDATE naming `category`
-- whose value changed (`UPDATE OF category … WHEN`): the lead-time recalculation, stock
-- changes and every other products write never fire it, and a product inserted or deleted
-- changes no variance by itself (its cost rows do, and notify).

CREATE FUNCTION notify_cost_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('cost_changes', '*');
    ELSIF TG_LEVEL = 'ROW' THEN
        PERFORM pg_notify('cost_changes', NEW.client_id::text);
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM pg_notify('cost_changes', c.client_id::text)
        FROM (SELECT DISTINCT client_id FROM new_rows) c;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('cost_changes', c.client_id::text)
        FROM (SELECT DISTINCT client_id FROM old_rows) c;
    ELSE
        PERFORM pg_notify('cost_changes', c.client_id::text)
        FROM (SELECT client_id FROM old_rows UNION SELECT client_id FROM new_rows) c;
    END IF;
    RETURN NULL;
END
$$;

-- A trigger with transition tables takes one event (PostgreSQL's rule): three per table.
CREATE TRIGGER budgets_inserted AFTER INSERT ON budgets
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_cost_change();
CREATE TRIGGER budgets_updated AFTER UPDATE ON budgets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_cost_change();
CREATE TRIGGER budgets_deleted AFTER DELETE ON budgets
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_cost_change();
CREATE TRIGGER budgets_truncated AFTER TRUNCATE ON budgets
    FOR EACH STATEMENT EXECUTE FUNCTION notify_cost_change();

CREATE TRIGGER cost_tracking_inserted AFTER INSERT ON cost_tracking
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_cost_change();
CREATE TRIGGER cost_tracking_updated AFTER UPDATE ON cost_tracking
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_cost_change();
CREATE TRIGGER cost_tracking_deleted AFTER DELETE ON cost_tracking
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_cost_change();
CREATE TRIGGER cost_tracking_truncated AFTER TRUNCATE ON cost_tracking
    FOR EACH STATEMENT EXECUTE FUNCTION notify_cost_change();

CREATE TRIGGER products_category_changed AFTER UPDATE OF category ON products
    FOR EACH ROW WHEN (OLD.category IS DISTINCT FROM NEW.category)
    EXECUTE FUNCTION notify_cost_change();
