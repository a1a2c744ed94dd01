//! The migrations themselves: every down.sql undoes its up.sql exactly, reverting the guide's
//! five leaves the core as it was, a failing migration leaves nothing behind, and drift is seen.

use std::path::{Path, PathBuf};

use crate::common::TestDb;
use fulfillment_ops::db::migrations::{
    self, Catalog, MigrationError, MigrationState, Migrator, RevertTarget,
};

const CORE: &str = "20251201000000";

fn migrations_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations")
}

/// A migrations folder of the test's own: the core migration plus the given extra ones.
fn staged_migrations(extra: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let core = "20251201000000_create_core_schema";
    std::fs::create_dir(dir.path().join(core)).expect("mkdir");
    for file in ["up.sql", "down.sql"] {
        std::fs::copy(
            migrations_dir().join(core).join(file),
            dir.path().join(core).join(file),
        )
        .expect("copy core migration");
    }
    for (folder, up, down) in extra {
        std::fs::create_dir(dir.path().join(folder)).expect("mkdir");
        std::fs::write(dir.path().join(folder).join("up.sql"), up).expect("write up");
        std::fs::write(dir.path().join(folder).join("down.sql"), down).expect("write down");
    }
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn embedded_catalog_has_the_core_and_the_guides_five_migrations() {
    let names: Vec<String> = Catalog::embedded()
        .migrations()
        .iter()
        .map(|m| m.name.clone())
        .collect();
    assert_eq!(
        names,
        [
            "20251201000000_create_core_schema",
            "20251215000001_add_financial_tracking",
            "20251215000002_add_shipment_tracking",
            "20251215000003_add_benchmarking",
            "20251215000004_add_dashboard_personalization",
            "20251215000005_add_product_lead_times",
            "20251216000001_add_demand_rules",
            "20251217000001_add_shipment_tracking_support",
        ]
    );
    for m in Catalog::embedded().migrations() {
        assert_eq!(m.checksum.len(), 64, "{} has a sha256 checksum", m.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_down_sql_restores_the_schema_exactly_and_up_down_up_round_trips() {
    let db = TestDb::empty().await;
    let catalog = Catalog::embedded();
    let migrator = Migrator::new(&catalog, &db.url, "round-trip");

    migrator.run_pending().await.expect("all up");
    let all_up = db.schema_dump();
    let reverted = migrator
        .revert(RevertTarget::To("0".into()))
        .await
        .expect("all down");
    assert_eq!(reverted.len(), catalog.migrations().len());
    let nothing = db.schema_dump();
    assert!(
        !nothing.contains("CREATE TABLE public.clients"),
        "all down leaves no application table"
    );

    for m in catalog.migrations() {
        let before = db.schema_dump();
        migrator.run_up_to(Some(&m.version)).await.expect("up");
        let after_up = db.schema_dump();
        assert_ne!(before, after_up, "{} changes the schema", m.name);
        migrator.revert(RevertTarget::Last).await.expect("down");
        let after_down = db.schema_dump();
        assert!(
            before == after_down,
            "{}: down.sql does not restore the schema before up.sql:\n{}",
            m.name,
            diff(&before, &after_down)
        );
        migrator
            .run_up_to(Some(&m.version))
            .await
            .expect("up again");
    }
    let all_up_again = db.schema_dump();
    assert!(
        all_up == all_up_again,
        "up/down/up differs:\n{}",
        diff(&all_up, &all_up_again)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reverting_the_guides_five_migrations_leaves_the_core_schema_exactly() {
    let db = TestDb::empty().await;
    let catalog = Catalog::embedded();
    let migrator = Migrator::new(&catalog, &db.url, "revert-five");
    migrator.run_up_to(Some(CORE)).await.expect("core");
    let core_only = db.schema_dump();
    migrator
        .run_up_to(Some("20251215000005"))
        .await
        .expect("guide migrations");
    for _ in 0..5 {
        migrator.revert(RevertTarget::Last).await.expect("revert");
    }
    let after = db.schema_dump();
    assert!(core_only == after, "{}", diff(&core_only, &after));
    let err = Migrator::new(&catalog, &db.url, "revert-five")
        .revert(RevertTarget::To("20251215000003".into()))
        .await
        .expect_err("cannot revert to a version that is not applied");
    assert!(err.to_string().contains("not applied"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_migration_names_itself_and_leaves_the_database_as_before_it() {
    let db = TestDb::empty().await;
    let staged = staged_migrations(&[(
        "20251215000001_broken_feature",
        "CREATE TABLE half_done (id INT);\nALTER TABLE products ADD COLUMN half_column INT;\n\
         SELECT * FROM table_that_does_not_exist;\n",
        "DROP TABLE half_done;",
    )]);
    let catalog = Catalog::from_dir(staged.path()).expect("catalog");
    let err = Migrator::new(&catalog, &db.url, "failing")
        .run_pending()
        .await
        .expect_err("the broken migration fails");
    match &err {
        MigrationError::Failed { name, error, .. } => {
            assert_eq!(name, "20251215000001_broken_feature");
            assert!(error.contains("table_that_does_not_exist"), "{error}");
        }
        other => panic!("expected a failed migration, got {other}"),
    }
    assert!(err.to_string().contains("20251215000001_broken_feature"));

    let client = db.client().await;
    let row = client
        .query_one(
            "SELECT to_regclass('half_done') IS NULL AS no_table, \
                    to_regclass('products') IS NOT NULL AS core, \
                    NOT EXISTS (SELECT 1 FROM information_schema.columns \
                                WHERE table_name = 'products' AND column_name = 'half_column') AS no_column",
            &[],
        )
        .await
        .expect("inspect");
    assert!(
        row.get::<_, bool>("no_table"),
        "the failed migration's table was rolled back"
    );
    assert!(
        row.get::<_, bool>("no_column"),
        "the failed migration's column was rolled back"
    );
    assert!(
        row.get::<_, bool>("core"),
        "the migration before it stays applied"
    );

    let report = migrations::status(&mut db.diesel().await, &catalog)
        .await
        .expect("status");
    let broken = &report.migrations[1];
    assert_eq!(broken.state, MigrationState::Pending);
    let failure = broken
        .last_failure
        .as_ref()
        .expect("the failure is in the ledger");
    assert!(
        failure
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("table_that_does_not_exist")
    );
    assert_eq!(failure.instance_id, "failing");

    // Fixed, it applies, and the failure is no longer reported.
    std::fs::write(
        staged.path().join("20251215000001_broken_feature/up.sql"),
        "CREATE TABLE half_done (id INT);",
    )
    .expect("fix");
    let fixed = Catalog::from_dir(staged.path()).expect("catalog");
    let applied = Migrator::new(&fixed, &db.url, "fixed")
        .run_pending()
        .await
        .expect("applies once fixed");
    assert_eq!(applied.len(), 1);
    let report = migrations::status(&mut db.diesel().await, &fixed)
        .await
        .expect("status");
    assert!(report.summary.up_to_date);
    assert!(report.migrations[1].last_failure.is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_applied_migration_whose_sql_changed_is_reported_modified() {
    let db = TestDb::empty().await;
    let staged = staged_migrations(&[(
        "20251215000001_add_notes",
        "CREATE TABLE notes (id INT);",
        "DROP TABLE notes;",
    )]);
    let catalog = Catalog::from_dir(staged.path()).expect("catalog");
    Migrator::new(&catalog, &db.url, "drift")
        .run_pending()
        .await
        .expect("apply");
    std::fs::write(
        staged.path().join("20251215000001_add_notes/up.sql"),
        "CREATE TABLE notes (id INT, body TEXT);",
    )
    .expect("edit");
    let edited = Catalog::from_dir(staged.path()).expect("catalog");
    let report = migrations::status(&mut db.diesel().await, &edited)
        .await
        .expect("status");
    let notes = &report.migrations[1];
    assert_eq!(notes.state, MigrationState::Modified);
    assert_ne!(notes.checksum, notes.applied_checksum);
    assert_eq!(report.summary.modified_count, 1);
    assert!(!report.summary.up_to_date);
    assert_eq!(report.migrations[0].state, MigrationState::Applied);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_migration_applied_by_a_newer_release_is_reported_unknown() {
    let db = TestDb::empty().await;
    let newer = staged_migrations(&[(
        "20251215000009_from_the_future",
        "CREATE TABLE future (id INT);",
        "DROP TABLE future;",
    )]);
    let catalog = Catalog::from_dir(newer.path()).expect("catalog");
    Migrator::new(&catalog, &db.url, "newer-release")
        .run_pending()
        .await
        .expect("apply");
    let older = staged_migrations(&[]);
    let older_catalog = Catalog::from_dir(older.path()).expect("catalog");
    let report = migrations::status(&mut db.diesel().await, &older_catalog)
        .await
        .expect("status");
    let future = report
        .migrations
        .iter()
        .find(|m| m.version == "20251215000009")
        .expect("listed");
    assert_eq!(future.state, MigrationState::Unknown);
    assert_eq!(
        future.name.as_deref(),
        Some("20251215000009_from_the_future")
    );
    assert_eq!(future.applied_by.as_deref(), Some("newer-release"));
    assert_eq!(report.summary.unknown_count, 1);
    assert_eq!(
        report.summary.current_version.as_deref(),
        Some("20251215000009")
    );
    assert!(
        report.summary.up_to_date,
        "unknown migrations alone do not make a database stale"
    );

    let err = Migrator::new(&older_catalog, &db.url, "older-release")
        .revert(RevertTarget::Last)
        .await
        .expect_err("cannot revert what the binary does not have");
    assert!(err.to_string().contains("not in this binary"), "{err}");
}

/// Two schema dumps' differing lines, for readable failures.
fn diff(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let only_a: Vec<&&str> = la.iter().filter(|l| !lb.contains(l)).collect();
    let only_b: Vec<&&str> = lb.iter().filter(|l| !la.contains(l)).collect();
    format!("only before: {only_a:#?}\nonly after: {only_b:#?}")
}
