//! The facts a bearer token is checked against (role, client, password fingerprint), cached
//! per user in the replica, so a signed-in read costs the handler's statement and nothing more.
//!
//! Every replica hears of changes at once: a trigger on `users` (migration `20251223000001`)
//! `pg_notify`s the user's id on `user_auth_changes` when a role, client or password changes
//! or the user is deleted, and the replica's listening connection forwards each payload here.
//! The rules that keep the cache honest while the listener is down, slow or reconnecting
//! (proof of hearing, the [`GRACE`] fallback, reset on reconnect, tickets, nothing before the
//! first listen) are [`crate::db::notified`]'s, shared with the cache of page-load reads.
//!
//! The same rules keep the clients known to exist, for the tenancy check of staff, who may
//! name any client ([`super::tenancy`]): a client's deletion notifies `client:<id>`.
//!
//! The bound is [`CAPACITY`] users and as many clients, least recently used evicted first (about 150 bytes each).
//! Revocation needs no negative entries: a deleted user is not cached, so every request with its
//! token reads (and refuses) it. A change committed on this replica reaches its own cache
//! the same way, so a request sent in the few hundred microseconds between the commit and
//! its notification can still pass with the old facts.

use std::time::Instant;

use uuid::Uuid;

use super::principal::Role;
pub use crate::db::notified::{GRACE, PING_EVERY, Ticket};
use crate::db::notified::{Listening, NotifiedCache};

/// The channel the `users` triggers notify on.
pub const CHANNEL: &str = "user_auth_changes";
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

pub struct UserCache {
    users: NotifiedCache<Uuid, AuthFacts>,
    /// Clients known to exist.
    clients: NotifiedCache<Uuid, ()>,
}

impl Default for UserCache {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl UserCache {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            users: NotifiedCache::with_capacity(capacity),
            clients: NotifiedCache::with_capacity(capacity),
        }
    }

    /// The user's facts, if cached and still trusted at `now`.
    pub fn get(&self, id: Uuid, now: Instant) -> Option<AuthFacts> {
        self.users.get(&id, now)
    }

    /// Whether the client is cached as existing, and still trusted at `now`.
    pub fn client_exists(&self, id: Uuid, now: Instant) -> bool {
        self.clients.get(&id, now).is_some()
    }

    /// To take right before reading a user (see [`UserCache::insert`]).
    pub fn ticket(&self) -> Ticket {
        self.users.ticket()
    }

    /// To take right before reading whether a client exists (see [`UserCache::insert_client`]).
    pub fn client_ticket(&self) -> Ticket {
        self.clients.ticket()
    }

    /// Stores what was read under `ticket`, unless news came since it was taken.
    pub fn insert(&self, ticket: Ticket, id: Uuid, facts: AuthFacts) {
        self.users.insert(ticket, id, facts);
    }

    /// Stores that the client was read as existing under `ticket`.
    pub fn insert_client(&self, ticket: Ticket, id: Uuid) {
        self.clients.insert(ticket, id, ());
    }

    /// Cached users.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Listening for UserCache {
    fn channel(&self) -> &'static str {
        CHANNEL
    }

    /// One user's id, `client:<id>`, or anything else (`*`) for everything.
    fn hear(&self, payload: &str) {
        if let Some(id) = payload.strip_prefix("client:") {
            if let Ok(id) = id.parse::<Uuid>() {
                return self.clients.forget(&id);
            }
        } else if let Ok(id) = payload.parse::<Uuid>() {
            return self.users.forget(&id);
        }
        self.users.forget_all();
        self.clients.forget_all();
    }

    fn reset(&self) {
        self.users.reset();
        self.clients.reset();
    }

    fn confirm(&self, sent: Instant) {
        self.users.confirm(sent);
        self.clients.confirm(sent);
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

    /// The trust rules are `db::notified`'s (tested there); this is what a payload names.
    #[test]
    fn a_payload_names_one_user_one_client_or_everything() {
        let cache = UserCache::with_capacity(2);
        cache.reset();
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        for id in [a, b, c] {
            cache.insert(cache.ticket(), id, facts(Role::Client));
        }
        assert_eq!(cache.len(), 2, "capacity 2: the least recently used went");
        assert!(cache.get(a, Instant::now()).is_none());
        cache.hear(&b.to_string());
        assert!(cache.get(b, Instant::now()).is_none());
        assert!(cache.get(c, Instant::now()).is_some());
        let acme = Uuid::new_v4();
        cache.insert_client(cache.client_ticket(), acme);
        assert!(cache.client_exists(acme, Instant::now()));
        cache.hear(&format!("client:{acme}"));
        assert!(!cache.client_exists(acme, Instant::now()));
        assert!(
            cache.get(c, Instant::now()).is_some(),
            "a client's news keeps users"
        );
        cache.insert_client(cache.client_ticket(), acme);
        cache.hear("*");
        assert!(cache.is_empty() && !cache.client_exists(acme, Instant::now()));
    }
}
