//! Budget crossings for the live stream: which budgets an aggregation moved into `over` or
//! projected `over`. Detected where actuals change — the cost aggregation (API and job) —
//! by reading every affected budget's status before it writes and comparing after, in the
//! same transaction, with the variance statement itself (so the rule is not restated).
//! A budget whose amount is lowered, or whose projection crosses only because days passed,
//! is announced by the next aggregation of its month (the daily `aggregate_costs` job).

use std::sync::LazyLock;

use bigdecimal::BigDecimal;
use chrono::NaiveDate;
use diesel::{
    prelude::*,
    sql_types::{Array, Bool, Date, Nullable, Numeric, Text, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::{
    activity::{Activity, types::BudgetFigures},
    http::decimal::Decimal,
};

const SLOT: &str = "/* budget_variance.sql */";

/// `budget_variance.sql` with each client filter widened so that a NULL `$1` reads every
/// client (the daily job aggregates all at once). The report itself keeps the strict
/// `client_id = $1` filters, so its prepared generic plan can use the client indexes; these
/// statements run as `sql_query`, planned with their values, where `NULL IS NULL` folds away.
fn variance_sql() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let mut sql = include_str!("budget_variance.sql").to_owned();
        for alias in ["b", "p", "ct"] {
            let strict = format!("{alias}.client_id = $1::uuid");
            assert_eq!(
                sql.matches(&strict).count(),
                1,
                "budget_variance.sql filters {alias} on $1 once"
            );
            sql = sql.replace(&strict, &format!("($1::uuid IS NULL OR {strict})"));
        }
        sql
    });
    &SQL
}

/// The statuses of the budgets overlapping `[from, to]`, as the variance report answers them.
fn before_sql() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT v.budget_id, v.status, v.projected_status FROM ({}) v",
            variance_sql()
        )
    });
    &SQL
}

fn crossings_sql() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let template = include_str!("crossings.sql");
        assert!(
            template.contains(SLOT),
            "crossings.sql has its variance slot"
        );
        template.replace(SLOT, variance_sql())
    });
    &SQL
}

#[derive(QueryableByName)]
struct Status {
    #[diesel(sql_type = SqlUuid)]
    budget_id: Uuid,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Text>)]
    projected_status: Option<String>,
}

#[derive(QueryableByName)]
struct Crossing {
    #[diesel(sql_type = SqlUuid)]
    client_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    budget_id: Uuid,
    #[diesel(sql_type = Date)]
    period_start: NaiveDate,
    #[diesel(sql_type = Date)]
    period_end: NaiveDate,
    #[diesel(sql_type = Numeric)]
    budgeted_amount: Decimal,
    #[diesel(sql_type = Numeric)]
    actual_amount: Decimal,
    #[diesel(sql_type = Nullable<Numeric>)]
    projected_amount: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    variance_percent: Option<Decimal>,
    #[diesel(sql_type = Bool)]
    actual_over: bool,
}

/// Which budgets of one client (or all) overlapping a window are how far, before a change.
pub struct Window<'a> {
    pub client_id: Option<Uuid>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: NaiveDate,
    pub tolerance: &'a BigDecimal,
}

/// The statuses before: `(budget ids, statuses, projected statuses)`.
pub struct Before(Vec<Uuid>, Vec<String>, Vec<Option<String>>);

pub async fn statuses(conn: &mut AsyncPgConnection, w: &Window<'_>) -> QueryResult<Before> {
    let rows: Vec<Status> = diesel::sql_query(before_sql())
        .bind::<Nullable<SqlUuid>, _>(w.client_id)
        .bind::<Nullable<Date>, _>(Some(w.from))
        .bind::<Nullable<Date>, _>(Some(w.to))
        .bind::<Date, _>(w.as_of)
        .bind::<Numeric, _>(w.tolerance)
        .load(conn)
        .await?;
    let mut before = Before(Vec::new(), Vec::new(), Vec::new());
    for r in rows {
        before.0.push(r.budget_id);
        before.1.push(r.status);
        before.2.push(r.projected_status);
    }
    Ok(before)
}

/// The crossings since `before`, as events to record.
pub async fn crossings(
    conn: &mut AsyncPgConnection,
    w: &Window<'_>,
    before: &Before,
) -> QueryResult<Vec<Activity>> {
    let rows: Vec<Crossing> = diesel::sql_query(crossings_sql())
        .bind::<Nullable<SqlUuid>, _>(w.client_id)
        .bind::<Nullable<Date>, _>(Some(w.from))
        .bind::<Nullable<Date>, _>(Some(w.to))
        .bind::<Date, _>(w.as_of)
        .bind::<Numeric, _>(w.tolerance)
        .bind::<Array<SqlUuid>, _>(&before.0)
        .bind::<Array<Text>, _>(&before.1)
        .bind::<Array<Nullable<Text>>, _>(&before.2)
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let figures = BudgetFigures {
                budget_id: r.budget_id,
                period_start: r.period_start,
                period_end: r.period_end,
                budgeted_amount: r.budgeted_amount,
                actual_amount: r.actual_amount,
                projected_amount: r.projected_amount,
                variance_percent: r.variance_percent,
            };
            let client_id = r.client_id;
            if r.actual_over {
                Activity::BudgetOver { client_id, figures }
            } else {
                Activity::BudgetProjectedOver { client_id, figures }
            }
        })
        .collect())
}
