//! Financial tracking through the real router on real PostgreSQL, one module per sub-area:
//! product costs, budgets (overlap rule, race-free), variance and projection, the monthly
//! cost aggregation (hand-computed, idempotent, concurrent) and EOQ against published figures.

mod budgets;
mod cost_tracking;
mod costs;
mod eoq;
mod prepared;
mod variance;
mod variance_cache;
mod variance_plan;
