CREATE TEMP TABLE seed_params (
    first_day date NOT NULL,  -- first day of the history
    last_day  date NOT NULL,  -- today
    mid_day   date NOT NULL,  -- trends pivot around the middle of the history
    started_at timestamptz NOT NULL  -- now(): the transaction's start
) ON COMMIT DROP;

CREATE TEMP TABLE seed_clients (
    client_no               int PRIMARY KEY,
    id                      uuid NOT NULL DEFAULT gen_random_uuid(),
    name                    text NOT NULL,
    industry                text NOT NULL,
    default_supplier_days   int,
    default_shipping_days   int,
    default_processing_days int,
    default_safety_days     int,
    created_days_before     int NOT NULL
) ON COMMIT DROP;

CREATE TEMP TABLE seed_products (
    product_no          int PRIMARY KEY,
    client_no           int NOT NULL,
    id                  uuid NOT NULL DEFAULT gen_random_uuid(),
    sku                 text NOT NULL,
    name                text NOT NULL,
    category            text NOT NULL,
    unit_cost_cents     bigint,
    unit_price_cents    bigint,
    reorder_cost_cents  bigint,
    holding_rate_bp     int,
    cost_days_ago       int,
    supplier_days       int,
    shipping_days       int,
    processing_days     int,
    safety_days         int,
    created_days_before int NOT NULL,
    lines_per_week      float8 NOT NULL,
    units_per_line      float8 NOT NULL,
    trend               float8 NOT NULL,
    season_amp          float8 NOT NULL,
    cycle_weeks         int NOT NULL,
    cycle_phase         int NOT NULL,
    order_up_to         int NOT NULL,
    forecast_noise      float8 NOT NULL,
    forecast_bias       float8 NOT NULL
) ON COMMIT DROP;
