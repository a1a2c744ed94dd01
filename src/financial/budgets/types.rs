//! Request and response types of budgets, and the validation of what callers send.
//!
//! Money is `BigDecimal` end to end (NUMERIC in PostgreSQL, exact decimal strings on the
//! wire); nothing here is ever a float.

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    db::schema::budgets,
    http::{
        decimal::{self, Decimal},
        extract::{double_option, not_null},
        validation::Validator,
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
    #[serde(serialize_with = "decimal::plain")]
    #[schema(value_type = Decimal)]
    pub budgeted_amount: BigDecimal,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBudget {
    /// `YYYY-MM-DD`.
    pub period_start: NaiveDate,
    /// `YYYY-MM-DD`, inclusive, not before `period_start`.
    pub period_end: NaiveDate,
    /// A product of this client; absent for a client-wide or category budget.
    pub product_id: Option<Uuid>,
    pub category: Option<String>,
    /// Money, ≥ 0.
    pub budgeted_amount: Decimal,
    pub notes: Option<String>,
}

/// PATCH: absent fields stay, `null` clears a nullable field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBudget {
    #[serde(default, deserialize_with = "not_null")]
    pub period_start: Option<NaiveDate>,
    #[serde(default, deserialize_with = "not_null")]
    pub period_end: Option<NaiveDate>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub product_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    pub budgeted_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

/// A budget's writable columns, validated.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = budgets, treat_none_as_null = true)]
pub struct BudgetFields {
    pub product_id: Option<Uuid>,
    pub category: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub budgeted_amount: BigDecimal,
    pub notes: Option<String>,
}

fn check_period(v: &mut Validator, start: NaiveDate, end: NaiveDate) {
    if end < start {
        v.error("period_end", "must not be before period_start");
    }
}

pub fn validate_create(body: &CreateBudget) -> (BudgetFields, Validator) {
    let mut v = Validator::new();
    check_period(&mut v, body.period_start, body.period_end);
    let fields = BudgetFields {
        product_id: body.product_id,
        category: v.opt_text("category", body.category.as_deref(), MAX_CATEGORY),
        period_start: body.period_start,
        period_end: body.period_end,
        budgeted_amount: v.decimal("budgeted_amount", &body.budgeted_amount, decimal::money),
        notes: v.opt_text("notes", body.notes.as_deref(), MAX_NOTES),
    };
    (fields, v)
}

/// `body` applied to the budget as it is now (read under lock by the caller).
pub fn validate_update(body: &UpdateBudget, now: &Budget) -> (BudgetFields, Validator) {
    let mut v = Validator::new();
    let period_start = body.period_start.unwrap_or(now.period_start);
    let period_end = body.period_end.unwrap_or(now.period_end);
    check_period(&mut v, period_start, period_end);
    let fields = BudgetFields {
        product_id: body.product_id.unwrap_or(now.product_id),
        category: match &body.category {
            None => now.category.clone(),
            Some(c) => v.opt_text("category", c.as_deref(), MAX_CATEGORY),
        },
        period_start,
        period_end,
        budgeted_amount: match &body.budgeted_amount {
            None => now.budgeted_amount.clone(),
            Some(d) => v.decimal("budgeted_amount", d, decimal::money),
        },
        notes: match &body.notes {
            None => now.notes.clone(),
            Some(n) => v.opt_text("notes", n.as_deref(), MAX_NOTES),
        },
    };
    (fields, v)
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
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Sort key of the budget list: `(period_start, id)`.
pub type BudgetKey = (NaiveDate, Uuid);
