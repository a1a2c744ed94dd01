//! The live-update settings (`LIVE_*`, `ACTIVITY_RETENTION`).

use std::time::Duration;

use crate::config::{ConfigError, duration, parsed};

#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// `LIVE_STREAM_BUFFER` (default 256): events a stream may fall behind the replica's
    /// fan-out before it is closed with a final `resync` event.
    pub stream_buffer: usize,
    /// `LIVE_MAX_STREAMS_PER_USER` (default 5): open streams per user on one replica.
    pub max_streams_per_user: usize,
    /// `LIVE_MAX_STREAMS` (default 2000): open streams on one replica.
    pub max_streams: usize,
    /// `LIVE_HEARTBEAT` (default 15s): a comment line at least this often on an idle stream.
    pub heartbeat: Duration,
    /// `ACTIVITY_RETENTION` (default 7 days, `168h`): outbox rows older than this are pruned;
    /// a browser resuming from an id older than what is kept gets `resync`.
    pub retention: Duration,
}

impl Default for LiveConfig {
    fn default() -> Self {
        Self {
            stream_buffer: 256,
            max_streams_per_user: 5,
            max_streams: 2000,
            heartbeat: Duration::from_secs(15),
            retention: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

fn positive(name: &'static str, default: usize) -> Result<usize, ConfigError> {
    let n: usize = parsed(name, default)?;
    if n == 0 {
        return Err(ConfigError::Invalid {
            name,
            reason: "must be at least 1".into(),
        });
    }
    Ok(n)
}

impl LiveConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let d = Self::default();
        let heartbeat = duration("LIVE_HEARTBEAT", d.heartbeat)?;
        if heartbeat > Duration::from_secs(15) {
            return Err(ConfigError::Invalid {
                name: "LIVE_HEARTBEAT",
                reason: "must be at most 15s, or proxies close idle streams".into(),
            });
        }
        Ok(Self {
            stream_buffer: positive("LIVE_STREAM_BUFFER", d.stream_buffer)?,
            max_streams_per_user: positive("LIVE_MAX_STREAMS_PER_USER", d.max_streams_per_user)?,
            max_streams: positive("LIVE_MAX_STREAMS", d.max_streams)?,
            heartbeat,
            retention: retention()?,
        })
    }
}

/// `ACTIVITY_RETENTION`; also read by `fulfillment-ops jobs run prune_activity`.
pub fn retention() -> Result<Duration, ConfigError> {
    duration("ACTIVITY_RETENTION", LiveConfig::default().retention)
}
