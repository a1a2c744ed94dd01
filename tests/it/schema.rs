//! Every object the migration guide names exists with its exact name and rule, and the
//! database enforces what the guide says it enforces.

use crate::common::{
    TestDb,
    builders::{Fixture, NewClient, NewOrder, NewProduct, NewShipment},
};

/// `00000000-0000-0000-0000-0000000000{n:02x}`: fixed ids that read well in a failure.
fn id(n: u8) -> uuid::Uuid {
    uuid::Uuid::from_u128(u128::from(n))
}

#[tokio::test(flavor = "multi_thread")]
async fn guide_indexes_exist_with_their_uniqueness() {
    let db = TestDb::migrated().await;
    let expected = [
        ("budgets_client_id_period_start_idx", false),
        ("budgets_product_id_idx", false),
        ("cost_tracking_client_id_product_id_period_key", true),
        ("cost_tracking_period_idx", false),
        ("shipments_order_request_id_idx", false),
        ("shipments_client_id_status_idx", false),
        ("shipments_tracking_number_idx", false),
        ("shipment_events_shipment_id_event_time_idx", false),
        ("benchmark_participation_client_id_key", true),
        ("benchmark_participation_anonymous_id_key", true),
        ("benchmark_participation_cohort_is_participating_idx", false),
        ("benchmark_snapshots_cohort_period_key", true),
        ("benchmark_snapshots_period_idx", false),
        ("dashboard_layouts_user_id_idx", false),
        ("dashboard_layouts_user_id_is_default_idx", false),
        ("user_preferences_user_id_key", true),
    ];
    let client = db.client().await;
    for (name, unique) in expected {
        let row = client
            .query_opt(
                "SELECT ix.indisunique FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid \
                 WHERE i.relname = $1",
                &[&name],
            )
            .await
            .expect("query");
        let row = row.unwrap_or_else(|| panic!("index {name} is missing"));
        assert_eq!(row.get::<_, bool>(0), unique, "uniqueness of {name}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn guide_foreign_keys_have_their_delete_rules() {
    let db = TestDb::migrated().await;
    // (table, column, referenced table, pg_constraint.confdeltype)
    let expected = [
        ("budgets", "client_id", "clients", "c"),
        ("budgets", "product_id", "products", "c"),
        ("cost_tracking", "client_id", "clients", "c"),
        ("cost_tracking", "product_id", "products", "c"),
        ("shipments", "order_request_id", "order_requests", "c"),
        ("shipments", "client_id", "clients", "r"),
        ("shipment_events", "shipment_id", "shipments", "c"),
        ("shipment_items", "shipment_id", "shipments", "c"),
        ("shipment_items", "product_id", "products", "r"),
        (
            "shipment_items",
            "order_request_item_id",
            "order_request_items",
            "n",
        ),
        ("benchmark_participation", "client_id", "clients", "c"),
        ("dashboard_layouts", "user_id", "users", "c"),
        ("user_preferences", "user_id", "users", "c"),
    ];
    let client = db.client().await;
    for (table, column, target, rule) in expected {
        let row = client
            .query_opt(
                "SELECT c.confrelid::regclass::text AS target, c.confdeltype::text AS rule \
                 FROM pg_constraint c \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
                 WHERE c.contype = 'f' AND c.conrelid = $1::text::regclass AND a.attname = $2",
                &[&table, &column],
            )
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("no foreign key on {table}.{column}"));
        assert_eq!(row.get::<_, String>("target"), target, "{table}.{column}");
        assert_eq!(
            row.get::<_, String>("rule"),
            rule,
            "delete rule of {table}.{column}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn guide_functions_triggers_constraint_and_comments_exist() {
    let db = TestDb::migrated().await;
    let client = db.client().await;
    for (function, table) in [
        ("update_budgets_updated_at", "budgets"),
        ("update_shipments_updated_at", "shipments"),
        (
            "update_benchmark_participation_updated_at",
            "benchmark_participation",
        ),
        ("update_dashboard_layouts_updated_at", "dashboard_layouts"),
        ("update_user_preferences_updated_at", "user_preferences"),
        ("calculate_total_lead_days", "products"),
    ] {
        let row = client
            .query_one(
                "SELECT count(*) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid \
                 WHERE p.proname = $1 AND t.tgrelid = $2::text::regclass AND NOT t.tgisinternal",
                &[&function, &table],
            )
            .await
            .expect("query");
        assert_eq!(row.get::<_, i64>(0), 1, "{function}() fires on {table}");
    }
    let trigger = client
        .query_one(
            "SELECT count(*) FROM pg_trigger WHERE tgname = 'calculate_product_total_lead_days' \
             AND tgrelid = 'products'::regclass",
            &[],
        )
        .await
        .expect("query");
    assert_eq!(trigger.get::<_, i64>(0), 1);
    let constraint = client
        .query_one(
            "SELECT count(*) FROM pg_constraint WHERE conname = 'products_total_lead_days_check' \
             AND contype = 'c'",
            &[],
        )
        .await
        .expect("query");
    assert_eq!(constraint.get::<_, i64>(0), 1);
    for column in [
        "supplier_lead_days",
        "shipping_lead_days",
        "processing_lead_days",
        "safety_buffer_days",
        "total_lead_days",
        "lead_time_source",
        "projected_stockout_date",
        "last_order_by_date",
        "timing_last_calculated",
    ] {
        let row = client
            .query_one(
                "SELECT col_description('products'::regclass, a.attnum) FROM pg_attribute a \
                 WHERE a.attrelid = 'products'::regclass AND a.attname = $1",
                &[&column],
            )
            .await
            .expect("query");
        let comment: Option<String> = row.get(0);
        assert!(
            comment.is_some_and(|c| !c.is_empty()),
            "products.{column} has a comment"
        );
    }
    // Money is NUMERIC, JSON is JSONB.
    for (table, column, ty) in [
        ("products", "unit_cost", "numeric"),
        ("products", "unit_price", "numeric"),
        ("products", "reorder_cost", "numeric"),
        ("products", "holding_cost_rate", "numeric"),
        ("budgets", "budgeted_amount", "numeric"),
        ("cost_tracking", "total_cost", "numeric"),
        ("shipment_events", "raw_data", "jsonb"),
        ("dashboard_layouts", "widgets", "jsonb"),
        ("benchmark_snapshots", "metrics", "jsonb"),
    ] {
        let row = client
            .query_one(
                "SELECT data_type FROM information_schema.columns \
                 WHERE table_name = $1 AND column_name = $2",
                &[&table, &column],
            )
            .await
            .expect("query");
        assert_eq!(row.get::<_, String>(0), ty, "{table}.{column}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn total_lead_days_is_computed_and_no_part_may_be_negative() {
    let db = TestDb::migrated().await;
    let client = db.client().await;
    let conn = &mut db.diesel().await;
    let acme = NewClient::named("Acme")
        .id(id(0x01))
        .industry(None)
        .insert(conn)
        .await;
    NewProduct::new(acme, "A")
        .id(id(0xa1))
        .lead_days(Some(3), Some(4), Some(5))
        .insert(conn)
        .await;
    NewProduct::new(acme, "B").id(id(0xa2)).insert(conn).await;
    let total = |sku: &'static str| {
        let client = &client;
        async move {
            client
                .query_one(
                    "SELECT total_lead_days FROM products WHERE sku = $1",
                    &[&sku],
                )
                .await
                .expect("select")
                .get::<_, Option<i32>>(0)
        }
    };
    assert_eq!(total("A").await, Some(12));
    assert_eq!(total("B").await, None, "no parts, no total");
    client
        .batch_execute(
            "UPDATE products SET safety_buffer_days = 2, total_lead_days = 999 WHERE sku = 'A'",
        )
        .await
        .expect("update");
    assert_eq!(
        total("A").await,
        Some(14),
        "the trigger overrides a written total"
    );

    for column in [
        "supplier_lead_days",
        "shipping_lead_days",
        "processing_lead_days",
        "safety_buffer_days",
    ] {
        let err = client
            .batch_execute(&format!(
                "UPDATE products SET {column} = -1 WHERE sku = 'A'"
            ))
            .await
            .expect_err("negative lead time");
        let db_err = err.as_db_error().expect("db error");
        assert_eq!(
            db_err.constraint(),
            Some("products_total_lead_days_check"),
            "{column}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_rules_protect_shipped_history() {
    let db = TestDb::migrated().await;
    let client = db.client().await;
    let conn = &mut db.diesel().await;
    let acme = NewClient::named("Acme")
        .id(id(0x01))
        .industry(None)
        .insert(conn)
        .await;
    let product = NewProduct::new(acme, "A").id(id(0xa1)).insert(conn).await;
    let order = NewOrder::new(acme)
        .id(id(0xb1))
        .item_with_id(id(0xc1), product, 5)
        .insert(conn)
        .await;
    NewShipment::new(acme, order.id, "ups")
        .id(id(0xd1))
        .item(product, Some(order.items[0]), 5)
        .insert(conn)
        .await;
    let err = client
        .batch_execute("DELETE FROM clients")
        .await
        .expect_err("RESTRICT");
    assert_eq!(
        err.as_db_error().and_then(|e| e.constraint()),
        Some("shipments_client_id_fkey")
    );
    let err = client
        .batch_execute("DELETE FROM products")
        .await
        .expect_err("RESTRICT");
    assert_eq!(
        err.as_db_error().and_then(|e| e.constraint()),
        Some("shipment_items_product_id_fkey")
    );
    client
        .batch_execute("DELETE FROM order_request_items")
        .await
        .expect("SET NULL lets the order line go");
    let row = client
        .query_one(
            "SELECT order_request_item_id IS NULL FROM shipment_items",
            &[],
        )
        .await
        .expect("select");
    assert!(row.get::<_, bool>(0));
}
