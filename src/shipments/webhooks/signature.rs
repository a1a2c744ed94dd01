//! Carrier webhook signatures: `X-Webhook-Signature: sha256=<hex of HMAC-SHA256(secret,
//! "<timestamp>.<raw body>")>` with `X-Webhook-Timestamp: <unix seconds>` no more than
//! [`TOLERANCE_SECS`] away from our clock, so a captured request cannot be replayed later.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a webhook's timestamp may be from the server's clock.
pub const TOLERANCE_SECS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

/// Why a webhook was not authenticated (each a 401; the text names what to fix).
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    NoSecret,
    MissingTimestamp,
    StaleTimestamp,
    MissingSignature,
    BadSignature,
}

impl Refusal {
    pub fn message(&self) -> &'static str {
        match self {
            Self::NoSecret => "webhooks of this carrier are not configured",
            Self::MissingTimestamp => "X-Webhook-Timestamp must hold the unix time in seconds",
            Self::StaleTimestamp => {
                "X-Webhook-Timestamp is more than 300 seconds away from the server's clock"
            }
            Self::MissingSignature => "X-Webhook-Signature must be sha256=<hex HMAC>",
            Self::BadSignature => "X-Webhook-Signature does not match the body",
        }
    }
}

/// The signature a sender computes (used by tests and the benchmark's sender).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks timestamp and signature; the comparison is constant-time (`Mac::verify_slice`).
pub fn verify(
    secret: Option<&[u8]>,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), Refusal> {
    let secret = secret.ok_or(Refusal::NoSecret)?;
    let ts: i64 = timestamp
        .and_then(|t| t.trim().parse().ok())
        .ok_or(Refusal::MissingTimestamp)?;
    if (now - ts).abs() > TOLERANCE_SECS {
        return Err(Refusal::StaleTimestamp);
    }
    let given = signature
        .and_then(|s| s.trim().strip_prefix("sha256="))
        .and_then(|h| hex::decode(h).ok())
        .ok_or(Refusal::MissingSignature)?;
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(ts.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&given).map_err(|_| Refusal::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_body_secret_and_time() {
        let sig = sign(b"secret-of-sixteen", 1000, b"{}");
        // (secret, timestamp, signature, body, now) and what each is answered.
        type Case<'a> = (
            &'a [u8],
            &'a str,
            &'a str,
            &'a [u8],
            i64,
            Result<(), Refusal>,
        );
        let cases: [Case; 6] = [
            (b"secret-of-sixteen", "1000", &sig, b"{}", 1200, Ok(())),
            (
                b"secret-of-sixteen",
                "1000",
                &sig,
                b"{} ",
                1000,
                Err(Refusal::BadSignature),
            ),
            (
                b"another-secret!!",
                "1000",
                &sig,
                b"{}",
                1000,
                Err(Refusal::BadSignature),
            ),
            (
                b"secret-of-sixteen",
                "1001",
                &sig,
                b"{}",
                1000,
                Err(Refusal::BadSignature),
            ),
            (
                b"secret-of-sixteen",
                "1000",
                &sig,
                b"{}",
                1301,
                Err(Refusal::StaleTimestamp),
            ),
            (
                b"secret-of-sixteen",
                "1000",
                "sha256=zz",
                b"{}",
                1000,
                Err(Refusal::MissingSignature),
            ),
        ];
        for (secret, ts, signature, body, now, expected) in cases {
            assert_eq!(
                verify(Some(secret), Some(ts), Some(signature), body, now),
                expected,
                "{ts} {signature} {body:?} at {now}"
            );
        }
        assert_eq!(
            verify(None, Some("1000"), Some(&sig), b"{}", 1000),
            Err(Refusal::NoSecret)
        );
    }
}
