//! Sign-in throttling: a budget of failed sign-ins per account *from one client address* and
//! per client address, counted in PostgreSQL (`sign_in_throttle`) so that every replica behind
//! the load balancer enforces the same budget, in fixed windows.
//!
//! Why these two keys and not "per account": a budget per account alone would let anyone lock
//! a real user out by failing on purpose. Keyed by (account, address), an attacker exhausts only
//! their own address's budget for that account; the user signing in from elsewhere is never
//! affected, and a window ends `SIGN_IN_THROTTLE_WINDOW` after its first failure, so nothing is
//! locked for longer than that. The per-address budget bounds one address guessing across many
//! accounts. A correct password resets its (account, address) count.
//!
//! Over budget, the sign-in answers 429 with `Retry-After` (seconds until the window ends)
//! before any password is checked, so throttled guesses cost no Argon2 work either.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `SIGN_IN_FAILURES_PER_ACCOUNT` | `5` | failures of one account from one address per window |
//! | `SIGN_IN_FAILURES_PER_ADDRESS` | `50` | failures from one address per window, any account |
//! | `SIGN_IN_THROTTLE_WINDOW` | `15m` | the window |
//! | `TRUST_FORWARDED_FOR` | `false` | take the client address from the last `X-Forwarded-For` entry (set it behind a load balancer that appends one) |

use std::{net::SocketAddr, time::Duration};

use axum::{extract::ConnectInfo, http::HeaderMap};
use diesel::{
    QueryableByName,
    sql_types::{Binary, Double, Integer},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};

use crate::config::{ConfigError, duration, parsed};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleConfig {
    pub failures_per_account: i32,
    pub failures_per_address: i32,
    pub window: Duration,
    pub trust_forwarded_for: bool,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            failures_per_account: 5,
            failures_per_address: 50,
            window: Duration::from_secs(15 * 60),
            trust_forwarded_for: false,
        }
    }
}

impl ThrottleConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let d = Self::default();
        let cfg = Self {
            failures_per_account: parsed("SIGN_IN_FAILURES_PER_ACCOUNT", d.failures_per_account)?,
            failures_per_address: parsed("SIGN_IN_FAILURES_PER_ADDRESS", d.failures_per_address)?,
            window: duration("SIGN_IN_THROTTLE_WINDOW", d.window)?,
            trust_forwarded_for: parsed("TRUST_FORWARDED_FOR", d.trust_forwarded_for)?,
        };
        for (name, n) in [
            ("SIGN_IN_FAILURES_PER_ACCOUNT", cfg.failures_per_account),
            ("SIGN_IN_FAILURES_PER_ADDRESS", cfg.failures_per_address),
        ] {
            if n < 1 {
                return Err(ConfigError::Invalid {
                    name,
                    reason: "must be at least 1".into(),
                });
            }
        }
        Ok(cfg)
    }
}

/// The two throttle keys of one sign-in attempt (SHA-256 digests, never the email or address).
pub struct Keys {
    account_address: Vec<u8>,
    address: Vec<u8>,
}

impl Keys {
    pub fn new(email: &str, address: &str) -> Self {
        let digest = |parts: &[&str]| Sha256::digest(parts.join("\0").as_bytes()).to_vec();
        let email = email.trim().to_lowercase();
        Self {
            account_address: digest(&["account_address", &email, address]),
            address: digest(&["address", address]),
        }
    }
}

/// The caller's address: the TCP peer, or with `TRUST_FORWARDED_FOR` the last
/// `X-Forwarded-For` entry (the one the load balancer appended; earlier ones are the
/// client's to invent). `unknown` when neither is there (in-process tests).
pub fn client_address(
    cfg: &ThrottleConfig,
    headers: &HeaderMap,
    peer: Option<&ConnectInfo<SocketAddr>>,
) -> String {
    let forwarded = cfg
        .trust_forwarded_for
        .then(|| headers.get("x-forwarded-for")?.to_str().ok())
        .flatten()
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    match (forwarded, peer) {
        (Some(f), _) => f.to_owned(),
        (None, Some(ConnectInfo(addr))) => addr.ip().to_string(),
        (None, None) => "unknown".to_owned(),
    }
}

#[derive(QueryableByName)]
struct RetryAfter {
    #[diesel(sql_type = Integer)]
    retry_after: i32,
}

/// Seconds until the attempt may be made again, or `None` when it is within budget.
pub async fn over_budget(
    conn: &mut AsyncPgConnection,
    cfg: &ThrottleConfig,
    keys: &Keys,
) -> diesel::QueryResult<Option<u64>> {
    let row: RetryAfter = diesel::sql_query(
        "SELECT COALESCE(MAX(CEIL(EXTRACT(EPOCH FROM \
                    window_started_at + make_interval(secs => $3) - now()))), 0)::int AS retry_after \
         FROM sign_in_throttle \
         WHERE ((key = $1 AND failures >= $4) OR (key = $2 AND failures >= $5)) \
           AND window_started_at > now() - make_interval(secs => $3)",
    )
    .bind::<Binary, _>(&keys.account_address)
    .bind::<Binary, _>(&keys.address)
    .bind::<Double, _>(cfg.window.as_secs_f64())
    .bind::<Integer, _>(cfg.failures_per_account)
    .bind::<Integer, _>(cfg.failures_per_address)
    .get_result(conn)
    .await?;
    Ok((row.retry_after > 0).then(|| row.retry_after.unsigned_abs().into()))
}

/// Counts a failure against both keys (a window that has ended starts again at 1), and prunes
/// windows that ended, in one statement.
pub async fn record_failure(
    conn: &mut AsyncPgConnection,
    cfg: &ThrottleConfig,
    keys: &Keys,
) -> diesel::QueryResult<()> {
    diesel::sql_query(
        "WITH pruned AS ( \
             DELETE FROM sign_in_throttle \
             WHERE window_started_at < now() - make_interval(secs => $3) AND key <> ALL (ARRAY[$1, $2])) \
         INSERT INTO sign_in_throttle AS t (key, scope, window_started_at, failures) \
         VALUES ($1, 'account_address', now(), 1), ($2, 'address', now(), 1) \
         ON CONFLICT (key) DO UPDATE SET \
             failures = CASE WHEN t.window_started_at <= now() - make_interval(secs => $3) \
                             THEN 1 ELSE t.failures + 1 END, \
             window_started_at = CASE WHEN t.window_started_at <= now() - make_interval(secs => $3) \
                                      THEN now() ELSE t.window_started_at END",
    )
    .bind::<Binary, _>(&keys.account_address)
    .bind::<Binary, _>(&keys.address)
    .bind::<Double, _>(cfg.window.as_secs_f64())
    .execute(conn)
    .await?;
    Ok(())
}

/// A correct password clears its (account, address) count; the address's count stays.
pub async fn record_success(conn: &mut AsyncPgConnection, keys: &Keys) -> diesel::QueryResult<()> {
    diesel::sql_query("DELETE FROM sign_in_throttle WHERE key = $1")
        .bind::<Binary, _>(&keys.account_address)
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_the_peer_unless_the_forwarded_header_is_trusted() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "6.6.6.6, 10.0.0.7".parse().expect("header"),
        );
        let peer = ConnectInfo(SocketAddr::from(([192, 0, 2, 1], 4242)));
        let mut cfg = ThrottleConfig::default();
        assert_eq!(client_address(&cfg, &headers, Some(&peer)), "192.0.2.1");
        cfg.trust_forwarded_for = true;
        // The entry the load balancer appended, not the one the client wrote.
        assert_eq!(client_address(&cfg, &headers, Some(&peer)), "10.0.0.7");
        assert_eq!(client_address(&cfg, &HeaderMap::new(), None), "unknown");
    }

    #[test]
    fn keys_ignore_the_case_of_the_email_and_hold_no_clear_text() {
        let a = Keys::new("Buyer@Acme.example ", "192.0.2.1");
        let b = Keys::new("buyer@acme.example", "192.0.2.1");
        assert_eq!(a.account_address, b.account_address);
        assert_eq!(a.address, b.address);
        assert_ne!(
            a.account_address,
            Keys::new("buyer@acme.example", "192.0.2.2").account_address
        );
        assert_eq!(a.account_address.len(), 32);
    }
}
