//! The shipment settings: per-carrier tracking URL templates and webhook secrets (named by
//! the carrier table), and the import's body limit and timeout.

use std::time::Duration;

use super::{
    carriers::{CARRIERS, PLACEHOLDER},
    types::Carrier,
};
use crate::config::{ConfigError, Secret};

/// Default `IMPORT_BODY_LIMIT_BYTES`: 256 MiB.
pub const DEFAULT_IMPORT_BODY_LIMIT: usize = 256 * 1024 * 1024;
/// Default `IMPORT_REQUEST_TIMEOUT`: a 256 MiB import takes about a minute on a small machine.
pub const DEFAULT_IMPORT_TIMEOUT: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone)]
pub struct ShipmentsConfig {
    /// Indexed by [`Carrier::index`].
    pub tracking_urls: [String; 4],
    /// Indexed by [`Carrier::index`]; a carrier without a secret gets 401 on every webhook.
    pub webhook_secrets: [Option<Secret>; 4],
    pub import_body_limit_bytes: usize,
    /// How long one import request may run (every other request: `REQUEST_TIMEOUT`).
    pub import_timeout: Duration,
}

impl Default for ShipmentsConfig {
    /// The public tracking pages, no webhook secrets, the default import limit.
    fn default() -> Self {
        Self {
            tracking_urls: CARRIERS.map(|c| c.default_url.to_owned()),
            webhook_secrets: Default::default(),
            import_body_limit_bytes: DEFAULT_IMPORT_BODY_LIMIT,
            import_timeout: DEFAULT_IMPORT_TIMEOUT,
        }
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl ShipmentsConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut cfg = Self::default();
        for rules in &CARRIERS {
            let i = rules.carrier.index();
            if let Some(url) = var(rules.url_env) {
                let url = url.trim().to_owned();
                if !(url.starts_with("https://") || url.starts_with("http://"))
                    || !url.contains(PLACEHOLDER)
                {
                    return Err(ConfigError::Invalid {
                        name: rules.url_env,
                        reason: format!("must be an http(s) URL holding {PLACEHOLDER}"),
                    });
                }
                cfg.tracking_urls[i] = url;
            }
            if let Some(value) = var(rules.secret_env) {
                let value = crate::config::secret(rules.secret_env, value, 16)?;
                cfg.webhook_secrets[i] = Some(Secret::new(value));
            }
        }
        if let Some(raw) = var("IMPORT_BODY_LIMIT_BYTES") {
            cfg.import_body_limit_bytes = raw
                .trim()
                .parse()
                .ok()
                .filter(|n| *n >= 1024)
                .ok_or_else(|| ConfigError::Invalid {
                    name: "IMPORT_BODY_LIMIT_BYTES",
                    reason: "must be a number of bytes, at least 1024".into(),
                })?;
        }
        if let Some(raw) = var("IMPORT_REQUEST_TIMEOUT") {
            cfg.import_timeout =
                crate::config::parse_duration(&raw).map_err(|reason| ConfigError::Invalid {
                    name: "IMPORT_REQUEST_TIMEOUT",
                    reason,
                })?;
        }
        Ok(cfg)
    }

    /// The import route's own limits (see `routes::own_limits`).
    pub fn import_limits(&self) -> crate::http::stack::Limits {
        crate::http::stack::Limits {
            body_bytes: self.import_body_limit_bytes,
            timeout: self.import_timeout,
        }
    }

    /// The carrier's tracking page for a normalised number (URL-encoded into the template).
    pub fn tracking_url(&self, carrier: Carrier, number: &str) -> String {
        let encoded: String = form_urlencoded::byte_serialize(number.as_bytes()).collect();
        self.tracking_urls[carrier.index()].replace(PLACEHOLDER, &encoded)
    }

    pub fn webhook_secret(&self, carrier: Carrier) -> Option<&Secret> {
        self.webhook_secrets[carrier.index()].as_ref()
    }
}
