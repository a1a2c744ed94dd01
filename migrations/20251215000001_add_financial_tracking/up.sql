-- Financial tracking: product cost fields, budgets, and the monthly cost/EOQ aggregate.

-- Product cost fields. All nullable: existing products start without cost data.
-- Inline CHECKs are dropped together with their column by down.sql.
ALTER TABLE products
    ADD COLUMN unit_cost         NUMERIC(12,2) NULL CONSTRAINT products_unit_cost_check CHECK (unit_cost >= 0),
    ADD COLUMN unit_price        NUMERIC(12,2) NULL CONSTRAINT products_unit_price_check CHECK (unit_price >= 0),
    ADD COLUMN reorder_cost      NUMERIC(12,2) NULL CONSTRAINT products_reorder_cost_check CHECK (reorder_cost >= 0),
    ADD COLUMN holding_cost_rate NUMERIC(5,4)  NULL CONSTRAINT products_holding_cost_rate_check
        CHECK (holding_cost_rate >= 0 AND holding_cost_rate <= 1),
    ADD COLUMN last_cost_update  TIMESTAMPTZ   NULL,
    ADD COLUMN cost_source       TEXT          NULL CONSTRAINT products_cost_source_check
        CHECK (cost_source IN ('manual', 'supplier_invoice', 'erp_import', 'estimate'));

COMMENT ON COLUMN products.unit_cost IS 'Purchase cost per unit';
COMMENT ON COLUMN products.unit_price IS 'Selling price per unit';
COMMENT ON COLUMN products.reorder_cost IS 'Fixed cost of placing one replenishment order (EOQ ordering cost)';
COMMENT ON COLUMN products.holding_cost_rate IS 'Annual holding cost as a fraction of unit_cost (0.2500 = 25 % per year)';
COMMENT ON COLUMN products.last_cost_update IS 'When the cost fields were last changed';
COMMENT ON COLUMN products.cost_source IS 'Provenance of the cost fields: manual, supplier_invoice, erp_import, estimate';

CREATE TABLE budgets (
    id              UUID          PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id       UUID          NOT NULL,
    product_id      UUID          NULL, -- NULL: a client-wide (or category) budget
    category        TEXT          NULL,
    period_start    DATE          NOT NULL,
    period_end      DATE          NOT NULL, -- inclusive
    budgeted_amount NUMERIC(14,2) NOT NULL,
    notes           TEXT          NULL,
    created_at      TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ   NOT NULL DEFAULT now(),
    CONSTRAINT budgets_period_check CHECK (period_end >= period_start),
    CONSTRAINT budgets_budgeted_amount_check CHECK (budgeted_amount >= 0),
    CONSTRAINT budgets_client_id_fkey FOREIGN KEY (client_id)
        REFERENCES clients (id) ON DELETE CASCADE,
    CONSTRAINT budgets_product_id_fkey FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE CASCADE
);

CREATE INDEX budgets_client_id_period_start_idx ON budgets (client_id, period_start);
CREATE INDEX budgets_product_id_idx ON budgets (product_id);

CREATE FUNCTION update_budgets_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER update_budgets_updated_at
    BEFORE UPDATE ON budgets
    FOR EACH ROW EXECUTE FUNCTION update_budgets_updated_at();

-- One row per client, product and month, (re)computed by the aggregation job, which
-- also sets updated_at itself (hence no trigger here).
CREATE TABLE cost_tracking (
    id                  UUID          PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id           UUID          NOT NULL,
    product_id          UUID          NOT NULL,
    period              DATE          NOT NULL,
    demand_units        INTEGER       NOT NULL DEFAULT 0,
    demand_value        NUMERIC(14,2) NOT NULL DEFAULT 0,
    average_stock_units NUMERIC(14,2) NOT NULL DEFAULT 0,
    unit_cost           NUMERIC(12,2) NULL, -- snapshot of products.unit_cost at calculation time
    holding_cost        NUMERIC(14,2) NOT NULL DEFAULT 0,
    order_count         INTEGER       NOT NULL DEFAULT 0,
    ordering_cost       NUMERIC(14,2) NOT NULL DEFAULT 0,
    total_cost          NUMERIC(14,2) NOT NULL DEFAULT 0,
    eoq_units           NUMERIC(14,2) NULL, -- NULL when EOQ inputs are missing
    eoq_orders_per_year NUMERIC(14,4) NULL,
    eoq_annual_cost     NUMERIC(14,2) NULL,
    calculated_at       TIMESTAMPTZ   NOT NULL DEFAULT now(),
    created_at          TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ   NOT NULL DEFAULT now(),
    -- Monthly buckets: period is always the first day of its month.
    CONSTRAINT cost_tracking_period_check CHECK (EXTRACT(DAY FROM period) = 1),
    CONSTRAINT cost_tracking_non_negative_check CHECK (
        demand_units >= 0 AND demand_value >= 0 AND average_stock_units >= 0
        AND unit_cost >= 0 AND holding_cost >= 0 AND order_count >= 0
        AND ordering_cost >= 0 AND total_cost >= 0
        AND eoq_units >= 0 AND eoq_orders_per_year >= 0 AND eoq_annual_cost >= 0
    ),
    CONSTRAINT cost_tracking_client_id_fkey FOREIGN KEY (client_id)
        REFERENCES clients (id) ON DELETE CASCADE,
    CONSTRAINT cost_tracking_product_id_fkey FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE CASCADE
);

-- Target of the aggregation's INSERT ... ON CONFLICT (client_id, product_id, period).
CREATE UNIQUE INDEX cost_tracking_client_id_product_id_period_key
    ON cost_tracking (client_id, product_id, period);
CREATE INDEX cost_tracking_period_idx ON cost_tracking (period);
