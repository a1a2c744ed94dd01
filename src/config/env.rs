//! Reading variables: the error that names one, secrets, and the parsers every part of the
//! configuration (here and in the features' `config` modules) goes through.

use std::{fmt, str::FromStr, time::Duration};

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

impl ConfigError {
    /// The variable `name` refused for `reason` (said after "`name` is invalid: ").
    pub(crate) fn invalid(name: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            name,
            reason: reason.into(),
        }
    }
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

/// Reads `.env` if there is one; variables already set in the environment win.
pub fn load_dotenv() {
    let _ = dotenvy::dotenv();
}

pub(super) fn var(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

pub(super) fn required(name: &'static str, hint: &'static str) -> Result<String, ConfigError> {
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
        return Err(ConfigError::invalid(
            name,
            format!(
                "is the placeholder from .env.example; set a random value of at least \
                 {min_len} bytes (openssl rand -hex 32)"
            ),
        ));
    }
    if value.len() < min_len {
        return Err(ConfigError::invalid(
            name,
            format!("must be at least {min_len} bytes"),
        ));
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
            .map_err(|e: T::Err| ConfigError::invalid(name, e.to_string())),
    }
}

/// [`parsed`], then refused with `reason` unless `ok` holds for the value (a range check).
pub(crate) fn parsed_within<T: FromStr>(
    name: &'static str,
    default: T,
    ok: impl FnOnce(&T) -> bool,
    reason: impl FnOnce(&T) -> String,
) -> Result<T, ConfigError>
where
    T::Err: fmt::Display,
{
    let value = parsed(name, default)?;
    if ok(&value) {
        Ok(value)
    } else {
        Err(ConfigError::invalid(name, reason(&value)))
    }
}

/// One of a vocabulary's `words` (trimmed, any case), or "expected {expected}, got …".
pub(super) fn one_of<T: Copy>(s: &str, words: &[(&str, T)], expected: &str) -> Result<T, String> {
    let s = s.trim().to_ascii_lowercase();
    words
        .iter()
        .find(|(word, _)| *word == s)
        .map(|(_, value)| *value)
        .ok_or_else(|| format!("expected {expected}, got {s:?}"))
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
