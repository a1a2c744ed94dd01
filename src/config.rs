//! Configuration, read once from the environment (and from `.env` when present).
//!
//! Every variable the service reads is listed here and mirrored in `.env.example`:
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `DATABASE_URL` | (required) | PostgreSQL URL, `postgres://user:pass@host:port/db` |
//! | `LISTEN_ADDR` | `0.0.0.0:8080` | address the HTTP server binds |
//! | `ADMIN_TOKEN` | (none) | bearer token for `/admin/*`; at least 16 bytes, not `.env.example`'s placeholder |
//! | `JWT_SECRET` | (required by `serve`) | key that signs access tokens; at least 32 bytes |
//! | `JWT_TTL` | `1h` | lifetime of an access token |
//! | `SIGN_IN_FAILURES_PER_ACCOUNT`, `SIGN_IN_FAILURES_PER_ADDRESS`, `SIGN_IN_THROTTLE_WINDOW`, `TRUST_FORWARDED_FOR` | `5`, `50`, `15m`, `false` | sign-in throttling (see `auth::throttle`) |
//! | `MIGRATE_ON_STARTUP` | `apply` | `apply`, `verify` or `off` |
//! | `MIGRATION_LOCK_TIMEOUT` | `5m` | how long `serve`/`migrate` wait for another instance's migration lock |
//! | `DATABASE_POOL_SIZE` | `10` | connections per instance |
//! | `DATABASE_STATEMENT_TIMEOUT` | `30s` | PostgreSQL `statement_timeout` for pooled connections |
//! | `DATABASE_CONNECT_TIMEOUT` | `5s` | how long to wait for a new connection or a free one |
//! | `DATABASE_STALL_TIMEOUT` | `3s` | a database that leaves a once-a-second `SELECT 1` unanswered this long is taken as stalled: pooled connections are dropped, requests answer 503 until it answers (see `db::liveness`) |
//! | `REQUEST_TIMEOUT` | `30s` | a request running longer answers 503 |
//! | `HEADER_READ_TIMEOUT` | `10s` | a connection that has not sent its request headers by then is closed (also one that sends nothing, or sits idle between requests) |
//! | `SHUTDOWN_DRAIN` | `5s` | after SIGTERM, how long `/readyz` answers 503 while the replica still serves (`0`: stop at once) |
//! | `MAX_CONNECTIONS` | open-file limit − pool − 128 | open client connections served; beyond, 503 except `/healthz` and `/readyz` (64 more), then closed at once |
//! | `BODY_LIMIT_BYTES` | `1048576` | larger request bodies answer 413 |
//! | `CORS_ALLOWED_ORIGINS` | (none) | comma-separated origins of the dashboard |
//! | `BUDGET_TOLERANCE_PERCENT` | `5` | a budget within ±this % of its amount is `on_track` |
//! | `LEAD_TIME_DEMAND_WINDOW_DAYS` | `90` | days of counted orders a product's daily demand is averaged over (1–365) |
//! | `BENCHMARK_DOMINANCE_PERCENT` | `50` | a benchmark metric where one participant holds more than this % of the cohort's total is suppressed (above 0, at most 100) |
//! | `TRACKING_URL_UPS`, `…_FEDEX`, `…_USPS`, `…_DHL` | the carrier's public page | tracking URL template holding `{tracking_number}` |
//! | `CARRIER_WEBHOOK_SECRET_UPS`, `…_FEDEX`, `…_USPS`, `…_DHL` | (none) | HMAC key of the carrier's webhooks; none: its webhooks answer 401 |
//! | `IMPORT_BODY_LIMIT_BYTES` | `268435456` | larger shipment imports answer 413 |
//! | `IMPORT_REQUEST_TIMEOUT` | `15m` | a shipment import running longer answers 503 |
//! | `LIVE_STREAM_BUFFER` | `256` | events a live stream may fall behind before it is closed with `resync` |
//! | `LIVE_MAX_STREAMS_PER_USER` | `5` | open live streams per user on one replica (429 beyond) |
//! | `LIVE_MAX_STREAMS` | `2000` | open live streams on one replica (429 beyond) |
//! | `LIVE_HEARTBEAT` | `15s` | heartbeat comment interval of an idle stream (at most 15s) |
//! | `ACTIVITY_RETENTION` | `168h` | outbox rows older than this are pruned (`prune_activity`) |
//! | `SCHEDULER` | `on` | `on` or `off`: whether `serve` runs the job scheduler |
//! | `SCHEDULER_TICK` | `30s` | how often the scheduler looks for due jobs |
//! | `JOB_INTERVAL_AGGREGATE_COSTS` | `6h` | interval of `aggregate_costs` (closing and running month) |
//! | `JOB_INTERVAL_RECALCULATE_LEAD_TIMES` | `24h` | interval of `recalculate_lead_times` |
//! | `JOB_INTERVAL_BENCHMARK_SNAPSHOTS` | `720h` | interval of `benchmark_snapshots` |
//! | `JOB_INTERVAL_REFRESH_DELAYS` | `5m` | interval of `refresh_delays` |
//! | `JOB_INTERVAL_PRUNE_ACTIVITY` | `1h` | interval of `prune_activity` |
//! | `INSTANCE_ID` | hostname-pid | names this replica in logs, the migration ledger and `/admin/migrations` |
//! | `LOG_FORMAT` | `text` | `text` or `json` |
//! | `RUST_LOG` | `info` | tracing filter |
//!
//! Durations accept `250ms`, `30s`, `5m`, `1h` or a bare number of seconds.

use std::{fmt, net::SocketAddr, str::FromStr, time::Duration};

use bigdecimal::BigDecimal;

/// A setting that is missing or cannot be used; the message always names the variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not set: {hint}")]
    Missing {
        name: &'static str,
        hint: &'static str,
    },
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// A value that must never reach a log line or a response.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// What `serve` does with pending migrations before it accepts traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrateMode {
    /// Apply pending migrations (under the advisory lock), then serve.
    Apply,
    /// Apply nothing; serve, but stay unready while a migration is pending or modified.
    /// For deployments that migrate in a separate job.
    Verify,
    /// Neither apply nor gate readiness on migrations.
    Off,
}

impl FromStr for MigrateMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "apply" => Ok(Self::Apply),
            "verify" => Ok(Self::Verify),
            "off" => Ok(Self::Off),
            other => Err(format!("expected apply, verify or off, got {other:?}")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" | "" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(format!("expected text or json, got {other:?}")),
        }
    }
}

/// What every database-touching command needs.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub url: Secret,
    pub pool_size: usize,
    pub statement_timeout: Duration,
    pub connect_timeout: Duration,
    /// How long the liveness probe waits for `SELECT 1` before the database counts as stalled.
    pub stall_timeout: Duration,
    pub migration_lock_timeout: Duration,
    pub instance_id: String,
}

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseConfig,
    pub listen_addr: SocketAddr,
    pub admin_token: Option<Secret>,
    pub jwt_secret: Secret,
    pub jwt_ttl: Duration,
    /// Failed sign-in budgets (see `auth::throttle`).
    pub sign_in: crate::auth::throttle::ThrottleConfig,
    pub migrate_on_startup: MigrateMode,
    pub request_timeout: Duration,
    /// Slow-header (slowloris) protection: time allowed for a request's headers.
    pub header_read_timeout: Duration,
    /// Open client connections served per replica (then 503, health checks excepted).
    pub max_connections: usize,
    /// After SIGTERM: serve on with `/readyz` unready for this long, then stop accepting.
    pub shutdown_drain: Duration,
    pub body_limit_bytes: usize,
    pub cors_allowed_origins: Vec<String>,
    /// Budget variance tolerance in percent (`5` = ±5 %).
    pub budget_tolerance_percent: BigDecimal,
    /// Lead times: days of counted orders the average daily demand is taken over.
    pub lead_time_demand_window_days: i32,
    /// Benchmarking's dominance rule, in percent of a cohort's total (`50`).
    pub benchmark_dominance_percent: BigDecimal,
    /// Carrier URL templates and webhook secrets, the import's body limit.
    pub shipments: crate::shipments::config::ShipmentsConfig,
    /// Live updates: stream buffer, limits, heartbeat, outbox retention.
    pub live: crate::activity::config::LiveConfig,
    /// The scheduler: on or off, its tick, each job's interval.
    pub jobs: crate::jobs::config::JobsConfig,
}

/// Reads `.env` if there is one; variables already set in the environment win.
pub fn load_dotenv() {
    let _ = dotenvy::dotenv();
}

fn var(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn required(name: &'static str, hint: &'static str) -> Result<String, ConfigError> {
    var(name).ok_or(ConfigError::Missing { name, hint })
}

/// `.env.example`'s secrets start with this, so a copy of it used as is cannot run with
/// secrets everyone can read in the repository.
const PLACEHOLDER_PREFIX: &str = "change-me";

/// A secret of at least `min_len` bytes that is not the `.env.example` placeholder.
pub(crate) fn secret(
    name: &'static str,
    value: String,
    min_len: usize,
) -> Result<String, ConfigError> {
    if value
        .trim()
        .to_ascii_lowercase()
        .starts_with(PLACEHOLDER_PREFIX)
    {
        return Err(ConfigError::Invalid {
            name,
            reason: format!(
                "is the placeholder from .env.example; set a random value of at least \
                 {min_len} bytes (openssl rand -hex 32)"
            ),
        });
    }
    if value.len() < min_len {
        return Err(ConfigError::Invalid {
            name,
            reason: format!("must be at least {min_len} bytes"),
        });
    }
    Ok(value)
}

pub(crate) fn parsed<T: FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|e: T::Err| ConfigError::Invalid {
                name,
                reason: e.to_string(),
            }),
    }
}

pub(crate) fn duration(name: &'static str, default: Duration) -> Result<Duration, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(raw) => parse_duration(&raw).map_err(|reason| ConfigError::Invalid { name, reason }),
    }
}

/// Parses `250ms`, `30s`, `5m`, `1h` or a bare number of seconds.
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (digits, unit) = raw.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{raw:?} is not a duration like 30s, 500ms, 5m or 1h"))?;
    let d = match unit.trim() {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        other => {
            return Err(format!(
                "unknown unit {other:?} in {raw:?}; use ms, s, m or h"
            ));
        }
    };
    if d.is_zero() {
        return Err(format!("{raw:?} must be greater than zero"));
    }
    Ok(d)
}

fn default_instance_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{host}-{}", std::process::id())
}

impl DatabaseConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let url = required(
            "DATABASE_URL",
            "set it to postgres://user:password@host:5432/database (scripts/run.sh sets one up)",
        )?;
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(ConfigError::Invalid {
                name: "DATABASE_URL",
                reason: "must start with postgres:// or postgresql://".into(),
            });
        }
        let pool_size: usize = parsed("DATABASE_POOL_SIZE", 10)?;
        if pool_size == 0 || pool_size > 1000 {
            return Err(ConfigError::Invalid {
                name: "DATABASE_POOL_SIZE",
                reason: format!("{pool_size} is outside 1..=1000"),
            });
        }
        let stall_timeout = duration("DATABASE_STALL_TIMEOUT", Duration::from_secs(3))?;
        if stall_timeout.is_zero() {
            return Err(ConfigError::Invalid {
                name: "DATABASE_STALL_TIMEOUT",
                reason: "must be more than 0".into(),
            });
        }
        Ok(Self {
            url: Secret::new(url),
            pool_size,
            statement_timeout: duration("DATABASE_STATEMENT_TIMEOUT", Duration::from_secs(30))?,
            connect_timeout: duration("DATABASE_CONNECT_TIMEOUT", Duration::from_secs(5))?,
            stall_timeout,
            migration_lock_timeout: duration("MIGRATION_LOCK_TIMEOUT", Duration::from_secs(300))?,
            instance_id: var("INSTANCE_ID").unwrap_or_else(default_instance_id),
        })
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let database = DatabaseConfig::from_env()?;
        let max_connections = parsed(
            "MAX_CONNECTIONS",
            crate::http::server::default_max_connections(database.pool_size),
        )?;
        let listen_addr = parsed("LISTEN_ADDR", SocketAddr::from(([0, 0, 0, 0], 8080)))?;
        let admin_token = match var("ADMIN_TOKEN") {
            None => None,
            Some(t) => Some(Secret::new(secret("ADMIN_TOKEN", t, 16)?)),
        };
        let jwt_secret = secret(
            "JWT_SECRET",
            required(
                "JWT_SECRET",
                "set it to a random string of at least 32 bytes (openssl rand -base64 48)",
            )?,
            32,
        )?;
        let body_limit_bytes: usize = parsed("BODY_LIMIT_BYTES", 1024 * 1024)?;
        if body_limit_bytes < 1024 {
            return Err(ConfigError::Invalid {
                name: "BODY_LIMIT_BYTES",
                reason: "must be at least 1024".into(),
            });
        }
        let cors_allowed_origins = match var("CORS_ALLOWED_ORIGINS") {
            None => Vec::new(),
            Some(raw) => raw
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(|o| {
                    let ok = (o.starts_with("http://") || o.starts_with("https://"))
                        && !o.ends_with('/')
                        && axum::http::HeaderValue::from_str(o).is_ok();
                    if ok {
                        Ok(o.to_owned())
                    } else {
                        Err(ConfigError::Invalid {
                            name: "CORS_ALLOWED_ORIGINS",
                            reason: format!(
                                "{o:?} is not an origin like https://dashboard.example.com"
                            ),
                        })
                    }
                })
                .collect::<Result<_, _>>()?,
        };
        let budget_tolerance_percent = budget_tolerance_percent()?;
        Ok(Self {
            database,
            listen_addr,
            admin_token,
            jwt_secret: Secret::new(jwt_secret),
            jwt_ttl: duration("JWT_TTL", Duration::from_secs(3600))?,
            sign_in: crate::auth::throttle::ThrottleConfig::from_env()?,
            migrate_on_startup: parsed("MIGRATE_ON_STARTUP", MigrateMode::Apply)?,
            request_timeout: duration("REQUEST_TIMEOUT", Duration::from_secs(30))?,
            header_read_timeout: duration("HEADER_READ_TIMEOUT", Duration::from_secs(10))?,
            max_connections,
            shutdown_drain: match var("SHUTDOWN_DRAIN").as_deref().map(str::trim) {
                Some("0" | "0s") => Duration::ZERO,
                _ => duration("SHUTDOWN_DRAIN", Duration::from_secs(5))?,
            },
            body_limit_bytes,
            cors_allowed_origins,
            budget_tolerance_percent,
            lead_time_demand_window_days: lead_time_demand_window_days()?,
            benchmark_dominance_percent: benchmark_dominance_percent()?,
            shipments: crate::shipments::config::ShipmentsConfig::from_env()?,
            live: crate::activity::config::LiveConfig::from_env()?,
            jobs: crate::jobs::config::JobsConfig::from_env()?,
        })
    }
}

/// `BUDGET_TOLERANCE_PERCENT` (default 5, 0 to 100); also read by the cost-aggregation job,
/// which announces budgets crossing into `over`.
pub fn budget_tolerance_percent() -> Result<BigDecimal, ConfigError> {
    let tolerance: BigDecimal = parsed("BUDGET_TOLERANCE_PERCENT", BigDecimal::from(5))?;
    if !(BigDecimal::from(0)..=BigDecimal::from(100)).contains(&tolerance) {
        return Err(ConfigError::Invalid {
            name: "BUDGET_TOLERANCE_PERCENT",
            reason: "must be between 0 and 100".into(),
        });
    }
    Ok(tolerance)
}

/// `LEAD_TIME_DEMAND_WINDOW_DAYS` (default 90, 1 to 365); also read by the lead-time job.
pub fn lead_time_demand_window_days() -> Result<i32, ConfigError> {
    let days: i32 = parsed("LEAD_TIME_DEMAND_WINDOW_DAYS", 90)?;
    if !(1..=365).contains(&days) {
        return Err(ConfigError::Invalid {
            name: "LEAD_TIME_DEMAND_WINDOW_DAYS",
            reason: "must be a whole number of days from 1 to 365".into(),
        });
    }
    Ok(days)
}

/// `BENCHMARK_DOMINANCE_PERCENT` (default 50, above 0 and at most 100); also read by the
/// benchmark snapshot job.
pub fn benchmark_dominance_percent() -> Result<BigDecimal, ConfigError> {
    let percent: BigDecimal = parsed("BENCHMARK_DOMINANCE_PERCENT", BigDecimal::from(50))?;
    let (zero, hundred) = (BigDecimal::from(0), BigDecimal::from(100));
    if percent <= zero || percent > hundred {
        return Err(ConfigError::Invalid {
            name: "BENCHMARK_DOMINANCE_PERCENT",
            reason: "must be a percentage above 0 and at most 100".into(),
        });
    }
    Ok(percent)
}

/// `LOG_FORMAT`, read before anything else so that config errors are logged in that format.
pub fn log_format() -> Result<LogFormat, ConfigError> {
    parsed("LOG_FORMAT", LogFormat::Text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_units_and_bare_seconds() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5 weeks").is_err());
    }

    #[test]
    fn placeholder_and_short_secrets_are_refused_by_name() {
        for placeholder in [
            "change-me-to-a-long-random-token",
            "CHANGE-ME please, 32 bytes or more",
        ] {
            let err = secret("JWT_SECRET", placeholder.into(), 32)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("JWT_SECRET") && err.contains(".env.example"),
                "{err}"
            );
        }
        let err = secret("ADMIN_TOKEN", "short".into(), 16)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("ADMIN_TOKEN") && err.contains("16 bytes"),
            "{err}"
        );
        assert_eq!(
            secret("ADMIN_TOKEN", "a".repeat(16), 16).unwrap(),
            "a".repeat(16)
        );
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("postgres://u:hunter2@db/x");
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
