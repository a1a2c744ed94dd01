//! The replica's cache of the two reads every page load makes, `GET /api/v1/me/dashboard` and
//! `GET /api/v1/me/preferences`: per user, the rendered body (and the preferences' version,
//! their `ETag`), so a warm read sends no statement and checks out no connection.
//!
//! Kept correct by [`crate::db::notified`]'s rules (proof of hearing, the `GRACE` fallback
//! when the listener is down, reset on reconnect, tickets, nothing before the first listen).
//! The news: triggers on `dashboard_layouts` and `user_preferences` (migration
//! `20251225000001`) `pg_notify` the user's id on [`CHANNEL`] at the commit of any change of
//! their rows, and `*` on a `TRUNCATE` (every user). What else the effective dashboard depends
//! on needs no news: the starter layouts are compiled in (a new set arrives with a new
//! process, whose cache starts empty), and the role that picks one is checked against the
//! entry at every read (a role change reaches the caller's [`CurrentUser`] through the user
//! cache). A write on this replica also forgets the user here once it has committed
//! ([`PageCache::forget_user`]), so the writer's next read on this replica is never older
//! than the write (read-your-writes), without waiting for the notification.
//!
//! The bound is [`CAPACITY`] users per read, least recently used evicted first: a dashboard
//! body is about 800 bytes for a layout of 8 widgets (the grid allows 50 of up to 16 KiB
//! configs, so a rare one is larger), preferences about 600 bytes.

use std::time::Instant;

use axum::{
    body::Bytes,
    extract::FromRef,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    auth::principal::{CurrentUser, Role},
    db::notified::{Listening, NotifiedCache},
    http::{error::ApiError, state::AppState},
};

/// The channel the `dashboard_layouts` and `user_preferences` triggers notify on.
pub const CHANNEL: &str = "dashboard_changes";
/// Users cached per read per replica.
pub const CAPACITY: usize = 10_000;

/// One rendered answer.
#[derive(Debug, Clone)]
pub struct Page {
    /// The JSON body, as sent.
    pub body: Bytes,
    /// The version its `ETag` names (preferences; the dashboard sends none and stores 0).
    pub version: i32,
    /// The role whose starter layout this is; `None` when it does not depend on the role.
    pub starter_of: Option<Role>,
}

impl Page {
    /// Renders `value` once.
    pub fn render(
        value: &impl Serialize,
        version: i32,
        starter_of: Option<Role>,
    ) -> Result<Self, ApiError> {
        let body = serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.into()))?;
        Ok(Self {
            body: body.into(),
            version,
            starter_of,
        })
    }

    /// The body as `application/json`, as `axum::Json` answers it.
    pub fn json(self) -> Response {
        let content_type = HeaderValue::from_static("application/json");
        ([(header::CONTENT_TYPE, content_type)], self.body).into_response()
    }
}

pub struct PageCache {
    dashboards: NotifiedCache<Uuid, Page>,
    preferences: NotifiedCache<Uuid, Page>,
}

impl Default for PageCache {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

/// Which read.
#[derive(Debug, Clone, Copy)]
pub enum Read {
    Dashboard,
    Preferences,
}

impl PageCache {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            dashboards: NotifiedCache::with_capacity(capacity),
            preferences: NotifiedCache::with_capacity(capacity),
        }
    }

    fn of(&self, read: Read) -> &NotifiedCache<Uuid, Page> {
        match read {
            Read::Dashboard => &self.dashboards,
            Read::Preferences => &self.preferences,
        }
    }

    /// The user's page from the cache when trusted (and drawn for their current role), else
    /// `load`ed and stored unless news of the user came while it loaded.
    pub async fn get_or_load(
        &self,
        read: Read,
        user: &CurrentUser,
        load: impl AsyncFnOnce() -> Result<Page, ApiError>,
    ) -> Result<Page, ApiError> {
        let cache = self.of(read);
        let fits = |p: &Page| p.starter_of.is_none_or(|role| role == user.role);
        if let Some(page) = cache.get(&user.id, Instant::now()).filter(fits) {
            return Ok(page);
        }
        let ticket = cache.ticket();
        let page = load().await?;
        cache.insert(ticket, user.id, page.clone());
        Ok(page)
    }

    /// The user's layouts or preferences changed on this replica (called after the commit).
    pub fn forget_user(&self, id: Uuid) {
        self.dashboards.forget(&id);
        self.preferences.forget(&id);
    }

    /// Cached pages of one read.
    pub fn len(&self, read: Read) -> usize {
        self.of(read).len()
    }
}

impl Listening for PageCache {
    fn channel(&self) -> &'static str {
        CHANNEL
    }

    /// A user's id, or anything else (`*`) for every user.
    fn hear(&self, payload: &str) {
        match payload.parse::<Uuid>() {
            Ok(id) => self.forget_user(id),
            Err(_) => {
                self.dashboards.forget_all();
                self.preferences.forget_all();
            }
        }
    }

    fn reset(&self) {
        self.dashboards.reset();
        self.preferences.reset();
    }

    fn confirm(&self, sent: Instant) {
        self.dashboards.confirm(sent);
        self.preferences.confirm(sent);
    }
}

/// What the dashboard handlers take from the state.
impl FromRef<AppState> for std::sync::Arc<PageCache> {
    fn from_ref(state: &AppState) -> Self {
        state.pages.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> CurrentUser {
        CurrentUser {
            id: Uuid::nil(),
            role,
            client_id: None,
        }
    }

    async fn read(cache: &PageCache, who: &CurrentUser, starter_of: Option<Role>) -> bool {
        let mut loaded = false;
        cache
            .get_or_load(Read::Dashboard, who, async || {
                loaded = true;
                Page::render(&"x", 1, starter_of)
            })
            .await
            .expect("page");
        loaded
    }

    #[tokio::test]
    async fn a_starter_is_served_only_to_the_role_it_was_drawn_for() {
        let cache = PageCache::with_capacity(2);
        cache.reset();
        let operator = user(Role::Operator);
        assert!(read(&cache, &operator, Some(Role::Operator)).await);
        assert!(!read(&cache, &operator, Some(Role::Operator)).await);
        let promoted = user(Role::Admin);
        assert!(read(&cache, &promoted, Some(Role::Admin)).await);
        cache.hear("*");
        assert_eq!(cache.len(Read::Dashboard), 0);
    }
}
