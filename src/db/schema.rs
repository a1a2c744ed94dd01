// @generated automatically by Diesel CLI.

diesel::table! {
    benchmark_participation (id) {
        id -> Uuid,
        client_id -> Uuid,
        anonymous_id -> Uuid,
        is_participating -> Bool,
        industry -> Nullable<Text>,
        size_band -> Nullable<Text>,
        cohort -> Nullable<Text>,
        opted_in_at -> Nullable<Timestamptz>,
        opted_out_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        size_band_derived -> Bool,
    }
}

diesel::table! {
    benchmark_snapshot_runs (period) {
        period -> Date,
        calculated_at -> Timestamptz,
        cohorts_published -> Int4,
        suppressed_cohorts -> Array<Text>,
    }
}

diesel::table! {
    benchmark_snapshots (id) {
        id -> Uuid,
        cohort -> Text,
        period -> Date,
        participant_count -> Int4,
        metrics -> Jsonb,
        calculated_at -> Timestamptz,
        created_at -> Timestamptz,
        cohort_used -> Text,
        participant_band -> Text,
        suppressed -> Jsonb,
    }
}

diesel::table! {
    budgets (id) {
        id -> Uuid,
        client_id -> Uuid,
        product_id -> Nullable<Uuid>,
        category -> Nullable<Text>,
        period_start -> Date,
        period_end -> Date,
        budgeted_amount -> Numeric,
        notes -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    clients (id) {
        id -> Uuid,
        name -> Text,
        industry -> Nullable<Text>,
        default_supplier_lead_days -> Nullable<Int4>,
        default_shipping_lead_days -> Nullable<Int4>,
        default_processing_lead_days -> Nullable<Int4>,
        default_safety_buffer_days -> Nullable<Int4>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    cost_tracking (id) {
        id -> Uuid,
        client_id -> Uuid,
        product_id -> Uuid,
        period -> Date,
        demand_units -> Int4,
        demand_value -> Numeric,
        average_stock_units -> Numeric,
        unit_cost -> Nullable<Numeric>,
        holding_cost -> Numeric,
        order_count -> Int4,
        ordering_cost -> Numeric,
        total_cost -> Numeric,
        eoq_units -> Nullable<Numeric>,
        eoq_orders_per_year -> Nullable<Numeric>,
        eoq_annual_cost -> Nullable<Numeric>,
        calculated_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    dashboard_layouts (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        is_default -> Bool,
        widgets -> Jsonb,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    dashboard_layout_versions (layout_id, version) {
        layout_id -> Uuid,
        version -> Int4,
        name -> Text,
        widgets -> Jsonb,
        saved_at -> Timestamptz,
    }
}

diesel::table! {
    demand_forecasts (id) {
        id -> Uuid,
        product_id -> Uuid,
        period -> Date,
        forecast_units -> Numeric,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    order_request_items (id) {
        id -> Uuid,
        order_request_id -> Uuid,
        product_id -> Uuid,
        quantity -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    order_request_transitions (id) {
        id -> Int8,
        order_request_id -> Uuid,
        from_status -> Nullable<Text>,
        to_status -> Text,
        changed_by -> Nullable<Uuid>,
        changed_at -> Timestamptz,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    order_requests (id) {
        id -> Uuid,
        client_id -> Uuid,
        status -> Text,
        notes -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    products (id) {
        id -> Uuid,
        client_id -> Uuid,
        sku -> Text,
        name -> Text,
        category -> Nullable<Text>,
        current_stock -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        unit_cost -> Nullable<Numeric>,
        unit_price -> Nullable<Numeric>,
        reorder_cost -> Nullable<Numeric>,
        holding_cost_rate -> Nullable<Numeric>,
        last_cost_update -> Nullable<Timestamptz>,
        cost_source -> Nullable<Text>,
        supplier_lead_days -> Nullable<Int4>,
        shipping_lead_days -> Nullable<Int4>,
        processing_lead_days -> Nullable<Int4>,
        safety_buffer_days -> Nullable<Int4>,
        total_lead_days -> Nullable<Int4>,
        lead_time_source -> Nullable<Text>,
        projected_stockout_date -> Nullable<Date>,
        last_order_by_date -> Nullable<Date>,
        timing_last_calculated -> Nullable<Timestamptz>,
        archived_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    shipment_events (id) {
        id -> Uuid,
        shipment_id -> Uuid,
        status -> Text,
        description -> Nullable<Text>,
        location -> Nullable<Text>,
        event_time -> Timestamptz,
        raw_data -> Nullable<Jsonb>,
        dedupe_key -> Text,
        created_at -> Timestamptz,
        estimated_delivery_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    shipment_items (id) {
        id -> Uuid,
        shipment_id -> Uuid,
        product_id -> Uuid,
        order_request_item_id -> Nullable<Uuid>,
        quantity -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    shipments (id) {
        id -> Uuid,
        order_request_id -> Uuid,
        client_id -> Uuid,
        carrier -> Text,
        tracking_number -> Nullable<Text>,
        tracking_url -> Nullable<Text>,
        service_level -> Nullable<Text>,
        status -> Text,
        shipped_at -> Nullable<Timestamptz>,
        estimated_delivery_at -> Nullable<Timestamptz>,
        delivered_at -> Nullable<Timestamptz>,
        is_delayed -> Bool,
        exception_reason -> Nullable<Text>,
        last_event_at -> Nullable<Timestamptz>,
        raw_tracking_data -> Nullable<Jsonb>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        import_key -> Nullable<Text>,
    }
}

diesel::table! {
    stock_levels (id) {
        id -> Uuid,
        product_id -> Uuid,
        recorded_on -> Date,
        quantity -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    user_preferences (id) {
        id -> Uuid,
        user_id -> Uuid,
        compact_mode -> Bool,
        color_scheme -> Text,
        default_view -> Nullable<Text>,
        realtime_updates_enabled -> Bool,
        realtime_refresh_seconds -> Int4,
        notification_settings -> Jsonb,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        timezone -> Text,
        realtime_channels -> Array<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        name -> Text,
        role -> Text,
        client_id -> Nullable<Uuid>,
        password_hash -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(benchmark_participation -> clients (client_id));
diesel::joinable!(budgets -> clients (client_id));
diesel::joinable!(budgets -> products (product_id));
diesel::joinable!(cost_tracking -> clients (client_id));
diesel::joinable!(cost_tracking -> products (product_id));
diesel::joinable!(dashboard_layout_versions -> dashboard_layouts (layout_id));
diesel::joinable!(dashboard_layouts -> users (user_id));
diesel::joinable!(demand_forecasts -> products (product_id));
diesel::joinable!(order_request_items -> order_requests (order_request_id));
diesel::joinable!(order_request_items -> products (product_id));
diesel::joinable!(order_request_transitions -> order_requests (order_request_id));
diesel::joinable!(order_request_transitions -> users (changed_by));
diesel::joinable!(order_requests -> clients (client_id));
diesel::joinable!(products -> clients (client_id));
diesel::joinable!(carrier_webhook_deliveries -> shipments (shipment_id));
diesel::joinable!(shipment_events -> shipments (shipment_id));
diesel::joinable!(shipment_items -> order_request_items (order_request_item_id));
diesel::joinable!(shipment_items -> products (product_id));
diesel::joinable!(shipment_items -> shipments (shipment_id));
diesel::joinable!(shipments -> clients (client_id));
diesel::joinable!(shipments -> order_requests (order_request_id));
diesel::joinable!(stock_levels -> products (product_id));
diesel::joinable!(user_preferences -> users (user_id));
diesel::joinable!(users -> clients (client_id));

diesel::allow_tables_to_appear_in_same_query!(
    benchmark_participation,
    benchmark_snapshot_runs,
    benchmark_snapshots,
    budgets,
    carrier_webhook_deliveries,
    clients,
    cost_tracking,
    dashboard_layout_versions,
    dashboard_layouts,
    demand_forecasts,
    order_request_items,
    order_request_transitions,
    order_requests,
    products,
    shipment_events,
    shipment_items,
    shipments,
    stock_levels,
    user_preferences,
    users,
);

diesel::table! {
    product_timing_inputs (product_id) {
        product_id -> Uuid,
        client_id -> Uuid,
        calculated_at -> Timestamptz,
        as_of -> Date,
        demand_window_days -> Int4,
        demand_days -> Int4,
        window_units -> Int8,
        daily_demand -> Numeric,
        on_hand -> Int4,
        supplier_lead_days -> Nullable<Int4>,
        shipping_lead_days -> Nullable<Int4>,
        processing_lead_days -> Nullable<Int4>,
        safety_buffer_days -> Nullable<Int4>,
        total_lead_days -> Nullable<Int4>,
        lead_time_source -> Text,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    carrier_webhook_deliveries (id) {
        id -> Uuid,
        carrier -> Text,
        event_id -> Nullable<Text>,
        tracking_number -> Nullable<Text>,
        payload -> Text,
        result -> Text,
        reason -> Nullable<Text>,
        shipment_id -> Nullable<Uuid>,
        shipment_event_id -> Nullable<Uuid>,
        received_at -> Timestamptz,
    }
}

diesel::table! {
    activity_events (id) {
        id -> Int8,
        client_id -> Uuid,
        #[sql_name = "type"]
        type_ -> Text,
        subject_id -> Nullable<Uuid>,
        payload -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    job_runs (id) {
        id -> Int8,
        job -> Text,
        started_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        rows -> Nullable<Int8>,
        outcome -> Text,
        error -> Nullable<Text>,
        instance -> Text,
    }
}
