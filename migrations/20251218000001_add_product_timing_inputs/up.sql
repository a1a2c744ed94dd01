-- Lead times: what each product's last recalculation read, beside the guide's timing cache
-- on products (projected_stockout_date, last_order_by_date, timing_last_calculated), so a
-- reorder alert can show the inputs that produced its dates, as they were when computed.
-- Written by src/lead_times/recalculate.sql in the same statement that writes the cache.

CREATE TABLE product_timing_inputs (
    product_id             UUID        PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    client_id              UUID        NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    calculated_at          TIMESTAMPTZ NOT NULL,
    -- The day the dates were computed for ("today", UTC) and the demand window ending with it.
    as_of                  DATE        NOT NULL,
    demand_window_days     INTEGER     NOT NULL,
    -- Days the units were averaged over: the window, or the product's shorter history.
    demand_days            INTEGER     NOT NULL,
    window_units           BIGINT      NOT NULL,
    daily_demand           NUMERIC     NOT NULL,
    on_hand                INTEGER     NOT NULL,
    -- The lead times used: the product's own, or its client's defaults, or none.
    supplier_lead_days     INTEGER     NULL,
    shipping_lead_days     INTEGER     NULL,
    processing_lead_days   INTEGER     NULL,
    safety_buffer_days     INTEGER     NULL,
    total_lead_days        INTEGER     NULL,
    lead_time_source       TEXT        NOT NULL,
    -- Why a date is missing: no_demand (no stockout date), no_lead_time (no order-by date),
    -- beyond_horizon (the stock lasts longer than 100 years).
    reason                 TEXT        NULL,
    CONSTRAINT product_timing_inputs_window_check
        CHECK (demand_window_days BETWEEN 1 AND 365 AND demand_days BETWEEN 1 AND 365),
    CONSTRAINT product_timing_inputs_reason_check
        CHECK (reason IN ('no_demand', 'no_lead_time', 'beyond_horizon'))
);

CREATE INDEX product_timing_inputs_client_id_idx ON product_timing_inputs (client_id);

COMMENT ON TABLE product_timing_inputs IS
    'Inputs of each product''s last lead-time recalculation (daily demand, on-hand, lead times '
    'and their source), written with products.projected_stockout_date/last_order_by_date.';
