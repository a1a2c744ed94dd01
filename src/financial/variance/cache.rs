//! The replica's cache of budget variance reports, `GET …/budgets/variance`: per (client,
//! window, day) the rendered body, so a dashboard's repeated read sends no statement and
//! checks out no connection. The statement reads every cost month its budgets span (about
//! 1 ms of PostgreSQL for a client of 200 products and a year of months), while what it is
//! computed from changes a few times a day: at the monthly cost aggregation, when a budget is
//! written, when a product changes category.
//!
//! Kept correct by [`crate::db::notified`]'s rules (proof of hearing, the `GRACE` fallback
//! when the listener is down, reset on reconnect, tickets, nothing before the first listen).
//! The news: triggers on `budgets`, `cost_tracking` and `products.category` (migration
//! `20251230000001`) `pg_notify` the client's id on [`CHANNEL`] at the commit of any change,
//! and `*` on a `TRUNCATE`. What else a report depends on needs no news: the day is part of
//! the key (yesterday's entries are evicted unread) and the tolerance is the process's
//! configuration. A write on this replica (a budget, an aggregation through the API) also
//! forgets the client here once it has committed ([`VarianceCache::forget_client`]), so the
//! writer's next read on this replica is never older than the write.

use std::time::Instant;

use axum::{
    body::Bytes,
    extract::FromRef,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::{
    db::notified::{Listening, NotifiedCache},
    http::{error::ApiError, state::AppState},
};

/// The channel the `budgets`, `cost_tracking` and `products` triggers notify on.
pub const CHANNEL: &str = "cost_changes";
/// Reports cached per replica (a report of 12 budgets is about 5 KiB).
pub const CAPACITY: usize = 4096;

/// What a report is computed for: the client, the window (`from`, `to`) and the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportKey {
    pub client_id: Uuid,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub as_of: NaiveDate,
}

pub struct VarianceCache {
    reports: NotifiedCache<ReportKey, Bytes>,
}

impl Default for VarianceCache {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl VarianceCache {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            reports: NotifiedCache::with_capacity(capacity),
        }
    }

    /// The report as `application/json`, from the cache when trusted, else `load`ed,
    /// rendered and stored unless news of the client came while it loaded.
    pub async fn get_or_load<T: Serialize>(
        &self,
        key: ReportKey,
        load: impl AsyncFnOnce() -> Result<T, ApiError>,
    ) -> Result<Response, ApiError> {
        let body = match self.reports.get(&key, Instant::now()) {
            Some(body) => body,
            None => {
                let ticket = self.reports.ticket();
                let report = load().await?;
                let body: Bytes = serde_json::to_vec(&report)
                    .map_err(|e| ApiError::Internal(e.into()))?
                    .into();
                self.reports.insert(ticket, key, body.clone());
                body
            }
        };
        let content_type = HeaderValue::from_static("application/json");
        Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
    }

    /// What the client's reports are computed from changed on this replica (called after
    /// the commit).
    pub fn forget_client(&self, client_id: Uuid) {
        self.reports.forget_where(|k| k.client_id == client_id);
    }

    /// Cached reports.
    pub fn len(&self) -> usize {
        self.reports.len()
    }

    pub fn is_empty(&self) -> bool {
        self.reports.is_empty()
    }
}

impl Listening for VarianceCache {
    fn channel(&self) -> &'static str {
        CHANNEL
    }

    /// A client's id, or anything else (`*`) for every client.
    fn hear(&self, payload: &str) {
        match payload.parse::<Uuid>() {
            Ok(id) => self.forget_client(id),
            Err(_) => self.reports.forget_all(),
        }
    }

    fn reset(&self) {
        self.reports.reset();
    }

    fn confirm(&self, sent: Instant) {
        self.reports.confirm(sent);
    }
}

/// What the financial handlers take from the state.
impl FromRef<AppState> for std::sync::Arc<VarianceCache> {
    fn from_ref(state: &AppState) -> Self {
        state.variance.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(client: u128, day: u32) -> ReportKey {
        ReportKey {
            client_id: Uuid::from_u128(client),
            from: None,
            to: None,
            as_of: NaiveDate::from_ymd_opt(2026, 3, day).expect("date"),
        }
    }

    async fn loads(cache: &VarianceCache, key: ReportKey) -> bool {
        let mut loaded = false;
        cache
            .get_or_load(key, async || {
                loaded = true;
                Ok("report")
            })
            .await
            .expect("report");
        loaded
    }

    #[tokio::test]
    async fn news_of_a_client_forgets_its_reports_and_no_others() {
        let cache = VarianceCache::with_capacity(8);
        cache.reset();
        cache.confirm(Instant::now());
        for k in [key(1, 1), key(1, 2), key(2, 1)] {
            assert!(loads(&cache, k).await, "first read loads");
            assert!(!loads(&cache, k).await, "second read is cached");
        }
        cache.hear(&Uuid::from_u128(1).to_string());
        assert!(loads(&cache, key(1, 1)).await);
        assert!(loads(&cache, key(1, 2)).await);
        assert!(
            !loads(&cache, key(2, 1)).await,
            "another client's report stays"
        );
        cache.hear("*");
        assert!(loads(&cache, key(2, 1)).await, "'*' forgets every client");
    }
}
