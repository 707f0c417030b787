//! Password hashing: argon2id with OWASP's parameters (19 MiB, 2 iterations, 1 lane), always on a
//! blocking thread so a login never stalls the async runtime, and at most [`max_concurrent_hashes`]
//! at a time: each takes 19 MiB and a core for tens of milliseconds, so a flood of sign-in attempts
//! queues here instead of exhausting memory and starving page requests of CPU.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::LazyLock;

use tokio::sync::Semaphore;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`). Not `Serialize`: it never leaves the server.
pub struct PasswordHashString(pub String);

pub fn hash_blocking(password: &str) -> anyhow::Result<PasswordHashString> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = argon2()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
    Ok(PasswordHashString(hash.to_string()))
}

/// How many hashes may run at once: one per core, at least two.
pub fn max_concurrent_hashes() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().max(2))
}

static HASHING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(max_concurrent_hashes()));
/// Hashes running now and the most ever seen at once (for the test of the cap).
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static MOST_RUNNING: AtomicUsize = AtomicUsize::new(0);

pub fn most_hashes_seen_at_once() -> usize {
    MOST_RUNNING.load(Ordering::SeqCst)
}

/// Runs one argon2 computation on a blocking thread once a hashing permit is free.
async fn with_permit<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    let _permit = HASHING.acquire().await?;
    tokio::task::spawn_blocking(move || {
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        MOST_RUNNING.fetch_max(now, Ordering::SeqCst);
        let out = work();
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        out
    })
    .await
    .map_err(Into::into)
}

pub async fn hash(password: String) -> anyhow::Result<PasswordHashString> {
    with_permit(move || hash_blocking(&password)).await?
}

/// A hash to verify against when the user does not exist, so that case takes as long as a wrong
/// password and response times do not reveal which emails have accounts. A constant with the same
/// parameters as [`argon2`] (of a random password nobody kept): ready before the first sign-in, so
/// the first attempt with an unknown e-mail is not slower than later ones (a lazily built decoy was).
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$UAipCIsIICNc9fQSiJQBug$ZqEqmREnOc5VPnFwAgbpIC54tw4p+Daugl4C54wiCp4";

/// True when `password` matches `stored`; `stored = None` still does the work and returns false.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    with_permit(move || {
        let (phc, real) = match &stored {
            Some(s) => (s.as_str(), true),
            None => (DECOY_HASH, false),
        };
        let ok = PasswordHash::new(phc).map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok());
        real && ok.unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decoy_is_a_hash_with_the_real_parameters() {
        let decoy = PasswordHash::new(DECOY_HASH).unwrap();
        let real = hash_blocking("anything").unwrap();
        let real = PasswordHash::new(&real.0).unwrap();
        assert_eq!(decoy.algorithm, real.algorithm);
        assert_eq!(decoy.version, real.version);
        assert_eq!(decoy.params, real.params);
        assert_eq!(decoy.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_hashes_run_at_once_than_the_cap() {
        let cap = max_concurrent_hashes();
        let all: Vec<_> = (0..cap * 3 + 2)
            .map(|i| tokio::spawn(verify(format!("guess {i}"), None)))
            .collect();
        for h in all {
            assert!(!h.await.unwrap());
        }
        let most = most_hashes_seen_at_once();
        assert!(most >= 1 && most <= cap, "{most} at once, cap {cap}");
    }

    #[tokio::test]
    async fn a_password_verifies_against_its_own_hash_only() {
        let h = hash("correct horse battery staple".into()).await.unwrap();
        assert!(h.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery staple".into(), Some(h.0.clone())).await);
        assert!(!verify("Correct horse battery staple".into(), Some(h.0.clone())).await);
        assert!(!verify("correct horse battery staple".into(), None).await);
        assert!(!verify("x".into(), Some("not a phc string".into())).await);
    }
}
