//! Budgets: `/api/v1/clients/{client_id}/budgets[/{budget_id}]`, and the overlap rule that
//! keeps two budgets of one scope (client, product or none, category or none) from covering
//! the same day. Their variance against actual costs is [`super::variance`].

pub mod handlers;
pub mod queries;
pub mod types;

use chrono::NaiveDate;
use diesel::result::Error as DieselError;
use uuid::Uuid;

use crate::http::error::ApiError;

/// Why a budget query refused, in the feature's words; [`ApiError`] maps it to HTTP.
#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    /// `product_id` names no product of this client.
    #[error("no such product for this client")]
    NoSuchProduct,
    /// Another budget of the same scope overlaps the dates.
    #[error(
        "overlaps budget {other} ({start} to {end}) of the same client, product and category; \
         budgets of one scope must not overlap"
    )]
    Overlap {
        other: Uuid,
        start: NaiveDate,
        end: NaiveDate,
    },
    /// A PATCH, applied to the budget as it is inside the transaction, is invalid: the 422
    /// that [`crate::http::validation::validate`] built.
    #[error("invalid budget")]
    Invalid(ApiError),
    /// `NotFound`: no budget with this id for this client (another client's budget is "not
    /// found").
    #[error(transparent)]
    Database(#[from] DieselError),
}

impl From<BudgetError> for ApiError {
    fn from(e: BudgetError) -> Self {
        match e {
            BudgetError::NoSuchProduct => ApiError::invalid("product_id", e.to_string()),
            BudgetError::Overlap { .. } => ApiError::Conflict(e.to_string()),
            BudgetError::Invalid(api) => api,
            BudgetError::Database(db) => ApiError::from_query(db, "budget"),
        }
    }
}
