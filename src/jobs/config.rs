//! The scheduler's settings and what the job bodies need from the configuration.

use std::time::Duration;

use bigdecimal::BigDecimal;

use super::JobName;
use crate::config::{Config, ConfigError, duration, parsed};

#[derive(Debug, Clone)]
pub struct JobsConfig {
    /// `SCHEDULER` (`on`, default, or `off`): whether `serve` runs the scheduler.
    pub scheduler: bool,
    /// `SCHEDULER_TICK` (default 30s): how often the scheduler looks for due jobs.
    pub tick: Duration,
    /// `JOB_INTERVAL_<NAME>` per job, in [`JobName::ALL`]'s order.
    pub intervals: [Duration; 5],
}

const HOUR: u64 = 3600;

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            scheduler: true,
            tick: Duration::from_secs(30),
            intervals: [
                Duration::from_secs(6 * HOUR),   // aggregate_costs
                Duration::from_secs(24 * HOUR),  // recalculate_lead_times: nightly
                Duration::from_secs(720 * HOUR), // benchmark_snapshots: monthly (30 days)
                Duration::from_secs(300),        // refresh_delays
                Duration::from_secs(HOUR),       // prune_activity
            ],
        }
    }
}

impl JobsConfig {
    pub fn interval(&self, job: JobName) -> Duration {
        self.intervals[JobName::ALL
            .iter()
            .position(|j| *j == job)
            .unwrap_or_default()]
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        let d = Self::default();
        let scheduler: String = parsed("SCHEDULER", "on".to_owned())?;
        let scheduler = match scheduler.trim().to_ascii_lowercase().as_str() {
            "on" => true,
            "off" => false,
            other => {
                return Err(ConfigError::Invalid {
                    name: "SCHEDULER",
                    reason: format!("expected on or off, got {other:?}"),
                });
            }
        };
        const NAMES: [&str; 5] = [
            "JOB_INTERVAL_AGGREGATE_COSTS",
            "JOB_INTERVAL_RECALCULATE_LEAD_TIMES",
            "JOB_INTERVAL_BENCHMARK_SNAPSHOTS",
            "JOB_INTERVAL_REFRESH_DELAYS",
            "JOB_INTERVAL_PRUNE_ACTIVITY",
        ];
        let mut intervals = d.intervals;
        for (i, name) in NAMES.into_iter().enumerate() {
            intervals[i] = duration(name, d.intervals[i])?;
        }
        Ok(Self {
            scheduler,
            tick: duration("SCHEDULER_TICK", d.tick)?,
            intervals,
        })
    }
}

/// What the bodies read from the configuration.
#[derive(Debug, Clone)]
pub struct JobContext {
    pub tolerance: BigDecimal,
    pub lead_time_window_days: i32,
    pub retention: Duration,
    /// Benchmarking's dominance rule, in percent.
    pub benchmark_dominance_percent: BigDecimal,
}

impl JobContext {
    pub fn of(config: &Config) -> Self {
        Self {
            tolerance: config.budget_tolerance_percent.clone(),
            lead_time_window_days: config.lead_time_demand_window_days,
            retention: config.live.retention,
            benchmark_dominance_percent: config.benchmark_dominance_percent.clone(),
        }
    }

    /// For `fulfillment-ops jobs run`, which reads no `serve` configuration.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            tolerance: crate::config::budget_tolerance_percent()?,
            lead_time_window_days: crate::config::lead_time_demand_window_days()?,
            retention: crate::activity::config::retention()?,
            benchmark_dominance_percent: crate::config::benchmark_dominance_percent()?,
        })
    }
}
