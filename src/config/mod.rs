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
//!
//! By concern: `env` (reading and parsing a variable, secrets), `database` (the pool, the
//! migrations, the instance), `rules` (the business rules' tunables); the features' own
//! settings are in `shipments::config`, `activity::config`, `jobs::config` and
//! `auth::throttle`; the HTTP server's are read here.

mod database;
mod env;
mod rules;

use std::{net::SocketAddr, str::FromStr, time::Duration};

use bigdecimal::BigDecimal;

pub use database::{DatabaseConfig, MigrateMode};
pub use env::{ConfigError, Secret, load_dotenv, parse_duration};
pub(crate) use env::{duration, parsed, parsed_within, secret};
use env::{one_of, required, var};
pub use rules::{
    benchmark_dominance_percent, budget_tolerance_percent, lead_time_demand_window_days,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let words = [("text", Self::Text), ("", Self::Text), ("json", Self::Json)];
        one_of(s, &words, "text or json")
    }
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
        let body_limit_bytes: usize = parsed_within(
            "BODY_LIMIT_BYTES",
            1024 * 1024,
            |n| *n >= 1024,
            |_| "must be at least 1024".into(),
        )?;
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
                        Err(ConfigError::invalid(
                            "CORS_ALLOWED_ORIGINS",
                            format!("{o:?} is not an origin like https://dashboard.example.com"),
                        ))
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

/// `LOG_FORMAT`, read before anything else so that config errors are logged in that format.
pub fn log_format() -> Result<LogFormat, ConfigError> {
    parsed("LOG_FORMAT", LogFormat::Text)
}
