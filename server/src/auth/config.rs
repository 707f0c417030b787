//! Session settings: signing keys (by key id, for rotation) and timeouts.
use std::time::Duration;

use anyhow::Context;

use super::tokens::SigningKeys;
use super::totp::SealingKey;

#[derive(Clone)]
pub struct AuthConfig {
    pub keys: SigningKeys,
    /// A session ends after this long without a request.
    pub idle_timeout: Duration,
    /// And after this long whatever happens.
    pub absolute_timeout: Duration,
    /// Seals second-factor secrets at rest (derived from `MFA_SECRET`).
    pub sealing_key: SealingKey,
}

/// The development fallback for `MFA_SECRET`: fixed, so authenticators enrolled on a local
/// database keep working across restarts; production refuses to start with it unset.
const DEVELOPMENT_MFA_SECRET: &[u8] = b"development only: not a secret, never used in production";

impl AuthConfig {
    /// `SESSION_KEYS="kid1:secret1,kid0:secret0"`: the first signs, all verify. Secrets are at least
    /// 32 bytes. Without it, development generates a random key per process (sessions end on
    /// restart); production refuses to start.
    pub fn from_env(production: bool) -> anyhow::Result<Self> {
        let keys = match std::env::var("SESSION_KEYS") {
            Ok(spec) => SigningKeys::parse(&spec).context("SESSION_KEYS")?,
            Err(_) if production => anyhow::bail!("SESSION_KEYS must be set in production"),
            Err(_) => {
                tracing::warn!(
                    "SESSION_KEYS not set: using a random key; sessions end when the server restarts"
                );
                SigningKeys::random()
            }
        };
        let minutes = |name: &str, default: u64| -> anyhow::Result<Duration> {
            Ok(Duration::from_secs(
                60 * match std::env::var(name) {
                    Ok(v) => v
                        .parse()
                        .with_context(|| format!("{name} must be a number of minutes"))?,
                    Err(_) => default,
                },
            ))
        };
        let sealing_key = match std::env::var("MFA_SECRET") {
            Ok(secret) => {
                anyhow::ensure!(secret.len() >= 32, "MFA_SECRET must be at least 32 bytes");
                SealingKey::derive(secret.as_bytes())
            }
            Err(_) if production => anyhow::bail!("MFA_SECRET must be set in production"),
            Err(_) => {
                tracing::warn!("MFA_SECRET not set: sealing second-factor secrets with the development key");
                SealingKey::derive(DEVELOPMENT_MFA_SECRET)
            }
        };
        Ok(Self {
            sealing_key,
            keys,
            idle_timeout: minutes("SESSION_IDLE_MINUTES", 60)?,
            absolute_timeout: minutes("SESSION_ABSOLUTE_MINUTES", 12 * 60)?,
        })
    }
}
