//! The facts a bearer token is checked against (role, client, password fingerprint), cached
//! per user in the replica, so a signed-in read costs the handler's statement and nothing more.
//!
//! A cached entry is only as good as the news of its change. Every replica hears of changes
//! at once: a trigger on `users` (migration `20251223000001`) `pg_notify`s the user's id on
//! `user_auth_changes` when a role, client or password changes or the user is deleted, and the
//! replica's one listening connection (the live-update listener, [`crate::activity::hub`])
//! forwards each id to [`UserCache::forget`]. What keeps that honest when the listener is not
//! hearing:
//!
//! - **Proof of hearing.** The listener sends a query on its connection every
//!   [`PING_EVERY`]; PostgreSQL delivers every notification committed before a query ahead of
//!   its answer, so an answer proves that every change committed before the query was sent has
//!   reached [`UserCache::forget`] ([`UserCache::confirm`] records that instant). An entry is
//!   trusted only while the newer of that instant and its own loading is less than [`GRACE`]
//!   old: with the listener down, stalled or slow, entries fall back to a TTL of [`GRACE`]
//!   and a revoked token stops working within it, on every replica.
//! - **No news missed across a reconnect.** When the listener (re)starts listening it clears
//!   the cache ([`UserCache::reset`]): whatever changed while it was away is read afresh.
//! - **No stale load after its news.** A request that misses takes a [`Ticket`] before it
//!   reads the user; every `forget`/`reset` bumps a generation, and an entry whose ticket is
//!   older than the generation is not stored (the news came while it was reading).
//! - **Never before the first listen.** Until a listener has listened once, nothing is cached:
//!   an app that never starts its listener (a test's) reads the user on every request.
//!
//! The same rules keep the clients known to exist, for the tenancy check of staff, who may
//! name any client ([`super::tenancy`]): a client's deletion notifies `client:<id>`.
//!
//! The bound is [`CAPACITY`] users and as many clients, least recently used evicted first (about 150 bytes each).
//! Revocation needs no negative entries: a deleted user is not cached, so every request with its
//! token reads (and refuses) it. A change committed on this replica reaches its own cache
//! the same way, so a request sent in the few hundred microseconds between the commit and
//! its notification can still pass with the old facts.

use std::{
    num::NonZeroUsize,
    sync::{
        Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use lru::LruCache;
use uuid::Uuid;

use super::principal::Role;

/// The channel the `users` triggers notify on.
pub const CHANNEL: &str = "user_auth_changes";
/// How long an entry is trusted past the last proof that the listener hears notifications
/// (or past its own loading): the bound on how long a revoked token keeps working.
pub const GRACE: Duration = Duration::from_millis(800);
/// How often the listener proves it hears (see the module doc).
pub const PING_EVERY: Duration = Duration::from_millis(200);
/// Users cached per replica.
pub const CAPACITY: usize = 10_000;

/// What a token is checked against; never the password hash itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFacts {
    pub role: Role,
    pub client_id: Option<Uuid>,
    /// [`super::token::password_fingerprint`] of the stored hash.
    pub fingerprint: String,
}

struct Entry {
    facts: AuthFacts,
    loaded: Instant,
}

struct Entries {
    map: LruCache<Uuid, Entry>,
    /// Clients known to exist, and when that was read.
    clients: LruCache<Uuid, Instant>,
    generation: u64,
}

/// Taken before a user is read; stores the result only if no news came meanwhile.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    generation: u64,
    at: Instant,
}

pub struct UserCache {
    entries: Mutex<Entries>,
    base: Instant,
    /// Nanoseconds after `base` of the newest query the listener sent and got answered.
    confirmed: AtomicU64,
    /// A listener has listened at least once.
    watched: AtomicBool,
}

impl Default for UserCache {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl UserCache {
    pub fn with_capacity(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            entries: Mutex::new(Entries {
                map: LruCache::new(capacity),
                clients: LruCache::new(capacity),
                generation: 0,
            }),
            base: Instant::now(),
            confirmed: AtomicU64::new(0),
            watched: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn confirmed_at(&self) -> Instant {
        self.base + Duration::from_nanos(self.confirmed.load(Ordering::Acquire))
    }

    /// The user's facts, if cached and still trusted at `now`.
    pub fn get(&self, id: Uuid, now: Instant) -> Option<AuthFacts> {
        if !self.watched.load(Ordering::Acquire) {
            return None;
        }
        let confirmed = self.confirmed_at();
        let mut entries = self.lock();
        let entry = entries.map.get(&id)?;
        if now.saturating_duration_since(entry.loaded.max(confirmed)) < GRACE {
            return Some(entry.facts.clone());
        }
        // Not trusted any more: the caller reads the user and stores it afresh.
        entries.map.pop(&id);
        None
    }

    /// Whether the client is cached as existing, and still trusted at `now`.
    pub fn client_exists(&self, id: Uuid, now: Instant) -> bool {
        if !self.watched.load(Ordering::Acquire) {
            return false;
        }
        let confirmed = self.confirmed_at();
        let mut entries = self.lock();
        match entries.clients.get(&id) {
            Some(loaded) if now.saturating_duration_since((*loaded).max(confirmed)) < GRACE => true,
            Some(_) => {
                entries.clients.pop(&id);
                false
            }
            None => false,
        }
    }

    /// Stores that the client was read as existing under `ticket` (see [`UserCache::insert`]).
    pub fn insert_client(&self, ticket: Ticket, id: Uuid) {
        if !self.watched.load(Ordering::Acquire) {
            return;
        }
        let mut entries = self.lock();
        if entries.generation == ticket.generation {
            entries.clients.put(id, ticket.at);
        }
    }

    /// To take right before reading a user or a client (see [`UserCache::insert`]).
    pub fn ticket(&self) -> Ticket {
        Ticket {
            generation: self.lock().generation,
            at: Instant::now(),
        }
    }

    /// Stores what was read under `ticket`, unless news came since it was taken.
    pub fn insert(&self, ticket: Ticket, id: Uuid, facts: AuthFacts) {
        if !self.watched.load(Ordering::Acquire) {
            return;
        }
        let mut entries = self.lock();
        if entries.generation == ticket.generation {
            let loaded = ticket.at;
            entries.map.put(id, Entry { facts, loaded });
        }
    }

    /// A notification's payload: one user's id, `client:<id>`, or anything else (`*`) for
    /// everything.
    pub fn forget(&self, payload: &str) {
        let mut entries = self.lock();
        entries.generation += 1;
        if let Some(id) = payload.strip_prefix("client:") {
            if let Ok(id) = id.parse::<Uuid>() {
                entries.clients.pop(&id);
                return;
            }
        } else if let Ok(id) = payload.parse::<Uuid>() {
            entries.map.pop(&id);
            return;
        }
        entries.map.clear();
        entries.clients.clear();
    }

    /// The listener listens (again): news may have been missed while it was away.
    pub fn reset(&self) {
        let mut entries = self.lock();
        entries.generation += 1;
        entries.map.clear();
        entries.clients.clear();
        self.watched.store(true, Ordering::Release);
    }

    /// Every notification committed before `sent` has been forgotten.
    pub fn confirm(&self, sent: Instant) {
        let nanos = sent.saturating_duration_since(self.base).as_nanos() as u64;
        self.confirmed.fetch_max(nanos, Ordering::AcqRel);
    }

    /// Cached users.
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The listener's half (run beside its session): proves every [`PING_EVERY`] that the
/// connection hears. Returns only with the connection's error.
pub async fn keep_confirming(
    cache: &UserCache,
    client: &tokio_postgres::Client,
) -> Result<(), tokio_postgres::Error> {
    let mut every = tokio::time::interval(PING_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let sent = Instant::now();
        client.simple_query("").await?;
        cache.confirm(sent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(role: Role) -> AuthFacts {
        AuthFacts {
            role,
            client_id: None,
            fingerprint: "fp".into(),
        }
    }

    fn watched() -> UserCache {
        let cache = UserCache::with_capacity(2);
        cache.reset();
        cache
    }

    #[test]
    fn nothing_is_cached_before_a_listener_listened() {
        let cache = UserCache::default();
        let id = Uuid::new_v4();
        cache.insert(cache.ticket(), id, facts(Role::Admin));
        assert_eq!(cache.get(id, Instant::now()), None);
    }

    #[test]
    fn entries_are_trusted_for_the_grace_past_the_last_confirmation_or_their_loading() {
        let cache = watched();
        let id = Uuid::new_v4();
        let ticket = cache.ticket();
        cache.insert(ticket, id, facts(Role::Operator));
        let t0 = ticket.at;
        assert_eq!(cache.get(id, t0 + GRACE / 2), Some(facts(Role::Operator)));
        // A listener that keeps confirming keeps the entry trusted ...
        cache.confirm(t0 + GRACE);
        assert!(cache.get(id, t0 + GRACE * 3 / 2).is_some());
        // ... one that stops confirming does not.
        assert_eq!(
            cache.get(id, t0 + GRACE * 2 + Duration::from_millis(1)),
            None
        );
        assert_eq!(cache.len(), 0, "an untrusted entry is dropped");
    }

    #[test]
    fn news_during_a_read_keeps_the_read_out_of_the_cache() {
        let cache = watched();
        let id = Uuid::new_v4();
        let ticket = cache.ticket();
        cache.forget(&id.to_string());
        cache.insert(ticket, id, facts(Role::Admin));
        assert_eq!(cache.get(id, Instant::now()), None);
        let ticket = cache.ticket();
        cache.reset();
        cache.insert(ticket, id, facts(Role::Admin));
        assert_eq!(cache.get(id, Instant::now()), None);
    }

    #[test]
    fn forget_drops_one_user_or_everyone_and_the_size_is_bounded() {
        let cache = watched();
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        for id in [a, b, c] {
            cache.insert(cache.ticket(), id, facts(Role::Client));
        }
        assert_eq!(cache.len(), 2, "capacity 2: the least recently used went");
        assert!(cache.get(a, Instant::now()).is_none());
        cache.forget(&b.to_string());
        assert!(cache.get(b, Instant::now()).is_none());
        assert!(cache.get(c, Instant::now()).is_some());
        let acme = Uuid::new_v4();
        cache.insert_client(cache.ticket(), acme);
        assert!(cache.client_exists(acme, Instant::now()));
        cache.forget(&format!("client:{acme}"));
        assert!(!cache.client_exists(acme, Instant::now()));
        assert!(
            cache.get(c, Instant::now()).is_some(),
            "a client's news keeps users"
        );
        cache.insert_client(cache.ticket(), acme);
        cache.forget("*");
        assert!(cache.is_empty() && !cache.client_exists(acme, Instant::now()));
    }
}
