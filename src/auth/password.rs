//! Password hashing: Argon2id (the argon2 crate's defaults: m=19 MiB, t=2, p=1, OWASP's
//! recommendation), PHC strings in `users.password_hash`.
//!
//! Hashing is deliberately slow, so it runs on the blocking pool, never on the async threads
//! that serve other requests. At most [`MAX_CONCURRENT_HASHES`] run at once: each takes 19 MiB
//! and a core, so a burst of sign-ins queues here instead of exhausting memory and threads.
//!
//! Verification (the work an attacker can ask for, one sign-in at a time) fills Argon2's
//! memory in reusable buffers, at most one per permit, so that a storm of sign-ins holds
//! `MAX_CONCURRENT_HASHES` × 19 MiB and allocates nothing per attempt; the last verification of
//! a burst frees them, so an idle service holds none (docs/benchmarks.md, "Memory").

use std::sync::{Mutex, PoisonError};

use argon2::{
    Algorithm, Argon2, Block, Params, Version,
    password_hash::{Output, PasswordHash, PasswordHasher, SaltString, rand_core::OsRng},
};

pub const MIN_PASSWORD_LENGTH: usize = 12;
/// Concurrent Argon2 computations per process: two cores' worth. Each holds 19 MiB, and the
/// service's budget is 64 MB under any load; a third would pass it and, on two cores, sign
/// no one in sooner (measured in docs/benchmarks.md, "Memory").
pub const MAX_CONCURRENT_HASHES: usize = 2;

static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_CONCURRENT_HASHES);

/// Argon2 memory between verifications: at most one buffer per permit.
static BLOCKS: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

fn blocks() -> std::sync::MutexGuard<'static, Vec<Vec<Block>>> {
    BLOCKS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs an Argon2 computation on the blocking pool, within the concurrency cap, with a memory
/// buffer from [`BLOCKS`] (empty when none is free: the work sizes it). The permit travels
/// into the blocking task and the buffers are released there, so a sign-in whose client hung
/// up mid-hash (its future dropped) still ends the burst.
async fn bounded<T: Send + 'static>(
    work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
) -> anyhow::Result<T> {
    let permit = HASHING.acquire().await?;
    Ok(tokio::task::spawn_blocking(move || {
        let mut memory = blocks().pop().unwrap_or_default();
        let result = work(&mut memory);
        blocks().push(memory);
        drop(permit);
        if HASHING.available_permits() == MAX_CONCURRENT_HASHES {
            // Nothing hashing or queued: the burst is over, give the memory back.
            let idle = std::mem::take(&mut *blocks());
            drop(idle);
        }
        result
    })
    .await?)
}
/// Bounds the work one request can ask of the hasher.
pub const MAX_PASSWORD_LENGTH: usize = 256;

/// Why a password cannot be used, in words for a 422.
pub fn check_password_policy(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LENGTH {
        return Err(format!("must be at least {MIN_PASSWORD_LENGTH} characters"));
    }
    if password.len() > MAX_PASSWORD_LENGTH {
        return Err(format!("must be at most {MAX_PASSWORD_LENGTH} bytes"));
    }
    Ok(())
}

/// Hashes synchronously (for bulk jobs that are already off the async threads).
pub fn hash_password_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

pub async fn hash_password(password: String) -> anyhow::Result<String> {
    bounded(move |_| hash_password_blocking(&password)).await?
}

/// A hash of a password nobody has, verified when the email is unknown so that a wrong email
/// and a wrong password take the same time.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_password_blocking("no-user-has-this-password-0f5c2a")
            .unwrap_or_else(|_| String::from("$argon2id$v=19$m=19456,t=2,p=1$invalid"))
    })
}

/// Checks a password against a stored hash (or against the dummy when `stored` is None).
/// Returns false for a malformed stored hash rather than failing the request.
pub async fn verify_password(password: String, stored: Option<String>) -> bool {
    bounded(move |memory| {
        let found = stored.is_some();
        let hash = stored.as_deref().unwrap_or_else(|| dummy_hash());
        let ok = verify_in(password.as_bytes(), hash, memory).unwrap_or(false);
        ok && found
    })
    .await
    .unwrap_or(false)
}

/// What `PasswordVerifier::verify_password` does (algorithm, version and parameters from the
/// PHC string, constant-time comparison of the outputs), with Argon2's memory in `memory`,
/// grown to the hash's `m` when it is smaller. `None`: the stored hash is malformed.
fn verify_in(password: &[u8], stored: &str, memory: &mut Vec<Block>) -> Option<bool> {
    let parsed = PasswordHash::new(stored).ok()?;
    let (salt, expected) = (parsed.salt?, parsed.hash?);
    let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
    let version = parsed.version.map(Version::try_from).transpose().ok()?;
    let params = Params::try_from(&parsed).ok()?;
    let mut salt_bytes = [0; 64];
    let salt = salt.decode_b64(&mut salt_bytes).ok()?;
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::new());
    }
    let mut computed = [0; Output::MAX_LENGTH];
    let computed = computed.get_mut(..expected.len())?;
    Argon2::new(algorithm, version.unwrap_or_default(), params)
        .hash_password_into_with_memory(password, salt, computed, &mut memory[..])
        .ok()?;
    Some(Output::new(computed).ok()? == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn hashes_verify_and_reject() {
        let hash = hash_password("correct horse battery".into())
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery".into(), Some(hash.clone())).await);
        assert!(!verify_password("wrong horse battery".into(), Some(hash)).await);
        assert!(!verify_password("anything at all".into(), None).await);
        assert!(!verify_password("x".into(), Some("not a hash".into())).await);
    }

    /// The stored hash's own algorithm, version and parameters are honoured, not the defaults.
    #[tokio::test(flavor = "multi_thread")]
    async fn verification_follows_the_stored_parameters() {
        let params = Params::new(1024, 1, 1, Some(24)).expect("params");
        let salt = SaltString::generate(&mut OsRng);
        for algorithm in [Algorithm::Argon2id, Algorithm::Argon2i] {
            let stored = Argon2::new(algorithm, Version::V0x10, params.clone())
                .hash_password(b"an older hash 123", &salt)
                .expect("hash")
                .to_string();
            assert!(verify_password("an older hash 123".into(), Some(stored.clone())).await);
            assert!(!verify_password("an older hash 124".into(), Some(stored)).await);
        }
    }

    #[test]
    fn policy_requires_length() {
        assert!(check_password_policy("short").is_err());
        assert!(check_password_policy("long enough pw").is_ok());
        assert!(check_password_policy(&"x".repeat(300)).is_err());
    }
}
