//! Every SQL statement of financial tracking.
//!
//! What computes (the monthly aggregation, budget variance, EOQ) runs in PostgreSQL as one
//! set-based statement each, in NUMERIC: no money passes through a float, and rounding to cents
//! happens once, where a figure is stored or answered. `docs/financial.md` states each formula
//! with its inputs; the SQL below is the implementation of exactly those.

use bigdecimal::BigDecimal;
use chrono::{NaiveDate, Utc};
use diesel::{
    PgExpressionMethods,
    prelude::*,
    result::{DatabaseErrorKind, Error as DieselError},
    sql_types::{Date, Nullable, Numeric, Text},
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::types::{
    AggregationCounts, Budget, BudgetFields, BudgetKey, BudgetVariance, CostChanges, CostTracking,
    CostTrackingKey, EoqFigures, UpdateBudget, validate_update,
};
use crate::{
    db::schema::{budgets, cost_tracking, products},
    http::{
        error::{ApiError, ApiResult, OrNotFound},
        pagination::PageRequest,
    },
    products::{queries as product_queries, types::Product},
};

// ---------------------------------------------------------------------------------------------
// Product costs
// ---------------------------------------------------------------------------------------------

/// Writes the named cost columns and stamps `last_cost_update`, in one UPDATE (only the named
/// columns change, so a concurrent edit of another column is never overwritten). A request
/// naming nothing changes nothing and stamps nothing.
pub async fn update_costs(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    product_id: Uuid,
    changes: &CostChanges,
) -> ApiResult<Product> {
    if changes.is_empty() {
        return product_queries::get(conn, client_id, product_id)
            .await
            .or_not_found("product");
    }
    let now = Utc::now();
    let target = products::table.filter(
        products::id
            .eq(product_id)
            .and(products::client_id.eq(client_id)),
    );
    diesel::update(target)
        .set((
            changes,
            products::last_cost_update.eq(now),
            products::updated_at.eq(now),
        ))
        .returning(Product::as_returning())
        .get_result(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("product"))
}

// ---------------------------------------------------------------------------------------------
// Budgets
// ---------------------------------------------------------------------------------------------

pub struct BudgetListFilter<'a> {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub product_id: Option<Uuid>,
    pub category: Option<&'a str>,
}

/// A client's budgets by `(period_start, id)`; `from`/`to` keep those overlapping the window.
pub async fn list_budgets(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    filter: &BudgetListFilter<'_>,
    page: &PageRequest<BudgetKey>,
) -> ApiResult<Vec<Budget>> {
    let mut q = budgets::table
        .filter(budgets::client_id.eq(client_id))
        .select(Budget::as_select())
        .into_boxed();
    if let Some(from) = filter.from {
        q = q.filter(budgets::period_end.ge(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(budgets::period_start.le(to));
    }
    if let Some(product_id) = filter.product_id {
        q = q.filter(budgets::product_id.eq(product_id));
    }
    if let Some(category) = filter.category {
        q = q.filter(budgets::category.eq(category.to_owned()));
    }
    if let Some((start, id)) = page.after {
        q = q.filter(
            budgets::period_start
                .gt(start)
                .or(budgets::period_start.eq(start).and(budgets::id.gt(id))),
        );
    }
    Ok(q.order((budgets::period_start.asc(), budgets::id.asc()))
        .limit(page.fetch())
        .load(conn)
        .await?)
}

/// A budget of this client (another client's budget is "not found").
pub async fn get_budget(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
) -> ApiResult<Budget> {
    budgets::table
        .filter(budgets::id.eq(id).and(budgets::client_id.eq(client_id)))
        .select(Budget::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("budget"))
}

/// Serializes budget writes of one client until the transaction ends. The overlap rule spans
/// rows (no unique index can express it), so two writers must not both check and then both
/// insert; a transaction-scoped advisory lock on a key derived from the client id makes the
/// check-then-write atomic without locking the table, and writers of other clients never wait.
async fn lock_client_budgets(conn: &mut AsyncPgConnection, client_id: Uuid) -> ApiResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<Text, _>(format!("fulfillment-ops/budgets/{client_id}"))
        .execute(conn)
        .await?;
    Ok(())
}

/// The product must be this client's; locked (KEY SHARE) so it cannot vanish before the write.
async fn check_product(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    product_id: Option<Uuid>,
) -> ApiResult<()> {
    let Some(product_id) = product_id else {
        return Ok(());
    };
    products::table
        .filter(
            products::id
                .eq(product_id)
                .and(products::client_id.eq(client_id)),
        )
        .select(products::id)
        .for_key_share()
        .first::<Uuid>(conn)
        .await
        .optional()?
        .map(|_| ())
        .ok_or_else(|| ApiError::invalid("product_id", "no such product for this client"))
}

/// 409 when another budget of the same scope (client, product or none, category or none)
/// overlaps these dates. Run under [`lock_client_budgets`].
async fn refuse_overlap(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    fields: &BudgetFields,
    except: Option<Uuid>,
) -> ApiResult<()> {
    let mut q = budgets::table
        .filter(budgets::client_id.eq(client_id))
        .filter(budgets::product_id.is_not_distinct_from(fields.product_id))
        .filter(budgets::category.is_not_distinct_from(fields.category.clone()))
        .filter(budgets::period_start.le(fields.period_end))
        .filter(budgets::period_end.ge(fields.period_start))
        .select((budgets::id, budgets::period_start, budgets::period_end))
        .order((budgets::period_start.asc(), budgets::id.asc()))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(budgets::id.ne(id));
    }
    match q
        .first::<(Uuid, NaiveDate, NaiveDate)>(conn)
        .await
        .optional()?
    {
        None => Ok(()),
        Some((other, start, end)) => Err(ApiError::Conflict(format!(
            "overlaps budget {other} ({start} to {end}) of the same client, product and \
             category; budgets of one scope must not overlap"
        ))),
    }
}

/// Inserts a budget after checking its product and the overlap rule, in one transaction under
/// the client's budget lock.
pub async fn create_budget(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    fields: BudgetFields,
) -> ApiResult<Budget> {
    conn.transaction::<_, ApiError, _>(async move |conn| {
        lock_client_budgets(conn, client_id).await?;
        check_product(conn, client_id, fields.product_id).await?;
        refuse_overlap(conn, client_id, &fields, None).await?;
        Ok(diesel::insert_into(budgets::table)
            .values((
                budgets::client_id.eq(client_id),
                budgets::product_id.eq(fields.product_id),
                budgets::category.eq(&fields.category),
                budgets::period_start.eq(fields.period_start),
                budgets::period_end.eq(fields.period_end),
                budgets::budgeted_amount.eq(&fields.budgeted_amount),
                budgets::notes.eq(&fields.notes),
            ))
            .returning(Budget::as_returning())
            .get_result(conn)
            .await?)
    })
    .await
}

/// Applies a PATCH to the budget as it is inside the transaction (so a concurrent PATCH of
/// another field is not lost), then checks product and overlap as on create.
pub async fn update_budget(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
    body: UpdateBudget,
) -> ApiResult<Budget> {
    conn.transaction::<_, ApiError, _>(async move |conn| {
        lock_client_budgets(conn, client_id).await?;
        let current: Budget = budgets::table
            .filter(budgets::id.eq(id).and(budgets::client_id.eq(client_id)))
            .select(Budget::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or_else(|| ApiError::not_found("budget"))?;
        let (fields, v) = validate_update(&body, &current);
        v.finish()?;
        check_product(conn, client_id, fields.product_id).await?;
        refuse_overlap(conn, client_id, &fields, Some(id)).await?;
        Ok(diesel::update(budgets::table.find(id))
            .set(&fields)
            .returning(Budget::as_returning())
            .get_result(conn)
            .await?)
    })
    .await
}

pub async fn delete_budget(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    id: Uuid,
) -> ApiResult<()> {
    let target = budgets::table.filter(budgets::id.eq(id).and(budgets::client_id.eq(client_id)));
    match diesel::delete(target).execute(conn).await? {
        0 => Err(ApiError::not_found("budget")),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Variance
// ---------------------------------------------------------------------------------------------

/// Budget against actual, one row per budget overlapping `[from, to]`, in one statement.
///
/// - actual: Σ over the scope's `cost_tracking` months overlapping the budget period of
///   `total_cost × overlap_days / days_in_month`, rounded to cents once, after summing.
///   Scope: the client; the product when set; the client's products whose (current)
///   `category` is the budget's when set (both set: both apply).
/// - variance_amount = actual − budgeted; variance_percent = round(variance × 100 / budgeted,
///   2), null when budgeted = 0.
/// - status compares the answered (rounded) percent with ±tolerance, so `on_track` can be
///   checked against the figures in the same row. A zero budget is `over` once anything was
///   spent, else `on_track`.
/// - projected: before the period, null; after its last day, = actual; in between, the run
///   rate actual × total_days / elapsed_days (elapsed counts `as_of` itself, so the last day
///   gives actual).
const VARIANCE_SQL: &str = r#"
WITH scoped AS (
    SELECT b.id, b.client_id, b.product_id, b.category, b.period_start, b.period_end,
           b.budgeted_amount
    FROM budgets b
    WHERE b.client_id = $1
      AND ($2::date IS NULL OR b.period_end >= $2::date)
      AND ($3::date IS NULL OR b.period_start <= $3::date)
),
actuals AS (
    SELECT s.id,
           ROUND(COALESCE(SUM(
               ct.total_cost
               * (LEAST(s.period_end, (ct.period + INTERVAL '1 month')::date - 1)
                  - GREATEST(s.period_start, ct.period) + 1)
               / ((ct.period + INTERVAL '1 month')::date - ct.period)
           ), 0), 2) AS actual_amount
    FROM scoped s
    LEFT JOIN cost_tracking ct
           ON ct.client_id = s.client_id
          AND ct.period <= s.period_end
          AND (ct.period + INTERVAL '1 month')::date > s.period_start
          AND (s.product_id IS NULL OR ct.product_id = s.product_id)
          AND (s.category IS NULL OR EXISTS (
                   SELECT 1 FROM products p
                   WHERE p.id = ct.product_id AND p.category = s.category))
    GROUP BY s.id
),
figures AS (
    SELECT s.*, a.actual_amount,
           a.actual_amount - s.budgeted_amount AS variance_amount,
           CASE
               WHEN $4::date < s.period_start THEN NULL
               WHEN $4::date >= s.period_end THEN a.actual_amount
               ELSE ROUND(a.actual_amount * (s.period_end - s.period_start + 1)
                          / ($4::date - s.period_start + 1), 2)
           END AS projected_amount
    FROM scoped s
    JOIN actuals a ON a.id = s.id
),
percents AS (
    SELECT f.*,
           CASE WHEN f.budgeted_amount = 0 THEN NULL
                ELSE ROUND(f.variance_amount * 100 / f.budgeted_amount, 2)
           END AS variance_percent,
           CASE WHEN f.budgeted_amount = 0 OR f.projected_amount IS NULL THEN NULL
                ELSE ROUND((f.projected_amount - f.budgeted_amount) * 100 / f.budgeted_amount, 2)
           END AS projected_percent
    FROM figures f
)
SELECT p.id AS budget_id, p.period_start, p.period_end, p.product_id, p.category,
       p.budgeted_amount, p.actual_amount, p.variance_amount, p.variance_percent,
       CASE
           WHEN p.budgeted_amount = 0 THEN
               CASE WHEN p.actual_amount > 0 THEN 'over' ELSE 'on_track' END
           WHEN p.variance_percent > $5::numeric THEN 'over'
           WHEN p.variance_percent < -($5::numeric) THEN 'under'
           ELSE 'on_track'
       END AS status,
       p.projected_amount,
       CASE
           WHEN p.projected_amount IS NULL THEN NULL
           WHEN p.budgeted_amount = 0 THEN
               CASE WHEN p.projected_amount > 0 THEN 'over' ELSE 'on_track' END
           WHEN p.projected_percent > $5::numeric THEN 'over'
           WHEN p.projected_percent < -($5::numeric) THEN 'under'
           ELSE 'on_track'
       END AS projected_status
FROM percents p
ORDER BY p.period_start, p.id
"#;

pub async fn budget_variance(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    as_of: NaiveDate,
    tolerance_percent: &BigDecimal,
) -> ApiResult<Vec<BudgetVariance>> {
    Ok(diesel::sql_query(VARIANCE_SQL)
        .bind::<diesel::sql_types::Uuid, _>(client_id)
        .bind::<Nullable<Date>, _>(from)
        .bind::<Nullable<Date>, _>(to)
        .bind::<Date, _>(as_of)
        .bind::<Numeric, _>(tolerance_percent)
        .load(conn)
        .await?)
}

// ---------------------------------------------------------------------------------------------
// Monthly cost tracking
// ---------------------------------------------------------------------------------------------

/// (Re)computes one `cost_tracking` row per product for the month starting `$1`: of client `$2`,
/// or of every client when `$2` is null (the CLI job). One statement, so a run is atomic; the
/// upsert makes it idempotent, and two concurrent runs both end with one row per product (the
/// later one waits on the earlier one's rows, then overwrites them with the same figures).
/// Rows are written in `(client_id, product_id)` order, so concurrent runs, per client or for
/// all clients, take row locks in the same order and cannot deadlock.
///
/// Per product, with m = the month, W = the twelve months ending with m, UTC boundaries:
/// - demand_units = Σ quantity of its order lines whose order request (status not draft nor
///   cancelled) was created in m; demand_value = demand_units × unit_cost (0 without cost).
/// - average_stock_units = mean of its `stock_levels` readings in m, else `current_stock`.
/// - holding_cost = average_stock × unit_cost × holding_cost_rate × days(m) / 365 (0 when
///   an input is null).
/// - D (annual demand) = Σ demand over W; when the product's first counted order ever falls
///   inside W, D = that Σ × 365 / days from that order's day to m's end (at least 30, at most
///   365). S = reorder_cost, H = unit_cost × holding_cost_rate.
/// - eoq_units = √(2DS/H), eoq_annual_cost = √(2DSH), eoq_orders_per_year = D / eoq_units
///   (0 without demand); all null unless S > 0 and H > 0.
/// - order_count = ⌈demand_units / eoq_units⌉ (0 without EOQ or demand); ordering_cost =
///   order_count × S; total_cost = demand_value + holding_cost + ordering_cost.
///
/// `inputs` and `eoq` are MATERIALIZED: inlined, PostgreSQL would copy their expressions (the
/// history probe, the square roots) into every later reference and evaluate them a dozen times
/// per product.
///
/// Intermediates stay unrounded NUMERIC; each stored money figure is rounded to cents once.
/// Because demand_value and ordering_cost are whole cents already, the stored total equals the
/// sum of the stored parts.
const AGGREGATE_SQL: &str = r#"
WITH bounds AS (
    SELECT $1::date AS m_start,
           ($1::date + INTERVAL '1 month')::date AS m_end,
           ($1::date - INTERVAL '11 months')::date AS w_start
),
counted AS (
    SELECT i.product_id, i.quantity, o.created_at,
           o.created_at >= b.m_start::timestamp AT TIME ZONE 'UTC' AS in_month
    FROM order_requests o
    JOIN order_request_items i ON i.order_request_id = o.id
    CROSS JOIN bounds b
    WHERE o.status NOT IN ('draft', 'cancelled')
      AND ($2::uuid IS NULL OR o.client_id = $2::uuid)
      AND o.created_at >= b.w_start::timestamp AT TIME ZONE 'UTC'
      AND o.created_at < b.m_end::timestamp AT TIME ZONE 'UTC'
),
demand AS (
    SELECT c.product_id,
           COALESCE(SUM(c.quantity) FILTER (WHERE c.in_month), 0) AS month_units,
           SUM(c.quantity) AS window_units,
           MIN(c.created_at) AS first_order_at
    FROM counted c
    GROUP BY c.product_id
),
stock AS (
    SELECT s.product_id, AVG(s.quantity) AS average_units
    FROM stock_levels s
    JOIN products p ON p.id = s.product_id
    CROSS JOIN bounds b
    WHERE ($2::uuid IS NULL OR p.client_id = $2::uuid)
      AND s.recorded_on >= b.m_start
      AND s.recorded_on < b.m_end
    GROUP BY s.product_id
),
inputs AS MATERIALIZED (
    SELECT p.client_id, p.id AS product_id, b.m_start AS period,
           b.m_end - b.m_start AS days_in_month,
           COALESCE(d.month_units, 0) AS demand_units,
           COALESCE(st.average_units, p.current_stock) AS average_stock,
           p.unit_cost, p.holding_cost_rate, p.reorder_cost,
           p.unit_cost * p.holding_cost_rate AS h,
           (CASE
               WHEN d.product_id IS NULL THEN 0
               WHEN EXISTS (
                   SELECT 1
                   FROM order_request_items ei
                   JOIN order_requests eo ON eo.id = ei.order_request_id
                   WHERE ei.product_id = p.id
                     AND eo.status NOT IN ('draft', 'cancelled')
                     AND eo.created_at < b.w_start::timestamp AT TIME ZONE 'UTC'
               ) THEN d.window_units
               ELSE d.window_units * 365.0
                    / LEAST(365, GREATEST(30,
                          b.m_end - (d.first_order_at AT TIME ZONE 'UTC')::date))
           END)::numeric AS annual_demand
    FROM products p
    CROSS JOIN bounds b
    LEFT JOIN demand d ON d.product_id = p.id
    LEFT JOIN stock st ON st.product_id = p.id
    WHERE ($2::uuid IS NULL OR p.client_id = $2::uuid)
),
eoq AS MATERIALIZED (
    SELECT i.*,
           CASE WHEN i.reorder_cost > 0 AND i.h > 0
                THEN sqrt(2 * i.annual_demand * i.reorder_cost / i.h) END AS eoq_units,
           CASE WHEN i.reorder_cost > 0 AND i.h > 0
                THEN sqrt(2 * i.annual_demand * i.reorder_cost * i.h) END AS eoq_annual_cost
    FROM inputs i
),
costs AS (
    SELECT e.*,
           e.demand_units * COALESCE(e.unit_cost, 0) AS demand_value,
           COALESCE(e.average_stock * e.unit_cost * e.holding_cost_rate * e.days_in_month
                    / 365, 0) AS holding_cost,
           CASE WHEN e.eoq_units > 0 AND e.demand_units > 0
                THEN ceil(e.demand_units / e.eoq_units) ELSE 0 END AS order_count,
           CASE WHEN e.eoq_units IS NULL THEN NULL
                WHEN e.eoq_units = 0 THEN 0
                ELSE e.annual_demand / e.eoq_units END AS orders_per_year
    FROM eoq e
),
written AS (
    INSERT INTO cost_tracking AS ct (
        client_id, product_id, period, demand_units, demand_value, average_stock_units,
        unit_cost, holding_cost, order_count, ordering_cost, total_cost, eoq_units,
        eoq_orders_per_year, eoq_annual_cost, calculated_at, updated_at)
    SELECT c.client_id, c.product_id, c.period, c.demand_units, ROUND(c.demand_value, 2),
           ROUND(c.average_stock, 2), c.unit_cost, ROUND(c.holding_cost, 2), c.order_count,
           ROUND(c.order_count * COALESCE(c.reorder_cost, 0), 2),
           ROUND(c.demand_value + c.holding_cost + c.order_count * COALESCE(c.reorder_cost, 0), 2),
           ROUND(c.eoq_units, 2), ROUND(c.orders_per_year, 4), ROUND(c.eoq_annual_cost, 2),
           now(), now()
    FROM costs c
    ORDER BY c.client_id, c.product_id
    ON CONFLICT (client_id, product_id, period) DO UPDATE SET
        demand_units = EXCLUDED.demand_units,
        demand_value = EXCLUDED.demand_value,
        average_stock_units = EXCLUDED.average_stock_units,
        unit_cost = EXCLUDED.unit_cost,
        holding_cost = EXCLUDED.holding_cost,
        order_count = EXCLUDED.order_count,
        ordering_cost = EXCLUDED.ordering_cost,
        total_cost = EXCLUDED.total_cost,
        eoq_units = EXCLUDED.eoq_units,
        eoq_orders_per_year = EXCLUDED.eoq_orders_per_year,
        eoq_annual_cost = EXCLUDED.eoq_annual_cost,
        calculated_at = EXCLUDED.calculated_at,
        updated_at = EXCLUDED.updated_at
    RETURNING ct.client_id
)
SELECT count(DISTINCT w.client_id) AS clients, count(*) AS rows, now() AS calculated_at
FROM written w
"#;

/// Runs [`AGGREGATE_SQL`] for one client, or for all when `client_id` is `None`.
pub async fn aggregate_month(
    conn: &mut AsyncPgConnection,
    period: NaiveDate,
    client_id: Option<Uuid>,
) -> ApiResult<AggregationCounts> {
    diesel::sql_query(AGGREGATE_SQL)
        .bind::<Date, _>(period)
        .bind::<Nullable<diesel::sql_types::Uuid>, _>(client_id)
        .get_result(conn)
        .await
        .map_err(out_of_range)
}

/// Costs so large that a figure no longer fits its column (NUMERIC(14,2), INTEGER) come from
/// the products' data, not from a fault: a 422 that says so, not a 500.
fn out_of_range(e: DieselError) -> ApiError {
    match &e {
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
            if info.message().contains("numeric field overflow")
                || info.message().contains("out of range") =>
        {
            ApiError::invalid(
                "period",
                "a figure of this month exceeds what cost_tracking can store; check the \
                 products' costs and quantities",
            )
        }
        _ => e.into(),
    }
}

pub struct CostTrackingListFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub product_id: Option<Uuid>,
}

/// A client's monthly rows by `(period, product_id)`; a row is in `[from, to]` when its
/// period (the month's first day) is.
pub async fn list_cost_tracking(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    filter: &CostTrackingListFilter,
    page: &PageRequest<CostTrackingKey>,
) -> ApiResult<Vec<CostTracking>> {
    let mut q = cost_tracking::table
        .filter(cost_tracking::client_id.eq(client_id))
        .select(CostTracking::as_select())
        .into_boxed();
    if let Some(from) = filter.from {
        q = q.filter(cost_tracking::period.ge(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(cost_tracking::period.le(to));
    }
    if let Some(product_id) = filter.product_id {
        q = q.filter(cost_tracking::product_id.eq(product_id));
    }
    if let Some((period, product_id)) = page.after {
        q = q.filter(
            cost_tracking::period.gt(period).or(cost_tracking::period
                .eq(period)
                .and(cost_tracking::product_id.gt(product_id))),
        );
    }
    Ok(
        q.order((cost_tracking::period.asc(), cost_tracking::product_id.asc()))
            .limit(page.fetch())
            .load(conn)
            .await?,
    )
}

// ---------------------------------------------------------------------------------------------
// EOQ
// ---------------------------------------------------------------------------------------------

/// A product's EOQ over the twelve months ending with `$3` (the window `(as_of − 1 year,
/// as_of]`, UTC days), with the same demand rule as the aggregation: D = the window's counted
/// demand, annualised (× 365 / days, at least 30, at most 365) when the product's first
/// counted order falls inside the window. Inputs come back too, so the caller can name the
/// missing ones.
const EOQ_SQL: &str = r#"
WITH w AS (
    SELECT ($3::date + 1 - INTERVAL '1 year')::date AS w_start, $3::date + 1 AS w_end
),
demand AS (
    SELECT COALESCE(SUM(i.quantity) FILTER (
               WHERE o.created_at >= w.w_start::timestamp AT TIME ZONE 'UTC'), 0)::bigint
               AS window_units,
           MIN(o.created_at) AS first_order_at,
           count(*) > 0 AS has_orders
    FROM order_request_items i
    JOIN order_requests o ON o.id = i.order_request_id
    CROSS JOIN w
    WHERE i.product_id = $1
      AND o.client_id = $2
      AND o.status NOT IN ('draft', 'cancelled')
      AND o.created_at < w.w_end::timestamp AT TIME ZONE 'UTC'
),
inputs AS (
    SELECT p.unit_cost, p.reorder_cost, p.holding_cost_rate,
           p.unit_cost * p.holding_cost_rate AS h,
           w.w_end - w.w_start AS window_days,
           d.window_units, d.has_orders,
           CASE
               WHEN NOT d.has_orders
                    OR d.first_order_at < w.w_start::timestamp AT TIME ZONE 'UTC' THEN NULL
               ELSE LEAST(365, GREATEST(30, w.w_end - (d.first_order_at AT TIME ZONE 'UTC')::date))
           END AS history_days
    FROM products p
    CROSS JOIN w
    CROSS JOIN demand d
    WHERE p.id = $1 AND p.client_id = $2
),
annual AS (
    SELECT i.*,
           (CASE WHEN i.history_days IS NULL THEN i.window_units
                 ELSE i.window_units * 365.0 / i.history_days END)::numeric AS d
    FROM inputs i
),
q AS (
    SELECT a.*,
           CASE WHEN a.reorder_cost > 0 AND a.h > 0
                THEN sqrt(2 * a.d * a.reorder_cost / a.h) END AS q,
           CASE WHEN a.reorder_cost > 0 AND a.h > 0
                THEN sqrt(2 * a.d * a.reorder_cost * a.h) END AS tc
    FROM annual a
)
SELECT q.unit_cost, q.reorder_cost, q.holding_cost_rate, q.h AS holding_cost_per_unit,
       q.window_days, q.window_units, q.has_orders, q.history_days,
       ROUND(q.d, 2) AS annual_demand_units,
       ROUND(q.q, 2) AS eoq_units,
       ROUND(CASE WHEN q.q IS NULL THEN NULL WHEN q.q = 0 THEN 0 ELSE q.d / q.q END, 4)
           AS orders_per_year,
       ROUND(CASE WHEN q.q > 0 THEN 365 * q.q / q.d END, 2) AS cycle_days,
       ROUND(q.tc, 2) AS annual_total_cost
FROM q
"#;

pub async fn product_eoq(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    product_id: Uuid,
    as_of: NaiveDate,
) -> ApiResult<EoqFigures> {
    diesel::sql_query(EOQ_SQL)
        .bind::<diesel::sql_types::Uuid, _>(product_id)
        .bind::<diesel::sql_types::Uuid, _>(client_id)
        .bind::<Date, _>(as_of)
        .get_result(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("product"))
}
