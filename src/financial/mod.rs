//! Financial tracking, one module per resource:
//!
//! - [`costs`]: a product's cost fields (`PATCH …/products/{product_id}/costs`);
//! - [`budgets`]: budgets and their overlap rule;
//! - [`variance`]: budgets against the actual costs of their scope;
//! - [`cost_tracking`]: the monthly cost aggregate, with its EOQ figures;
//! - [`eoq`]: a product's economic order quantity over the trailing twelve months.
//!
//! Each holds its handlers, its queries (Diesel; returning `QueryResult` or the feature's own
//! error, mapped to [`crate::http::error::ApiError`] at the handler edge) and its types. SQL
//! that computes sits in `.sql` files beside the module that runs it. Formulas, inputs and
//! rounding rules are written out in `docs/financial.md`.
//!
//! What counts as demand (a counted order), the trailing year and the annualisation of a
//! shorter history are not restated here: the SQL uses the database's definitions (view
//! `counted_order_lines`, functions `demand_window_start`, `annualisation_days`,
//! `annualised_demand`; migration `20251216000001_add_demand_rules`), which lead times and
//! benchmarking share.
//!
//! Environment: `BUDGET_TOLERANCE_PERCENT` (default 5, via [`crate::config::Config`]): a budget
//! whose variance is within ± that percent is `on_track`.

pub mod budgets;
pub mod cost_tracking;
pub mod costs;
pub mod eoq;
pub mod variance;

use chrono::NaiveDate;

pub use cost_tracking::aggregate_all_clients;

use crate::http::error::{ApiError, ApiResult};

/// A `from`/`to` window of a list or report, `from` not after `to`.
pub fn check_window(from: Option<NaiveDate>, to: Option<NaiveDate>) -> ApiResult<()> {
    match (from, to) {
        (Some(from), Some(to)) if from > to => {
            Err(ApiError::invalid("from", "must not be after to"))
        }
        _ => Ok(()),
    }
}
