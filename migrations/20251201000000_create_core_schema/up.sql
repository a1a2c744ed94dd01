-- Core schema that the migration guide presupposes: tenants (clients), their users,
-- products, order requests, plus the stock and forecast history that the benchmark
-- metrics (stockout rate, forecast accuracy) are computed from.
--
-- Conventions: UUID keys from gen_random_uuid() (built in since PostgreSQL 13),
-- TIMESTAMPTZ timestamps, Prisma-style constraint/index names. No updated_at triggers
-- here: the application sets updated_at on the core tables.

CREATE TABLE clients (
    id                           UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    name                         TEXT        NOT NULL,
    industry                     TEXT        NULL,
    -- Defaults copied into a new product's lead-time columns (see 20251215000005).
    default_supplier_lead_days   INTEGER     NULL,
    default_shipping_lead_days   INTEGER     NULL,
    default_processing_lead_days INTEGER     NULL,
    default_safety_buffer_days   INTEGER     NULL,
    created_at                   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at                   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT clients_default_supplier_lead_days_check   CHECK (default_supplier_lead_days >= 0),
    CONSTRAINT clients_default_shipping_lead_days_check   CHECK (default_shipping_lead_days >= 0),
    CONSTRAINT clients_default_processing_lead_days_check CHECK (default_processing_lead_days >= 0),
    CONSTRAINT clients_default_safety_buffer_days_check   CHECK (default_safety_buffer_days >= 0)
);

CREATE TABLE users (
    id            UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    email         TEXT        NOT NULL,
    name          TEXT        NOT NULL,
    role          TEXT        NOT NULL,
    client_id     UUID        NULL,
    password_hash TEXT        NOT NULL, -- Argon2id PHC string
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT users_role_check CHECK (role IN ('admin', 'operator', 'client')),
    -- A client user belongs to exactly one client; staff (admin/operator) to none.
    CONSTRAINT users_client_role_check CHECK ((role = 'client') = (client_id IS NOT NULL)),
    CONSTRAINT users_client_id_fkey FOREIGN KEY (client_id)
        REFERENCES clients (id) ON DELETE CASCADE
);

-- Emails are unique regardless of case; login looks users up by lower(email).
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_client_id_idx ON users (client_id);

CREATE TABLE products (
    id            UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id     UUID        NOT NULL,
    sku           TEXT        NOT NULL,
    name          TEXT        NOT NULL,
    category      TEXT        NULL,
    current_stock INTEGER     NOT NULL DEFAULT 0, -- on-hand units
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT products_current_stock_check CHECK (current_stock >= 0),
    CONSTRAINT products_client_id_fkey FOREIGN KEY (client_id)
        REFERENCES clients (id) ON DELETE CASCADE
);

-- SKUs are unique per client. This index also serves lookups by client_id alone
-- (leading column), so there is no separate products_client_id_idx.
CREATE UNIQUE INDEX products_client_id_sku_key ON products (client_id, sku);

CREATE TABLE order_requests (
    id         UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id  UUID        NOT NULL,
    status     TEXT        NOT NULL DEFAULT 'submitted',
    notes      TEXT        NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT order_requests_status_check
        CHECK (status IN ('draft', 'submitted', 'approved', 'fulfilled', 'cancelled')),
    CONSTRAINT order_requests_client_id_fkey FOREIGN KEY (client_id)
        REFERENCES clients (id) ON DELETE CASCADE
);

-- Listing a client's orders newest first, and demand aggregation by date range.
CREATE INDEX order_requests_client_id_created_at_idx ON order_requests (client_id, created_at);

CREATE TABLE order_request_items (
    id               UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    order_request_id UUID        NOT NULL,
    product_id       UUID        NOT NULL,
    quantity         INTEGER     NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT order_request_items_quantity_check CHECK (quantity > 0),
    CONSTRAINT order_request_items_order_request_id_fkey FOREIGN KEY (order_request_id)
        REFERENCES order_requests (id) ON DELETE CASCADE,
    CONSTRAINT order_request_items_product_id_fkey FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE CASCADE
);

CREATE INDEX order_request_items_order_request_id_idx ON order_request_items (order_request_id);
CREATE INDEX order_request_items_product_id_idx ON order_request_items (product_id);

CREATE TABLE stock_levels (
    id          UUID        PRIMARY KEY DEFAULT gen_random_uuid(),
    product_id  UUID        NOT NULL,
    recorded_on DATE        NOT NULL,
    quantity    INTEGER     NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT stock_levels_quantity_check CHECK (quantity >= 0),
    CONSTRAINT stock_levels_product_id_fkey FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE CASCADE
);

-- One reading per product and day; also serves range scans by product.
CREATE UNIQUE INDEX stock_levels_product_id_recorded_on_key ON stock_levels (product_id, recorded_on);

COMMENT ON TABLE stock_levels IS
    'Daily on-hand history: one row per product and day with the units on hand. '
    'Source of the stockout-rate benchmark metric (share of days at zero stock) and of '
    'average stock levels for holding costs and inventory turnover.';

CREATE TABLE demand_forecasts (
    id             UUID          PRIMARY KEY DEFAULT gen_random_uuid(),
    product_id     UUID          NOT NULL,
    period         DATE          NOT NULL,
    forecast_units NUMERIC(14,2) NOT NULL,
    created_at     TIMESTAMPTZ   NOT NULL DEFAULT now(),
    -- Monthly buckets: period is always the first day of its month.
    CONSTRAINT demand_forecasts_period_check CHECK (EXTRACT(DAY FROM period) = 1),
    CONSTRAINT demand_forecasts_forecast_units_check CHECK (forecast_units >= 0),
    CONSTRAINT demand_forecasts_product_id_fkey FOREIGN KEY (product_id)
        REFERENCES products (id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX demand_forecasts_product_id_period_key ON demand_forecasts (product_id, period);

COMMENT ON TABLE demand_forecasts IS
    'Monthly demand forecast per product (period = first day of the month). Compared with '
    'actual demand (order_request_items) to compute the forecast-accuracy benchmark metric.';
