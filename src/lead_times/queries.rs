//! Every SQL statement of lead times. Errors stay Diesel's (or the feature's); handlers map
//! them to HTTP.

use chrono::{NaiveDate, Utc};
use diesel::{
    prelude::*,
    result::Error as DieselError,
    sql_types::{self, BigInt, Date, Integer, Nullable, Text},
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use std::sync::LazyLock;
use uuid::Uuid;

use super::{
    alerts::{AlertKey, AlertQuery, AlertRow, DEFAULT_WITHIN_DAYS, REVIEW_CYCLE_DAYS},
    types::{AppliedDefaults, LeadTimeChanges, RecalcCounts},
};
use crate::{
    activity::{self, Activity, types::AlertFigures},
    db::{errors::violates, prepared::Sql, schema::products},
    http::{error::ApiError, pagination::PageRequest},
    products::types::Product,
};

/// The guide's check on the lead-time columns (20251215000005).
pub const LEAD_DAYS_CHECK: &str = "products_total_lead_days_check";

/// A lead-time write the database refused: its check constraint is the caller's bad input
/// (validation should have caught it first, so this is the safety net), never a 500.
pub fn write_error(e: DieselError) -> ApiError {
    if violates(&e, LEAD_DAYS_CHECK) {
        return ApiError::invalid(
            "lead_times",
            "lead times must be whole days of at least 0 (and at most 3650)",
        );
    }
    ApiError::from_query(e, "product")
}

/// Writes the named lead-time columns in one UPDATE (only those change, so a concurrent edit
/// of another column is not overwritten); the trigger recomputes `total_lead_days`. A request
/// naming nothing changes nothing. `NotFound`: no such product of this client.
pub async fn update_lead_times(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    product_id: Uuid,
    changes: &LeadTimeChanges,
) -> Result<Product, ApiError> {
    let target = products::table.filter(
        products::id
            .eq(product_id)
            .and(products::client_id.eq(client_id)),
    );
    let result = if changes.is_empty() {
        target.select(Product::as_select()).first(conn).await
    } else {
        diesel::update(target)
            .set((changes, products::updated_at.eq(Utc::now())))
            .returning(Product::as_returning())
            .get_result(conn)
            .await
    };
    result.map_err(write_error)
}

/// The set-based recalculation; what it computes and why it is shaped so is at the top of
/// the file and in `docs/lead-times.md`. Public for the demo seed, which runs it in its own
/// transaction.
pub const RECALCULATE_SQL: &str = include_str!("recalculate.sql");

/// Recomputes the stockout and order-by dates (and their inputs) as of `as_of`, over the
/// `window_days` days ending with it: of one product, one client, or every client (`None`).
/// One statement: atomic, idempotent, safe beside another run and the API's writers. The
/// same statement answers the reorder alerts it raised or resolved (before: its snapshot,
/// after: what it computed), recorded for the live stream in the same transaction (a
/// savepoint inside the caller's).
pub async fn recalculate(
    conn: &mut AsyncPgConnection,
    as_of: NaiveDate,
    window_days: i32,
    client_id: Option<Uuid>,
    product_id: Option<Uuid>,
) -> QueryResult<RecalcCounts> {
    conn.transaction(async |conn| {
        if product_id.is_none() {
            lock_scope(conn, client_id).await?;
        }
        let row: RecalcRow = diesel::sql_query(RECALCULATE_SQL)
            .bind::<Date, _>(as_of)
            .bind::<Integer, _>(window_days)
            .bind::<Nullable<sql_types::Uuid>, _>(client_id)
            .bind::<Nullable<sql_types::Uuid>, _>(product_id)
            .bind::<Integer, _>(ALERT_WITHIN_DAYS)
            .get_result(conn)
            .await?;
        let events = row.alert_events()?;
        activity::record_all(conn, &events).await?;
        Ok(row.counts)
    })
    .await
}

/// The class of the lead-time writers' advisory locks (`pg_advisory_xact_lock(int, int)`, a
/// key space apart from the jobs' and the outbox's one-bigint locks): key 0 stands for every
/// client, a client's key is `hashtext` of its id.
const WRITERS_LOCK_CLASS: i32 = 0x4c54; // "LT"

/// `work_mem` for a run over every client, for the transaction only. Its hash of demand per
/// product and its sorts are as big as the products (about 230 MB at 1 000 000): with the
/// default 4 MB they spill to disk in hundreds of batches, and the spilled hash join scatters
/// the rewrite over the table, which made ten times the products cost 13 times the time.
const ALL_CLIENTS_WORK_MEM: &str = "256MB";

/// Serializes the multi-row writers of one client's products (a recalculation of the client
/// or of every client, applying the client's defaults) until the transaction ends: a run
/// over every client takes key 0 exclusively, a client's run key 0 shared and the client's
/// key exclusively. So they never overlap on a product and may lock rows in physical order
/// (cheap at scale, see recalculate.sql) without any risk of deadlock between them; runs for
/// different clients go side by side. A one-product recalculation takes none: it locks one
/// row, and runs inside a lead-time PATCH that already holds that row, so waiting for a
/// client's lock there could deadlock with the client's run waiting for the row.
async fn lock_scope(conn: &mut AsyncPgConnection, client_id: Option<Uuid>) -> QueryResult<()> {
    match client_id {
        None => {
            diesel::sql_query(
                "SELECT pg_advisory_xact_lock($1, 0), set_config('work_mem', $2, true)",
            )
            .bind::<Integer, _>(WRITERS_LOCK_CLASS)
            .bind::<Text, _>(ALL_CLIENTS_WORK_MEM)
            .execute(conn)
            .await?
        }
        Some(client) => {
            diesel::sql_query(
                "SELECT pg_advisory_xact_lock_shared($1, 0), \
                        pg_advisory_xact_lock($1, hashtext($2::text))",
            )
            .bind::<Integer, _>(WRITERS_LOCK_CLASS)
            .bind::<sql_types::Uuid, _>(client)
            .execute(conn)
            .await?
        }
    };
    Ok(())
}

/// The window of "alerting" for the live stream's raised/resolved events: the alert list's
/// default `within_days`.
const ALERT_WITHIN_DAYS: i32 = DEFAULT_WITHIN_DAYS as i32;

/// [`RECALCULATE_SQL`]'s one row: the counts, and the alert changes as a JSON array (NULL
/// when none changed).
#[derive(QueryableByName)]
struct RecalcRow {
    #[diesel(embed)]
    counts: RecalcCounts,
    #[diesel(sql_type = Nullable<Text>)]
    alert_changes: Option<String>,
}

/// One element of `alert_changes`.
#[derive(Deserialize)]
struct AlertChange {
    product_id: Uuid,
    client_id: Uuid,
    sku: String,
    last_order_by_date: Option<NaiveDate>,
    projected_stockout_date: Option<NaiveDate>,
    raised: bool,
}

impl RecalcRow {
    fn alert_events(&self) -> QueryResult<Vec<Activity>> {
        let Some(json) = &self.alert_changes else {
            return Ok(Vec::new());
        };
        let changes: Vec<AlertChange> = serde_json::from_str(json)
            .map_err(|e| DieselError::DeserializationError(Box::new(e)))?;
        Ok(changes.into_iter().map(AlertChange::into_event).collect())
    }
}

impl AlertChange {
    fn into_event(self) -> Activity {
        let client_id = self.client_id;
        let alert = AlertFigures {
            product_id: self.product_id,
            sku: self.sku,
            last_order_by_date: self.last_order_by_date,
            projected_stockout_date: self.projected_stockout_date,
            within_days: ALERT_WITHIN_DAYS,
        };
        if self.raised {
            Activity::ReorderAlertRaised { client_id, alert }
        } else {
            Activity::ReorderAlertResolved { client_id, alert }
        }
    }
}

const APPLY_DEFAULTS_SQL: &str = include_str!("apply_client_defaults.sql");

/// Stores the client's default lead times into its products that have none, in one
/// statement; says how many changed and whether the client has any default.
pub async fn apply_client_defaults(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
) -> QueryResult<AppliedDefaults> {
    conn.transaction(async |conn| {
        lock_scope(conn, Some(client_id)).await?;
        diesel::sql_query(APPLY_DEFAULTS_SQL)
            .bind::<sql_types::Uuid, _>(client_id)
            .get_result(conn)
            .await
    })
    .await
}

/// The alert page statement with the EOQ statement of the financial feature spliced in as a
/// per-row LATERAL subquery (its `$1`, `$2`, `$3` become the row's product, its client and
/// this statement's `$2`, today), so the EOQ formula stays written once.
fn alerts_sql() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let eoq = EOQ_SQL
            .replace("$1", "page.product_id")
            .replace("$2", "page.client_id")
            .replace("$3", "$2");
        let template = include_str!("reorder_alerts.sql");
        assert!(
            template.contains(EOQ_SLOT),
            "reorder_alerts.sql has its EOQ slot"
        );
        template.replace(EOQ_SLOT, &eoq)
    });
    &SQL
}

const EOQ_SLOT: &str = "/* product_eoq.sql */";

/// The financial feature's EOQ statement (`GET …/products/{product_id}/eoq` runs the same file).
const EOQ_SQL: &str = include_str!("../financial/eoq/product_eoq.sql");

/// One page of a client's reorder alerts, soonest order-by date first.
pub async fn reorder_alerts(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    today: NaiveDate,
    query: &AlertQuery,
    page: &PageRequest<AlertKey>,
) -> QueryResult<Vec<AlertRow>> {
    // Kept prepared on the connection: planning this statement (it carries EOQ's) on every
    // request cost more than running it.
    static ALERTS: LazyLock<Sql> = LazyLock::new(|| Sql::new(alerts_sql()));
    ALERTS
        .query()
        .bind::<sql_types::Uuid, _>(client_id)
        .bind::<Date, _>(today)
        .bind::<Integer, _>(query.within_days)
        .bind::<Nullable<Text>, _>(query.status)
        .bind::<Nullable<Date>, _>(page.after.map(|k| k.0))
        .bind::<Nullable<sql_types::Uuid>, _>(page.after.map(|k| k.1))
        .bind::<BigInt, _>(page.fetch())
        .bind::<Integer, _>(REVIEW_CYCLE_DAYS)
        .load(conn)
        .await
}
