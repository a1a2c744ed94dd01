//! Password hashing: Argon2id (the argon2 crate's defaults: m=19 MiB, t=2, p=1, OWASP's
//! recommendation), PHC strings in `users.password_hash`.
//!
//! Hashing is deliberately slow, so it runs on the blocking pool, never on the async threads
//! that serve other requests. At most [`MAX_CONCURRENT_HASHES`] run at once: each takes 19 MiB
//! and a core, so a burst of sign-ins queues here instead of exhausting memory and threads.

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};

pub const MIN_PASSWORD_LENGTH: usize = 12;
/// Concurrent Argon2 computations per process.
pub const MAX_CONCURRENT_HASHES: usize = 4;

static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_CONCURRENT_HASHES);

/// Runs an Argon2 computation on the blocking pool, within the concurrency cap.
async fn bounded<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let _permit = HASHING.acquire().await?;
    Ok(tokio::task::spawn_blocking(work).await?)
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
    bounded(move || hash_password_blocking(&password)).await?
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
    bounded(move || {
        let found = stored.is_some();
        let hash = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let ok = PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && found
    })
    .await
    .unwrap_or(false)
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

    #[test]
    fn policy_requires_length() {
        assert!(check_password_policy("short").is_err());
        assert!(check_password_policy("long enough pw").is_ok());
        assert!(check_password_policy(&"x".repeat(300)).is_err());
    }
}
