//! Budget variance: `GET /api/v1/clients/{client_id}/budgets/variance`, every budget
//! overlapping a window against what its scope actually cost (the `cost_tracking` months),
//! with a run-rate projection. The handler takes [`ClientScope`], so tenancy is checked first.
//!
//! Environment: `BUDGET_TOLERANCE_PERCENT` (default 5, via [`crate::config::Config`]): a budget
//! whose variance is within ± that percent is `on_track`.

pub mod cache;
pub mod crossings;

use axum::{extract::State, response::Response};
use bigdecimal::BigDecimal;
use chrono::{NaiveDate, Utc};
use diesel::{
    prelude::*,
    sql_types::{Date, Nullable, Numeric, Text},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::tenancy::ClientScope,
    clients::types::ClientPath,
    db::prepared::Sql,
    financial::check_window,
    http::{
        conn::LazyDb,
        decimal::Decimal,
        error::{ApiResult, Problem},
        extract::Query,
        state::AppState,
    },
    text_enum,
};

use self::cache::ReportKey;

// Handler ------------------------------------------------------------------------------------

/// ± percent within which a budget's variance counts as `on_track`.
pub fn tolerance(state: &AppState) -> BigDecimal {
    state.config.budget_tolerance_percent.clone()
}

#[utoipa::path(get, path = "/api/v1/clients/{client_id}/budgets/variance", tag = "financial",
    security(("bearer" = [])), params(ClientPath, VarianceFilter),
    responses((status = 200, description = "One entry per budget overlapping the window", body = VarianceReport),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn budget_variance(
    scope: ClientScope,
    State(state): State<AppState>,
    db: LazyDb,
    Query(filter): Query<VarianceFilter>,
) -> ApiResult<Response> {
    check_window(filter.from, filter.to)?;
    let as_of = filter.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let key = ReportKey {
        client_id: scope.client_id,
        from: filter.from,
        to: filter.to,
        as_of,
    };
    state
        .variance
        .get_or_load(key, async || {
            let tolerance = tolerance(&state);
            let mut conn = db.conn().await?;
            let data = budget_variances(
                &mut conn,
                scope.client_id,
                filter.from,
                filter.to,
                as_of,
                &tolerance,
            )
            .await?;
            Ok(VarianceReport {
                data,
                as_of,
                tolerance_percent: Decimal(tolerance),
            })
        })
        .await
}

// Types --------------------------------------------------------------------------------------

text_enum! {
    /// A budget's actual (or projected) cost against its amount, within ± the tolerance.
    pub enum VarianceStatus {
        Under = "under",
        OnTrack = "on_track",
        Over = "over",
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VarianceFilter {
    /// Budgets whose period ends on or after this date.
    pub from: Option<NaiveDate>,
    /// Budgets whose period starts on or before this date.
    pub to: Option<NaiveDate>,
    /// The day projections are made on (default: today, UTC).
    pub as_of: Option<NaiveDate>,
}

/// One budget against what its scope actually cost.
#[derive(Debug, Clone, QueryableByName, Serialize, ToSchema)]
pub struct BudgetVariance {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub budget_id: Uuid,
    #[diesel(sql_type = Date)]
    pub period_start: NaiveDate,
    #[diesel(sql_type = Date)]
    pub period_end: NaiveDate,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    pub product_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub category: Option<String>,
    #[diesel(sql_type = Numeric)]
    pub budgeted_amount: Decimal,
    /// Σ of the scope's monthly `total_cost`, each month prorated by the days it overlaps.
    #[diesel(sql_type = Numeric)]
    pub actual_amount: Decimal,
    /// actual − budgeted: positive means overspent.
    #[diesel(sql_type = Numeric)]
    pub variance_amount: Decimal,
    /// variance / budgeted × 100, two decimals; null when the budget is zero.
    #[diesel(sql_type = Nullable<Numeric>)]
    pub variance_percent: Option<Decimal>,
    /// `under`, `on_track` or `over` (|variance_percent| ≤ tolerance: `on_track`).
    #[diesel(sql_type = Text)]
    pub status: VarianceStatus,
    /// Run-rate projection to the period's end; equals the actual once the period ended;
    /// null before it starts.
    #[diesel(sql_type = Nullable<Numeric>)]
    pub projected_amount: Option<Decimal>,
    /// The status the projection would have; null before the period starts.
    #[diesel(sql_type = Nullable<Text>)]
    pub projected_status: Option<VarianceStatus>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VarianceReport {
    pub data: Vec<BudgetVariance>,
    /// The day projections were made on.
    pub as_of: NaiveDate,
    /// ± percent within which a budget is `on_track` (`BUDGET_TOLERANCE_PERCENT`).
    pub tolerance_percent: Decimal,
}

// Query --------------------------------------------------------------------------------------

/// Budget against actual, one row per budget overlapping `[from, to]`, in one statement; the
/// formulas are written out at the top of the file and in `docs/financial.md`. Kept prepared
/// on each connection (planning it cost about as much as running it), with strict client
/// filters so its generic plan reads the client's rows by index.
pub static VARIANCE_SQL: Sql = Sql::new(include_str!("budget_variance.sql"));

pub async fn budget_variances(
    conn: &mut AsyncPgConnection,
    client_id: Uuid,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    as_of: NaiveDate,
    tolerance_percent: &BigDecimal,
) -> QueryResult<Vec<BudgetVariance>> {
    VARIANCE_SQL
        .query()
        .bind::<diesel::sql_types::Uuid, _>(client_id)
        .bind::<Nullable<Date>, _>(from)
        .bind::<Nullable<Date>, _>(to)
        .bind::<Date, _>(as_of)
        .bind::<Numeric, _>(tolerance_percent)
        .load(conn)
        .await
}
