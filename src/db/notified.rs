//! A per-replica cache kept correct by PostgreSQL `LISTEN/NOTIFY`: the one logic behind the
//! cache of token users ([`crate::auth::user_cache`]), the cache of page-load reads
//! ([`crate::dashboards::cache`]) and the cache of budget variances
//! ([`crate::financial::variance::cache`]).
//!
//! A cached entry is only as good as the news of its change. Triggers `pg_notify` on a
//! channel when what an entry was read from changes, and the replica's one listening
//! connection (the live-update listener, [`crate::activity::hub`]) hands each payload to the
//! [`Listening`] cache of that channel, which forgets what it names. What keeps that honest
//! when the listener is not hearing:
//!
//! - **Proof of hearing.** The listener sends a query on its connection every
//!   [`PING_EVERY`]; PostgreSQL delivers every notification committed before a query ahead of
//!   its answer, so an answer proves that every change committed before the query was sent has
//!   been forgotten ([`NotifiedCache::confirm`] records that instant). An entry is trusted
//!   only while the newer of that instant and its own loading is less than [`GRACE`] old:
//!   with the listener down, stalled or slow, entries fall back to a TTL of [`GRACE`].
//! - **No news missed across a reconnect.** When the listener (re)starts listening it clears
//!   the cache ([`NotifiedCache::reset`]): whatever changed while it was away is read afresh.
//! - **No stale load after its news.** A request that misses takes a [`Ticket`] before it
//!   reads; every forget or reset bumps a generation, and an entry whose ticket is older than
//!   the generation is not stored (the news came while it was reading).
//! - **Never before the first listen.** Until a listener has listened once, nothing is cached:
//!   an app that never starts its listener (a test's) reads on every request.
//!
//! The bound is the capacity given, least recently used evicted first.

use std::{
    hash::Hash,
    num::NonZeroUsize,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use lru::LruCache;

/// How long an entry is trusted past the last proof that the listener hears notifications
/// (or past its own loading): the bound on how long a change can go unseen.
pub const GRACE: Duration = Duration::from_millis(800);
/// How often the listener proves it hears (see the module doc).
pub const PING_EVERY: Duration = Duration::from_millis(200);

/// What the listening connection feeds: one channel's notifications, its (re)connections and
/// its proofs of hearing.
pub trait Listening: Send + Sync {
    /// The channel `LISTEN`ed on for this cache.
    fn channel(&self) -> &'static str;
    /// A notification's payload arrived.
    fn hear(&self, payload: &str);
    /// The listener listens (again): news may have been missed while it was away.
    fn reset(&self);
    /// Every notification committed before `sent` has been heard.
    fn confirm(&self, sent: Instant);
}

/// Taken before a value is read; stores the result only if no news came meanwhile.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    generation: u64,
    at: Instant,
}

impl Ticket {
    /// When it was taken (the loading instant of what is stored under it).
    pub fn at(&self) -> Instant {
        self.at
    }
}

struct Entries<K: Hash + Eq, V> {
    map: LruCache<K, (V, Instant)>,
    generation: u64,
}

pub struct NotifiedCache<K: Hash + Eq, V> {
    entries: Mutex<Entries<K, V>>,
    base: Instant,
    /// Nanoseconds after `base` of the newest query the listener sent and got answered.
    confirmed: AtomicU64,
    /// A listener has listened at least once.
    watched: AtomicBool,
}

impl<K: Hash + Eq, V: Clone> NotifiedCache<K, V> {
    pub fn with_capacity(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            entries: Mutex::new(Entries {
                map: LruCache::new(capacity),
                generation: 0,
            }),
            base: Instant::now(),
            confirmed: AtomicU64::new(0),
            watched: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries<K, V>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn confirmed_at(&self) -> Instant {
        self.base + Duration::from_nanos(self.confirmed.load(Ordering::Acquire))
    }

    /// The value, if cached and still trusted at `now`.
    pub fn get(&self, key: &K, now: Instant) -> Option<V> {
        if !self.watched.load(Ordering::Acquire) {
            return None;
        }
        let confirmed = self.confirmed_at();
        let mut entries = self.lock();
        let (value, loaded) = entries.map.get(key)?;
        if now.saturating_duration_since((*loaded).max(confirmed)) < GRACE {
            return Some(value.clone());
        }
        // Not trusted any more: the caller reads afresh and stores it.
        entries.map.pop(key);
        None
    }

    /// To take right before reading what [`NotifiedCache::insert`] will store.
    pub fn ticket(&self) -> Ticket {
        Ticket {
            generation: self.lock().generation,
            at: Instant::now(),
        }
    }

    /// Stores what was read under `ticket`, unless news came since it was taken.
    pub fn insert(&self, ticket: Ticket, key: K, value: V) {
        if !self.watched.load(Ordering::Acquire) {
            return;
        }
        let mut entries = self.lock();
        if entries.generation == ticket.generation {
            entries.map.put(key, (value, ticket.at));
        }
    }

    /// News of one key: drops it, and keeps out every read begun before.
    pub fn forget(&self, key: &K) {
        let mut entries = self.lock();
        entries.generation += 1;
        entries.map.pop(key);
    }

    /// News of every key `names` (a client's, say): drops them, and keeps out every read
    /// begun before.
    pub fn forget_where(&self, names: impl Fn(&K) -> bool)
    where
        K: Clone,
    {
        let mut entries = self.lock();
        entries.generation += 1;
        let named: Vec<K> = entries
            .map
            .iter()
            .filter(|(k, _)| names(k))
            .map(|(k, _)| k.clone())
            .collect();
        for key in named {
            entries.map.pop(&key);
        }
    }

    /// News of everything.
    pub fn forget_all(&self) {
        let mut entries = self.lock();
        entries.generation += 1;
        entries.map.clear();
    }

    /// The listener listens (again): clears, and from now on caches.
    pub fn reset(&self) {
        self.forget_all();
        self.watched.store(true, Ordering::Release);
    }

    /// Every notification committed before `sent` has been forgotten.
    pub fn confirm(&self, sent: Instant) {
        let nanos = sent.saturating_duration_since(self.base).as_nanos() as u64;
        self.confirmed.fetch_max(nanos, Ordering::AcqRel);
    }

    /// Cached entries.
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The listener's half (run beside its session): proves every [`PING_EVERY`] that the
/// connection hears, to every cache it feeds. Returns only with the connection's error.
pub async fn keep_confirming(
    caches: &[Arc<dyn Listening>],
    client: &tokio_postgres::Client,
) -> Result<(), tokio_postgres::Error> {
    let mut every = tokio::time::interval(PING_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let sent = Instant::now();
        client.simple_query("").await?;
        for cache in caches {
            cache.confirm(sent);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watched() -> NotifiedCache<u32, &'static str> {
        let cache = NotifiedCache::with_capacity(2);
        cache.reset();
        cache
    }

    #[test]
    fn nothing_is_cached_before_a_listener_listened() {
        let cache = NotifiedCache::with_capacity(2);
        cache.insert(cache.ticket(), 1, "a");
        assert_eq!(cache.get(&1, Instant::now()), None);
    }

    #[test]
    fn entries_are_trusted_for_the_grace_past_the_last_confirmation_or_their_loading() {
        let cache = watched();
        let ticket = cache.ticket();
        cache.insert(ticket, 1, "a");
        let t0 = ticket.at();
        assert_eq!(cache.get(&1, t0 + GRACE / 2), Some("a"));
        // A listener that keeps confirming keeps the entry trusted ...
        cache.confirm(t0 + GRACE);
        assert!(cache.get(&1, t0 + GRACE * 3 / 2).is_some());
        // ... one that stops confirming does not.
        assert_eq!(
            cache.get(&1, t0 + GRACE * 2 + Duration::from_millis(1)),
            None
        );
        assert_eq!(cache.len(), 0, "an untrusted entry is dropped");
    }

    #[test]
    fn news_during_a_read_keeps_the_read_out_of_the_cache() {
        let cache = watched();
        let ticket = cache.ticket();
        cache.forget(&1);
        cache.insert(ticket, 1, "a");
        assert_eq!(cache.get(&1, Instant::now()), None);
        let ticket = cache.ticket();
        cache.reset();
        cache.insert(ticket, 1, "a");
        assert_eq!(cache.get(&1, Instant::now()), None);
    }

    #[test]
    fn forget_drops_one_key_or_all_and_the_size_is_bounded() {
        let cache = watched();
        for key in [1, 2, 3] {
            cache.insert(cache.ticket(), key, "v");
        }
        assert_eq!(cache.len(), 2, "capacity 2: the least recently used went");
        assert!(cache.get(&1, Instant::now()).is_none());
        cache.forget(&2);
        assert!(cache.get(&2, Instant::now()).is_none());
        assert!(cache.get(&3, Instant::now()).is_some());
        cache.forget_all();
        assert!(cache.is_empty());
    }
}
