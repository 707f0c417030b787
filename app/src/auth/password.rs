//! Password hashing: argon2id with OWASP's parameters (19 MiB, 2 iterations, 1 lane), always on a
//! blocking thread so a login never stalls the async runtime.
use std::sync::OnceLock;

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

pub async fn hash(password: String) -> anyhow::Result<PasswordHashString> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

/// A hash to verify against when the user does not exist, so that case takes as long as a wrong
/// password and response times do not reveal which emails have accounts.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_blocking("not a real password")
            .map(|h| h.0)
            .unwrap_or_default()
    })
}

/// True when `password` matches `stored`; `stored = None` still does the work and returns false.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let (phc, real) = match &stored {
            Some(s) => (s.as_str(), true),
            None => (dummy_hash(), false),
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
