//! The metrics, snapshots and the client's view (participation: [`super::participation`]).
//!
//! Figures are [`Decimal`] end to end (NUMERIC in PostgreSQL, decimal strings in JSON and in
//! the snapshots' JSONB). Nothing here carries another client's id, anonymous id or name: a
//! snapshot row and its view hold aggregates and the cohort's name only.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    prelude::*,
    sql_types::{BigInt, Nullable, Numeric, Text, Timestamptz},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    db::schema::{benchmark_snapshot_runs, benchmark_snapshots},
    http::decimal::Decimal,
    text_enum,
};

/// The five metrics, in the order the documentation lists them.
pub const METRICS: [&str; 5] = [
    "product_count",
    "order_frequency",
    "stockout_rate",
    "forecast_accuracy",
    "inventory_turnover",
];

/// The OpenAPI shape of the per-metric maps below (they are maps keyed by [`METRICS`], so a
/// metric is a key whatever it holds); declared once for the three value types.
macro_rules! by_metric_schema {
    ($($name:ident: $value:ty),+ $(,)?) => {$(
        #[derive(ToSchema)]
        #[allow(dead_code)]
        pub struct $name {
            product_count: Option<$value>,
            order_frequency: Option<$value>,
            stockout_rate: Option<$value>,
            forecast_accuracy: Option<$value>,
            inventory_turnover: Option<$value>,
        }
    )+};
}

by_metric_schema!(
    MetricValues: Decimal,
    MetricPercentiles: Percentiles,
    MetricPositions: Position,
);

text_enum! {
    /// Where the client's own value falls among its cohort's percentiles.
    pub enum Position {
        /// Below P25.
        BelowP25,
        /// At or above P25, below P50.
        P25P50,
        /// At or above P50, below P75.
        P50P75,
        /// At or above P75, below P90 (or at or above P75 when P90 is withheld).
        P75P90,
        /// At or above P90.
        AboveP90,
    }
}

text_enum! {
    /// Why a client's view carries no cohort figures.
    pub enum Reason {
        /// The client does not participate: give to get.
        NotParticipating,
        /// No snapshot of the period covers the client's cohort (not computed yet, or the
        /// client joined after it was).
        NoSnapshot,
        /// The cohort, its industry and everyone together had fewer than 5 participants.
        TooFewParticipants,
    }
}

/// `?period=YYYY-MM` of the client's view.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ViewQuery {
    /// `YYYY-MM`, not after the current month (UTC); default: the last complete month.
    pub period: Option<String>,
}

/// One client's five metrics for a month, as `metrics.sql` computes them.
#[derive(Debug, Clone, QueryableByName)]
pub struct MetricsRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub client_id: Uuid,
    #[diesel(sql_type = Numeric)]
    pub product_count: Decimal,
    #[diesel(sql_type = Numeric)]
    pub order_frequency: Decimal,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub stockout_rate: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub forecast_accuracy: Option<Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub inventory_turnover: Option<Decimal>,
}

impl MetricsRow {
    /// The metrics by name (null: no input for it this month).
    pub fn by_name(self) -> BTreeMap<String, Option<Decimal>> {
        let values = [
            Some(self.product_count),
            Some(self.order_frequency),
            self.stockout_rate,
            self.forecast_accuracy,
            self.inventory_turnover,
        ];
        METRICS
            .iter()
            .map(|m| (*m).to_owned())
            .zip(values)
            .collect()
    }
}

/// A metric's published percentiles; `p90` is null below 10 contributors.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Percentiles {
    pub p25: Decimal,
    pub p50: Decimal,
    pub p75: Decimal,
    pub p90: Option<Decimal>,
}

impl Percentiles {
    /// The band `value` falls in: a value equal to a percentile belongs to the band above it.
    pub fn position(&self, value: &Decimal) -> Position {
        if *value < self.p25 {
            Position::BelowP25
        } else if *value < self.p50 {
            Position::P25P50
        } else if *value < self.p75 {
            Position::P50P75
        } else {
            match &self.p90 {
                Some(p90) if value >= p90 => Position::AboveP90,
                _ => Position::P75P90,
            }
        }
    }
}

/// A stored snapshot: aggregates of one cohort and month, never a participant.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = benchmark_snapshots)]
pub struct SnapshotRow {
    pub cohort: String,
    pub period: NaiveDate,
    pub cohort_used: String,
    pub participant_band: String,
    pub metrics: serde_json::Value,
    pub suppressed: serde_json::Value,
    pub calculated_at: DateTime<Utc>,
}

/// A snapshot as served: `GET /benchmarks/snapshots` and inside the client's view.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Snapshot {
    pub cohort: String,
    /// `YYYY-MM`.
    pub period: String,
    /// The cohort the figures come from: the cohort itself, `<industry>/*`, or `all`.
    pub cohort_used: String,
    /// `5–9`, `10–24` or `25+`: never the exact count.
    pub participants: String,
    /// Per metric; null when suppressed (see `suppressed`).
    #[schema(value_type = MetricPercentiles)]
    pub percentiles: BTreeMap<String, Option<Percentiles>>,
    /// Metric → why it has no figures: `too_few_contributors` or `dominance`.
    pub suppressed: BTreeMap<String, String>,
    pub calculated_at: DateTime<Utc>,
}

impl SnapshotRow {
    /// The served shape; a JSONB value the job did not write (cannot happen) reads as
    /// suppressed rather than failing the request.
    pub fn into_view(self) -> Snapshot {
        let percentiles = METRICS
            .iter()
            .map(|m| {
                let figures = self
                    .metrics
                    .get(*m)
                    .and_then(|v| serde_json::from_value(v.clone()).ok());
                ((*m).to_owned(), figures)
            })
            .collect();
        let suppressed = serde_json::from_value(self.suppressed).unwrap_or_default();
        Snapshot {
            cohort: self.cohort,
            period: crate::financial::cost_tracking::types::format_period(self.period),
            cohort_used: self.cohort_used,
            participants: self.participant_band,
            percentiles,
            suppressed,
            calculated_at: self.calculated_at,
        }
    }
}

/// That a month was computed, and which cohorts were too small.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = benchmark_snapshot_runs)]
pub struct RunRow {
    pub period: NaiveDate,
    pub suppressed_cohorts: Vec<String>,
}

/// `GET …/benchmark`: the client's own metrics and, while it participates and its cohort's
/// snapshot exists, the cohort's figures and where the client stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct BenchmarkView {
    /// `YYYY-MM`.
    pub period: String,
    pub participating: bool,
    /// The client's own figures for the period, computed from its own data.
    #[schema(value_type = MetricValues)]
    pub metrics: BTreeMap<String, Option<Decimal>>,
    pub cohort: Option<String>,
    pub cohort_used: Option<String>,
    /// `5–9`, `10–24`, `25+`, or null without cohort figures.
    pub participants: Option<String>,
    #[schema(value_type = Option<MetricPercentiles>)]
    pub percentiles: Option<BTreeMap<String, Option<Percentiles>>>,
    #[schema(value_type = Option<MetricPositions>)]
    pub position: Option<BTreeMap<String, Option<Position>>>,
    /// Metric → why the cohort has no figures for it.
    pub suppressed: Option<BTreeMap<String, String>>,
    /// When the snapshot was computed (it is frozen: reading it never recomputes).
    pub calculated_at: Option<DateTime<Utc>>,
    pub reason: Option<Reason>,
}

/// `POST /api/v1/admin/benchmarks/snapshots`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComputeSnapshots {
    /// `YYYY-MM`, not after the current month (UTC).
    pub period: String,
}

/// What one snapshot run wrote, and what the privacy rules withheld.
#[derive(Debug, Clone, Serialize, QueryableByName, ToSchema)]
pub struct SnapshotRun {
    /// `YYYY-MM`.
    #[diesel(sql_type = Text)]
    pub period: String,
    #[diesel(sql_type = BigInt)]
    pub participants: i64,
    /// Cohorts with a snapshot.
    #[diesel(sql_type = BigInt)]
    pub cohorts: i64,
    /// Cohorts too small even with everyone: no snapshot.
    #[diesel(sql_type = BigInt)]
    pub cohorts_too_small: i64,
    /// Cohorts whose snapshot comes from their industry or from everyone.
    #[diesel(sql_type = BigInt)]
    pub cohorts_fell_back: i64,
    /// Metric figures withheld for fewer than 5 contributors (per group computed).
    #[diesel(sql_type = BigInt)]
    pub too_few_contributors: i64,
    /// Metric figures withheld by the dominance rule.
    #[diesel(sql_type = BigInt)]
    pub dominance: i64,
    /// Published metrics whose P90 was withheld (fewer than 10 contributors).
    #[diesel(sql_type = BigInt)]
    pub p90_withheld: i64,
    #[diesel(sql_type = Timestamptz)]
    pub calculated_at: DateTime<Utc>,
}

/// `?cohort=&period=` of the aggregates list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SnapshotFilter {
    pub cohort: Option<String>,
    /// `YYYY-MM`.
    pub period: Option<String>,
}

/// Sort key of the aggregates list: newest period first, then cohort.
pub type SnapshotKey = (NaiveDate, String);

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal(s.parse().expect("decimal"))
    }

    #[test]
    fn a_value_on_a_percentile_is_in_the_band_above_it() {
        let p = Percentiles {
            p25: d("1"),
            p50: d("2"),
            p75: d("3"),
            p90: Some(d("4")),
        };
        let at = |v: &str| p.position(&d(v));
        assert_eq!(at("0.9999"), Position::BelowP25);
        assert_eq!(at("1"), Position::P25P50);
        assert_eq!(at("2"), Position::P50P75);
        assert_eq!(at("3"), Position::P75P90);
        assert_eq!(at("4"), Position::AboveP90);
        let no_p90 = Percentiles { p90: None, ..p };
        assert_eq!(no_p90.position(&d("99")), Position::P75P90);
    }
}
