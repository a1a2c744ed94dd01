//! Request and response types of budgets, and the validation of what callers send.
//!
//! Money is [`Decimal`] end to end (NUMERIC in PostgreSQL, exact decimal strings on the
//! wire); nothing here is ever a float.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    db::schema::budgets,
    http::{
        decimal::Decimal,
        error::ApiResult,
        patch::Patch,
        validation::{Validator, validate},
    },
};

/// Longest `category` a budget may name (as for products).
pub const MAX_CATEGORY: usize = 100;
/// Longest `notes` of a budget.
pub const MAX_NOTES: usize = 2000;

/// `/api/v1/clients/{client_id}/budgets/{budget_id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct BudgetPath {
    pub client_id: Uuid,
    pub budget_id: Uuid,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = budgets)]
pub struct Budget {
    pub id: Uuid,
    pub client_id: Uuid,
    /// Set: a budget for this one product; null: client-wide (or a category's).
    pub product_id: Option<Uuid>,
    /// Set: a budget for the client's products of this category.
    pub category: Option<String>,
    pub period_start: NaiveDate,
    /// Inclusive.
    pub period_end: NaiveDate,
    pub budgeted_amount: Decimal,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBudget {
    /// `YYYY-MM-DD`.
    #[schema(required, value_type = NaiveDate)]
    pub period_start: Option<NaiveDate>,
    /// `YYYY-MM-DD`, inclusive, not before `period_start`.
    #[schema(required, value_type = NaiveDate)]
    pub period_end: Option<NaiveDate>,
    /// A product of this client; absent for a client-wide or category budget.
    pub product_id: Option<Uuid>,
    pub category: Option<String>,
    /// Money, ≥ 0.
    #[schema(required, value_type = Decimal)]
    pub budgeted_amount: Option<Decimal>,
    pub notes: Option<String>,
}

/// PATCH: absent fields stay, `null` clears a nullable field.
// Dates and ids are described inline: utoipa would name their `Patch` schema after the JSON
// type (`Patch_String`) and drop the format.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBudget {
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub period_start: Patch<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub period_end: Patch<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub product_id: Patch<Uuid>,
    #[serde(default)]
    pub category: Patch<String>,
    #[serde(default)]
    pub budgeted_amount: Patch<Decimal>,
    #[serde(default)]
    pub notes: Patch<String>,
}

/// A budget's writable columns, validated.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = budgets, treat_none_as_null = true)]
pub struct BudgetFields {
    pub product_id: Option<Uuid>,
    pub category: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub budgeted_amount: Decimal,
    pub notes: Option<String>,
}

/// `period_end` not before `period_start`; checked once both are known.
fn check_period(v: &mut Validator, start: Option<NaiveDate>, end: Option<NaiveDate>) {
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        v.error("period_end", "must not be before period_start");
    }
}

impl CreateBudget {
    /// The budget to insert; one 422 names every missing or invalid field.
    pub fn validate(&self) -> ApiResult<BudgetFields> {
        validate(|v| {
            let period_start = v.required("period_start", self.period_start.as_ref());
            let period_end = v.required("period_end", self.period_end.as_ref());
            check_period(v, period_start.copied(), period_end.copied());
            let category = v.opt_text("category", self.category.as_deref(), MAX_CATEGORY);
            let budgeted_amount = v
                .required("budgeted_amount", self.budgeted_amount.as_ref())
                .map(|d| v.money("budgeted_amount", d));
            BudgetFields {
                product_id: self.product_id,
                category,
                period_start: period_start.copied().unwrap_or_default(),
                period_end: period_end.copied().unwrap_or_default(),
                budgeted_amount: budgeted_amount.unwrap_or_default(),
                notes: v.opt_text("notes", self.notes.as_deref(), MAX_NOTES),
            }
        })
    }
}

impl UpdateBudget {
    /// This PATCH applied to the budget as it is now (read under lock by the caller).
    pub fn merged(&self, now: &Budget) -> ApiResult<BudgetFields> {
        validate(|v| {
            let period_start = v.patch_required(
                "period_start",
                &self.period_start,
                &now.period_start,
                |_, d| *d,
            );
            let period_end =
                v.patch_required("period_end", &self.period_end, &now.period_end, |_, d| *d);
            check_period(v, Some(period_start), Some(period_end));
            BudgetFields {
                product_id: v.patch(&self.product_id, &now.product_id, |_, id| *id),
                category: v.patch_text("category", &self.category, &now.category, MAX_CATEGORY),
                period_start,
                period_end,
                budgeted_amount: v.patch_required(
                    "budgeted_amount",
                    &self.budgeted_amount,
                    &now.budgeted_amount,
                    |v, d| v.money("budgeted_amount", d),
                ),
                notes: v.patch_text("notes", &self.notes, &now.notes, MAX_NOTES),
            }
        })
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BudgetFilter {
    /// Budgets whose period ends on or after this date.
    pub from: Option<NaiveDate>,
    /// Budgets whose period starts on or before this date.
    pub to: Option<NaiveDate>,
    pub product_id: Option<Uuid>,
    pub category: Option<String>,
}

/// Sort key of the budget list: `(period_start, id)`.
pub type BudgetKey = (NaiveDate, Uuid);
