//! The business rules' tunables, each also read by the job that applies the same rule.

use bigdecimal::BigDecimal;

use super::env::{ConfigError, parsed_within};

/// `BUDGET_TOLERANCE_PERCENT` (default 5, 0 to 100); also read by the cost-aggregation job,
/// which announces budgets crossing into `over`.
pub fn budget_tolerance_percent() -> Result<BigDecimal, ConfigError> {
    parsed_within(
        "BUDGET_TOLERANCE_PERCENT",
        BigDecimal::from(5),
        |t| (BigDecimal::from(0)..=BigDecimal::from(100)).contains(t),
        |_| "must be between 0 and 100".into(),
    )
}

/// `LEAD_TIME_DEMAND_WINDOW_DAYS` (default 90, 1 to 365); also read by the lead-time job.
pub fn lead_time_demand_window_days() -> Result<i32, ConfigError> {
    parsed_within(
        "LEAD_TIME_DEMAND_WINDOW_DAYS",
        90,
        |days| (1..=365).contains(days),
        |_| "must be a whole number of days from 1 to 365".into(),
    )
}

/// `BENCHMARK_DOMINANCE_PERCENT` (default 50, above 0 and at most 100); also read by the
/// benchmark snapshot job.
pub fn benchmark_dominance_percent() -> Result<BigDecimal, ConfigError> {
    parsed_within(
        "BENCHMARK_DOMINANCE_PERCENT",
        BigDecimal::from(50),
        |p| {
            let (zero, hundred) = (BigDecimal::from(0), BigDecimal::from(100));
            *p > zero && *p <= hundred
        },
        |_| "must be a percentage above 0 and at most 100".into(),
    )
}
